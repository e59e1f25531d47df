//! Test support shared by every crate's tests, so no crate keeps its own copy.
//!
//! [`TempHome`] is a temporary directory with a `home/` inside it and helpers to write and
//! read files there (the plugin's store and config at their default paths), and the
//! environment a child process gets: cleared, with `HOME` and the XDG directories inside it; the crates' own fixture homes (a healthy plugin install, a proxy home)
//! are built on it. [`jwt`] makes unsigned JWTs (nothing in the plugin verifies signatures),
//! [`run`] runs a command and returns stdout, stderr and the exit code together, and
//! [`http::Loopback`] is a real HTTP/1.1 server on `127.0.0.1:0`. Test code only: panics on
//! any setup failure are the point.

#![warn(unreachable_pub)]
#![allow(clippy::unwrap_used)]

pub mod http;
pub mod node;

use std::ffi::OsStr;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::Value;
use tempfile::TempDir;

/// An unsigned JWT (`alg: none`) whose payload is `payload` serialized.
pub fn jwt(payload: &Value) -> String {
    jwt_raw(&payload.to_string())
}

/// An unsigned JWT whose payload is exactly `payload` (which need not be JSON).
pub fn jwt_raw(payload: &str) -> String {
    format!(
        "eyJhbGciOiJub25lIn0.{}.c2lnbmF0dXJl",
        URL_SAFE_NO_PAD.encode(payload.as_bytes())
    )
}

/// Now, in epoch milliseconds.
pub fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as f64
}

/// Sets `path`'s modification time to `secs` seconds ago (stale locks, old temp files, old
/// logs); `path` may be a directory (a lock).
pub fn set_age(path: &Path, secs: u64) {
    let t = std::time::SystemTime::now() - std::time::Duration::from_secs(secs);
    std::fs::File::open(path)
        .and_then(|f| f.set_modified(t))
        .unwrap_or_else(|e| panic!("set the mtime of {}: {e}", path.display()));
}

/// Writes `bytes` to `path`, creating its parent directories.
pub fn write_file(path: &Path, bytes: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir {}: {e}", parent.display()));
    }
    fs::write(path, bytes).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
}

/// Reads `path` as JSON.
pub fn read_json(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The names in a directory, sorted (empty when it does not exist).
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// A temporary directory holding `home/`; removed when dropped.
pub struct TempHome {
    dir: TempDir,
}

impl Default for TempHome {
    fn default() -> Self {
        Self::new()
    }
}

impl TempHome {
    /// A fresh directory with an empty `home/`.
    pub fn new() -> TempHome {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir_all(dir.path().join("home")).expect("mkdir home");
        TempHome { dir }
    }

    /// The temporary directory (the parent of `home/`).
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// `<root>/home`, what `HOME` points at.
    pub fn home(&self) -> PathBuf {
        self.dir.path().join("home")
    }

    /// A path under the home.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.home().join(rel)
    }

    /// Writes a file under the home.
    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(rel);
        write_file(&p, bytes);
        p
    }

    /// Writes a value as pretty JSON under the home.
    pub fn write_json(&self, rel: &str, v: &Value) -> PathBuf {
        self.write(rel, serde_json::to_string_pretty(v).expect("json") + "\n")
    }

    /// Reads a file under the home as text.
    pub fn read(&self, rel: &str) -> String {
        let p = self.path(rel);
        fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
    }

    /// Writes a file under the home with mode 0600, as the plugin writes its files.
    pub fn write_private(&self, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let p = self.write(rel, bytes);
        self.chmod(rel, 0o600);
        p
    }

    /// Sets the mode of a file or directory under the home.
    pub fn chmod(&self, rel: &str, mode: u32) {
        let p = self.path(rel);
        fs::set_permissions(&p, fs::Permissions::from_mode(mode))
            .unwrap_or_else(|e| panic!("chmod {}: {e}", p.display()));
    }

    /// Removes a file or a directory tree under the home.
    pub fn remove(&self, rel: &str) {
        let p = self.path(rel);
        let done = if p.is_dir() {
            fs::remove_dir_all(&p)
        } else {
            fs::remove_file(&p)
        };
        done.unwrap_or_else(|e| panic!("remove {}: {e}", p.display()));
    }

    /// Writes an executable shell script under the home (a stand-in for a tool on `PATH`).
    pub fn write_script(&self, rel: &str, script: &str) -> PathBuf {
        let p = self.write(rel, script);
        self.chmod(rel, 0o755);
        p
    }

    /// `<home>/.config/opencode`: the plugin's config root under the default XDG rules
    /// (and under [`TempHome::env_pairs`]).
    pub fn config_dir(&self) -> PathBuf {
        self.path(CONFIG_DIR)
    }

    /// `<config_dir>/codex-accounts.json`.
    pub fn store_path(&self) -> PathBuf {
        self.path(STORE)
    }

    /// `<config_dir>/cache`.
    pub fn cache_dir(&self) -> PathBuf {
        self.config_dir().join("cache")
    }

    /// Writes `codex-accounts.json` as given.
    pub fn write_store_text(&self, text: &str) -> PathBuf {
        self.write(STORE, text)
    }

    /// Writes `codex-accounts.json` as pretty JSON.
    pub fn write_store(&self, v: &Value) -> PathBuf {
        self.write_json(STORE, v)
    }

    /// Reads `codex-accounts.json` as JSON.
    pub fn read_store(&self) -> Value {
        read_json(&self.store_path())
    }

    /// Writes `codex-config.jsonc` as pretty JSON.
    pub fn write_codex_config(&self, v: &Value) -> PathBuf {
        self.write_json(&format!("{CONFIG_DIR}/codex-config.jsonc"), v)
    }

    /// `HOME` and the four XDG base directories, each at its default place under the home
    /// (`.config`, `.local/share`, `.cache`, `.local/state`): a child started with only
    /// these (see [`TempHome::command`]) never reaches the developer's files.
    pub fn env_pairs(&self) -> Vec<(String, String)> {
        let h = self.home();
        let at = |rel: &str| h.join(rel).display().to_string();
        vec![
            ("HOME".to_string(), h.display().to_string()),
            ("XDG_CONFIG_HOME".to_string(), at(".config")),
            ("XDG_DATA_HOME".to_string(), at(".local/share")),
            ("XDG_CACHE_HOME".to_string(), at(".cache")),
            ("XDG_STATE_HOME".to_string(), at(".local/state")),
        ]
    }

    /// `program` with a cleared environment holding only `HOME` (add the XDG variables
    /// with [`TempHome::env_pairs`] where the test wants them set), run in the home.
    pub fn command(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("HOME", self.home())
            .current_dir(self.home());
        cmd
    }
}

/// The plugin's config root under the home, by the default XDG rule.
const CONFIG_DIR: &str = ".config/opencode";
/// The account store under the home.
const STORE: &str = ".config/opencode/codex-accounts.json";

/// What one run of a program produced.
#[derive(Debug, Clone)]
pub struct Run {
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
}

impl Run {
    /// Checks the internal-error contract both binaries keep on a panic: exit 3, nothing on
    /// stdout, one stderr line naming `program`, the panic's place in `source` and where to
    /// file an issue, and none of `hidden` (what the panic's message held).
    #[track_caller]
    pub fn assert_panicked(&self, program: &str, source: &str, hidden: &[&str]) {
        assert_eq!(self.code, 3, "{self:?}");
        assert_eq!(self.stdout, "");
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{}", self.stderr);
        let start = format!("{program}: internal error (panic at {source}:");
        assert!(
            lines[0].starts_with(&start)
                && lines[0].ends_with(
                    "please file an issue at https://github.com/codex-kit/codex-kit/issues"
                ),
            "{}",
            lines[0]
        );
        self.assert_hides(hidden);
    }

    /// Fails the test if any of `secrets` appears in either output stream.
    #[track_caller]
    pub fn assert_hides(&self, secrets: &[&str]) -> &Self {
        for s in secrets {
            assert!(
                !self.stdout.contains(s) && !self.stderr.contains(s),
                "{s} leaked:\n{}\n{}",
                self.stdout,
                self.stderr
            );
        }
        self
    }

    /// Standard output as JSON, with both streams in the panic message when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }
}

/// Runs `cmd` to completion (stdin closed) and collects what it printed.
pub fn run(cmd: &mut Command) -> Run {
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("run {cmd:?}: {e}"));
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code().unwrap_or(-1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jwt_payload_decodes_back() {
        let t = jwt(&serde_json::json!({"email": "a@x.io"}));
        let mid = t.split('.').nth(1).unwrap();
        let back = URL_SAFE_NO_PAD.decode(mid).unwrap();
        assert_eq!(back, br#"{"email":"a@x.io"}"#);
    }

    #[test]
    fn temp_home_writes_under_home() {
        let h = TempHome::new();
        let p = h.write("a/b.txt", "x");
        assert_eq!(p, h.home().join("a/b.txt"));
        assert_eq!(h.read("a/b.txt"), "x");
        assert_eq!(names(&h.home().join("a")), ["b.txt"]);
    }

    #[test]
    fn a_child_sees_only_the_home() {
        let h = TempHome::new();
        h.write_store(&serde_json::json!({"openai": {}}));
        assert_eq!(h.read_store(), serde_json::json!({"openai": {}}));
        assert!(h.store_path().starts_with(h.config_dir()));
        let out = run(h.command("/usr/bin/env").envs(h.env_pairs()));
        let mut seen: Vec<&str> = out.stdout.lines().collect();
        seen.sort();
        let home = h.home().display().to_string();
        assert_eq!(
            seen,
            [
                format!("HOME={home}"),
                format!("XDG_CACHE_HOME={home}/.cache"),
                format!("XDG_CONFIG_HOME={home}/.config"),
                format!("XDG_DATA_HOME={home}/.local/share"),
                format!("XDG_STATE_HOME={home}/.local/state"),
            ]
        );
        h.write_private("p", "x");
        let mode = fs::metadata(h.path("p")).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        h.remove("p");
        assert!(!h.path("p").exists());
    }
}
