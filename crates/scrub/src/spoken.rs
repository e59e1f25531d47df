//! Credentials and addresses written as prose, which the gate keeps because every word in
//! them is ordinary:
//!
//! - a credential told in a sentence: `my password is sunshine`, `the PIN was 4821`,
//!   `your one-time code is 482913`, `2FA code: 123456`,
//!   `password: "hunter 2"`, `passphrase: correct horse battery staple`, `api key is …`,
//!   `recovery phrase: 1. abandon 2. ability …`. After the credential word and `is`, `was`,
//!   `:`, `=` or `->`, the value is replaced: a quoted value up to its closing quote, else
//!   one token up to the next space (punctuation included); after a phrase's name, the
//!   rest of the clause (to `;`, a quote, or a full stop and a space; at most 300 bytes);
//! - a street address: a house number, one to three Capitalized words and a street type in
//!   any case (`42 Elm Street`, `221B Baker St.`, `1600 Pennsylvania avenue`).
//!
//! Both become `[redacted]`.

use crate::rules::Rule;
use crate::span::{Repl, Span};

/// Credential words (lower case) and whether what follows is a phrase of several words.
const CREDENTIALS: &[(&[u8], bool)] = &[
    (b"password", false),
    (b"passwd", false),
    (b"pwd", false),
    (b"pin", false),
    (b"pin code", false),
    (b"passcode", false),
    (b"secret", false),
    (b"api key", false),
    (b"apikey", false),
    (b"access key", false),
    (b"token", false),
    (b"otp", false),
    (b"verification code", false),
    (b"security code", false),
    (b"passphrase", true),
    (b"pass phrase", true),
    (b"seed phrase", true),
    (b"recovery phrase", true),
    (b"mnemonic", true),
    (b"secret phrase", true),
    // Found by the red team (round 5): a card's check digits, an authenticator's code, a
    // security question's answer, the recovery codes a service hands out.
    (b"cvv", false),
    (b"cvv2", false),
    (b"cvc", false),
    (b"totp", false),
    (b"security answer", false),
    (b"recovery codes", true),
    (b"backup codes", true),
    // Round 11: a word agreed as a secret (`the secret word is …`).
    (b"secret word", false),
    // Personal numbers and dates told the same way (`date of birth: 1987-04-12`,
    // `SSN = 078051120`, `account number: 12345678`).
    (b"date of birth", false),
    (b"date_of_birth", false),
    (b"date-of-birth", false),
    (b"birth date", false),
    (b"birth_date", false),
    (b"dob", false),
    (b"birthday", false),
    (b"birthdate", false),
    (b"ssn", false),
    (b"social security number", false),
    (b"account number", false),
    (b"routing number", false),
    // Abbreviations (`pass: …`, `Pass:…` in a struct dump, `pw='…'`): only before `:` or
    // `=` and not before a count (`pass: 12` of a test summary stays).
    (b"pass", false),
    (b"pw", false),
    // SQL (red team, round 7): `IDENTIFIED BY '…'`; `PASSWORD '…'` is the quoted form below.
    (b"identified by", false),
];

/// Credential names that are abbreviations: told only with `:` or `=`, never a number.
fn abbreviation(word: &[u8]) -> bool {
    matches!(word, b"pass" | b"pw")
}

/// The last word of a command-line flag that takes a credential as its next argument:
/// `--password hunter2`, `--api-key …`, `--auth-token …`, `-pass …`.
const FLAG_WORDS: &[&[u8]] = &[
    // `keytool -storepass …` (red team, round 7).
    b"storepass",
    b"keypass",
    b"srcstorepass",
    b"deststorepass",
    b"srckeypass",
    b"destkeypass",
    b"password",
    b"passwd",
    b"pass",
    b"pwd",
    b"pw",
    b"passphrase",
    b"passcode",
    b"token",
    b"secret",
    b"key",
    b"apikey",
    b"pin",
    b"otp",
    b"credential",
    b"credentials",
    b"cookie",
];

/// Words before `code` that make it a credential (lower case, with the space after them):
/// `one-time code`, `2FA code`, `login code`, the OAuth device flow's `user code`.
const CODE_KINDS: &[&[u8]] = &[
    b"one-time ",
    b"sort ",
    b"one time ",
    b"2fa ",
    b"mfa ",
    b"otp ",
    b"sms ",
    b"login ",
    b"sign-in ",
    b"auth ",
    b"authentication ",
    b"confirmation ",
    b"device ",
    b"user ",
    b"access ",
    b"recovery ",
    b"backup ",
    // Found by the red team (round 3): `Your ChatGPT code is 482913` of a login e-mail,
    // and the codes a sign-in or an invitation sends.
    b"chatgpt ",
    b"openai ",
    b"temporary ",
    b"activation ",
    b"pairing ",
    b"invite ",
    b"invitation ",
];

/// Whether `word` (with its trailing space) ends just before `s`, as a word of its own.
fn word_before(low: &[u8], s: usize, word: &[u8]) -> bool {
    s >= word.len()
        && &low[s - word.len()..s] == word
        && (s == word.len() || !low[s - word.len() - 1].is_ascii_alphanumeric())
}

/// What joins the credential word to its value.
const JOINERS: &[&[u8]] = &[
    b" is: ",
    b" is ",
    b" was ",
    b": ",
    b":\t",
    b":",
    b" = ",
    b"=",
    b" -> ",
    // A dash between them (red team, round 5): `password — hunter2`, `token – …`.
    " \u{2014} ".as_bytes(),
    " \u{2013} ".as_bytes(),
    b" - ",
];

/// Values that describe a credential rather than being one (`the token is expired`,
/// `password was incorrect`): kept.
const STATES: &[&[u8]] = &[
    b"expired",
    b"invalid",
    b"missing",
    b"valid",
    b"required",
    b"empty",
    b"set",
    b"unset",
    b"null",
    b"none",
    b"undefined",
    b"present",
    b"absent",
    b"revoked",
    b"stale",
    b"fresh",
    b"ok",
    b"true",
    b"false",
    b"wrong",
    b"incorrect",
    b"correct",
    b"changed",
    b"reset",
    b"rotated",
    b"refreshed",
    b"too",
    b"not",
    b"being",
    b"still",
    b"now",
    b"already",
    b"used",
    b"reused",
    b"accepted",
    b"rejected",
    b"denied",
    b"needed",
    b"configured",
    b"disabled",
    b"enabled",
    b"locked",
    b"unknown",
    b"blank",
    b"redacted",
    b"hidden",
    b"masked",
    b"the",
    b"a",
    b"an",
    b"in",
    b"on",
    b"from",
    b"for",
    b"only",
    b"sent",
    b"stored",
    b"saved",
    b"new",
    b"old",
    b"short",
    b"long",
    b"weak",
    b"strong",
    b"unchanged",
    b"cleared",
];

/// Street types after the street's name (lower case; an abbreviation may end with `.`).
const STREET_TYPES: &[&[u8]] = &[
    b"street",
    b"st",
    b"avenue",
    b"ave",
    b"road",
    b"rd",
    b"lane",
    b"ln",
    b"drive",
    b"dr",
    b"boulevard",
    b"blvd",
    b"court",
    b"ct",
    b"way",
    b"place",
    b"pl",
    b"terrace",
    b"crescent",
    b"close",
    b"square",
    b"parkway",
    b"pkwy",
    b"highway",
    b"hwy",
    b"circle",
    b"trail",
    b"strasse",
    b"gasse",
    b"weg",
    b"allee",
];

/// The end of a one-token value at `s`: the next space, quote, closing bracket or escape
/// (a backslash starts one in JSON-escaped text: `\"` ends the string); a full stop that
/// ends the sentence is not part of it.
fn word_end(low: &[u8], s: usize) -> usize {
    let mut e = s;
    while e < low.len()
        && !matches!(
            low[e],
            b' ' | b'\t' | b'"' | b'\'' | b')' | b']' | b'}' | b'>' | b'\\'
        )
    {
        e += 1;
    }
    while e > s && low[e - 1] == b'.' {
        e -= 1;
    }
    e
}

/// The end of a phrase at `s`: the end of its clause (`;`, a quote, an escape, a full stop
/// and a space, or the line's end), at most 300 bytes; trailing spaces and a full stop are
/// not part of it.
fn phrase_end(low: &[u8], s: usize) -> usize {
    let limit = low.len().min(s + 300);
    let mut e = s;
    // `1. abandon 2. ability`: a number's full stop numbers a list; it ends no clause.
    let numbering = |e: usize| {
        let digits = low[s..e]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .count();
        digits > 0 && (e - digits == s || low[e - digits - 1] == b' ')
    };
    while e < limit
        && !matches!(low[e], b';' | b'"' | b'\'' | b'\\' | b'\n' | b'\r')
        && !(low[e] == b'.' && matches!(low.get(e + 1), Some(b' ') | None) && !numbering(e))
    {
        e += 1;
    }
    while e > s && matches!(low[e - 1], b' ' | b'.' | b',') {
        e -= 1;
    }
    e
}

/// A quoted value at `v` (`"…"`, `'…'`, or `\"…\"` inside a JSON string): its inside. In
/// a JSON line a bare `"` delimits the JSON string itself (prose quotes inside it are
/// escaped), so only the escaped form counts there.
fn quoted(low: &[u8], v: usize) -> Option<(usize, usize)> {
    let json = low
        .iter()
        .find(|c| !c.is_ascii_whitespace())
        .is_some_and(|c| matches!(c, b'{' | b'['));
    let (open, close): (&[u8], &[u8]) = match low.get(v)? {
        b'"' if !json => (b"\"", b"\""),
        b'\'' => (b"'", b"'"),
        b'\\' if low.get(v + 1) == Some(&b'"') => (b"\\\"", b"\\\""),
        _ => return None,
    };
    let start = v + open.len();
    let rest = low.get(start..low.len().min(start + 256))?;
    let len = if open == b"\\\"" {
        // The next quote that a single backslash escapes; one that an even run escapes (or
        // none does) ends the JSON string first.
        let q = rest.iter().enumerate().find(|&(_, &c)| c == b'"')?.0;
        let run = rest[..q].iter().rev().take_while(|&&c| c == b'\\').count();
        if run % 2 == 0 {
            return None;
        }
        q - 1
    } else {
        memchr::memmem::find(rest, close)?
    };
    (len > 0).then_some((start, start + len))
}

/// Whether `w` is the first word of a [`CREDENTIALS`] name (a cheap test before the table).
fn first_word(w: &[u8]) -> bool {
    matches!(
        w,
        b"password"
            | b"passwd"
            | b"pwd"
            | b"pin"
            | b"passcode"
            | b"secret"
            | b"api"
            | b"apikey"
            | b"access"
            | b"identified"
            | b"token"
            | b"otp"
            | b"verification"
            | b"security"
            | b"passphrase"
            | b"pass"
            | b"pw"
            | b"seed"
            | b"recovery"
            | b"mnemonic"
            | b"date"
            | b"birth"
            | b"dob"
            | b"birthday"
            | b"birthdate"
            | b"ssn"
            | b"social"
            | b"account"
            | b"routing"
            | b"cvv"
            | b"cvv2"
            | b"cvc"
            | b"totp"
            | b"backup"
    )
}

/// Whether a space at `at` is followed by a number of 3 to 12 digits that ends a word.
fn spaced_number(low: &[u8], at: usize) -> bool {
    if low.get(at) != Some(&b' ') {
        return false;
    }
    let n = low[at + 1..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    (3..=12).contains(&n) && !low.get(at + 1 + n).is_some_and(u8::is_ascii_alphanumeric)
}

/// The word `[s, e)` (lower case) may start a credential's name: `password is …` → the value
/// (see the module docs). The end of what was matched, to go on from.
pub(crate) fn credential_at(
    low: &[u8],
    s: usize,
    e: usize,
    spans: &mut Vec<Span>,
) -> Option<usize> {
    // The first word of a credential's name, before the table is looked at.
    let (word_len, phrase) = if &low[s..e] == b"code" {
        // `one-time code`, `2FA code`, `login code`: named by the word before `code`.
        if !CODE_KINDS.iter().any(|k| word_before(low, s, k)) {
            return None;
        }
        (4, false)
    } else {
        if !first_word(&low[s..e]) {
            return None;
        }
        let &(word, phrase) = CREDENTIALS
            .iter()
            .filter(|(w, _)| low[s..].starts_with(w))
            .max_by_key(|(w, _)| w.len())?;
        (word.len(), phrase)
    };
    let after = s + word_len;
    let abbr = abbreviation(&low[s..after]);
    // A `.netrc` line (`machine host login me password hunter2`): a space joins them. So
    // does a `.netrc` written over several lines: `password hunter2` alone on its line, one
    // word after it (not `password changed`, `password reset required`).
    let netrc = || {
        matches!(&low[s..after], b"password" | b"passwd")
            && low.get(after) == Some(&b' ')
            && (memchr::memmem::find(&low[..s], b"login ")
                .is_some_and(|l| l == 0 || matches!(low[l - 1], b' ' | b'\t'))
                || netrc_password_line(low, s, after))
    };
    let joiner: &[u8] = match JOINERS
        .iter()
        .filter(|j| !abbr || !j.starts_with(b" is") && !j.starts_with(b" was"))
        .find(|j| low[after..].starts_with(j))
    {
        Some(j) => j,
        None if netrc() => b" ",
        // `[sudo] password for jdoe: hunter2`, `Password for 'https://jdoe@host': …`: a
        // prompt, echoed with the answer (red team, round 6).
        None if !abbr && prompt_for(low, after).is_some() => {
            &low[after..after + prompt_for(low, after).unwrap_or(0)]
        }
        // `changed my password to hunter2`, `set the API key to …` (red team, round 6):
        // `to` joins them only after a verb that gives a credential its value.
        None if !abbr && low[after..].starts_with(b" to ") && set_before(low, s) => b" to ",
        // `apikey(hunter2)`: a call-like form, the value closed by `)` right after it.
        None if !abbr && low.get(after) == Some(&b'(') && call_value(low, after + 1) => b"(",
        // SQL's `PASSWORD('…')`, `WITH PASSWORD '…'`, `IDENTIFIED BY '…'` (red team, round
        // 7): a quoted value after the name and a space or `(`.
        None if !abbr
            && matches!(low.get(after), Some(b' ' | b'('))
            && matches!(low.get(after + 1), Some(b'\'' | b'"')) =>
        {
            &low[after..after + 1]
        }
        // `PIN 4821`, `cvv 123`, `2FA code 84120`: a number of 3 to 12 digits right after
        // the name and one space is the credential (red team, round 5); a word there is
        // read as prose (`token expired`).
        None if !abbr && spaced_number(low, after) => b" ",
        None => return None,
    };
    let v = after + joiner.len();
    // Markdown's inline code after a credential's name (`my api key is \`…\``; red team,
    // round 5): quoted, for a credential only (an account label's code span is a command).
    let code_span = || {
        let s = v + 1;
        (low.get(v) == Some(&b'`'))
            .then(|| memchr::memchr(b'`', &low[s..low.len().min(s + 256)]))
            .flatten()
            .map(|n| (s, s + n))
    };
    let (v, e) = if let Some((qs, qe)) = quoted(low, v).or_else(code_span) {
        (qs, qe)
    } else {
        // A value, not an empty field or the start of a JSON string (JSON and `key=value`
        // have their own rules), nor a placeholder already written (`[redacted]`).
        let c = *low.get(v)?;
        if !(c.is_ascii_alphanumeric() || b"!#$%&*+-/?@^_~(".contains(&c)) {
            return None;
        }
        (
            v,
            if phrase {
                phrase_end(low, v)
            } else {
                word_end(low, v)
            },
        )
    };
    if e <= v || crate::rules::only_markers(&low[v..e]) {
        return None;
    }
    if !phrase && STATES.contains(&&low[v..e]) {
        return None;
    }
    if abbr && low[v..e].iter().all(u8::is_ascii_digit) {
        return None;
    }
    (e > v).then(|| {
        spans.push(Span::new(v, e, Rule::ToldCredential, Repl::Redacted));
        e
    })
}

/// The length of ` for NAME: ` at `at` (a password prompt naming whom it asks for; the
/// name one token, or quoted).
fn prompt_for(low: &[u8], at: usize) -> Option<usize> {
    let rest = low.get(at..)?.strip_prefix(b" for ")?;
    let name = match rest.first()? {
        &q @ (b'\'' | b'"') => 2 + rest[1..rest.len().min(257)].iter().position(|&c| c == q)?,
        _ => rest
            .iter()
            .take(128)
            .take_while(|c| c.is_ascii_alphanumeric() || b"._@-\\$".contains(c))
            .count(),
    };
    (name > 0 && rest[name..].starts_with(b": ")).then_some(5 + name + 2)
}

/// The last part of a configuration key that holds a credential (`//registry/:_authToken`,
/// `user.password`, `npmAuthToken`; `aws_secret_access_key` ends in `key` and is matched
/// whole).
fn credential_key(key: &[u8]) -> bool {
    let last = key
        .rsplit(|c| !c.is_ascii_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or(b"");
    // A bare word (`config token refresh`) reads as prose, not as a key.
    if last.len() == key.len() && !last.ends_with(b"authtoken") {
        return false;
    }
    matches!(last, b"auth" | b"credential" | b"credentials" | b"pat")
        || [&b"token"[..], b"password", b"passwd", b"secret", b"apikey"]
            .iter()
            .any(|w| last.ends_with(w))
        || key.ends_with(b"secret_access_key")
        || key.ends_with(b"_api_key")
        || key.ends_with(b"-api-key")
}

/// `npm config set //registry.npmjs.org/:_authToken …`, `git config --global user.password
/// …`, `aws configure set aws_secret_access_key …` (red team, round 6): `s..e` is the word
/// `config` or `configure`; the value after a key that names a credential is replaced.
pub(crate) fn config_set(low: &[u8], e: usize, spans: &mut Vec<Span>) -> Option<usize> {
    let mut v = e;
    let mut key: Option<(usize, usize)> = None;
    for _ in 0..6 {
        while low.get(v) == Some(&b' ') {
            v += 1;
        }
        let w = word_end(low, v);
        if w == v {
            return None;
        }
        let word = &low[v..w];
        if word == b"set" || word.starts_with(b"-") {
            // `--file` takes a path.
            let takes = matches!(word, b"--file" | b"-f" | b"--location" | b"--profile");
            v = w;
            if takes {
                while low.get(v) == Some(&b' ') {
                    v += 1;
                }
                v = word_end(low, v);
            }
            continue;
        }
        if word.contains(&b'=') {
            return None;
        }
        key = Some((v, w));
        v = w;
        break;
    }
    let (ks, ke) = key?;
    // `git config user.name jdoe` (round 9): the value is a person's name.
    let person = matches!(
        &low[ks..ke],
        b"user.name" | b"author.name" | b"committer.name" | b"github.user" | b"gitlab.user"
    );
    if !(person || credential_key(&low[ks..ke])) || low.get(v) != Some(&b' ') {
        return None;
    }
    while low.get(v) == Some(&b' ') {
        v += 1;
    }
    if person {
        let (vs, ve) = quoted(low, v).unwrap_or((v, word_end(low, v)));
        // (A marker stays: `[redacted]` reads the same again; `&&` is no name.)
        if ve <= vs || !low[vs].is_ascii_alphanumeric() {
            return None;
        }
        spans.push(Span::new(vs, ve, Rule::PersonName, Repl::Redacted));
        return Some(ve);
    }
    if let Some((qs, qe)) = quoted(low, v) {
        return push_argument(low, qs, qe, spans);
    }
    let c = *low.get(v)?;
    if c == b'-' || !(c.is_ascii_alphanumeric() || b"!#$%&*+/?@^_~(".contains(&c)) {
        return None;
    }
    push_argument(low, v, word_end(low, v), spans)
}

/// `htpasswd -b[c] FILE USER PASSWORD`, `htpasswd -nb USER PASSWORD` (red team, round 7):
/// with `b` among the flags the password is the last positional argument. `e` is the end of
/// the word `htpasswd`.
pub(crate) fn htpasswd_batch(low: &[u8], e: usize, spans: &mut Vec<Span>) -> Option<usize> {
    let (mut batch, mut no_file) = (false, false);
    let mut positional: Vec<(usize, usize)> = Vec::new();
    let mut v = e;
    while positional.len() < 3 {
        while matches!(low.get(v), Some(b' ' | b'\t')) {
            v += 1;
        }
        let w = word_end(low, v);
        if w == v {
            break;
        }
        let word = &low[v..w];
        if word.len() > 1 && word[0] == b'-' {
            batch |= word.contains(&b'b');
            no_file |= word.contains(&b'n');
        } else {
            positional.push((v, w));
        }
        v = w;
    }
    let wanted = if no_file { 2 } else { 3 };
    if !batch || positional.len() < wanted {
        return None;
    }
    let (ps, pe) = positional[wanted - 1];
    push_argument(low, ps, pe, spans)
}

/// Verbs that give a credential its value (`set the password to …`).
const SETTERS: &[&[u8]] = &[
    b"set",
    b"sets",
    b"setting",
    b"change",
    b"changed",
    b"changing",
    b"reset",
    b"update",
    b"updated",
    b"rotate",
    b"rotated",
];

/// Whether one of [`SETTERS`] is among the four words before `s`.
fn set_before(low: &[u8], s: usize) -> bool {
    let from = s.saturating_sub(40);
    low[from..s]
        .split(|c| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
        .rev()
        .take(4)
        .any(|w| SETTERS.contains(&w))
}

/// Whether a value of at least four bytes starts at `v` and `)` closes it before any space.
fn call_value(low: &[u8], v: usize) -> bool {
    let rest = &low[v.min(low.len())..low.len().min(v + 256)];
    rest.iter()
        .position(|&c| matches!(c, b')' | b' ' | b'\t' | b'"' | b'\'' | b'('))
        .is_some_and(|n| n >= 4 && rest[n] == b')')
}

/// How a command takes its password flag's value.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Takes {
    /// Only attached (`mysql -phunter2`; a spaced `-p` prompts, the next word is a database).
    Attached,
    /// Only as the next argument (`zip -P hunter2`).
    Spaced,
    /// Either.
    Both,
    /// The part after `%` of the next argument (`smbclient -U user%hunter2`).
    AfterPercent,
}

/// The MySQL and MariaDB clients (`-p` a password, `-u` a user; shared with
/// [`crate::logins`]).
pub(crate) const MYSQL_TOOLS: &[&[u8]] = &[
    b"mysql",
    b"mysqldump",
    b"mysqladmin",
    b"mysqlimport",
    b"mysqlshow",
    b"mysqlcheck",
    b"mysqlpump",
    b"mysqlsh",
    b"mariadb",
    b"mariadb-dump",
    b"mariadb-admin",
];

/// The MongoDB clients (`-p` a password, `-u` a user).
pub(crate) const MONGO_TOOLS: &[&[u8]] = &[
    b"mongosh",
    b"mongo",
    b"mongodump",
    b"mongorestore",
    b"mongoexport",
    b"mongoimport",
];

/// Commands whose one-letter flag is a password (the letter as typed), and how the value
/// comes (red team, rounds 6 and 7; elsewhere `-p` is a port or a path, `-a` an option).
const PASSWORD_FLAGS: &[(&[&[u8]], u8, Takes)] = &[
    (MYSQL_TOOLS, b'p', Takes::Attached),
    (&[b"sshpass"], b'p', Takes::Both),
    (MONGO_TOOLS, b'p', Takes::Both),
    (&[b"7z", b"7za", b"7zr"], b'p', Takes::Attached),
    (&[b"zip", b"unzip", b"zipcloak"], b'P', Takes::Spaced),
    (&[b"redis-cli"], b'a', Takes::Spaced),
    (&[b"ssh-keygen"], b'N', Takes::Spaced),
    (&[b"ssh-keygen"], b'P', Takes::Spaced),
    (&[b"smbclient"], b'U', Takes::AfterPercent),
];

/// Commands whose `login` subcommand takes the password as `-p` and the user as `-u`
/// (`docker login -u me -p …`; shared with [`crate::logins`]).
pub(crate) const P_IS_LOGIN_PASSWORD: &[&[u8]] = &[
    b"docker", b"podman", b"nerdctl", b"buildah", b"skopeo", b"helm", b"oras", b"crane", b"finch",
    b"regctl", b"az", b"cf", b"oc",
];

/// The file names of the words of the shell segment that ends at `k` (after the last `|`,
/// `;`, `&`, `(`, `` ` `` or `>`), lower case.
pub(crate) fn segment_words(low: &[u8], k: usize) -> impl Iterator<Item = &[u8]> {
    let seg_start = low[..k]
        .iter()
        .rposition(|&c| matches!(c, b'|' | b';' | b'&' | b'(' | b'`' | b'>'))
        .map_or(0, |p| p + 1);
    low[seg_start..k]
        .split(|c| c.is_ascii_whitespace() || matches!(c, b'"' | b'\'' | b'[' | b','))
        .filter(|w| !w.is_empty())
        .map(|w| w.rsplit(|&c| c == b'/').next().unwrap_or(w))
}

/// How the command of the shell segment that ends at `k` (after the last `|`, `;`, `&`,
/// `(` or `` ` ``) takes `-<flag>` as a password, if it does: a word naming one of
/// [`PASSWORD_FLAGS`] (by its file name), or one of [`P_IS_LOGIN_PASSWORD`] with a `login`
/// word after it for `-p`. A log prefix before the command (`exec: mysql …`) does not hide
/// it.
fn password_flag_of(low: &[u8], k: usize, flag: u8) -> Option<Takes> {
    let mut login_tool = false;
    for name in segment_words(low, k) {
        if let Some(&(_, _, takes)) = PASSWORD_FLAGS
            .iter()
            .find(|(cmds, f, _)| *f == flag && cmds.contains(&name))
        {
            return Some(takes);
        }
        if P_IS_LOGIN_PASSWORD.contains(&name) {
            login_tool = true;
        } else if login_tool && name == b"login" && flag == b'p' {
            return Some(Takes::Both);
        }
    }
    None
}

/// A one-letter flag at `s` (the letter, after a `-` that starts a flag) is a password flag
/// of the command it belongs to: `mysql -phunter2`, `sshpass -p hunter2`, `docker login -p
/// hunter2`, `zip -P …`, `redis-cli -a …`, `ssh-keygen -N …`, `smbclient -U user%…` (red team,
/// rounds 6 and 7). The value is replaced; the end of what was matched, to go on from.
pub(crate) fn short_password_flag(
    dec: &[u8],
    low: &[u8],
    s: usize,
    spans: &mut Vec<Span>,
) -> Option<usize> {
    if s == 0 || low[s - 1] != b'-' || !matches!(dec.get(s), Some(b'p' | b'P' | b'a' | b'N' | b'U'))
    {
        return None;
    }
    let k = s - 1;
    if !(k == 0 || matches!(low[k - 1], b' ' | b'\t' | b'\'' | b'"' | b'[' | b',')) {
        return None;
    }
    let takes = password_flag_of(low, k, dec[s])?;
    let attached = low
        .get(s + 1)
        .is_some_and(|&c| !matches!(c, b' ' | b'\t' | b'"' | b'\''));
    if (attached && matches!(takes, Takes::Spaced | Takes::AfterPercent))
        || (!attached && takes == Takes::Attached && low.get(s + 1) != Some(&b'"'))
    {
        return None;
    }
    if takes == Takes::AfterPercent {
        let v = crate::bytes::skip_spaces(low, s + 1);
        let end = word_end(low, v);
        let pct = low[v..end].iter().position(|&c| c == b'%')?;
        return push_argument(low, v + pct + 1, end, spans);
    }
    let mysql = takes == Takes::Attached;
    let mut v = s + 1;
    // `["-p", "hunter2"]`: the flag is a quoted list item; the value is the next one.
    let listed = k > 0 && matches!(low[k - 1], b'"' | b'\'');
    let quote = |v: usize| match low.get(v) {
        Some(&q @ (b'"' | b'\'')) => Some(q),
        _ => None,
    };
    // `-p"hunter 2"`, `-p'…'`: the quoted value attached.
    if let Some(q) = quote(v).filter(|_| !listed) {
        let close = low[v + 1..low.len().min(v + 257)]
            .iter()
            .position(|&c| c == q)?;
        return push_argument(low, v + 1, v + 1 + close, spans);
    }
    match low.get(v) {
        // `-p hunter2`, `-p 'hunter 2'`, `"-p", "hunter2"`: the next argument.
        Some(b' ' | b'\t' | b'"' | b'\'') => {
            if listed {
                v += 1;
            }
            while matches!(low.get(v), Some(b' ' | b'\t' | b',')) {
                v += 1;
            }
            // `mysql -p dbname` prompts for the password: the next word is a database.
            if mysql {
                return None;
            }
            if let Some(q) = quote(v) {
                let close = low[v + 1..low.len().min(v + 257)]
                    .iter()
                    .position(|&c| c == q)?;
                return push_argument(low, v + 1, v + 1 + close, spans);
            }
        }
        Some(c) if !c.is_ascii_whitespace() => {}
        _ => return None,
    }
    let c = *low.get(v)?;
    if c == b'-' || !(c.is_ascii_alphanumeric() || b"!#$%&*+/?@^_~(".contains(&c)) {
        return None;
    }
    let end = word_end(low, v);
    push_argument(low, v, end, spans)
}

/// `echo hunter2 | sudo -S …`: the password a command pipes into `sudo -S` (`--stdin`)
/// (red team, round 6). `s..e` is the word `sudo`; the arguments of the `echo` or `printf`
/// before the pipe are replaced.
pub(crate) fn piped_to_sudo(dec: &[u8], low: &[u8], s: usize, e: usize, spans: &mut Vec<Span>) {
    let after = &dec[e..];
    let stdin = after.starts_with(b" -S") || after.starts_with(b" --stdin");
    if !stdin {
        return;
    }
    let mut p = s;
    while p > 0 && low[p - 1] == b' ' {
        p -= 1;
    }
    if p == 0 || low[p - 1] != b'|' || (p >= 2 && low[p - 2] == b'|') {
        return;
    }
    echoed_into(low, p - 1, spans);
}

/// `echo hunter2 | docker login --password-stdin`, `echo … | gh auth login --with-token`
/// (red team, round 7): `s..e` is the last word of a flag that reads a secret from standard
/// input; what `echo` or `printf` pipes into the command is replaced.
pub(crate) fn piped_to_stdin_flag(low: &[u8], s: usize, e: usize, spans: &mut Vec<Span>) {
    let flag_start = low[..s]
        .iter()
        .rposition(|&c| c == b' ' || c == b'\t')
        .map_or(0, |p| p + 1);
    if !matches!(
        &low[flag_start..e],
        b"--password-stdin" | b"--token-stdin" | b"--with-token" | b"--secret-stdin"
    ) {
        return;
    }
    let Some(pipe) = low[..flag_start].iter().rposition(|&c| c == b'|') else {
        return;
    };
    if pipe > 0 && low[pipe - 1] == b'|' {
        return;
    }
    // The pipe feeds this command: no `;`, `&` or other pipe between them.
    if low[pipe + 1..flag_start]
        .iter()
        .any(|&c| matches!(c, b';' | b'&' | b'|'))
    {
        return;
    }
    echoed_into(low, pipe, spans);
}

/// The arguments of the `echo` or `printf` whose output goes into the pipe at `pipe`.
fn echoed_into(low: &[u8], pipe: usize, spans: &mut Vec<Span>) {
    let seg_start = low[..pipe]
        .iter()
        .rposition(|&c| matches!(c, b'|' | b';' | b'&' | b'$' | b'(' | b'`'))
        .map_or(0, |q| q + 1);
    let seg = &low[seg_start..pipe];
    let lead = seg.iter().take_while(|c| c.is_ascii_whitespace()).count();
    let body = &seg[lead..];
    let cmd_len = if body.starts_with(b"echo ") {
        5
    } else if body.starts_with(b"printf ") {
        7
    } else {
        return;
    };
    let mut v = seg_start + lead + cmd_len;
    // `echo -n`, `echo -e`, `printf '%s\n'`: options and a format before the password.
    loop {
        while low.get(v) == Some(&b' ') {
            v += 1;
        }
        let w = skip_quoted(low, v, pipe);
        let word = &low[v..w];
        let format = cmd_len == 7 && word.contains(&b'%');
        if (word.len() == 2 && word[0] == b'-') || format {
            v = w;
            continue;
        }
        break;
    }
    let mut end = pipe;
    while end > v && low[end - 1] == b' ' {
        end -= 1;
    }
    if end > v && !crate::rules::only_markers(&low[v..end]) {
        spans.push(Span::new(v, end, Rule::ToldCredential, Repl::Redacted));
    }
}

/// Past a quoted word starting at `v` (or a plain word), at most to `limit`.
fn skip_quoted(low: &[u8], v: usize, limit: usize) -> usize {
    match low.get(v) {
        Some(&q @ (b'\'' | b'"')) => low[v + 1..limit]
            .iter()
            .position(|&c| c == q)
            .map_or(limit, |n| v + n + 2),
        _ => word_end(low, v).min(limit),
    }
}

/// The word `[s, e)` (lower case) ends a command-line flag that takes a credential
/// (`--password hunter2`, `--api-key moonriver`, `['--token', 'lighthouse']`,
/// `["--token","lighthouse"]`): the next argument is replaced. A flag starts with `-` after
/// the line's start, a space, a quote or a bracket; the argument follows after spaces, or
/// after the quote, comma and quote of a list. `--token=…` is the `key=value` rule's. The
/// end of the argument, to go on from.
#[inline(never)]
pub(crate) fn flag_at(low: &[u8], s: usize, e: usize, spans: &mut Vec<Span>) -> Option<usize> {
    // `curl -u user:password`, `--user user:password`: the password after the colon.
    let user = matches!(&low[s..e], b"u" | b"user");
    if !user && !FLAG_WORDS.contains(&&low[s..e]) {
        return None;
    }
    let mut k = s;
    while k > 0 && (low[k - 1].is_ascii_alphanumeric() || matches!(low[k - 1], b'-' | b'_')) {
        k -= 1;
    }
    let flag_start = low[k] == b'-'
        && (k == 0 || matches!(low[k - 1], b' ' | b'\t' | b'\'' | b'"' | b'[' | b'(' | b','));
    if !flag_start {
        return None;
    }
    let mut v = e;
    // `', '`, `","`, `\",\"`: the flag ends a quoted list item; the argument is the next one.
    let quote: Option<&[u8]> = [&b"\\\""[..], b"\"", b"'"]
        .into_iter()
        .find(|q| low[v..].starts_with(q));
    if let Some(q) = quote.filter(|_| !user) {
        v += q.len();
        if low.get(v) != Some(&b',') {
            return None;
        }
        v += 1;
        while low.get(v) == Some(&b' ') {
            v += 1;
        }
        if !low[v..].starts_with(q) {
            return None;
        }
        v += q.len();
        let close = if q == b"\\\"" { b'\\' } else { q[0] };
        let end = v + low[v..].iter().position(|&c| c == close)?;
        return push_argument(low, v, end, spans);
    }
    let spaces = low[v..].iter().take_while(|&&c| c == b' ').count();
    if spaces == 0 {
        return None;
    }
    v += spaces;
    if let Some((qs, qe)) = quoted(low, v) {
        if user {
            // A placeholder holds a `:` of its own (`<string:9>`): it is no `user:password`.
            if matches!(low.get(qs), Some(b'<' | b'[')) {
                return None;
            }
            let colon = low[qs..qe].iter().position(|&c| c == b':')?;
            return push_argument(low, qs + colon + 1, qe, spans);
        }
        return push_argument(low, qs, qe, spans);
    }
    let c = *low.get(v)?;
    if c == b'-' || !(c.is_ascii_alphanumeric() || b"!#$%&*+/?@^_~(".contains(&c)) {
        return None;
    }
    let end = word_end(low, v);
    if user {
        let colon = low[v..end].iter().position(|&c| c == b':')?;
        return push_argument(low, v + colon + 1, end, spans);
    }
    push_argument(low, v, end, spans)
}

/// Whether a word starting with `c` (lower case) may be a [`FLAG_WORDS`] word, `u`/`user`,
/// or a [`LABELS`] label: a test before the tables are looked at.
pub(crate) fn flag_or_label_start(c: u8) -> bool {
    matches!(
        c,
        b'p' | b't'
            | b's'
            | b'k'
            | b'a'
            | b'o'
            | b'c'
            | b'u'
            | b'l'
            | b'h'
            | b'r'
            | b'd'
            | b'm'
            | b'f'
            | b'g'
            | b'n'
            | b'w'
    )
}

/// What a label's value is, which says how far it goes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum LabelKind {
    /// An account's handle: one token (`user: jdoe`).
    Handle,
    /// A person's name: a token, and after a Capitalized one the Capitalized words, initials
    /// and name particles that follow (`Display Name = Jane Q. de Doe`).
    Person,
    /// A computer's name: a token, and the Capitalized words after it (`ComputerName: Jane
    /// Doe's MacBook Pro`).
    Machine,
    /// A Wi-Fi network's name: after `:`, the rest of the line (`SSID: casa garcia 5g`).
    Network,
}

/// Labels whose value is an account's, a person's or a machine's name (YAML, log prefixes,
/// struct dumps, tools' `Key : value` output), as their words joined, lower case: `user:
/// jdoe`, `owner:acme-corp`, `User Name: jdoe`, `User Id=jdoe;` (a connection string),
/// `login_name: jdoe`, `Display Name = Jane Doe`, `Host Name . . . : jdoe-pc` (ipconfig).
/// A number, a placeholder or a pseudonym stays.
const LABELS: &[(&[u8], LabelKind)] = &[
    (b"user", LabelKind::Handle),
    (b"username", LabelKind::Handle),
    (b"userid", LabelKind::Handle),
    (b"login", LabelKind::Handle),
    (b"loginname", LabelKind::Handle),
    (b"loginid", LabelKind::Handle),
    (b"logonname", LabelKind::Handle),
    (b"samaccountname", LabelKind::Handle),
    (b"owner", LabelKind::Handle),
    (b"account", LabelKind::Handle),
    (b"author", LabelKind::Handle),
    (b"org", LabelKind::Handle),
    (b"tenant", LabelKind::Handle),
    (b"handle", LabelKind::Handle),
    (b"screenname", LabelKind::Handle),
    // Found by the red team (round 3): the people an issue tracker names.
    (b"assignee", LabelKind::Handle),
    (b"reporter", LabelKind::Handle),
    (b"reviewer", LabelKind::Handle),
    (b"accountname", LabelKind::Person),
    (b"displayname", LabelKind::Person),
    (b"fullname", LabelKind::Person),
    (b"realname", LabelKind::Person),
    (b"nickname", LabelKind::Person),
    (b"ownername", LabelKind::Person),
    (b"authorname", LabelKind::Person),
    (b"firstname", LabelKind::Person),
    (b"lastname", LabelKind::Person),
    (b"givenname", LabelKind::Person),
    (b"familyname", LabelKind::Person),
    // A machine's name (`Static hostname: …` of hostnamectl; macOS's `scutil`, Windows'
    // `ipconfig /all` and Settings) and a Wi-Fi network's (it names a home or an office).
    (b"hostname", LabelKind::Machine),
    (b"localhostname", LabelKind::Machine),
    (b"computername", LabelKind::Machine),
    (b"machinename", LabelKind::Machine),
    (b"devicename", LabelKind::Machine),
    (b"ssid", LabelKind::Network),
    (b"wifi", LabelKind::Network),
];

/// Types a code's declaration names after a label-like variable (`user_name: str`).
const TYPE_WORDS: &[&[u8]] = &[
    b"str",
    b"string",
    b"int",
    b"integer",
    b"bool",
    b"boolean",
    b"number",
    b"float",
    b"uuid",
    b"any",
    b"object",
    b"option",
    b"optional",
    b"u32",
    b"u64",
    b"i32",
    b"i64",
    b"usize",
];

/// Name particles a person's name goes on over (`Jane de Doe`, `Ana van der Berg`).
const PARTICLES: &[&[u8]] = &[
    b"de", b"da", b"di", b"del", b"della", b"van", b"von", b"der", b"den", b"le", b"la", b"bin",
    b"al", b"el", b"du", b"dos", b"das", b"ter",
];

/// The label that the word `[s, e)` (lower case) ends: the word itself, or (when it is
/// `name` or `id`) it joined to the one or two words before it, written with a space, `_`
/// or `-` between them (`User Name`, `login_name`, `User logon name`). Its kind, where it
/// starts, and whether it is `name` alone, first on its line.
fn label_ending(low: &[u8], s: usize, e: usize) -> Option<(LabelKind, usize, bool)> {
    let word = &low[s..e];
    let boundary = |at: usize| {
        at == 0
            || !(low[at - 1].is_ascii_alphanumeric() || matches!(low[at - 1], b'.' | b'_' | b'-'))
    };
    let find = |w: &[u8]| LABELS.iter().find(|(l, _)| *l == w).map(|&(_, k)| k);
    if matches!(word, b"name" | b"id") {
        let mut joined = [0u8; 24];
        let mut len = word.len();
        joined[..len].copy_from_slice(word);
        let mut at = s;
        // At most two words before (`user logon name`), each of 3 to 8 letters, one `_`,
        // `-` or `.` (`User.Name`) or up to three spaces before each.
        for _ in 0..2 {
            let mut he = at;
            if he > 0 && matches!(low[he - 1], b'_' | b'-' | b'.') {
                he -= 1;
            } else {
                while he > 0 && low[he - 1] == b' ' && at - he < 3 {
                    he -= 1;
                }
            }
            if he == at || he < 3 {
                break;
            }
            let mut hs = he;
            while hs > 0 && low[hs - 1].is_ascii_alphabetic() && he - hs < 8 {
                hs -= 1;
            }
            let head = &low[hs..he];
            if head.len() < 3 || len + head.len() > joined.len() {
                break;
            }
            joined.copy_within(..len, head.len());
            joined[..head.len()].copy_from_slice(head);
            len += head.len();
            at = hs;
            if let Some(k) = find(&joined[..len]).filter(|_| boundary(at)) {
                return Some((k, at, false));
            }
        }
        // `name` alone, first on its line (git's `[user]` section: `name = Jane Doe`).
        return (word == b"name" && first_on_line(low, s)).then_some((LabelKind::Person, s, true));
    }
    // `Wi-Fi`, as Apple and Microsoft write it.
    if word == b"fi" && s >= 3 && &low[s - 3..s] == b"wi-" && boundary(s - 3) {
        return Some((LabelKind::Network, s - 3, false));
    }
    find(word).filter(|_| boundary(s)).map(|k| (k, s, false))
}

/// Whether only spaces and tabs stand between the line's start and `at` (read back over
/// them only: a line of many words costs nothing more).
fn first_on_line(low: &[u8], at: usize) -> bool {
    let mut i = at;
    while i > 0 && matches!(low[i - 1], b' ' | b'\t') {
        i -= 1;
    }
    i == 0 || low[i - 1] == b'\n'
}

/// The word `[s, e)` (lower case) ends a [`LABELS`] label and `:` or `=` follows (after
/// spaces, tabs or ipconfig's dots): its value is replaced, as far as its kind says. The end
/// of the value.
#[inline(never)]
pub(crate) fn label_at(
    dec: &[u8],
    low: &[u8],
    s: usize,
    e: usize,
    spans: &mut Vec<Span>,
) -> Option<usize> {
    let (kind, ls, bare) = label_ending(low, s, e)?;
    // `=` follows a label of more than one word, written apart or joined, not a handle's
    // one word (`tenant=common` of a query, `account = await getAccount()`), nor a key of
    // a query.
    let compound = ls < s
        || (kind != LabelKind::Handle && e - s > 4)
        || matches!(
            &low[s..e],
            b"username" | b"userid" | b"loginname" | b"loginid" | b"logonname" | b"samaccountname"
        );
    if ls > 0 && matches!(low[ls - 1], b'?' | b'&') {
        return None;
    }
    let mut sep = e;
    while matches!(low.get(sep), Some(b' ' | b'\t' | b'.')) && sep - e < 48 {
        sep += 1;
    }
    // A table of labels and values (Windows' `net user NAME`: `User name      jdoe`): a
    // label of two words first on its line, four spaces or more, a value.
    let table = ls < s
        && sep - e >= 4
        && low[e..sep].iter().all(|&c| c == b' ')
        && first_on_line(low, ls)
        && low.get(sep).is_some_and(|c| c.is_ascii_alphanumeric());
    // `:`, `:=`, `=` or a hash's `=>`; `equals`: an assignment; `wide`: its two bytes.
    let (equals, wide) = match low.get(sep) {
        _ if table => (false, false),
        // Not a URL (`user://`).
        Some(b':') if !low[sep..].starts_with(b"://") => {
            let assign = low.get(sep + 1) == Some(&b'=');
            (assign, assign)
        }
        // `=` after a label of more than one word only (`user = getUser()` is code).
        Some(b'=') if (compound || bare) && low.get(sep + 1) != Some(&b'=') => {
            (true, low.get(sep + 1) == Some(&b'>'))
        }
        _ => return None,
    };
    if bare && !equals {
        return None;
    }
    let mut v = if table {
        sep
    } else {
        sep + 1 + usize::from(wide)
    };
    while matches!(low.get(v), Some(b' ' | b'\t')) {
        v += 1;
    }
    let (v, end) = match quoted(low, v) {
        Some(q) => q,
        None => {
            let c = *low.get(v)?;
            if !(c.is_ascii_alphanumeric() || c == b'_') {
                return None;
            }
            let first = value_token_end(low, v);
            let end = match kind {
                LabelKind::Handle => first,
                // After `=` a value is one token (`hostname=box ok`), but a person's name.
                LabelKind::Machine | LabelKind::Network if equals => first,
                // A machine's name that is a host (`api.openai.com`) is one token.
                LabelKind::Machine if low[v..first].contains(&b'.') => first,
                LabelKind::Person | LabelKind::Machine if dec[v].is_ascii_uppercase() => {
                    capitalized_run_end(dec, low, first)
                }
                LabelKind::Person if !equals => lower_case_name_end(dec, low, first),
                LabelKind::Person | LabelKind::Machine => first,
                LabelKind::Network => line_rest_end(low, v),
            };
            (v, end)
        }
    };
    // (`hostname: localhost`, `hostname: 127.0.0.1` name no one.)
    let first = &low[v..value_token_end(low, v).min(end).max(v)];
    let loopback = first == b"localhost" || first.starts_with(b"127.") || first == b"0.0.0.0";
    let value = &low[v..end];
    let words = dec[v..end]
        .split(|&c| c == b' ')
        .filter(|w| w.first().is_some_and(u8::is_ascii_uppercase))
        .count();
    // Code: a call, a generic, an index, or a field path ending a statement after `=`
    // (`host_name = socket.gethostname()`, `let display_name = user.display_name;`), a type
    // after `:` (`user_name: str`).
    let after = low.get(end).copied();
    let code = matches!(low.get(value_token_end(low, v)), Some(b'(' | b'<' | b'['))
        || (equals && value.contains(&b'.') && after == Some(b';'))
        || TYPE_WORDS.contains(&value);
    if value.is_empty()
        || value.iter().all(u8::is_ascii_digit)
        || crate::pseudonym::looks_like_pseudonym(value)
        || crate::rules::only_markers(value)
        || STATES.contains(&value)
        || matches!(value, b"null" | b"none" | b"undefined" | b"nil")
        || loopback
        || code
        || (bare && words < 2)
    {
        return None;
    }
    spans.push(Span::new(v, end, Rule::PersonName, Repl::Redacted));
    Some(end)
}

/// The end of a label's value token from `from`: letters of any script (`Zoë`, `José`),
/// digits and `-_.'`, without a trailing `.` or `'`.
fn value_token_end(low: &[u8], from: usize) -> usize {
    let mut end = from;
    while end < low.len()
        && (low[end].is_ascii_alphanumeric()
            || low[end] >= 0x80
            || matches!(low[end], b'-' | b'_' | b'.' | b'\''))
    {
        end += 1;
    }
    while end > from && matches!(low[end - 1], b'.' | b'\'') {
        end -= 1;
    }
    end
}

/// After a Capitalized first word ending at `end`: the Capitalized words, initials (`Q.`)
/// and particles that follow, one or two spaces apart, up to a word that is the next label
/// (`Port:`). Where the name ends.
fn capitalized_run_end(dec: &[u8], low: &[u8], mut end: usize) -> usize {
    loop {
        let mut n = end + usize::from(dec.get(end) == Some(&b'.'));
        let gap = n;
        while dec.get(n) == Some(&b' ') && n - gap < 2 {
            n += 1;
        }
        let w_end = value_token_end(low, n);
        let w = &low[n..w_end];
        let capital = dec.get(n).is_some_and(u8::is_ascii_uppercase);
        if n == gap
            || w.is_empty()
            || !(capital || PARTICLES.contains(&w))
            || dec.get(w_end) == Some(&b':')
        {
            return end;
        }
        end = w_end;
    }
}

/// A name in lower case (`Full name: jane doe`) whose first word ends at `end`: up to two
/// more words of letters, when they end the line. Where the name ends.
fn lower_case_name_end(dec: &[u8], low: &[u8], end: usize) -> usize {
    let mut n = end;
    for _ in 0..2 {
        if dec.get(n) != Some(&b' ') || !dec.get(n + 1).is_some_and(u8::is_ascii_alphabetic) {
            break;
        }
        n = value_token_end(low, n + 1);
    }
    if n > end && matches!(dec.get(n), None | Some(b'\n' | b'\r')) {
        n
    } else {
        end
    }
}

/// A Wi-Fi network's name from `v`: the rest of the line, to a separator of fields, without
/// trailing blanks.
fn line_rest_end(low: &[u8], v: usize) -> usize {
    let mut end = v + low[v..]
        .iter()
        .position(|&c| matches!(c, b'\n' | b'\r' | b';' | b'"' | b'\\' | b','))
        .unwrap_or(low.len() - v);
    while end > v && matches!(low[end - 1], b' ' | b'\t') {
        end -= 1;
    }
    end
}

fn push_argument(low: &[u8], v: usize, e: usize, spans: &mut Vec<Span>) -> Option<usize> {
    if e <= v || crate::rules::only_markers(&low[v..e]) {
        return None;
    }
    spans.push(Span::new(v, e, Rule::ToldCredential, Repl::Redacted));
    Some(e)
}

fn capitalized_word_end(dec: &[u8], s: usize) -> Option<usize> {
    if !dec.get(s).is_some_and(u8::is_ascii_uppercase) {
        return None;
    }
    let mut e = s + 1;
    while e < dec.len() && dec[e].is_ascii_lowercase() {
        e += 1;
    }
    (e - s >= 2).then_some(e)
}

/// The house number `[s, e)` (digits at a word's start) may start a street address:
/// `42 Elm Street` → `[redacted]`. The end of the address, to go on from.
pub(crate) fn street_at(
    dec: &[u8],
    s: usize,
    digits_end: usize,
    spans: &mut Vec<Span>,
) -> Option<usize> {
    let mut e = digits_end;
    if e - s > 5 {
        return None;
    }
    // `221B`.
    if dec.get(e).is_some_and(u8::is_ascii_uppercase)
        && dec.get(e + 1).is_none_or(|c| !c.is_ascii_alphanumeric())
    {
        e += 1;
    }
    if dec.get(e) != Some(&b' ') || !dec.get(e + 1).is_some_and(u8::is_ascii_uppercase) {
        return None;
    }
    let mut at = e;
    let mut names = 0;
    while names <= 3 && dec.get(at) == Some(&b' ') {
        // The street type in any case (`Street`, `street`, `STREET`); the name Capitalized.
        let mut te = at + 1;
        while te < dec.len() && dec[te].is_ascii_alphabetic() {
            te += 1;
        }
        let t = &dec[at + 1..te];
        if names >= 1 && STREET_TYPES.iter().any(|x| x.eq_ignore_ascii_case(t)) {
            let we = te;
            if dec.get(we).is_some_and(u8::is_ascii_alphanumeric) {
                return None;
            }
            let end = we + usize::from(dec.get(we) == Some(&b'.'));
            spans.push(Span::new(s, end, Rule::StreetAddress, Repl::Redacted));
            return Some(end);
        }
        let we = capitalized_word_end(dec, at + 1)?;
        names += 1;
        at = we;
    }
    None
}

/// `password VALUE` alone on its line (`low[s..after]` is the word), as a `.netrc` written
/// over several lines has it: nothing but spaces before it on the line, one word after it
/// and nothing else up to the line's end, and that word is no state of a password.
fn netrc_password_line(low: &[u8], s: usize, after: usize) -> bool {
    let line_start = low[..s]
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |p| p + 1);
    if !low[line_start..s].iter().all(|c| matches!(c, b' ' | b'\t')) {
        return false;
    }
    let v = after + 1;
    let line_end = low[v..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(low.len(), |p| v + p);
    let value = low[v..line_end].trim_ascii_end();
    // (Not `password (required)`, `password: …`, `password changed.`.)
    let word = value
        .iter()
        .rposition(u8::is_ascii_alphanumeric)
        .map_or(&value[..0], |p| &value[..=p]);
    value.first().is_some_and(u8::is_ascii_alphanumeric)
        && !value.iter().any(|c| c.is_ascii_whitespace())
        && !PASSWORD_STATES.contains(&word)
}

/// What follows `password` on a log line of its own (`password changed`): no value.
const PASSWORD_STATES: &[&[u8]] = &[
    b"changed",
    b"required",
    b"reset",
    b"updated",
    b"expired",
    b"incorrect",
    b"invalid",
    b"accepted",
    b"rejected",
    b"mismatch",
    b"ok",
    b"set",
    b"missing",
    b"empty",
    b"wrong",
    b"successful",
    b"failed",
    b"saved",
    b"prompt",
    b"authentication",
    b"login",
    b"denied",
    b"unchanged",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_word_and_label_passes_the_first_letter_test() {
        for w in FLAG_WORDS
            .iter()
            .chain(LABELS.iter().map(|(l, _)| l))
            .chain(&[&b"u"[..]])
        {
            assert!(flag_or_label_start(w[0]), "{}", String::from_utf8_lossy(w));
        }
    }

    #[test]
    fn git_config_names_a_person_and_reads_its_own_output_the_same() {
        let found = |t: &str| {
            let low = t.to_ascii_lowercase();
            let e = low.find("config").map(|p| p + 6).unwrap_or(0);
            let mut spans = Vec::new();
            config_set(low.as_bytes(), e, &mut spans);
            spans
                .iter()
                .map(|s| (t[s.start..s.end].to_string(), s.rule))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            found("git config user.name mkowalski"),
            [("mkowalski".to_string(), Rule::PersonName)]
        );
        assert_eq!(
            found("git config --global user.name \"Marta Kowalski\""),
            [("Marta Kowalski".to_string(), Rule::PersonName)]
        );
        assert!(found("git config user.name [redacted]").is_empty());
        assert!(found("git config user.name $NAME").is_empty());
        assert!(found("git config --get user.name && echo ok").is_empty());
    }

    #[test]
    fn every_credential_name_starts_with_a_listed_first_word() {
        for (name, _) in CREDENTIALS {
            let first = name
                .split(|&c| matches!(c, b' ' | b'_' | b'-'))
                .next()
                .unwrap_or(name);
            assert!(first_word(first), "{}", String::from_utf8_lossy(name));
        }
    }
}
