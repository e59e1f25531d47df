//! Inputs the fuzz target (`fuzz/fuzz_targets/redact.rs`) found: each must redact to lines
//! that scan clean, with the target's own engine settings.

use codex_scrub::{KnownValues, Mode, Options, Pseudonymizer, Scrubber};

fn scrubber() -> Scrubber {
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
        keep_unvetted: false,
    };
    Scrubber::new(&known, &options, Pseudonymizer::with_key(&[7; 32]))
}

fn assert_scans_clean(data: &[u8]) {
    let s = scrubber();
    let mut f = s.file(Mode::Lines);
    let mut out = Vec::new();
    for line in data.split(|&b| b == b'\n') {
        f.redact_line(line, true, &mut out);
    }
    f.finish(&mut out);
    let mut check = s.file(Mode::Lines);
    let mut findings = Vec::new();
    for (i, line) in out.split(|&b| b == b'\n').enumerate() {
        check.scan_line(line, i as u64 + 1, &mut findings);
    }
    assert!(
        findings.is_empty(),
        "{data:?} -> {:?}: {findings:?}",
        String::from_utf8_lossy(&out)
    );
}

#[test]
fn a_placeholder_after_a_quote_and_binary_bytes_scans_clean() {
    assert_scans_clean(&[34, 182, 62, 95, 119, 179, 42, 5, 179, 41]);
}

/// Found by the planted-secret property test: an opaque run of capitals and digits after a
/// header-like name.
#[test]
fn an_opaque_capital_run_after_a_header_name_goes() {
    let s = scrubber();
    let mut f = s.file(Mode::Lines);
    let mut out = Vec::new();
    f.redact_line(b"X-Aaa-Ref: KAAAAAAAAAAA00A7", true, &mut out);
    let text = String::from_utf8_lossy(&out).to_lowercase();
    assert!(!text.contains("aaaaaaaa00a7"), "{text}");
}

/// Found by the fuzz target after round 4 of the red team: the redacted form of a line read
/// as a shell prompt whose command the gate had changed (a placeholder's `>` or a moved
/// space before `$`), so the scan of the output replaced the next line where the redaction
/// had kept it. The gate now carries what either form of the line hands on.
#[test]
fn a_line_whose_redacted_form_reads_as_a_prompt_scans_clean() {
    assert_scans_clean(include_bytes!(
        "fuzz-regressions/prompt-marker-after-placeholder.bin"
    ));
    assert_scans_clean(include_bytes!(
        "fuzz-regressions/placeholder-makes-a-prompt.bin"
    ));
}

/// A line replaced whole by the `[omitted: …]` marker after a line that hands its state on
/// (a cut `routing nu…` cue): the scan read the marker as that line's output and flagged it.
/// The engine's markers now pass the gate and carry nothing.
#[test]
fn a_marker_after_a_line_that_hands_on_scans_clean() {
    assert_scans_clean(include_bytes!("fuzz-regressions/marker-after-hand-on.bin"));
}

/// A told one-time code after a quote run and dashes (`!"""---…otp is --V`).
#[test]
fn a_told_code_after_dashes_scans_clean() {
    assert_scans_clean(include_bytes!("fuzz-regressions/otp-after-dashes.bin"));
}

/// The same after a JSON-like tail (`…otp is ----…:${[{":{{[{V`).
#[test]
fn a_told_code_before_a_json_like_tail_scans_clean() {
    assert_scans_clean(include_bytes!("fuzz-regressions/otp-key-after-dashes.bin"));
}

/// `Su` words after quotes and control bytes (found by the fuzz target with the login-name
/// detectors).
#[test]
fn su_words_after_quotes_and_control_bytes_scan_clean() {
    assert_scans_clean(include_bytes!("fuzz-regressions/su-after-quote.bin"));
}

/// Found reviewing a change that skipped the second analysis of a line whose only
/// replacements were whole `key=value` values: replacing a long value with a short one brings
/// a cue word within a detector's look-back window (`Failed … for NAME from`, `changed …
/// password to VALUE`), so the second analysis finds what the first could not. Each line
/// must scan clean and lose its secret.
#[test]
fn a_shorter_replacement_that_brings_a_cue_closer_is_read_again() {
    for (line, secret) in [
        (
            "Failed publickey token=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b for jdoe from 198.51.100.7 port 52144 ssh2",
            "jdoe",
        ),
        (
            "changed token=9f86d081884c7d659a2feaa0 password to correcthorse",
            "correcthorse",
        ),
    ] {
        assert_scans_clean(line.as_bytes());
        let s = scrubber();
        let mut f = s.file(Mode::Lines);
        let mut out = Vec::new();
        f.redact_line(line.as_bytes(), true, &mut out);
        f.finish(&mut out);
        let text = String::from_utf8_lossy(&out);
        assert!(!text.contains(secret), "{line} -> {text}");
    }
}

/// Found by the fuzz target with the closed classes of the varied logs: a live-headers line
/// with `#` where a key's opening quote belongs was read as a closed record (the key's first
/// byte was not looked at) and passed as it was. Closed records now check it; the line is
/// read by the engine, and the closed-record check of the fuzz target holds.
#[test]
fn a_key_without_its_opening_quote_is_no_closed_record() {
    let line = include_bytes!("fuzz-regressions/key-without-quote.bin");
    let body = line.strip_suffix(b"\n").unwrap_or(line);
    assert!(!codex_scrub::closed::closed_record(body));
    assert_scans_clean(line);
}

/// Digit groups after a header-like name, then a run of capitals (found by the fuzz target):
/// the redacted output read again as a phone number.
#[test]
fn digit_groups_after_a_header_name_scan_clean() {
    assert_scans_clean(include_bytes!(
        "fuzz-regressions/phone-digits-after-header-name.bin"
    ));
}

/// `su er` words between runs of quotes after a cut timestamp (found by the fuzz target):
/// the redacted output read again as a person's name.
#[test]
fn su_words_between_quote_runs_scan_clean() {
    assert_scans_clean(include_bytes!(
        "fuzz-regressions/su-words-after-quote-runs.bin"
    ));
}
