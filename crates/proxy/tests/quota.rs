//! Usage polling after requests (reference 7.7; cases 68, 74, 75 end to end).

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::*;

fn two_accounts(home: &Home) {
    home.write_native(
        json!([
            account("acc_a", "alice@example.com", "plus"),
            account("acc_b", "bob@example.com", "pro")
        ]),
        json!({"activeIdentityKey": key("acc_a", "alice@example.com", "plus")}),
    );
}

fn snapshots(home: &Home) -> Value {
    std::fs::read_to_string(home.cache_dir().join("codex-snapshots.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null)
}

/// A mock answering Responses with a stream and usage with `usage(account_id)`.
async fn backend(usage: impl Fn(&str) -> Reply + Send + Sync + 'static) -> Mock {
    mock(move |r, _| {
        if r.path.ends_with("/wham/usage") {
            usage(&r.header("chatgpt-account-id").unwrap_or_default())
        } else {
            Reply::sse(sse_events("hello"))
        }
    })
    .await
}

#[tokio::test]
async fn a_request_is_followed_by_one_usage_poll_saved_as_the_snapshot() {
    let home = Home::new();
    two_accounts(&home);
    let mock = backend(|_| {
        Reply::json(
            200,
            json!({"rate_limit": {
                "primary_window": {"used_percent": 25, "reset_at": 1_710_000_000u64},
                "secondary_window": {"used_percent": 70, "reset_at": 1_711_000_000u64}},
              "credits": {"has_credits": true, "unlimited": false, "balance": "12.5"}}),
        )
    })
    .await;
    let run = proxy(&home, &mock).await;
    assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 200);

    let k = key("acc_a", "alice@example.com", "plus");
    let saved = eventually(Duration::from_secs(3), || {
        snapshots(&home)[&k]["credits"]["balance"] == "12.5"
    })
    .await;
    assert!(saved, "{}", snapshots(&home));
    let s = &snapshots(&home)[&k];
    assert_eq!(
        s["limits"],
        json!([{"name": "requests", "leftPct": 75, "resetsAt": 1_710_000_000_000u64},
               {"name": "tokens", "leftPct": 30, "resetsAt": 1_711_000_000_000u64}])
    );
    assert_eq!(
        s["credits"],
        json!({"hasCredits": true, "unlimited": false, "balance": "12.5"})
    );
    assert_eq!(s["modelFamily"], "codex");

    // Case 74's request: the usage URL under /backend-api, the account's credentials.
    let calls = mock.usage_calls();
    assert_eq!(calls.len(), 1);
    let c = &calls[0];
    assert_eq!(c.method, "GET");
    assert_eq!(c.path, "/backend-api/wham/usage");
    assert_eq!(c.bearer().as_deref(), Some("at_acc_a"));
    assert_eq!(c.header("chatgpt-account-id").as_deref(), Some("acc_a"));
    assert_eq!(c.header("accept").as_deref(), Some("application/json"));
    assert_eq!(c.header("user-agent").as_deref(), Some("codex_cli_rs"));
    assert!(c.header("openai-account-id").is_none());

    // Within 60 s the same account is not polled again.
    assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 200);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(mock.usage_calls().len(), 1);

    let metrics = metrics_text(&run).await;
    assert!(
        metrics.contains("codex_proxy_usage_polls_total{result=\"ok\"} 1"),
        "{metrics}"
    );
    run.stop().await;
}

#[tokio::test]
async fn an_exhausted_window_rests_the_account_until_it_resets() {
    let home = Home::new();
    two_accounts(&home);
    let reset_s = (now_ms() / 1000.0).floor() as u64 + 7_200;
    let mock = backend(move |id| {
        let reset = reset_s;
        let used = if id == "acc_a" { 100 } else { 10 };
        Reply::json(
            200,
            json!({"rate_limit": {"primary_window": {"used_percent": used, "reset_at": reset}}}),
        )
    })
    .await;
    let run = proxy(&home, &mock).await;
    assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 200);
    assert_eq!(mock.responses()[0].bearer().as_deref(), Some("at_acc_a"));

    // The poll finds the 5-hour window at 0 %: A cools until the reset, in the store too.
    let cooled = eventually(Duration::from_secs(3), || {
        home.account("acc_a")["cooldownUntil"].as_f64() == Some(reset_s as f64 * 1000.0)
    })
    .await;
    assert!(cooled, "{}", home.account("acc_a"));
    assert_eq!(home.account("acc_a")["enabled"], true);

    // The next request goes to B without meeting a 429 on A first.
    assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 200);
    let responses = mock.responses();
    assert_eq!(responses.len(), 2);
    assert_eq!(responses[1].bearer().as_deref(), Some("at_acc_b"));

    let a = status_of(&run, "a***").await;
    assert_eq!(a["state"], "cooling_down");
    assert_eq!(a["lastError"]["code"], "quota_limit_exhausted_5h", "{a}");
    // /status shows the polled quota (read back from codex-snapshots.json).
    let shown = eventually(Duration::from_secs(3), || {
        std::fs::read_to_string(home.cache_dir().join("codex-snapshots.json"))
            .is_ok_and(|t| t.contains("\"leftPct\": 0"))
    })
    .await;
    assert!(shown);
    let a = status_of(&run, "a***").await;
    assert_eq!(a["quota"]["fiveHour"]["leftPct"], 0, "{a}");
    assert_eq!(
        a["quota"]["fiveHour"]["resetsAt"].as_f64(),
        Some(reset_s as f64 * 1000.0)
    );
    assert_eq!(a["quota"]["weekly"], serde_json::Value::Null);
    run.stop().await;
}

#[tokio::test]
async fn a_failed_poll_changes_nothing_and_polling_can_be_turned_off() {
    let home = Home::new();
    two_accounts(&home);
    let before = home.read_store();
    let mock = backend(|_| Reply::json(500, json!({"error": "nope"}))).await;
    let run = proxy(&home, &mock).await;
    assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 200);
    assert!(eventually(Duration::from_secs(3), || mock.usage_calls().len() == 1).await);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(snapshots(&home), Value::Null, "nothing saved");
    let after = home.read_store();
    assert_eq!(
        after["openai"]["native"]["accounts"][0]["cooldownUntil"],
        before["openai"]["native"]["accounts"][0]["cooldownUntil"]
    );
    run.stop().await;

    let mock = backend(|_| Reply::json(200, json!({}))).await;
    let run = codex_proxy::start(proxy_config(&home, &mock, |o| o.no_quota_poll = true))
        .await
        .expect("start");
    assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(mock.usage_calls().is_empty());
    run.stop().await;
}

/// The `/status` row of the account whose masked label starts with `label`.
async fn status_of(run: &codex_proxy::Running, label: &str) -> serde_json::Value {
    let status = get_json(run, "/status").await;
    status["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["label"].as_str().is_some_and(|l| l.starts_with(label)))
        .cloned()
        .unwrap_or_else(|| panic!("no account {label} in {status}"))
}
