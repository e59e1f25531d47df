//! The connection pool of the proxy's hot path: the Responses POST to the Codex backend.
//!
//! HTTP/1.1 keep-alive connections made by hyper's connection API (TLS by rustls for an
//! `https://` upstream), kept in a small pool of our own so that no connection has a task
//! of its own: the request's task drives its connection while it waits for the response
//! head and while it reads the body ([`UpstreamBody`]), so each chunk goes from the socket
//! to the client in one task, without a channel between two. Nothing else runs per
//! request: no redirect following (the orchestrator applies the plugin's redirect policy,
//! under which a POST is never redirected), no retry layer (only a request not yet written
//! on a pooled connection that the upstream had closed goes out on another one), no URL
//! parsing (the request target and `Host` are built once, here). A body read to its end
//! gives its connection back to the pool (at most 512 idle, each for 90 s); a body dropped
//! early closes it; idle connections the upstream closed are dropped within seconds
//! ([`Upstream::prune`]).
//!
//! Server certificates are checked against the webpki roots, plus the extra CA of
//! `--upstream-ca-file` when one is given (it adds a root; verification stays on). A system
//! proxy (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY` as resolved in [`crate::config`]) is
//! reached with an HTTP `CONNECT` tunnel, TLS running through it. The background GETs and
//! the token refresh use the reqwest client in [`crate::shared`].

use std::collections::VecDeque;
use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, Uri};
use http_body::Body;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::client::conn::http1;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use tower_service::Service;

use crate::config::UpstreamProxy;

/// Why the upstream client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// The extra CA file cannot be used.
    #[error("cannot use {path} as an upstream CA: {reason}; give a PEM file with at least one CERTIFICATE block (--upstream-ca-file or CODEX_RUNTIME_UPSTREAM_CA_FILE)")]
    CaFile {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        reason: String,
    },
    /// The TLS settings were refused.
    #[error("cannot set up TLS for the upstream: {0}")]
    Tls(String),
    /// The upstream URL is not a valid request target.
    #[error("the upstream URL is not a valid request target: {0}")]
    Uri(String),
}

/// The extra root certificates in a PEM file.
pub fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, UpstreamError> {
    let bad = |reason: String| UpstreamError::CaFile {
        path: path.to_path_buf(),
        reason,
    };
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| bad(e.to_string()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| bad(e.to_string()))?;
    if certs.is_empty() {
        return Err(bad("it holds no certificate".into()));
    }
    Ok(certs)
}

/// The TLS client settings: webpki roots plus `extra`.
pub fn tls_config(
    extra: &[CertificateDer<'static>],
) -> Result<rustls::ClientConfig, UpstreamError> {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for cert in extra {
        roots
            .add(cert.clone())
            .map_err(|e| UpstreamError::Tls(format!("the extra CA is not usable: {e}")))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| UpstreamError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

type Io = hyper_rustls::MaybeHttpsStream<TokioIo<tokio::net::TcpStream>>;
type Sender = http1::SendRequest<Full<Bytes>>;
type Conn = http1::Connection<Io, Full<Bytes>>;

/// How long an unused connection is kept.
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// Unused connections kept at most.
const MAX_IDLE: usize = 512;

/// One upstream connection: the request side and the connection itself, which the task
/// using it polls (no task of its own).
struct Pooled {
    send: Sender,
    conn: Pin<Box<Conn>>,
    /// The connection future finished: the connection is closed.
    closed: bool,
    /// When it was put back into the pool.
    since: Instant,
}

/// Polls a connection (its reads and writes) once; `closed` once it has finished.
fn poll_conn(conn: &mut Pin<Box<Conn>>, closed: &mut bool, cx: &mut Context<'_>) {
    if !*closed && conn.as_mut().poll(cx).is_ready() {
        *closed = true;
    }
}

impl Pooled {
    fn poll_conn(&mut self, cx: &mut Context<'_>) {
        poll_conn(&mut self.conn, &mut self.closed, cx);
    }
}

/// The connection closed while a future waited on it.
struct Closed;

/// Runs `fut` while driving the connection in the same task; `Err(Closed)` when the
/// connection ends first (the future then never completes).
async fn drive<F: Future>(
    conn: &mut Pin<Box<Conn>>,
    closed: &mut bool,
    fut: F,
) -> Result<F::Output, Closed> {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(|cx| {
        poll_conn(conn, closed, cx);
        match fut.as_mut().poll(cx) {
            Poll::Ready(out) => Poll::Ready(Ok(out)),
            Poll::Pending if *closed => Poll::Ready(Err(Closed)),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

enum Connector {
    Direct(HttpsConnector<HttpConnector>),
    Tunneled(HttpsConnector<Tunnel<HttpConnector>>),
}

/// Opens a connection to `target` through either connector (direct or tunneled).
async fn open<C>(mut c: C, target: Uri) -> Result<C::Response, SendError>
where
    C: Service<Uri>,
    C::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let connect = |e: C::Error| {
        let e: Box<dyn std::error::Error + Send + Sync> = e.into();
        SendError::Connect(chain(&*e))
    };
    std::future::poll_fn(|cx| c.poll_ready(cx))
        .await
        .map_err(connect)?;
    c.call(target).await.map_err(connect)
}

/// Idle connections, oldest first.
type Idle = Arc<Mutex<VecDeque<Pooled>>>;

fn lock(idle: &Idle) -> std::sync::MutexGuard<'_, VecDeque<Pooled>> {
    idle.lock().unwrap_or_else(|p| p.into_inner())
}

/// The pool and the one request target it serves.
pub struct Upstream {
    connector: Connector,
    idle: Idle,
    /// Scheme and authority, for the connector.
    target: Uri,
    /// The request target in origin form (`/backend-api/codex/responses`).
    path: Uri,
    host: HeaderValue,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("host", &self.host)
            .field("tunneled", &self.tunneled())
            .finish()
    }
}

/// Why an upstream request failed before its response headers.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// No connection could be made (TCP, proxy tunnel, TLS).
    #[error("cannot connect: {0}")]
    Connect(String),
    /// The exchange failed.
    #[error("{0}")]
    Http(#[from] hyper::Error),
    /// The connection closed before the response headers.
    #[error("the connection closed before the response headers")]
    Closed,
}

/// Why an upstream body ended early.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    /// The exchange failed.
    #[error("{0}")]
    Http(#[from] hyper::Error),
    /// The connection closed with the body unfinished.
    #[error("the connection closed before the body ended")]
    Closed,
}

/// An error with its causes (`cannot connect: …: invalid peer certificate …`); no URL is in
/// any of them.
pub fn describe(e: &SendError) -> String {
    chain(e)
}

fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}

/// An upstream response body. It drives its connection as it is read, and puts the
/// connection back into the pool once the body has ended (dropped earlier, the connection is
/// closed).
pub struct UpstreamBody {
    incoming: Incoming,
    conn: Option<Pooled>,
    idle: Idle,
}

impl futures_util::Stream for UpstreamBody {
    type Item = Result<Bytes, BodyError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if let Some(c) = this.conn.as_mut() {
            c.poll_conn(cx);
        }
        loop {
            match Pin::new(&mut this.incoming).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    if let Ok(data) = frame.into_data() {
                        return Poll::Ready(Some(Ok(data)));
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    this.conn = None;
                    return Poll::Ready(Some(Err(e.into())));
                }
                Poll::Ready(None) => {
                    if let Some(mut c) = this.conn.take() {
                        // One more turn lets the connection finish the exchange.
                        c.poll_conn(cx);
                        if !c.closed {
                            c.since = Instant::now();
                            let mut idle = lock(&this.idle);
                            if idle.len() < MAX_IDLE {
                                idle.push_back(c);
                            }
                        }
                    }
                    return Poll::Ready(None);
                }
                Poll::Pending => {
                    // A finished connection feeds the body no more.
                    if this.conn.as_ref().is_some_and(|c| c.closed) {
                        this.conn = None;
                        return Poll::Ready(Some(Err(BodyError::Closed)));
                    }
                    return Poll::Pending;
                }
            }
        }
    }
}

impl Upstream {
    /// A pool for requests to `target` (`<upstream>/responses`, without credentials),
    /// through `proxy` when one applies.
    pub fn new(
        target: &str,
        tls: rustls::ClientConfig,
        proxy: Option<&UpstreamProxy>,
    ) -> Result<Upstream, UpstreamError> {
        let uri: Uri = target
            .parse()
            .map_err(|e: http::uri::InvalidUri| UpstreamError::Uri(e.to_string()))?;
        let authority = uri
            .authority()
            .ok_or_else(|| UpstreamError::Uri("no host".into()))?;
        // `Host` as a client sends it: the port only when it is not the scheme's default.
        let default_port = if uri.scheme_str() == Some("https") {
            443
        } else {
            80
        };
        let host_text = match authority.port_u16() {
            Some(p) if p != default_port => authority.as_str().to_string(),
            _ => authority.host().to_string(),
        };
        let host =
            HeaderValue::from_str(&host_text).map_err(|e| UpstreamError::Uri(e.to_string()))?;
        let path: Uri = uri
            .path_and_query()
            .map_or("/", |p| p.as_str())
            .parse()
            .map_err(|e: http::uri::InvalidUri| UpstreamError::Uri(e.to_string()))?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(Duration::from_secs(10)));
        let https = || {
            hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config(tls.clone())
                .https_or_http()
                .enable_http1()
        };
        let connector = match proxy {
            None => Connector::Direct(https().wrap_connector(http)),
            Some(p) => {
                let mut tunnel = Tunnel::new(p.uri.clone(), http);
                if let Some(auth) = &p.auth {
                    tunnel = tunnel.with_auth(auth.expose().clone());
                }
                Connector::Tunneled(https().wrap_connector(tunnel))
            }
        };
        Ok(Upstream {
            connector,
            idle: Arc::default(),
            target: uri,
            path,
            host,
        })
    }

    /// Whether requests go through a proxy tunnel.
    pub fn tunneled(&self) -> bool {
        matches!(self.connector, Connector::Tunneled(_))
    }

    /// Closes the idle connections that timed out or that the upstream closed (each is
    /// polled once, which reads a pending end of stream). The server calls it every few
    /// seconds, so no idle connection lingers after its peer went away.
    pub fn prune(&self) {
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let mut idle = lock(&self.idle);
        idle.retain_mut(|c| {
            c.poll_conn(&mut cx);
            !c.closed && c.since.elapsed() < IDLE_TIMEOUT
        });
    }

    /// Idle connections now.
    pub fn idle_connections(&self) -> usize {
        lock(&self.idle).len()
    }

    /// The most recently used idle connection that has not timed out.
    fn checkout(&self) -> Option<Pooled> {
        let mut idle = lock(&self.idle);
        while idle
            .front()
            .is_some_and(|c| c.since.elapsed() >= IDLE_TIMEOUT)
        {
            idle.pop_front();
        }
        idle.pop_back()
    }

    async fn connect(&self) -> Result<Pooled, SendError> {
        let io = match &self.connector {
            Connector::Direct(c) => open(c.clone(), self.target.clone()).await?,
            Connector::Tunneled(c) => open(c.clone(), self.target.clone()).await?,
        };
        let (send, conn) = http1::Builder::new().handshake(io).await?;
        Ok(Pooled {
            send,
            conn: Box::pin(conn),
            closed: false,
            since: Instant::now(),
        })
    }

    /// POSTs `body` with `headers` (plus `Host`) to the target: the response head, and the
    /// body, which drives the connection as it is read. A pooled connection found closed,
    /// or closed before the request was written, is replaced by another.
    pub async fn post(
        &self,
        mut headers: HeaderMap,
        body: Bytes,
    ) -> Result<(http::response::Parts, UpstreamBody), SendError> {
        headers.insert(http::header::HOST, self.host.clone());
        let mut req = Request::new(Full::new(body));
        *req.method_mut() = Method::POST;
        *req.uri_mut() = self.path.clone();
        *req.headers_mut() = headers;
        loop {
            let (mut c, reused) = match self.checkout() {
                Some(c) => (c, true),
                None => (self.connect().await?, false),
            };
            match drive(&mut c.conn, &mut c.closed, c.send.ready()).await {
                // Ready, and the connection did not just see the upstream close it.
                Ok(Ok(())) if !c.closed => {}
                // A pooled connection that closed meanwhile: another one.
                _ if reused => continue,
                Ok(Err(e)) => return Err(e.into()),
                Ok(Ok(())) | Err(Closed) => return Err(SendError::Closed),
            }
            let fut = c.send.try_send_request(req);
            let sent = drive(&mut c.conn, &mut c.closed, fut).await;
            match sent {
                Err(Closed) => return Err(SendError::Closed),
                Ok(Ok(resp)) => {
                    let (parts, incoming) = resp.into_parts();
                    return Ok((
                        parts,
                        UpstreamBody {
                            incoming,
                            conn: Some(c),
                            idle: self.idle.clone(),
                        },
                    ));
                }
                Ok(Err(mut e)) => match e.take_message() {
                    // Not written: the connection had closed; another one gets it.
                    Some(r) if reused => req = r,
                    _ => return Err(e.into_error().into()),
                },
            }
        }
    }
}
