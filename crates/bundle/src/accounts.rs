//! `auth/accounts-summary.json`: what the maintainer needs from the auth files, and nothing
//! that identifies the user or grants access.
//!
//! Per account: a pseudonym (the identity key's, else the account id's, else the email's),
//! email and account-id pseudonyms, domain, plan, enabled, active, identity present,
//! has-access / has-refresh, and expiry, cooldown and refresh lease relative to now. The
//! store itself is never copied. Legacy sources are reduced to their state and account count.

use codex_auth::legacy::{read_legacy_plugin_store, read_opencode_auth, LegacySource};
use codex_auth::model::{read_store, AccountRecord, DomainView, StoreRead};
use codex_paths::Paths;
use codex_scrub::{Kind, Pseudonymizer};
use serde_json::{json, Value};

use codex_timefmt::{relative, rfc3339_ms};

fn account(
    rec: &AccountRecord,
    view: &DomainView,
    i: usize,
    p: &Pseudonymizer,
    now_ms: f64,
) -> Value {
    let pseudo = |k: Kind, v: Option<&str>| v.map(|s| p.pseudonym(k, s.as_bytes()));
    let ident = pseudo(Kind::Identity, rec.identity_key());
    let acct = pseudo(Kind::Account, rec.account_id());
    let email = pseudo(Kind::Email, rec.email());
    let name = ident
        .clone()
        .or_else(|| acct.clone())
        .or_else(|| email.clone())
        .unwrap_or_else(|| format!("{}#{}", view.domain, i + 1));
    let future = |t: Option<f64>| t.filter(|&t| t > now_ms).map(|t| relative(t, now_ms));
    json!({
        "account": name,
        "domain": view.domain.as_str(),
        "position": i + 1,
        "identity_key": ident,
        "email": email,
        "account_id": acct,
        "plan": rec.plan(),
        "enabled": rec.is_enabled(),
        "active": rec.identity_key().is_some() && view.effective_active() == rec.identity_key(),
        "identity_present": rec.has_identity(),
        "has_access": rec.access().is_some_and(|a| !a.expose().trim().is_empty()),
        "has_refresh": rec.has_refresh(),
        "access_expires": rec.expires().map(|t| relative(t, now_ms)),
        "access_expired": rec.expires().map(|t| t <= now_ms),
        "cooldown": future(rec.cooldown_until()),
        "refresh_lease": future(rec.refresh_lease_until()),
        "last_used": rec.last_used().map(|t| relative(t, now_ms)),
        "issues": rec.issues(),
    })
}

fn legacy_state(src: &LegacySource) -> Value {
    match src {
        LegacySource::Missing => json!({"state": "missing"}),
        LegacySource::Unusable(why) => json!({"state": "unusable", "why": why}),
        LegacySource::Usable { accounts, .. } => json!({"state": "usable", "accounts": accounts}),
    }
}

/// The summary document.
pub(crate) fn summary(paths: &Paths, p: &Pseudonymizer, now_ms: f64) -> Value {
    let (store, accounts, strategy, issues) = match read_store(&paths.auth_store().path) {
        StoreRead::Missing => ("missing".to_string(), vec![], None, vec![]),
        StoreRead::Unreadable { error, .. } => {
            (format!("unreadable: {error}"), vec![], None, vec![])
        }
        StoreRead::NotJson { message, .. } => {
            (format!("not valid JSON: {message}"), vec![], None, vec![])
        }
        StoreRead::NotObject { found } => (
            format!("not a JSON object (found {found})"),
            vec![],
            None,
            vec![],
        ),
        StoreRead::Parsed(s) => {
            let mut rows = Vec::new();
            let mut strategy = None;
            let mut issues = Vec::new();
            if let Some(o) = &s.openai {
                strategy = o.strategy.clone();
                issues = o.issues.clone();
                for view in &o.domains {
                    for (i, rec) in view.accounts.iter().enumerate() {
                        rows.push(account(rec, view, i, p, now_ms));
                    }
                }
            }
            let state = match (&s.openai, s.openai_wrong_type) {
                (Some(o), _) if o.is_oauth() => "parsed".to_string(),
                (Some(o), _) => format!("parsed; openai.type is {:?}, not \"oauth\"", o.kind),
                (None, Some(t)) => format!("parsed; openai is a {t}, not an object"),
                (None, None) => "parsed; no openai entry".to_string(),
            };
            (state, rows, strategy, issues)
        }
    };
    let mut legacy = vec![json!({
        "file": "openai-codex-accounts.json",
        "source": legacy_state(&read_legacy_plugin_store(&paths.legacy_store().path)),
    })];
    for f in paths.opencode_auth_files() {
        // The path itself (the redaction shows the home folder as `~`); the rule that found
        // it is prose a value key does not keep.
        legacy.push(json!({
            "file": f.path.display().to_string(),
            "source": legacy_state(&read_opencode_auth(&f.path)),
        }));
    }
    json!({
        "generated_at": rfc3339_ms(now_ms),
        "note": "Summary of codex-accounts.json; the store itself is never included. Pseudonyms are valid within this bundle only.",
        "store": store,
        "strategy": strategy,
        "issues": issues,
        "accounts": accounts,
        "legacy_sources": legacy,
    })
}
