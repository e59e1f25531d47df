//! The connection pool for the proxy's hot path: the Responses POST to the Codex backend.
//!
//! A plain hyper client (HTTP/1.1, keep-alive pool, TLS by rustls for an `https://`
//! upstream) with nothing per request but the request itself: no redirect following (the
//! orchestrator applies the plugin's redirect policy, under which a POST is never
//! redirected), no retry layer (hyper only resends a request that a pooled connection
//! closed before it was written), no URL parsing (the target URI and the `Host` value are
//! built once, here). Server certificates are checked against the webpki roots, plus the
//! extra CA of `--upstream-ca-file` when one is given (it adds a root; verification stays
//! on). A system proxy (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY` as resolved in
//! [`crate::config`]) is reached with an HTTP `CONNECT` tunnel, TLS running through it.
//! The background GETs and the token refresh use the reqwest client in [`crate::shared`].

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, Response, Uri};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

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

/// Why an upstream request failed before its response headers.
pub type SendError = hyper_util::client::legacy::Error;

/// An error with its causes (`client error (Connect): tcp connect error: …`); no URL is in
/// any of them.
pub fn describe(e: &SendError) -> String {
    let mut out = e.to_string();
    let mut cause = std::error::Error::source(e);
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
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

type Direct = Client<HttpsConnector<HttpConnector>, Full<Bytes>>;
type Tunneled = Client<HttpsConnector<Tunnel<HttpConnector>>, Full<Bytes>>;

enum Pool {
    Direct(Direct),
    Tunneled(Tunneled),
}

/// The pool and the one request target it serves.
pub struct Upstream {
    pool: Pool,
    uri: Uri,
    host: HeaderValue,
}

impl std::fmt::Debug for Upstream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upstream")
            .field("host", &self.host)
            .field("tunneled", &matches!(self.pool, Pool::Tunneled(_)))
            .finish()
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
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(Duration::from_secs(10)));
        let mut builder = Client::builder(TokioExecutor::new());
        builder
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .pool_max_idle_per_host(512)
            .pool_idle_timeout(Duration::from_secs(90))
            // `Host` is set from the value built above.
            .set_host(false);
        let https = || {
            hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config(tls.clone())
                .https_or_http()
                .enable_http1()
        };
        let pool = match proxy {
            None => Pool::Direct(builder.build(https().wrap_connector(http))),
            Some(p) => {
                let mut tunnel = Tunnel::new(p.uri.clone(), http);
                if let Some(auth) = &p.auth {
                    tunnel = tunnel.with_auth(auth.expose().clone());
                }
                Pool::Tunneled(builder.build(https().wrap_connector(tunnel)))
            }
        };
        Ok(Upstream { pool, uri, host })
    }

    /// Whether requests go through a proxy tunnel.
    pub fn tunneled(&self) -> bool {
        matches!(self.pool, Pool::Tunneled(_))
    }

    /// POSTs `body` with `headers` (plus `Host`) to the target.
    pub async fn post(
        &self,
        mut headers: HeaderMap,
        body: Bytes,
    ) -> Result<Response<Incoming>, SendError> {
        headers.insert(http::header::HOST, self.host.clone());
        let mut req = Request::new(Full::new(body));
        *req.method_mut() = Method::POST;
        *req.uri_mut() = self.uri.clone();
        *req.headers_mut() = headers;
        match &self.pool {
            Pool::Direct(c) => c.request(req).await,
            Pool::Tunneled(c) => c.request(req).await,
        }
    }
}
