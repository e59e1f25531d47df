//! Operations: the tools' switch / enable / disable / remove, tokens, leases, secrets.

use codex_redact::Secret;
use codex_store::{
    AuthStore, CommitOptions, Domain, EditError, RefreshedTokens, StoreError, WriteOutcome,
};
use serde_json::json;

use crate::common::{opts_at, read_json, store_with};

const THREE: &str = r#"{"openai":{"type":"oauth",
  "native":{"activeIdentityKey":"a|a@x.io|pro","accounts":[
    {"accountId":"a","email":"a@x.io","plan":"pro","refresh":"ra","access":"secret-access-a","expires":10},
    {"accountId":"b","email":"b@x.io","plan":"plus","refresh":"rb","enabled":false},
    {"email":"c@x.io","refresh":"rc"}]},
  "codex":{"accounts":[{"accountId":"a","email":"a@x.io","plan":"pro","refresh":"ra2","expires":20}]}}}"#;

fn three(tmp: &std::path::Path) -> AuthStore {
    store_with(tmp, Some(THREE))
}

#[test]
fn rows_follow_the_aggregate() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let rows = three(tmp.path()).rows().expect("rows");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].index, 1);
    assert_eq!(rows[0].identity_key, "a|a@x.io|pro");
    assert_eq!(rows[0].domains, [Domain::Native, Domain::Codex]);
    assert!(rows[0].active && rows[0].strict_identity);
    assert_eq!(rows[0].expires, Some(20.0), "freshest copy");
    assert!(!rows[1].enabled);
    assert_eq!(rows[2].identity_key, "legacy|_|c%40x.io|_");
    assert!(!rows[2].strict_identity);
    assert_eq!(rows[0].plugin_label(), "a@x.io (pro)");
    assert_eq!(rows[0].masked_label(), "a***@x.io (pro)");
}

#[test]
fn switch_enable_disable_remove() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = three(tmp.path());

    let err = store.switch_active(2).expect_err("disabled");
    assert!(
        matches!(
            err,
            StoreError::Edit(EditError::TargetDisabled { index: 2 })
        ),
        "{err}"
    );
    let err = store.switch_active(9).expect_err("index");
    assert_eq!(
        err.to_string(),
        "Invalid account index: #9 (there are 3 accounts)"
    );
    let err = store.switch_active(3).expect_err("identityless");
    assert!(
        matches!(
            err,
            StoreError::Edit(EditError::MissingIdentity { index: 3 })
        ),
        "{err}"
    );

    let (row, changed) = store.set_enabled(2, true).expect("enable").value;
    assert!(changed);
    assert_eq!(row.index, 2);
    let switched = store.switch_active(2).expect("switch");
    assert_eq!(switched.outcome, WriteOutcome::Written);
    let v = read_json(store.path());
    assert_eq!(v["openai"]["activeIdentityKey"], "b|b@x.io|plus");
    assert_eq!(v["openai"]["native"]["activeIdentityKey"], "b|b@x.io|plus");
    assert!(v["openai"]["codex"]
        .get("activeIdentityKey")
        .is_some_and(|k| k == "a|a@x.io|pro"));

    // Disabling the active account moves the domain's active key.
    let out = store.set_enabled(2, false).expect("disable");
    assert!(out.value.1);
    let v = read_json(store.path());
    assert_eq!(v["openai"]["native"]["activeIdentityKey"], "a|a@x.io|pro");

    // Idempotent: nothing changes, nothing is written.
    let out = store.set_enabled(2, false).expect("disable again");
    assert!(!out.value.1);
    assert_eq!(out.outcome, WriteOutcome::Unchanged);

    // Disable row 1 in both domains (matched by identity key in each).
    store.set_enabled(1, false).expect("disable 1");
    let v = read_json(store.path());
    assert_eq!(v["openai"]["native"]["accounts"][0]["enabled"], false);
    assert_eq!(v["openai"]["codex"]["accounts"][0]["enabled"], false);

    // The identityless row is matched by its unique refresh token.
    store.set_enabled(3, false).expect("disable 3");
    let v = read_json(store.path());
    assert_eq!(v["openai"]["native"]["accounts"][2]["enabled"], false);

    let (row, removed) = store.remove(1).expect("remove").value;
    assert!(removed);
    assert_eq!(row.identity_key, "a|a@x.io|pro");
    let v = read_json(store.path());
    assert_eq!(
        v["openai"]["native"]["accounts"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(v["openai"]["codex"]["accounts"], json!([]));
}

#[test]
fn no_oauth_entry_is_reported() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = store_with(
        tmp.path(),
        Some(r#"{"openai":{"type":"api","key":"sk-secret"}}"#),
    );
    let err = store.switch_active(1).expect_err("not oauth");
    assert!(matches!(err, StoreError::NotOauth { .. }), "{err}");
    assert!(!err.to_string().contains("sk-secret"));
    let store = store_with(tmp.path(), Some("{}"));
    assert!(matches!(
        store.switch_active(1),
        Err(StoreError::NotConfigured { .. })
    ));
}

#[test]
fn lease_claim_commit_and_loss() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = three(tmp.path()).path().to_path_buf();
    let store = AuthStore::with_options(&path, opts_at(1_000));
    let key = "a|a@x.io|pro";
    let ra = Secret::new("ra".to_string());

    assert!(store
        .acquire_lease(Domain::Native, key, &Secret::new("wrong".into()), 30_000.0)
        .expect("lease")
        .is_none());
    let lease = store
        .acquire_lease(Domain::Native, key, &ra, 30_000.0)
        .expect("lease")
        .expect("claimed");
    assert_eq!(lease.until, 31_000.0);
    // A second claim while the lease is live fails.
    assert!(store
        .acquire_lease(Domain::Native, key, &ra, 30_000.0)
        .expect("lease")
        .is_none());

    let tokens = RefreshedTokens {
        access: Secret::new("new-access".into()),
        refresh: Secret::new("new-refresh".into()),
        expires: 9_999_999.0,
        account_id: None,
        email: None,
        plan: None,
    };
    let opts = CommitOptions {
        set_active: true,
        touch_last_used: true,
        cooldown_if_expiring_within_ms: None,
    };
    assert!(store
        .commit_refresh(&lease, &tokens, &opts)
        .expect("commit"));
    let v = read_json(&path);
    let a = &v["openai"]["native"]["accounts"][0];
    assert_eq!(a["refresh"], "new-refresh");
    assert_eq!(a["expires"], 9_999_999);
    assert_eq!(a["lastUsed"], 1000);
    assert!(a.get("refreshLeaseUntil").is_none());
    // Committing again: the lease is gone (and the refresh token changed): refused.
    assert!(!store
        .commit_refresh(&lease, &tokens, &opts)
        .expect("commit"));

    // A lease lost to a token rotation by another process is not committed.
    let nr = Secret::new("new-refresh".to_string());
    let lease = store
        .acquire_lease(Domain::Native, key, &nr, 30_000.0)
        .expect("lease")
        .expect("claimed");
    store
        .set_tokens(
            Domain::Native,
            key,
            Secret::new("x".into()),
            Secret::new("rotated".into()),
            5.0,
        )
        .expect("tokens");
    assert!(!store
        .commit_refresh(&lease, &tokens, &opts)
        .expect("commit"));
    assert!(!store.fail_refresh(&lease, true).expect("fail"));
    assert_eq!(
        read_json(&path)["openai"]["native"]["accounts"][0]["refresh"],
        "rotated"
    );
}

#[test]
fn refresh_failures_disable_or_cool_down() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = three(tmp.path()).path().to_path_buf();
    let store = AuthStore::with_options(&path, opts_at(1_000));
    let lease = store
        .acquire_lease(
            Domain::Codex,
            "a|a@x.io|pro",
            &Secret::new("ra2".into()),
            30_000.0,
        )
        .expect("lease")
        .expect("claimed");
    assert!(store.fail_refresh(&lease, false).expect("transient"));
    let v = read_json(&path);
    assert_eq!(v["openai"]["codex"]["accounts"][0]["cooldownUntil"], 31_000);
    assert!(v["openai"]["codex"]["accounts"][0]
        .get("refreshLeaseUntil")
        .is_none());

    let lease = store
        .acquire_lease(
            Domain::Native,
            "a|a@x.io|pro",
            &Secret::new("ra".into()),
            30_000.0,
        )
        .expect("lease")
        .expect("claimed");
    assert!(store.fail_refresh(&lease, true).expect("terminal"));
    let v = read_json(&path);
    assert_eq!(v["openai"]["native"]["accounts"][0]["enabled"], false);
}

#[test]
fn errors_and_debug_never_carry_tokens_or_identities() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = three(tmp.path());
    let state = store.load().expect("load");
    let shown = format!("{state:?} {:?}", store.rows().expect("rows"));
    assert!(!shown.contains("secret-access-a"), "{shown}");
    assert!(!shown.contains("\"ra\""), "{shown}");
    for email in ["a@x.io", "b@x.io", "c@x.io"] {
        assert!(!shown.contains(email), "{email} in {shown}");
    }
    assert!(
        shown.contains("a***@x.io"),
        "masked, still tellable apart: {shown}"
    );
    let bad = store_with(
        tmp.path(),
        Some(
            r#"{"openai":{"type":"oauth","native":{"accounts":[{"refresh":"rt_leak","expires":"soon"}]}}}"#,
        ),
    );
    let err = bad.load().expect_err("shape");
    let msg = format!("{err} {err:?}");
    assert!(!msg.contains("rt_leak"), "{msg}");
    assert!(msg.contains("openai.native.accounts[0].expires"), "{msg}");
}
