//! The gate's fast paths (shape recognition, the pass cache, the memo of JSON strings, the
//! key table, structure between strings) against the plain
//! gate ([`codex_scrub::gate::with_plain_gate`]): redaction and scanning give the same bytes,
//! counts and findings on the bench corpus and on generated lines.

#![allow(clippy::unwrap_used)]

#[path = "../benches/corpus.rs"]
mod corpus;

use codex_scrub::gate::with_plain_gate;
use codex_scrub::{redact_stream, Counts, Finding, LineReader, Mode, Scrubber};
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
