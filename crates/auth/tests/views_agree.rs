//! The doctor's lenient view ([`codex_auth::AccountsView`]) and the store's strict read
//! ([`codex_auth::AuthState`]) read the same file as the same accounts: same domains, and per
//! record the same account id, email, plan, identity key, enabled flag, token presence and
//! times, and the same active key. Run over the plugin's fixtures (copies of the reference
//! anchor's `test/fixtures`), the store's fixtures and round-trip expectations, the CI fixture
//! home, and the edge cases where two separate models used to disagree.

use std::path::{Path, PathBuf};

use codex_auth::model::{parse_store_bytes, StoreRead};
use codex_auth::{Account, AuthState, Domain};
use serde_json::json;

/// What both reads must agree on for one record.
#[derive(Debug, PartialEq)]
struct Seen {
    account_id: Option<String>,
    email: Option<String>,
    plan: Option<String>,
    identity_key: Option<String>,
    enabled: bool,
    has_access: bool,
    has_refresh: bool,
    expires: Option<f64>,
    cooldown_until: Option<f64>,
    refresh_lease_until: Option<f64>,
    last_used: Option<f64>,
}

fn seen(a: &Account) -> Seen {
    let s = |v: Option<&str>| v.map(str::to_string);
    Seen {
        account_id: s(a.account_id()),
        email: s(a.email()),
        plan: s(a.plan()),
        identity_key: s(a.identity_key()),
        enabled: a.is_enabled(),
        has_access: a.access().is_some(),
        has_refresh: a.has_refresh(),
        expires: a.expires(),
        cooldown_until: a.cooldown_until(),
        refresh_lease_until: a.refresh_lease_until(),
        last_used: a.last_used(),
    }
}

type Domains = Vec<(Domain, Vec<Seen>, Option<String>)>;

fn strict(text: &str) -> Domains {
    let state = AuthState::parse(text, true).expect("the store reads the fixture");
    let Some(oauth) = state.oauth() else {
        return Vec::new();
    };
    oauth
        .domains()
        .map(|(d, dom)| {
            let accounts = dom.accounts().iter().map(seen).collect();
            (d, accounts, dom.active().map(str::to_string))
        })
        .collect()
}

fn lenient(text: &str) -> Domains {
    let StoreRead::Parsed(view) = parse_store_bytes(text.as_bytes()) else {
        panic!("the doctor does not parse the fixture");
    };
    let Some(openai) = view.openai.filter(|o| o.is_oauth()) else {
        return Vec::new();
    };
    openai
        .domains
        .iter()
        .map(|d| {
            let accounts = d.accounts.iter().map(|r| seen(r)).collect();
            (d.domain, accounts, d.effective_active().map(str::to_string))
        })
        .collect()
}

fn assert_agree(name: &str, text: &str) {
    let (s, l) = (strict(text), lenient(text));
    assert_eq!(
        l, s,
        "{name}: the doctor's view (left) and the store's read (right)"
    );
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn every_fixture_reads_the_same_through_both() {
    let mut files: Vec<PathBuf> = vec![
        root().join("tests/fixtures/plugin/auth-multi.json"),
        root().join("tests/fixtures/plugin/auth-single.json"),
        root().join("checks/fixture-home/.config/opencode/codex-accounts.json"),
    ];
    let store = root().join("crates/store/tests/fixtures");
    let mut stored: Vec<PathBuf> = std::fs::read_dir(&store)
        .expect("store fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    stored.sort();
    assert!(stored.len() >= 8, "{stored:?}");
    files.extend(stored);
    let mut with_accounts = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).expect("fixture");
        assert_agree(&f.display().to_string(), &text);
        with_accounts += usize::from(strict(&text).iter().any(|(_, a, _)| !a.is_empty()));
    }
    // The comparison is not vacuous: every fixture holds accounts.
    assert_eq!(with_accounts, files.len());
}

#[test]
fn edge_cases_read_the_same_through_both() {
    let claims = codex_testkit::jwt(&json!({
        "https://api.openai.com/auth": {"chatgpt_account_id": "acc_claim", "chatgpt_plan_type": "pro"},
        "https://api.openai.com/profile": {"email": "Claim@Example.com"},
        "email": "Claim@Example.com",
    }));
    let cases = [
        // A stored legacy key on a record the claims cannot complete: the store keeps the key
        // and selects the record by it.
        (
            "legacy key without a strict identity",
            json!({"openai": {"type": "oauth", "native": {"accounts": [
                {"identityKey": "legacy|_|one%40example.com|plus", "email": "one@example.com", "plan": "plus", "refresh": "rt"}
            ]}}}),
        ),
        // A blank email is not filled from the access token's claims (only a missing or empty one is).
        (
            "blank email with claims",
            json!({"openai": {"type": "oauth", "native": {"accounts": [
                {"email": "  ", "access": claims, "refresh": "rt"}
            ]}}}),
        ),
        (
            "missing fields from claims",
            json!({"openai": {"type": "oauth", "codex": {"accounts": [
                {"access": claims, "refresh": "rt", "cooldownUntil": 5, "enabled": false}
            ]}}}),
        ),
        (
            "aggregate only, split by authTypes",
            json!({"openai": {"type": "oauth", "activeIdentityKey": "b|b@x.io|plus", "accounts": [
                {"accountId": " a ", "email": "A@X.io", "plan": "Plus", "authTypes": ["codex", "native"], "refreshLeaseUntil": 7},
                {"accountId": "b", "email": "b@x.io", "plan": "plus", "authTypes": ["bogus"], "lastUsed": 3},
                {"email": "c@x.io", "authTypes": ["codex"]}
            ]}}),
        ),
        (
            "custom key and an active key naming a disabled record",
            json!({"openai": {"type": "oauth", "native": {"activeIdentityKey": "custom", "accounts": [
                {"identityKey": "custom", "accountId": "a", "email": "a@x.io", "plan": "pro", "enabled": false},
                {"identityKey": "x|y|z", "accountId": "b", "email": "b@x.io", "plan": "pro"}
            ]}}}),
        ),
        (
            "legacy single-account shape",
            json!({"openai": {"type": "oauth", "refresh": "rt", "access": claims, "expires": 12}}),
        ),
        (
            "legacy v4 shape in codex-accounts.json",
            json!({"version": 4, "activeIndex": 1, "accounts": [
                {"refreshToken": " rt_1 ", "accessToken": claims, "expiresAt": 111},
                {"refreshToken": "rt_2", "email": "b@x.io", "enabled": false, "coolingDownUntil": 9}
            ]}),
        ),
    ];
    for (name, v) in cases {
        let text = v.to_string();
        assert_agree(name, &text);
        assert!(!strict(&text).is_empty(), "{name}: no domains");
    }
}
