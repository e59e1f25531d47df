//! Property test of the private-by-default model: random secrets and identities of shapes no
//! detector lists, planted in randomly generated lines of many log formats (JSON lines,
//! pretty JSON, key=value, headers, URLs, stack traces, prose, CSV), never survive redaction
//! in any 10-character window, and the redacted output scans clean.

#![allow(clippy::unwrap_used)]

use codex_scrub::{KnownValues, Mode, Options, Pseudonymizer, Scrubber};
use proptest::prelude::*;

fn scrubber() -> Scrubber {
    Scrubber::new(
        &KnownValues::default(),
        &Options {
            drop_bodies: true,
            home: Some("/home/prop".into()),
            user: Some("propuser".into()),
            keep_unvetted: false,
        },
        Pseudonymizer::with_key(&[9; 32]),
    )
}

/// A secret of no listed shape: mixed case and digits, or an id-like run.
fn secret() -> impl Strategy<Value = String> {
    prop_oneof![
        ("[A-Z][a-z]{2,5}", "[0-9]{2,4}", "[A-Za-z0-9]{6,14}")
            .prop_map(|(a, d, b)| format!("{a}{d}{b}")),
        ("[a-f0-9]{12,32}").prop_map(|h| format!("{h}9a")),
        ("[a-z]{3,6}", "[0-9]{6,9}").prop_map(|(a, d)| format!("{a}_{d}x{d}")),
        ("[A-Z0-9]{14,24}").prop_map(|s| format!("K{s}7")),
    ]
}

/// An identity: an email, an IPv4 address outside loopback, or an IPv6 address.
fn identity() -> impl Strategy<Value = String> {
    prop_oneof![
        (
            "[a-z]{3,8}",
            "[a-z]{3,8}",
            "[a-z]{3,8}",
            prop_oneof![Just("com"), Just("org"), Just("io")]
        )
            .prop_map(|(a, b, d, t)| format!("{a}.{b}@{d}.{t}")),
        (11u8..=126, 0u8..=255, 0u8..=255, 1u8..=254)
            .prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}")),
        ("[0-9a-f]{4}", "[0-9a-f]{1,4}", "[0-9a-f]{1,4}")
            .prop_map(|(a, b, c)| format!("2001:db8:{a}::{b}:{c}")),
    ]
}

/// Keys nobody listed as secret.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("ref"),
        Just("handle"),
        Just("owner"),
        Just("blob"),
        Just("workspaceRef"),
        Just("tenant"),
        Just("fingerprint"),
        Just("x_custom"),
        Just("value"),
        Just("data"),
    ]
    .prop_map(str::to_string)
}

/// One line (or a few, for pretty JSON) of a random format holding `v`.
fn line_with(v: String) -> impl Strategy<Value = String> {
    let v2 = v.clone();
    let v3 = v.clone();
    let v4 = v.clone();
    let v5 = v.clone();
    let v6 = v.clone();
    let v7 = v.clone();
    let v8 = v.clone();
    prop_oneof![
        (key(), 100u16..600).prop_map(move |(k, st)| format!(
            "{{\"event\":\"fetch_attempt_response\",\"{k}\":\"{v}\",\"status\":{st}}}"
        )),
        key().prop_map(move |k| format!("{{\n  \"model\": \"gpt-5\",\n  \"{k}\": \"{v2}\"\n}}")),
        key().prop_map(move |k| format!("ts=2025-01-01T00:00:00Z level=warn {k}={v3} retry=2")),
        "[A-Z][a-z]{2,8}".prop_map(move |h| format!("X-{h}-Ref: {v4}")),
        "[a-z]{3,8}"
            .prop_map(move |p| format!("GET https://api.example.com/{p}/{v5}?cursor={v5} 200")),
        "[a-z]{3,8}".prop_map(move |f| format!("    at {f} (/srv/app/{v6}/lib/x.js:10:4)")),
        "[a-z]{3,8} [a-z]{3,8}".prop_map(move |w| format!("the {w} was {v7} today")),
        Just(format!("2025-01-01,{v8},ok")),
    ]
}

fn survives(out: &str, secret: &str) -> Option<String> {
    let low = out.to_lowercase();
    let s: Vec<char> = secret.to_lowercase().chars().collect();
    if s.len() < 10 {
        let whole: String = s.iter().collect();
        return low.contains(&whole).then_some(whole);
    }
    s.windows(10)
        .map(|w| w.iter().collect::<String>())
        .find(|w| low.contains(w))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(384))]

    #[test]
    fn planted_secrets_never_survive(
        (s, text) in secret().prop_flat_map(|s| (Just(s.clone()), line_with(s)))
    ) {
        let scrubber = scrubber();
        let out = scrubber.redact_text(&format!("{text}\n"), Mode::Lines).0;
        prop_assert!(survives(&out, &s).is_none(), "{s} survived in {out}");
        prop_assert!(scrubber.scan_text(&out, Mode::Lines).is_empty(), "{out}");
    }

    #[test]
    fn planted_identities_never_survive(
        (s, text) in identity().prop_flat_map(|s| (Just(s.clone()), line_with(s)))
    ) {
        let scrubber = scrubber();
        let out = scrubber.redact_text(&format!("{text}\n"), Mode::Lines).0;
        prop_assert!(survives(&out, &s).is_none(), "{s} survived in {out}");
        prop_assert!(scrubber.scan_text(&out, Mode::Lines).is_empty(), "{out}");
    }

    #[test]
    fn pretty_documents_keep_no_planted_value(
        (s, text) in secret().prop_flat_map(|s| (Just(s.clone()), line_with(s)))
    ) {
        let scrubber = scrubber();
        let out = scrubber.redact_text(&format!("{text}\n"), Mode::Document).0;
        prop_assert!(survives(&out, &s).is_none(), "{s} survived in {out}");
    }
}
