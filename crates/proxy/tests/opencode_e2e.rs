//! The real OpenCode (`opencode-ai` from npm) → our proxy → a mock Codex backend, all on
//! loopback: `opencode run "say hi"` prints the mock's answer.
//!
//! The binary is installed by `tests/node/install-opencode.sh` into
//! `${CODEX_KIT_CACHE:-<repo>/target/codex-kit-cache}/opencode`. The test is skipped, loudly,
//! when `node` is absent, or when the package is not installed and `CI` is unset.

use std::time::Duration;

use bytes::Bytes;
use codex_proxy::opencode::{snippet, SnippetOptions};
use serde_json::json;

use crate::support::*;
use codex_testkit::node::{
    available, opencode_binary, opencode_command, responses_events, run_with_deadline,
};

const ANSWER: &str = "Hello from the mock Codex backend";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opencode_run_prints_the_mock_answer_through_the_proxy() {
    let bin = opencode_binary();
    if !available(
        "opencode end-to-end test",
        &bin,
        "tests/node/install-opencode.sh",
    ) {
        return;
    }

    let home = Home::new();
    // The first account is rate limited, so OpenCode's turn also exercises failover.
    home.write_native(
        json!([
            account("acc_a", "a@example.com", "plus"),
            account("acc_b", "b@example.com", "plus")
        ]),
        json!({"activeIdentityKey": key("acc_a", "a@example.com", "plus")}),
    );
    let mock = mock(|req, _| {
        if req.bearer().as_deref() == Some("at_acc_a") {
            Reply::with_headers(
                429,
                &[("retry-after", "600")],
                json!({"error": {"message": "rate limited"}}),
            )
        } else {
            Reply::sse(
                responses_events(ANSWER)
                    .into_iter()
                    .map(Bytes::from)
                    .collect(),
            )
        }
    })
    .await;
    let run = proxy(&home, &mock).await;

    let config = snippet(&SnippetOptions {
        base_url: format!("{}/v1", run.base_url()),
        models: vec!["gpt-5.4".into()],
        default_model: None,
        small_model: None,
        client_key_env: None,
    });
    std::fs::write(
        home.config_dir().join("opencode.json"),
        serde_json::to_string_pretty(&config).expect("json"),
    )
    .expect("opencode.json");
    let project = home.path("project");
    std::fs::create_dir_all(&project).expect("project dir");

    let cmd = opencode_command(&bin, &home, &project, &["run", "say hi"]);
    let out = tokio::task::spawn_blocking(move || run_with_deadline(cmd, Duration::from_secs(180)))
        .await
        .expect("join");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains(ANSWER),
        "opencode failed ({:?})\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );

    let turns: Vec<Recorded> = mock
        .responses()
        .into_iter()
        .filter(|r| r.bearer().as_deref() == Some("at_acc_b"))
        .collect();
    // OpenCode may also ask for a session title, concurrently; whether that request is sent
    // before `run` exits is OpenCode's business, so only the turn itself is required.
    assert!(
        turns
            .iter()
            .any(|t| t.json()["input"].to_string().contains("say hi")),
        "the turn reached the upstream: {} request(s)",
        turns.len()
    );
    for t in &turns {
        let body = t.json();
        assert!(body["instructions"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(body.get("max_output_tokens").is_none());
        assert_eq!(body["store"], false);
        assert_eq!(body["stream"], true);
        assert_eq!(t.header("chatgpt-account-id").as_deref(), Some("acc_b"));
        assert!(t
            .header("session-id")
            .is_some_and(|s| s.starts_with("ses_")));
        assert!(t
            .header("authorization")
            .is_some_and(|a| !a.contains("codex-kit-local")));
    }
    run.stop().await;
}
