//! The plugin's model settings reaching the backend through `codex-runtime serve`: the real
//! binary with a `codex-config.jsonc` holding global, per-model and custom-model settings,
//! and a loopback Codex backend that records the bodies it receives.

use std::process::{Child, Command};

use serde_json::{json, Value};

use crate::loopback::{now_ms, Loopback, Request, Response};
use crate::serve_cli::start_serve;
use codex_testkit::node::{available, opencode_binary, opencode_command, responses_events};
use codex_testkit::TempHome;

const SSE: &str = "event: response.completed\ndata: {\"type\":\"response.completed\"}\n\n";

fn write_home(home: &TempHome) {
    home.write_store(&json!({"openai": {"type": "oauth", "native": {"accounts": [{
        "accountId": "acc_1", "email": "one@example.com", "plan": "plus",
        "access": "at_settings_secret", "refresh": "rt_settings_secret", "expires": now_ms() + 3_600_000}]}}}));
    home.write(
        ".config/opencode/codex-config.jsonc",
        r#"{
  // The plugin's behaviour objects.
  "global": { "reasoningSummary": "auto" },
  "perModel": { "gpt-5.4": { "reasoningEffort": "high", "textVerbosity": "low" } },
  "customModels": { "my-fast": { "targetModel": "gpt-5.4-mini", "serviceTier": "flex", "reasoningEffort": "low" } }
}"#,
    );
}

/// `serve` for `home` against `upstream` (also the issuer), without background polls.
fn start(home: &TempHome, upstream: &Loopback) -> (Child, String) {
    let codex = format!("{}/backend-api/codex", upstream.base());
    start_serve(
        home,
        &[],
        &[
            "--no-quota-poll",
            "--no-catalog-sync",
            "--upstream",
            &codex,
            "--issuer",
            &upstream.base(),
        ],
    )
}

fn post(addr: &str, body: Value) -> u16 {
    let resp = reqwest::blocking::Client::new()
        .post(format!("{addr}/v1/responses"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .expect("post");
    let status = resp.status().as_u16();
    let _ = resp.text();
    status
}

fn last_body(upstream: &Loopback) -> Value {
    let reqs: Vec<Request> = upstream
        .requests()
        .into_iter()
        .filter(|r| r.path == "/backend-api/codex/responses")
        .collect();
    serde_json::from_str(&reqs.last().expect("a request reached the backend").body).expect("json")
}

#[test]
fn per_model_and_custom_model_settings_reach_the_backend() {
    let home = TempHome::new();
    write_home(&home);
    let upstream = Loopback::start(|r: &Request| match r.path.as_str() {
        "/backend-api/codex/responses" => Response {
            status: 200,
            headers: vec![("content-type".into(), "text/event-stream".into())],
            body: SSE.into(),
        },
        _ => Response::json(404, &json!({})),
    });
    let (mut child, addr) = start(&home, &upstream);

    let status = post(
        &addr,
        json!({"model": "gpt-5.4", "stream": true,
        "input": [{"role": "user", "content": [{"type": "input_text", "text": "hi"}]}]}),
    );
    assert_eq!(status, 200);
    let b = last_body(&upstream);
    assert_eq!(b["model"], "gpt-5.4");
    assert_eq!(b["reasoning"], json!({"effort": "high", "summary": "auto"}));
    assert_eq!(b["text"], json!({"verbosity": "low"}));
    assert_eq!(b["include"], json!(["reasoning.encrypted_content"]));
    assert!(b.get("service_tier").is_none());

    let status = post(
        &addr,
        json!({"model": "my-fast", "stream": true, "reasoning": {"effort": "medium"},
        "input": [{"role": "user", "content": "hi"}]}),
    );
    assert_eq!(status, 200);
    let b = last_body(&upstream);
    assert_eq!(
        b["model"], "gpt-5.4-mini",
        "a custom model sends its target"
    );
    assert_eq!(b["service_tier"], "flex");
    assert_eq!(
        b["reasoning"]["effort"], "medium",
        "the request's own effort wins"
    );
    assert_eq!(b["reasoning"]["summary"], "auto");

    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// Real OpenCode (`tests/node/install-opencode.sh`) → `serve` → a loopback backend: the
/// per-model settings of `codex-config.jsonc` reach the body OpenCode's turn produces.
#[test]
fn opencode_turns_carry_the_per_model_settings() {
    let bin = opencode_binary();
    if !available(
        "opencode settings test",
        &bin,
        "tests/node/install-opencode.sh",
    ) {
        return;
    }
    const ANSWER: &str = "Hello from the settings backend";
    let home = TempHome::new();
    write_home(&home);
    let upstream = Loopback::start(|r: &Request| match r.path.as_str() {
        "/backend-api/codex/responses" => Response {
            status: 200,
            headers: vec![("content-type".into(), "text/event-stream".into())],
            body: responses_events(ANSWER).concat(),
        },
        _ => Response::json(404, &json!({})),
    });
    let (mut child, addr) = start(&home, &upstream);

    let config = codex_proxy::opencode::snippet(&codex_proxy::opencode::SnippetOptions {
        base_url: format!("{addr}/v1"),
        models: vec!["gpt-5.4".into()],
        default_model: None,
        small_model: None,
        client_key_env: None,
    });
    home.write_json(".config/opencode/opencode.json", &config);
    let project = home.path("project");
    std::fs::create_dir_all(&project).expect("project");
    let out = opencode_command(&bin, &home, &project, &["run", "say hi"])
        .output()
        .expect("opencode");
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains(ANSWER),
        "opencode failed: {:?}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let turn = upstream
        .requests()
        .into_iter()
        .filter(|q| q.path == "/backend-api/codex/responses")
        .map(|q| serde_json::from_str::<Value>(&q.body).expect("json"))
        .find(|b| b["input"].to_string().contains("say hi"))
        .expect("the turn reached the backend");
    assert_eq!(turn["model"], "gpt-5.4");
    assert_eq!(turn["reasoning"]["effort"], "high", "{turn}");
    assert_eq!(turn["reasoning"]["summary"], "auto", "{turn}");
    assert_eq!(turn["text"]["verbosity"], "low", "{turn}");
}
