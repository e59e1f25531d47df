//! Failover across accounts: 429, 401 and refresh, final errors (reference 15, cases 53–58,
//! 66–70), and round robin under load.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn case_53_429_switches_account_and_persists_the_cooldown() {
    let home = Home::new();
    two_accounts(&home);
    let mock = mock_failing_a(
        || {
            Reply::with_headers(
                429,
                &[("retry-after", "10")],
                json!({"error": {"message": "slow down"}}),
            )
        },
        "from b",
    )
    .await;
    let run = proxy(&home, &mock).await;
    let before = now_ms();
    let r = post(&run, &opencode_body()).await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.expect("body").contains("from b"));
    let calls = mock.responses();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[1].bearer().as_deref(), Some("at_acc_b"));
    assert_eq!(
        calls[1].header("chatgpt-account-id").as_deref(),
        Some("acc_b")
    );
    // Persisted in the background, not before the answer.
    let cooldown = persisted_cooldown(&home, "acc_a").await;
    assert!(
        cooldown >= before + 10_000.0 && cooldown <= now_ms() + 10_000.0,
        "{cooldown}"
    );
    // The next request goes straight to b.
    let r = post(&run, &opencode_body()).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(mock.responses().len(), 3);
    run.stop().await;
}

#[tokio::test]
async fn case_54_429_without_retry_after_cools_five_seconds() {
    let home = Home::new();
    two_accounts(&home);
    let mock = mock_failing_a(
        || Reply::json(429, json!({"error": {"message": "slow down"}})),
        "b",
    )
    .await;
    let run = proxy(&home, &mock).await;
    let before = now_ms();
    assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 200);
    let cooldown = persisted_cooldown(&home, "acc_a").await;
    assert!(cooldown >= before + 5_000.0 && cooldown <= now_ms() + 5_000.0);
    run.stop().await;
}

#[tokio::test]
async fn usage_limit_body_cools_until_the_window_resets() {
    let home = Home::new();
    two_accounts(&home);
    let mock = mock_failing_a(
        || {
        Reply::with_headers(
            429,
            &[("retry-after", "5")],
            json!({"error": {"type": "usage_limit_reached", "message": "You've hit your usage limit", "resets_in_seconds": 7200}}),
        )
        },
        "b",
    )
    .await;
    let run = proxy(&home, &mock).await;
    let before = now_ms();
    assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 200);
    let cooldown = persisted_cooldown(&home, "acc_a").await;
    assert!(
        cooldown >= before + 7_200_000.0,
        "cooled until the reset, not 5 s"
    );
    run.stop().await;
}

#[tokio::test]
async fn case_56_every_account_429_gives_all_accounts_rate_limited() {
    let home = Home::new();
    home.write_native(
        json!([
            account("acc_a", "a@example.com", "plus"),
            account("acc_b", "b@example.com", "plus"),
            account("acc_c", "c@example.com", "plus"),
            account("acc_d", "d@example.com", "plus")
        ]),
        json!({}),
    );
    let mock = mock(|_, _| {
        Reply::with_headers(
            429,
            &[("retry-after", "30")],
            json!({"error": {"message": "no"}}),
        )
    })
    .await;
    let run = proxy(&home, &mock).await;
    let r = post(&run, &opencode_body()).await;
    assert_eq!(r.status().as_u16(), 429);
    assert!(r.headers().get("retry-after").is_some());
    let v = body_json(r).await;
    assert_eq!(v["error"]["type"], "all_accounts_rate_limited");
    assert!(v["error"]["message"]
        .as_str()
        .unwrap_or("")
        .contains("Try again in"));
    assert_eq!(mock.responses().len(), 3, "maxAttempts = 3");
    run.stop().await;

    let home = Home::new();
    two_accounts(&home);
    let mock = crate::support::mock(|_, _| Reply::json(429, json!({}))).await;
    let cfg = proxy_config(&home, &mock, |o| o.max_attempts = Some(0));
    assert_eq!(cfg.max_attempts, 1, "maxAttempts 0 means one attempt");
    let run = codex_proxy::start(cfg).await.expect("start");
    let v = body_json(post(&run, &opencode_body()).await).await;
    assert_eq!(v["error"]["type"], "all_accounts_rate_limited");
    assert_eq!(mock.responses().len(), 1, "maxAttempts = 1");
    run.stop().await;
}

#[tokio::test]
async fn case_55_a_failed_cooldown_write_still_retries() {
    let home = Home::new();
    two_accounts(&home);
    let mock = mock_failing_a(
        || Reply::json(429, json!({"error": {"message": "slow down"}})),
        "b anyway",
    )
    .await;
    let mut cfg = proxy_config(&home, &mock, |_| {});
    cfg.lock = codex_store::LockOptions::default().with_budget(Duration::from_millis(200));
    let run = codex_proxy::start(cfg).await.expect("start");
    // Another process holds the store's lock for the whole request.
    let held =
        codex_store::FileLock::acquire(&home.store_path(), &codex_store::LockOptions::default())
            .expect("hold the lock");
    let r = post(&run, &opencode_body()).await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.expect("body").contains("b anyway"));
    assert!(
        home.account("acc_a").get("cooldownUntil").is_none(),
        "the write failed"
    );
    drop(held);
    run.stop().await;
}

#[tokio::test]
async fn all_accounts_429_with_fewer_accounts_than_attempts() {
    let home = Home::new();
    two_accounts(&home);
    let mock = mock(|_, _| Reply::json(429, json!({"error": {"message": "no"}}))).await;
    let run = proxy(&home, &mock).await;
    let v = body_json(post(&run, &opencode_body()).await).await;
    assert_eq!(v["error"]["type"], "all_accounts_rate_limited");
    assert_eq!(mock.responses().len(), 2);
    run.stop().await;
}

#[tokio::test]
async fn a_401_is_refreshed_once_and_the_same_account_retried() {
    let home = Home::new();
    two_accounts(&home);
    let mock = mock(|req, n| {
        if req.path == "/oauth/token" {
            return token_reply("at_new_a", "rt_new_a");
        }
        match (n, req.bearer().as_deref()) {
            (0, Some("at_acc_a")) => Reply::json(401, json!({"error": {"code": "token_expired"}})),
            _ => Reply::sse(sse_events("after refresh")),
        }
    })
    .await;
    let run = proxy(&home, &mock).await;
    let r = post(&run, &opencode_body()).await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.expect("body").contains("after refresh"));
    let calls = mock.responses();
    assert_eq!(calls.len(), 2);
    assert_eq!(
        calls[1].bearer().as_deref(),
        Some("at_new_a"),
        "same account, new token"
    );
    let token = &mock.token_calls()[0];
    let form = String::from_utf8_lossy(&token.body).to_string();
    assert!(form.contains("grant_type=refresh_token"));
    assert!(form.contains("refresh_token=rt_acc_a"));
    assert!(form.contains("client_id=app_EMoamEEZ73f0CkXaXp7hrann"));
    let a = home.account("acc_a");
    assert_eq!(a["refresh"], "rt_new_a", "rotated refresh token committed");
    assert_eq!(a["access"], "at_new_a");
    assert!(a.get("refreshLeaseUntil").is_none(), "lease released");
    run.stop().await;
}

fn expired(id: &str, email: &str) -> serde_json::Value {
    let mut a = account(id, email, "plus");
    a["expires"] = json!(1000);
    a
}

#[tokio::test]
async fn case_67_invalid_grant_disables_the_account() {
    for body in [
        json!({"error": "invalid_grant", "error_description": "bad"}),
        json!({"error": {"code": "refresh_token_reused", "message": "reused"}}),
    ] {
        let home = Home::new();
        home.write_native(json!([expired("acc_a", "a@example.com")]), json!({}));
        let b = body.clone();
        let mock = mock(move |req, _| {
            if req.path == "/oauth/token" {
                Reply::json(400, b.clone())
            } else {
                Reply::sse(sse_events("never"))
            }
        })
        .await;
        let run = proxy(&home, &mock).await;
        let r = post(&run, &opencode_body()).await;
        assert_eq!(r.status().as_u16(), 401);
        let v = body_json(r).await;
        assert_eq!(v["error"]["type"], "refresh_invalid_grant");
        assert!(v["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("reauthenticate"));
        assert_eq!(
            home.account("acc_a")["enabled"],
            false,
            "disabled in the store"
        );
        assert!(mock.responses().is_empty());
        run.stop().await;
    }
}

#[tokio::test]
async fn case_68_first_refresh_invalid_grant_second_account_serves() {
    let home = Home::new();
    home.write_native(
        json!([
            expired("acc_a", "a@example.com"),
            account("acc_b", "b@example.com", "plus")
        ]),
        json!({}),
    );
    let mock = mock(|req, _| {
        if req.path == "/oauth/token" {
            Reply::json(400, json!({"error": "invalid_grant"}))
        } else {
            Reply::sse(sse_events("good"))
        }
    })
    .await;
    let run = proxy(&home, &mock).await;
    let r = post(&run, &opencode_body()).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(mock.token_calls().len(), 1);
    assert_eq!(mock.responses().len(), 1);
    assert_eq!(mock.responses()[0].bearer().as_deref(), Some("at_acc_b"));
    assert_eq!(home.account("acc_a")["enabled"], false);
    // The reference's three network calls: token, responses, then usage (in the background).
    // The proxy also refreshes the answering account's model catalog in the background (the
    // plugin does that from its chat hooks, outside this flow).
    assert!(eventually(Duration::from_secs(3), || mock.usage_calls().len() == 1).await);
    assert_eq!(mock.usage_calls()[0].bearer().as_deref(), Some("at_acc_b"));
    let others: Vec<String> = mock
        .recorded()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p != "/oauth/token" && !p.ends_with("/responses") && !p.ends_with("/models"))
        .collect();
    assert_eq!(others, ["/backend-api/wham/usage"]);
    run.stop().await;
}

#[tokio::test]
async fn case_69_transient_refresh_failure_cools_down() {
    let home = Home::new();
    home.write_native(json!([expired("acc_a", "a@example.com")]), json!({}));
    let mock = mock(|req, _| {
        if req.path == "/oauth/token" {
            Reply::json(401, json!({"error": "invalid_token"}))
        } else {
            Reply::sse(sse_events("never"))
        }
    })
    .await;
    let run = proxy(&home, &mock).await;
    let v = body_json(post(&run, &opencode_body()).await).await;
    assert_eq!(v["error"]["type"], "all_accounts_cooling_down");
    persisted_cooldown(&home, "acc_a").await;
    assert_eq!(home.account("acc_a")["enabled"], true);
    run.stop().await;
}

#[tokio::test]
async fn case_70_missing_identity_makes_no_network_call() {
    let home = Home::new();
    home.write_native(
        json!([{"email": "x@example.com", "plan": "plus", "refresh": "rt", "access": "at", "expires": 1000}]),
        json!({}),
    );
    let mock = mock(|_, _| Reply::sse(sse_events("never"))).await;
    let run = proxy(&home, &mock).await;
    let v = body_json(post(&run, &opencode_body()).await).await;
    assert_eq!(v["error"]["type"], "missing_account_identity");
    assert_eq!(mock.count.load(std::sync::atomic::Ordering::SeqCst), 0);
    let store = home.read_store();
    assert!(store["openai"]["native"]["accounts"][0]
        .get("cooldownUntil")
        .is_none());
    run.stop().await;
}

#[tokio::test]
async fn case_66_single_account_cooling_gives_all_accounts_cooling_down() {
    let home = Home::new();
    let mut a = account("acc_a", "a@example.com", "plus");
    a["cooldownUntil"] = json!(now_ms() + 90_000.0);
    home.write_native(json!([a]), json!({}));
    let mock = mock(|_, _| Reply::sse(sse_events("never"))).await;
    let run = proxy(&home, &mock).await;
    let r = post(&run, &opencode_body()).await;
    assert_eq!(r.status().as_u16(), 429);
    let v = body_json(r).await;
    assert_eq!(v["error"]["type"], "all_accounts_cooling_down");
    // 90 s minus however long this test took to get here, rounded up to whole seconds.
    let message = v["error"]["message"].as_str().unwrap_or("");
    let secs: Option<u32> = message
        .split_once("Try again in 1m ")
        .and_then(|(_, rest)| rest.split_once('s'))
        .and_then(|(n, _)| n.parse().ok());
    assert!(
        secs.is_some_and(|s| (15..=30).contains(&s)),
        "a wait of 1m 15s..1m 30s: {message}"
    );
    run.stop().await;
}

#[tokio::test]
async fn no_enabled_and_no_accounts() {
    let home = Home::new();
    let mut a = account("acc_a", "a@example.com", "plus");
    a["enabled"] = json!(false);
    home.write_native(json!([a]), json!({}));
    let mock = mock(|_, _| Reply::sse(sse_events("never"))).await;
    let run = proxy(&home, &mock).await;
    let r = post(&run, &opencode_body()).await;
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(body_json(r).await["error"]["type"], "no_enabled_accounts");
    run.stop().await;

    let empty = Home::new();
    let run = proxy(&empty, &mock).await;
    let r = post(&run, &opencode_body()).await;
    assert_eq!(r.status().as_u16(), 401);
    assert_eq!(body_json(r).await["error"]["type"], "oauth_not_configured");
    run.stop().await;
}

#[tokio::test]
async fn upstream_unreachable() {
    let home = Home::new();
    one_account(&home);
    let mock = mock(|_, _| Reply::sse(sse_events("x"))).await;
    let mut cfg = proxy_config(&home, &mock, |_| {});
    // A port nothing listens on: bound but never listening, so connections are refused and
    // no other test can take the port meanwhile.
    let dead = tokio::net::TcpSocket::new_v4().expect("socket");
    dead.bind("127.0.0.1:0".parse().expect("addr"))
        .expect("bind");
    let port = dead.local_addr().expect("addr").port();
    cfg.upstream =
        reqwest::Url::parse(&format!("http://127.0.0.1:{port}/backend-api/codex")).expect("url");
    cfg.allowlist = codex_proxy::outbound::Allowlist::origins_of([&cfg.upstream]);
    let run = codex_proxy::start(cfg).await.expect("start");
    let r = post(&run, &opencode_body()).await;
    assert_eq!(r.status().as_u16(), 503);
    assert_eq!(body_json(r).await["error"]["type"], "upstream_unreachable");
    run.stop().await;
    drop(dead);
}

#[tokio::test]
async fn round_robin_spreads_100_concurrent_requests_evenly() {
    let home = Home::new();
    home.write_native(
        json!([
            account("acc_a", "a@example.com", "plus"),
            account("acc_b", "b@example.com", "plus"),
            account("acc_c", "c@example.com", "plus")
        ]),
        json!({}),
    );
    home.write_codex_config(&json!({"runtime": {"rotationStrategy": "round_robin"}}));
    let mock = mock(|_, _| Reply::sse(sse_events("rr"))).await;
    let run = proxy(&home, &mock).await;
    let c = client();
    let url = format!("{}/v1/responses", run.base_url());
    let body = opencode_body().to_string();
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let c = c.clone();
            let url = url.clone();
            let body = body.clone();
            tokio::spawn(async move {
                let r = c
                    .post(url)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .expect("answer");
                assert_eq!(r.status().as_u16(), 200);
                r.bytes().await.expect("body");
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task");
    }
    let mut per: HashMap<String, usize> = HashMap::new();
    for r in mock.responses() {
        *per.entry(r.bearer().unwrap_or_default()).or_default() += 1;
    }
    assert_eq!(per.len(), 3, "{per:?}");
    let (min, max) = (per.values().min().copied(), per.values().max().copied());
    assert!(max.unwrap_or(0) - min.unwrap_or(0) <= 1, "uneven: {per:?}");
    // The round-robin position reaches the store (coalesced write).
    let store_has_active = eventually(Duration::from_secs(3), || {
        home.read_store()["openai"]["native"]["activeIdentityKey"].is_string()
    })
    .await;
    assert!(store_has_active);
    run.stop().await;
}

#[tokio::test]
async fn sticky_sessions_are_persisted_for_the_plugin() {
    let home = Home::new();
    two_accounts(&home);
    let mock = mock(|_, _| Reply::sse(sse_events("s"))).await;
    let run = proxy(&home, &mock).await;
    assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 200);
    let path = home.cache_dir().join("codex-session-affinity.json");
    let ok = eventually(Duration::from_secs(3), || {
        std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .is_some_and(|v| {
                v["native"]["stickyBySessionKey"]["ses_test"]
                    == key("acc_a", "a@example.com", "plus")
                    && v["native"]["seenSessionKeys"]["ses_test"].is_number()
            })
    })
    .await;
    assert!(ok, "affinity file: {:?}", std::fs::read_to_string(&path));
    run.stop().await;
}
