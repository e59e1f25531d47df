//! The OpenCode bridge end to end: the real OpenCode (`opencode-ai`, installed by
//! `tests/node/install-opencode.sh`) loads `crates/runtime/opencode-bridge` from one
//! `plugin` line in `opencode.json`; the bridge finds or starts this crate's `codex-runtime
//! serve` (through `CODEX_RUNTIME_BIN`), and the built-in `openai` provider's turn reaches a
//! loopback Codex backend through it, rotated to a second account. Also: the runtime missing
//! (the install command is named), already running (reused, same pid), crashed (restarted).
//!
//! Skipped, loudly, without `node`, or without the package when `CI` is unset.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::loopback::{now_ms, Loopback, Request, Response};
use codex_testkit::node::{
    available, opencode_binary, opencode_command, responses_events, run_with_deadline,
};
use codex_testkit::TempHome;

const ANSWER: &str = "Hello through the codex-kit bridge";

#[allow(clippy::print_stderr)]
fn skip(why: &str) {
    eprintln!("\n!!! SKIPPED opencode bridge test: {why}\n");
}

/// The OpenCode binary, or `None` (after saying why) when the test must skip.
fn opencode_or_skip() -> Option<PathBuf> {
    let bin = opencode_binary();
    available(
        "opencode bridge test",
        &bin,
        "tests/node/install-opencode.sh",
    )
    .then_some(bin)
}

fn bridge_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("opencode-bridge")
}

/// A temp home: two accounts in the store, OpenCode's config with the one plugin line.
struct Home {
    tmp: TempHome,
    /// Every runtime pid seen in the record, stopped when the test ends.
    seen: std::sync::Mutex<Vec<u32>>,
}

impl Home {
    fn new() -> Home {
        let tmp = TempHome::new();
        let account = |id: &str| {
            json!({"accountId": id, "email": format!("{id}@example.com"), "plan": "plus",
                "enabled": true, "access": format!("at_{id}"), "refresh": format!("rt_{id}"),
                "expires": now_ms() + 3_600_000})
        };
        tmp.write_store(&json!({"openai": {"type": "oauth", "native": {
            "accounts": [account("acc_a"), account("acc_b")],
            "activeIdentityKey": "acc_a|acc_a@example.com|plus"}}}));
        // A model setting the runtime applies, as the plugin would.
        tmp.write(
            ".config/opencode/codex-config.jsonc",
            r#"{ "global": { "serviceTier": "priority", "include": ["file_search_call.results"] },
  "perModel": { "gpt-5.4": { "textVerbosity": "low", "reasoningEffort": "high" } } }"#,
        );
        let plugin = format!("file://{}", bridge_dir().display());
        tmp.write_json(
            ".config/opencode/opencode.json",
            &json!({ "plugin": [plugin] }),
        );
        std::fs::create_dir_all(tmp.path("project")).expect("project");
        Home {
            tmp,
            seen: std::sync::Mutex::default(),
        }
    }

    /// `HOME`.
    fn home(&self) -> PathBuf {
        self.tmp.home()
    }

    fn record_path(&self) -> PathBuf {
        self.home()
            .join(".local/state/codex-kit/runtime/serve.json")
    }

    fn record(&self) -> Option<Value> {
        let text = std::fs::read_to_string(self.record_path()).ok()?;
        serde_json::from_str(&text).ok()
    }

    fn runtime_pid(&self) -> Option<u32> {
        let pid = self.record()?["pid"].as_u64().map(|p| p as u32)?;
        let mut seen = self.seen.lock().expect("seen");
        if !seen.contains(&pid) {
            seen.push(pid);
        }
        Some(pid)
    }

    fn serve_log(&self) -> String {
        std::fs::read_to_string(self.home().join(".local/state/codex-kit/runtime/serve.log"))
            .unwrap_or_default()
    }

    /// `opencode run "say hi"` with the built-in `openai` provider; `extra` env on top.
    fn opencode_run(&self, bin: &Path, upstream: &Loopback, extra: &[(&str, String)]) -> Output {
        let project = self.home().join("project");
        let args = ["run", "-m", "openai/gpt-5.4", "say hi"];
        let mut cmd = opencode_command(bin, &self.tmp, &project, &args);
        cmd.env("PATH", path_without_codex_runtime())
            // With a plugin configured, OpenCode installs `@opencode-ai/plugin` into its
            // config folder before loading plugins: offline, that fails at once instead of
            // reaching the registry. Any other HTTPS request goes to a dead loopback proxy.
            .env("npm_config_offline", "true")
            .env("HTTPS_PROXY", dead_proxy())
            .env("NO_PROXY", "127.0.0.1,localhost")
            // Inherited by the `serve` the bridge starts: the loopback backend and issuer.
            .env(
                "CODEX_RUNTIME_UPSTREAM",
                format!("{}/backend-api/codex", upstream.base()),
            )
            .env("CODEX_RUNTIME_ISSUER", upstream.base())
            .envs(extra.iter().map(|(k, v)| (*k, v.as_str())));
        run_with_deadline(cmd, Duration::from_secs(240))
    }
}

impl Drop for Home {
    /// Stops every runtime the bridge started for this home (they are detached).
    fn drop(&mut self) {
        let _ = self.runtime_pid();
        let seen = self.seen.lock().expect("seen").clone();
        for pid in seen {
            if alive(pid) {
                terminate(pid);
            }
        }
    }
}

/// The process exists and is not a zombie (a container's init may never reap the runtime).
fn alive(pid: u32) -> bool {
    let exists = rustix::process::test_kill_process(
        rustix::process::Pid::from_raw(pid as i32).expect("pid"),
    )
    .is_ok();
    let zombie = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(')')
                .map(|(_, rest)| rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(false);
    exists && !zombie
}

/// SIGTERM, then SIGKILL if it has not exited after a generous wait.
fn terminate(pid: u32) {
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    if !wait_until(Duration::from_secs(20), || !alive(pid)) {
        let _ = Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    }
}

fn wait_until(limit: Duration, mut f: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    f()
}

/// The caller's `PATH` without any directory holding a `codex-runtime`, so only
/// `CODEX_RUNTIME_BIN` can name one.
fn path_without_codex_runtime() -> std::ffi::OsString {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let kept: Vec<PathBuf> = std::env::split_paths(&path)
        .filter(|d| !d.join("codex-runtime").exists())
        .collect();
    std::env::join_paths(kept).unwrap_or_default()
}

/// A loopback address where nothing listens.
fn dead_proxy() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    format!("http://127.0.0.1:{}", l.local_addr().expect("addr").port())
}

fn runtime_bin() -> String {
    assert_cmd::cargo::cargo_bin("codex-runtime")
        .display()
        .to_string()
}

/// A Codex backend where `acc_a` is rate limited and `acc_b` answers.
fn backend() -> Loopback {
    Loopback::start(|r: &Request| match r.path.as_str() {
        "/backend-api/codex/responses" => {
            if r.headers.get("chatgpt-account-id").map(String::as_str) == Some("acc_a") {
                let mut resp = Response::json(429, &json!({"error": {"message": "rate limited"}}));
                resp.headers.push(("retry-after".into(), "600".into()));
                resp
            } else {
                Response {
                    status: 200,
                    headers: vec![("content-type".into(), "text/event-stream".into())],
                    body: responses_events(ANSWER).concat(),
                }
            }
        }
        _ => Response::json(404, &json!({})),
    })
}

fn turns(upstream: &Loopback) -> Vec<Request> {
    upstream
        .requests()
        .into_iter()
        .filter(|q| q.path == "/backend-api/codex/responses" && q.body.contains("say hi"))
        .collect()
}

fn assert_answered(out: &Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains(ANSWER),
        "opencode failed ({:?})\nstdout:\n{stdout}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn opencode_reaches_the_backend_through_the_bridge_reusing_and_restarting_the_runtime() {
    let Some(bin) = opencode_or_skip() else {
        return;
    };
    let home = Home::new();
    // OpenCode's own ChatGPT login for `openai`: its built-in Codex plugin would send
    // requests straight to chatgpt.com with this token; the bridge must win (the dead
    // HTTPS proxy keeps any such request on loopback).
    let data = home.home().join(".local/share/opencode");
    std::fs::create_dir_all(&data).expect("data dir");
    std::fs::write(
        data.join("auth.json"),
        json!({"openai": {"type": "oauth", "access": "at_builtin_unused", "refresh": "rt_builtin_unused",
            "expires": now_ms() + 3_600_000}})
        .to_string(),
    )
    .expect("auth.json");
    let dead = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead_proxy = format!(
        "http://127.0.0.1:{}",
        dead.local_addr().expect("addr").port()
    );
    drop(dead);
    let upstream = backend();
    let env = [
        ("CODEX_RUNTIME_BIN", runtime_bin()),
        ("HTTPS_PROXY", dead_proxy.clone()),
        ("NO_PROXY", "127.0.0.1,localhost".to_string()),
    ];

    // 1. Nothing runs: the bridge starts the runtime and the turn rotates to acc_b.
    assert!(home.record().is_none());
    let out = home.opencode_run(&bin, &upstream, &env);
    assert_answered(&out);
    let turns1 = turns(&upstream);
    let accounts: Vec<&str> = turns1
        .iter()
        .filter_map(|t| t.headers.get("chatgpt-account-id").map(String::as_str))
        .collect();
    assert!(accounts.contains(&"acc_a"), "acc_a was tried: {accounts:?}");
    assert!(
        accounts.contains(&"acc_b"),
        "the turn rotated to acc_b: {accounts:?}"
    );
    let answered = turns1
        .iter()
        .find(|t| t.headers.get("chatgpt-account-id").map(String::as_str) == Some("acc_b"))
        .expect("acc_b's turn");
    assert_eq!(
        answered.headers.get("authorization").map(String::as_str),
        Some("Bearer at_acc_b")
    );
    assert_eq!(answered.json()["model"], "gpt-5.4");
    assert_eq!(
        answered.json()["text"]["verbosity"],
        "low",
        "codex-config.jsonc's per-model setting reached the backend: {}",
        answered.body
    );
    // OpenCode sends `reasoningEffort: "medium"` for GPT-5 models on its own; the per-model
    // setting reaches it as the model's option, which overrides that default. (The title
    // request asks for its own small effort, which stays.)
    let main_turn = turns1
        .iter()
        .rfind(|t| !t.body.contains("Generate a title"))
        .expect("the main turn");
    assert_eq!(
        main_turn.json()["reasoning"]["effort"],
        "high",
        "the per-model reasoning effort beats OpenCode's default: {}",
        main_turn.body
    );
    let main = main_turn.json();
    assert_eq!(main["service_tier"], "priority", "{}", main_turn.body);
    let include: Vec<&str> = main["include"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    assert!(
        include.contains(&"file_search_call.results")
            && include.contains(&"reasoning.encrypted_content"),
        "{include:?}"
    );
    for q in upstream.requests() {
        let auth = q.headers.get("authorization").cloned().unwrap_or_default();
        assert!(
            !auth.contains("builtin_unused"),
            "OpenCode's own login was not used"
        );
    }
    let first = home
        .runtime_pid()
        .expect("the bridge's runtime recorded itself");
    assert!(alive(first), "the runtime outlives OpenCode");
    assert_eq!(
        home.serve_log()
            .matches("codex-runtime serve is ready")
            .count(),
        1
    );

    // 2. Running: the next OpenCode reuses it (same pid, no second start).
    let before = turns(&upstream).len();
    let out = home.opencode_run(&bin, &upstream, &env);
    assert_answered(&out);
    assert!(
        turns(&upstream).len() > before,
        "the second turn reached the backend"
    );
    assert_eq!(
        home.runtime_pid(),
        Some(first),
        "the running runtime is reused"
    );
    assert_eq!(
        home.serve_log()
            .matches("codex-runtime serve is ready")
            .count(),
        1,
        "no second runtime was started:\n{}",
        home.serve_log()
    );

    // 3. Crashed (killed, its record left behind): the next OpenCode starts a new one.
    let _ = Command::new("kill")
        .args(["-KILL", &first.to_string()])
        .status();
    assert!(wait_until(Duration::from_secs(20), || !alive(first)));
    assert_eq!(home.runtime_pid(), Some(first), "the stale record stays");
    let before = turns(&upstream).len();
    let out = home.opencode_run(&bin, &upstream, &env);
    assert_answered(&out);
    assert!(turns(&upstream).len() > before);
    let second = home.runtime_pid().expect("a new record");
    assert_ne!(second, first, "a new runtime was started");
    assert!(alive(second));
    assert_eq!(
        home.serve_log()
            .matches("codex-runtime serve is ready")
            .count(),
        2
    );

    terminate(second);
    assert!(
        wait_until(Duration::from_secs(20), || home.record().is_none()),
        "the runtime removes its record on SIGTERM"
    );
}

/// Two starts at the same moment (as two OpenCode windows opening together) share one
/// runtime through the start lock. Driven by `node` on the bridge's own module, because two
/// real OpenCode processes rarely reach the start at the same instant.
#[test]
fn two_starts_at_once_share_one_runtime() {
    let home = Home::new();
    let upstream = backend();
    let script = "const rts = await Promise.all([ensureRuntime(), ensureRuntime()]);\n\
         console.log(JSON.stringify(rts.map((r) => ({ pid: r.pid, reused: r.reused }))));";
    let Some(v) = run_bridge_module(&home, &upstream, "ensureRuntime", script) else {
        return;
    };
    let pid = home.runtime_pid().expect("a record");
    assert_eq!(v[0]["pid"], pid, "{v}");
    assert_eq!(v[1]["pid"], pid, "{v}");
    assert_eq!(
        [v[0]["reused"].as_bool(), v[1]["reused"].as_bool()]
            .iter()
            .filter(|r| **r == Some(false))
            .count(),
        1,
        "one of the two started it: {v}"
    );
    assert_eq!(
        home.serve_log()
            .matches("codex-runtime serve is ready")
            .count(),
        1,
        "one runtime for both:\n{}",
        home.serve_log()
    );
    assert!(!home
        .home()
        .join(".local/state/codex-kit/runtime/serve.start.lock")
        .exists());
}

/// A runtime that dies while OpenCode runs: the bridge's `fetch` finds nothing listening,
/// starts a new runtime and sends the request there.
#[test]
fn a_runtime_dying_mid_session_is_replaced_by_the_next_request() {
    let home = Home::new();
    let upstream = backend();
    let script = "const b = createBridge(process.env);\n\
         const first = await b.ensure();\n\
         process.kill(first.pid, 'SIGKILL');\n\
         for (let i = 0; i < 400; i++) {\n\
           try { process.kill(first.pid, 0) } catch { break }\n\
           await new Promise((r) => setTimeout(r, 50));\n\
         }\n\
         const r = await b.fetch(`${first.url}/healthz`, { method: 'GET' });\n\
         console.log(JSON.stringify({ first: first.pid, second: b.runtime.pid, status: r.status, body: await r.text() }));";
    let Some(v) = run_bridge_module(&home, &upstream, "createBridge", script) else {
        return;
    };
    assert_eq!(v["status"], 200, "{v}");
    assert_eq!(v["body"], "ok\n", "{v}");
    assert_ne!(v["first"], v["second"], "a new runtime answered: {v}");
    assert_eq!(home.runtime_pid().map(u64::from), v["second"].as_u64());
    assert_eq!(
        home.serve_log()
            .matches("codex-runtime serve is ready")
            .count(),
        2
    );
}

/// Runs `script` in `node` after importing `name` from the bridge's `lib.js`, in `home`'s
/// environment; returns its stdout as JSON, or `None` (skipped) without `node`.
fn run_bridge_module(home: &Home, upstream: &Loopback, name: &str, script: &str) -> Option<Value> {
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        skip("node is not installed");
        return None;
    }
    let lib = format!("file://{}", bridge_dir().join("lib.js").display());
    let script = format!("const {{ {name} }} = await import({lib:?});\n{script}");
    let out = home
        .tmp
        .command("node")
        .envs(home.tmp.env_pairs())
        .env("PATH", path_without_codex_runtime())
        .env("CODEX_RUNTIME_BIN", runtime_bin())
        .env(
            "CODEX_RUNTIME_UPSTREAM",
            format!("{}/backend-api/codex", upstream.base()),
        )
        .env("CODEX_RUNTIME_ISSUER", upstream.base())
        .args(["--input-type=module", "-e", &script])
        .output()
        .expect("node");
    assert!(out.status.success(), "{out:?}");
    Some(serde_json::from_slice(&out.stdout).expect("json"))
}

#[test]
fn without_the_runtime_opencode_names_the_install_command() {
    let Some(bin) = opencode_or_skip() else {
        return;
    };
    let home = Home::new();
    let upstream = backend();
    let out = home.opencode_run(&bin, &upstream, &[]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains(ANSWER), "{text}");
    assert!(text.contains("codex-runtime is not on PATH"), "{text}");
    assert!(
        text.contains("cargo install --path crates/runtime"),
        "{text}"
    );
    assert!(text.contains("nix profile install"), "{text}");
    assert!(
        upstream.requests().is_empty(),
        "nothing reached the backend"
    );
    assert!(home.record().is_none(), "no runtime was started");

    // A CODEX_RUNTIME_BIN that is not there is named too.
    let missing = home.home().join("no/such/codex-runtime");
    let out = home.opencode_run(
        &bin,
        &upstream,
        &[("CODEX_RUNTIME_BIN", missing.display().to_string())],
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains(&missing.display().to_string()), "{text}");
    assert!(
        text.contains("cargo install --path crates/runtime"),
        "{text}"
    );
}

/// The bridge's merge of the runtime's model blocks under the user's `opencode.json`, run
/// by `node` on the shipped `lib.js`: the user's values win at any depth, the runtime's
/// fill the rest, and nothing that is not an object is merged into.
#[test]
fn the_users_model_settings_win_over_the_runtimes() {
    if !Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
    {
        skip("node is not installed");
        return;
    }
    let lib = bridge_dir().join("lib.js");
    let script = format!(
        r#"import {{ mergeUnder }} from {lib};
const user = {{ "gpt-5.4": {{ options: {{ textVerbosity: "high" }}, variants: {{ low: {{ disabled: true }} }} }}, mine: {{ name: "Mine" }} }};
const runtime = {{ "gpt-5.4": {{ name: "GPT-5.4", options: {{ reasoningEffort: "xhigh", textVerbosity: "low" }},
  variants: {{ low: {{ reasoningEffort: "low" }}, high: {{ reasoningEffort: "high" }} }} }}, "gpt-5.2": {{ name: "GPT-5.2" }} }};
console.log(JSON.stringify([mergeUnder(user, runtime), mergeUnder(undefined, runtime), mergeUnder("x", runtime)]));"#,
        lib = serde_json::to_string(&format!("file://{}", lib.display())).expect("json")
    );
    let out = Command::new("node")
        .args(["--input-type=module", "-e", &script])
        .output()
        .expect("node");
    assert!(out.status.success(), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(
        v[0],
        json!({
            "gpt-5.4": {"name": "GPT-5.4", "options": {"reasoningEffort": "xhigh", "textVerbosity": "high"},
                "variants": {"low": {"reasoningEffort": "low", "disabled": true}, "high": {"reasoningEffort": "high"}}},
            "gpt-5.2": {"name": "GPT-5.2"},
            "mine": {"name": "Mine"}
        })
    );
    assert_eq!(
        v[1]["gpt-5.2"]["name"], "GPT-5.2",
        "no user models: the runtime's"
    );
    assert_eq!(v[2], "x", "a user value that is not an object stays");
}
