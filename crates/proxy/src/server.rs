//! The HTTP server: binding, routing, the defences at the door, graceful shutdown.
//!
//! Routes: `POST /v1/responses` (also `/responses`, and absolute-form request targets such
//! as `POST http://127.0.0.1:PORT/v1/responses` sent by clients behind `HTTP_PROXY`),
//! `POST /v1/chat/completions` (also `/chat/completions`; converted by [`crate::chat`]),
//! `GET /v1/models` (also `/models`), `GET /healthz`, `GET /status`, `GET /metrics`.
//!
//! Before routing: on a listener without a client key, the `Host` (and the authority of an
//! absolute-form target) must name the listener (`localhost`, `127.0.0.1`, `[::1]` or its
//! own address, with its port), else `misdirected_host` (a DNS-rebinding page); an `Origin`
//! must be the listener's own or an allowed one, else `forbidden_origin`. When a client key
//! is configured every route but `/healthz` needs it, as `Authorization: <scheme> <key>`
//! (scheme `Bearer`, any case) or `x-api-key`; both sides are hashed and compared in
//! constant time. A Responses or Chat Completions POST must declare `application/json`. Its body is read with
//! an idle and a total timeout (`request_timeout`, connection closed), within the per-request
//! limit and a global cap on request bytes held at once (`proxy_busy`, with `Retry-After`);
//! broken framing is `malformed_request`. At most `max_connections` connections are served
//! at once. Shutdown stops accepting, lets in-flight requests and open streams finish
//! (bounded by the drain timeout), then cuts what is left (an event stream gets an `error`
//! event first), flushes the deferred store writes and returns.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use codex_rotation::SessionState;
use codex_store::affinity::{session_file_exists, AffinityStore, PRUNE_GRACE_MS};
use codex_store::snapshots::SnapshotStore;
use codex_store::{AuthStore, StoreOptions};
use http::{Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::catalog::CatalogSync;
use crate::config::{ProxyConfig, CLIENT_ID};
use crate::errors::Synthetic;
use crate::metrics::Metrics;
use crate::models::{cached_models, models_response};
use crate::orchestrator::synthetic_response;
use crate::persist::{self, PersistTx, Targets};
use crate::pool::{Policy, Pool};
use crate::quota::QuotaPoller;
use crate::refresh::RefreshClient;
use crate::shape::{shape_with, UserAgents};
use crate::shared::Shared;
use crate::snapshots::SnapshotRecorder;
use crate::sse::ProxyBody;
use crate::state::AppState;

/// How often idle upstream connections are checked for a close by the upstream.
const UPSTREAM_PRUNE_INTERVAL: Duration = Duration::from_secs(5);

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Binding failed.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The error.
        source: std::io::Error,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
    /// The upstream pool could not be built (its CA file, TLS).
    #[error("{0}")]
    Upstream(#[from] crate::upstream::UpstreamError),
}

impl ServeError {
    /// What to do about it, when there is something to say (a busy or privileged port, an
    /// address of another machine).
    pub fn hint(&self) -> Option<String> {
        match self {
            ServeError::Bind { addr, source } => {
                let h = bind_hint(*addr, source);
                (!h.is_empty()).then_some(h)
            }
            _ => None,
        }
    }

    /// The port a failed bind asked for, when it was taken by another program.
    pub fn busy_port(&self) -> Option<u16> {
        match self {
            ServeError::Bind { addr, source } if source.kind() == std::io::ErrorKind::AddrInUse => {
                Some(addr.port())
            }
            _ => None,
        }
    }
}

/// What to do about a failed bind.
fn bind_hint(addr: SocketAddr, e: &std::io::Error) -> String {
    // As `--listen` parses it: IPv6 addresses in brackets.
    let ip = match addr.ip() {
        std::net::IpAddr::V6(v6) => format!("[{v6}]"),
        v4 => v4.to_string(),
    };
    match e.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "another program (perhaps another `codex-runtime serve`) is using port {port}: stop \
             it (`lsof -i :{port}` or `ss -ltnp 'sport = :{port}'` shows which), or pick another \
             port with `--listen {ip}:<port>` and print the matching OpenCode settings with \
             `codex-runtime opencode-config --listen {ip}:<port>`",
            port = addr.port(),
        ),
        std::io::ErrorKind::PermissionDenied => format!(
            "ports below 1024 need privileges; use a higher port, e.g. `--listen {ip}:11455`"
        ),
        std::io::ErrorKind::AddrNotAvailable => {
            "that address does not belong to this machine; use 127.0.0.1".to_string()
        }
        _ => String::new(),
    }
}

pub(crate) fn digest(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

fn load_sessions(config: &ProxyConfig, opts: &StoreOptions) -> (SessionState, SessionState) {
    let store = AffinityStore::with_options(&config.affinity, opts.clone());
    let Ok(mut file) = store.load() else {
        return (SessionState::default(), SessionState::default());
    };
    let now = (opts.clock)() as f64;
    let m = file.mode_mut(config.mode);
    m.prune(
        |k| session_file_exists(&config.session_dir, k),
        now,
        PRUNE_GRACE_MS,
    );
    (
        SessionState::from_entries(m.sticky.clone()),
        SessionState::from_entries(m.hybrid.clone()),
    )
}

/// A bound, not yet running server.
pub struct Server {
    listener: TcpListener,
    state: Arc<AppState>,
    persist: PersistTx,
    writer: JoinHandle<()>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("state", &self.state)
            .finish()
    }
}

impl Server {
    /// Builds the state and binds the listener. Must run inside a Tokio runtime.
    pub async fn bind(config: ProxyConfig) -> Result<Server, ServeError> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .pool_max_idle_per_host(512)
            .connect_timeout(Duration::from_secs(10));
        if config.test_hook {
            builder = builder.no_proxy();
        }
        let extra_roots = match &config.upstream_ca_file {
            Some(path) => crate::upstream::read_ca_file(path)?,
            None => Vec::new(),
        };
        for cert in &extra_roots {
            let cert = reqwest::Certificate::from_der(cert.as_ref())
                .map_err(|e| ServeError::Client(e.to_string()))?;
            builder = builder.add_root_certificate(cert);
        }
        let upstream = crate::upstream::Upstream::new(
            config.responses_url().as_str(),
            crate::upstream::tls_config(&extra_roots)?,
            config.upstream_proxy.as_ref(),
        )?;
        let http = builder
            .build()
            .map_err(|e| ServeError::Client(e.to_string()))?;
        let clock = codex_store::system_clock();
        let opts = StoreOptions::default()
            .with_lock(config.lock.clone())
            .with_clock(clock.clone());
        let (sticky, hybrid) = load_sessions(&config, &opts);
        let (persist, rx) = persist::channel();
        let store = AuthStore::with_options(&config.auth_store, opts.clone());
        let targets = Targets {
            store: store.clone(),
            affinity: AffinityStore::with_options(&config.affinity, opts.clone()),
            mode: config.mode,
            session_dir: config.session_dir.clone(),
            clock: clock.clone(),
        };
        let writer = tokio::spawn(persist::run_writer(rx, targets, config.persist_interval));
        let pool = Pool::new(
            store,
            config.mode,
            sticky,
            hybrid,
            persist.clone(),
            config.store_settle_delay,
        );
        let refresher = RefreshClient::new(
            http.clone(),
            config.token_url(),
            CLIENT_ID,
            config.oauth_timeout,
        );
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| ServeError::Bind {
                    addr: config.listen,
                    source,
                })?;
        let port = listener
            .local_addr()
            .map_err(|source| ServeError::Bind {
                addr: config.listen,
                source,
            })?
            .port();
        let shared = Arc::new(Shared {
            http,
            upstream,
            pool,
            refresher,
            metrics: Metrics::default(),
            snapshots: SnapshotRecorder::new(
                SnapshotStore::with_options(&config.snapshots, opts),
                Duration::from_secs(30),
            ),
            agents: UserAgents::for_this_machine(env!("CARGO_PKG_VERSION"), &config.client_version),
            responses_url: config.responses_url(),
            policy: Policy {
                strategy: config.strategy,
                strategy_explicit: config.strategy_explicit,
                pid_offset: config.pid_offset,
                pid: config.pid,
            },
            clock,
            started: Instant::now(),
            port,
            cut: tokio::sync::watch::channel(false).0,
            buffered: Arc::new(AtomicUsize::new(0)),
            client_key_digest: config.client_key.as_ref().map(|k| digest(k.expose())),
            account_headers: crate::shape::AccountHeaders::default(),
            config,
        });
        let state = Arc::new(AppState {
            shared,
            catalog: Arc::new(CatalogSync::default()),
            quota: Arc::new(QuotaPoller::default()),
        });
        Ok(Server {
            listener,
            state,
            persist,
            writer,
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The shared state.
    pub fn state(&self) -> Arc<AppState> {
        self.state.clone()
    }

    /// Serves until `shutdown` resolves, then drains.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let Server {
            listener,
            state,
            persist,
            writer,
        } = self;
        let proactive = state
            .config
            .refresh_ahead_ms
            .map(|buffer| tokio::spawn(crate::proactive::run(state.shared.clone(), buffer)));
        let watcher = {
            let shared = state.shared.clone();
            let every = state.config.store_check_interval;
            tokio::spawn(async move { shared.pool.watch(every).await })
        };
        let pruner = {
            let shared = state.shared.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(UPSTREAM_PRUNE_INTERVAL);
                loop {
                    tick.tick().await;
                    shared.upstream.prune();
                }
            })
        };
        let graceful = GracefulShutdown::new();
        let slots = Arc::new(tokio::sync::Semaphore::new(
            state.config.max_connections.max(1),
        ));
        tokio::pin!(shutdown);
        loop {
            // A free connection slot first: at the cap, new connections wait in the
            // kernel's accept queue.
            let slot = tokio::select! {
                s = slots.clone().acquire_owned() => match s {
                    Ok(s) => s,
                    Err(_) => break,
                },
                () = &mut shutdown => break,
            };
            tokio::select! {
                accepted = listener.accept() => {
                    let (stream, _peer) = match accepted {
                        Ok(x) => x,
                        Err(e) => {
                            tracing::warn!(error = %e, "accept failed");
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            continue;
                        }
                    };
                    let _ = stream.set_nodelay(true);
                    let st = state.clone();
                    let svc = service_fn(move |req| {
                        let st = st.clone();
                        async move { Ok::<_, Infallible>(route(st, req).await) }
                    });
                    let conn = hyper::server::conn::http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(Duration::from_secs(30))
                        .serve_connection(TokioIo::new(stream), svc);
                    let watched = graceful.watch(conn);
                    tokio::spawn(async move {
                        if let Err(e) = watched.await {
                            tracing::debug!(error = %e, "connection ended with an error");
                        }
                        drop(slot);
                    });
                }
                () = &mut shutdown => break,
            }
        }
        drop(listener);
        tracing::info!("shutting down: draining open requests");
        let drained = graceful.shutdown();
        tokio::pin!(drained);
        tokio::select! {
            () = &mut drained => {}
            () = tokio::time::sleep(state.config.drain_timeout) => {
                tracing::warn!("drain timeout reached; ending the remaining streams");
                // Streams end with an error event; give them a moment to send it.
                let _ = state.cut.send(true);
                let _ = tokio::time::timeout(Duration::from_secs(2), &mut drained).await;
            }
        }
        if let Some(p) = proactive {
            p.abort();
        }
        watcher.abort();
        pruner.abort();
        persist.close();
        let _ = writer.await;
    }
}

/// A server running on the current runtime (tests, benches, embedding).
pub struct Running {
    /// The bound address.
    pub addr: SocketAddr,
    /// The shared state.
    pub state: Arc<AppState>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    handle: JoinHandle<()>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running").field("addr", &self.addr).finish()
    }
}

impl Running {
    /// `http://<addr>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Shuts down gracefully and waits.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.handle).await;
    }
}

/// Binds and spawns a server.
pub async fn start(config: ProxyConfig) -> Result<Running, ServeError> {
    let server = Server::bind(config).await?;
    let addr = server.local_addr().map_err(|source| ServeError::Bind {
        addr: server.state.config.listen,
        source,
    })?;
    let state = server.state();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let handle = tokio::spawn(server.run(async move {
        let _ = rx.await;
    }));
    Ok(Running {
        addr,
        state,
        stop: Some(tx),
        handle,
    })
}

fn text(status: StatusCode, content_type: &'static str, body: String) -> Response<ProxyBody> {
    let mut r = Response::new(ProxyBody::full(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(content_type),
    );
    r
}

fn json(v: &serde_json::Value) -> Response<ProxyBody> {
    text(
        StatusCode::OK,
        "application/json; charset=utf-8",
        serde_json::to_string_pretty(v).unwrap_or_default() + "\n",
    )
}

/// The credentials of a `Bearer` authorization (the scheme in any case, RFC 9110 11.1).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, rest) = value.trim_start().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(rest)
}

fn presented_key(headers: &http::HeaderMap) -> Option<&str> {
    headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer)
        .or_else(|| headers.get("x-api-key").and_then(|v| v.to_str().ok()))
        .map(str::trim)
}

/// `host[:port]` split into the host (as written) and the port (`None` when absent; `Err`
/// when it does not parse).
fn split_authority(authority: &str) -> Result<(&str, Option<u16>), ()> {
    let a = authority.trim();
    let (host, port) = if let Some(rest) = a.strip_prefix('[') {
        let end = rest.find(']').ok_or(())?;
        let host = &a[..end + 2];
        match &rest[end + 1..] {
            "" => (host, None),
            p => (host, Some(p.strip_prefix(':').ok_or(())?)),
        }
    } else {
        match a.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (a, None),
        }
    };
    let port = match port {
        Some(p) => Some(p.parse::<u16>().map_err(|_| ())?),
        None => None,
    };
    Ok((host, port))
}

/// Whether `authority` names this listener: a loopback name or the listen address, with
/// the listener's port (absent only when that is 80).
fn names_listener(st: &AppState, authority: &str) -> bool {
    let Ok((host, port)) = split_authority(authority) else {
        return false;
    };
    if port.unwrap_or(80) != st.port {
        return false;
    }
    // Host names compare case-insensitively; the listen address is written in lowercase.
    if ["localhost", "127.0.0.1", "[::1]"]
        .iter()
        .any(|n| host.eq_ignore_ascii_case(n))
    {
        return true;
    }
    let own = match st.config.listen.ip() {
        std::net::IpAddr::V6(v6) => format!("[{v6}]"),
        v4 => v4.to_string(),
    };
    host.eq_ignore_ascii_case(&own)
}

/// Whether a request carrying `Origin: origin` may be served: the listener's own origin or
/// one the configuration allows.
fn origin_allowed(st: &AppState, origin: &str) -> bool {
    let o = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    if st.config.allowed_origins.contains(&o) {
        return true;
    }
    o.strip_prefix("http://")
        .is_some_and(|authority| names_listener(st, authority))
}

/// The door's checks (see the module docs): `Some(error)` refuses the request.
fn refused(st: &AppState, req: &Request<Incoming>) -> Option<Synthetic> {
    let headers = req.headers();
    if st.client_key_digest.is_none() {
        let host_ok = headers
            .get(http::header::HOST)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|h| names_listener(st, h));
        let target_ok = req
            .uri()
            .authority()
            .is_none_or(|a| names_listener(st, a.as_str()));
        if !host_ok || !target_ok {
            return Some(Synthetic::MisdirectedHost);
        }
    }
    if let Some(origin) = headers.get(http::header::ORIGIN) {
        let ok = origin.to_str().is_ok_and(|o| origin_allowed(st, o));
        if !ok {
            return Some(Synthetic::ForbiddenOrigin);
        }
    }
    None
}

/// Whether the request declares a JSON body (`application/json`, parameters allowed).
fn declares_json(headers: &http::HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
}

fn authorized(st: &AppState, headers: &http::HeaderMap) -> bool {
    let Some(expected) = &st.client_key_digest else {
        return true;
    };
    let Some(key) = presented_key(headers) else {
        return false;
    };
    digest(key).ct_eq(expected).into()
}

async fn route(st: Arc<AppState>, req: Request<Incoming>) -> Response<ProxyBody> {
    if let Some(s) = refused(&st, &req) {
        return synthetic_response(&s);
    }
    let path = req.uri().path().trim_end_matches('/');
    if path == "/healthz" {
        return text(StatusCode::OK, "text/plain; charset=utf-8", "ok\n".into());
    }
    if !authorized(&st, req.headers()) {
        return synthetic_response(&Synthetic::UnauthorizedClient);
    }
    if req.method() == Method::POST {
        match path {
            "/v1/responses" | "/responses" => return responses(st, req, false).await,
            "/v1/chat/completions" | "/chat/completions" => return responses(st, req, true).await,
            _ => {}
        }
    }
    let path = path.to_string();
    match (path.as_str(), req.method().clone()) {
        ("/v1/models" | "/models", Method::GET) => models(&st).await,
        (OPENCODE_MODELS_PATH, Method::GET) => opencode_models(&st).await,
        ("/status", Method::GET) => json(&crate::status::status_json(&st)),
        ("/metrics", Method::GET) => text(
            StatusCode::OK,
            "text/plain; version=0.0.4; charset=utf-8",
            st.metrics.render(),
        ),
        (
            "/v1/responses"
            | "/responses"
            | "/v1/chat/completions"
            | "/chat/completions"
            | "/v1/models"
            | "/models"
            | OPENCODE_MODELS_PATH
            | "/status"
            | "/metrics",
            _,
        ) => synthetic_response(&Synthetic::MethodNotAllowed),
        _ => synthetic_response(&Synthetic::NotFound),
    }
}

/// `GET /v1/models`: the catalog of the account requests would use now (the active one,
/// else the first enabled one), refreshed from upstream when stale (see [`crate::catalog`]),
/// merged with the shared GitHub snapshot.
async fn models(st: &AppState) -> Response<ProxyBody> {
    let account_id = st.sync_catalog().await;
    json(&models_response(&cached_models(
        &st.config.cache_dir,
        account_id.as_deref(),
    )))
}

/// Where the OpenCode bridge asks for the `models` block of the provider it points at the
/// proxy.
pub const OPENCODE_MODELS_PATH: &str = "/codex-kit/opencode-models";

/// `GET /codex-kit/opencode-models`: `{"models": {...}}`, OpenCode's model blocks for the
/// catalog of the account requests would use now (synced as for `/v1/models`), each with
/// the request settings as model and variant options ([`crate::opencode::provider_models`]).
async fn opencode_models(st: &AppState) -> Response<ProxyBody> {
    let account_id = st.sync_catalog().await;
    let catalog = cached_models(&st.config.cache_dir, account_id.as_deref());
    let slugs = crate::models::model_slugs(&st.config.cache_dir, account_id.as_deref());
    json(&serde_json::json!({
        "models": crate::opencode::provider_models(&st.config, &slugs, &catalog)
    }))
}

/// A Responses POST, or with `chat` a Chat Completions POST (converted by [`crate::chat`]).
async fn responses(st: Arc<AppState>, req: Request<Incoming>, chat: bool) -> Response<ProxyBody> {
    if !declares_json(req.headers()) {
        return synthetic_response(&Synthetic::UnsupportedMediaType);
    }
    let guard = st.metrics.inflight();
    let (parts, body) = req.into_parts();
    let (bytes, _held) = match read_body(&st, &parts.headers, body).await {
        Ok(x) => x,
        Err(s) => {
            let mut r = synthetic_response(&s);
            if matches!(s, Synthetic::RequestTimeout | Synthetic::MalformedRequest) {
                // The rest of the body is not read: the connection cannot be reused.
                r.headers_mut().insert(
                    http::header::CONNECTION,
                    http::HeaderValue::from_static("close"),
                );
            }
            return r;
        }
    };
    if chat {
        return crate::chat::handle(st, &parts.headers, bytes, guard).await;
    }
    let shaped = shape_with(
        &parts.headers,
        bytes,
        &st.config.request_settings,
        &st.agents,
    );
    crate::orchestrator::handle(st.clone(), shaped, guard).await
}

/// A share of the global cap on request bytes, given back on drop.
struct Held {
    total: Arc<AtomicUsize>,
    bytes: usize,
}

impl Held {
    /// Takes `more` bytes of `cap`, or refuses.
    fn grow(&mut self, more: usize, cap: usize) -> Result<(), Synthetic> {
        let before = self.total.fetch_add(more, Ordering::AcqRel);
        if before.saturating_add(more) > cap {
            self.total.fetch_sub(more, Ordering::AcqRel);
            return Err(Synthetic::ProxyBusy);
        }
        self.bytes += more;
        Ok(())
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.total.fetch_sub(self.bytes, Ordering::AcqRel);
    }
}

/// Reads a request body within the per-request limit, the global cap and the body
/// timeouts. The returned share of the cap is held until the request is answered.
async fn read_body(
    st: &AppState,
    headers: &http::HeaderMap,
    mut body: Incoming,
) -> Result<(bytes::Bytes, Held), Synthetic> {
    let limit = st.config.max_body_bytes;
    let cap = st.config.max_buffered_bytes;
    let declared = headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(Synthetic::RequestTooLarge { limit });
    }
    let mut held = Held {
        total: st.buffered.clone(),
        bytes: 0,
    };
    // A declared length is reserved before anything is read.
    if let Some(n) = declared {
        held.grow(n, cap)?;
    }
    let total_deadline = tokio::time::Instant::now() + st.config.body_total_timeout;
    let mut first: Option<bytes::Bytes> = None;
    let mut rest: Option<bytes::BytesMut> = None;
    let mut size = 0usize;
    loop {
        let idle_deadline = tokio::time::Instant::now() + st.config.body_idle_timeout;
        let frame =
            match tokio::time::timeout_at(idle_deadline.min(total_deadline), body.frame()).await {
                Err(_) => return Err(Synthetic::RequestTimeout),
                Ok(None) => break,
                Ok(Some(Err(e))) => {
                    tracing::debug!(error = %e, "request body could not be read");
                    return Err(Synthetic::MalformedRequest);
                }
                Ok(Some(Ok(f))) => f,
            };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        size += data.len();
        if size > limit {
            return Err(Synthetic::RequestTooLarge { limit });
        }
        if size > held.bytes {
            held.grow(size - held.bytes, cap)?;
        }
        match (&mut first, &mut rest) {
            (None, _) => first = Some(data),
            (Some(f), None) => {
                let mut m = bytes::BytesMut::with_capacity(declared.unwrap_or(0).max(size));
                m.extend_from_slice(f);
                m.extend_from_slice(&data);
                rest = Some(m);
            }
            (Some(_), Some(m)) => m.extend_from_slice(&data),
        }
    }
    let bytes = match (first, rest) {
        (_, Some(m)) => m.freeze(),
        (Some(f), None) => f,
        (None, None) => bytes::Bytes::new(),
    };
    Ok((bytes, held))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_use_addresses_listen_accepts() {
        let busy = std::io::Error::from(std::io::ErrorKind::AddrInUse);
        let v6 = bind_hint("[::1]:4000".parse().expect("addr"), &busy);
        assert!(v6.contains("--listen [::1]:<port>"), "{v6}");
        let v4 = bind_hint("127.0.0.1:4000".parse().expect("addr"), &busy);
        assert!(v4.contains("--listen 127.0.0.1:<port>"), "{v4}");
        assert!(v4.contains("port 4000"), "{v4}");
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let low = bind_hint("[::1]:80".parse().expect("addr"), &denied);
        assert!(low.contains("--listen [::1]:11455"), "{low}");
        // Every suggested address parses as `--listen` does.
        for hint in [v6, v4, low] {
            for part in hint.split('`').filter(|p| p.starts_with("--listen ")) {
                let a = part
                    .trim_start_matches("--listen ")
                    .replace("<port>", "4001");
                assert!(a.parse::<SocketAddr>().is_ok(), "{a}");
            }
        }
    }
}
