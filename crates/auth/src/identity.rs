//! Identity keys and legacy fingerprints, with the plugin's exact string semantics (4.2).
//!
//! A strict key is `accountId|email|plan` (trimmed; email and plan lowercased). Records that
//! lack a part get a `legacy|A|E|P` fingerprint whose parts are `encodeURIComponent`-encoded
//! (or `_` when missing). Edges follow JavaScript exactly, because writers persist the result
//! and compare it byte for byte with what the plugin writes: `String.prototype.trim` also
//! strips U+FEFF (not U+0085), a whitespace-only stored key is kept, an empty one is missing.

pub use codex_js::encode_uri_component;

/// `normalizeEmail` / `normalizePlan`: trimmed and lowercased, `None` when missing or blank.
pub fn normalize_lower(v: Option<&str>) -> Option<String> {
    let t = codex_js::trim(v?);
    if t.is_empty() {
        None
    } else {
        Some(t.to_lowercase())
    }
}

/// `buildIdentityKey`: `accountId|email|plan`, or `None` when a part is missing.
pub fn build_identity_key(
    account_id: Option<&str>,
    email: Option<&str>,
    plan: Option<&str>,
) -> Option<String> {
    let a = codex_js::trim(account_id?);
    if a.is_empty() {
        return None;
    }
    let e = normalize_lower(email)?;
    let p = normalize_lower(plan)?;
    Some(format!("{a}|{e}|{p}"))
}

fn segment(v: Option<&str>) -> String {
    match v.map(codex_js::trim).filter(|t| !t.is_empty()) {
        Some(t) => encode_uri_component(t),
        None => "_".to_string(),
    }
}

/// `buildLegacyIdentityFingerprint`: `legacy|A|E|P` with `encodeURIComponent` parts.
pub fn legacy_fingerprint(
    account_id: Option<&str>,
    email: Option<&str>,
    plan: Option<&str>,
) -> String {
    format!(
        "legacy|{}|{}|{}",
        segment(account_id),
        segment(normalize_lower(email).as_deref()),
        segment(normalize_lower(plan).as_deref())
    )
}

/// A 3-part pipe key whose parts are all non-blank.
pub fn is_canonical_key(key: &str) -> bool {
    let parts: Vec<&str> = key.split('|').collect();
    parts.len() == 3 && parts.iter().all(|p| !codex_js::trim(p).is_empty())
}

/// `synchronizeIdentityKey`: the key after hydration. `current` is the stored key (an empty
/// string counts as missing).
pub fn synchronize_identity_key(
    current: Option<&str>,
    account_id: Option<&str>,
    email: Option<&str>,
    plan: Option<&str>,
) -> Option<String> {
    let Some(canonical) = build_identity_key(account_id, email, plan) else {
        return current.map(str::to_string);
    };
    match current {
        None | Some("") => Some(canonical),
        Some(c) if c == canonical => Some(canonical),
        Some(c) if c.starts_with("legacy|") || is_canonical_key(c) => Some(canonical),
        Some(c) => Some(c.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_43_strict_key_is_normalized() {
        assert_eq!(
            build_identity_key(
                Some(" acc_123 "),
                Some(" User@Example.com "),
                Some(" Plus ")
            ),
            Some("acc_123|user@example.com|plus".to_string())
        );
        assert_eq!(
            build_identity_key(Some("  "), Some("a@b.c"), Some("p")),
            None
        );
    }

    #[test]
    fn case_45_legacy_key_upgrades() {
        assert_eq!(
            synchronize_identity_key(
                Some("legacy|acc_123|user%40example.com|plus"),
                Some("acc_123"),
                Some("user@example.com"),
                Some("plus")
            ),
            Some("acc_123|user@example.com|plus".to_string())
        );
        assert_eq!(
            synchronize_identity_key(Some("custom"), Some("a"), Some("b@c.d"), Some("p")),
            Some("custom".to_string())
        );
        assert_eq!(
            synchronize_identity_key(Some("x|y|z"), Some("a"), Some("b@c.d"), Some("p")),
            Some("a|b@c.d|p".to_string())
        );
        assert_eq!(
            synchronize_identity_key(Some("keep"), None, None, None),
            Some("keep".into())
        );
    }

    #[test]
    fn case_40_fingerprints() {
        assert_eq!(
            legacy_fingerprint(None, Some("One@Example.com"), Some("plus")),
            "legacy|_|one%40example.com|plus"
        );
        assert_eq!(legacy_fingerprint(Some(" "), None, None), "legacy|_|_|_");
        assert_eq!(
            legacy_fingerprint(Some("a b"), None, Some("Pro")),
            "legacy|a%20b|_|pro"
        );
    }
}
