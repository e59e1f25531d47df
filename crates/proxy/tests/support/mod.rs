//! Test harness: a temp home, a store writer, a mock Codex upstream (real HTTP/1.1 and SSE
//! on 127.0.0.1, port 0) that also serves the OAuth token endpoint, and a proxy under test.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use codex_env::EnvSnapshot;
use codex_proxy::{ProxyConfig, Running, ServeOptions};
use codex_testkit::TempHome;
use http::{HeaderMap, Request, Response, StatusCode};
use http_body::{Body, Frame};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// Unsigned JWTs and the clock, shared with every crate's tests.
pub use codex_testkit::{jwt, now_ms};

/// A [`TempHome`] (paths, store and config files, a child's environment) plus the proxy's
/// helpers: its environment as an [`EnvSnapshot`], a native-domain store, one record.
pub struct Home {
    tmp: TempHome,
}

impl std::ops::Deref for Home {
    type Target = TempHome;
    fn deref(&self) -> &TempHome {
        &self.tmp
    }
}

impl Home {
    pub fn new() -> Home {
        Home {
            tmp: TempHome::new(),
        }
    }

    /// `HOME` and the XDG directories inside the home, as the proxy reads them.
    pub fn env(&self) -> EnvSnapshot {
        EnvSnapshot::from_pairs(self.env_pairs())
    }

    /// Writes a store whose `native` domain holds `native_accounts` and the keys of `extra`.
    pub fn write_native(&self, native_accounts: Value, extra: Value) {
        let mut native = json!({ "accounts": native_accounts });
        if let (Some(n), Some(e)) = (native.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                n.insert(k.clone(), v.clone());
            }
        }
        self.write_store(&json!({ "openai": { "type": "oauth", "native": native } }));
    }

    /// The native domain record with this account id.
    pub fn account(&self, account_id: &str) -> Value {
        self.read_store()["openai"]["native"]["accounts"]
            .as_array()
            .expect("accounts")
            .iter()
            .find(|a| a["accountId"] == account_id)
            .cloned()
            .expect("account present")
    }
}

/// A stored account with a valid access token.
pub fn account(id: &str, email: &str, plan: &str) -> Value {
    json!({
        "accountId": id,
        "email": email,
        "plan": plan,
        "enabled": true,
        "access": format!("at_{id}"),
        "refresh": format!("rt_{id}"),
        "expires": now_ms() + 3_600_000.0,
    })
}

/// A store with `acc_a` (plus) and `acc_b` (plus), `acc_a` active.
pub fn two_accounts(home: &Home) {
    home.write_native(
        json!([
            account("acc_a", "a@example.com", "plus"),
            account("acc_b", "b@example.com", "plus")
        ]),
        json!({"activeIdentityKey": key("acc_a", "a@example.com", "plus")}),
    );
}

/// A store with the single account `acc_a` (plus).
pub fn one_account(home: &Home) {
    home.write_native(
        json!([account("acc_a", "a@example.com", "plus")]),
        json!({}),
    );
}

/// The identity key of [`account`].
pub fn key(id: &str, email: &str, plan: &str) -> String {
    format!("{id}|{email}|{plan}")
}

/// One request the mock received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn bearer(&self) -> Option<String> {
        self.header("authorization")
            .and_then(|v| v.strip_prefix("Bearer ").map(str::to_string))
    }
}

/// What the mock answers.
pub enum Reply {
    /// Status, headers, body.
    Full(u16, Vec<(String, String)>, Bytes),
    /// An SSE response sent as these chunks, `gap` apart.
    Sse(Vec<(String, String)>, Vec<Bytes>, Duration),
    /// SSE chunks, then the connection is cut.
    SseThenReset(Vec<Bytes>),
    /// SSE chunks forever, one per `gap`, until the client goes away (then `closed` is set).
    Endless(Duration, Arc<AtomicBool>),
    /// No response at all: the connection stays open and silent.
    Hang,
    /// SSE chunks, then silence with the connection open.
    SseThenSilence(Vec<Bytes>),
}

impl Reply {
    pub fn json(status: u16, v: Value) -> Reply {
        Reply::Full(
            status,
            vec![("content-type".into(), "application/json".into())],
            Bytes::from(v.to_string()),
        )
    }

    pub fn with_headers(status: u16, headers: &[(&str, &str)], v: Value) -> Reply {
        let mut h: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        h.push(("content-type".into(), "application/json".into()));
        Reply::Full(status, h, Bytes::from(v.to_string()))
    }

    pub fn sse(chunks: Vec<Bytes>) -> Reply {
        Reply::Sse(Vec::new(), chunks, Duration::ZERO)
    }
}

/// A successful token response.
pub fn token_reply(access: &str, refresh: &str) -> Reply {
    Reply::json(
        200,
        json!({"access_token": access, "refresh_token": refresh, "expires_in": 3600}),
    )
}

/// SSE events of a normal response with `text`.
pub fn sse_events(text: &str) -> Vec<Bytes> {
    let ev = |v: Value| {
        Bytes::from(format!(
            "event: {}\ndata: {}\n\n",
            v["type"].as_str().unwrap_or(""),
            v
        ))
    };
    vec![
        ev(
            json!({"type": "response.created", "response": {"id": "resp_1", "status": "in_progress"}}),
        ),
        ev(json!({"type": "response.in_progress", "response": {"id": "resp_1"}})),
        ev(
            json!({"type": "response.output_item.added", "output_index": 0, "item": {"type": "message", "id": "msg_1", "role": "assistant", "content": []}}),
        ),
        ev(
            json!({"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": text}),
        ),
        ev(
            json!({"type": "response.completed", "response": {"id": "resp_1", "status": "completed"}}),
        ),
    ]
}

/// An SSE stream that opens with an error event.
pub fn sse_error(code: &str, extra: Value) -> Vec<Bytes> {
    let mut err = json!({"type": code, "code": code, "message": format!("{code} happened")});
    if let (Some(e), Some(x)) = (err.as_object_mut(), extra.as_object()) {
        for (k, v) in x {
            e.insert(k.clone(), v.clone());
        }
    }
    vec![
        Bytes::from(format!(
            "event: response.created\ndata: {}\n\n",
            json!({"type": "response.created", "response": {"id": "resp_x"}})
        )),
        Bytes::from(format!(
            "event: response.failed\ndata: {}\n\n",
            json!({"type": "response.failed", "response": {"id": "resp_x", "status": "failed", "error": err}})
        )),
    ]
}

type Handler = Arc<dyn Fn(&Recorded, usize) -> Reply + Send + Sync>;

/// The mock server.
pub struct Mock {
    pub addr: SocketAddr,
    /// `http` or `https` (see [`mock_tls`]).
    pub scheme: &'static str,
    pub requests: Arc<Mutex<Vec<Recorded>>>,
    pub count: Arc<AtomicUsize>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Mock {
    pub fn base(&self) -> String {
        format!("{}://{}", self.scheme, self.addr)
    }

    pub fn upstream(&self) -> String {
        format!("{}/backend-api/codex", self.base())
    }

    pub fn recorded(&self) -> Vec<Recorded> {
        self.requests.lock().expect("lock").clone()
    }

    pub fn responses(&self) -> Vec<Recorded> {
        self.recorded()
            .into_iter()
            .filter(|r| r.path.ends_with("/responses"))
            .collect()
    }

    pub fn usage_calls(&self) -> Vec<Recorded> {
        self.recorded()
            .into_iter()
            .filter(|r| r.path.ends_with("/wham/usage"))
            .collect()
    }

    pub fn catalog_calls(&self) -> Vec<Recorded> {
        self.recorded()
            .into_iter()
            .filter(|r| r.path.ends_with("/models"))
            .collect()
    }

    pub fn token_calls(&self) -> Vec<Recorded> {
        self.recorded()
            .into_iter()
            .filter(|r| r.path == "/oauth/token")
            .collect()
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

/// A streaming mock body.
pub struct MockBody {
    queue: VecDeque<Bytes>,
    rx: Option<mpsc::Receiver<Result<Bytes, std::io::Error>>>,
}

impl Body for MockBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        if let Some(b) = self.queue.pop_front() {
            return Poll::Ready(Some(Ok(Frame::data(b))));
        }
        match self.rx.as_mut() {
            None => Poll::Ready(None),
            Some(rx) => match rx.poll_recv(cx) {
                Poll::Ready(Some(Ok(b))) => Poll::Ready(Some(Ok(Frame::data(b)))),
                Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
                Poll::Ready(None) => Poll::Ready(None),
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

fn respond(reply: Reply) -> Response<MockBody> {
    let (status, headers, body) = match reply {
        Reply::Hang => (
            500,
            Vec::new(),
            MockBody {
                queue: VecDeque::new(),
                rx: None,
            },
        ),
        Reply::SseThenSilence(chunks) => {
            let (tx, rx) = mpsc::channel(1);
            tokio::spawn(async move {
                let _open = tx;
                std::future::pending::<()>().await;
            });
            (
                200,
                vec![("content-type".into(), "text/event-stream".into())],
                MockBody {
                    queue: chunks.into(),
                    rx: Some(rx),
                },
            )
        }
        Reply::Full(status, headers, body) => (
            status,
            headers,
            MockBody {
                queue: VecDeque::from([body]),
                rx: None,
            },
        ),
        Reply::Sse(mut headers, chunks, gap) => {
            headers.push(("content-type".into(), "text/event-stream".into()));
            let (tx, rx) = mpsc::channel(4);
            tokio::spawn(async move {
                for c in chunks {
                    if !gap.is_zero() {
                        tokio::time::sleep(gap).await;
                    }
                    if tx.send(Ok(c)).await.is_err() {
                        return;
                    }
                }
            });
            (
                200,
                headers,
                MockBody {
                    queue: VecDeque::new(),
                    rx: Some(rx),
                },
            )
        }
        Reply::SseThenReset(chunks) => {
            let (tx, rx) = mpsc::channel(1);
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                let _ = tx
                    .send(Err(std::io::Error::other("mock connection reset")))
                    .await;
            });
            (
                200,
                vec![("content-type".into(), "text/event-stream".into())],
                MockBody {
                    queue: chunks.into(),
                    rx: Some(rx),
                },
            )
        }
        Reply::Endless(gap, closed) => {
            let (tx, rx) = mpsc::channel(1);
            tokio::spawn(async move {
                let mut i = 0u64;
                loop {
                    let ev = if i == 0 {
                        json!({"type": "response.output_item.added", "item": {"type": "message"}})
                    } else {
                        json!({"type": "response.output_text.delta", "delta": format!("tick {i} ")})
                    };
                    let chunk = Bytes::from(format!("data: {ev}\n\n"));
                    if tx.send(Ok(chunk)).await.is_err() {
                        closed.store(true, Ordering::SeqCst);
                        return;
                    }
                    i += 1;
                    tokio::time::sleep(gap).await;
                }
            });
            (
                200,
                vec![("content-type".into(), "text/event-stream".into())],
                MockBody {
                    queue: VecDeque::new(),
                    rx: Some(rx),
                },
            )
        }
    };
    let mut r = Response::new(body);
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (
            http::HeaderName::from_bytes(k.as_bytes()),
            http::HeaderValue::from_str(&v),
        ) {
            r.headers_mut().append(k, v);
        }
    }
    r
}

/// Which counter a request's index comes from: the token endpoint, Responses, or anything
/// else (catalog, usage), so background polls do not shift the Responses index.
fn path_kind(path: &str) -> u8 {
    if path == "/oauth/token" {
        0
    } else if path.ends_with("/responses") {
        1
    } else {
        2
    }
}

/// Starts a mock; `handler(request, n)` gets the 0-based index among requests of that path
/// kind (responses, token, or other).
pub async fn mock(handler: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static) -> Mock {
    mock_with(None, handler).await
}

/// The test CA (`tests/fixtures/tls/ca.pem`) that signed the mock's certificate for
/// `127.0.0.1` and `localhost`.
pub fn test_ca_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls/ca.pem")
}

/// TLS settings of the https mock: the loopback certificate signed by the test CA.
fn tls_acceptor() -> tokio_rustls::TlsAcceptor {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
    let certs = CertificateDer::pem_file_iter(dir.join("localhost.pem"))
        .expect("cert")
        .collect::<Result<Vec<_>, _>>()
        .expect("cert pem");
    let key = PrivateKeyDer::from_pem_file(dir.join("localhost.key")).expect("key");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server config");
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

/// [`mock`] over TLS (`https://127.0.0.1:PORT`, a certificate of [`test_ca_file`]).
pub async fn mock_tls(handler: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static) -> Mock {
    mock_with(Some(tls_acceptor()), handler).await
}

async fn mock_with(
    tls: Option<tokio_rustls::TlsAcceptor>,
    handler: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
) -> Mock {
    let scheme = if tls.is_some() { "https" } else { "http" };
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind mock");
    let addr = listener.local_addr().expect("addr");
    let requests: Arc<Mutex<Vec<Recorded>>> = Arc::default();
    let count = Arc::new(AtomicUsize::new(0));
    let handler: Handler = Arc::new(handler);
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let reqs = requests.clone();
    let cnt = count.clone();
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                a = listener.accept() => a,
                _ = &mut stopped => return,
            };
            let Ok((stream, _)) = accepted else { continue };
            let reqs = reqs.clone();
            let cnt = cnt.clone();
            let handler = handler.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<Incoming>| {
                    let reqs = reqs.clone();
                    let cnt = cnt.clone();
                    let handler = handler.clone();
                    async move {
                        let (parts, body) = req.into_parts();
                        let body = body
                            .collect()
                            .await
                            .map(|c| c.to_bytes())
                            .unwrap_or_default();
                        let rec = Recorded {
                            method: parts.method.to_string(),
                            path: parts.uri.path().to_string(),
                            query: parts.uri.query().map(str::to_string),
                            headers: parts.headers,
                            body,
                        };
                        let n = {
                            let mut all = reqs.lock().expect("lock");
                            let kind = path_kind(&rec.path);
                            let n = all.iter().filter(|r| path_kind(&r.path) == kind).count();
                            all.push(rec.clone());
                            n
                        };
                        cnt.fetch_add(1, Ordering::SeqCst);
                        let reply = handler(&rec, n);
                        if matches!(reply, Reply::Hang) {
                            std::future::pending::<()>().await;
                        }
                        Ok::<_, Infallible>(respond(reply))
                    }
                });
                let http = hyper::server::conn::http1::Builder::new();
                match tls {
                    None => {
                        let _ = http.serve_connection(TokioIo::new(stream), svc).await;
                    }
                    Some(acceptor) => {
                        // A refused handshake (an unknown CA) ends the connection here.
                        let Ok(stream) = acceptor.accept(stream).await else {
                            return;
                        };
                        let _ = http.serve_connection(TokioIo::new(stream), svc).await;
                    }
                }
            });
        }
    });
    Mock {
        addr,
        scheme,
        requests,
        count,
        stop: Some(stop),
    }
}

/// A mock where requests with account `acc_a`'s token get `for_a()` and every other
/// request a stream saying `others`.
pub async fn mock_failing_a(
    for_a: impl Fn() -> Reply + Send + Sync + 'static,
    others: &'static str,
) -> Mock {
    mock(move |req, _| {
        if req.bearer().as_deref() == Some("at_acc_a") {
            for_a()
        } else {
            Reply::sse(sse_events(others))
        }
    })
    .await
}

/// Proxy settings for a home and a mock.
pub fn proxy_config(
    home: &Home,
    mock: &Mock,
    tweak: impl FnOnce(&mut ServeOptions),
) -> ProxyConfig {
    let mut opts = ServeOptions {
        listen: Some("127.0.0.1:0".parse().expect("addr")),
        upstream: Some(mock.upstream()),
        issuer: Some(mock.base()),
        ..ServeOptions::default()
    };
    tweak(&mut opts);
    let mut c = ProxyConfig::resolve(&home.env(), &home.home(), &opts).expect("config");
    c.persist_interval = Duration::from_millis(20);
    c.drain_timeout = Duration::from_secs(5);
    c
}

/// Starts a proxy.
pub async fn proxy(home: &Home, mock: &Mock) -> Running {
    codex_proxy::start(proxy_config(home, mock, |_| {}))
        .await
        .expect("start proxy")
}

/// A reqwest client without proxies.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

/// An OpenCode-shaped request body.
pub fn opencode_body() -> Value {
    json!({
        "model": "gpt-5.4",
        "input": [
            {"role": "system", "content": "You are OpenCode."},
            {"role": "user", "content": [{"type": "input_text", "text": "say hi"}]}
        ],
        "max_output_tokens": 32000,
        "store": false,
        "stream": true,
        "prompt_cache_key": "ses_abc",
        "reasoning": {"effort": "medium", "summary": "auto"},
        "tools": []
    })
}

/// POSTs `body` to the proxy's `/v1/responses`.
pub async fn post(run: &Running, body: &Value) -> reqwest::Response {
    client()
        .post(format!("{}/v1/responses", run.base_url()))
        .header("authorization", "Bearer dummy-client-key")
        .header("x-session-id", "ses_test")
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("proxy answered")
}

/// The JSON body of a response.
/// `GET <proxy><path>` as text.
pub async fn get_text(run: &Running, path: &str) -> String {
    client()
        .get(format!("{}{path}", run.base_url()))
        .send()
        .await
        .expect("answer")
        .text()
        .await
        .expect("text")
}

/// `GET <proxy><path>` as JSON.
pub async fn get_json(run: &Running, path: &str) -> Value {
    serde_json::from_str(&get_text(run, path).await).expect("json")
}

/// The proxy's `/metrics` text.
pub async fn metrics_text(run: &Running) -> String {
    get_text(run, "/metrics").await
}

pub async fn body_json(r: reqwest::Response) -> Value {
    let t = r.text().await.expect("body");
    serde_json::from_str(&t).unwrap_or_else(|_| panic!("not JSON: {t}"))
}

/// Writes `request` to the proxy on a fresh connection and returns everything it answers
/// until it closes the connection (or 20 s pass).
pub async fn raw_exchange(addr: SocketAddr, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    s.write_all(request).await.expect("write");
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

/// The `cooldownUntil` of the account with this id once it reaches the store (cooldowns
/// are persisted in the background), polled for up to 20 s.
pub async fn persisted_cooldown(home: &Home, account_id: &str) -> f64 {
    let mut found = None;
    eventually(Duration::from_secs(20), || {
        found = home.account(account_id)["cooldownUntil"].as_f64();
        found.is_some()
    })
    .await;
    found.unwrap_or_else(|| panic!("no cooldown persisted for {account_id}"))
}

/// Polls `f` until it is true or `timeout` passes.
pub async fn eventually(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if f() {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
