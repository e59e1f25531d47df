//! Fuzzes the redaction engine (detectors and the allowlist gate): arbitrary bytes, as log
//! lines and as a JSON document, whole or cut into pieces, must never panic and never grow a
//! line without bound, and redacted whole lines must scan clean; so must every line the
//! redaction proves clean for the bundle's self-scan, read with the self-scan's scrubber; and
//! every line read as a closed record is one the detectors and gate write as it is.

#![no_main]

use codex_scrub::{
    redact_parallel_certified, Certified, KnownValues, Mode, Options, Pseudonymizer, Scrubber,
};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn scrubber() -> &'static Scrubber {
    static S: OnceLock<Scrubber> = OnceLock::new();
    S.get_or_init(|| make(true, 7))
}

/// The self-scan's scrubber: request bodies kept, another key.
fn checker() -> &'static Scrubber {
    static S: OnceLock<Scrubber> = OnceLock::new();
    S.get_or_init(|| make(false, 8))
}

fn make(drop_bodies: bool, key: u8) -> Scrubber {
    let known = KnownValues {
        tokens: vec!["rt_fuzz_known_refresh_0123".into()],
        emails: vec!["fuzz.user@example.com".into()],
        account_ids: vec!["acc_fuzz_42".into()],
        identity_keys: vec!["acc_fuzz_42|fuzz.user@example.com|plus".into()],
        session_ids: vec!["ses_fuzzsession0123456".into()],
        aliases: vec![],
    };
    let options = Options {
        drop_bodies,
        home: Some("/home/fuzzer".into()),
        user: Some("fuzzer".into()),
        keep_unvetted: false,
    };
    Scrubber::new(&known, &options, Pseudonymizer::with_key(&[key; 32]))
}

fuzz_target!(|data: &[u8]| {
    let s = scrubber();
    // A closed record passes without the detectors and gate because they would write it
    // as it is and end fresh: check that against them.
    for line in data.split(|&b| b == b'\n') {
        if codex_scrub::closed::closed_record(line) {
            let mut f = s.file(Mode::Lines).without_closed_records();
            let mut out = Vec::new();
            f.redact_line(line, true, &mut out);
            assert_eq!(&out[..out.len() - 1], line, "a closed record the engine changes");
        }
    }
    // Whole lines, then lines cut into pieces as an overlong line is (the first byte picks
    // the piece length), so values left open at a cut are carried into the next piece.
    let piece = data.first().map(|&b| usize::from(b % 64) + 1);
    for (mode, cut) in [
        (Mode::Lines, None),
        (Mode::Document, None),
        (Mode::Lines, piece),
        (Mode::Document, piece),
    ] {
        let mut f = s.file(mode);
        let mut out = Vec::new();
        for line in data.split(|&b| b == b'\n') {
            let before = out.len();
            match cut {
                None => f.redact_line(line, true, &mut out),
                Some(n) => {
                    let mut chunks = line.chunks(n).peekable();
                    if chunks.peek().is_none() {
                        f.redact_line(line, true, &mut out);
                    }
                    while let Some(c) = chunks.next() {
                        f.redact_line(c, chunks.peek().is_none(), &mut out);
                    }
                }
            }
            // A byte can become a placeholder (`<string:1>`): at most about 12 times longer.
            // (The output can also shrink below `before`: in a document, a line that ends
            // inside a value left open goes on into this one, and the gate reads the two as
            // one, so a replacement may cut what the line before wrote.)
            assert!(
                out.len().saturating_sub(before) <= 12 * line.len() + 64 * (1 + line.len() / cut.unwrap_or(usize::MAX)),
                "line grew without bound"
            );
        }
        f.finish(&mut out);
        // Pieces this small cut through keys and tokens (the reader cuts 256 KB pieces at a
        // delimiter), so only whole-line output is held to scanning clean.
        if mode == Mode::Lines && cut.is_none() {
            let mut check = s.file(Mode::Lines);
            let mut findings = Vec::new();
            for (i, line) in out.split(|&b| b == b'\n').enumerate() {
                check.scan_line(line, i as u64 + 1, &mut findings);
            }
            assert!(
                findings.is_empty(),
                "redacted output still matches: {findings:?}"
            );
        }
    }
    // Lines the redaction proves clean (`codex_scrub::certify`, what the bundle's self-scan
    // passes over) scan clean with the self-scan's scrubber.
    let mut certified = Certified::new(s);
    let mut out = Vec::new();
    let redacted = redact_parallel_certified(
        s,
        Mode::Lines,
        data,
        &mut out,
        None,
        1,
        &mut certified,
        &mut |_| {},
    );
    if redacted.is_ok() {
        let c = checker();
        let proofs = certified.for_checker(c).expect("the checker reads as the redactor");
        for line in out.split(|&b| b == b'\n') {
            if proofs.contains(line) {
                let mut fs = c.file(Mode::Lines);
                let mut findings = Vec::new();
                fs.scan_line(line, 1, &mut findings);
                assert!(findings.is_empty(), "a proven line matches: {findings:?}");
            }
        }
    }
});
