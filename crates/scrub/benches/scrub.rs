//! Redactor throughput on a synthetic plugin log (JSONL: live headers, shareable debug,
//! OAuth lifecycle lines) with 50 accounts' known values registered, as `codex-doctor
//! bundle` runs it: 16 MB and 200 MB corpora on one thread (the per-core figure), and the
//! 200 MB corpus on every core (`codex_scrub::redact_parallel`). The `schema_then_engine`
//! benches time the way a bundle redacts the plugin's JSON Lines logs on one thread: each
//! record through the schema of the log it comes from (`live-headers.jsonl`,
//! `oauth-lifecycle.log`, `shareable-debug.jsonl`; `codex_scrub::schema::rewrite_record`),
//! then the engine over the rewritten lines (closed records pass it without its detectors
//! and gate).

#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use codex_scrub::schema::{rewrite_record, FileKind, Memo, SchemaOptions};
use codex_scrub::{default_threads, redact_parallel, redact_stream, LineReader, Mode, Scrubber};
use corpus::{corpus, scrubber};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

mod corpus;

fn bench(c: &mut Criterion) {
    let s = scrubber();
    let mut g = c.benchmark_group("redact");
    g.sample_size(10);
    // 16 MB for quick comparisons; 200 MB is the figure (one core).
    let mut data = Vec::new();
    for (name, mb) in [("jsonl_16MB", 16), ("jsonl_200MB", 200)] {
        data = corpus(mb << 20);
        g.throughput(Throughput::Bytes(data.len() as u64));
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut fs = s.file(Mode::Lines);
                let mut reader = LineReader::new(&data[..]);
                let mut sink = std::io::sink();
                let out =
                    redact_stream(&mut fs, &mut reader, &mut sink, None, &mut |_| {}).unwrap();
                black_box(out)
            })
        });
    }
    for (name, mb) in [
        ("jsonl_16MB_schema_then_engine", 16),
        ("jsonl_200MB_schema_then_engine", 200),
    ] {
        let data = corpus(mb << 20);
        g.throughput(Throughput::Bytes(data.len() as u64));
        let mut rewritten = Vec::with_capacity(data.len());
        // A bundle knows a file's kind by its name; each record's is found once, here.
        let kinds: Vec<FileKind> = data
            .split_inclusive(|&b| b == b'\n')
            .map(corpus::kind_of)
            .collect();
        g.bench_function(name, |b| {
            b.iter(|| black_box(schema_then_engine(&s, &data, &kinds, &mut rewritten)))
        });
    }
    // The same 200 MB on every core, as `codex-doctor bundle` reads a log file.
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("jsonl_200MB_all_cores", |b| {
        b.iter(|| {
            let mut sink = std::io::sink();
            let out = redact_parallel(
                &s,
                Mode::Lines,
                &data[..],
                &mut sink,
                None,
                default_threads(),
                &mut |_| {},
            )
            .unwrap();
            black_box(out)
        })
    });
    g.finish();
}

/// The bundle's way through the plugin's logs on one thread, each record through the schema
/// of the log it comes from (`kinds`); the output's length.
fn schema_then_engine(
    s: &Scrubber,
    data: &[u8],
    kinds: &[FileKind],
    rewritten: &mut Vec<u8>,
) -> u64 {
    rewritten.clear();
    let mut memo = Memo::default();
    let options = SchemaOptions { drop_bodies: true };
    for (line, &kind) in data.split_inclusive(|&b| b == b'\n').zip(kinds) {
        let body = line.strip_suffix(b"\n").unwrap_or(line);
        if rewrite_record(kind, body, s.pseudonymizer(), options, &mut memo, rewritten).is_none() {
            rewritten.extend_from_slice(body);
        }
        rewritten.push(b'\n');
    }
    let mut fs = s.file(Mode::Lines);
    let mut reader = LineReader::new(&rewritten[..]);
    let mut sink = std::io::sink();
    let out = redact_stream(&mut fs, &mut reader, &mut sink, None, &mut |_| {}).unwrap();
    out.bytes_out
}

criterion_group!(benches, bench);
criterion_main!(benches);
