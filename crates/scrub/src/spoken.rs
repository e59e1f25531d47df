//! Credentials and addresses written as prose, which the gate keeps because every word in
//! them is ordinary:
//!
//! - a credential told in a sentence: `my password is sunshine`, `the PIN was 4821`,
//!   `passphrase: correct horse battery staple`, `api key is …`, `recovery phrase is …`.
//!   After the credential word and `is`, `was`, `:`, `=` or `->`, one token is replaced
//!   (the phrase words: everything up to the end of the clause, at most 24 words);
//! - a street address: a house number, one to three Capitalized words and a street type
//!   (`42 Elm Street`, `221B Baker St.`, `1600 Pennsylvania Avenue`).
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
    (b"one-time code", false),
    (b"passphrase", true),
    (b"pass phrase", true),
    (b"seed phrase", true),
    (b"recovery phrase", true),
    (b"mnemonic", true),
    (b"secret phrase", true),
];

/// What joins the credential word to its value.
const JOINERS: &[&[u8]] = &[
    b" is ", b" was ", b": ", b":", b" = ", b"=", b" -> ", b" is: ",
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

fn word_end(low: &[u8], s: usize) -> usize {
    let mut e = s;
    // A backslash starts an escape in JSON-escaped text (`\"` ends the string): never part
    // of the value.
    while e < low.len()
        && !matches!(
            low[e],
            b' ' | b'\t' | b',' | b';' | b'"' | b'\'' | b')' | b']' | b'}' | b'>' | b'\\'
        )
    {
        e += 1;
    }
    // A sentence's full stop is not part of the value.
    while e > s && matches!(low[e - 1], b'.' | b'!' | b'?') {
        e -= 1;
    }
    e
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
    if !matches!(
        &low[s..e],
        b"password"
            | b"passwd"
            | b"pwd"
            | b"pin"
            | b"passcode"
            | b"secret"
            | b"api"
            | b"apikey"
            | b"access"
            | b"token"
            | b"otp"
            | b"verification"
            | b"security"
            | b"one"
            | b"passphrase"
            | b"pass"
            | b"seed"
            | b"recovery"
            | b"mnemonic"
    ) {
        return None;
    }
    let &(word, phrase) = CREDENTIALS
        .iter()
        .filter(|(w, _)| low[s..].starts_with(w))
        .max_by_key(|(w, _)| w.len())?;
    let after = s + word.len();
    let joiner = JOINERS.iter().find(|j| low[after..].starts_with(j))?;
    let v = after + joiner.len();
    // A value, not the start of a JSON string or an empty field (JSON and `key=value` have
    // their own rules).
    if !low.get(v).is_some_and(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let mut e = word_end(low, v);
    if !phrase && STATES.contains(&&low[v..e]) {
        return None;
    }
    if phrase {
        let mut words = 1;
        while words < 24 && low.get(e) == Some(&b' ') {
            let next = word_end(low, e + 1);
            if next == e + 1 || !low[e + 1].is_ascii_alphabetic() {
                break;
            }
            e = next;
            words += 1;
        }
    }
    (e > v).then(|| {
        spans.push(Span::new(v, e, Rule::ToldCredential, Repl::Redacted));
        e
    })
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
        let we = capitalized_word_end(dec, at + 1)?;
        let w = &dec[at + 1..we];
        if names >= 1 && STREET_TYPES.iter().any(|t| t.eq_ignore_ascii_case(w)) {
            if dec.get(we).is_some_and(u8::is_ascii_alphanumeric) {
                return None;
            }
            let end = we + usize::from(dec.get(we) == Some(&b'.'));
            spans.push(Span::new(s, end, Rule::StreetAddress, Repl::Redacted));
            return Some(end);
        }
        names += 1;
        at = we;
    }
    None
}
