//! Calendar arithmetic and the time and size formats codex-kit prints, in one place: the
//! doctor's report, the bundle's manifest and zip entries, and the rotation crate's
//! `Retry-After` dates all use it.
//!
//! Dates are proleptic Gregorian UTC (Howard Hinnant's `days_from_civil` /
//! `civil_from_days`); no time zone database is needed because nothing here is local time.

#![warn(unreachable_pub)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Now in epoch milliseconds (JavaScript `Date.now()` semantics; 0 before 1970).
pub fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as f64)
        .unwrap_or(0.0)
}

/// Days since 1970-01-01 of a date (`month` 1..=12).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `(year, month, day)` of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Seconds since the epoch (negative before it).
fn epoch_secs(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

/// `(year, month, day, hour, minute, second)` of epoch seconds, UTC.
pub fn parts_secs(secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let r = secs.rem_euclid(86_400) as u32;
    (y, m, d, r / 3600, (r % 3600) / 60, r % 60)
}

/// `(year, month, day, hour, minute, second)` of a time, UTC.
pub fn parts(t: SystemTime) -> (i64, u32, u32, u32, u32, u32) {
    parts_secs(epoch_secs(t))
}

/// Epoch seconds as RFC 3339 UTC with second precision (`2023-11-14T22:13:20Z`).
pub fn rfc3339_secs(secs: i64) -> String {
    let (y, mo, d, h, mi, s) = parts_secs(secs);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// A time as RFC 3339 UTC with second precision.
pub fn rfc3339(t: SystemTime) -> String {
    rfc3339_secs(epoch_secs(t))
}

/// Epoch milliseconds as RFC 3339 (negative values clamp to the epoch).
pub fn rfc3339_ms(ms: f64) -> String {
    rfc3339_secs((ms.max(0.0) / 1000.0) as i64)
}

/// Whole seconds as a compact duration: `45s`, `3m 20s`, `2h 5m`, `4d 3h`.
pub fn compact_secs(total: u64) -> String {
    let (d, h, m, s) = (
        total / 86_400,
        (total % 86_400) / 3600,
        (total % 3600) / 60,
        total % 60,
    );
    if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {s}s")
    } else {
        format!("{s}s")
    }
}

/// Milliseconds as a compact duration, seconds rounded up like the plugin's "Try again in"
/// text (`1m 30s`); negative spans are `0s`.
pub fn human_ms(ms: f64) -> String {
    compact_secs((ms.max(0.0) / 1000.0).ceil() as u64)
}

/// A duration as a compact duration, whole seconds (truncated).
pub fn human(d: Duration) -> String {
    compact_secs(d.as_secs())
}

/// `in 2h 5m` for a future epoch-ms instant, `3m 20s ago` for a past one.
pub fn relative(at_ms: f64, now_ms: f64) -> String {
    let delta = at_ms - now_ms;
    let d = human(Duration::from_millis(delta.abs() as u64));
    if delta >= 0.0 {
        format!("in {d}")
    } else {
        format!("{d} ago")
    }
}

/// A byte count: `512 B`, `1.5 KB`, `1.2 MB` (binary multiples).
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_round_trips_over_four_centuries() {
        for days in (-146_097 * 2..146_097 * 2).step_by(7) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }

    #[test]
    fn rfc3339_known_values() {
        assert_eq!(rfc3339_secs(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_secs(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339_secs(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_secs(-1), "1969-12-31T23:59:59Z");
        let t = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(t), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_ms(951_782_400_999.0), "2000-02-29T00:00:00Z");
        assert_eq!(parts(t), (2000, 2, 29, 0, 0, 0));
    }

    #[test]
    fn durations_and_sizes() {
        assert_eq!(human_ms(90_000.0), "1m 30s");
        assert_eq!(human_ms(4_000.0), "4s");
        assert_eq!(human_ms(3_001.0), "4s", "rounded up");
        assert_eq!(human_ms(3_600_000.0 * 5.0), "5h 0m");
        assert_eq!(human_ms(86_400_000.0 * 2.0 + 3_600_000.0), "2d 1h");
        assert_eq!(human_ms(-5.0), "0s");
        assert_eq!(human(Duration::from_millis(3_999)), "3s", "truncated");
        assert_eq!(relative(1000.0 + 90_000.0, 1000.0), "in 1m 30s");
        assert_eq!(relative(0.0, 7_200_000.0), "2h 0m ago");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.5 KB");
        assert_eq!(bytes(2048), "2.0 KB");
        assert_eq!(bytes(5 * 1024 * 1024 * 1024 * 1024), "5120.0 GB");
    }
}
