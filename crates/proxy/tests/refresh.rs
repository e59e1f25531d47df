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
    home.write_store(
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
    home.write_store(
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
