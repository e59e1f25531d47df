//! What OpenCode is told about the models: `opencode-config` (the provider snippet, with the
//! catalog fetched live when none is cached) and `serve`'s `/codex-kit/opencode-models` (the
//! block the bridge merges into the `openai` provider). Both carry `codex-config.jsonc`'s
//! settings as model and variant options. The real binary, a temp HOME, a loopback backend.

use std::process::Stdio;

use serde_json::{json, Value};

use crate::loopback::{now_ms, Loopback, Request, Response};
use crate::serve_cli::{start_serve, stop_serve};
use codex_testkit::TempHome;

const CATALOG: &str = include_str!("../../../tests/fixtures/plugin/live-catalog-current.json");

fn write_home(home: &TempHome, expires: u64) {
    home.write_store(
        &json!({"openai": {"type": "oauth", "native": {"accounts": [{
        "accountId": "acc_1", "email": "one@example.com", "plan": "plus", "enabled": true,
        "access": "at_models_secret", "refresh": "rt_models_secret", "expires": expires}]}}}),
    );
    home.write(
        ".config/opencode/codex-config.jsonc",
        r#"{
  "perModel": { "gpt-5.4": { "reasoningEffort": "xhigh", "textVerbosity": "low",
                             "variants": { "low": { "serviceTier": "flex" } } } },
  "customModels": { "my-fast": { "targetModel": "gpt-5.4", "name": "Fast", "reasoningEffort": "low" } }
}"#,
    );
}

fn backend() -> Loopback {
    Loopback::start(|r: &Request| match r.path.as_str() {
        "/backend-api/codex/models" => Response::json(
            200,
            &serde_json::from_str::<Value>(CATALOG).expect("fixture"),
        ),
        _ => Response::json(404, &json!({})),
    })
}

fn opencode_config(home: &TempHome, upstream: &Loopback) -> std::process::Output {
    home.command(assert_cmd::cargo::cargo_bin("codex-runtime"))
        .env(
            "CODEX_RUNTIME_UPSTREAM",
            format!("{}/backend-api/codex", upstream.base()),
        )
        .env("CODEX_RUNTIME_ISSUER", upstream.base())
        .args(["opencode-config", "--listen", "127.0.0.1:4321"])
        .stdin(Stdio::null())
        .output()
        .expect("run")
}

fn catalog_files(home: &TempHome) -> Vec<String> {
    std::fs::read_dir(home.cache_dir())
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| {
                    n.starts_with("codex-auth-models-") || n.starts_with("codex-models-cache-")
                })
                .collect()
        })
        .unwrap_or_default()
}

fn assert_settings_in(models: &Value) {
    let m = &models["gpt-5.4"];
    assert_eq!(m["limit"]["context"], 272_000, "catalog metadata: {m}");
    assert_eq!(
        m["options"],
        json!({"reasoningEffort": "xhigh", "textVerbosity": "low"}),
        "the per-model settings are the model's options"
    );
    assert_eq!(m["variants"]["low"]["reasoningEffort"], "low");
    assert_eq!(
        m["variants"]["low"]["serviceTier"], "flex",
        "the variant's own setting"
    );
    assert!(m["variants"]["high"].get("serviceTier").is_none());
    let custom = &models["my-fast"];
    assert_eq!(custom["name"], "Fast");
    assert_eq!(custom["options"]["reasoningEffort"], "low");
    assert_eq!(custom["limit"]["context"], 272_000, "its target's metadata");
}

#[test]
fn opencode_config_fetches_the_catalog_when_none_is_cached() {
    let home = TempHome::new();
    write_home(&home, now_ms() + 3_600_000);
    let upstream = backend();
    assert!(catalog_files(&home).is_empty());

    let out = opencode_config(&home, &upstream);
    assert!(out.status.success(), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let models = &v["provider"]["codex-kit"]["models"];
    let slugs: Vec<&String> = models.as_object().expect("models").keys().collect();
    assert!(
        slugs.iter().any(|s| *s == "gpt-5.3-codex-spark"),
        "the live catalog's models are listed: {slugs:?}"
    );
    assert_eq!(models["gpt-5.3-codex-spark"]["limit"]["context"], 128_000);
    assert_settings_in(models);

    let calls: Vec<Request> = upstream
        .requests()
        .into_iter()
        .filter(|r| r.path == "/backend-api/codex/models")
        .collect();
    assert_eq!(calls.len(), 1, "one live fetch");
    assert_eq!(
        calls[0].header("authorization"),
        Some("Bearer at_models_secret")
    );
    assert_eq!(calls[0].header("chatgpt-account-id"), Some("acc_1"));
    assert_eq!(
        catalog_files(&home).len(),
        2,
        "the plugin's catalog file and its mirror are written"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("at_models_secret"));

    // A second run uses the cache.
    let again = opencode_config(&home, &upstream);
    assert!(again.status.success(), "{again:?}");
    assert_eq!(upstream.count("/backend-api/codex/models"), 1);
}

#[test]
fn opencode_config_without_a_valid_token_says_why_and_lists_names() {
    let home = TempHome::new();
    write_home(&home, now_ms() - 1_000);
    let upstream = backend();

    let out = opencode_config(&home, &upstream);
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no model catalog is cached") && stderr.contains("codex-runtime login"),
        "{stderr}"
    );
    assert_eq!(
        upstream.count("/backend-api/codex/models"),
        0,
        "an expired token is not spent on the catalog"
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let models = &v["provider"]["codex-kit"]["models"];
    assert_eq!(
        models["gpt-5.4"]["options"]["reasoningEffort"], "xhigh",
        "settings still reach the listed names: {models}"
    );
    assert_eq!(models["my-fast"]["name"], "Fast");
    assert!(!stderr.contains("at_models_secret") && !stderr.contains("rt_models_secret"));
}

#[test]
fn serve_answers_the_bridge_with_the_models_block() {
    let home = TempHome::new();
    write_home(&home, now_ms() + 3_600_000);
    let upstream = backend();
    let codex = format!("{}/backend-api/codex", upstream.base());
    let (child, addr) = start_serve(
        &home,
        &[],
        &[
            "--no-quota-poll",
            "--upstream",
            &codex,
            "--issuer",
            &upstream.base(),
        ],
    );

    let client = reqwest::blocking::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let resp = client
        .get(format!("{addr}{}", codex_proxy::OPENCODE_MODELS_PATH))
        .send()
        .expect("get");
    assert_eq!(resp.status().as_u16(), 200);
    let v: Value = serde_json::from_str(&resp.text().expect("body")).expect("json");
    assert_settings_in(&v["models"]);
    assert_eq!(
        upstream.count("/backend-api/codex/models"),
        1,
        "synced live"
    );
    let post = client
        .post(format!("{addr}{}", codex_proxy::OPENCODE_MODELS_PATH))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .expect("post");
    assert_eq!(post.status().as_u16(), 405);
    stop_serve(child);
}

/// Found from the user's side: offline, with a valid token, the message blamed the token.
#[test]
fn opencode_config_offline_with_a_valid_token_blames_the_network() {
    let home = TempHome::new();
    write_home(&home, now_ms() + 3_600_000);
    // An upstream that is not there: a port that was free a moment ago.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let out = home
        .command(assert_cmd::cargo::cargo_bin("codex-runtime"))
        .env(
            "CODEX_RUNTIME_UPSTREAM",
            format!("http://127.0.0.1:{closed}/backend-api/codex"),
        )
        .env("CODEX_RUNTIME_ISSUER", format!("http://127.0.0.1:{closed}"))
        .args(["opencode-config", "--listen", "127.0.0.1:4321"])
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the backend could not be reached") && stderr.contains("token is valid"),
        "{stderr}"
    );
    assert!(!stderr.contains("codex-runtime login"), "{stderr}");
}
