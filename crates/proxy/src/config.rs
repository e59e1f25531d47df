//! The proxy's resolved settings: command-line options, the environment, and the plugin's
//! `codex-config.jsonc`, resolved exactly as the doctor resolves them.
//!
//! [`ServeOptions`] holds the raw options; [`ProxyConfig::resolve`] validates them (a
//! non-loopback listen address needs `--allow-remote` and a client key) and adds the
//! plugin's settings (mode, rotation strategy, `pidOffset`, `refreshAhead`) and the paths of
//! the files it shares with the plugin.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use codex_config::{OverrideOutcome, RotationStrategy};
use codex_env::env_vars as ev;
use codex_env::parse::env_number;
use codex_env::EnvSnapshot;
use codex_paths::Paths;
use codex_redact::{Secret, REDACTED};
use codex_rotation::Strategy;
use codex_store::{Domain, LockOptions};
use reqwest::Url;
use serde_json::Value;

use crate::outbound::Allowlist;

/// The default listen address (loopback; documented in `docs/proxy.md`).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:11455";

/// [`DEFAULT_LISTEN`] as an address.
pub fn default_listen() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 11455))
}

/// The Codex backend base (`<base>/responses`, `<base>/models`).
pub const DEFAULT_UPSTREAM: &str = "https://chatgpt.com/backend-api/codex";

/// The OAuth issuer (`<issuer>/oauth/token`) and the Codex CLI's client id (reference 9.1),
/// owned by `codex-login`.
pub use codex_login::{CLIENT_ID, DEFAULT_ISSUER};

/// The default client version (reference 10.1).
pub const DEFAULT_CLIENT_VERSION: &str = "0.144.0";

/// Attempts per request (the plugin's `maxAttempts`).
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

/// How long the opening of a 200 stream may be held back to look for an error.
pub const DEFAULT_HOLD_MS: u64 = 1_500;

/// Largest request body accepted.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Request bytes all connections together may hold in memory at once.
pub const DEFAULT_MAX_BUFFERED_BYTES: usize = 256 * 1024 * 1024;

/// How long an upstream may take to send its response headers before the next account is
/// tried.
pub const DEFAULT_UPSTREAM_HEADER_TIMEOUT: Duration = Duration::from_secs(45);

/// How long a response body (a stream) may stay silent before it is ended with an error.
pub const DEFAULT_UPSTREAM_IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// How long a client may pause between request body bytes.
pub const DEFAULT_BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(15);

/// How long a client may take to send a whole request body.
pub const DEFAULT_BODY_TOTAL_TIMEOUT: Duration = Duration::from_secs(120);

/// Connections served at once (more wait in the kernel's accept queue).
pub const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// Raw options of `codex-runtime serve`. `Debug` hides the client key.
#[derive(Clone, Default)]
pub struct ServeOptions {
    /// `--listen`.
    pub listen: Option<SocketAddr>,
    /// `--allow-remote`.
    pub allow_remote: bool,
    /// `--client-key` (else `CODEX_RUNTIME_CLIENT_KEY`).
    pub client_key: Option<String>,
    /// `--client-key-file`: a file whose first line is the key (wins over the others).
    pub client_key_file: Option<PathBuf>,
    /// `--upstream` (else `CODEX_RUNTIME_UPSTREAM`).
    pub upstream: Option<String>,
    /// `--issuer` (else `CODEX_RUNTIME_ISSUER`).
    pub issuer: Option<String>,
    /// `--max-attempts` (0 counts as 1, as in the plugin).
    pub max_attempts: Option<u32>,
    /// `--hold-ms`.
    pub hold_ms: Option<u64>,
    /// Do not poll account usage (`--no-quota-poll`).
    pub no_quota_poll: bool,
    /// Do not refresh model catalogs after requests (`--no-catalog-sync`).
    pub no_catalog_sync: bool,
    /// `--allow-origin` (repeatable; else `CODEX_RUNTIME_ALLOWED_ORIGINS`, comma-separated).
    pub allowed_origins: Vec<String>,
    /// `--upstream-header-timeout-ms`.
    pub upstream_header_timeout_ms: Option<u64>,
    /// `--upstream-idle-timeout-ms`.
    pub upstream_idle_timeout_ms: Option<u64>,
    /// `--upstream-ca-file` (else `CODEX_RUNTIME_UPSTREAM_CA_FILE`): a PEM CA trusted for the
    /// upstream besides the webpki roots.
    pub upstream_ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for ServeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeOptions")
            .field("listen", &self.listen)
            .field("allow_remote", &self.allow_remote)
            .field("client_key", &self.client_key.as_ref().map(|_| REDACTED))
            .field("client_key_file", &self.client_key_file)
            .field("upstream", &self.upstream.as_deref().map(without_userinfo))
            .field("issuer", &self.issuer.as_deref().map(without_userinfo))
            .field("max_attempts", &self.max_attempts)
            .field("hold_ms", &self.hold_ms)
            .field("no_quota_poll", &self.no_quota_poll)
            .field("no_catalog_sync", &self.no_catalog_sync)
            .field("allowed_origins", &self.allowed_origins)
            .field(
                "upstream_header_timeout_ms",
                &self.upstream_header_timeout_ms,
            )
            .field("upstream_idle_timeout_ms", &self.upstream_idle_timeout_ms)
            .field("upstream_ca_file", &self.upstream_ca_file)
            .finish()
    }
}

/// Why the settings are unusable.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Paths could not be resolved.
    #[error("{0}")]
    Paths(String),
    /// A URL option does not parse, is not http(s), or carries credentials.
    #[error("{what} is not a usable http(s) URL without credentials: {value}")]
    BadUrl {
        /// Which option.
        what: &'static str,
        /// The value.
        value: String,
    },
    /// Non-loopback without `--allow-remote`.
    #[error("refusing to listen on {0}: it is not a loopback address (pass --allow-remote and a client key to expose the proxy)")]
    RemoteNotAllowed(SocketAddr),
    /// Non-loopback without a client key.
    #[error("listening on {0} needs a client key (--client-key-file, CODEX_RUNTIME_CLIENT_KEY or --client-key)")]
    RemoteWithoutKey(SocketAddr),
    /// `--client-key-file` cannot be read or holds no key.
    #[error("cannot read the client key from {path}: {reason}; write the key on the file's first line (e.g. `umask 077; openssl rand -hex 32 > {path}`)")]
    ClientKeyFile {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// An `--allow-origin` value that is not `scheme://host[:port]`.
    #[error("{0:?} is not an origin (`scheme://host[:port]`, e.g. `http://localhost:3000`); fix --allow-origin or CODEX_RUNTIME_ALLOWED_ORIGINS")]
    BadOrigin(String),
}

/// Everything the server needs.
#[derive(Debug, Clone)]
pub struct ProxyConfig {
    /// What `codex-config.jsonc` and the environment make of request bodies (resolved once,
    /// with the rest of this configuration).
    pub(crate) request_settings: std::sync::Arc<crate::settings::RequestSettings>,
    /// Listen address.
    pub listen: SocketAddr,
    /// The key clients must present, if any.
    pub client_key: Option<Secret<String>>,
    /// Codex backend base URL.
    pub upstream: Url,
    /// OAuth issuer base URL.
    pub issuer: Url,
    /// Where requests may go.
    pub allowlist: Allowlist,
    /// `--upstream`/`--issuer` in use (the test hook).
    pub test_hook: bool,
    /// The domain of `codex-accounts.json` used.
    pub mode: Domain,
    /// Rotation strategy.
    pub strategy: Strategy,
    /// Whether the strategy was set explicitly (env or file); otherwise the domain's wins.
    pub strategy_explicit: bool,
    /// `runtime.pidOffset`.
    pub pid_offset: bool,
    /// Process id for the offset.
    pub pid: u64,
    /// Attempts per request.
    pub max_attempts: u32,
    /// Hold-back time limit for stream openings.
    pub hold: Duration,
    /// Hold-back byte limit.
    pub hold_bytes: usize,
    /// `refreshAhead` buffer when enabled.
    pub refresh_ahead_ms: Option<u64>,
    /// `codex-accounts.json`.
    pub auth_store: PathBuf,
    /// `cache/codex-snapshots.json`.
    pub snapshots: PathBuf,
    /// `cache/codex-session-affinity.json`.
    pub affinity: PathBuf,
    /// OpenCode's session directory (affinity pruning).
    pub session_dir: PathBuf,
    /// The plugin's cache directory (model catalogs).
    pub cache_dir: PathBuf,
    /// Store lock timing.
    pub lock: LockOptions,
    /// OAuth HTTP timeout (`CODEX_OAUTH_HTTP_TIMEOUT_MS`).
    pub oauth_timeout: Duration,
    /// Codex client version (user agent in codex mode, catalog).
    pub client_version: String,
    /// How long shutdown waits for open streams.
    pub drain_timeout: Duration,
    /// Largest request body.
    pub max_body_bytes: usize,
    /// Delay between deferred store writes (round-robin active, lastUsed, affinity).
    pub persist_interval: Duration,
    /// Poll account usage after requests (reference 7.7).
    pub quota_poll: bool,
    /// Re-sync the answering account's model catalog after requests (reference 10.3).
    pub catalog_sync: bool,
    /// Origins (besides the listener's own) whose requests are served, lowercase, without a
    /// trailing slash.
    pub allowed_origins: Vec<String>,
    /// Time to the upstream's response headers, per attempt.
    pub upstream_header_timeout: Duration,
    /// Longest silence of an upstream response body.
    pub upstream_idle_timeout: Duration,
    /// Longest pause between request body bytes.
    pub body_idle_timeout: Duration,
    /// Longest time to receive a whole request body.
    pub body_total_timeout: Duration,
    /// Request bytes held in memory at once, over all connections.
    pub max_buffered_bytes: usize,
    /// Connections served at once.
    pub max_connections: usize,
    /// How long a store that does not parse is given to settle (a writer that is not atomic)
    /// before it is re-read under the lock and, if still corrupt, quarantined.
    pub store_settle_delay: Duration,
    /// How often the store file is checked for changes (the hot path never looks).
    pub store_check_interval: Duration,
    /// A PEM CA trusted for the upstream besides the webpki roots.
    pub upstream_ca_file: Option<PathBuf>,
    /// The system proxy the Responses POST goes through (`HTTPS_PROXY`, `ALL_PROXY`, minus
    /// `NO_PROXY`); never with the test hook.
    pub upstream_proxy: Option<UpstreamProxy>,
}

/// A proxy that outbound requests reach with an HTTP `CONNECT` tunnel. `Debug` hides its
/// credentials.
#[derive(Clone)]
pub struct UpstreamProxy {
    /// The proxy's `http://host:port` (without credentials).
    pub uri: http::Uri,
    /// `Proxy-Authorization` from the proxy URL's `user:password@`.
    pub auth: Option<Secret<http::HeaderValue>>,
}

impl std::fmt::Debug for UpstreamProxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpstreamProxy")
            .field("uri", &self.uri)
            .field("auth", &self.auth.as_ref().map(|_| REDACTED))
            .finish()
    }
}

/// The system proxy for `target` from the environment, as curl reads it: `HTTPS_PROXY`
/// (for an `https` target; `HTTP_PROXY` for `http`), else `ALL_PROXY`, unless `NO_PROXY`
/// covers the host; each name also in lowercase.
pub fn system_proxy(env: &EnvSnapshot, target: &http::Uri) -> Option<UpstreamProxy> {
    let var = |name: &str| {
        env.non_blank(name)
            .or_else(|| env.non_blank(&name.to_ascii_lowercase()))
            .map(str::to_string)
    };
    let mut b = hyper_util::client::proxy::matcher::Matcher::builder();
    if let Some(v) = var(ev::ALL_PROXY) {
        b = b.all(v);
    }
    if let Some(v) = var(ev::HTTPS_PROXY) {
        b = b.https(v);
    }
    if let Some(v) = var(ev::HTTP_PROXY) {
        b = b.http(v);
    }
    if let Some(v) = var(ev::NO_PROXY) {
        b = b.no(v);
    }
    let hit = b.build().intercept(target)?;
    Some(UpstreamProxy {
        uri: hit.uri().clone(),
        auth: hit.basic_auth().cloned().map(Secret::new),
    })
}

/// The first line of a client key file, trimmed.
fn read_key_file(path: &Path) -> Result<String, ConfigError> {
    let bad = |reason: String| ConfigError::ClientKeyFile {
        path: path.to_path_buf(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| bad(e.to_string()))?;
    if meta.len() > 64 * 1024 {
        return Err(bad("the file is larger than 64 KiB".into()));
    }
    let text = std::fs::read_to_string(path).map_err(|e| bad(e.to_string()))?;
    let key = text.lines().next().unwrap_or("").trim();
    if key.is_empty() {
        return Err(bad("its first line is empty".into()));
    }
    Ok(key.to_string())
}

/// `value` as a lowercase origin without a trailing slash, if it is one.
fn normalize_origin(value: &str) -> Option<String> {
    let v = value.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, rest) = v.split_once("://")?;
    let ok = matches!(scheme, "http" | "https")
        && !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@', ' ']);
    ok.then_some(v)
}

/// `value` with any `user:password@` of its authority replaced by `***@`, for messages.
fn without_userinfo(value: &str) -> String {
    let (scheme, rest) = value.split_once("://").unwrap_or(("", value));
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => {
            let sep = if scheme.is_empty() { "" } else { "://" };
            format!("{scheme}{sep}***{}", &rest[at..])
        }
        None => value.to_string(),
    }
}

fn parse_url(what: &'static str, value: &str) -> Result<Url, ConfigError> {
    let bad = || ConfigError::BadUrl {
        what,
        value: without_userinfo(value),
    };
    let url = Url::parse(value.trim()).map_err(|_| bad())?;
    // Credentials in the URL would be sent to the origin and shown in logs: refused, as
    // the plugin's outbound policy refuses userinfo.
    if !matches!(url.scheme(), "http" | "https")
        || url.host_str().is_none()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(bad());
    }
    Ok(url)
}

/// The Codex client version in `codex-client-version.json` (reference 10.1), else the default.
pub(crate) fn client_version(cache_dir: &Path) -> String {
    codex_paths::read_file_to_string(&cache_dir.join("codex-client-version.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .and_then(|v| v.get("version").and_then(Value::as_str).map(str::to_string))
        .filter(|v| {
            let parts: Vec<&str> = v.split('.').collect();
            parts.len() == 3 && parts.iter().all(|p| p.parse::<u32>().is_ok())
        })
        .unwrap_or_else(|| DEFAULT_CLIENT_VERSION.to_string())
}

impl ProxyConfig {
    /// Resolves the settings for `serve`.
    pub fn resolve(
        env: &EnvSnapshot,
        cwd: &Path,
        opts: &ServeOptions,
    ) -> Result<ProxyConfig, ConfigError> {
        let paths = Paths::resolve(env, cwd).map_err(|e| ConfigError::Paths(e.to_string()))?;
        let load = codex_config::load(&paths, env);
        let resolved = codex_config::resolve(&load.value, env);

        let listen = match opts.listen {
            Some(a) => a,
            None => DEFAULT_LISTEN
                .parse()
                .map_err(|_| ConfigError::Paths("bad default listen address".into()))?,
        };
        let from_file = match &opts.client_key_file {
            Some(path) => Some(read_key_file(path)?),
            None => None,
        };
        let client_key = from_file
            .or_else(|| opts.client_key.clone())
            .or_else(|| {
                env.non_blank(ev::CODEX_RUNTIME_CLIENT_KEY)
                    .map(str::to_string)
            })
            .filter(|k| !k.trim().is_empty())
            .map(Secret::new);
        if !listen.ip().is_loopback() {
            if !opts.allow_remote {
                return Err(ConfigError::RemoteNotAllowed(listen));
            }
            if client_key.is_none() {
                return Err(ConfigError::RemoteWithoutKey(listen));
            }
        }
        let upstream_raw = opts.upstream.clone().or_else(|| {
            env.non_blank(ev::CODEX_RUNTIME_UPSTREAM)
                .map(str::to_string)
        });
        let issuer_raw = opts
            .issuer
            .clone()
            .or_else(|| env.non_blank(ev::CODEX_RUNTIME_ISSUER).map(str::to_string));
        let test_hook = upstream_raw.is_some() || issuer_raw.is_some();
        let upstream = parse_url(
            "--upstream",
            upstream_raw.as_deref().unwrap_or(DEFAULT_UPSTREAM),
        )?;
        let issuer = parse_url("--issuer", issuer_raw.as_deref().unwrap_or(DEFAULT_ISSUER))?;
        let allowlist = if test_hook {
            Allowlist::origins_of([&upstream, &issuer])
        } else {
            Allowlist::Default
        };

        let mode = resolved.mode.domain();
        let strategy = match resolved.rotation_strategy {
            RotationStrategy::Sticky => Strategy::Sticky,
            RotationStrategy::Hybrid => Strategy::Hybrid,
            RotationStrategy::RoundRobin => Strategy::RoundRobin,
        };
        let env_applied = resolved.overrides.iter().any(|o| {
            o.name == ev::OPENCODE_OPENAI_MULTI_ROTATION_STRATEGY
                && o.outcome == OverrideOutcome::Applied
        });
        let file_set = load
            .value
            .get("runtime")
            .and_then(|r| r.get("rotationStrategy"))
            .and_then(Value::as_str)
            .and_then(Strategy::parse)
            .is_some();
        // The plugin's rule: at least one attempt.
        let max_attempts = opts.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS).max(1);
        let request_settings = std::sync::Arc::new(crate::settings::RequestSettings::resolve(
            &load.value,
            &resolved,
            mode,
            cwd,
        ));
        let oauth_timeout_ms = env_number(env.get(ev::CODEX_OAUTH_HTTP_TIMEOUT_MS))
            .filter(|n| *n >= 1000.0)
            .map_or(15_000, |n| n.floor() as u64);
        let cache_dir = paths.cache_dir().path;
        let origins_raw: Vec<String> = if opts.allowed_origins.is_empty() {
            env.non_blank(ev::CODEX_RUNTIME_ALLOWED_ORIGINS)
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|o| !o.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        } else {
            opts.allowed_origins.clone()
        };
        let upstream_ca_file = opts.upstream_ca_file.clone().or_else(|| {
            env.non_blank(ev::CODEX_RUNTIME_UPSTREAM_CA_FILE)
                .map(PathBuf::from)
        });
        // The test hook talks to exactly the origins given, never through a proxy.
        let upstream_proxy = if test_hook {
            None
        } else {
            join(&upstream, "responses")
                .as_str()
                .parse::<http::Uri>()
                .ok()
                .and_then(|u| system_proxy(env, &u))
        };
        let allowed_origins = origins_raw
            .iter()
            .map(|o| normalize_origin(o).ok_or_else(|| ConfigError::BadOrigin(o.clone())))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ProxyConfig {
            request_settings,
            listen,
            client_key,
            upstream,
            issuer,
            allowlist,
            test_hook,
            mode,
            strategy,
            strategy_explicit: env_applied || file_set,
            pid_offset: resolved.pid_offset,
            pid: u64::from(std::process::id()),
            max_attempts,
            hold: Duration::from_millis(opts.hold_ms.unwrap_or(DEFAULT_HOLD_MS)),
            hold_bytes: 64 * 1024,
            refresh_ahead_ms: resolved
                .refresh_ahead_enabled
                .then_some(resolved.refresh_ahead_buffer_ms),
            auth_store: paths.auth_store().path,
            snapshots: paths.cache_file("codex-snapshots.json").path,
            affinity: paths.cache_file("codex-session-affinity.json").path,
            session_dir: paths.session_dir().path,
            client_version: client_version(&cache_dir),
            cache_dir,
            lock: LockOptions::default(),
            oauth_timeout: Duration::from_millis(oauth_timeout_ms),
            drain_timeout: Duration::from_secs(30),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            persist_interval: Duration::from_millis(250),
            quota_poll: !opts.no_quota_poll,
            catalog_sync: !opts.no_catalog_sync,
            allowed_origins,
            upstream_header_timeout: opts
                .upstream_header_timeout_ms
                .map_or(DEFAULT_UPSTREAM_HEADER_TIMEOUT, Duration::from_millis),
            upstream_idle_timeout: opts
                .upstream_idle_timeout_ms
                .map_or(DEFAULT_UPSTREAM_IDLE_TIMEOUT, Duration::from_millis),
            body_idle_timeout: DEFAULT_BODY_IDLE_TIMEOUT,
            body_total_timeout: DEFAULT_BODY_TOTAL_TIMEOUT,
            max_buffered_bytes: DEFAULT_MAX_BUFFERED_BYTES,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            store_settle_delay: Duration::from_millis(500),
            store_check_interval: Duration::from_millis(250),
            upstream_ca_file,
            upstream_proxy,
        })
    }

    /// `<upstream>/responses`.
    pub fn responses_url(&self) -> Url {
        join(&self.upstream, "responses")
    }

    /// `<upstream>/models`.
    pub fn models_url(&self) -> Url {
        join(&self.upstream, "models")
    }

    /// `<issuer>/oauth/token`.
    pub fn token_url(&self) -> Url {
        join(&self.issuer, "oauth/token")
    }

    /// `native` or `codex`.
    pub fn mode_name(&self) -> &'static str {
        self.mode.as_str()
    }
}

fn join(base: &Url, tail: &str) -> Url {
    let mut u = base.clone();
    let path = format!("{}/{tail}", base.path().trim_end_matches('/'));
    u.set_path(&path);
    u.set_query(None);
    u
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_default_listen_address_is_the_documented_one() {
        assert_eq!(super::default_listen().to_string(), super::DEFAULT_LISTEN);
    }
}
