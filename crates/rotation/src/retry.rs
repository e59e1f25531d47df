//! `Retry-After` and backoff (reference 7.4, test cases 71 and 72).

use crate::httpdate::parse_http_date;

/// Milliseconds to wait according to a `Retry-After` value at `now_ms`.
///
/// Trimmed; whole seconds (`^[0-9]+$`) → seconds × 1000; other numeric forms (fraction,
/// sign, exponent) are ignored; otherwise an HTTP date → `max(0, date − now)`.
pub fn parse_retry_after_ms(value: Option<&str>, now_ms: f64) -> Option<f64> {
    let v = value?.trim();
    if v.is_empty() {
        return None;
    }
    if v.bytes().all(|b| b.is_ascii_digit()) {
        return v.parse::<f64>().ok().map(|s| s * 1000.0);
    }
    if looks_numeric(v) {
        return None;
    }
    parse_http_date(v).map(|at| (at - now_ms).max(0.0))
}

/// What JavaScript's `Number(v)` would accept as a finite number.
fn looks_numeric(v: &str) -> bool {
    let body = v.strip_prefix(['+', '-']).unwrap_or(v);
    !body.is_empty()
        && body.bytes().any(|b| b.is_ascii_digit())
        && body.bytes().all(|b| {
            b.is_ascii_digit() || b == b'.' || b == b'e' || b == b'E' || b == b'+' || b == b'-'
        })
}

/// `computeBackoffMs` without jitter: `min(max, base × 2^floor(max(0, attempt)))`.
pub fn compute_backoff_ms(attempt: f64, base_ms: f64, max_ms: f64) -> f64 {
    let exp = if attempt.is_finite() {
        attempt.max(0.0).floor().min(52.0)
    } else {
        0.0
    };
    (base_ms * 2f64.powf(exp)).min(max_ms)
}
