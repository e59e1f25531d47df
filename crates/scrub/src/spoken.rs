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
use crate::span::{escaped_at, starts_word, Repl, Span};

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

/// `the password is sunshine` → the value (see the module docs).
pub(crate) fn told_credentials(low: &[u8], spans: &mut Vec<Span>) {
    for &(word, phrase) in CREDENTIALS {
        for p in memchr::memmem::find_iter(low, word) {
            let bounded_before = starts_word(low, p);
            let after = p + word.len();
            if !bounded_before {
                continue;
            }
            let Some(joiner) = JOINERS.iter().find(|j| low[after..].starts_with(j)) else {
                continue;
            };
            let s = after + joiner.len();
            // A value, not the start of a JSON string or an empty field (JSON and
            // `key=value` have their own rules).
            if !low.get(s).is_some_and(|c| c.is_ascii_alphanumeric()) {
                continue;
            }
            let mut e = word_end(low, s);
            if !phrase && STATES.contains(&&low[s..e]) {
                continue;
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
            if e > s {
                spans.push(Span::new(s, e, Rule::ToldCredential, Repl::Redacted));
            }
        }
    }
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

/// `42 Elm Street` → `[redacted]`.
pub(crate) fn street_addresses(dec: &[u8], spans: &mut Vec<Span>) {
    let mut i = 0;
    while i < dec.len() {
        if !dec[i].is_ascii_digit() || !starts_word(dec, i) || escaped_at(dec, i) {
            i += 1;
            continue;
        }
        let s = i;
        let mut e = s;
        while e < dec.len() && dec[e].is_ascii_digit() {
            e += 1;
        }
        i = e;
        if e - s > 5 {
            continue;
        }
        // `221B`.
        if dec.get(e).is_some_and(u8::is_ascii_uppercase)
            && dec.get(e + 1).is_none_or(|c| !c.is_ascii_alphanumeric())
        {
            e += 1;
        }
        let mut at = e;
        let mut names = 0;
        let mut end = None;
        while names <= 3 && dec.get(at) == Some(&b' ') {
            let Some(we) = capitalized_word_end(dec, at + 1) else {
                break;
            };
            let w = dec[at + 1..we].to_ascii_lowercase();
            if names >= 1 && STREET_TYPES.contains(&w.as_slice()) {
                let stop = dec.get(we).is_none_or(|c| !c.is_ascii_alphanumeric());
                if stop {
                    end = Some(we + usize::from(dec.get(we) == Some(&b'.')));
                }
                break;
            }
            names += 1;
            at = we;
        }
        if let Some(end) = end {
            spans.push(Span::new(s, end, Rule::StreetAddress, Repl::Redacted));
            i = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn told(text: &str) -> Vec<String> {
        let low = text.to_ascii_lowercase();
        let mut spans = Vec::new();
        told_credentials(low.as_bytes(), &mut spans);
        spans
            .iter()
            .map(|s| text[s.start..s.end].to_string())
            .collect()
    }

    fn streets(text: &str) -> Vec<String> {
        let mut spans = Vec::new();
        street_addresses(text.as_bytes(), &mut spans);
        spans
            .iter()
            .map(|s| text[s.start..s.end].to_string())
            .collect()
    }

    #[test]
    fn credentials_told_in_prose_are_found() {
        assert_eq!(
            told("note: my password is sunshine for the vpn"),
            ["sunshine"]
        );
        assert_eq!(told("The PIN was 4821."), ["4821"]);
        assert_eq!(told("api key: hello-world-42"), ["hello-world-42"]);
        assert_eq!(
            told("the passphrase is correct horse battery staple, keep it"),
            ["correct horse battery staple"]
        );
        assert_eq!(
            told("Recovery phrase: abandon ability able"),
            ["abandon ability able"]
        );
    }

    #[test]
    fn ordinary_mentions_stay() {
        for text in [
            "password reset required",
            "the token is expired",
            "Password was incorrect.",
            "access token is not valid",
            "tokenizer is ready",
            "spin is 3",
            "\"password\":\"x\"",
            "password=",
        ] {
            let got = told(text);
            assert!(got.is_empty(), "{text}: {got:?}");
        }
    }

    #[test]
    fn street_addresses_are_found() {
        assert_eq!(
            streets("ship to 42 Elm Street, Springfield"),
            ["42 Elm Street"]
        );
        assert_eq!(streets("221B Baker St. London"), ["221B Baker St."]);
        assert_eq!(streets(r#""to:\n42 Elm Street""#), ["42 Elm Street"]);
        assert_eq!(
            streets("at 1600 Pennsylvania Avenue NW"),
            ["1600 Pennsylvania Avenue"]
        );
        for text in [
            "retry 3 Times Street",
            "took 250 ms",
            "HTTP 429 Too Many Requests",
            "v2 Way",
            "2026 Road",
        ] {
            let got = streets(text);
            if text == "retry 3 Times Street" {
                assert_eq!(got, ["3 Times Street"], "shape alone decides");
            } else if text == "2026 Road" {
                assert!(got.is_empty(), "a street type needs a name before it");
            } else {
                assert!(got.is_empty(), "{text}: {got:?}");
            }
        }
    }
}
