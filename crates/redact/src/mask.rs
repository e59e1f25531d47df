//! Masking for identities shown to people.
//!
//! Emails become `u***@example.com`, account ids keep a short tail (`…a1b2`), identity keys
//! (`accountId|email|plan`) mask their first two parts and keep the plan. Masked output is
//! enough to tell accounts apart in a pasted report without identifying the user.

/// Whether identities (emails, account ids, identity keys) are masked or shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IdentityMode {
    /// Mask identities (the default: output is safe to paste).
    #[default]
    Masked,
    /// Show identities verbatim (`--show-identities`). Tokens are still removed.
    Shown,
}

/// Masks an email as `u***@example.com`. Strings without `@` are masked as ids.
pub fn mask_email(email: &str) -> String {
    let email = email.trim();
    match email.split_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        _ => mask_id(email),
    }
}

/// Masks an account id, keeping at most its last four characters: `***a1b2`.
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.trim().chars().collect();
    if chars.len() <= 6 {
        return "***".to_string();
    }
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("***{tail}")
}

/// Masks an identity key `accountId|email|plan` (or a `legacy|…` fingerprint).
pub fn mask_identity_key(key: &str) -> String {
    let parts: Vec<&str> = key.split('|').collect();
    if parts.len() == 3 {
        return format!(
            "{}|{}|{}",
            mask_id(parts[0]),
            mask_email(parts[1]),
            parts[2]
        );
    }
    if parts.first() == Some(&"legacy") {
        return "legacy|***".to_string();
    }
    mask_id(key)
}

/// An identity as `Debug` shows it: masked, so a `{:?}` of a record never identifies anyone.
/// Use it for the identity fields of a hand-written `Debug`.
#[derive(Clone, Copy)]
pub enum MaskedDebug<'a> {
    /// An email, as [`mask_email`].
    Email(Option<&'a str>),
    /// An account id (or anything else personal), as [`mask_id`].
    Id(Option<&'a str>),
    /// An identity key, as [`mask_identity_key`].
    Key(Option<&'a str>),
}

impl std::fmt::Debug for MaskedDebug<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (value, mask): (Option<&str>, fn(&str) -> String) = match *self {
            MaskedDebug::Email(v) => (v, mask_email),
            MaskedDebug::Id(v) => (v, mask_id),
            MaskedDebug::Key(v) => (v, mask_identity_key),
        };
        match value {
            Some(v) => write!(f, "{:?}", mask(v)),
            None => f.write_str("None"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// A mask keeps at most one character of an email's local part and at most four of
        /// an id.
        #[test]
        fn masks_keep_little(local in "[a-z0-9._]{2,30}", id in "[A-Za-z0-9_-]{0,40}") {
            let email = format!("{local}@example.com");
            let m = mask_email(&email);
            prop_assert_eq!(m, format!("{}***@example.com", &local[..1]));
            let masked = mask_id(&id);
            prop_assert!(masked.starts_with("***") && masked.len() <= 7);
        }
    }

    #[test]
    fn email_masking() {
        assert_eq!(mask_email("user@example.com"), "u***@example.com");
        assert_eq!(mask_email(" User@Example.com "), "U***@Example.com");
        assert_eq!(mask_email("nope"), "***");
    }

    #[test]
    fn masked_debug() {
        let d = format!(
            "{:?} {:?} {:?} {:?}",
            MaskedDebug::Email(Some("user@example.com")),
            MaskedDebug::Id(Some("acc_123456")),
            MaskedDebug::Key(Some("acc_123456|user@example.com|plus")),
            MaskedDebug::Email(None)
        );
        assert_eq!(
            d,
            r#""u***@example.com" "***3456" "***3456|u***@example.com|plus" None"#
        );
    }

    #[test]
    fn id_masking() {
        assert_eq!(mask_id("acc_123"), "***_123");
        assert_eq!(mask_id("abc"), "***");
        assert_eq!(
            mask_identity_key("acc_123456|user@example.com|plus"),
            "***3456|u***@example.com|plus"
        );
        assert_eq!(mask_identity_key("legacy|_|a%40b|plus"), "legacy|***");
    }
}
