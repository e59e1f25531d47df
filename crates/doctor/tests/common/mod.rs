//! Test harness: a fixture home in a temp dir and a runner for the real binary.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use codex_testkit::TempHome;
use serde_json::{json, Value};

/// The plugin's own fixtures, copied into the repo.
pub fn plugin_fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/plugin")
        .join(name);
    fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Unsigned JWTs and the clock, shared with every crate's tests.
pub use codex_testkit::{jwt, now_ms};

/// Far-future expiry used by healthy accounts (2100-01-01).
pub const FAR: f64 = 4_102_444_800_000.0;

/// An account record for the store.
pub fn account(id: &str, email: &str, plan: &str) -> Value {
    json!({
        "identityKey": format!("{id}|{email}|{plan}"),
        "accountId": id,
        "email": email,
        "plan": plan,
        "authTypes": ["native"],
        "enabled": true,
        "access": format!("at_{id}_secret_access_token"),
        "refresh": format!("rt_{id}_secret_refresh_token"),
        "expires": FAR
    })
}

/// A store with the given native accounts, first active.
pub fn store_with(accounts: Vec<Value>) -> Value {
    let active = accounts
        .first()
        .and_then(|a| a.get("identityKey"))
        .cloned()
        .unwrap_or(Value::Null);
    json!({
        "openai": {
            "type": "oauth",
            "strategy": "sticky",
            "accounts": accounts.clone(),
            "activeIdentityKey": active.clone(),
            "native": { "strategy": "sticky", "accounts": accounts, "activeIdentityKey": active }
        }
    })
}

pub use codex_testkit::Run;

/// A fixture home: [`TempHome`] plus the doctor's environment (a cleared one: `HOME`, an
/// empty process table, a desktop session, a free login port) and a working directory that
/// is a git worktree root. Derefs to the [`TempHome`] for paths and file helpers.
pub struct Home {
    tmp: TempHome,
    pub env: Vec<(String, String)>,
    pub cwd: PathBuf,
}

impl std::ops::Deref for Home {
    type Target = TempHome;
    fn deref(&self) -> &TempHome {
        &self.tmp
    }
}

/// A free port for the login-port probe, picked below Linux's ephemeral range (32768+):
/// a port handed out by `bind(0)` (sibling tests) or to an outgoing connection can then
/// never be this one while the test runs, so "is free" stays true.
fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let start = (std::process::id() % 8000) as u16;
    for _ in 0..8000 {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = 20000 + (start.wrapping_add(n.wrapping_mul(7)) % 12000);
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port between 20000 and 31999")
}

impl Home {
    /// An empty home: HOME exists, nothing else. PATH holds only an empty bin dir.
    pub fn empty() -> Home {
        let tmp = TempHome::new();
        let home = tmp.home();
        let cwd = tmp.root().join("work");
        // The working directory is a git worktree root, so OpenCode's project walk (and the
        // doctor's) stops there instead of reading the machine's /tmp and /.
        fs::create_dir_all(cwd.join(".git")).expect("mkdir");
        // A local desktop session for login.environment: a display, an opener, no container.
        tmp.write_script("bin/xdg-open", "#!/bin/sh\nexit 0\n");
        // An empty process table: no OpenCode of the machine (or of a sibling test) runs here.
        let procs = tmp.root().join("proc");
        fs::create_dir_all(&procs).expect("mkdir");
        let env = vec![
            (
                "CODEX_DOCTOR_PROC_ROOT".to_string(),
                procs.display().to_string(),
            ),
            ("DISPLAY".to_string(), ":0".to_string()),
            ("CODEX_DOCTOR_CONTAINER".to_string(), "none".to_string()),
            (
                "OPENCODE_TEST_MANAGED_CONFIG_DIR".to_string(),
                home.join(".managed-opencode").display().to_string(),
            ),
            ("HOME".to_string(), home.display().to_string()),
            ("PATH".to_string(), home.join("bin").display().to_string()),
            (
                "CODEX_DOCTOR_LOGIN_PORT".to_string(),
                free_port().to_string(),
            ),
        ];
        Home { tmp, env, cwd }
    }

    /// Lays out a process `pid` named `comm` in this home's process table.
    pub fn fake_process(&self, pid: u32, comm: &str) {
        let d = self.root().join("proc").join(pid.to_string());
        fs::create_dir_all(&d).expect("mkdir");
        fs::write(d.join("comm"), format!("{comm}\n")).expect("write");
        fs::write(d.join("cmdline"), format!("{comm}\0")).expect("write");
    }

    /// A home laid out exactly as the plugin's installer and first start leave it, with one
    /// healthy native account and current caches.
    pub fn healthy() -> Home {
        Self::healthy_with(vec![account("acc_healthy1", "alice@example.com", "plus")])
    }

    /// A healthy home with the given accounts.
    pub fn healthy_with(accounts: Vec<Value>) -> Home {
        let h = Home::empty();
        h.write(
            ".config/opencode/opencode.json",
            "{\n  \"plugin\": [\"@iam-brain/opencode-codex-auth@latest\"]\n}\n",
        );
        h.write(
            ".config/opencode/codex-config.jsonc",
            &plugin_fixture("codex-config.jsonc"),
        );
        h.write_json(
            ".config/opencode/codex-accounts.json",
            &store_with(accounts.clone()),
        );
        h.write_json(
            ".local/share/opencode/auth.json",
            &json!({"openai": {"type": "oauth", "refresh": "rt_opencode_own_refresh", "access": "at_opencode_own_access", "expires": FAR}}),
        );
        h.write(
            ".config/opencode/commands/create-personality.md",
            "# create-personality\n",
        );
        h.write(
            ".config/opencode/skills/personality-builder/SKILL.md",
            "# skill\n",
        );
        h.write(
            ".config/opencode/skills/personality-builder/references/personality-patterns.md",
            "# patterns\n",
        );
        h.write(
            ".config/opencode/.gitignore",
            ".gitignore\ncodex-accounts.json\ncodex-accounts.json.tmp.*\ncodex-accounts.json.*.tmp\nquarantine/\ncache/codex-session-affinity.json\ncache/codex-snapshots.json\nlogs/codex-plugin/\n",
        );
        h.write(".config/opencode/codex-accounts.json.lock", "");
        let now = now_ms();
        h.write_json(
            ".config/opencode/cache/codex-client-version.json",
            &json!({"version": "0.144.0", "fetchedAt": now}),
        );
        h.write_json(
            ".config/opencode/cache/codex-models-cache-meta.json",
            &json!({"etag": "W/\"abc\"", "tag": "rust-v0.144.0", "lastChecked": now, "url": "https://raw.githubusercontent.com/openai/codex/rust-v0.144.0/codex-rs/models-manager/models.json"}),
        );
        let catalog: Value =
            serde_json::from_str(&plugin_fixture("live-catalog-current.json")).expect("catalog");
        h.write_json(
            ".config/opencode/cache/codex-models-cache.json",
            &json!({"fetchedAt": now, "source": "github", "models": catalog["models"]}),
        );
        let mut snaps = serde_json::Map::new();
        for a in &accounts {
            if let Some(k) = a.get("identityKey").and_then(Value::as_str) {
                snaps.insert(k.to_string(), json!({"updatedAt": now, "modelFamily": "codex", "limits": [{"name": "requests", "leftPct": 75}]}));
            }
        }
        h.write_json(
            ".config/opencode/cache/codex-snapshots.json",
            &Value::Object(snaps),
        );
        h
    }

    /// Writes a file under the working directory (a git worktree root).
    pub fn write_work(&self, rel: &str, content: &str) {
        let p = self.cwd.join(rel);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(&p, content).expect("write");
    }

    /// Writes a file with mode 0600 (parents created): the doctor warns about store files
    /// others can read, so every fixture file is private, as the plugin writes them.
    pub fn write(&self, rel: &str, content: &str) {
        self.tmp.write_private(rel, content);
    }

    /// [`Home::write`] of raw bytes.
    pub fn write_bytes(&self, rel: &str, content: &[u8]) {
        self.tmp.write_private(rel, content);
    }

    /// [`Home::write`] of a value as pretty JSON.
    pub fn write_json(&self, rel: &str, v: &Value) {
        self.write(
            rel,
            &format!("{}\n", serde_json::to_string_pretty(v).expect("json")),
        );
    }

    /// Sets an environment variable for the runs.
    pub fn set(&mut self, k: &str, v: &str) -> &mut Self {
        self.env.retain(|(n, _)| n != k);
        self.env.push((k.to_string(), v.to_string()));
        self
    }

    pub fn unset(&mut self, k: &str) -> &mut Self {
        self.env.retain(|(n, _)| n != k);
        self
    }

    pub fn port(&self) -> u16 {
        self.env
            .iter()
            .find(|(k, _)| k == "CODEX_DOCTOR_LOGIN_PORT")
            .and_then(|(_, v)| v.parse().ok())
            .expect("port")
    }

    /// Runs the doctor with a cleared environment.
    pub fn run(&self, args: &[&str]) -> Run {
        codex_testkit::run(
            Command::new(env!("CARGO_BIN_EXE_codex-doctor"))
                .args(args)
                .env_clear()
                .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .current_dir(&self.cwd),
        )
    }

    /// Runs one check and returns its JSON row.
    pub fn check(&self, id: &str) -> Value {
        let run = self.run(&["--json", "--only", id]);
        let report = run.json();
        report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("no row {id}"))
    }

    /// Replaces the temp dir with `[HOME]` and the login port with `[PORT]`.
    pub fn scrub(&self, text: &str) -> String {
        use std::os::unix::fs::MetadataExt;
        let uid = fs::metadata(self.home()).map(|m| m.uid()).unwrap_or(0);
        text.replace(&format!("owner uid {uid}"), "owner uid [UID]")
            .replace(&self.home().display().to_string(), "[HOME]")
            .replace(&self.root().display().to_string(), "[TMP]")
            .replace(&self.port().to_string(), "[PORT]")
    }
}

/// Asserts a row's status and that its summary (or details) contain each needle.
#[track_caller]
pub fn expect(row: &Value, status: &str, needles: &[&str]) {
    let all = format!("{}\n{}\n{}", row["summary"], row["details"], row["fix"]);
    assert_eq!(row["status"], status, "row: {row:#}");
    for n in needles {
        assert!(all.contains(n), "{n:?} not in row: {row:#}");
    }
}

/// A real HTTP server on loopback (`codex_testkit::http`): `routes` maps a path to
/// `(status line, body)`; other paths get `404 Not Found`. With `key`, every path but
/// `/healthz` needs `Authorization: Bearer <key>` (as codex-runtime does). Returns the port;
/// it serves until the process ends.
pub fn http_server(
    routes: Vec<(&'static str, &'static str, String)>,
    key: Option<&'static str>,
) -> u16 {
    use codex_testkit::http::{Loopback, Response};
    let server = Loopback::start(move |r| {
        let authorized =
            key.is_none_or(|k| r.header("authorization") == Some(&format!("Bearer {k}")[..]));
        let (status, body) = if r.path != "/healthz" && !authorized {
            ("401 Unauthorized", "{}".to_string())
        } else {
            routes
                .iter()
                .find(|(p, _, _)| *p == r.path)
                .map(|(_, st, b)| (*st, b.clone()))
                .unwrap_or(("404 Not Found", "nope".to_string()))
        };
        let code = status
            .split(' ')
            .next()
            .and_then(|c| c.parse().ok())
            .unwrap_or(500);
        Response::text(code, &body)
    });
    server.port
}

/// A real codex-runtime proxy for `h` (its store and caches), on a free loopback port, with
/// an optional client key. The upstream is a closed port: `/status` and `/metrics` never
/// call it. `stop_proxy` stops it.
pub fn real_proxy(
    h: &Home,
    key: Option<&str>,
) -> (tokio::runtime::Runtime, codex_proxy::Running, u16) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let env = codex_env::EnvSnapshot::from_pairs(h.env.iter().cloned());
    let opts = codex_proxy::ServeOptions {
        listen: Some("127.0.0.1:0".parse().unwrap()),
        upstream: Some(format!("http://{dead}/backend-api/codex")),
        issuer: Some(format!("http://{dead}")),
        client_key: key.map(str::to_string),
        no_quota_poll: true,
        no_catalog_sync: true,
        ..Default::default()
    };
    let config = codex_proxy::ProxyConfig::resolve(&env, &h.home(), &opts).unwrap();
    let running = rt.block_on(codex_proxy::start(config)).unwrap();
    let port = running.addr.port();
    (rt, running, port)
}

pub fn stop_proxy((rt, running): (tokio::runtime::Runtime, codex_proxy::Running)) {
    rt.block_on(running.stop());
}
