//! Token refresh parsing (reference 15, case 101) and proactive refresh (9.6).

use codex_proxy::refresh::parse_failure;
use serde_json::json;

use crate::support::*;

#[test]
fn case_101_failure_messages() {
    let e = parse_failure(
        400,
        r#"{"error":"invalid_grant","error_description":"expired"}"#,
    );
    assert_eq!(e.message, "Token refresh failed (invalid_grant)");
    assert_eq!(e.oauth_message.as_deref(), Some("expired"));
    assert_eq!(e.status, Some(400));
    assert!(e.is_terminal());
    let e = parse_failure(
        401,
        r#"{"error":{"code":"refresh_token_reused","message":"reused"}}"#,
    );
    assert_eq!(e.message, "Token refresh failed (refresh_token_reused)");
    assert!(e.is_terminal());
    let e = parse_failure(502, "<html>bad gateway</html>");
    assert_eq!(e.message, "Token refresh failed (status 502)");
    assert!(!e.is_terminal());
}

#[tokio::test]
async fn proactive_refresh_renews_expiring_tokens_under_a_lease() {
    let home = Home::new();
    let mut soon = account("acc_a", "a@example.com", "plus");
    soon["expires"] = json!(now_ms() + 30_000.0);
    let mut cooling = account("acc_b", "b@example.com", "plus");
    cooling["expires"] = json!(now_ms() + 30_000.0);
    cooling["cooldownUntil"] = json!(now_ms() + 600_000.0);
    home.write_native(
        json!([soon, cooling, account("acc_c", "c@example.com", "plus")]),
        json!({}),
    );
    let mock = mock(|_, _| token_reply("at_pro_a", "rt_pro_a")).await;
    let run = proxy(&home, &mock).await;
    codex_proxy::proactive::one_pass(&run.state, 60_000.0).await;
    let calls = mock.token_calls();
    assert_eq!(calls.len(), 1, "only the expiring, free account");
    let form = String::from_utf8_lossy(&calls[0].body);
    assert!(form.contains("refresh_token=rt_acc_a"), "{form}");
    let a = home.account("acc_a");
    assert_eq!(a["refresh"], "rt_pro_a");
    assert_eq!(a["access"], "at_pro_a");
    assert!(a["expires"].as_f64().unwrap_or(0.0) > now_ms() + 3_000_000.0);
    assert!(a.get("refreshLeaseUntil").is_none());
    assert_eq!(home.account("acc_b")["refresh"], "rt_acc_b");
    run.stop().await;
}

#[tokio::test]
async fn a_live_lease_held_elsewhere_is_respected() {
    let home = Home::new();
    let mut a = account("acc_a", "a@example.com", "plus");
    a["expires"] = json!(1000);
    a["refreshLeaseUntil"] = json!(now_ms() + 60_000.0);
    home.write_native(
        json!([a, account("acc_b", "b@example.com", "plus")]),
        json!({}),
    );
    let mock = mock(|req, _| {
        if req.path == "/oauth/token" {
            token_reply("x", "y")
        } else {
            Reply::sse(sse_events("b"))
        }
    })
    .await;
    let run = proxy(&home, &mock).await;
    assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 200);
    assert!(
        mock.token_calls().is_empty(),
        "never spends a token another process is refreshing"
    );
    assert_eq!(mock.responses()[0].bearer().as_deref(), Some("at_acc_b"));
    run.stop().await;
}

/// Both refresh paths save through `codex_proxy::refresh::save_refreshed`: the stored
/// identity survives either.
#[tokio::test]
async fn a_refreshed_token_saved_by_either_path_keeps_account_id_email_and_plan() {
    let keeps = |home: &Home, access: &str| {
        let a = home.account("acc_a");
        assert_eq!(a["access"], access);
        assert_eq!(a["accountId"], "acc_a");
        assert_eq!(a["email"], "a@example.com");
        assert_eq!(a["plan"], "plus");
    };
    // The request path: an expired token refreshed for a request.
    let home = Home::new();
    let mut expired = account("acc_a", "a@example.com", "plus");
    expired["expires"] = json!(1000);
    home.write_native(json!([expired]), json!({}));
    let backend = mock(|req, _| {
        if req.path == "/oauth/token" {
            token_reply("at_req_a", "rt_req_a")
        } else {
            Reply::sse(sse_events("ok"))
        }
    })
    .await;
    let run = proxy(&home, &backend).await;
    assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 200);
    assert_eq!(backend.token_calls().len(), 1);
    keeps(&home, "at_req_a");
    run.stop().await;

    // The proactive path: a token expiring within the buffer.
    let home = Home::new();
    let mut soon = account("acc_a", "a@example.com", "plus");
    soon["expires"] = json!(now_ms() + 30_000.0);
    home.write_native(json!([soon]), json!({}));
    let issuer = mock(|_, _| token_reply("at_pro_a", "rt_pro_a")).await;
    let run = proxy(&home, &issuer).await;
    codex_proxy::proactive::one_pass(&run.state, 60_000.0).await;
    assert_eq!(issuer.token_calls().len(), 1);
    keeps(&home, "at_pro_a");
    run.stop().await;
}

#[test]
fn the_request_path_takes_identity_from_new_claims_and_the_proactive_one_does_not() {
    use codex_proxy::refresh::{refreshed_tokens, RefreshPurpose, TokenResponse};
    use codex_redact::Secret;
    let tokens = TokenResponse {
        access: Secret::new(jwt(&json!({
            "email": "new@example.com",
            "plan": "pro",
            "https://api.openai.com/auth": {"chatgpt_account_id": "acc_new"}
        }))),
        refresh: Secret::new("rt".into()),
        id_token: None,
        expires_in: Some(60.0),
    };
    let r = refreshed_tokens(&tokens, 1_000.0, RefreshPurpose::Request);
    assert_eq!(r.expires, 61_000.0);
    assert_eq!(r.email.as_deref(), Some("new@example.com"));
    assert_eq!(r.plan.as_deref(), Some("pro"));
    let p = refreshed_tokens(
        &tokens,
        1_000.0,
        RefreshPurpose::Proactive { buffer_ms: 1.0 },
    );
    assert_eq!(p.expires, 61_000.0);
    assert_eq!((p.account_id, p.email, p.plan), (None, None, None));
}
