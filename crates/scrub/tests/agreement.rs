//! The gate's fast paths (shape recognition, the pass cache, the memo of JSON strings, the
//! key table, structure between strings) against the plain
//! gate ([`codex_scrub::gate::with_plain_gate`]): redaction and scanning give the same bytes,
//! counts and findings on the bench corpus and on generated lines.

#![allow(clippy::unwrap_used)]

#[path = "../benches/corpus.rs"]
mod corpus;

use codex_scrub::gate::with_plain_gate;
use codex_scrub::{
    redact_parallel_certified, redact_stream, Certified, Counts, Finding, LineReader, Mode,
    Scrubber,
};
use proptest::prelude::*;

fn redact(s: &Scrubber, data: &[u8], mode: Mode) -> (Vec<u8>, Counts) {
    let mut fs = s.file(mode);
    let mut reader = LineReader::new(data);
    let mut out = Vec::new();
    redact_stream(&mut fs, &mut reader, &mut out, None, &mut |_| {}).unwrap();
    (out, fs.counts().clone())
}

fn scan(s: &Scrubber, data: &[u8]) -> Vec<Finding> {
    let mut fs = s.file(Mode::Lines);
    let mut found = Vec::new();
    for (i, line) in data.split(|&b| b == b'\n').enumerate() {
        fs.scan_line(line, i as u64 + 1, &mut found);
    }
    found
}

fn assert_agree(s: &Scrubber, data: &[u8]) {
    for mode in [Mode::Lines, Mode::Document] {
        let fast = redact(s, data, mode);
        let plain = with_plain_gate(|| redact(s, data, mode));
        assert!(
            fast == plain,
            "redaction differs ({mode:?}):\nfast:  {}\nplain: {}",
            String::from_utf8_lossy(&fast.0),
            String::from_utf8_lossy(&plain.0)
        );
    }
    let fast = scan(s, data);
    let plain = with_plain_gate(|| scan(s, data));
    assert_eq!(fast, plain);
}

#[test]
fn fast_and_plain_gate_agree_on_the_bench_corpus() {
    let s = corpus::scrubber();
    let data = corpus::corpus(256 << 10);
    assert_agree(&s, &data);
    // And on its redacted output (what the self-scan reads).
    let (out, _) = redact(&s, &data, Mode::Lines);
    assert_agree(&s, &out);
    assert!(scan(&s, &out).is_empty());
}

/// Pieces of plugin log lines, with the shapes the fast paths recognise and their near misses.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,16}",
        "-?[0-9]{1,15}(\\.[0-9]{1,4}){0,4}",
        "[0-9.:\\-]{1,24}",
        "[0-9]{1,3}(\\.[0-9]{1,3}){3}(:[0-9]{1,5})?",
        "[0-9a-f:]{1,12}",
        "20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,5})?Z?",
        "[0-9TZ:.\\-]{1,30}",
        "(email|acct|ident|sess|pck|attempt|name|user)_[0-9a-fA-Z]{7,9}",
        "[a-z]{1,12}",
        "[A-Za-z0-9_\\-]{1,24}",
        "[ -~]{0,20}",
        "(fetch_attempt_response|sha256|message|model|status|errorCode|requestId|x_code|MESSAGE)",
        Just("https://chatgpt.com/backend-api/codex/responses".to_string()),
        Just("/home/someone/.config/opencode".to_string()),
        Just("0000000000000000001".to_string()),
        "[0-9a-f]{64}",
    ]
}

fn json_line() -> impl Strategy<Value = String> {
    proptest::collection::vec((fragment(), fragment(), 0..4u8), 1..8).prop_map(|kvs| {
        let body: Vec<String> = kvs
            .into_iter()
            .map(|(k, v, how)| {
                let k = k.replace(['"', '\\'], "");
                let v = v.replace(['"', '\\'], "");
                match how {
                    0 => format!("\"{k}\":\"{v}\""),
                    1 => format!("\"{k}\":{v}"),
                    2 => format!("\"{k}\":[\"{v}\",\"{k}\"]"),
                    _ => format!("\"{k}\":\"{v} {k}\""),
                }
            })
            .collect();
        format!("{{{}}}", body.join(","))
    })
}

fn text_line() -> impl Strategy<Value = String> {
    proptest::collection::vec((fragment(), "[ =:/,]"), 1..10).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(f, sep)| format!("{f}{sep}"))
            .collect::<String>()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn fast_and_plain_gate_agree_on_generated_lines(
        lines in proptest::collection::vec(prop_oneof![json_line(), text_line()], 1..6)
    ) {
        static S: std::sync::OnceLock<Scrubber> = std::sync::OnceLock::new();
        let s = S.get_or_init(corpus::scrubber);
        let text = lines.join("\n");
        // Twice: the second run reads with the pass cache filled by the first.
        assert_agree(s, text.as_bytes());
        assert_agree(s, text.as_bytes());
    }
}

/// Redacts `data` as the bundle does, keeping proofs; returns the output and the proofs.
fn redact_certified(s: &Scrubber, data: &[u8]) -> (Vec<u8>, Certified) {
    let mut certified = Certified::new(s);
    let mut out = Vec::new();
    redact_parallel_certified(
        s,
        Mode::Lines,
        data,
        &mut out,
        None,
        2,
        &mut certified,
        &mut |_| {},
    )
    .unwrap();
    (out, certified)
}

/// Every line a redaction proves clean scans clean with the self-scan's scrubber (bodies
/// kept, another key), and scanning with the proofs finds exactly what scanning without
/// them finds. Returns how many lines were proven.
fn assert_proofs_hold(redactor: &Scrubber, checker: &Scrubber, data: &[u8]) -> usize {
    let (out, certified) = redact_certified(redactor, data);
    let proofs = certified
        .for_checker(checker)
        .expect("the checker reads as the redactor");
    let mut proven = 0;
    for line in out.split(|&b| b == b'\n') {
        // A closed record passes redaction and self-scan alike without the detectors: it
        // needs no proof, and must scan clean as well.
        if proofs.contains(line) || codex_scrub::closed::closed_record(line) {
            proven += 1;
            let text = String::from_utf8_lossy(line);
            assert_eq!(checker.scan_text(&text, Mode::Lines), vec![], "{text}");
        }
    }
    // The output with unproven lines mixed in: the same findings either way.
    let mut mixed = out.clone();
    mixed.extend_from_slice(data);
    let scan_with = |proven: Option<&Certified>| {
        let mut fs = checker.file(Mode::Lines);
        let mut found = Vec::new();
        for (i, line) in mixed.split(|&b| b == b'\n').enumerate() {
            fs.scan_piece_proven(line, true, i as u64 + 1, &mut found, proven);
        }
        found
    };
    assert_eq!(scan_with(Some(proofs)), scan_with(None));
    proven
}

#[test]
fn lines_proven_clean_scan_clean() {
    let redactor = corpus::scrubber();
    let checker = corpus::scrubber_with(false, 1);
    let mut data = corpus::corpus(256 << 10);
    for extra in [
        r#"{"body":"[omitted: request body]","status":200}"#,
        r#"{"body":{"input":"my prompt"},"status":200}"#,
        r#"{"body":"please fix my code","at":"x"}"#,
        r#"{"x":"a:b","body":"[redacted]"}"#,
        "  \"details\": [",
        "    \"Alice Smith\",",
        "  ],",
        "plain words only here",
    ] {
        data.extend_from_slice(extra.as_bytes());
        data.push(b'\n');
    }
    let lines = data.split(|&b| b == b'\n').count();
    let proven = assert_proofs_hold(&redactor, &checker, &data);
    // Most lines of the log are proven on the way or closed records (those the detectors
    // changed with replacements that cannot change their neighbours are not).
    assert!(proven * 3 > lines, "{proven} of {lines}");
}

#[test]
fn proofs_do_not_hold_for_a_checker_that_reads_differently() {
    let bodies_kept = corpus::scrubber_with(false, 9);
    let bodies_dropped = corpus::scrubber_with(true, 9);
    // Dropping bodies flags more: the proofs of a redactor that keeps them do not hold for
    // a checker that drops them; the other way round they do.
    assert!(Certified::new(&bodies_kept)
        .for_checker(&bodies_dropped)
        .is_none());
    assert!(Certified::new(&bodies_dropped)
        .for_checker(&bodies_kept)
        .is_some());
    let other_known = Scrubber::new(
        &codex_scrub::KnownValues::default(),
        &codex_scrub::Options::default(),
        codex_scrub::Pseudonymizer::with_key(&[9; 32]),
    );
    assert!(Certified::new(&bodies_dropped)
        .for_checker(&other_known)
        .is_none());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn generated_lines_proven_clean_scan_clean(
        lines in proptest::collection::vec(prop_oneof![json_line(), text_line()], 1..8)
    ) {
        static S: std::sync::OnceLock<(Scrubber, Scrubber)> = std::sync::OnceLock::new();
        let (redactor, checker) =
            S.get_or_init(|| (corpus::scrubber(), corpus::scrubber_with(false, 1)));
        assert_proofs_hold(redactor, checker, lines.join("\n").as_bytes());
    }
}
