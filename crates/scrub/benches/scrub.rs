//! Redactor throughput on a synthetic plugin log (JSONL: live headers, shareable debug,
//! OAuth lifecycle lines) with 50 accounts' known values registered, as `codex-doctor
//! bundle` runs it: 16 MB and 200 MB corpora on one thread (the per-core figure), and the
//! 200 MB corpus on every core (`codex_scrub::redact_parallel`).

#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use codex_scrub::{default_threads, redact_parallel, redact_stream, LineReader, Mode};
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

criterion_group!(benches, bench);
criterion_main!(benches);
