//! Masking for identities shown to people.
//!
//! Emails become `u***@example.com`, account ids keep a short tail (`…a1b2`), identity keys
//! (`accountId|email|plan`) mask their first two parts and keep the plan. Masked output is
//! enough to tell accounts apart in a pasted report without identifying the user.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_masking() {
        assert_eq!(mask_email("user@example.com"), "u***@example.com");
        assert_eq!(mask_email(" User@Example.com "), "U***@Example.com");
        assert_eq!(mask_email("nope"), "***");
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
