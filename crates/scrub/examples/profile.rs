//! Redacts the bench corpus once, for instruction counts (`valgrind --tool=callgrind` or
//! `perf stat -e instructions`): `cargo build --release -p codex-scrub --example profile`,
//! then `target/release/examples/profile [MB] [show]`. Prints the input and output sizes and
//! the output's SHA-256 (optimisations must keep it).

#![allow(clippy::unwrap_used, clippy::print_stdout)]

#[path = "../benches/corpus.rs"]
mod corpus;

use codex_scrub::{redact_stream, LineReader, Mode};

fn main() {
    let mut args = std::env::args().skip(1);
    let mb: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2);
    let data = corpus::corpus(mb << 20);
    let s = corpus::scrubber();
    let mut fs = s.file(Mode::Lines);
    let mut reader = LineReader::new(&data[..]);
    let mut out = Vec::with_capacity(data.len());
    let o = redact_stream(&mut fs, &mut reader, &mut out, None, &mut |_| {}).unwrap();
    use sha2::Digest;
    println!(
        "in {} out {} replaced {} sha256 {:x}",
        o.bytes_in,
        o.bytes_out,
        fs.counts().total(),
        sha2::Sha256::digest(&out)
    );
    if args.next().as_deref() == Some("show") {
        for line in out.split(|&b| b == b'\n').take(8) {
            println!("{}", String::from_utf8_lossy(line));
        }
    }
}
