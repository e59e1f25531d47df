//! Reference 15, items 43–48: identity keys, claims and the login upsert.

use codex_auth::identity::{build_identity_key, synchronize_identity_key};
use codex_auth::jwt;
use codex_redact::Secret;
use codex_store::{Domain, LoginTokens, OauthState};

use crate::common::jwt_raw;

#[test]
fn case_43_build_identity_key() {
    assert_eq!(
        build_identity_key(
            Some(" acc_123 "),
            Some(" User@Example.com "),
            Some(" Plus ")
        )
        .as_deref(),
        Some("acc_123|user@example.com|plus")
    );
}

#[test]
fn case_44_jwt_claims() {
    assert!(jwt::claims("not-a-jwt").is_none());
    assert!(jwt::claims(&jwt_raw("null")).is_none());
    let c = jwt::claims(&jwt_raw(r#"{"email":"Mixed@Case.com"}"#)).expect("claims");
    assert_eq!(c.email.as_deref(), Some("Mixed@Case.com"));
}

#[test]
fn case_45_synchronize_legacy_key() {
    assert_eq!(
        synchronize_identity_key(
            Some("legacy|acc_123|user%40example.com|plus"),
            Some("acc_123"),
            Some("user@example.com"),
            Some("plus")
        )
        .as_deref(),
        Some("acc_123|user@example.com|plus")
    );
}

fn login(access_claims: &str, refresh: &str) -> LoginTokens {
    LoginTokens {
        access: Secret::new(jwt_raw(access_claims)),
        refresh: Secret::new(refresh.to_string()),
        id_token: None,
        expires_in_secs: Some(3600.0),
    }
}

fn native(s: &OauthState) -> Vec<serde_json::Value> {
    s.domain(Domain::Native)
        .map(|d| {
            d.accounts()
                .iter()
                .map(|a| {
                    serde_json::json!({
                        "key": a.identity_key(),
                        "email": a.email(),
                        "plan": a.plan(),
                        "refresh": a.refresh().map(|r| r.expose().clone()),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn case_46_same_refresh_new_email_and_plan_is_a_new_record() {
    let mut s = OauthState::empty();
    s.upsert_login(
        Domain::Native,
        &login(
            r#"{"chatgpt_account_id":"acc_1","email":"a@x.io","plan":"plus"}"#,
            "rt",
        ),
        1000.0,
    );
    s.upsert_login(
        Domain::Native,
        &login(
            r#"{"chatgpt_account_id":"acc_1","email":"b@x.io","plan":"pro"}"#,
            "rt",
        ),
        2000.0,
    );
    let rows = native(&s);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0]["email"], "a@x.io");
    assert_eq!(rows[1]["key"], "acc_1|b@x.io|pro");
    assert_eq!(
        s.domain(Domain::Native).and_then(|d| d.active()),
        Some("acc_1|b@x.io|pro")
    );
}

#[test]
fn case_47_refresh_match_without_account_id_keeps_identity() {
    let mut s = OauthState::empty();
    s.upsert_login(
        Domain::Native,
        &login(
            r#"{"chatgpt_account_id":"acc_1","email":"a@x.io","plan":"plus"}"#,
            "rt",
        ),
        1000.0,
    );
    let tokens = LoginTokens {
        access: Secret::new("opaque-access".into()),
        ..login("{}", "rt")
    };
    s.upsert_login(Domain::Native, &tokens, 2000.0);
    let d = s.domain(Domain::Native).expect("native");
    assert_eq!(d.accounts().len(), 1);
    let a = &d.accounts()[0];
    assert_eq!(a.identity_key(), Some("acc_1|a@x.io|plus"));
    assert_eq!(
        a.access().map(|t| t.expose().as_str()),
        Some("opaque-access")
    );
    assert_eq!(a.expires(), Some(2000.0 + 3_600_000.0));
}

#[test]
fn case_48_ambiguous_refresh_token_inserts() {
    let text = r#"{"openai":{"type":"oauth","native":{"accounts":[
      {"refresh":"rt_shared","email":"one@x.io"},{"refresh":"rt_shared","email":"two@x.io"}]}}}"#;
    let mut state = codex_store::AuthState::parse(text, true).expect("parse");
    let s = state.oauth_mut().expect("oauth");
    let tokens = LoginTokens {
        access: Secret::new("opaque".into()),
        ..login("{}", "rt_shared")
    };
    s.upsert_login(Domain::Native, &tokens, 1.0);
    assert_eq!(
        s.domain(Domain::Native).map(|d| d.accounts().len()),
        Some(3)
    );
}

#[test]
fn login_clears_lease_and_cooldown_and_creates_the_store() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = crate::common::store_with(tmp.path(), None);
    let key = store
        .upsert_login(
            Domain::Codex,
            &login(
                r#"{"chatgpt_account_id":"acc_9","email":"n@x.io","plan":"team"}"#,
                "rt9",
            ),
        )
        .expect("login");
    assert_eq!(key.as_deref(), Some("acc_9|n@x.io|team"));
    let v = crate::common::read_json(store.path());
    assert_eq!(
        v["openai"]["codex"]["activeIdentityKey"],
        "acc_9|n@x.io|team"
    );
    assert_eq!(
        v["openai"]["codex"]["accounts"][0]["authTypes"],
        serde_json::json!(["codex"])
    );
    assert!(
        v["openai"].get("native").is_some(),
        "ensureMultiOauthState creates native"
    );

    // Logging in again to the same account clears the lease and the cooldown it had.
    let mut doc = crate::common::read_json(store.path());
    let rec = &mut doc["openai"]["codex"]["accounts"][0];
    rec["refreshLeaseUntil"] = serde_json::json!(9e15);
    rec["cooldownUntil"] = serde_json::json!(9e15);
    std::fs::write(store.path(), doc.to_string()).expect("seed");
    store
        .upsert_login(
            Domain::Codex,
            &login(
                r#"{"chatgpt_account_id":"acc_9","email":"n@x.io","plan":"team"}"#,
                "rt10",
            ),
        )
        .expect("login again");
    let v = crate::common::read_json(store.path());
    let rec = &v["openai"]["codex"]["accounts"][0];
    assert_eq!(
        v["openai"]["codex"]["accounts"].as_array().map(Vec::len),
        Some(1)
    );
    assert!(rec.get("refreshLeaseUntil").is_none(), "{rec}");
    assert!(rec.get("cooldownUntil").is_none(), "{rec}");
    assert_eq!(rec["refresh"], "rt10");
}
