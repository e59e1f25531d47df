//! The real OpenCode (`opencode-ai` from npm) → our proxy → a mock Codex backend, all on
//! loopback: `opencode run "say hi"` prints the mock's answer.
//!
//! The binary is installed by `tests/node/install-opencode.sh` into
//! `${CODEX_KIT_CACHE:-<repo>/target/codex-kit-cache}/opencode`. The test is skipped, loudly,
//! when `node` is absent, or when the package is not installed and `CI` is unset.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bytes::Bytes;
use codex_proxy::opencode::{snippet, SnippetOptions};
use serde_json::json;

use crate::support::*;

const ANSWER: &str = "Hello from the mock Codex backend";

fn opencode_binary() -> PathBuf {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cache = std::env::var_os("CODEX_KIT_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join("target/codex-kit-cache"));
    cache.join("opencode/node_modules/.bin/opencode")
}

#[allow(clippy::print_stderr)]
fn skip(why: &str) {
    eprintln!("\n!!! SKIPPED opencode end-to-end test: {why}\n");
}

/// The full event sequence `@ai-sdk/openai` expects from the Responses API.
fn realistic_sse(text: &str) -> Vec<Bytes> {
    let events = [
        json!({"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","created_at":1,"status":"in_progress","model":"gpt-5.4","output":[]}}),
        json!({"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_1","object":"response","created_at":1,"status":"in_progress","model":"gpt-5.4","output":[]}}),
        json!({"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"type":"message","id":"msg_1","status":"in_progress","role":"assistant","content":[]}}),
        json!({"type":"response.content_part.added","sequence_number":3,"item_id":"msg_1","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}),
        json!({"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_1","output_index":0,"content_index":0,"delta":text,"logprobs":[]}),
        json!({"type":"response.output_text.done","sequence_number":5,"item_id":"msg_1","output_index":0,"content_index":0,"text":text,"logprobs":[]}),
        json!({"type":"response.output_item.done","sequence_number":6,"output_index":0,"item":{"type":"message","id":"msg_1","status":"completed","role":"assistant","content":[{"type":"output_text","text":text,"annotations":[]}]}}),
        json!({"type":"response.completed","sequence_number":7,"response":{"id":"resp_1","object":"response","created_at":1,"status":"completed","model":"gpt-5.4","output":[],"usage":{"input_tokens":10,"output_tokens":5,"total_tokens":15,"input_tokens_details":{"cached_tokens":0},"output_tokens_details":{"reasoning_tokens":0}}}}),
    ];
    events
        .iter()
        .map(|e| {
            Bytes::from(format!(
                "event: {}\ndata: {e}\n\n",
                e["type"].as_str().unwrap_or("")
            ))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opencode_run_prints_the_mock_answer_through_the_proxy() {
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        return skip("node is not installed");
    }
    let bin = opencode_binary();
    if !bin.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but {} is missing: run tests/node/install-opencode.sh",
            bin.display()
        );
        return skip(&format!(
            "{} is missing; run tests/node/install-opencode.sh",
            bin.display()
        ));
    }

    let home = Home::new();
    // The first account is rate limited, so OpenCode's turn also exercises failover.
    home.write_store(
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
            Reply::sse(realistic_sse(ANSWER))
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
    let project = home.root().join("project");
    std::fs::create_dir_all(&project).expect("project dir");

    let r = home.root().to_path_buf();
    let mut cmd = Command::new(&bin);
    cmd.env_clear()
        .env("HOME", &r)
        .env("XDG_CONFIG_HOME", r.join(".config"))
        .env("XDG_DATA_HOME", r.join(".local/share"))
        .env("XDG_CACHE_HOME", r.join(".cache"))
        .env("XDG_STATE_HOME", r.join(".local/state"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("OPENCODE_DISABLE_MODELS_FETCH", "1")
        .env("OPENCODE_DISABLE_AUTOUPDATE", "1")
        .current_dir(&project)
        .args(["run", "say hi"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
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

/// Runs `cmd` to completion (killed after `deadline`), draining stdout and stderr as it
/// runs so that a chatty child cannot block on a full pipe.
fn run_with_deadline(mut cmd: Command, deadline: Duration) -> std::process::Output {
    use std::io::Read;
    let mut child = cmd.spawn().expect("spawn opencode");
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            break child.wait().expect("wait");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    std::process::Output {
        status,
        stdout: stdout.join().expect("stdout"),
        stderr: stderr.join().expect("stderr"),
    }
}
