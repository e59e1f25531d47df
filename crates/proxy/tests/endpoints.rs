//! `/healthz`, `/status`, `/metrics`, `/v1/models`, the client key, snapshots.

use std::time::Duration;

use codex_proxy::opencode::{snippet, SnippetOptions};
use serde_json::json;

use crate::support::*;

async fn get(url: String, key: Option<&str>) -> reqwest::Response {
    let mut r = client().get(url);
    if let Some(k) = key {
        r = r.header("authorization", format!("Bearer {k}"));
    }
    r.send().await.expect("answer")
}

#[tokio::test]
async fn status_metrics_models_and_health() {
    let home = Home::new();
    let mut b = account("acc_b", "bob@example.com", "pro");
    b["cooldownUntil"] = json!(now_ms() + 60_000.0);
    home.write_native(
        json!([account("acc_a", "alice@example.com", "plus"), b]),
        json!({"activeIdentityKey": key("acc_a", "alice@example.com", "plus")}),
    );
    std::fs::create_dir_all(home.cache_dir()).expect("cache dir");
    let (primary, _) = codex_paths::catalog_cache_names(Some("acc_a"));
    std::fs::write(
        home.cache_dir().join(primary),
        json!({"fetchedAt": 1, "models": [{"slug": "gpt-5.4", "display_name": "GPT-5.4", "context_window": 272000}, {"slug": "hidden-x", "visibility": "hide"}]}).to_string(),
    )
    .expect("catalog");
    std::fs::write(
        home.cache_dir().join("codex-models-cache.json"),
        json!({"fetchedAt": 1, "source": "github", "models": [{"slug": "gpt-5.4"}, {"slug": "gpt-5.3-codex"}]}).to_string(),
    )
    .expect("github catalog");
    let mock = mock(|_, _| {
        Reply::Sse(
            vec![
                ("x-codex-primary-used-percent".into(), "25".into()),
                ("x-codex-primary-reset-after-seconds".into(), "600".into()),
                ("x-codex-secondary-used-percent".into(), "70".into()),
            ],
            sse_events("hi"),
            Duration::ZERO,
        )
    })
    .await;
    let run = proxy(&home, &mock).await;
    assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 200);

    let h = get(format!("{}/healthz", run.base_url()), None).await;
    assert_eq!(h.text().await.expect("body"), "ok\n");

    let status = body_json(get(format!("{}/status", run.base_url()), None).await).await;
    let text = status.to_string();
    assert!(
        !text.contains("alice@example.com"),
        "emails are masked: {text}"
    );
    assert!(
        !text.contains("at_acc_a") && !text.contains("rt_acc_a"),
        "no tokens"
    );
    assert_eq!(status["mode"], "native");
    // The address bound, not the `:0` asked for (found from the user's side).
    assert_eq!(
        format!("http://{}", status["listen"].as_str().expect("listen")),
        run.base_url()
    );
    assert_eq!(status["accounts"][0]["label"], "a***@example.com (plus)");
    assert_eq!(status["accounts"][0]["active"], true);
    assert_eq!(status["accounts"][0]["counters"]["requests"], 1);
    assert_eq!(status["accounts"][1]["state"], "cooling_down");
    assert_eq!(status["accounts"][1]["eligible"], false);
    assert_eq!(status["summary"]["eligible"], 1);

    let metrics = get(format!("{}/metrics", run.base_url()), None)
        .await
        .text()
        .await
        .expect("metrics");
    assert!(
        metrics.contains("codex_proxy_requests_total{outcome=\"success\",status=\"200\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("codex_proxy_upstream_latency_seconds_count 1"));
    assert!(metrics.contains("codex_proxy_account_requests_total{account=\"acct_"));
    assert!(!metrics.contains("alice"));

    let models = body_json(get(format!("{}/v1/models", run.base_url()), None).await).await;
    let ids: Vec<&str> = models["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    assert_eq!(ids, ["gpt-5.4", "gpt-5.3-codex"]);
    assert_eq!(models["object"], "list");

    let snaps = home.cache_dir().join("codex-snapshots.json");
    let written = eventually(Duration::from_secs(3), || {
        std::fs::read_to_string(&snaps)
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
            .is_some_and(|v| {
                let s = &v[key("acc_a", "alice@example.com", "plus")];
                s["modelFamily"] == "codex"
                    && s["limits"][0]["name"] == "requests"
                    && s["limits"][0]["leftPct"] == 75
                    && s["limits"][1]["leftPct"] == 30
            })
    })
    .await;
    assert!(written, "{:?}", std::fs::read_to_string(&snaps));

    let nf = get(format!("{}/nope", run.base_url()), None).await;
    assert_eq!(nf.status().as_u16(), 404);
    let mna = get(format!("{}/v1/responses", run.base_url()), None).await;
    assert_eq!(mna.status().as_u16(), 405);
    run.stop().await;
}

#[tokio::test]
async fn an_exhausted_window_in_headers_cools_the_account_for_the_next_request() {
    let home = Home::new();
    home.write_native(
        json!([
            account("acc_a", "a@example.com", "plus"),
            account("acc_b", "b@example.com", "plus")
        ]),
        json!({"activeIdentityKey": key("acc_a", "a@example.com", "plus")}),
    );
    let mock = mock(|req, _| {
        let mut h = Vec::new();
        if req.bearer().as_deref() == Some("at_acc_a") {
            h.push((
                "x-codex-primary-used-percent".to_string(),
                "100".to_string(),
            ));
            h.push((
                "x-codex-primary-reset-after-seconds".to_string(),
                "1800".to_string(),
            ));
        }
        Reply::Sse(h, sse_events("ok"), Duration::ZERO)
    })
    .await;
    let run = proxy(&home, &mock).await;
    assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 200);
    assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 200);
    let calls = mock.responses();
    assert_eq!(calls[0].bearer().as_deref(), Some("at_acc_a"));
    assert_eq!(
        calls[1].bearer().as_deref(),
        Some("at_acc_b"),
        "a rests until its window resets"
    );
    run.stop().await;
}

#[tokio::test]
async fn the_client_key_is_required_when_configured() {
    let home = Home::new();
    one_account(&home);
    let mock = mock(|_, _| Reply::sse(sse_events("k"))).await;
    let cfg = proxy_config(&home, &mock, |o| o.client_key = Some("s3cret-key".into()));
    let run = codex_proxy::start(cfg).await.expect("start");
    assert_eq!(
        get(format!("{}/healthz", run.base_url()), None)
            .await
            .status()
            .as_u16(),
        200
    );
    let denied = get(format!("{}/status", run.base_url()), Some("wrong")).await;
    assert_eq!(denied.status().as_u16(), 401);
    assert_eq!(
        body_json(denied).await["error"]["type"],
        "unauthorized_client"
    );
    assert_eq!(
        get(format!("{}/status", run.base_url()), None)
            .await
            .status()
            .as_u16(),
        401
    );
    assert_eq!(
        get(format!("{}/status", run.base_url()), Some("s3cret-key"))
            .await
            .status()
            .as_u16(),
        200
    );
    let r = client()
        .post(format!("{}/v1/responses", run.base_url()))
        .header("x-api-key", "s3cret-key")
        .header("content-type", "application/json")
        .body(opencode_body().to_string())
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status().as_u16(), 200);
    let seen = &mock.responses()[0];
    assert_eq!(seen.bearer().as_deref(), Some("at_acc_a"));
    assert!(
        seen.header("x-api-key").is_none(),
        "the client key never reaches upstream"
    );
    let all: String = seen
        .headers
        .iter()
        .map(|(k, v)| format!("{k}: {}\n", String::from_utf8_lossy(v.as_bytes())))
        .collect();
    assert!(!all.contains("s3cret-key"), "{all}");
    assert!(!String::from_utf8_lossy(&seen.body).contains("s3cret-key"));
    run.stop().await;
}

#[test]
fn remote_listen_needs_allow_remote_and_a_key() {
    let home = Home::new();
    let mut o = codex_proxy::ServeOptions {
        listen: Some("0.0.0.0:0".parse().expect("addr")),
        ..Default::default()
    };
    let e = codex_proxy::ProxyConfig::resolve(&home.env(), home.home().as_path(), &o)
        .expect_err("refused");
    assert!(e.to_string().contains("--allow-remote"));
    o.allow_remote = true;
    let e = codex_proxy::ProxyConfig::resolve(&home.env(), home.home().as_path(), &o)
        .expect_err("refused");
    assert!(e.to_string().contains("client key"));
    o.client_key = Some("k".into());
    assert!(codex_proxy::ProxyConfig::resolve(&home.env(), home.home().as_path(), &o).is_ok());
    let env = home.env().with("CODEX_RUNTIME_CLIENT_KEY", "from-env");
    o.client_key = None;
    let c = codex_proxy::ProxyConfig::resolve(&env, home.home().as_path(), &o).expect("env key");
    assert_eq!(
        c.client_key.map(|k| k.expose().clone()).as_deref(),
        Some("from-env")
    );
}

#[test]
fn config_follows_the_plugin() {
    let home = Home::new();
    home.write_codex_config(&json!({"runtime": {"mode": "codex", "rotationStrategy": "hybrid", "pidOffset": true}, "refreshAhead": {"enabled": true, "bufferMs": 120000}}));
    let c =
        codex_proxy::ProxyConfig::resolve(&home.env(), home.home().as_path(), &Default::default())
            .expect("config");
    assert_eq!(c.mode_name(), "codex");
    assert_eq!(c.strategy.as_str(), "hybrid");
    assert!(c.strategy_explicit && c.pid_offset);
    assert_eq!(c.refresh_ahead_ms, Some(120_000));
    assert_eq!(c.listen.to_string(), codex_proxy::DEFAULT_LISTEN);
    assert_eq!(c.upstream.as_str(), "https://chatgpt.com/backend-api/codex");
    assert_eq!(
        c.responses_url().as_str(),
        "https://chatgpt.com/backend-api/codex/responses"
    );
    assert_eq!(
        c.token_url().as_str(),
        "https://auth.openai.com/oauth/token"
    );
    assert!(!c.test_hook);
    let env = home
        .env()
        .with("OPENCODE_OPENAI_MULTI_ROTATION_STRATEGY", "round_robin");
    let c = codex_proxy::ProxyConfig::resolve(&env, home.home().as_path(), &Default::default())
        .expect("config");
    assert_eq!(c.strategy.as_str(), "round_robin");
}

#[test]
fn opencode_snippet() {
    let v = snippet(&SnippetOptions {
        base_url: "http://127.0.0.1:11455/v1".into(),
        models: vec!["gpt-5.4".into(), "gpt-5.3-codex".into()],
        default_model: None,
        small_model: None,
        client_key_env: None,
    });
    assert_eq!(v["provider"]["codex-kit"]["npm"], "@ai-sdk/openai");
    assert_eq!(
        v["provider"]["codex-kit"]["options"]["baseURL"],
        "http://127.0.0.1:11455/v1"
    );
    assert!(v["provider"]["codex-kit"]["models"]["gpt-5.3-codex"].is_object());
    assert_eq!(v["model"], "codex-kit/gpt-5.4");
    assert_eq!(v["small_model"], "codex-kit/gpt-5.4");
    let keyed = snippet(&SnippetOptions {
        base_url: "x".into(),
        models: vec!["m".into()],
        default_model: None,
        small_model: Some("m".into()),
        client_key_env: Some("CODEX_RUNTIME_CLIENT_KEY".into()),
    });
    assert_eq!(
        keyed["provider"]["codex-kit"]["options"]["apiKey"],
        "{env:CODEX_RUNTIME_CLIENT_KEY}"
    );
}

#[test]
fn credentials_in_options_never_show() {
    let home = Home::new();
    let opts = codex_proxy::ServeOptions {
        upstream: Some("http://user:hunter2@127.0.0.1:9/backend-api/codex".into()),
        client_key: Some("s3cret-key".into()),
        ..Default::default()
    };
    let shown = format!("{opts:?}");
    assert!(
        !shown.contains("hunter2") && !shown.contains("s3cret-key"),
        "{shown}"
    );
    let err = codex_proxy::ProxyConfig::resolve(&home.env(), home.home().as_path(), &opts)
        .expect_err("userinfo is refused");
    let msg = err.to_string();
    assert!(msg.contains("***@127.0.0.1:9"), "{msg}");
    assert!(!msg.contains("hunter2") && !msg.contains("user:"), "{msg}");
}
