//! Property tests of the redactor: embedded secrets of every shape never survive, the
//! redactor never panics and never grows a line without bound, and its output scans clean.

#![allow(clippy::unwrap_used)]

use codex_scrub::{KnownValues, Mode, Options, Pseudonymizer, Scrubber};
use proptest::prelude::*;

fn scrubber(known: KnownValues) -> Scrubber {
    Scrubber::new(
        &known,
        &Options {
            drop_bodies: true,
            home: Some("/home/prop".into()),
            user: Some("propuser".into()),
            keep_unvetted: false,
        },
        Pseudonymizer::with_key(&[4; 32]),
    )
}

fn plain() -> Scrubber {
    scrubber(KnownValues::default())
}

fn redact(s: &Scrubber, text: &str) -> String {
    s.redact_text(text, Mode::Lines).0
}

/// Text around a secret: anything printable, kept apart from it by a space.
fn around() -> impl Strategy<Value = (String, String)> {
    ("\\PC{0,40}", "\\PC{0,40}")
}

/// A mix of plain words and fragments that trigger detectors, to stress their interplay.
fn tricky() -> impl Strategy<Value = String> {
    let frag = prop_oneof![
        Just("\"access_token\":\"".to_string()),
        Just("\"body\": {".to_string()),
        Just("}".to_string()),
        Just("Bearer ".to_string()),
        Just("basic ".to_string()),
        Just("code=".to_string()),
        Just("?state=".to_string()),
        Just("&x=".to_string()),
        Just("@".to_string()),
        Just("%40".to_string()),
        Just("\\u0040".to_string()),
        Just("\\\"".to_string()),
        Just("|".to_string()),
        Just("eyJ".to_string()),
        Just("sk-".to_string()),
        Just("rt_".to_string()),
        Just("ses_".to_string()),
        Just("cookie: ".to_string()),
        Just("/home/prop".to_string()),
        Just("propuser".to_string()),
        Just("[redacted]".to_string()),
        Just("email_0123abcd".to_string()),
        "[A-Za-z0-9_.-]{1,40}",
        "[ -~]{0,12}",
    ];
    proptest::collection::vec(frag, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn jwts_never_survive(
        (pre, post) in around(),
        h in "[A-Za-z0-9_-]{10,40}", p in "[A-Za-z0-9_-]{10,60}", sig in "[A-Za-z0-9_-]{0,40}",
    ) {
        let jwt = format!("eyJ{h}.eyJ{p}.{sig}");
        let out = redact(&plain(), &format!("{pre} {jwt} {post}"));
        prop_assert!(!out.contains(&jwt), "{out}");
    }

    #[test]
    fn openai_keys_and_refresh_tokens_never_survive(
        (pre, post) in around(),
        body in "[A-Za-z0-9]{20,40}",
        kind in 0usize..4,
    ) {
        let tok = match kind {
            0 => format!("sk-{body}"),
            1 => format!("sk-proj-{body}"),
            2 => format!("rt_{body}"),
            _ => format!("sess-{body}"),
        };
        let out = redact(&plain(), &format!("{pre} {tok} {post}"));
        prop_assert!(!out.contains(&tok), "{out}");
    }

    #[test]
    fn bearer_and_basic_credentials_never_survive(
        (pre, post) in around(),
        cred in "[A-Za-z0-9._-]{7,30}[0-9]",
        b64 in "[A-Za-z0-9+/]{7,30}[0-9]",
        upper in any::<bool>(),
    ) {
        let (b, ba) = if upper { ("BEARER", "BASIC") } else { ("Bearer", "Basic") };
        let out = redact(&plain(), &format!("{pre} {b} {cred} {post} {ba} {b64}"));
        prop_assert!(!out.contains(&cred), "{out}");
        prop_assert!(!out.contains(&b64), "{out}");
    }

    #[test]
    fn emails_never_survive_in_any_encoding(
        (pre, post) in around(),
        local in "[a-z][a-z0-9.+]{0,10}[a-z0-9]",
        domain in "[a-z]{2,10}\\.(com|org|io|co\\.uk)",
        form in 0usize..4,
    ) {
        let email = format!("{local}@{domain}");
        let shown = match form {
            0 => email.clone(),
            1 => email.to_uppercase(),
            2 => email.replace('@', "%40"),
            _ => email.replace('@', "\\u0040"),
        };
        let out = redact(&plain(), &format!("{pre} {shown} {post}"));
        prop_assert!(!out.to_lowercase().contains(&email), "{out}");
        prop_assert!(!out.contains(&shown), "{out}");
    }

    #[test]
    fn keyed_values_never_survive(
        (pre, post) in around(),
        value in "[A-Za-z0-9]{6,30}",
        key in prop::sample::select(vec!["access_token", "refresh_token", "id_token", "code_verifier", "client_secret", "api_key", "x-api-key", "cookie"]),
        form in 0usize..4,
    ) {
        let text = match form {
            0 => format!("{{\"{key}\":\"{value}\"}}"),
            1 => format!("{{\"meta\":\"{{\\\"{key}\\\":\\\"{value}\\\"}}\"}}"),
            2 => format!("{pre} {key}={value}&next=1"),
            _ => format!("{pre} https://x.test/cb?{key}={value}"),
        };
        let out = redact(&plain(), &format!("{text} {post}"));
        prop_assert!(!out.contains(&value), "{text} -> {out}");
    }

    #[test]
    fn known_values_never_survive_in_any_encoding(
        (pre, post) in around(),
        token in "[A-Za-z0-9_/+]{8,40}",
        form in 0usize..5,
    ) {
        let s = scrubber(KnownValues { tokens: vec![token.clone()], ..KnownValues::default() });
        let shown = match form {
            0 => token.clone(),
            1 => token.to_uppercase(),
            2 => token.replace('/', "%2F").replace('+', "%2B"),
            3 => token.replace('/', "\\/"),
            _ => {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD.encode(format!("x{token}yz"))
            }
        };
        let out = redact(&s, &format!("{pre} {shown} {post}"));
        prop_assert!(!out.contains(&shown), "{out}");
    }

    #[test]
    fn never_panics_and_growth_is_bounded(text in "\\PC{0,300}") {
        let s = plain();
        for line in text.split('\n') {
            let out = redact(&s, line);
            prop_assert!(out.len() <= 3 * line.len() + 64, "{line:?} -> {out:?}");
        }
    }

    #[test]
    fn bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let s = plain();
        let mut f = s.file(Mode::Document);
        let mut out = Vec::new();
        for line in bytes.split(|&b| b == b'\n') {
            f.redact_line(line, true, &mut out);
        }
        f.finish(&mut out);
        prop_assert!(out.len() <= 3 * bytes.len() + 64 * (bytes.len() + 1));
    }

    #[test]
    fn redacted_output_scans_clean(text in tricky()) {
        let s = plain();
        let out = redact(&s, &text);
        let findings = s.scan_text(&out, Mode::Lines);
        prop_assert!(findings.is_empty(), "{text:?} -> {out:?} still has {findings:?}");
        prop_assert!(out.len() <= 3 * text.len() + 64);
    }

    #[test]
    fn redacted_bytes_scan_clean(text in "[ -~\n]{0,200}") {
        let s = plain();
        let out = redact(&s, &text);
        let findings = s.scan_text(&out, Mode::Lines);
        prop_assert!(findings.is_empty(), "{text:?} -> {out:?} still has {findings:?}");
    }
}

/// Prose fragments that trigger the prose detectors, with quotes and backslashes around.
fn prose() -> impl Strategy<Value = String> {
    let frag = prop_oneof![
        Just("my password is ".to_string()),
        Just("API key: ".to_string()),
        Just("passphrase is ".to_string()),
        Just("42 Elm Street".to_string()),
        Just("221B Baker St.".to_string()),
        Just("Jane Doe".to_string()),
        Just("jane.doe".to_string()),
        Just("jane-mbp.local".to_string()),
        Just("Janes-MacBook-Pro".to_string()),
        Just("https://github.com/jdoe/x".to_string()),
        Just("git+https://jdoe:s3cret@github.com/a/b".to_string()),
        Just("http://u:p@proxy.local:3128".to_string()),
        Just("name: Jane".to_string()),
        Just("+1 415 555 0134".to_string()),
        Just("\"".to_string()),
        Just("\\".to_string()),
        Just("\n".to_string()),
        Just(" ".to_string()),
        Just("\u{e9}".to_string()),
        // Written as `\u201c` / `\u00e9` escapes in the JSON text (see the test).
        Just("\u{201c}".to_string()),
        Just("Ren\u{e9}e-MacBook-Pro".to_string()),
        Just("\u{201c}Jane Doe\u{201d}".to_string()),
        Just("password is \"hunter 2\"".to_string()),
        "[A-Za-z0-9 .:=/-]{0,16}",
    ];
    proptest::collection::vec(frag, 0..16).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A JSON line stays a JSON line: no replacement eats an escape or a quote.
    #[test]
    fn json_lines_stay_json(
        values in proptest::collection::vec(prose(), 1..4),
        keys in proptest::collection::vec(prop_oneof![
            Just("message"), Just("summary"), Just("detail"), Just("note"), Just("x")
        ], 1..4),
    ) {
        let s = plain();
        let obj: serde_json::Map<String, serde_json::Value> = keys
            .iter()
            .zip(values.iter())
            .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.clone())))
            .collect();
        // A line the engine cannot settle is omitted whole (fail closed): that marker is
        // the one output allowed not to parse.
        let omitted = |out: &str| out.contains(codex_scrub::engine::UNREDACTABLE);
        // Non-ASCII as `\uXXXX` escapes too, as Python's json.dumps writes it.
        let escaped = |t: String| t.replace('\u{201c}', "\\u201c").replace('\u{201d}', "\\u201d").replace('\u{e9}', "\\u00e9");
        let line = escaped(serde_json::to_string(&obj).unwrap());
        let out = redact(&s, &line);
        prop_assert!(
            omitted(&out) || serde_json::from_str::<serde_json::Value>(&out).is_ok(),
            "{line} -> {out}"
        );
        let pretty = escaped(serde_json::to_string_pretty(&obj).unwrap());
        let out = s.redact_text(&pretty, Mode::Document).0;
        prop_assert!(
            omitted(&out) || serde_json::from_str::<serde_json::Value>(&out).is_ok(),
            "{pretty} -> {out}"
        );
    }
}

/// The known values the fuzz target (`fuzz/fuzz_targets/redact.rs`) uses.
fn fuzz_scrubber() -> Scrubber {
    scrubber(KnownValues {
        tokens: vec!["rt_fuzz_known_refresh_0123".into()],
        emails: vec!["fuzz.user@example.com".into()],
        account_ids: vec!["acc_fuzz_42".into()],
        identity_keys: vec!["acc_fuzz_42|fuzz.user@example.com|plus".into()],
        session_ids: vec!["ses_fuzzsession0123456".into()],
        aliases: vec![],
    })
}

/// The fuzz target's property: `data` redacted line by line scans clean.
#[track_caller]
fn assert_redacts_clean(s: &Scrubber, data: &[u8]) {
    let mut f = s.file(Mode::Lines);
    let mut out = Vec::new();
    for line in data.split(|&b| b == b'\n') {
        f.redact_line(line, true, &mut out);
    }
    f.finish(&mut out);
    let mut check = s.file(Mode::Lines);
    let mut findings = Vec::new();
    for (i, line) in out.split(|&b| b == b'\n').enumerate() {
        check.scan_line(line, i as u64 + 1, &mut findings);
    }
    assert!(
        findings.is_empty(),
        "{:?} -> {:?}: {findings:?}",
        String::from_utf8_lossy(data),
        String::from_utf8_lossy(&out)
    );
}

/// Found by `cargo fuzz` (fuzz/artifacts): a `key=value` pair whose key holds an email.
#[test]
fn fuzz_regression_email_inside_a_form_key() {
    let s = fuzz_scrubber();
    for input in [
        "[rsDd@u.nz=a",
        "rsDd@u.nz=a",
        "x rsDd@u.nz=abc&y=1",
        "%D@5w.nDD@5.nz~>zz@z_",
    ] {
        assert_redacts_clean(&s, input.as_bytes());
    }
}

/// Found by `cargo fuzz`: non-UTF-8 bytes next to an email and a `key=value` pair.
#[test]
fn fuzz_regression_bytes() {
    let s = plain();
    let inputs: [&[u8]; 3] = [
        b"fu\x00\x00\x06.propuser-vseCCCCCC0CCCCCCCCCCCCCCCCCCCznzdnxCCCC_=",
        b".T@f.Dxzzu.nu=\xa0\xa0\xa0/ses)0D@",
        b"1u@f.LDz_=\xff\xff\\\x19\xf5\xff_u_\\u",
    ];
    for input in inputs {
        assert_redacts_clean(&s, input);
    }
}

/// Found by `cargo fuzz` after about 1.1 M runs: a binary line with repeated header-like
/// fragments (`…auth-…':[…`) that surface one per pass, kept as a file because it is not
/// text.
#[test]
fn fuzz_regression_binary_header_fragments() {
    assert_redacts_clean(
        &fuzz_scrubber(),
        include_bytes!("fuzz-regressions/binary-header-fragments.bin"),
    );
}

/// Found by `cargo fuzz`: a cookie value that merely starts like a marker (`[omitted…`)
/// with an email inside it, and a replacement that re-tokenises a quoted key next to it.
#[test]
fn fuzz_regression_value_that_only_starts_like_a_marker() {
    let s = fuzz_scrubber();
    assert_redacts_clean(
        &s,
        include_bytes!("fuzz-regressions/marker-prefix-cookie.bin"),
    );
    assert_redacts_clean(&s, include_bytes!("fuzz-regressions/cookie-brackets.bin"));
    assert_redacts_clean(
        &s,
        include_bytes!("fuzz-regressions/cookie-after-email-key.bin"),
    );
    // A secret behind a fake marker prefix is still redacted.
    // (Lowercase letters only: no shape rule would catch them, only the cookie rule.)
    for line in [
        "cookie: [omittedsessionvaluehere",
        "cookie: [redacted]sessionvaluehere",
        "cookie: [redacted]; other=sessionvaluehere",
        "Cookie: [omitted: request body]=sessionvaluehere",
    ] {
        let out = redact(&s, line);
        assert!(!out.contains("sessionvaluehere"), "{line:?} -> {out:?}");
    }
}
