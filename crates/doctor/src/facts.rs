//! Facts: everything the checks look at, read once.
//!
//! `Facts` holds the environment snapshot, the resolved paths and the clock, plus lazily read
//! file and system facts (each behind a `OnceLock`, so checks running concurrently read a file
//! at most once and only when a selected check needs it). Reading never modifies anything:
//! no quarantine, no lock reclaim, no file creation (the one write is the doctor's own version
//! cache, see `probes`). Checks are pure functions of this value.

use std::fs;
use std::net::{Ipv6Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use codex_auth::legacy::{self, LegacySource};
use codex_auth::model::{self, StoreRead};
use codex_env::EnvSnapshot;
use codex_paths::{Paths, PathsError, Resolved};

use crate::probes;
pub use crate::probes::{LoginEnv, OpencodeInstall, ProcInfo, VersionSource};

/// The default OAuth callback port the plugin binds.
pub const LOGIN_PORT: u16 = 1455;

/// Options that change what facts are gathered.
#[derive(Debug, Clone)]
pub struct FactOptions {
    /// `--online`: network checks may run.
    pub online: bool,
    /// Port probed by `port.1455` (1455 unless the test hook `CODEX_DOCTOR_LOGIN_PORT` is set).
    pub login_port: u16,
    /// `--dir`: the directory OpenCode would run in (default: the working directory).
    pub dir: Option<PathBuf>,
}

impl Default for FactOptions {
    fn default() -> Self {
        FactOptions {
            online: false,
            login_port: LOGIN_PORT,
            dir: None,
        }
    }
}

/// Metadata of one path, read without following the final symlink for the `is_symlink` bit.
#[derive(Debug, Clone, Default)]
pub struct FileInfo {
    /// The path.
    pub path: PathBuf,
    /// Exists (following symlinks).
    pub exists: bool,
    /// Is a directory.
    pub is_dir: bool,
    /// Is a symlink itself.
    pub is_symlink: bool,
    /// Unix permission bits.
    pub mode: Option<u32>,
    /// Owner uid.
    pub uid: Option<u32>,
    /// Size in bytes.
    pub size: u64,
    /// Modification time.
    pub modified: Option<SystemTime>,
}

impl FileInfo {
    /// Reads metadata of `path`.
    pub fn of(path: &Path) -> FileInfo {
        use std::os::unix::fs::MetadataExt;
        let is_symlink = fs::symlink_metadata(path)
            .map(|m| m.file_type().is_symlink())
            .unwrap_or(false);
        match fs::metadata(path) {
            Ok(m) => FileInfo {
                path: path.to_path_buf(),
                exists: true,
                is_dir: m.is_dir(),
                is_symlink,
                mode: Some(m.mode() & 0o7777),
                uid: Some(m.uid()),
                size: m.len(),
                modified: m.modified().ok(),
            },
            Err(_) => FileInfo {
                path: path.to_path_buf(),
                is_symlink,
                ..FileInfo::default()
            },
        }
    }

    /// Group or others can read it.
    pub fn readable_by_others(&self) -> bool {
        self.mode.is_some_and(|m| m & 0o044 != 0)
    }

    /// Age at `now`.
    pub fn age(&self, now: SystemTime) -> Option<Duration> {
        self.modified.and_then(|m| now.duration_since(m).ok())
    }
}

/// A lock directory in use or left behind.
#[derive(Debug, Clone)]
pub struct LockDir {
    /// The file the lock protects (for messages).
    pub protects: String,
    /// The lock directory.
    pub info: FileInfo,
    /// It holds `.owner`: the plugin's fallback lock, never reclaimed.
    pub fallback_owner: bool,
    /// Names of other entries inside (proper-lockfile's locks are empty).
    pub entries: Vec<String>,
}

/// A quarantined file.
#[derive(Debug, Clone)]
pub struct QuarantineEntry {
    /// File path.
    pub path: PathBuf,
    /// Original basename (`codex-accounts.json`).
    pub original: String,
    /// Timestamp from the name (epoch ms), when it follows the plugin's pattern.
    pub stamp_ms: Option<u64>,
    /// Size.
    pub size: u64,
}

/// Outcome of probing the login port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortState {
    /// Bindable on every address tried.
    Free {
        /// Addresses probed.
        probed: Vec<String>,
    },
    /// Taken on at least one address.
    Busy {
        /// Addresses where binding failed with "address in use".
        addrs: Vec<String>,
        /// `pid name` of holders, where the OS tells.
        holders: Vec<String>,
    },
    /// Could not probe (permission, other errors).
    Unknown(String),
}

/// What a loopback HTTP endpoint answered to `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalProbe {
    /// `200` with the body `ok`: a codex-runtime proxy.
    Runtime,
    /// Something answered, but not as codex-runtime does (its status line).
    Other(String),
    /// Nothing listens there (connection refused).
    Refused,
    /// Another failure (time-out, reset).
    Failed(String),
}

/// Everything the checks read.
pub struct Facts {
    /// Environment snapshot.
    pub env: EnvSnapshot,
    /// Resolved paths (an error when HOME is unusable).
    pub paths: Result<Paths, PathsError>,
    /// Now (epoch ms).
    pub now_ms: f64,
    /// Now.
    pub now: SystemTime,
    /// Options.
    pub options: FactOptions,
    /// Current effective uid.
    pub uid: Option<u32>,
    store: OnceLock<StoreRead>,
    opencode_install: OnceLock<OpencodeInstall>,
    port: OnceLock<PortState>,
    locks: OnceLock<Vec<LockDir>>,
    tmp_files: OnceLock<Vec<FileInfo>>,
    quarantine: OnceLock<Vec<QuarantineEntry>>,
    processes: OnceLock<Vec<ProcInfo>>,
    config: OnceLock<codex_config::load::ConfigLoad>,
    opencode_config: OnceLock<codex_config::opencode::OpencodeConfig>,
    login_env: OnceLock<probes::LoginEnv>,
    cache_files: std::sync::Mutex<std::collections::HashMap<String, JsonRead>>,
    cache_names: OnceLock<Option<Vec<String>>>,
    local_probes: std::sync::Mutex<std::collections::HashMap<(String, u16), LocalProbe>>,
}

impl std::fmt::Debug for Facts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Facts")
            .field("paths", &self.paths)
            .finish_non_exhaustive()
    }
}

impl Facts {
    /// Builds facts from an environment snapshot and working directory.
    pub fn new(env: EnvSnapshot, cwd: &Path, options: FactOptions) -> Facts {
        let paths = Paths::resolve(&env, cwd);
        let now = SystemTime::now();
        Facts {
            env,
            paths,
            now_ms: codex_timefmt::now_ms(),
            now,
            options,
            uid: current_uid(),
            store: OnceLock::new(),
            opencode_install: OnceLock::new(),
            port: OnceLock::new(),
            locks: OnceLock::new(),
            tmp_files: OnceLock::new(),
            quarantine: OnceLock::new(),
            processes: OnceLock::new(),
            config: OnceLock::new(),
            opencode_config: OnceLock::new(),
            login_env: OnceLock::new(),
            cache_files: std::sync::Mutex::default(),
            cache_names: OnceLock::new(),
            local_probes: std::sync::Mutex::default(),
        }
    }

    /// Resolved paths, or the reason they are unavailable.
    pub fn paths(&self) -> Result<&Paths, String> {
        self.paths.as_ref().map_err(|e| e.to_string())
    }

    /// `codex-accounts.json`, classified.
    pub fn store(&self) -> Option<&StoreRead> {
        let p = self.paths.as_ref().ok()?;
        Some(
            self.store
                .get_or_init(|| model::read_store(&p.auth_store().path)),
        )
    }

    /// The config file selection and loaded value.
    pub fn config(&self) -> Option<&codex_config::load::ConfigLoad> {
        let p = self.paths.as_ref().ok()?;
        Some(
            self.config
                .get_or_init(|| codex_config::load::load(p, &self.env)),
        )
    }

    /// The directory OpenCode would run in (`--dir`, else the working directory).
    pub fn project_dir(&self) -> PathBuf {
        let cwd = self
            .paths
            .as_ref()
            .map(|p| p.cwd.clone())
            .unwrap_or_else(|_| PathBuf::from("/"));
        match &self.options.dir {
            Some(d) => cwd.join(d),
            None => cwd,
        }
    }

    /// OpenCode's own config, layer by layer and merged as OpenCode merges it.
    pub fn opencode_config(&self) -> Option<&codex_config::opencode::OpencodeConfig> {
        let p = self.paths.as_ref().ok()?;
        Some(self.opencode_config.get_or_init(|| {
            let inputs = codex_config::opencode::Inputs::from_env(
                &self.env,
                &p.config_root_loose.path,
                &p.cwd,
                &self.project_dir(),
            );
            codex_config::opencode::load(&inputs, &self.env)
        }))
    }

    /// Where a browser login could run: SSH, WSL, container, display, opener.
    pub fn login_env(&self) -> &probes::LoginEnv {
        self.login_env.get_or_init(|| probes::login_env(&self.env))
    }

    /// A JSON file of the plugin's cache dir (`codex-snapshots.json`, a catalog shard), read
    /// once; `None` when missing or not JSON (`cache.files` reports those).
    pub fn cache_json(&self, name: &str) -> Option<serde_json::Value> {
        match self.cache_read(name) {
            JsonRead::Ok(v) => Some(v),
            JsonRead::Missing | JsonRead::Bad(_) => None,
        }
    }

    /// A JSON file of the plugin's cache dir, read once, with the reason when it is unusable.
    pub fn cache_read(&self, name: &str) -> JsonRead {
        let Ok(p) = self.paths.as_ref() else {
            return JsonRead::Missing;
        };
        let mut cache = self.cache_files.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(name.to_string())
            .or_insert_with(|| read_json(&p.cache_file(name).path))
            .clone()
    }

    /// The `codex-*.json` files of the cache dir, sorted; `None` when the dir does not exist.
    pub fn cache_names(&self) -> Option<Vec<String>> {
        self.cache_names
            .get_or_init(|| {
                let dir = self.paths.as_ref().ok()?.cache_dir().path;
                let rd = fs::read_dir(dir).ok()?;
                let mut names: Vec<String> = rd
                    .filter_map(Result::ok)
                    .filter(|e| e.path().is_file())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".json") && n.starts_with("codex-"))
                    .collect();
                names.sort();
                Some(names)
            })
            .clone()
    }

    /// Whether a catalog file of the cache dir has a numeric `fetchedAt` and a `models`
    /// array, read without building the models' values (catalog shards are most of the
    /// cache's bytes). `false` sends the check to [`Facts::cache_read`], which names the
    /// problem.
    pub fn catalog_shape_ok(&self, name: &str) -> bool {
        #[derive(serde::Deserialize)]
        struct CatalogShape {
            #[serde(rename = "fetchedAt")]
            fetched_at: Option<serde_json::Value>,
            models: Option<Vec<serde::de::IgnoredAny>>,
        }
        let Ok(p) = self.paths.as_ref() else {
            return false;
        };
        let Ok(bytes) = codex_paths::read_file(&p.cache_file(name).path) else {
            return false;
        };
        matches!(
            serde_json::from_slice::<CatalogShape>(&bytes),
            Ok(CatalogShape { fetched_at: Some(f), models: Some(_) }) if f.is_number()
        )
    }

    /// Total bytes and number of files under a directory (recursively); zeros when absent.
    pub fn dir_size(&self, path: &Path) -> (u64, usize) {
        let mut total = 0;
        let mut count = 0;
        let mut stack = vec![path.to_path_buf()];
        while let Some(d) = stack.pop() {
            let Ok(rd) = fs::read_dir(&d) else {
                continue;
            };
            for e in rd.filter_map(Result::ok) {
                let Ok(ft) = e.file_type() else { continue };
                if ft.is_dir() {
                    stack.push(e.path());
                } else if ft.is_file() {
                    total += e.metadata().map(|m| m.len()).unwrap_or(0);
                    count += 1;
                }
            }
        }
        (total, count)
    }

    /// The resolved runtime config (file + env).
    pub fn resolved_config(&self) -> codex_config::resolve::ResolvedConfig {
        let empty = serde_json::Value::Object(serde_json::Map::new());
        let value = self.config().map(|c| &c.value).unwrap_or(&empty);
        codex_config::resolve::resolve(value, &self.env)
    }

    /// The Codex CLI's own login (`$CODEX_HOME/auth.json`, default `~/.codex/auth.json`):
    /// its path and the account it holds, when it holds ChatGPT tokens.
    pub fn codex_cli_login(&self) -> Option<(PathBuf, codex_auth::model::AccountRecord)> {
        let path = match self.env.non_blank(codex_env::env_vars::CODEX_HOME) {
            Some(h) => PathBuf::from(h).join("auth.json"),
            None => self
                .paths
                .as_ref()
                .ok()?
                .home
                .as_ref()?
                .join(".codex/auth.json"),
        };
        let v: serde_json::Value =
            serde_json::from_slice(&codex_paths::read_file(&path).ok()?).ok()?;
        let tokens = v.get("tokens")?;
        let s = |k: &str| {
            tokens
                .get(k)
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
        };
        let refresh = s("refresh_token")?;
        let mut record = codex_auth::Account::new();
        if let Some(id) = s("account_id") {
            record.set_account_id(&id);
        }
        record.set_refresh(refresh.into());
        if let Some(access) = s("access_token") {
            record.set_access(access.into());
        }
        Some((path, record.into()))
    }

    /// Legacy sources: `(resolved path, what it holds)`.
    pub fn legacy_sources(&self) -> Vec<(Resolved, LegacySource)> {
        let Ok(p) = self.paths.as_ref() else {
            return Vec::new();
        };
        let mut out = vec![(
            p.legacy_store(),
            legacy::read_legacy_plugin_store(&p.legacy_store().path),
        )];
        for f in p.opencode_auth_files() {
            let src = legacy::read_opencode_auth(&f.path);
            out.push((f, src));
        }
        out
    }

    /// OpenCode on PATH and its version.
    pub fn opencode_install(&self) -> &OpencodeInstall {
        self.opencode_install.get_or_init(|| {
            let cwd = self
                .paths
                .as_ref()
                .map(|p| p.cwd.clone())
                .unwrap_or_else(|_| PathBuf::from("/"));
            probes::detect_opencode(&self.env, &cwd)
        })
    }

    /// The login port probe.
    pub fn port(&self) -> &PortState {
        self.port
            .get_or_init(|| probe_port(self.options.login_port))
    }

    /// `GET http://<host>:<port>/healthz` on a loopback host (`localhost`, `127.x`, `::1`),
    /// each endpoint asked at most once. Never leaves the machine.
    pub fn local_http(&self, host: &str, port: u16) -> LocalProbe {
        let key = (host.to_ascii_lowercase(), port);
        let mut cache = self.local_probes.lock().unwrap_or_else(|p| p.into_inner());
        cache
            .entry(key)
            .or_insert_with_key(|(h, p)| probe_local_http(h, *p))
            .clone()
    }

    /// Lock directories present (auth store, snapshots, affinity, cache.lock).
    pub fn locks(&self) -> &[LockDir] {
        self.locks.get_or_init(|| match self.paths.as_ref() {
            Ok(p) => find_locks(p),
            Err(_) => Vec::new(),
        })
    }

    /// Leftover atomic-write temp files.
    pub fn tmp_files(&self) -> &[FileInfo] {
        self.tmp_files.get_or_init(|| match self.paths.as_ref() {
            Ok(p) => find_tmp_files(p),
            Err(_) => Vec::new(),
        })
    }

    /// Quarantined files, newest first.
    pub fn quarantine(&self) -> &[QuarantineEntry] {
        self.quarantine.get_or_init(|| match self.paths.as_ref() {
            Ok(p) => list_quarantine(p),
            Err(_) => Vec::new(),
        })
    }

    /// Running OpenCode processes.
    pub fn processes(&self) -> &[ProcInfo] {
        self.processes.get_or_init(|| {
            let root = self
                .env
                .non_blank(codex_env::env_vars::CODEX_DOCTOR_PROC_ROOT)
                .unwrap_or("/proc");
            probes::list_opencode(std::path::Path::new(root))
        })
    }
}

/// What reading one JSON file gave.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonRead {
    /// The file does not exist.
    Missing,
    /// It cannot be read or is not JSON: `cannot be read: …` / `is not valid JSON (… at line L, column C)`.
    Bad(String),
    /// Parsed.
    Ok(serde_json::Value),
}

fn read_json(path: &Path) -> JsonRead {
    match codex_paths::read_file(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => JsonRead::Missing,
        Err(e) => JsonRead::Bad(format!("cannot be read: {e}")),
        Ok(b) => match serde_json::from_slice::<serde_json::Value>(&b) {
            Ok(v) => JsonRead::Ok(v),
            Err(e) => JsonRead::Bad(format!(
                "is not valid JSON ({} at line {}, column {})",
                model::json_error_message(&e),
                e.line(),
                e.column()
            )),
        },
    }
}

/// The doctor's own cache of `opencode --version` answers.
pub fn doctor_version_cache(env: &EnvSnapshot) -> Option<PathBuf> {
    probes::version_cache_file(env)
}

#[allow(unsafe_code)]
fn current_uid() -> Option<u32> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    Some(unsafe { libc::geteuid() })
}

fn lock_entry(protects: String, dir: PathBuf) -> Option<LockDir> {
    let info = FileInfo::of(&dir);
    if !info.exists {
        return None;
    }
    let entries: Vec<String> = fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    Some(LockDir {
        protects,
        fallback_owner: entries.iter().any(|e| e == ".owner"),
        entries,
        info,
    })
}

fn find_locks(p: &Paths) -> Vec<LockDir> {
    let mut out = Vec::new();
    let files = [
        p.auth_store().path,
        p.cache_file("codex-snapshots.json").path,
        p.cache_file("codex-session-affinity.json").path,
    ];
    for f in files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(l) = lock_entry(name, codex_paths::lock_dir_of(&f)) {
            out.push(l);
        }
    }
    // Directory lock over the cache dir: `<realpath(cache)>.lock`.
    if let Some(l) = lock_entry(
        "cache/ (model catalog shards)".to_string(),
        p.cache_lock_dir().path,
    ) {
        out.push(l);
    }
    out
}

fn find_tmp_files(p: &Paths) -> Vec<FileInfo> {
    let mut out = Vec::new();
    let dirs = [p.config_root.path.clone(), p.cache_dir().path];
    for d in dirs {
        let Ok(rd) = fs::read_dir(&d) else { continue };
        for e in rd.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.contains(".json.tmp.") || name.ends_with(".json.tmp") {
                out.push(FileInfo::of(&e.path()));
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn list_quarantine(p: &Paths) -> Vec<QuarantineEntry> {
    let mut out = Vec::new();
    for q in p.quarantine_dirs() {
        let Ok(rd) = fs::read_dir(&q.path) else {
            continue;
        };
        for e in rd.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            let (original, stamp_ms) = match name.strip_suffix(".quarantine.json") {
                Some(stem) => match stem.rsplit_once('.') {
                    Some((orig, ts)) => (orig.to_string(), ts.parse::<u64>().ok()),
                    None => (stem.to_string(), None),
                },
                None => (name.clone(), None),
            };
            let size = e.metadata().map(|m| m.len()).unwrap_or(0);
            out.push(QuarantineEntry {
                path: e.path(),
                original,
                stamp_ms,
                size,
            });
        }
    }
    out.sort_by(|a, b| b.stamp_ms.cmp(&a.stamp_ms).then(b.path.cmp(&a.path)));
    out
}

fn probe_local_http(host: &str, port: u16) -> LocalProbe {
    use crate::loopback::{get, GetError};
    match get(host, port, "/healthz", None, 4 * 1024) {
        Ok(a) if a.status == 200 && String::from_utf8_lossy(&a.body).trim() == "ok" => {
            LocalProbe::Runtime
        }
        Ok(a) => LocalProbe::Other(a.status_line),
        Err(GetError::Refused) => LocalProbe::Refused,
        Err(GetError::NotLoopback) => {
            LocalProbe::Failed(format!("{host} is not a loopback address"))
        }
        Err(GetError::Failed(e)) => LocalProbe::Failed(e),
    }
}

fn probe_port(port: u16) -> PortState {
    let addrs: [SocketAddr; 2] = [
        SocketAddr::from(([127, 0, 0, 1], port)),
        SocketAddr::from((Ipv6Addr::LOCALHOST, port)),
    ];
    let mut busy = Vec::new();
    let mut probed = Vec::new();
    for a in addrs {
        match TcpListener::bind(a) {
            Ok(l) => {
                drop(l);
                probed.push(a.to_string());
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => busy.push(a.to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::AddrNotAvailable => {}
            Err(e) if e.raw_os_error() == Some(libc::EAFNOSUPPORT) => {}
            Err(e) => return PortState::Unknown(format!("binding {a}: {e}")),
        }
    }
    if busy.is_empty() {
        PortState::Free { probed }
    } else {
        PortState::Busy {
            addrs: busy,
            holders: probes::port_holders(port),
        }
    }
}
