//! The plugin's exact parsers for environment values.
//!
//! `parseEnvBoolean` accepts `1|true|yes|on` and `0|false|no|off` (trimmed, any case) and
//! treats everything else as unset; the debug switches want exactly `"1"`; numbers follow
//! JavaScript's `Number(x)` (`codex_js::number`), with blank text unset. Trimming and
//! lowercasing are JavaScript's (`codex_js`).

/// The plugin's boolean parser: `Some(true)`, `Some(false)` or `None` (falls through).
pub fn env_boolean(raw: Option<&str>) -> Option<bool> {
    match codex_js::trim_lower(raw?).as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// The plugin's number parser: blank → unset; a finite JavaScript number → the value.
pub fn env_number(raw: Option<&str>) -> Option<f64> {
    let t = codex_js::trim(raw?);
    if t.is_empty() {
        return None;
    }
    codex_js::number(t).filter(|n| n.is_finite())
}

/// Whether a debug switch is on: exactly `"1"`, nothing else.
pub fn exactly_one(raw: Option<&str>) -> bool {
    raw == Some("1")
}

/// `CODEX_AUTH_DEBUG`: trimmed, lowercased `1|true|yes|on`.
pub fn auth_debug_enabled(raw: Option<&str>) -> bool {
    matches!(
        raw.map(codex_js::trim_lower).as_deref(),
        Some("1" | "true" | "yes" | "on")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans() {
        assert_eq!(env_boolean(Some(" YES ")), Some(true));
        assert_eq!(env_boolean(Some("off")), Some(false));
        assert_eq!(env_boolean(Some("2")), None);
        assert_eq!(env_boolean(None), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(env_number(Some(" 1500 ")), Some(1500.0));
        assert_eq!(env_number(Some("")), None);
        assert_eq!(env_number(Some("abc")), None);
        assert_eq!(env_number(Some("1e3")), Some(1000.0));
        assert_eq!(env_number(Some("Infinity")), None);
    }

    #[test]
    fn debug_switches() {
        assert!(exactly_one(Some("1")));
        assert!(!exactly_one(Some("true")));
        assert!(!exactly_one(Some(" 1")));
        assert!(auth_debug_enabled(Some(" On ")));
        assert!(!auth_debug_enabled(Some("0")));
    }
}
