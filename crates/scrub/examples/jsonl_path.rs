//! The bundle's way through a JSON Lines log on one thread, timed by stage: each line
//! through its schema ([`codex_scrub::schema::rewrite_record`]), then the engine over the
//! rewritten lines. `target/release/examples/jsonl_path [MB] [files|one] [REPS]` prints each
//! stage's best rate over REPS runs and the output's SHA-256.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

#[path = "../benches/corpus.rs"]
mod corpus;

use std::time::{Duration, Instant};

use codex_scrub::schema::{rewrite_record, FileKind, Memo, SchemaOptions};
use codex_scrub::{redact_stream, LineReader, Mode};

fn main() {
    let mut args = std::env::args().skip(1);
    let mb: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(32);
    // `files`: each record through the schema of the log it comes from
    // ([`corpus::kind_of`]); otherwise all through `shareable-debug.jsonl`'s.
    let by_file = args.next().as_deref() == Some("files");
    let reps: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let data = corpus::corpus(mb << 20);
    let s = corpus::scrubber();
    let options = SchemaOptions { drop_bodies: true };
    // Both output buffers are touched before the clock starts, so a stage's rate is not the
    // page faults of one large buffer (the bundle reuses a block's buffer).
    let mut rewritten = vec![0u8; data.len() + (1 << 20)];
    rewritten.clear();
    // A bundle knows a file's kind by its name: each record's is found before the clock.
    let kinds: Vec<FileKind> = data
        .split_inclusive(|&b| b == b'\n')
        .map(|line| {
            if by_file {
                corpus::kind_of(line)
            } else {
                FileKind::ShareableDebug
            }
        })
        .collect();
    // The best of `reps` runs of each stage (this machine's timing is noisy).
    let mut best = (Duration::MAX, Duration::MAX);
    let mut out = vec![0u8; rewritten.capacity() + (1 << 20)];
    for _ in 0..reps {
        rewritten.clear();
        let t = Instant::now();
        let mut memo = Memo::default();
        for (line, &kind) in data.split_inclusive(|&b| b == b'\n').zip(&kinds) {
            let body = line.strip_suffix(b"\n").unwrap_or(line);
            let p = s.pseudonymizer();
            if rewrite_record(kind, body, p, options, &mut memo, &mut rewritten).is_none() {
                rewritten.extend_from_slice(body);
            }
            rewritten.push(b'\n');
        }
        best.0 = best.0.min(t.elapsed());
        out.clear();
        let t = Instant::now();
        let mut fs = s.file(Mode::Lines);
        let mut reader = LineReader::new(&rewritten[..]);
        redact_stream(&mut fs, &mut reader, &mut out, None, &mut |_| {}).unwrap();
        best.1 = best.1.min(t.elapsed());
    }
    let (schema, engine) = best;
    let mbs = |d: std::time::Duration| data.len() as f64 / 1e6 / d.as_secs_f64();
    use sha2::Digest as _;
    println!(
        "in {} schema {:.0} MB/s engine {:.0} MB/s both {:.0} MB/s out {} sha256 {:x}",
        data.len(),
        mbs(schema),
        mbs(engine),
        mbs(schema + engine),
        out.len(),
        sha2::Sha256::digest(&out)
    );
}
