//! Time formatting for the manifest and summaries: RFC 3339 UTC, zip timestamps, and
//! durations relative to now (`in 2h 5m`, `3d 4h ago`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn secs(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

// Days since 1970-01-01 to (year, month, day), proleptic Gregorian (Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `(year, month, day, hour, minute, second)` in UTC.
pub fn parts(t: SystemTime) -> (i64, u32, u32, u32, u32, u32) {
    let s = secs(t);
    let (y, m, d) = civil(s.div_euclid(86_400));
    let r = s.rem_euclid(86_400) as u32;
    (y, m, d, r / 3600, (r % 3600) / 60, r % 60)
}

/// RFC 3339 UTC with second precision.
pub fn rfc3339(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s) = parts(t);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

/// Epoch milliseconds as RFC 3339.
pub fn rfc3339_ms(ms: f64) -> String {
    rfc3339(UNIX_EPOCH + Duration::from_secs((ms.max(0.0) / 1000.0) as u64))
}

/// A compact duration: `45s`, `3m 20s`, `2h 5m`, `4d 3h`.
pub fn human(d: Duration) -> String {
    let t = d.as_secs();
    let (days, h, m, s) = (t / 86_400, (t % 86_400) / 3600, (t % 3600) / 60, t % 60);
    if days > 0 {
        format!("{days}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {s}s")
    } else {
        format!("{s}s")
    }
}

/// `in 2h 5m` for a future epoch-ms instant, `3m 20s ago` for a past one.
pub fn relative(at_ms: f64, now_ms: f64) -> String {
    let delta = at_ms - now_ms;
    let d = Duration::from_millis(delta.abs() as u64);
    if delta >= 0.0 {
        format!("in {}", human(d))
    } else {
        format!("{} ago", human(d))
    }
}

/// Human byte counts: `512 B`, `1.2 MB`.
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
    fn formats() {
        let t = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(rfc3339(t), "2000-02-29T00:00:00Z");
        assert_eq!(relative(1000.0 + 90_000.0, 1000.0), "in 1m 30s");
        assert_eq!(relative(0.0, 7_200_000.0), "2h 0m ago");
        assert_eq!(bytes(1536), "1.5 KB");
    }
}
