//! The system probes behind [`crate::facts::Facts`]: finding OpenCode and its version, the
//! processes that look like OpenCode, and who holds a port.
//!
//! They live here, under facts, so the checks stay pure functions of `Facts` and never touch
//! the system. OpenCode's version is learned without starting it wherever possible: the npm
//! package `opencode-ai` keeps a `package.json` beside the resolved binary; for any other
//! layout (the native binary the official installer and Homebrew put on PATH, a wrapper
//! script) the answer of `opencode --version` is remembered in the doctor's own cache file,
//! keyed by the binary's path, size and modification time, so the half-second start happens
//! once per installed version. `--version` is awaited on a channel with a deadline, never by
//! polling the child.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, UNIX_EPOCH};

use codex_env::{env_vars, EnvSnapshot};
use serde_json::{json, Value};
use sysinfo::{ProcessRefreshKind, ProcessesToUpdate, RefreshKind, System, UpdateKind};

/// Where and what OpenCode is.
#[derive(Debug, Clone)]
pub enum OpencodeInstall {
    /// Not on PATH.
    Missing,
    /// Found.
    Found {
        /// Binary on PATH.
        path: PathBuf,
        /// Version, when known.
        version: Option<String>,
        /// How the version was learned.
        source: VersionSource,
        /// Why the version is unknown: `--version` timed out, exited with an error, or the
        /// file cannot be executed (`None` when the version is known).
        failure: Option<VersionFailure>,
    },
    /// `opencode` on PATH is a symbolic link whose target is gone (npm uninstalled, nvm
    /// switched): the shell says "command not found" although the name is there.
    DanglingLink {
        /// The link on PATH.
        path: PathBuf,
        /// Where it points.
        target: PathBuf,
    },
}

/// Why `opencode --version` gave no version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionFailure {
    /// No answer within the deadline.
    TimedOut(Duration),
    /// It exited unsuccessfully; the first line it wrote to stderr.
    Exited {
        /// The exit status (`None` when killed by a signal).
        status: Option<i32>,
        /// The first non-empty stderr line, if any.
        stderr: Option<String>,
    },
    /// It could not be started (`Exec format error`, `Permission denied`).
    CannotRun(String),
    /// It answered without a version number.
    NoVersion,
}

impl std::fmt::Display for VersionFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VersionFailure::TimedOut(d) => {
                write!(
                    f,
                    "`opencode --version` did not answer within {} s",
                    d.as_secs()
                )
            }
            VersionFailure::Exited { status, stderr } => {
                match status {
                    Some(c) => write!(f, "`opencode --version` exited with status {c}")?,
                    None => write!(f, "`opencode --version` was killed by a signal")?,
                }
                match stderr {
                    Some(line) => write!(f, ": {line}"),
                    None => Ok(()),
                }
            }
            VersionFailure::CannotRun(e) => write!(f, "`opencode` cannot be executed: {e}"),
            VersionFailure::NoVersion => {
                write!(f, "`opencode --version` printed no version number")
            }
        }
    }
}

/// How OpenCode's version was learned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionSource {
    /// The npm package's `package.json` beside the binary (nothing started).
    PackageJson,
    /// The doctor's cache, for this binary's path, size and modification time.
    Cache,
    /// `opencode --version` (remembered for the next run).
    Command,
}

impl VersionSource {
    /// For messages.
    pub fn as_str(self) -> &'static str {
        match self {
            VersionSource::PackageJson => "package.json",
            VersionSource::Cache => "the doctor's cache (same binary path, size and mtime)",
            VersionSource::Command => "opencode --version",
        }
    }
}

/// A running process that looks like OpenCode.
#[derive(Debug, Clone)]
pub struct ProcInfo {
    /// PID.
    pub pid: u32,
    /// Name.
    pub name: String,
}

/// Where a browser login would run (`login.environment`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoginEnv {
    /// In an SSH session: the server address and port from `SSH_CONNECTION`, when given.
    pub ssh: Option<Option<(String, String)>>,
    /// Under WSL.
    pub wsl: bool,
    /// In a container: how it was recognised.
    pub container: Option<String>,
    /// `DISPLAY` or `WAYLAND_DISPLAY` is set.
    pub display: bool,
    /// A browser opener on PATH (`xdg-open`, `wslview`, `open`).
    pub opener: Option<String>,
    /// `OPENCODE_NO_BROWSER=1`.
    pub no_browser: bool,
}

impl LoginEnv {
    /// Whether the browser login can finish here without help: no SSH session, no
    /// container, and a display (WSL opens the browser in Windows; macOS needs no variable).
    pub fn browser_login_works(&self) -> bool {
        self.ssh.is_none()
            && self.container.is_none()
            && (self.wsl || self.display || cfg!(target_os = "macos"))
    }
}

/// Gathers [`LoginEnv`] from the environment and marker files.
pub(crate) fn login_env(env: &EnvSnapshot) -> LoginEnv {
    let ssh = if env.is_set(env_vars::SSH_CONNECTION)
        || env.is_set(env_vars::SSH_CLIENT)
        || env.is_set(env_vars::SSH_TTY)
    {
        let server = env.get(env_vars::SSH_CONNECTION).and_then(|c| {
            let f: Vec<&str> = c.split_whitespace().collect();
            (f.len() == 4).then(|| (f[2].to_string(), f[3].to_string()))
        });
        Some(server)
    } else {
        None
    };
    let wsl = env.is_set(env_vars::WSL_DISTRO_NAME)
        || env.is_set(env_vars::WSL_INTEROP)
        || fs::read_to_string("/proc/sys/kernel/osrelease")
            .map(|v| v.to_ascii_lowercase().contains("microsoft"))
            .unwrap_or(false);
    let container = match env.get(env_vars::CODEX_DOCTOR_CONTAINER) {
        Some(v) if v == "none" || v.is_empty() => None,
        Some(v) => Some(v.to_string()),
        None => {
            if Path::new("/.dockerenv").exists() {
                Some("/.dockerenv exists".to_string())
            } else if Path::new("/run/.containerenv").exists() {
                Some("/run/.containerenv exists".to_string())
            } else {
                env.non_blank(env_vars::CONTAINER)
                    .map(|c| format!("container={c}"))
            }
        }
    };
    let opener = env.get(env_vars::PATH).and_then(|p| {
        ["xdg-open", "wslview", "open"]
            .into_iter()
            .find(|b| which::which_in(b, Some(p), "/").is_ok())
            .map(str::to_string)
    });
    LoginEnv {
        ssh,
        wsl,
        container,
        display: env.non_blank(env_vars::DISPLAY).is_some()
            || env.non_blank(env_vars::WAYLAND_DISPLAY).is_some(),
        opener,
        no_browser: env.get(env_vars::OPENCODE_NO_BROWSER) == Some("1"),
    }
}

/// How long `opencode --version` may take.
pub(crate) const VERSION_TIMEOUT: Duration = Duration::from_secs(3);

/// Entries kept in the version cache (one per installed binary seen).
const CACHE_ENTRIES: usize = 8;

/// The doctor's own cache directory: `$XDG_CACHE_HOME/codex-doctor` when absolute, else
/// `~/.cache/codex-doctor`.
pub(crate) fn cache_dir(env: &EnvSnapshot) -> Option<PathBuf> {
    match env.non_blank(env_vars::XDG_CACHE_HOME) {
        Some(x) if Path::new(x).is_absolute() => Some(PathBuf::from(x).join("codex-doctor")),
        _ => env
            .non_blank(env_vars::HOME)
            .map(|h| PathBuf::from(h).join(".cache/codex-doctor")),
    }
}

/// The version cache file.
pub(crate) fn version_cache_file(env: &EnvSnapshot) -> Option<PathBuf> {
    cache_dir(env).map(|d| d.join("opencode-version.json"))
}

/// Finds OpenCode on the snapshot's PATH and learns its version.
pub(crate) fn detect_opencode(env: &EnvSnapshot, cwd: &Path) -> OpencodeInstall {
    let Some(path_var) = env.get(env_vars::PATH) else {
        return OpencodeInstall::Missing;
    };
    let Ok(bin) = which::which_in("opencode", Some(path_var), cwd) else {
        return dangling_on_path(path_var, cwd).unwrap_or(OpencodeInstall::Missing);
    };
    if let Some(v) = version_from_package_json(&bin) {
        return OpencodeInstall::Found {
            path: bin,
            version: Some(v),
            source: VersionSource::PackageJson,
            failure: None,
        };
    }
    let key = BinaryKey::of(&bin);
    let cache = version_cache_file(env);
    if let (Some(k), Some(c)) = (&key, &cache) {
        if let Some(v) = cached_version(c, k) {
            return OpencodeInstall::Found {
                path: bin,
                version: Some(v),
                source: VersionSource::Cache,
                failure: None,
            };
        }
    }
    let scratch = cache_dir(env).map(|d| d.join("opencode-probe"));
    let answer = version_from_command(&bin, VERSION_TIMEOUT, scratch.as_deref());
    if let (Some(k), Some(c), Ok(v)) = (&key, &cache, &answer) {
        // A cache that cannot be written only costs the next run the same start-up.
        let _ = remember_version(c, k, v);
    }
    let (version, failure) = match answer {
        Ok(v) => (Some(v), None),
        Err(f) => (None, Some(f)),
    };
    OpencodeInstall::Found {
        path: bin,
        version,
        source: VersionSource::Command,
        failure,
    }
}

/// An `opencode` entry of PATH that is a symbolic link to nothing (which `which` skips).
fn dangling_on_path(path_var: &str, cwd: &Path) -> Option<OpencodeInstall> {
    std::env::split_paths(path_var).find_map(|dir| {
        let dir = if dir.is_absolute() {
            dir
        } else {
            cwd.join(dir)
        };
        let link = dir.join("opencode");
        let meta = fs::symlink_metadata(&link).ok()?;
        if !meta.file_type().is_symlink() || fs::metadata(&link).is_ok() {
            return None;
        }
        let target = fs::read_link(&link).ok()?;
        Some(OpencodeInstall::DanglingLink { path: link, target })
    })
}

/// Looks for the `opencode-ai` (or `opencode-*`) package.json above the resolved binary.
pub(crate) fn version_from_package_json(bin: &Path) -> Option<String> {
    let real = fs::canonicalize(bin).ok()?;
    for dir in real.ancestors().skip(1).take(4) {
        let Ok(text) = codex_paths::read_file_to_string(&dir.join("package.json")) else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let name = v.get("name").and_then(Value::as_str).unwrap_or_default();
        if name == "opencode-ai" || name.starts_with("opencode-") || name == "opencode" {
            return v.get("version").and_then(Value::as_str).map(str::to_string);
        }
    }
    None
}

/// What identifies one installed binary: its resolved path, size and modification time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BinaryKey {
    path: String,
    size: u64,
    mtime_ms: u128,
}

impl BinaryKey {
    /// The key of the file `bin` resolves to.
    pub(crate) fn of(bin: &Path) -> Option<BinaryKey> {
        let real = fs::canonicalize(bin).ok()?;
        let m = fs::metadata(&real).ok()?;
        let mtime_ms = m
            .modified()
            .ok()?
            .duration_since(UNIX_EPOCH)
            .ok()?
            .as_millis();
        Some(BinaryKey {
            path: real.display().to_string(),
            size: m.len(),
            mtime_ms,
        })
    }

    fn matches(&self, e: &Value) -> bool {
        e.get("path").and_then(Value::as_str) == Some(self.path.as_str())
            && e.get("size").and_then(Value::as_u64) == Some(self.size)
            && e.get("mtimeMs").and_then(Value::as_str) == Some(self.mtime_ms.to_string().as_str())
    }
}

fn cache_entries(file: &Path) -> Vec<Value> {
    codex_paths::read_file_to_string(file)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| v.get("entries").and_then(Value::as_array).cloned())
        .unwrap_or_default()
}

fn cached_version(file: &Path, key: &BinaryKey) -> Option<String> {
    cache_entries(file)
        .iter()
        .find(|e| key.matches(e))
        .and_then(|e| e.get("version").and_then(Value::as_str))
        .map(str::to_string)
}

fn remember_version(file: &Path, key: &BinaryKey, version: &str) -> std::io::Result<()> {
    let mut entries: Vec<Value> = cache_entries(file)
        .into_iter()
        .filter(|e| e.get("path").and_then(Value::as_str) != Some(key.path.as_str()))
        .collect();
    entries.insert(
        0,
        json!({
            "path": key.path,
            "size": key.size,
            "mtimeMs": key.mtime_ms.to_string(),
            "version": version,
        }),
    );
    entries.truncate(CACHE_ENTRIES);
    let dir = file.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".opencode-version.json.{}.tmp", std::process::id()));
    let text = serde_json::to_string_pretty(&json!({ "entries": entries }))
        .unwrap_or_else(|_| "{}".to_string());
    fs::write(&tmp, text + "\n")?;
    fs::rename(&tmp, file)
}

/// Runs `bin --version`, waiting at most `timeout` for its output (no polling: a reader
/// thread hands the output over a channel). The child runs in its own process group, which
/// is killed whole on a timeout (a wrapper script's children too), with its XDG folders in
/// `scratch` (removed afterwards), so probing the version leaves nothing in the user's home.
pub(crate) fn version_from_command(
    bin: &Path,
    timeout: Duration,
    scratch: Option<&Path>,
) -> Result<String, VersionFailure> {
    use std::os::unix::process::CommandExt;
    let mut cmd = Command::new(bin);
    cmd.arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    if let Some(dir) = scratch {
        for (var, sub) in [
            (env_vars::XDG_CACHE_HOME, "cache"),
            (env_vars::XDG_DATA_HOME, "data"),
            (env_vars::XDG_STATE_HOME, "state"),
        ] {
            cmd.env(var, dir.join(sub));
        }
    }
    let result = run_version(cmd, timeout);
    if let Some(dir) = scratch {
        let _ = fs::remove_dir_all(dir);
    }
    result
}

fn run_version(mut cmd: Command, timeout: Duration) -> Result<String, VersionFailure> {
    let mut child = cmd
        .spawn()
        .map_err(|e| VersionFailure::CannotRun(e.to_string()))?;
    let (Some(mut stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(VersionFailure::NoVersion);
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let _ = stdout.by_ref().take(64 * 1024).read_to_end(&mut out);
        let _ = stderr.by_ref().take(64 * 1024).read_to_end(&mut err);
        let _ = tx.send((out, err));
    });
    let (out, err) = match rx.recv_timeout(timeout) {
        Ok(pair) => pair,
        Err(_) => {
            kill_group(child.id());
            let _ = child.wait();
            return Err(VersionFailure::TimedOut(timeout));
        }
    };
    let status = child.wait().ok();
    let text = String::from_utf8_lossy(&out);
    let version = text
        .split_whitespace()
        .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .map(str::to_string);
    match (version, status) {
        (Some(v), Some(s)) if s.success() => Ok(v),
        (_, Some(s)) if !s.success() => Err(VersionFailure::Exited {
            status: s.code(),
            stderr: String::from_utf8_lossy(&err)
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .map(|l| l.chars().take(200).collect()),
        }),
        (Some(v), None) => Ok(v),
        _ => Err(VersionFailure::NoVersion),
    }
}

/// Kills the process group `pgid` (the probe's child and whatever it started).
#[allow(unsafe_code)]
fn kill_group(pgid: u32) {
    let Ok(pgid) = i32::try_from(pgid) else {
        return;
    };
    // SAFETY: kill(2) with a negative pid signals that process group; it has no memory
    // effects on this process.
    unsafe {
        libc::kill(-pgid, libc::SIGKILL);
    }
}

/// Lists processes that look like OpenCode (binary `opencode`, or node running `opencode-ai`).
///
/// On Linux this reads `/proc/<pid>/comm` of every process and, only for the few whose name
/// could be a launcher (`node`, `bun`, `opencode*`), their command line: far cheaper than a
/// full process table. Elsewhere it asks `sysinfo`. `root` is `/proc` except under the
/// `CODEX_DOCTOR_PROC_ROOT` test hook.
pub(crate) fn list_opencode(root: &Path) -> Vec<ProcInfo> {
    let me = std::process::id();
    let mut out = match fs::read_dir(root) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .filter_map(|e| {
                let pid: u32 = e.file_name().to_str()?.parse().ok()?;
                (pid != me).then_some(pid)
            })
            .filter_map(|pid| proc_entry(root, pid))
            .collect(),
        Err(_) => list_opencode_sysinfo(),
    };
    out.sort_by_key(|p: &ProcInfo| p.pid);
    out
}

fn is_opencode_name(name: &str) -> bool {
    name == "opencode"
        || name.starts_with("opencode-")
        || name.starts_with("opencode.")
        || name == ".opencode"
}

fn proc_entry(root: &Path, pid: u32) -> Option<ProcInfo> {
    let dir = root.join(pid.to_string());
    let name = fs::read_to_string(dir.join("comm"))
        .ok()?
        .trim()
        .to_string();
    if is_opencode_name(&name) {
        return Some(ProcInfo { pid, name });
    }
    if !(name == "node" || name == "bun" || name.starts_with("node") || name == "MainThread") {
        return None;
    }
    let cmd = fs::read(dir.join("cmdline")).ok()?;
    let mut args = cmd
        .split(|b| *b == 0)
        .map(|a| String::from_utf8_lossy(a).into_owned());
    let first_two: Vec<String> = args.by_ref().take(2).collect();
    let hit = first_two.iter().any(|a| {
        a.contains("opencode-ai/bin/opencode") || a.ends_with("/opencode") || a == "opencode"
    });
    hit.then_some(ProcInfo { pid, name })
}

fn list_opencode_sysinfo() -> Vec<ProcInfo> {
    let mut sys = System::new_with_specifics(RefreshKind::nothing());
    sys.refresh_processes_specifics(
        ProcessesToUpdate::All,
        true,
        ProcessRefreshKind::nothing()
            .with_cmd(UpdateKind::OnlyIfNotSet)
            .with_exe(UpdateKind::OnlyIfNotSet),
    );
    let me = std::process::id();
    sys.processes()
        .iter()
        .filter(|(pid, _)| pid.as_u32() != me)
        // Threads show up as tasks of their process; skip them.
        .filter(|(_, p)| p.thread_kind().is_none())
        .filter_map(|(pid, p)| {
            let name = p.name().to_string_lossy().into_owned();
            let exe_name = p
                .exe()
                .and_then(|e| e.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let cmd0 = p
                .cmd()
                .first()
                .map(|c| c.to_string_lossy().into_owned())
                .unwrap_or_default();
            let is_opencode = is_opencode_name(&name)
                || exe_name == "opencode"
                || cmd0.ends_with("/opencode")
                || cmd0 == "opencode"
                || p.cmd()
                    .iter()
                    .take(2)
                    .any(|a| a.to_string_lossy().contains("opencode-ai/bin/opencode"));
            is_opencode.then(|| ProcInfo {
                pid: pid.as_u32(),
                name,
            })
        })
        .collect()
}

/// Names the processes listening on `port` (`"1234 node"`), where `/proc` tells.
pub(crate) fn port_holders(port: u16) -> Vec<String> {
    let mut inodes = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            if cols.len() < 10 {
                continue;
            }
            let local_port = cols[1]
                .rsplit(':')
                .next()
                .and_then(|h| u16::from_str_radix(h, 16).ok());
            // State 0A = LISTEN.
            if local_port == Some(port) && cols[3] == "0A" {
                inodes.push(format!("socket:[{}]", cols[9]));
            }
        }
    }
    if inodes.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let Ok(procs) = fs::read_dir("/proc") else {
        return out;
    };
    for p in procs.filter_map(Result::ok) {
        let name = p.file_name().to_string_lossy().into_owned();
        let Ok(pid) = name.parse::<u32>() else {
            continue;
        };
        let Ok(fds) = fs::read_dir(p.path().join("fd")) else {
            continue;
        };
        let holds = fds.filter_map(Result::ok).any(|fd| {
            fs::read_link(fd.path())
                .map(|l| inodes.iter().any(|i| l.as_os_str() == i.as_str()))
                .unwrap_or(false)
        });
        if holds {
            let comm = fs::read_to_string(p.path().join("comm")).unwrap_or_default();
            out.push(format!("{pid} {}", comm.trim()));
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_cache_answers_only_for_the_same_path_size_and_mtime() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("opencode");
        fs::write(&bin, "x").unwrap();
        let file = dir.path().join("c/opencode-version.json");
        let key = BinaryKey::of(&bin).unwrap();
        assert_eq!(cached_version(&file, &key), None);
        remember_version(&file, &key, "1.2.3").unwrap();
        assert_eq!(cached_version(&file, &key).as_deref(), Some("1.2.3"));
        fs::write(&bin, "xy").unwrap();
        let changed = BinaryKey::of(&bin).unwrap();
        assert_eq!(cached_version(&file, &changed), None);
    }
}
