//! Identity keys and legacy fingerprints (reference 4.2).
//!
//! A strict key is `accountId|email|plan` (trimmed; email and plan lowercased). Records that
//! lack a part get a `legacy|A|E|P` fingerprint whose parts are `encodeURIComponent`-encoded
//! (or `_` when missing), with `|dup:n` suffixes for repeats within one merge.

/// Builds the strict identity key, or `None` when any part is missing or blank.
pub fn build_identity_key(
    account_id: Option<&str>,
    email: Option<&str>,
    plan: Option<&str>,
) -> Option<String> {
    let a = account_id.map(str::trim).filter(|s| !s.is_empty())?;
    let e = email
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())?;
    let p = plan
        .map(|s| s.trim().to_lowercase())
        .filter(|s| !s.is_empty())?;
    Some(format!("{a}|{e}|{p}"))
}

/// JavaScript's `encodeURIComponent`.
pub fn encode_uri_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `legacy|A|E|P` fingerprint of a record without a strict identity.
pub fn legacy_fingerprint(
    account_id: Option<&str>,
    email: Option<&str>,
    plan: Option<&str>,
) -> String {
    let part = |v: Option<String>| match v.filter(|s| !s.is_empty()) {
        Some(s) => encode_uri_component(&s),
        None => "_".to_string(),
    };
    format!(
        "legacy|{}|{}|{}",
        part(account_id.map(|s| s.trim().to_string())),
        part(email.map(|s| s.trim().to_lowercase())),
        part(plan.map(|s| s.trim().to_lowercase()))
    )
}

/// Whether a key is a 3-part pipe key with non-blank parts (not a legacy fingerprint).
pub fn is_strict_key(key: &str) -> bool {
    let parts: Vec<&str> = key.split('|').collect();
    parts.len() == 3 && parts.iter().all(|p| !p.trim().is_empty()) && parts[0] != "legacy"
}

/// `synchronizeIdentityKey`: the key a record ends up with after hydration.
pub fn synchronize_identity_key(
    current: Option<&str>,
    account_id: Option<&str>,
    email: Option<&str>,
    plan: Option<&str>,
) -> Option<String> {
    let strict = build_identity_key(account_id, email, plan);
    match (strict, current) {
        (Some(s), None) => Some(s),
        (Some(s), Some(cur)) if cur == s => Some(s),
        (Some(s), Some(cur)) => {
            let replaceable = cur.trim().is_empty() || cur.starts_with("legacy|") || {
                let parts: Vec<&str> = cur.split('|').collect();
                parts.len() == 3 && parts.iter().all(|p| !p.trim().is_empty())
            };
            if replaceable {
                Some(s)
            } else {
                Some(cur.to_string())
            }
        }
        (None, cur) => cur.map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_key_is_normalized() {
        assert_eq!(
            build_identity_key(
                Some(" acc_123 "),
                Some(" User@Example.com "),
                Some(" Plus ")
            ),
            Some("acc_123|user@example.com|plus".to_string())
        );
        assert_eq!(build_identity_key(None, Some("a@b.c"), Some("plus")), None);
    }

    #[test]
    fn legacy_fingerprints_encode_parts() {
        assert_eq!(
            legacy_fingerprint(None, Some("one@example.com"), Some("plus")),
            "legacy|_|one%40example.com|plus"
        );
    }

    #[test]
    fn legacy_key_is_upgraded() {
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
    }
}
