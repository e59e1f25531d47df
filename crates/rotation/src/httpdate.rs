//! Dates as `Retry-After` carries them: IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`),
//! RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`), asctime (`Sun Nov  6 08:49:37 1994`) and,
//! because the plugin's `Date.parse` accepts it too, ISO 8601 (`1994-11-06T08:49:37Z`,
//! with an optional fraction and offset). All times without an offset are UTC.

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month(name: &str) -> Option<u32> {
    let lower = name.to_ascii_lowercase();
    MONTHS
        .iter()
        .position(|m| lower.starts_with(m))
        .map(|i| i as u32 + 1)
}

fn hms(s: &str) -> Option<(u32, u32, u32)> {
    let mut it = s.split(':');
    let h = it.next()?.parse().ok()?;
    let m = it.next()?.parse().ok()?;
    let sec = it.next().unwrap_or("0").parse().ok()?;
    if it.next().is_some() || h > 23 || m > 59 || sec > 60 {
        return None;
    }
    Some((h, m, sec))
}

fn to_ms(y: i64, mo: u32, d: u32, (h, mi, s): (u32, u32, u32)) -> Option<f64> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let days = codex_timefmt::days_from_civil(y, mo, d);
    let secs = days * 86_400 + i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(s);
    Some(secs as f64 * 1000.0)
}

fn is_gmt(zone: Option<&str>) -> bool {
    matches!(
        zone.map(str::to_ascii_uppercase).as_deref(),
        None | Some("GMT") | Some("UTC") | Some("Z") | Some("+0000")
    )
}

fn parse_rfc(s: &str) -> Option<f64> {
    // Drop the weekday ("Sun," / "Sunday,").
    let rest = match s.split_once(',') {
        Some((_, r)) => r.trim(),
        None => s,
    };
    let parts: Vec<&str> = rest.split_whitespace().collect();
    match parts.as_slice() {
        // 06 Nov 1994 08:49:37 GMT
        [d, mo, y, t, zone @ ..] if zone.len() <= 1 && is_gmt(zone.first().copied()) => {
            let y: i64 = y.parse().ok()?;
            to_ms(y, month(mo)?, d.parse().ok()?, hms(t)?)
        }
        // 06-Nov-94 08:49:37 GMT
        [date, t, zone @ ..] if zone.len() <= 1 && is_gmt(zone.first().copied()) => {
            let mut it = date.split('-');
            let d = it.next()?.parse().ok()?;
            let mo = month(it.next()?)?;
            let y: i64 = it.next()?.parse().ok()?;
            let y = if y < 50 {
                2000 + y
            } else if y < 100 {
                1900 + y
            } else {
                y
            };
            to_ms(y, mo, d, hms(t)?)
        }
        _ => None,
    }
}

fn parse_asctime(s: &str) -> Option<f64> {
    // Sun Nov  6 08:49:37 1994
    let parts: Vec<&str> = s.split_whitespace().collect();
    match parts.as_slice() {
        [_, mo, d, t, y] => to_ms(y.parse().ok()?, month(mo)?, d.parse().ok()?, hms(t)?),
        _ => None,
    }
}

fn parse_iso(s: &str) -> Option<f64> {
    let (date, rest) = s.split_once(['T', ' '])?;
    let mut it = date.split('-');
    let y: i64 = it.next()?.parse().ok()?;
    let mo: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    let (time, offset_ms) = if let Some(t) = rest.strip_suffix(['Z', 'z']) {
        (t, 0.0)
    } else if let Some(pos) = rest.rfind(['+', '-']) {
        let (t, off) = rest.split_at(pos);
        let sign = if off.starts_with('-') { -1.0 } else { 1.0 };
        let off = &off[1..];
        let (oh, om) = off
            .split_once(':')
            .unwrap_or((off.get(..2)?, off.get(2..)?));
        let mins = oh.parse::<f64>().ok()? * 60.0 + om.parse::<f64>().ok()?;
        (t, sign * mins * 60_000.0)
    } else {
        (rest, 0.0)
    };
    let (whole, frac) = match time.split_once('.') {
        Some((w, f)) => {
            let digits: String = f.chars().take(3).collect();
            let scale = 10f64.powi(3 - digits.len() as i32);
            (w, digits.parse::<f64>().ok()? * scale)
        }
        None => (time, 0.0),
    };
    Some(to_ms(y, mo, d, hms(whole)?)? + frac - offset_ms)
}

/// Parses an HTTP date (or an ISO 8601 timestamp) into epoch milliseconds.
pub fn parse_http_date(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.as_bytes().first().is_some_and(u8::is_ascii_digit) && s.contains('-') && !s.contains(' ') {
        return parse_iso(s);
    }
    parse_rfc(s)
        .or_else(|| parse_asctime(s))
        .or_else(|| parse_iso(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: f64 = 784_111_777_000.0;

    #[test]
    fn the_three_http_forms_and_iso() {
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(T));
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), Some(T));
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), Some(T));
        assert_eq!(parse_http_date("1994-11-06T08:49:37Z"), Some(T));
        assert_eq!(parse_http_date("1994-11-06T08:49:37.250Z"), Some(T + 250.0));
        assert_eq!(parse_http_date("1994-11-06T09:49:37+01:00"), Some(T));
        assert_eq!(parse_http_date("1970-01-01T00:00:00Z"), Some(0.0));
    }

    #[test]
    fn garbage_is_none() {
        for s in [
            "",
            "nope",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(s), None, "{s}");
        }
    }
}
