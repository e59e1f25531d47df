//! Redactor throughput on a synthetic plugin log (JSONL: live headers, shareable debug,
//! OAuth lifecycle lines) with 50 accounts' known values registered, as `codex-doctor
//! bundle` runs it: 16 MB and 200 MB corpora, one thread.

#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use codex_scrub::{redact_stream, LineReader, Mode};
use corpus::{corpus, scrubber};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

mod corpus;

fn bench(c: &mut Criterion) {
    let s = scrubber();
    let mut g = c.benchmark_group("redact");
    g.sample_size(10);
    // 16 MB for quick comparisons; 200 MB is the figure (one core).
    for (name, mb) in [("jsonl_16MB", 16), ("jsonl_200MB", 200)] {
        let data = corpus(mb << 20);
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
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
