//! Personal data written as prose, which the allowlist gate keeps word by word (digits in
//! short groups, Capitalized words): obfuscated emails, phone numbers, SSNs, card numbers and
//! names after cue words never survive, in a log line, a JSON message or a `key=value`; the
//! timestamps, ports, counts, statuses, durations and versions beside them stay.

#![allow(clippy::unwrap_used)]

use codex_scrub::{KnownValues, Mode, Options, Pseudonymizer, Scrubber};

fn scrubber() -> Scrubber {
    Scrubber::new(
        &KnownValues::default(),
        &Options {
            drop_bodies: true,
            home: Some("/home/prose".into()),
            user: Some("proseuser".into()),
            keep_unvetted: false,
        },
        Pseudonymizer::with_key(&[5; 32]),
    )
}

/// `(planted text, what must not survive in any spacing)`.
const SHAPES: &[(&str, &[&str])] = &[
    ("jane dot doe at gmail dot com", &["jane", "gmail"]),
    ("jane(at)example(dot)com", &["jane"]),
    ("jane [at] example [dot] com", &["jane"]),
    ("jane [at] example.com", &["jane"]),
    ("Jane.Doe AT Example DOT org", &["jane"]),
    ("+1 415 555 0134", &["4155550134"]),
    ("(415) 555-0134", &["4155550134"]),
    ("+44 20 7946 0958", &["2079460958"]),
    ("415-555-0134", &["4155550134"]),
    ("078-05-1120", &["078051120"]),
    ("4111 1111 1111 1111", &["4111111111111111"]),
    ("4111-1111-1111-1111", &["4111111111111111"]),
    ("5555555555554444", &["5555555555554444"]),
    ("name: Jane Doe", &["jane", "doe"]),
    ("Hi Jane,", &["jane"]),
    ("from Jane Doe", &["jane", "doe"]),
    ("user Jane Doe", &["jane", "doe"]),
    // Red-team escapes: a full-width or small commercial at, a workspace's name.
    ("jane.doe\u{ff20}example.com", &["jane"]),
    ("jane.doe\u{fe6b}example.com", &["jane"]),
    ("workspace Acmecorpinternal", &["acmecorpinternal"]),
    ("organization: Acmecorpinternal", &["acmecorpinternal"]),
    // A user folder whose name has a space.
    ("/Users/Jane Doe/Library/x.log", &["jane", "doe"]),
    ("/mnt/c/Users/Bob Jones/AppData", &["bob", "jones"]),
    ("/home/jane doe/.config", &["jane", "doe"]),
];

/// The line formats a shape is planted in.
fn lines(shape: &str) -> Vec<String> {
    let json = shape.replace('"', "\\\"");
    vec![
        format!("2025-01-01T00:00:05.123Z INFO retry 3 of 5: {shape} (status 429, 1500ms)"),
        format!(
            "{{\"ts\":\"2025-01-01T00:00:05.123Z\",\"level\":\"warn\",\"message\":\"contact {json} please\",\"status\":401}}"
        ),
        format!("{{\"details\":[\"see {json}\",\"ok\"]}}"),
        format!("level=info msg=\"{json}\" port=1455"),
        format!("{shape}"),
    ]
}

/// The text with everything but letters and digits removed, lower case.
fn squeezed(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[test]
fn personal_data_in_prose_never_survives() {
    let s = scrubber();
    let mut failures = Vec::new();
    for (shape, canaries) in SHAPES {
        for line in lines(shape) {
            let out = s.redact_text(&line, Mode::Lines).0;
            let flat = squeezed(&out);
            for c in *canaries {
                if flat.contains(c) {
                    failures.push(format!("{shape:?} in {line:?} -> {out:?}"));
                }
            }
            // What survives scans clean.
            let found = s.scan_text(&out, Mode::Lines);
            if !found.is_empty() {
                failures.push(format!("{out:?} still matches: {found:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn what_a_maintainer_needs_stays() {
    let s = scrubber();
    for line in [
        "2025-01-01T00:00:05.123Z INFO fetch_attempt_response status 429 after 1500 ms (attempt 2 of 3)",
        "{\"ts\":1735689600000,\"status\":200,\"port\":1455,\"pid\":24694,\"durationMs\":367.7,\"version\":\"1.2.3\"}",
        "listening on 127.0.0.1:1455 since 2025-01-01 10:30:15 with 200 429 401 5000 counts",
        "retry at 10:00 for rate limit; failed at step 3. Response from Cloudflare",
        "error at Module.require (node:internal/modules/cjs/loader:1148:19)",
        "model gpt-5.1-codex took 12.5s, 4096 tokens, 2 retries, exit code 137",
        "Too Many Requests from the server; Hello World; user Agent",
    ] {
        let (out, counts) = s.redact_text(line, Mode::Lines);
        assert_eq!(out, line, "{:?}", counts.nonzero().collect::<Vec<_>>());
    }
}

#[test]
fn a_card_number_standing_as_a_json_value_keeps_the_line_json() {
    let s = scrubber();
    let out = s
        .redact_text("{\"card\":4111111111111111,\"n\":1}", Mode::Lines)
        .0;
    assert_eq!(out, "{\"card\":\"[redacted]\",\"n\":1}");
}
