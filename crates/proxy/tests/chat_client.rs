//! The real OpenAI Node client (`openai` from npm) → our proxy's `/v1/chat/completions` → a
//! mock Codex backend, all on loopback, driven by `tests/node/chat-client.mjs`: models,
//! a plain and a streamed completion with usage, a tool call round trip, a refused request,
//! and the first account's 429 failed over without the client noticing.
//!
//! The package is installed by `tests/node/install-openai.sh` into
//! `${CODEX_KIT_CACHE:-<repo>/target/codex-kit-cache}/openai`. The test is skipped, loudly,
//! when `node` is absent, or when the package is not installed and `CI` is unset.

use std::path::PathBuf;
use std::process::Stdio;

use serde_json::{json, Value};

use crate::chat::{text_events, tool_events};
use crate::support::*;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openai_node_client_round_trips_through_the_proxy() {
    let pkg = codex_testkit::node::cache_dir().join("openai/node_modules/openai");
    if !codex_testkit::node::available(
        "OpenAI client round trip test",
        &pkg.join("package.json"),
        "tests/node/install-openai.sh",
    ) {
        return;
    }

    let home = Home::new();
    two_accounts(&home);
    std::fs::create_dir_all(home.cache_dir()).expect("cache dir");
    std::fs::write(
        home.cache_dir().join("codex-models-cache.json"),
        json!({"fetchedAt": 1, "source": "github", "models": [{"slug": "gpt-5.4"}, {"slug": "gpt-5.3-codex"}]}).to_string(),
    )
    .expect("github catalog");
    let mock = mock(|req, _| {
        if !req.path.ends_with("/responses") {
            return Reply::json(404, json!({"detail": "not here"}));
        }
        // The first account is rate limited: every client call must still succeed.
        if req.bearer().as_deref() == Some("at_acc_a") {
            return Reply::with_headers(
                429,
                &[("retry-after", "600")],
                json!({"error": {"message": "rate limited", "type": "usage_limit_reached"}}),
            );
        }
        let body = req.json();
        let input = body["input"].as_array().cloned().unwrap_or_default();
        if let Some(out) = input.iter().find(|i| i["type"] == "function_call_output") {
            let text = format!("The weather: {}", out["output"].as_str().unwrap_or("?"));
            return Reply::sse(text_events(&text));
        }
        if body["tools"].as_array().is_some_and(|t| !t.is_empty()) {
            return Reply::sse(tool_events("call_42", "weather", r#"{"city":"Oslo"}"#));
        }
        Reply::sse(text_events("Hello from the mock"))
    })
    .await;
    let run = proxy(&home, &mock).await;

    let script = repo().join("tests/node/chat-client.mjs");
    let mut cmd = home.command("node");
    cmd.env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .arg(&script)
        .arg(&pkg)
        .arg(format!("{}/v1", run.base_url()))
        .stdin(Stdio::null());
    let out = tokio::task::spawn_blocking(move || cmd.output())
        .await
        .expect("join")
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "node failed ({:?})\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    let seen: Value = serde_json::from_str(stdout.trim()).expect("the script's JSON");

    assert_eq!(seen["models"], json!(["gpt-5.4", "gpt-5.3-codex"]));
    assert_eq!(seen["plain"]["object"], "chat.completion");
    assert_eq!(seen["plain"]["content"], "Hello from the mock");
    assert_eq!(seen["plain"]["finish"], "stop");
    assert_eq!(seen["plain"]["usage"]["total_tokens"], 15);
    assert_eq!(seen["streamed"]["role"], "assistant");
    assert_eq!(seen["streamed"]["content"], "Hello from the mock");
    assert_eq!(seen["streamed"]["finish"], "stop");
    assert_eq!(seen["streamed"]["usage"]["prompt_tokens"], 12);
    assert_eq!(seen["streamed"]["usage"]["completion_tokens"], 3);
    assert_eq!(seen["toolCall"]["finish"], "tool_calls");
    assert_eq!(
        seen["toolCall"]["calls"],
        json!([{"id": "call_42", "name": "weather", "arguments": "{\"city\":\"Oslo\"}"}])
    );
    assert_eq!(seen["toolFinal"]["content"], "The weather: sunny in Oslo");
    assert_eq!(seen["toolFinal"]["finish"], "stop");
    assert_eq!(seen["refused"]["status"], 400);
    assert_eq!(seen["refused"]["type"], "invalid_chat_request");

    // The 429 on the first account was met and failed over (transparently: every call above
    // succeeded), and the tool result reached the backend with its call id.
    let sent = mock.responses();
    assert_eq!(sent[0].bearer().as_deref(), Some("at_acc_a"));
    assert!(sent[1..]
        .iter()
        .all(|r| r.bearer().as_deref() == Some("at_acc_b")));
    let last = sent.last().expect("a request").json();
    assert!(last["input"]
        .as_array()
        .expect("input")
        .iter()
        .any(|i| i["type"] == "function_call_output" && i["call_id"] == "call_42"));
    assert_eq!(last["instructions"], "You are a test.");
    run.stop().await;
}
