//! The npm packages tests drive (the real OpenCode CLI, the `openai` client, proper-lockfile):
//! where `tests/node/install*.sh` put them, the one rule for skipping when they are absent
//! (skip loudly without `node`, or without the package when `CI` is unset; fail under `CI`),
//! running a child under a deadline without blocking on its pipes, and the Responses event
//! stream `@ai-sdk/openai` expects from a backend.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

/// `${CODEX_KIT_CACHE:-<repo>/target/codex-kit-cache}`.
pub fn cache_dir() -> PathBuf {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::env::var_os("CODEX_KIT_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join("target/codex-kit-cache"))
}

/// The `opencode` binary `tests/node/install-opencode.sh` installs.
pub fn opencode_binary() -> PathBuf {
    cache_dir().join("opencode/node_modules/.bin/opencode")
}

/// Whether a test that needs `path` (installed by `script`) can run: `false` after saying why
/// when `node` or the package is missing outside CI; a panic under `CI`, where the packages
/// must be there. `what` names the test in the message.
#[allow(clippy::print_stderr)]
pub fn available(what: &str, path: &Path, script: &str) -> bool {
    let node = Command::new("node").arg("--version").output();
    if !node.is_ok_and(|o| o.status.success()) {
        eprintln!("\n!!! SKIPPED {what}: node is not installed\n");
        return false;
    }
    if path.exists() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but {} is missing: run {script}",
        path.display()
    );
    eprintln!(
        "\n!!! SKIPPED {what}: {} is missing; run {script}\n",
        path.display()
    );
    false
}

/// The real proper-lockfile 4.x (the plugin's locker) driven by `tests/node/lock-worker.js`,
/// as `tests/node/install.sh` installs it.
pub struct LockWorker {
    modules: PathBuf,
    script: PathBuf,
}

impl LockWorker {
    /// The worker, when `node` and proper-lockfile are there (see [`available`]; `what` names
    /// the test in the message).
    pub fn find(what: &str) -> Option<LockWorker> {
        let modules = cache_dir().join("node/node_modules");
        if !available(
            what,
            &modules.join("proper-lockfile/package.json"),
            "tests/node/install.sh",
        ) {
            return None;
        }
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        Some(LockWorker {
            modules,
            script: repo.join("tests/node/lock-worker.js"),
        })
    }

    /// `node lock-worker.js args…`.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new("node");
        c.arg(&self.script)
            .args(args)
            .env("NODE_PATH", &self.modules);
        c
    }

    /// Starts a worker (`hold`, `hold-forever`, `hold-dir` …) and waits for its first line of
    /// output (`locked` once it holds the lock).
    pub fn start(&self, args: &[&str]) -> (std::process::Child, String) {
        use std::io::BufRead;
        let mut child = self
            .command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn node");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the worker's first line");
        (child, line.trim().to_string())
    }

    /// Runs a one-shot worker command (`check`, `try` …) and returns its output.
    pub fn run(&self, args: &[&str]) -> String {
        let out = self.command(args).output().expect("run node");
        assert!(
            out.status.success(),
            "node {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

/// `opencode run "<prompt>"` (or any OpenCode invocation: `args`) in `project`, with the
/// environment of `home` only (cleared; `HOME` and the XDG directories inside it, see
/// [`crate::TempHome::env_pairs`]), the caller's `PATH` (node), and OpenCode's model fetch and
/// auto-update off. Stdin is closed and both outputs piped; add variables on top.
pub fn opencode_command(
    bin: &Path,
    home: &crate::TempHome,
    project: &Path,
    args: &[&str],
) -> Command {
    let mut cmd = home.command(bin);
    cmd.envs(home.env_pairs())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("OPENCODE_DISABLE_MODELS_FETCH", "1")
        .env("OPENCODE_DISABLE_AUTOUPDATE", "1")
        .current_dir(project)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// Runs `cmd` to completion, killed after `deadline`, draining stdout and stderr as it runs
/// so that a chatty child cannot block on a full pipe.
pub fn run_with_deadline(mut cmd: Command, deadline: Duration) -> Output {
    let mut child = cmd.spawn().expect("spawn");
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
    Output {
        status,
        stdout: stdout.join().expect("stdout"),
        stderr: stderr.join().expect("stderr"),
    }
}

/// The full Responses event stream `@ai-sdk/openai` expects, answering `text`, as SSE events
/// (one `event:`/`data:` block each).
pub fn responses_events(text: &str) -> Vec<String> {
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
        .map(|e| format!("event: {}\ndata: {e}\n\n", e["type"].as_str().unwrap_or("")))
        .collect()
}
