//! `codex-runtime serve` and `opencode-config` end to end: the real binary, a temp HOME, a
//! cleared environment, and a minimal Codex backend on 127.0.0.1 (port 0).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command as StdCommand, Stdio};
use std::time::Duration;

use assert_cmd::cargo::cargo_bin;
use codex_testkit::TempHome;
use serde_json::{json, Value};

use crate::loopback::{now_ms, Loopback, Response};

const SSE: &str = "event: response.created\ndata: {\"type\":\"response.created\"}\n\nevent: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"hello from the mock\"}\n\nevent: response.completed\ndata: {\"type\":\"response.completed\"}\n\n";

fn write_store(home: &TempHome) {
    home.write_store(&json!({"openai": {"type": "oauth", "native": {"accounts": [{
        "accountId": "acc_1", "email": "one@example.com", "plan": "plus", "enabled": true,
        "access": "at_serve_secret", "refresh": "rt_serve_secret", "expires": now_ms() + 3_600_000
    }]}}}));
}

/// A backend answering every request with the SSE body (it records them all).
fn mock_backend() -> Loopback {
    Loopback::start(|_| Response {
        status: 200,
        headers: vec![("content-type".into(), "text/event-stream".into())],
        body: SSE.into(),
    })
}

#[test]
fn serve_proxies_a_request_and_stops_on_sigterm() {
    let home = TempHome::new();
    write_store(&home);
    let backend = mock_backend();
    let base = backend.base();
    let upstream = format!("{base}/backend-api/codex");
    let (child, addr) = start_serve(&home, &[], &["--upstream", &upstream, "--issuer", &base]);

    let client = reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
    let body = json!({"model": "gpt-5.4", "stream": true, "input": [
        {"role": "system", "content": "sys"}, {"role": "user", "content": "hi"}]});
    let r = client
        .post(format!("{addr}/v1/responses"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .expect("proxy answered");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.text().expect("body"), SSE);
    // Only the turn counts: the catalog sync and the quota poll may call the backend too.
    let turns: Vec<_> = backend
        .requests()
        .into_iter()
        .filter(|r| r.path == "/backend-api/codex/responses")
        .collect();
    assert_eq!(turns.len(), 1, "the backend saw the turn once");
    assert_eq!(turns[0].method, "POST");
    assert_eq!(
        turns[0].header("authorization"),
        Some("Bearer at_serve_secret")
    );

    let status: Value = serde_json::from_str(
        &client
            .get(format!("{addr}/status"))
            .send()
            .expect("status")
            .text()
            .expect("text"),
    )
    .expect("status json");
    assert_eq!(status["accounts"][0]["label"], "o***@example.com (plus)");

    let stderr = stop_serve(child);
    // One access-log line for the request, with a pseudonymous account label.
    let access: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains(" response "))
        .collect();
    assert_eq!(access.len(), 1, "{stderr}");
    for needle in [
        "status=200",
        "outcome=\"success\"",
        "account=\"acct_",
        "attempts=1",
    ] {
        assert!(access[0].contains(needle), "{needle} not in {}", access[0]);
    }
    assert!(!stderr.contains("at_serve_secret") && !stderr.contains("rt_serve_secret"));
    assert!(!stderr.contains("one@example.com"));
    assert!(
        stderr.contains("rotating among 1 enabled account(s)"),
        "{stderr}"
    );
}

/// Starts `serve --listen 127.0.0.1:0` for `home` with `env` and `args`, and waits for its
/// `listening on` line: returns the child and the base URL.
pub(crate) fn start_serve(home: &TempHome, env: &[(&str, &str)], args: &[&str]) -> (Child, String) {
    let mut child = home
        .command(cargo_bin("codex-runtime"))
        .envs(env.iter().copied())
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("listening line");
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_string();
    (child, addr)
}

/// Stops `serve` with SIGTERM; it must exit cleanly. Returns its stderr.
pub(crate) fn stop_serve(child: Child) -> String {
    let killed = StdCommand::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let out = child.wait_with_output().expect("exit");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Starts `serve` for `home`, stops it as soon as it listens, and returns its stderr.
fn serve_until_ready(home: &TempHome, env: &[(&str, &str)]) -> String {
    stop_serve(start_serve(home, env, &[]).0)
}

#[test]
fn serve_says_at_start_when_no_request_can_succeed() {
    let home = TempHome::new();
    let stderr = serve_until_ready(&home, &[]);
    assert!(stderr.contains("no ChatGPT login"), "{stderr}");
    assert!(stderr.contains("oauth_not_configured"), "{stderr}");
    assert!(stderr.contains("opencode auth login"), "{stderr}");
    assert!(stderr.contains("codex-runtime login"), "{stderr}");

    // A login entry whose mode has no accounts answers with another error.
    let dir = home.home().join(".config/opencode");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("codex-accounts.json"),
        json!({"openai": {"type": "oauth", "native": {"accounts": []}}}).to_string(),
    )
    .expect("store");
    let stderr = serve_until_ready(&home, &[]);
    assert!(stderr.contains("no_accounts_configured"), "{stderr}");

    // One account, disabled.
    write_store(&home);
    let path = home.home().join(".config/opencode/codex-accounts.json");
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    doc["openai"]["native"]["accounts"][0]["enabled"] = json!(false);
    std::fs::write(&path, doc.to_string()).expect("write");
    let stderr = serve_until_ready(&home, &[]);
    assert!(stderr.contains("no enabled account"), "{stderr}");
    assert!(
        stderr.contains("codex-runtime accounts enable <n>"),
        "{stderr}"
    );
    assert!(!stderr.contains("one@example.com"), "{stderr}");

    // Enabled in native, disabled in codex: in codex mode nothing can answer.
    let mut acct = doc["openai"]["native"]["accounts"][0].clone();
    doc["openai"]["native"]["accounts"][0]["enabled"] = json!(true);
    acct["enabled"] = json!(false);
    doc["openai"]["codex"] = json!({"accounts": [acct]});
    std::fs::write(&path, doc.to_string()).expect("write");
    let native = serve_until_ready(&home, &[]);
    assert!(
        native.contains("rotating among 1 enabled account(s)"),
        "{native}"
    );
    let codex = serve_until_ready(&home, &[("OPENCODE_OPENAI_MULTI_MODE", "codex")]);
    assert!(codex.contains("no enabled account"), "{codex}");
}

#[test]
fn opencode_config_prints_the_provider_snippet() {
    let home = TempHome::new();
    write_store(&home);
    let cache = home.home().join(".config/opencode/cache");
    std::fs::create_dir_all(&cache).expect("cache");
    let (primary, _) = codex_paths::catalog_cache_names(Some("acc_1"));
    std::fs::write(
        cache.join(primary),
        json!({"fetchedAt": 1, "models": [{"slug": "gpt-5.4"}, {"slug": "gpt-5.4-mini"}]})
            .to_string(),
    )
    .expect("catalog");
    let out = home
        .command(cargo_bin("codex-runtime"))
        .args([
            "opencode-config",
            "--listen",
            "127.0.0.1:4321",
            "--small-model",
            "gpt-5.4-mini",
        ])
        .output()
        .expect("run");
    assert!(out.status.success(), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let p = &v["provider"]["codex-kit"];
    assert_eq!(p["npm"], "@ai-sdk/openai");
    assert_eq!(p["options"]["baseURL"], "http://127.0.0.1:4321/v1");
    assert_eq!(p["options"]["apiKey"], "codex-kit-local");
    let models: Vec<&String> = p["models"].as_object().expect("models").keys().collect();
    assert_eq!(models, ["gpt-5.4", "gpt-5.4-mini"]);
    assert_eq!(v["model"], "codex-kit/gpt-5.4");
    assert_eq!(v["small_model"], "codex-kit/gpt-5.4-mini");
}

#[test]
fn a_busy_port_is_named_with_the_fix() {
    let home = TempHome::new();
    write_store(&home);
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let out = home
        .command(cargo_bin("codex-runtime"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{stderr}"
    );
    assert!(stderr.contains("--listen 127.0.0.1:<port>"), "{stderr}");
    assert!(
        stderr.contains("codex-runtime opencode-config --listen"),
        "{stderr}"
    );
    // The fix is a `hint:` block, and the holder (this test) is named (found from the
    // user's side: one run-on error line, no holder).
    assert!(stderr.contains("\nhint: another program"), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "hint: port {port} is held by {}",
            std::process::id()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    drop(taken);
}

#[test]
fn the_client_key_comes_from_a_file_and_the_command_line_warns() {
    let home = TempHome::new();
    write_store(&home);
    let key_file = home.home().join("client.key");
    std::fs::write(&key_file, "file-key-123\n").expect("key file");
    let (child, addr) = start_serve(
        &home,
        &[],
        &["--client-key-file", &key_file.display().to_string()],
    );
    let client = reqwest::blocking::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client");
    let status = |key: &str| {
        client
            .get(format!("{addr}/status"))
            .header("authorization", format!("Bearer {key}"))
            .send()
            .expect("status")
            .status()
            .as_u16()
    };
    assert_eq!(status("file-key-123"), 200);
    assert_eq!(status("wrong"), 401);
    let stderr = stop_serve(child);
    assert!(!stderr.contains("process list"), "{stderr}");
    assert!(!stderr.contains("file-key-123"), "{stderr}");

    let (child, _) = start_serve(&home, &[], &["--client-key", "cli-key-456"]);
    let stderr = stop_serve(child);
    assert!(stderr.contains("--client-key-file"), "{stderr}");
    assert!(!stderr.contains("cli-key-456"), "{stderr}");

    // An empty key file is refused with the fix.
    std::fs::write(&key_file, "\n").expect("empty");
    let out = home
        .command(cargo_bin("codex-runtime"))
        .args(["serve", "--listen", "127.0.0.1:0", "--client-key-file"])
        .arg(&key_file)
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("client.key") && err.contains("first line"),
        "{err}"
    );
}

#[test]
fn serve_records_where_it_listens_and_removes_the_record_on_exit() {
    let home = TempHome::new();
    write_store(&home);
    let state = home.home().join("state");
    let record = state.join("codex-kit/runtime/serve.json");
    // A stale record (a process that is gone) is replaced.
    std::fs::create_dir_all(record.parent().expect("dir")).expect("mkdir");
    std::fs::write(&record, r#"{"version":1,"pid":999999999,"port":1}"#).expect("stale");
    let (child, addr) = start_serve(
        &home,
        &[("XDG_STATE_HOME", state.to_str().expect("utf8"))],
        &[],
    );
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(&record).expect("record")).expect("json");
    let port: u64 = addr.rsplit(':').next().expect("port").parse().expect("num");
    assert_eq!(v["pid"], u64::from(child.id()), "{v}");
    assert_eq!(v["port"], port, "{v}");
    assert_eq!(v["url"], addr, "{v}");
    assert_eq!(v["clientKey"], false, "{v}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&record)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    stop_serve(child);
    assert!(!record.exists(), "the record is removed on a clean exit");

    // Without XDG_STATE_HOME it lives under ~/.local/state.
    let (child, _) = start_serve(&home, &[], &[]);
    let default = home.path(".local/state/codex-kit/runtime/serve.json");
    assert!(default.exists());
    stop_serve(child);
    assert!(!default.exists());
}
