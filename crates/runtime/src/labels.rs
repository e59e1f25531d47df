//! The masked labels that tell a user's accounts apart (`u***@example.com`, `id:***3456`).
//!
//! When two accounts mask to the same label (`j***@example.com` for john@ and jane@, or one
//! email in two workspaces), each gets a short stable tag, `j***@example.com ~3fa2`: four hex
//! digits of a SHA-256 of its whole identity key (account id, email, plan), which tells the
//! accounts apart without revealing or confirming an email.

use std::collections::HashMap;

use codex_store::AccountRow;
use sha2::{Digest, Sha256};

/// The masked account part of a row: `u***@example.com`, `id:***3456` or `account`.
pub fn masked_account(row: &AccountRow) -> String {
    match (&row.email, &row.account_id) {
        (Some(e), _) => codex_redact::mask_email(e),
        (None, Some(id)) => format!("id:{}", codex_redact::mask_id(id)),
        (None, None) => "account".to_string(),
    }
}

/// The stable tag of an identity key: four hex digits of a domain-separated SHA-256.
pub fn identity_tag(identity_key: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"codex-kit account tag\0")
        .chain_update(identity_key.as_bytes())
        .finalize();
    digest.iter().take(2).map(|b| format!("{b:02x}")).collect()
}

/// Masked account parts by identity key, tagged where two rows would read the same.
pub fn distinct_accounts(rows: &[AccountRow]) -> HashMap<String, String> {
    let mut count: HashMap<String, usize> = HashMap::new();
    for r in rows {
        *count.entry(masked_account(r)).or_default() += 1;
    }
    rows.iter()
        .map(|r| {
            let m = masked_account(r);
            let label = if count.get(&m).copied().unwrap_or(0) > 1 {
                format!("{m} ~{}", identity_tag(&r.identity_key))
            } else {
                m
            };
            (r.identity_key.clone(), label)
        })
        .collect()
}

/// Distinct masked labels with the plan (`u***@example.com ~3fa2 (plus)`) by identity key.
pub fn distinct_labels(rows: &[AccountRow]) -> HashMap<String, String> {
    let accounts = distinct_accounts(rows);
    rows.iter()
        .map(|r| {
            let a = accounts
                .get(&r.identity_key)
                .cloned()
                .unwrap_or_else(|| masked_account(r));
            let label = match &r.plan {
                Some(p) => format!("{a} ({p})"),
                None => a,
            };
            (r.identity_key.clone(), label)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_stable_short_and_distinct() {
        let a = identity_tag("acc_1|john@example.com|plus");
        assert_eq!(a, identity_tag("acc_1|john@example.com|plus"));
        assert_eq!(a.len(), 4);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()), "{a}");
        assert_ne!(a, identity_tag("acc_1|jane@example.com|plus"));
    }
}
