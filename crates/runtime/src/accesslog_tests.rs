use super::*;

use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Lines written by a subscriber, kept for the test.
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl io::Write for Lines {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Lines {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().expect("lines").clone()).expect("utf-8")
    }
}

/// The events `serve` logs, among them the access log's (same target, fields and types
/// as in `codex_proxy::orchestrator`), and others that must go through the full formatter.
fn emit() {
    let status: u16 = 200;
    let attempts: u32 = 1;
    let ms: u64 = 412;
    tracing::info!(
        target: "codex_proxy::orchestrator",
        status,
        outcome = "success",
        account = "acct_1a2b3c4d",
        attempts,
        ms,
        "response"
    );
    tracing::info!(
        target: "codex_proxy::orchestrator",
        status = 502u16,
        outcome = "synthetic_error",
        account = "-",
        attempts = 3u32,
        ms = 0u64,
        "response"
    );
    tracing::info!(
        target: "codex_proxy::orchestrator",
        status = 0u16,
        outcome = "",
        account = "~ !#",
        attempts = u32::MAX,
        ms = u64::MAX,
        "response"
    );
    // Quotes and escapes in a value.
    tracing::info!(
        target: "codex_proxy::orchestrator",
        status = 429u16,
        outcome = "upstream \"error\"\n\u{1b}[31m",
        account = "a\\b",
        attempts = 2u32,
        ms = 7u64,
        "response"
    );
    // Not the access log: another target, other fields, another level, a span.
    tracing::info!(target: "codex_proxy::server", status = 200u16, "response");
    tracing::warn!(
        target: "codex_proxy::orchestrator",
        error = %io::Error::other("boom"),
        "upstream request failed"
    );
    let span = tracing::info_span!("request", id = 7);
    let _entered = span.enter();
    tracing::info!(
        target: "codex_proxy::orchestrator",
        status = 200u16,
        outcome = "success",
        account = "-",
        attempts = 1u32,
        ms = 1u64,
        "response"
    );
}

/// A line without its timestamp (`2026-12-03T18:32:16.749814Z `, 28 bytes).
fn untimed(line: &str) -> &str {
    assert_eq!(line.as_bytes().get(27), Some(&b' '), "{line}");
    assert!(line.get(..27).is_some_and(|t| t.ends_with('Z')), "{line}");
    &line[28..]
}

#[test]
fn the_access_log_line_is_the_full_formatters_line() {
    let full = Lines::default();
    let fast = Lines::default();
    {
        let f = full.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_target(false)
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || f.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, emit);
    }
    {
        let f = fast.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::TRACE)
            .event_format(LineFormat::new())
            .with_writer(move || f.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, emit);
    }
    let (full, fast) = (full.text(), fast.text());
    let full: Vec<&str> = full.lines().map(untimed).collect();
    let fast: Vec<&str> = fast.lines().map(untimed).collect();
    assert_eq!(full.len(), 7, "{full:?}");
    assert_eq!(fast, full);
    assert_eq!(
        fast[0],
        " INFO response status=200 outcome=\"success\" account=\"acct_1a2b3c4d\" attempts=1 ms=412"
    );
}

#[test]
fn timestamps_are_written_as_the_full_formatters_timer_writes_them() {
    let at = |secs: u64, micros: u64| {
        timestamp(UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_micros(micros))
    };
    for (secs, micros, text) in [
        (0, 0, "1970-01-01T00:00:00.000000Z "),
        (951_782_400, 5, "2000-02-29T00:00:00.000005Z "),
        (951_868_799, 999_999, "2000-02-29T23:59:59.999999Z "),
        (1_764_750_000, 123_456, "2025-12-03T08:20:00.123456Z "),
        (4_102_444_800, 42, "2100-01-01T00:00:00.000042Z "),
        (4_107_542_400, 1, "2100-03-01T00:00:00.000001Z "),
        (1_798_761_599, 500_000, "2026-12-31T23:59:59.500000Z "),
        (253_402_300_799, 999_999, "9999-12-31T23:59:59.999999Z "),
    ] {
        assert_eq!(at(secs, micros).as_deref(), Some(text), "{secs}");
    }
    // Past 9999 and before 1970 the full formatter writes them.
    assert_eq!(at(253_402_300_800, 0), None);
    assert_eq!(timestamp(UNIX_EPOCH - Duration::from_secs(1)), None);
    // Now, as the full formatter's timer writes it (the same second, or the next).
    let full = Lines::default();
    let f = full.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || f.clone())
        .finish();
    let before = timestamp(SystemTime::now()).expect("now");
    tracing::subscriber::with_default(subscriber, || tracing::info!("tick"));
    let after = timestamp(SystemTime::now()).expect("now");
    let line = full.text();
    let theirs = &line[..19];
    assert!(
        theirs == &before[..19] || theirs == &after[..19],
        "{line} / {before} / {after}"
    );
}
