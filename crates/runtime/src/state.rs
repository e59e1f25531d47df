//! The per-user record of a running `codex-runtime serve`:
//! `$XDG_STATE_HOME/codex-kit/runtime/serve.json` (an absolute `XDG_STATE_HOME` only, else
//! `~/.local/state/...`).
//!
//! `serve` writes it once its listener is bound (atomically, mode 0600, in a 0700 folder) and
//! removes it on a clean exit if it still names this process. The OpenCode bridge
//! (`crates/runtime/opencode-bridge`) reads it to reuse a running runtime; a record whose
//! process is gone or whose `/healthz` does not answer is stale, and the next `serve`
//! replaces it. The record holds no secret: whether a client key is required, not the key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use codex_env::{env_vars, EnvSnapshot};
use serde_json::json;

/// Version of the record's shape.
pub(crate) const RECORD_VERSION: u32 = 1;

/// The record's file name inside [`state_dir`].
pub(crate) const RECORD_FILE: &str = "serve.json";

/// `$XDG_STATE_HOME/codex-kit/runtime` (absolute `XDG_STATE_HOME` only), else
/// `~/.local/state/codex-kit/runtime`; `None` without either.
pub(crate) fn state_dir(env: &EnvSnapshot) -> Option<PathBuf> {
    let base = match env
        .non_blank(env_vars::XDG_STATE_HOME)
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
    {
        Some(p) => p,
        None => PathBuf::from(env.non_blank(env_vars::HOME)?).join(".local/state"),
    };
    Some(base.join("codex-kit").join("runtime"))
}

/// Where a running `serve` is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ServeRecord {
    /// The `serve` process.
    pub pid: u32,
    /// The bound address.
    pub addr: SocketAddr,
    /// Whether clients must present a key.
    pub client_key: bool,
    /// Milliseconds since the epoch when it started listening.
    pub started_ms: u64,
}

impl ServeRecord {
    /// The base URL a local client uses: an unspecified bind address is reached on loopback.
    pub(crate) fn url(&self) -> String {
        let host = if self.addr.ip().is_unspecified() {
            SocketAddr::from(([127, 0, 0, 1], self.addr.port()))
        } else {
            self.addr
        };
        format!("http://{host}")
    }

    /// The record as JSON (`version`, `pid`, `addr`, `port`, `url`, `clientKey`,
    /// `runtimeVersion`, `startedAt`).
    pub(crate) fn to_json(&self) -> serde_json::Value {
        json!({
            "version": RECORD_VERSION,
            "pid": self.pid,
            "addr": self.addr.to_string(),
            "port": self.addr.port(),
            "url": self.url(),
            "clientKey": self.client_key,
            "runtimeVersion": env!("CARGO_PKG_VERSION"),
            "startedAt": self.started_ms,
        })
    }
}

/// Why the record could not be written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StateError {
    /// Neither `XDG_STATE_HOME` (absolute) nor `HOME` is set.
    #[error("no state folder: set HOME (or an absolute XDG_STATE_HOME)")]
    NoStateDir,
    /// The folder could not be created.
    #[error("cannot create {}: {source}", path.display())]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file could not be written.
    #[error(transparent)]
    Write(#[from] codex_store::StoreError),
}

/// Writes `record` to `<dir>/serve.json`, replacing whatever is there (a stale record, or one
/// of another `serve`: the newest one is the one clients find). Returns the file's path.
pub(crate) fn write_record(dir: &Path, record: &ServeRecord) -> Result<PathBuf, StateError> {
    create_private_dir(dir)?;
    let path = dir.join(RECORD_FILE);
    let bytes = serde_json::to_vec_pretty(&record.to_json()).unwrap_or_default();
    codex_store::atomic::write_atomic(
        &path,
        &bytes,
        codex_store::atomic::WriteOptions::default(),
        record.started_ms,
    )?;
    Ok(path)
}

/// Removes `path` if it still names process `pid` (another `serve` may have replaced it).
pub(crate) fn remove_record_if_ours(path: &Path, pid: u32) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    let ours = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v.get("pid").and_then(serde_json::Value::as_u64))
        == Some(u64::from(pid));
    if ours {
        let _ = std::fs::remove_file(path);
    }
}

/// Creates `dir` and its parents; `dir` itself is made 0700 (it holds the bridge's log).
fn create_private_dir(dir: &Path) -> Result<(), StateError> {
    let err = |source| StateError::CreateDir {
        path: dir.to_path_buf(),
        source,
    };
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent).map_err(err)?;
    }
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    match builder.create(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => Ok(()),
        Err(e) => Err(err(e)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_state_dir_follows_an_absolute_xdg_state_home_only() {
        let e = EnvSnapshot::from_pairs([("HOME", "/h"), ("XDG_STATE_HOME", "/s")]);
        assert_eq!(state_dir(&e), Some(PathBuf::from("/s/codex-kit/runtime")));
        let e = EnvSnapshot::from_pairs([("HOME", "/h"), ("XDG_STATE_HOME", "rel")]);
        assert_eq!(
            state_dir(&e),
            Some(PathBuf::from("/h/.local/state/codex-kit/runtime"))
        );
        let none: [(&str, &str); 0] = [];
        assert_eq!(state_dir(&EnvSnapshot::from_pairs(none)), None);
    }

    #[test]
    fn a_record_is_written_private_and_removed_only_by_its_process() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("state/codex-kit/runtime");
        let rec = ServeRecord {
            pid: 4242,
            addr: "0.0.0.0:5555".parse().unwrap(),
            client_key: true,
            started_ms: 1,
        };
        let path = write_record(&dir, &rec).unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(v["pid"], 4242);
        assert_eq!(v["port"], 5555);
        assert_eq!(v["url"], "http://127.0.0.1:5555");
        assert_eq!(v["clientKey"], true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), 0o600);
            assert_eq!(mode(&dir), 0o700);
        }
        remove_record_if_ours(&path, 1);
        assert!(path.exists(), "another process's record stays");
        remove_record_if_ours(&path, 4242);
        assert!(!path.exists());
    }
}
