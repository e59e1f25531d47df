//! The live model catalog behind `/v1/models` (reference 10.3, 10.4; case 108).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use codex_store::{FileLock, LockOptions};
use serde_json::{json, Value};

use crate::support::*;

const FIXTURE: &str = include_str!("../../../tests/fixtures/plugin/live-catalog-current.json");

async fn model_ids(run: &codex_proxy::Running) -> Vec<String> {
    let r = client()
        .get(format!("{}/v1/models", run.base_url()))
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status().as_u16(), 200);
    let v = body_json(r).await;
    v["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|m| m["id"].as_str().map(str::to_string))
        .collect()
}

/// The catalog files in the cache dir, by prefix.
fn catalog_files(cache: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut primary = Vec::new();
    let mut mirror = Vec::new();
    for e in std::fs::read_dir(cache).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("codex-auth-models-") {
            primary.push(e.path());
        } else if name.starts_with("codex-models-cache-") {
            mirror.push(e.path());
        }
    }
    (primary, mirror)
}

/// The fixture's models, shuffled, one duplicated, one with a field the plugin drops.
fn upstream_catalog() -> Value {
    let v: Value = serde_json::from_str(FIXTURE).expect("fixture");
    let mut models = v["models"].as_array().expect("models").clone();
    models.reverse();
    models[0]["internal_only_field"] = json!("dropped");
    let dup = models[1].clone();
    models.push(dup);
    json!({ "models": models })
}

fn fixture_slugs() -> Vec<String> {
    let v: Value = serde_json::from_str(FIXTURE).expect("fixture");
    v["models"]
        .as_array()
        .expect("models")
        .iter()
        .filter_map(|m| m["slug"].as_str().map(str::to_string))
        .collect()
}

fn account_123(home: &Home) {
    home.write_native(
        json!([account("acc_123", "alice@example.com", "plus")]),
        json!({}),
    );
}

#[tokio::test]
async fn a_live_fetch_writes_the_account_catalog_and_its_mirror() {
    let home = Home::new();
    account_123(&home);
    let mock = mock(|r, _| {
        if r.path.ends_with("/models") {
            Reply::json(200, upstream_catalog())
        } else {
            Reply::json(404, json!({}))
        }
    })
    .await;
    let run = proxy(&home, &mock).await;
    let before = now_ms();

    assert_eq!(model_ids(&run).await, fixture_slugs());

    // Case 108: one request, with the client version, credentials and `version` header.
    let calls = mock.catalog_calls();
    assert_eq!(calls.len(), 1);
    let c = &calls[0];
    assert_eq!(c.method, "GET");
    assert_eq!(c.path, "/backend-api/codex/models");
    assert_eq!(c.query.as_deref(), Some("client_version=0.144.0"));
    assert_eq!(c.bearer().as_deref(), Some("at_acc_123"));
    assert_eq!(c.header("chatgpt-account-id").as_deref(), Some("acc_123"));
    assert_eq!(c.header("version").as_deref(), Some("0.144.0"));
    assert_eq!(c.header("originator").as_deref(), Some("opencode"));
    assert_eq!(
        c.header("openai-beta").as_deref(),
        Some("responses=experimental")
    );

    // Exactly one primary and one mirror, named by the account hash, identical.
    let (primary, mirror) = catalog_files(&home.cache_dir());
    let (want_primary, want_mirror) = codex_paths::catalog_cache_names(Some("acc_123"));
    assert_eq!(primary, [home.cache_dir().join(want_primary)]);
    assert_eq!(
        mirror,
        [home.cache_dir().join(want_mirror.expect("mirror name"))]
    );
    let text = std::fs::read_to_string(&primary[0]).expect("primary");
    assert_eq!(
        std::fs::read_to_string(&mirror[0]).expect("mirror"),
        text,
        "the mirror is the same document"
    );
    for f in [&primary[0], &mirror[0]] {
        let mode = std::fs::metadata(f).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", f.display());
    }
    // JSON.stringify(v, null, 2) + "\n", fields of 10.4 only, natural order, deduplicated.
    let doc: Value = serde_json::from_str(&text).expect("json");
    assert!(
        text.starts_with("{\n  \"fetchedAt\": ") && text.ends_with("]\n}\n"),
        "{text}"
    );
    let at = doc["fetchedAt"].as_f64().expect("fetchedAt");
    assert!(at >= before.floor() && at <= now_ms(), "fetchedAt {at}");
    let slugs: Vec<&str> = doc["models"]
        .as_array()
        .expect("models")
        .iter()
        .filter_map(|m| m["slug"].as_str())
        .collect();
    assert_eq!(slugs, fixture_slugs());
    assert!(!text.contains("internal_only_field"));
    assert!(!text.contains("at_acc_123"), "no token in the cache");
    // The directory lock was taken and released; no temp files are left.
    assert!(!home.config_dir().join("cache.lock").exists());
    let leftovers: Vec<String> = std::fs::read_dir(home.cache_dir())
        .expect("read cache")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp."))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");

    // Fresh now: a second listing asks nothing.
    assert_eq!(model_ids(&run).await, fixture_slugs());
    assert_eq!(mock.catalog_calls().len(), 1);

    let metrics = metrics_text(&run).await;
    assert!(
        metrics.contains("codex_proxy_catalog_fetches_total{result=\"fetched\"} 1"),
        "{metrics}"
    );
    run.stop().await;
}

#[tokio::test]
async fn a_fresh_cache_is_served_without_asking() {
    let home = Home::new();
    account_123(&home);
    std::fs::create_dir_all(home.cache_dir()).expect("cache dir");
    let (primary, _) = codex_paths::catalog_cache_names(Some("acc_123"));
    std::fs::write(
        home.cache_dir().join(primary),
        json!({"fetchedAt": now_ms() - 60_000.0, "models": [{"slug": "gpt-cached"}]}).to_string(),
    )
    .expect("write");
    let mock = mock(|_, _| Reply::json(200, upstream_catalog())).await;
    let run = proxy(&home, &mock).await;
    assert_eq!(model_ids(&run).await, ["gpt-cached"]);
    assert!(mock.catalog_calls().is_empty());
    run.stop().await;
}

#[tokio::test]
async fn a_failed_fetch_serves_the_stale_cache_and_waits_before_retrying() {
    let home = Home::new();
    account_123(&home);
    std::fs::create_dir_all(home.cache_dir()).expect("cache dir");
    let (primary, _) = codex_paths::catalog_cache_names(Some("acc_123"));
    let stale = json!({"fetchedAt": 1, "models": [{"slug": "gpt-stale"}]}).to_string();
    std::fs::write(home.cache_dir().join(&primary), &stale).expect("write");
    for reply in ["500", "empty", "not-json"] {
        let home_models = home.cache_dir().join(&primary);
        let mock = mock(move |_, _| match reply {
            "500" => Reply::json(500, json!({"error": "boom"})),
            "empty" => Reply::json(200, json!({"models": []})),
            _ => Reply::Full(200, Vec::new(), bytes::Bytes::from_static(b"<html>")),
        })
        .await;
        let run = proxy(&home, &mock).await;
        assert_eq!(model_ids(&run).await, ["gpt-stale"], "{reply}");
        assert_eq!(mock.catalog_calls().len(), 1, "{reply}");
        assert_eq!(
            std::fs::read_to_string(&home_models).expect("read"),
            stale,
            "{reply}: the cache is left alone"
        );
        // Within 10 s of a failure the scope is not asked again.
        assert_eq!(model_ids(&run).await, ["gpt-stale"]);
        assert_eq!(mock.catalog_calls().len(), 1, "{reply}");
        run.stop().await;
    }
}

#[tokio::test]
async fn concurrent_listings_fetch_once() {
    let home = Home::new();
    account_123(&home);
    let mock = mock(|_, _| Reply::json(200, upstream_catalog())).await;
    let run = proxy(&home, &mock).await;
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let base = run.base_url();
        tasks.push(tokio::spawn(async move {
            let r = client()
                .get(format!("{base}/v1/models"))
                .send()
                .await
                .expect("answer");
            body_json(r).await["data"]
                .as_array()
                .map(Vec::len)
                .unwrap_or(0)
        }));
    }
    for t in tasks {
        assert_eq!(t.await.expect("task"), fixture_slugs().len());
    }
    assert_eq!(mock.catalog_calls().len(), 1);
    run.stop().await;
}

#[tokio::test]
async fn an_expired_token_is_not_refreshed_for_a_model_list() {
    let home = Home::new();
    let mut a = account("acc_123", "alice@example.com", "plus");
    a["expires"] = json!(now_ms() - 1_000.0);
    home.write_native(json!([a]), json!({}));
    let mock = mock(|_, _| Reply::json(200, upstream_catalog())).await;
    let run = proxy(&home, &mock).await;
    // No cache at all: the built-in list is empty, the GitHub snapshot absent.
    assert!(model_ids(&run).await.is_empty());
    assert!(mock.recorded().is_empty(), "neither a refresh nor a fetch");
    run.stop().await;
}

#[tokio::test]
async fn the_write_waits_for_the_plugins_cache_lock() {
    let home = Home::new();
    account_123(&home);
    std::fs::create_dir_all(home.cache_dir()).expect("cache dir");
    // Another process (the plugin) holds `<root>/cache.lock`.
    let held = FileLock::acquire_dir(&home.cache_dir(), &LockOptions::default()).expect("lock");
    assert!(home.config_dir().join("cache.lock").is_dir());
    let mock = mock(|_, _| Reply::json(200, upstream_catalog())).await;
    let run = proxy(&home, &mock).await;
    let base = run.base_url();
    let listing = tokio::spawn(async move {
        client()
            .get(format!("{base}/v1/models"))
            .send()
            .await
            .expect("answer")
            .status()
            .as_u16()
    });
    let fetched = eventually(Duration::from_secs(5), || mock.catalog_calls().len() == 1).await;
    assert!(fetched);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        catalog_files(&home.cache_dir()).0.is_empty(),
        "nothing is written while the lock is held"
    );
    held.release().expect("release");
    assert_eq!(listing.await.expect("task"), 200);
    assert_eq!(catalog_files(&home.cache_dir()).0.len(), 1);
    run.stop().await;
}

#[tokio::test]
async fn a_request_refreshes_the_answering_accounts_catalog_in_the_background() {
    let home = Home::new();
    account_123(&home);
    let mock = mock(|r, _| {
        if r.path.ends_with("/models") {
            Reply::json(200, upstream_catalog())
        } else if r.path.ends_with("/responses") {
            Reply::sse(sse_events("hi"))
        } else {
            Reply::json(404, json!({}))
        }
    })
    .await;
    let run = proxy(&home, &mock).await;
    assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 200);
    let written = eventually(Duration::from_secs(3), || {
        catalog_files(&home.cache_dir()).0.len() == 1
    })
    .await;
    assert!(written, "the catalog was fetched after the request");
    let c = &mock.catalog_calls()[0];
    assert_eq!(c.bearer().as_deref(), Some("at_acc_123"));
    // Within 60 s the scope is not looked at again.
    for _ in 0..3 {
        assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 200);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(mock.catalog_calls().len(), 1);
    run.stop().await;

    // Turned off: no catalog call at all.
    let home = Home::new();
    account_123(&home);
    let quiet = crate::support::mock(|_, _| Reply::sse(sse_events("hi"))).await;
    let run = codex_proxy::start(proxy_config(&home, &quiet, |o| o.no_catalog_sync = true))
        .await
        .expect("start");
    assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(quiet.catalog_calls().is_empty());
    run.stop().await;
}

/// A home with a stale catalog for acc_123, served when a fetch fails.
fn with_stale_catalog(home: &Home) {
    account_123(home);
    std::fs::create_dir_all(home.cache_dir()).expect("cache dir");
    let (primary, _) = codex_paths::catalog_cache_names(Some("acc_123"));
    let stale = json!({"fetchedAt": 1, "models": [{"slug": "gpt-stale"}]}).to_string();
    std::fs::write(home.cache_dir().join(primary), stale).expect("write");
}

fn redirect_to(location: &str) -> Reply {
    Reply::with_headers(302, &[("location", location)], json!({}))
}

#[tokio::test]
async fn the_catalog_fetch_follows_a_same_origin_redirect_with_its_credentials() {
    let home = Home::new();
    account_123(&home);
    let mock = mock(|r, _| match r.path.as_str() {
        "/backend-api/codex/models" => redirect_to("/moved/models?client_version=0.144.0"),
        "/moved/models" => Reply::json(200, upstream_catalog()),
        _ => Reply::json(404, json!({})),
    })
    .await;
    let run = proxy(&home, &mock).await;
    assert_eq!(model_ids(&run).await, fixture_slugs());
    let moved: Vec<Recorded> = mock
        .recorded()
        .into_iter()
        .filter(|r| r.path == "/moved/models")
        .collect();
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].bearer().as_deref(), Some("at_acc_123"));
    assert_eq!(
        moved[0].header("chatgpt-account-id").as_deref(),
        Some("acc_123")
    );
    run.stop().await;
}

#[tokio::test]
async fn a_cross_origin_redirect_drops_the_credentials() {
    let home = Home::new();
    account_123(&home);
    let other = mock(|_, _| Reply::json(200, upstream_catalog())).await;
    let target = format!("{}/elsewhere/models", other.base());
    let mock = mock(move |_, _| redirect_to(&target)).await;
    let mut cfg = proxy_config(&home, &mock, |_| {});
    let allowed = [
        reqwest::Url::parse(&mock.base()).expect("url"),
        reqwest::Url::parse(&other.base()).expect("url"),
    ];
    cfg.allowlist = codex_proxy::outbound::Allowlist::origins_of(allowed.iter());
    let run = codex_proxy::start(cfg).await.expect("start");
    assert_eq!(model_ids(&run).await, fixture_slugs());
    let hop = other.recorded();
    assert_eq!(hop.len(), 1);
    assert_eq!(hop[0].path, "/elsewhere/models");
    for h in [
        "authorization",
        "chatgpt-account-id",
        "cookie",
        "session-id",
    ] {
        assert!(hop[0].header(h).is_none(), "{h} crossed origins");
    }
    assert_eq!(
        hop[0].header("originator").as_deref(),
        Some("opencode"),
        "other headers stay"
    );
    run.stop().await;
}

#[tokio::test]
async fn a_redirect_off_the_allowlist_or_past_three_hops_is_refused() {
    // Off the allowlist: never contacted; the stale catalog is served.
    let home = Home::new();
    with_stale_catalog(&home);
    let outsider = mock(|_, _| Reply::json(200, upstream_catalog())).await;
    let target = format!("{}/models", outsider.base());
    let mock1 = mock(move |_, _| redirect_to(&target)).await;
    let run = proxy(&home, &mock1).await;
    assert_eq!(model_ids(&run).await, ["gpt-stale"]);
    assert_eq!(mock1.catalog_calls().len(), 1);
    assert!(outsider.recorded().is_empty(), "the outsider was contacted");
    run.stop().await;

    // A loop: the first request and three hops, then the plugin's hop cap.
    let home = Home::new();
    with_stale_catalog(&home);
    let looping = mock(|r, _| redirect_to(&format!("{}/again", r.path))).await;
    let run = proxy(&home, &looping).await;
    assert_eq!(model_ids(&run).await, ["gpt-stale"]);
    assert_eq!(looping.recorded().len(), 4);
    run.stop().await;
}
