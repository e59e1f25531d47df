//! Redaction and scanning on several threads against one thread: the same bytes, counts,
//! outcome and findings, on the bench corpus and on files made to stress the chunking (open
//! pretty-printed arrays across a cut, lines longer than a chunk or without any newline, a
//! missing last newline, byte budgets that run out anywhere).

#![allow(clippy::unwrap_used)]

#[path = "../benches/corpus.rs"]
mod corpus;

use codex_scrub::parallel::{redact_parallel_sized, scan_parallel_sized, Sizes};
use codex_scrub::{redact_stream, scan_stream, Counts, Finding, LineReader, Mode, Scrubber};
use proptest::prelude::*;

fn serial(s: &Scrubber, data: &[u8], max: Option<u64>) -> (Vec<u8>, Counts, (u64, u64, bool)) {
    let mut fs = s.file(Mode::Lines);
    let mut out = Vec::new();
    let o = redact_stream(
        &mut fs,
        &mut LineReader::new(data),
        &mut out,
        max,
        &mut |_| {},
    )
    .unwrap();
    (
        out,
        fs.counts().clone(),
        (o.bytes_in, o.bytes_out, o.truncated),
    )
}

fn parallel(
    s: &Scrubber,
    data: &[u8],
    max: Option<u64>,
    threads: usize,
    sizes: Sizes,
) -> (Vec<u8>, Counts, (u64, u64, bool)) {
    let mut out = Vec::new();
    let mut seen = 0;
    let (o, counts) = redact_parallel_sized(
        s,
        Mode::Lines,
        data,
        &mut out,
        max,
        threads,
        sizes,
        &mut |n| seen += n,
    )
    .unwrap();
    (out, counts, (o.bytes_in, o.bytes_out, o.truncated))
}

fn scan_serial(s: &Scrubber, data: &[u8]) -> Vec<Finding> {
    let mut fs = s.file(Mode::Lines);
    let mut found = Vec::new();
    scan_stream(&mut fs, &mut LineReader::new(data), &mut |f| found.push(f)).unwrap();
    found
}

fn scan_par(s: &Scrubber, data: &[u8], threads: usize, sizes: Sizes) -> Vec<Finding> {
    let mut found = Vec::new();
    scan_parallel_sized(
        s,
        Mode::Lines,
        data,
        threads,
        sizes,
        &|fs, piece, newline, line, out| fs[0].scan_piece(piece, newline, line, out),
        &mut |f| found.push(f),
    )
    .unwrap();
    found
}

fn assert_agree(s: &Scrubber, data: &[u8], sizes: Sizes) {
    for threads in [2, 3] {
        for max in [None, Some(0), Some(1000), Some(data.len() as u64 / 3)] {
            let want = serial(s, data, max);
            let got = parallel(s, data, max, threads, sizes);
            assert!(
                want == got,
                "threads {threads}, max {max:?}, {sizes:?}: {:?} vs {:?}\nserial:   {}\nparallel: {}",
                want.2,
                got.2,
                String::from_utf8_lossy(&want.0),
                String::from_utf8_lossy(&got.0)
            );
        }
        assert_eq!(scan_serial(s, data), scan_par(s, data, threads, sizes));
    }
}

fn small() -> Sizes {
    Sizes {
        chunk: 512,
        max: 4096,
    }
}

#[test]
fn the_bench_corpus_reads_the_same_on_several_threads() {
    let s = corpus::scrubber();
    let data = corpus::corpus(2 << 20);
    assert_agree(
        &s,
        &data,
        Sizes {
            chunk: 64 << 10,
            max: 1 << 20,
        },
    );
    assert_agree(&s, &data[..100_000], small());
}

/// Lines of the shapes that carry state or stress the cut.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("{\"event\":\"x\",\"status\":429,\"email\":\"a.b@example.com\"}".to_string()),
        Just("  \"details\": [".to_string()),
        Just("    \"free text words here\",".to_string()),
        Just("    \"Qz07Kv8Rw3Xp7LmT\"".to_string()),
        Just("  ],".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("\"name\": \"Zorvel\",".to_string()),
        Just("retry 3 of 5: call +1 415 555 0134 from Jane Doe".to_string()),
        Just("Authorization: Bearer abcdefgh12345678".to_string()),
        Just("client_secret: |".to_string()),
        Just("api_keys:".to_string()),
        Just("  marmot lantern".to_string()),
        Just("- velvet-words".to_string()),
        Just("$ echo $GITHUB_TOKEN".to_string()),
        Just(String::new()),
        "[ -~]{0,60}",
        (1usize..3).prop_map(|k| "word ".repeat(k * 700)),
        (1usize..3).prop_map(|k| format!("{{\"msg\":\"{}\"}}", "ab ".repeat(k * 900))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn generated_files_read_the_same_on_several_threads(
        lines in proptest::collection::vec(line(), 1..60),
        last_newline in any::<bool>(),
    ) {
        static S: std::sync::OnceLock<Scrubber> = std::sync::OnceLock::new();
        let s = S.get_or_init(corpus::scrubber);
        let mut text = lines.join("\n");
        if last_newline {
            text.push('\n');
        }
        assert_agree(s, text.as_bytes(), small());
    }
}

#[test]
fn empty_and_one_chunk_files_read_the_same() {
    let s = corpus::scrubber();
    for text in ["", "\n", "one line", "{\"a\":[\n\"x y\"\n"] {
        assert_agree(&s, text.as_bytes(), Sizes::default());
    }
}

#[test]
fn a_file_without_newlines_longer_than_a_chunk_reads_the_same() {
    let s = corpus::scrubber();
    let mut text = "{\"a\":[\n\"x y\",\n".to_string();
    text.push_str(&"token Qz07Kv8Rw3Xp7LmT ".repeat(2000));
    assert_agree(&s, text.as_bytes(), small());
}

/// Red team, round 4: a YAML value under a credential's name goes on below its key's line,
/// so no chunk starts inside it (an indented, blank or `-` line is not fresh), wherever the
/// cut falls; the value's lines go on one thread and on several.
#[test]
fn a_yaml_block_across_a_cut_reads_the_same() {
    let s = corpus::scrubber();
    for pad in 0..6 {
        let mut data = corpus::corpus(4096);
        data.extend_from_slice("x\n".repeat(pad).as_bytes());
        data.extend_from_slice(b"client_secret: |\n  marmot-lantern\n\n  velvet-words\n");
        data.extend_from_slice(b"api_keys:\n- marmot-lantern\n- velvet-words\nlevel: info\n");
        data.extend_from_slice(&corpus::corpus(4096));
        assert_agree(&s, &data, small());
        let (out, ..) = parallel(&s, &data, None, 3, small());
        let out = String::from_utf8_lossy(&out);
        assert!(!out.contains("marmot") && !out.contains("velvet"));
    }
}

/// Red team, round 4: a shell prompt that prints a secret hands its next line on, so no chunk
/// starts there, wherever the cut falls.
#[test]
fn a_prompts_output_across_a_cut_reads_the_same() {
    let s = corpus::scrubber();
    for pad in 0..6 {
        let mut data = corpus::corpus(4096);
        data.extend_from_slice("x\n".repeat(pad).as_bytes());
        for _ in 0..40 {
            data.extend_from_slice(b"$ printenv OPENAI_API_KEY\nmarmot-lantern\n");
        }
        assert_agree(&s, &data, small());
        let (out, ..) = parallel(&s, &data, None, 3, small());
        assert!(!String::from_utf8_lossy(&out).contains("marmot"));
    }
}

/// Found by the generated files once a YAML block was carried: a last line without a
/// newline that the gate shortens is weighed against the byte budget as written (gated) on
/// one thread as on several, for every budget around the output's size.
#[test]
fn a_last_line_without_a_newline_is_weighed_gated() {
    let s = corpus::scrubber();
    for last in [
        "client_secret: |\n    \"free text words here\",",
        "$ echo $GITHUB_TOKEN\nmarmot lantern velvet words here",
        "{\"a\":[\n    \"Qz07Kv8Rw3Xp7LmTQz07Kv8Rw3Xp7LmT\"",
    ] {
        let mut data = corpus::corpus(3000);
        data.extend_from_slice(last.as_bytes());
        let total = serial(&s, &data, None).2 .1;
        for max in total.saturating_sub(40)..=total + 2 {
            let want = serial(&s, &data, Some(max));
            for threads in [2, 3] {
                assert!(
                    want == parallel(&s, &data, Some(max), threads, small()),
                    "{last:?} max {max}"
                );
            }
        }
    }
}

/// A last line without a newline is read by the gate too, on one thread and on several.
#[test]
fn the_gate_reads_a_last_line_without_a_newline() {
    let s = corpus::scrubber();
    let mut data = corpus::corpus(4096);
    data.extend_from_slice(br#"{"name":"Zorblax Quintavius"}"#);
    let last = data.split(|&b| b == b'\n').count() as u64;
    let unvetted = |found: &[Finding]| {
        found
            .iter()
            .filter(|f| f.rule == codex_scrub::Rule::Unvetted && f.line == last)
            .count()
    };
    assert_eq!(unvetted(&scan_serial(&s, &data)), 1);
    for threads in [2, 3] {
        assert_eq!(unvetted(&scan_par(&s, &data, threads, small())), 1);
        assert_eq!(unvetted(&scan_par(&s, &data, threads, Sizes::default())), 1);
    }
}
