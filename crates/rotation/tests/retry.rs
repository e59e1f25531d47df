//! Reference 15, cases 71, 72 and 58: `Retry-After`, backoff, failover reason codes.

use codex_rotation::httpdate::parse_http_date;
use codex_rotation::ratelimit::HeaderLookup;
use codex_rotation::{
    attempt_key, compute_backoff_ms, failover_reason, parse_retry_after_ms, retry_account_key,
    FailoverReason,
};

const NOW: f64 = 1_700_000_000_000.0;

fn http_date(ms: f64) -> String {
    // Build an IMF-fixdate for `ms` by search over the parser (seconds resolution).
    let secs = (ms / 1000.0) as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // civil_from_days
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let s = format!(
        "Tue, {:02} {} {} {:02}:{:02}:{:02} GMT",
        d,
        months[(m - 1) as usize],
        y,
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    );
    assert_eq!(parse_http_date(&s), Some(secs as f64 * 1000.0));
    s
}

#[test]
fn case_71_retry_after_forms() {
    assert_eq!(parse_retry_after_ms(Some("10"), NOW), Some(10_000.0));
    assert_eq!(
        parse_retry_after_ms(Some(&http_date(NOW + 5_000.0)), NOW),
        Some(5_000.0)
    );
    assert_eq!(parse_retry_after_ms(Some("nope"), NOW), None);
    assert_eq!(parse_retry_after_ms(None, NOW), None);
    let headers = [("RETRY-AFTER", "5")];
    assert_eq!(
        parse_retry_after_ms(headers.header("retry-after"), NOW),
        Some(5_000.0)
    );
    assert_eq!(parse_retry_after_ms(Some("  10  "), NOW), Some(10_000.0));
    for v in ["1.5", "10.0", "-5"] {
        assert_eq!(parse_retry_after_ms(Some(v), NOW), None, "{v}");
    }
    assert_eq!(
        parse_retry_after_ms(Some(&http_date(NOW - 60_000.0)), NOW),
        Some(0.0)
    );
}

#[test]
fn case_57_retry_after_date_in_the_future_is_exact() {
    let at = NOW + 42_000.0;
    let wait = parse_retry_after_ms(Some(&http_date(at)), NOW).expect("date");
    assert_eq!(NOW + wait, at);
}

#[test]
fn case_72_backoff() {
    assert_eq!(compute_backoff_ms(10.0, 1000.0, 5000.0), 5000.0);
    assert_eq!(compute_backoff_ms(-1.0, 1000.0, 5000.0), 1000.0);
    assert_eq!(compute_backoff_ms(1.5, 1000.0, 5000.0), 2000.0);
    assert_eq!(compute_backoff_ms(f64::NAN, 1000.0, 5000.0), 1000.0);
    // The orchestrator's fallback: base 5000, max 5000.
    assert_eq!(compute_backoff_ms(2.0, 5000.0, 5000.0), 5000.0);
}

#[test]
fn case_58_reason_codes() {
    let k1 = retry_account_key(None, Some("idx:1"), None, None, None);
    let k2 = retry_account_key(None, Some("idx:2"), None, None, None);
    assert_eq!(k1.as_deref(), Some("attempt:idx:1"));
    let first = failover_reason(None, None, k1.as_deref());
    let second = failover_reason(Some(429), k1.as_deref(), k2.as_deref());
    assert_eq!(
        [first.as_str(), second.as_str()],
        ["initial_attempt", "retry_switched_account_after_429"]
    );
    assert_eq!(
        failover_reason(Some(429), k1.as_deref(), k1.as_deref()),
        FailoverReason::RetrySameAccountAfter429
    );
    assert_eq!(
        failover_reason(Some(500), k1.as_deref(), k2.as_deref()),
        FailoverReason::InitialAttempt
    );
}

#[test]
fn attempt_keys() {
    assert_eq!(attempt_key(Some("k"), None, None, None, 0), "k");
    assert_eq!(
        attempt_key(None, Some(" acc "), Some("U@X.com"), Some("Plus"), 3),
        "acc|u@x.com|plus"
    );
    assert_eq!(
        attempt_key(None, Some("acc"), None, Some("plus"), 3),
        "idx:3"
    );
    assert_eq!(
        retry_account_key(Some("id"), Some("x"), None, None, None).as_deref(),
        Some("identity:id")
    );
    assert_eq!(
        retry_account_key(None, None, Some("a"), Some("b"), Some("c")).as_deref(),
        Some("tuple:a|b|c")
    );
}
