//! Fuzzes the redactor: arbitrary bytes, as log lines and as a JSON document, must never
//! panic, never grow a line without bound, and redacted output must scan clean.

#![no_main]

use codex_scrub::{KnownValues, Mode, Options, Pseudonymizer, Scrubber};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn scrubber() -> &'static Scrubber {
    static S: OnceLock<Scrubber> = OnceLock::new();
    S.get_or_init(|| {
        let known = KnownValues {
            tokens: vec!["rt_fuzz_known_refresh_0123".into()],
            emails: vec!["fuzz.user@example.com".into()],
            account_ids: vec!["acc_fuzz_42".into()],
            identity_keys: vec!["acc_fuzz_42|fuzz.user@example.com|plus".into()],
            session_ids: vec!["ses_fuzzsession0123456".into()],
            aliases: vec![],
        };
        let options = Options {
            drop_bodies: true,
            home: Some("/home/fuzzer".into()),
            user: Some("fuzzer".into()),
        };
        Scrubber::new(&known, &options, Pseudonymizer::with_key(&[7; 32]))
    })
}

fuzz_target!(|data: &[u8]| {
    let s = scrubber();
    for mode in [Mode::Lines, Mode::Document] {
        let mut f = s.file(mode);
        let mut out = Vec::new();
        for line in data.split(|&b| b == b'\n') {
            let before = out.len();
            f.redact_line(line, true, &mut out);
            assert!(
                out.len() - before <= 3 * line.len() + 64,
                "line grew without bound"
            );
        }
        f.finish(&mut out);
        if mode == Mode::Lines {
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
});
