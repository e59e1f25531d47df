//! One pass over a line's words for the detectors that start at a word: full names
//! ([`crate::given_names`]), credentials told in prose and street addresses
//! ([`crate::spoken`]), private hosts ([`crate::hosts`]) and code-host owners
//! ([`crate::code_hosts`]), and credentials in a URL after its scheme ([`crate::urls`]). Each word (a run of ASCII letters, or of digits, that starts a
//! word: not inside an identifier, not the letter of a `\n`-style escape) is looked at once,
//! and a detector runs only where its first word can start a match, so together they cost
//! about one scan of the line.

use crate::rules::Rule;
use crate::span::{past_escape, starts_word, Repl, Span};

/// Byte classes: 1 a letter, 2 a digit, 0 anything else.
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = if b.is_ascii_alphabetic() {
            1
        } else if b.is_ascii_digit() {
            2
        } else {
            0
        };
        c += 1;
    }
    t
};

/// The bytes after a run of letters at which some detector may start (see
/// [`word_detectors`]): a separator after a given name or a credential's name, a host's
/// `-` or `.`, `:` before an account label, a digit after an IBAN's country, `(` of
/// `apikey(…)`, `[` of journald's `sudo[1234]:`.
static AFTER_LETTERS: crate::bytes::ByteSet =
    crate::bytes::ByteSet::new(false, false, b" \t.-_:=(0123456789[");

/// Runs the word-triggered detectors over a line (`dec` as written, `low` its lower case).
/// Every detector needs a particular byte around its first word (a separator after a given
/// name or a credential's name, a `.` or `-` before a host suffix or a device mark, a space
/// after a house number), so most words are passed over after two byte tests.
pub(crate) fn word_detectors(dec: &[u8], low: &[u8], spans: &mut Vec<Span>) {
    let n = dec.len();
    let mut i = 0;
    while i < n {
        let class = CLASS[usize::from(dec[i])];
        if class == 0 {
            i += 1;
            continue;
        }
        let run_start = i;
        i = if class == 1 {
            crate::bytes::letters_end(dec, i)
        } else {
            crate::bytes::digits_end(dec, i)
        };
        let e = i;
        // A run that starts inside an escape (`n` of `\nJane`, `u`, `201c` of `\u201cJane`)
        // starts its word after it.
        let next = if e < n { dec[e] } else { b'\n' };
        // A scheme (`https://`, `s3://`, `postgresql+psycopg2://`): user information after it.
        if next == b':' && dec[e..].starts_with(b"://") {
            crate::urls::userinfo_at(dec, e + 3, spans);
            continue;
        }
        // Most words (a JSON key before its `"`, a word before `,`) start nothing: every
        // detector below needs one of these bytes after the word, or (letters) `.` or `-`
        // before it. A word that starts after an escape has a letter or digit before it, so
        // the byte before the run decides.
        let before_run = if run_start > 0 {
            dec[run_start - 1]
        } else {
            b' '
        };
        let may_start = if class == 2 {
            next == b' ' || next.is_ascii_uppercase()
        } else {
            AFTER_LETTERS.has(next) || matches!(before_run, b'.' | b'-')
        };
        if !may_start {
            continue;
        }
        let s = past_escape(dec, run_start);
        if s >= e || !starts_word(dec, s) {
            continue;
        }
        let prev = if s > 0 { dec[s - 1] } else { b' ' };
        // `-rw------- 1 jdoe staff …`, `drwxr-xr-x …`, `lrwxrwxrwx …` (`ls -l`), eza's
        // `.rw-r--r-- …`.
        let mode_start = (matches!(prev, b'-' | b'.') && low[s] == b'r')
            || (matches!(low[s], b'd' | b'l' | b'c' | b'b' | b'p' | b's')
                && matches!(low.get(s + 1), Some(b'r' | b'-')));
        if class == 1 && mode_start {
            let m = if matches!(prev, b'-' | b'.') {
                s - 1
            } else {
                s
            };
            if let Some(end) = crate::system_output::ls_long_at(low, m, spans) {
                i = end;
                continue;
            }
        }
        if class == 2 {
            // A house number: a space or a capital (`221B`) after it.
            if (next == b' ' || next.is_ascii_uppercase()) && e - s <= 5 {
                if let Some(end) = crate::spoken::street_at(dec, s, e, spans) {
                    i = end;
                }
            }
            continue;
        }
        let len = e - s;
        // What each detector needs around its first word, tested before anything is called.
        let given = matches!(next, b' ' | b'.' | b'-' | b'_')
            && (3..=12).contains(&len)
            && dec.get(e + 1).is_some_and(u8::is_ascii_alphabetic);
        let credential = (matches!(next, b' ' | b':' | b'=' | b'(') && (3..=12).contains(&len))
            || (matches!(next, b'_' | b'-')
                && matches!(len, 4 | 5)
                && matches!(&low[s..e], b"date" | b"birth"));
        let host = matches!(prev, b'.' | b'-') || next == b'-';
        let code_host = next == b'.' && (6..=17).contains(&len);
        if given {
            if let Some(end) = crate::given_names::at_word(dec, s, e, spans) {
                i = end;
                continue;
            }
        }
        if credential {
            // `uid=1000(jdoe) gid=…` (`id`).
            if next == b'=' && len == 3 && &low[s..e] == b"uid" {
                if let Some(end) = crate::system_output::id_output(low, s, spans) {
                    i = end;
                    continue;
                }
            }
            if let Some(end) = crate::spoken::credential_at(low, s, e, spans) {
                // A credential's name that ends a flag (`--otp is …`) is read as the flag
                // too: once the told value is replaced, a scan reads it as one (found by the
                // fuzz target).
                if prev == b'-' {
                    let told = spans.len();
                    let _ = rare_starts(dec, low, s, e, prev, next, spans);
                    // The same value found as both is one match.
                    let (before, added) = spans.split_at(told);
                    let fresh: Vec<Span> = added
                        .iter()
                        .filter(|a| !before.iter().any(|b| b.start == a.start && b.end == a.end))
                        .copied()
                        .collect();
                    spans.truncate(told);
                    spans.extend(fresh);
                }
                i = end;
                continue;
            }
            if next == b' ' && matches!(len, 3 | 4) && matches!(&low[s..e], b"for" | b"user") {
                if let Some(end) = crate::logins::auth_log_user(low, s, e, spans) {
                    i = end;
                    continue;
                }
            }
            if next == b' ' {
                // `workspace "Acme Zq"`, `for user 'jdoe42'`; `Logged in to github.com
                // account octocat`.
                if matches!(dec.get(e + 1), Some(b'"' | b'\'' | b'\\' | 0xE2)) {
                    crate::personal::quoted_name(dec, low, e, spans);
                } else if len == 7 && &low[s..e] == b"account" {
                    crate::personal::handle_after_as(dec, low, e, spans);
                } else if matches!(
                    (low[s], len),
                    (b't', 4 | 6) | (b'h', 8) | (b'w', 9) | (b'o', 12) | (b'u', 4)
                ) && dec.get(e + 1).is_some_and(u8::is_ascii_alphanumeric)
                {
                    // `hostname`, `team`, `tenant`, `workspace`, `organization`, `user`.
                    crate::personal::token_after_cue(dec, low, s, e, spans);
                } else if matches!(len, 3 | 4 | 6 | 9)
                    && matches!(
                        &low[s..e],
                        b"config" | b"configure" | b"setx" | b"setenv" | b"env"
                    )
                {
                    if let Some(end) = crate::spoken::config_set(low, e, spans) {
                        i = end;
                        continue;
                    }
                } else if len == 8 && &low[s..e] == b"htpasswd" {
                    if let Some(end) = crate::spoken::htpasswd_batch(low, e, spans) {
                        i = end;
                        continue;
                    }
                } else if (4..=7).contains(&len) && crate::logins::is_user_command(&low[s..e]) {
                    if let Some(end) = crate::logins::user_command(dec, low, s, e, spans) {
                        i = end;
                        continue;
                    }
                } else if len == 5 && matches!(&low[s..e], b"login" | b"chown") {
                    let found = if low[s] == b'l' {
                        crate::logins::netrc_login(low, s, e, spans)
                    } else {
                        crate::logins::chown_owner(low, s, e, spans)
                    };
                    if let Some(end) = found {
                        i = end;
                        continue;
                    }
                } else if len == 4 && &low[s..e] == b"sudo" {
                    crate::spoken::piped_to_sudo(dec, low, s, e, spans);
                } else if (len == 8 || len == 7) && e >= 8 && low[e - 8..e] == *b"onedrive" {
                    // (7: `\OneDrive` of a Windows path reads as an escape and `neDrive`.)
                    onedrive_org(low, e, spans);
                }
            }
        }
        // Rarer starts behind one test: two letters (an IBAN's country, `pw`), a word after
        // `-` (the end of a flag), a word before `:` (an account label), `sudo[`.
        if len == 2
            || prev == b'-'
            || next == b':'
            || (next == b'[' && len == 4)
            || (matches!(next, b' ' | b'\t' | b'=' | b'.')
                && (2..=14).contains(&len)
                && label_spacing(dec, e))
            || (len == 1 && (next == b'=' || (next == b' ' && dec.get(e + 1) == Some(&b'='))))
        {
            if let Some(end) = rare_starts(dec, low, s, e, prev, next, spans) {
                i = end;
                continue;
            }
        }
        if host {
            if let Some(end) = crate::hosts::at_word(low, s, e, spans) {
                i = i.max(end);
                continue;
            }
        }
        if code_host {
            crate::code_hosts::at_word(low, s, e, spans);
        }
    }
}

/// Whether what follows a word at `e` may separate a label from its value: `=`, or spaces,
/// tabs or dots before one (`user_name = …`, `SSID     : …`, `Host Name . . . : …`), or
/// one space before `=` or `:`.
fn label_spacing(dec: &[u8], e: usize) -> bool {
    match dec.get(e) {
        Some(b'=') => true,
        Some(b' ' | b'\t' | b'.') => {
            matches!(dec.get(e + 1), Some(b' ' | b'\t' | b'.' | b':' | b'='))
        }
        _ => false,
    }
}

/// The detectors that start at a two-letter word, at a word after `-` or at a word before
/// `:` (see [`word_detectors`]): an IBAN (`DE89 3704 …`), the credential name `pw`, the end
/// of a credential flag (`--password …`), an account label (`user: …`), a handle after
/// `as`, a part of an X.500 name (`CN=…`, also the one-letter `O=`) and a fine-tuned
/// model's owner (`ft:…`). The end of what was matched.
#[inline(never)]
fn rare_starts(
    dec: &[u8],
    low: &[u8],
    s: usize,
    e: usize,
    prev: u8,
    next: u8,
    spans: &mut Vec<Span>,
) -> Option<usize> {
    let len = e - s;
    if len == 2 && next.is_ascii_digit() && dec[s].is_ascii_uppercase() {
        if let Some(end) = crate::personal::iban_at(dec, s) {
            spans.push(Span::new(s, end, Rule::Iban, Repl::Redacted));
            return Some(end);
        }
    }
    // `connected to Wi-Fi "Doe Home"` (round 11): the quoted network's name.
    if len == 2 && next == b' ' && &low[s..e] == b"fi" {
        crate::personal::quoted_name(dec, low, e, spans);
    }
    if len == 2 && matches!(next, b' ' | b':' | b'=') && &low[s..e] == b"pw" {
        if let Some(end) = crate::spoken::credential_at(low, s, e, spans) {
            return Some(end);
        }
    }
    // `Logged in as jdoe42`; `CN=Jane Doe`, `/O=Acme Inc/`.
    if len == 2 && matches!(next, b' ' | b':') && &low[s..e] == b"as" {
        crate::personal::handle_after_as(dec, low, e, spans);
    }
    if len <= 2 && (next == b'=' || (next == b' ' && dec.get(e + 1) == Some(&b'='))) {
        crate::personal::dn_value(dec, low, e, spans);
    }
    if len == 2 && next == b' ' && &low[s..e] == b"su" {
        if let Some(end) = crate::logins::user_command(dec, low, s, e, spans) {
            return Some(end);
        }
    }
    if next == b':' && matches!(&low[s..e], b"uid" | b"gid") {
        if let Some(end) = crate::system_output::stat_owner(low, s, spans) {
            return Some(end);
        }
    }
    if matches!(next, b':' | b'[') && &low[s..e] == b"sudo" {
        if let Some(end) = crate::system_output::sudo_log(low, s, spans) {
            return Some(end);
        }
    }
    if len == 2 && next == b':' && &low[s..e] == b"ft" {
        if let Some(end) = fine_tuned_at(low, e + 1, spans) {
            return Some(end);
        }
    }
    let start = crate::spoken::flag_or_label_start(low[s]);
    if matches!(next, b':' | b'=' | b' ' | b'\t' | b'.')
        && (matches!(len, 2 | 4) || (start && (3..=14).contains(&len)))
    {
        if let Some(end) = crate::spoken::label_at(dec, low, s, e, spans) {
            return Some(end);
        }
    }
    if prev == b'-' && len >= 5 && matches!(&low[s..e], b"stdin" | b"token") {
        crate::spoken::piped_to_stdin_flag(low, s, e, spans);
    }
    if prev == b'-' && matches!(dec[s], b'l' | b'u' | b'U') {
        if let Some(end) = crate::logins::short_user_flag(dec, low, s, spans) {
            return Some(end);
        }
    }
    if prev == b'-' && next == b' ' && matches!(len, 8 | 14) {
        if let Some(end) = crate::logins::powershell_user_flag(low, s, e, spans) {
            return Some(end);
        }
    }
    if prev == b'-' && next == b' ' && matches!(low[s], b'u' | b'l' | b'n') {
        if let Some(end) = crate::logins::long_user_flag(low, s, e, spans) {
            return Some(end);
        }
    }
    if prev == b'-' && matches!(dec[s], b'p' | b'P' | b'a' | b'N' | b'U') {
        if let Some(end) = crate::spoken::short_password_flag(dec, low, s, spans) {
            return Some(end);
        }
    }
    if start && prev == b'-' && matches!(next, b' ' | b'\'' | b'"' | b'\\') {
        return crate::spoken::flag_at(low, s, e, spans);
    }
    None
}

/// `OneDrive - Acme Corp`, the folder Windows names after the organisation of a work
/// account (`C:\Users\jdoe\OneDrive - Acme Corp\Documents`): the organisation, to the next
/// folder separator, is replaced (found by the red team, round 3: the gate reads the words
/// one at a time and keeps them).
fn onedrive_org(low: &[u8], e: usize, spans: &mut Vec<Span>) {
    if !low[e..].starts_with(b" - ") {
        return;
    }
    let s = e + 3;
    let len = low[s..]
        .iter()
        .take(64)
        .take_while(|&&c| !matches!(c, b'/' | b'\\' | b'"' | b'\'' | b'\n' | b'\r'))
        .count();
    let end = s + len
        - low[s..s + len]
            .iter()
            .rev()
            .take_while(|&&c| c == b' ')
            .count();
    if end > s && !crate::rules::only_markers(&low[s..end]) {
        spans.push(Span::new(s, end, Rule::PersonName, Repl::Redacted));
    }
}

/// A fine-tuned model's id after its `ft:` (`ft:gpt-4o-mini-2024-07-18:acme-corp:support:9abcDEF1`):
/// the base model stays; the organisation, the suffix its owner chose and the job's id
/// after it are replaced (found by the red team, round 3: the organisation is an identity
/// and each part alone is an ordinary word). The end of what was replaced.
fn fine_tuned_at(low: &[u8], base: usize, spans: &mut Vec<Span>) -> Option<usize> {
    let slug = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_');
    let base_len = low.get(base..)?.iter().take_while(|&&c| slug(c)).count();
    let rest = base + base_len + 1;
    if base_len == 0 || low.get(rest - 1) != Some(&b':') {
        return None;
    }
    let end = rest
        + low[rest..]
            .iter()
            .take_while(|&&c| slug(c) || c == b':')
            .count();
    let value = &low[rest..end];
    if value.is_empty() || value.iter().all(|&c| c == b':') || crate::rules::only_markers(value) {
        return None;
    }
    spans.push(Span::new(rest, end, Rule::PersonName, Repl::Redacted));
    Some(end)
}

/// What the word detectors find in `text` under `rule`, as text (for the detectors' tests).
#[cfg(test)]
pub(crate) fn found(text: &str, rule: crate::rules::Rule) -> Vec<String> {
    let low = text.to_ascii_lowercase();
    let mut spans = Vec::new();
    word_detectors(text.as_bytes(), low.as_bytes(), &mut spans);
    spans
        .iter()
        .filter(|s| s.rule == rule)
        .map(|s| text[s.start..s.end].to_string())
        .collect()
}
