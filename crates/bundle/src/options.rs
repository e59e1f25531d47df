//! Bundle options and the parsers of their command-line forms (`--since 2h30m`,
//! `--max-bytes 20MB`), plus the default output name.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// The default log budget: 20 MB.
pub const DEFAULT_MAX_BYTES: u64 = 20 * 1024 * 1024;

/// What to bundle and where.
#[derive(Debug, Clone)]
pub struct BundleOptions {
    /// The zip to write.
    pub output: PathBuf,
    /// Only logs modified within this long before now (`None`: all).
    pub since: Option<Duration>,
    /// At most this many (redacted) log bytes.
    pub max_bytes: u64,
    /// Replace an existing output file.
    pub force: bool,
    /// Keep request bodies in snapshot files (still redacted).
    pub include_bodies: bool,
}

/// Parses `90s`, `15m`, `2h`, `7d`, `1w`, combinations (`1h30m`) and bare seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty duration".to_string());
    }
    if let Ok(secs) = t.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let mut total: u64 = 0;
    let mut num = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit: u64 = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => {
                return Err(format!(
                    "{text:?}: unknown unit {c:?} (use s, m, h, d or w)"
                ))
            }
        };
        let n: u64 = num
            .parse()
            .map_err(|_| format!("{text:?}: expected a number before {c:?}"))?;
        total = total.saturating_add(n.saturating_mul(unit));
        num.clear();
    }
    if !num.is_empty() {
        return Err(format!(
            "{text:?}: missing a unit after {num} (use s, m, h, d or w)"
        ));
    }
    Ok(Duration::from_secs(total))
}

/// Parses `20MB`, `512K`, `1GiB`, `1048576` (K/M/G are powers of 1024).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("{text:?}: expected a size such as 20MB or 1048576"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        other => return Err(format!("{text:?}: unknown unit {other:?} (use K, M or G)")),
    };
    Ok((n * mult) as u64)
}

/// `codex-doctor-bundle-20250101T120000Z.zip`.
pub fn default_file_name(now: SystemTime) -> String {
    let stamp = codex_timefmt::rfc3339(now).replace(['-', ':'], "");
    format!("codex-doctor-bundle-{stamp}.zip")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(604_800)));
        assert!(parse_duration("3x").is_err());
        assert!(parse_duration("5m3").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("20MB"), Ok(20 * 1024 * 1024));
        assert_eq!(parse_size("512k"), Ok(512 * 1024));
        assert_eq!(parse_size("1.5G"), Ok(1_610_612_736));
        assert_eq!(parse_size("100"), Ok(100));
        assert!(parse_size("lots").is_err());
    }

    #[test]
    fn file_name() {
        let t = std::time::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            default_file_name(t),
            "codex-doctor-bundle-20231114T221320Z.zip"
        );
    }
}
