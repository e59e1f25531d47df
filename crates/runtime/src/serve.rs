//! `codex-runtime serve` and `codex-runtime opencode-config`: thin wrappers over
//! `codex-proxy` (settings, a Tokio runtime, logging to stderr, signals, the start-up
//! account summary, the record of where it listens ([`crate::state`]); the snippet).

use std::io::Write;
use std::net::SocketAddr;

use clap::{ArgAction, Args};
use codex_env::{env_vars, EnvSnapshot};
use codex_proxy::config::{ProxyConfig, ServeOptions};
use codex_proxy::models::{cached_models, catalog_account, model_slugs};
use codex_proxy::opencode::{snippet_with_catalog, SnippetOptions};
use codex_proxy::Server;
use codex_store::{AuthStore, StoreOptions};

use crate::error::RuntimeError;

/// `serve` options. `Debug` hides the client key.
#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:11455; port 0 picks a free port; also
    /// `localhost:PORT` or a port alone).
    #[arg(long, value_name = "ADDR", value_parser = crate::listen::parse_listen)]
    pub listen: Option<SocketAddr>,
    /// Allow a non-loopback listen address (needs a client key).
    #[arg(long)]
    pub allow_remote: bool,
    /// Key clients must send (`Authorization: Bearer` or `x-api-key`). Visible to every
    /// local user in the process list: prefer --client-key-file or CODEX_RUNTIME_CLIENT_KEY.
    #[arg(long, value_name = "KEY")]
    pub client_key: Option<String>,
    /// File whose first line is the client key (wins over --client-key and the environment).
    #[arg(long, value_name = "PATH")]
    pub client_key_file: Option<std::path::PathBuf>,
    /// A web origin allowed to call the proxy besides its own (repeatable; also
    /// CODEX_RUNTIME_ALLOWED_ORIGINS, comma-separated).
    #[arg(long = "allow-origin", value_name = "ORIGIN")]
    pub allow_origins: Vec<String>,
    /// How long an account's upstream may take to send response headers before the next
    /// account is tried (default 45000).
    #[arg(long, value_name = "MS")]
    pub upstream_header_timeout_ms: Option<u64>,
    /// How long a response stream may stay silent before it is ended with an error event
    /// (default 300000).
    #[arg(long, value_name = "MS")]
    pub upstream_idle_timeout_ms: Option<u64>,
    /// Test/self-hosting hook: Codex backend base URL (also CODEX_RUNTIME_UPSTREAM).
    #[arg(long, value_name = "URL")]
    pub upstream: Option<String>,
    /// A PEM file of CA certificates trusted for the upstream besides the built-in roots
    /// (also CODEX_RUNTIME_UPSTREAM_CA_FILE); verification stays on.
    #[arg(long, value_name = "PATH")]
    pub upstream_ca_file: Option<std::path::PathBuf>,
    /// Test/self-hosting hook: OAuth issuer URL (also CODEX_RUNTIME_ISSUER).
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// Attempts per request across accounts (default 3).
    #[arg(long, value_name = "N")]
    pub max_attempts: Option<u32>,
    /// How long the opening of a stream may be held back to look for an error (default 1500).
    #[arg(long, value_name = "MS")]
    pub hold_ms: Option<u64>,
    /// Do not poll each account's usage after requests (on by default, as in the plugin).
    #[arg(long)]
    pub no_quota_poll: bool,
    /// Do not refresh the answering account's model catalog after requests (on by default).
    #[arg(long)]
    pub no_catalog_sync: bool,
    /// More logging (-v debug, -vv trace).
    #[arg(short, long, action = ArgAction::Count)]
    pub verbose: u8,
    /// Only warnings and errors.
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,
}

impl std::fmt::Debug for ServeArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeArgs")
            .field("listen", &self.listen)
            .field("allow_remote", &self.allow_remote)
            .field(
                "client_key",
                &self.client_key.as_ref().map(|_| codex_redact::REDACTED),
            )
            .field("client_key_file", &self.client_key_file)
            .field("allow_origins", &self.allow_origins)
            .field(
                "upstream_header_timeout_ms",
                &self.upstream_header_timeout_ms,
            )
            .field("upstream_idle_timeout_ms", &self.upstream_idle_timeout_ms)
            .field("upstream", &self.upstream.is_some())
            .field("upstream_ca_file", &self.upstream_ca_file)
            .field("issuer", &self.issuer.is_some())
            .field("max_attempts", &self.max_attempts)
            .field("hold_ms", &self.hold_ms)
            .field("no_quota_poll", &self.no_quota_poll)
            .field("no_catalog_sync", &self.no_catalog_sync)
            .field("verbose", &self.verbose)
            .field("quiet", &self.quiet)
            .finish()
    }
}

/// `opencode-config` options.
#[derive(Debug, Args)]
pub struct OpencodeConfigArgs {
    /// The address `serve` listens on (default 127.0.0.1:11455).
    #[arg(long, value_name = "ADDR", value_parser = crate::listen::parse_listen)]
    pub listen: Option<SocketAddr>,
    /// Models to list (repeatable; the first is the default). Default: the cached catalog.
    #[arg(long = "model", value_name = "SLUG")]
    pub models: Vec<String>,
    /// `small_model` (default: the default model).
    #[arg(long, value_name = "SLUG")]
    pub small_model: Option<String>,
}

fn cwd() -> Result<std::path::PathBuf, RuntimeError> {
    std::env::current_dir()
        .map_err(|e| RuntimeError::user(format!("cannot read the working directory: {e}")))
}

/// A line for the log writer thread, or a request to flush.
enum LogMsg {
    Line(Vec<u8>),
    Flush(std::sync::mpsc::SyncSender<()>),
}

/// Lines queued for the log thread; a full queue drops lines (counted) rather than making a
/// request wait for stderr.
const LOG_QUEUE: usize = 8192;

/// How long the log thread, woken by a line, waits for more before writing them all.
const LOG_BATCH: std::time::Duration = std::time::Duration::from_millis(25);

/// The `MakeWriter` of the log: each event's text goes to the writer thread in one message.
#[derive(Clone)]
struct QueuedStderr {
    tx: std::sync::mpsc::SyncSender<LogMsg>,
    dropped: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

/// One event's text, sent when the formatter is done with it.
struct QueuedLine {
    buf: Vec<u8>,
    queue: QueuedStderr,
}

impl std::io::Write for QueuedLine {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for QueuedLine {
    fn drop(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        let line = std::mem::take(&mut self.buf);
        if self.queue.tx.try_send(LogMsg::Line(line)).is_err() {
            self.queue
                .dropped
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for QueuedStderr {
    type Writer = QueuedLine;

    fn make_writer(&'a self) -> QueuedLine {
        QueuedLine {
            buf: Vec::with_capacity(256),
            queue: self.clone(),
        }
    }
}

/// Flushes the log thread when `serve` ends (lines still queued are written first).
struct LogGuard(Option<QueuedStderr>);

impl Drop for LogGuard {
    fn drop(&mut self) {
        let Some(q) = self.0.take() else { return };
        let (ack, done) = std::sync::mpsc::sync_channel(1);
        if q.tx.send(LogMsg::Flush(ack)).is_ok() {
            let _ = done.recv_timeout(std::time::Duration::from_secs(2));
        }
        let dropped = q.dropped.load(std::sync::atomic::Ordering::Relaxed);
        if dropped > 0 {
            let _ = writeln!(
                std::io::stderr(),
                "{dropped} log line(s) were dropped while stderr could not keep up"
            );
        }
    }
}

/// Logging to stderr through a writer thread, so no request waits for a write to stderr
/// (the access log writes a line per request): lines are written in order, at most
/// [`LOG_BATCH`] after they were logged, and flushed whenever the queue runs empty, and when
/// `serve` ends.
fn init_logging(verbose: u8, quiet: bool, env: &EnvSnapshot) -> LogGuard {
    let filter = match (quiet, verbose) {
        (true, _) => "warn",
        (false, 0) => "warn,codex_proxy=info,codex_runtime=info",
        (false, 1) => "warn,codex_proxy=debug,codex_runtime=debug",
        _ => "info,codex_proxy=trace,codex_runtime=trace",
    };
    let (tx, rx) = std::sync::mpsc::sync_channel::<LogMsg>(LOG_QUEUE);
    let spawned = std::thread::Builder::new()
        .name("log".into())
        .spawn(move || {
            let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stderr());
            while let Ok(msg) = rx.recv() {
                // The lines of the next moment are written together: waking this thread for
                // every line would cost each request a context switch.
                std::thread::sleep(LOG_BATCH);
                let mut next = Some(msg);
                while let Some(m) = next.take() {
                    match m {
                        LogMsg::Line(l) => {
                            let _ = out.write_all(&l);
                        }
                        LogMsg::Flush(ack) => {
                            let _ = out.flush();
                            let _ = ack.send(());
                        }
                    }
                    next = rx.try_recv().ok();
                }
                let _ = out.flush();
            }
        });
    let queue = QueuedStderr {
        tx,
        dropped: std::sync::Arc::default(),
    };
    // The full formatter without targets; the access log's line is written directly.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_ansi(
            std::io::IsTerminal::is_terminal(&std::io::stderr()) && !env.is_set(env_vars::NO_COLOR),
        )
        .event_format(crate::accesslog::LineFormat::new());
    if spawned.is_ok() {
        let _ = builder.with_writer(queue.clone()).try_init();
        LogGuard(Some(queue))
    } else {
        let _ = builder.with_writer(std::io::stderr).try_init();
        LogGuard(None)
    }
}

/// SIGINT and SIGTERM, registered when this is built (inside the async runtime): built
/// before readiness is announced, so a supervisor's SIGTERM right after the `listening on`
/// line still drains gracefully instead of killing the process.
struct ShutdownSignals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
}

impl ShutdownSignals {
    fn install() -> ShutdownSignals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            ShutdownSignals {
                term: signal(SignalKind::terminate()).ok(),
                int: signal(SignalKind::interrupt()).ok(),
            }
        }
        #[cfg(not(unix))]
        {
            ShutdownSignals {}
        }
    }

    async fn received(self) {
        #[cfg(unix)]
        {
            // Whichever could be registered; `ctrl_c` stands in for a missing SIGINT.
            match (self.term, self.int) {
                (Some(mut term), Some(mut int)) => {
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = int.recv() => {}
                    }
                }
                (Some(mut term), None) => {
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = tokio::signal::ctrl_c() => {}
                    }
                }
                (None, Some(mut int)) => {
                    let _ = int.recv().await;
                }
                (None, None) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Runs the proxy until SIGINT/SIGTERM; `announce` receives `listening on http://ADDR\n`.
pub fn serve(args: &ServeArgs, announce: impl FnOnce(&str)) -> Result<(), RuntimeError> {
    let env = EnvSnapshot::capture();
    let _log = init_logging(args.verbose, args.quiet, &env);
    let opts = ServeOptions {
        listen: args.listen,
        allow_remote: args.allow_remote,
        client_key: args.client_key.clone(),
        client_key_file: args.client_key_file.clone(),
        allowed_origins: args.allow_origins.clone(),
        upstream_header_timeout_ms: args.upstream_header_timeout_ms,
        upstream_idle_timeout_ms: args.upstream_idle_timeout_ms,
        upstream: args.upstream.clone(),
        upstream_ca_file: args.upstream_ca_file.clone(),
        issuer: args.issuer.clone(),
        max_attempts: args.max_attempts,
        hold_ms: args.hold_ms,
        no_quota_poll: args.no_quota_poll,
        no_catalog_sync: args.no_catalog_sync,
    };
    let config = ProxyConfig::resolve(&env, &cwd()?, &opts)
        .map_err(|e| RuntimeError::user(e.to_string()))?;
    if args.client_key.is_some() && args.client_key_file.is_none() {
        tracing::warn!("--client-key is visible to every local user in the process list; use --client-key-file or CODEX_RUNTIME_CLIENT_KEY instead");
    }
    let nofile = codex_proxy::limits::raise_nofile();
    if nofile.before != nofile.after {
        tracing::debug!(before = ?nofile.before, after = ?nofile.after, "raised the open-file limit");
    }
    if config.test_hook {
        tracing::warn!(upstream = %config.upstream, issuer = %config.issuer, "test hook active: the outbound allowlist admits only these origins");
    }
    let state_dir = crate::state::state_dir(&env);
    let client_key = config.client_key.is_some();
    let config_for_log = StartupView {
        store: config.auth_store.clone(),
        mode: config.mode,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| RuntimeError::internal(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async move {
        let server = Server::bind(config).await.map_err(|e| {
            let mut err = RuntimeError::user(e.to_string());
            if let Some(port) = e.busy_port() {
                let holders = codex_login::port_holders(port);
                if !holders.is_empty() {
                    err = err.hint(format!("port {port} is held by {}", holders.join(", ")));
                }
            }
            match e.hint() {
                Some(h) => err.hint(h),
                None => err,
            }
        })?;
        let signals = ShutdownSignals::install();
        let addr = server
            .local_addr()
            .map_err(|e| RuntimeError::user(format!("cannot read the bound address: {e}")))?;
        // Recorded before the announcement, so whoever waits for either finds both.
        let record = record_listener(state_dir.as_deref(), addr, client_key);
        announce(&format!("listening on http://{addr}\n"));
        tracing::info!(%addr, "codex-runtime serve is ready");
        // Off the runtime threads: a corrupt store is quarantined under its lock, which may
        // wait; requests are served meanwhile.
        let summary = tokio::task::spawn_blocking(move || log_accounts(&config_for_log));
        server.run(signals.received()).await;
        let summarized = summary.await;
        if let Some(path) = record {
            crate::state::remove_record_if_ours(&path, std::process::id());
        }
        // A join error is a panic in the summary (the hook printed its line; the error's
        // own text may carry the payload, so it is not shown).
        summarized
            .map_err(|_| RuntimeError::internal("the start-up account summary did not finish"))
    })
}

/// Writes the record the OpenCode bridge reads; a failure is a warning (the proxy still
/// serves, it just cannot be found). Returns the record's path.
fn record_listener(
    dir: Option<&std::path::Path>,
    addr: SocketAddr,
    client_key: bool,
) -> Option<std::path::PathBuf> {
    let Some(dir) = dir else {
        tracing::warn!("{}", crate::state::StateError::NoStateDir);
        return None;
    };
    let record = crate::state::ServeRecord {
        pid: std::process::id(),
        addr,
        client_key,
        started_ms: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0),
    };
    match crate::state::write_record(dir, &record) {
        Ok(path) => {
            tracing::debug!(path = %path.display(), "recorded where serve listens");
            Some(path)
        }
        Err(e) => {
            tracing::warn!(
                "cannot record where serve listens (the OpenCode bridge will not find it): {e}"
            );
            None
        }
    }
}

/// What the start-up account summary needs from the configuration.
struct StartupView {
    store: std::path::PathBuf,
    mode: codex_store::Domain,
}

/// What the proxy can do with the accounts as they stand at start: a line saying how many it
/// rotates among, or a warning naming the error every request will get and its fix. The
/// store is read again on every request, so fixing it needs no restart.
fn log_accounts(v: &StartupView) {
    let store = AuthStore::with_options(&v.store, StoreOptions::default());
    let mode = match v.mode {
        codex_store::Domain::Native => "native",
        codex_store::Domain::Codex => "codex",
    };
    match accounts_at_start(&store, v.mode) {
        Err(e) => tracing::warn!(
            "cannot read the accounts: {e}; every request fails until it is fixed (`codex-doctor` says how)"
        ),
        Ok(None) => tracing::warn!(
            store = %v.store.display(),
            mode,
            "no ChatGPT login in the store: every request fails with oauth_not_configured until one is added (`codex-runtime login`, or `opencode auth login` and \"ChatGPT Pro/Plus (browser)\")"
        ),
        Ok(Some((0, _))) => tracing::warn!(
            store = %v.store.display(),
            mode,
            "no Codex accounts for this mode: every request fails with no_accounts_configured until one is added (`codex-runtime login`, or `opencode auth login` and \"ChatGPT Pro/Plus (browser)\")"
        ),
        Ok(Some((n, 0))) => tracing::warn!(
            accounts = n,
            mode,
            "no enabled account: every request fails with no_enabled_accounts until one is enabled (`codex-runtime accounts list`, then `codex-runtime accounts enable <n>`)"
        ),
        Ok(Some((n, enabled))) => {
            tracing::info!(accounts = n, enabled, mode, "rotating among {enabled} enabled account(s)")
        }
    }
}

/// `(accounts, enabled accounts)` of `mode` in the store; `None` without an OpenAI OAuth
/// entry (the two answer requests with different errors).
fn accounts_at_start(
    store: &AuthStore,
    mode: codex_store::Domain,
) -> Result<Option<(usize, usize)>, codex_store::StoreError> {
    let state = store.load()?;
    let Some(oauth) = state.oauth() else {
        return Ok(None);
    };
    // The mode's own records: an account enabled in one mode may be disabled in the other,
    // and the proxy rotates only among the mode's.
    let accounts = oauth.domain(mode).map(|d| d.accounts()).unwrap_or_default();
    Ok(Some((
        accounts.len(),
        accounts.iter().filter(|a| a.is_enabled()).count(),
    )))
}

/// The OpenCode snippet for the current settings, as pretty JSON. Without a cached catalog
/// it is fetched live first, as `serve` would (the active account's valid access token, the
/// plugin's catalog files written); `note` says why when that cannot be done.
pub fn opencode_config(
    args: &OpencodeConfigArgs,
    note: impl Fn(&str),
) -> Result<String, RuntimeError> {
    let env = EnvSnapshot::capture();
    let listen = args
        .listen
        .unwrap_or_else(codex_proxy::config::default_listen);
    let opts = ServeOptions {
        listen: Some(SocketAddr::from(([127, 0, 0, 1], listen.port()))),
        ..ServeOptions::default()
    };
    let config = ProxyConfig::resolve(&env, &cwd()?, &opts)
        .map_err(|e| RuntimeError::user(e.to_string()))?;
    let host = if listen.ip().is_unspecified() {
        SocketAddr::from(([127, 0, 0, 1], listen.port()))
    } else {
        listen
    };
    let store = AuthStore::with_options(&config.auth_store, StoreOptions::default());
    let mut account = catalog_account(&store, config.mode);
    let mut catalog = cached_models(&config.cache_dir, account.as_deref());
    if catalog.is_empty() {
        // With a valid token, a fetch that gave nothing failed on the way (found from the
        // user's side: offline, it blamed the token).
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_millis() as f64);
        let why =
            if codex_proxy::models::catalog_account_has_valid_token(&store, config.mode, now_ms) {
                NO_CATALOG_NETWORK
            } else {
                NO_CATALOG
            };
        match fetch_catalog(&config) {
            Ok(id) => {
                account = id.or(account);
                catalog = cached_models(&config.cache_dir, account.as_deref());
                if catalog.is_empty() {
                    note(why);
                }
            }
            Err(e) => note(&format!("{why} ({e})")),
        }
    }
    let models = if args.models.is_empty() {
        model_slugs(&config.cache_dir, account.as_deref())
    } else {
        args.models.clone()
    };
    let v = snippet_with_catalog(
        &config,
        &SnippetOptions {
            base_url: format!("http://{host}/v1"),
            models,
            default_model: None,
            small_model: args.small_model.clone(),
            client_key_env: env
                .non_blank(env_vars::CODEX_RUNTIME_CLIENT_KEY)
                .map(|_| env_vars::CODEX_RUNTIME_CLIENT_KEY.to_string()),
        },
        &catalog,
    );
    Ok(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n")
}

const NO_CATALOG: &str = "no model catalog is cached and none could be fetched: the models are \
listed by name only (an account with a valid access token is needed: `codex-runtime login` or \
`codex-runtime accounts refresh`)";

const NO_CATALOG_NETWORK: &str = "no model catalog is cached and the backend could not be \
reached to fetch one: the models are listed by name only (the account's access token is valid; \
check the network, a proxy in HTTPS_PROXY, or `codex-doctor --online`)";

/// Fetches the catalog of the account `serve` would use, through the proxy's own catalog
/// sync on a state bound to an ephemeral loopback port (nothing is served); that account's id.
fn fetch_catalog(config: &ProxyConfig) -> Result<Option<String>, String> {
    let mut config = config.clone();
    config.listen = SocketAddr::from(([127, 0, 0, 1], 0));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    rt.block_on(async {
        let server = Server::bind(config).await.map_err(|e| match e.hint() {
            Some(h) => format!("{e}: {h}"),
            None => e.to_string(),
        })?;
        Ok(server.state().sync_catalog().await)
    })
}
