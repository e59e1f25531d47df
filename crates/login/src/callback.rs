//! The loopback callback server of the browser flow (reference 9.3).
//!
//! It binds the port on `localhost` (falling back to `127.0.0.1`, then `::1`, only when the
//! address is unavailable; a busy port is not retried and names its holder; the port held
//! by another process on the other loopback address counts as busy too, since a browser may
//! reach `localhost` there), answers loopback
//! peers only (403 otherwise), and serves `/auth/callback` (state check, `error` from the
//! issuer, code exchange, success page or, in codex mode, a redirect to `/success`),
//! `/success`, `/cancel?state=` and 404 for the rest, every answer with the plugin's no-store
//! and no-referrer headers. One flow per server: after a success the state is spent, so a
//! repeated callback is an invalid state. After the success the server keeps answering for
//! the shutdown grace, or until the final page has been served.

use std::collections::HashMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use codex_js::encode_uri_component;
use codex_redact::Secret;
use codex_store::{Domain, LoginTokens};
use serde_json::Value;

use crate::oauth::{Timeouts, CALLBACK_PATH};
use crate::LoginError;

/// Largest request head read.
const MAX_HEAD: usize = 16 * 1024;
/// How long one connection may take to send its request.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Accept polling step.
const POLL: Duration = Duration::from_millis(20);

const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Whether a peer address (Node's `remoteAddress` form, zone suffix allowed) is loopback:
/// `127.*`, `::1` or `::ffff:127.*`.
pub(crate) fn is_loopback_address(addr: Option<&str>) -> bool {
    let Some(a) = addr else {
        return false;
    };
    let a = a.split('%').next().unwrap_or(a);
    match a.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.is_loopback(),
        Ok(IpAddr::V6(v6)) => {
            v6 == Ipv6Addr::LOCALHOST || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Err(_) => false,
    }
}

/// A bound callback server.
#[derive(Debug)]
pub(crate) struct CallbackServer {
    listener: TcpListener,
    host: String,
    port: u16,
}

fn fallback_worthy(e: &std::io::Error) -> bool {
    e.kind() == ErrorKind::AddrNotAvailable
        || e.kind() == ErrorKind::Unsupported
        || e.raw_os_error() == Some(libc::EAFNOSUPPORT)
        || e.raw_os_error() == Some(libc::EADDRNOTAVAIL)
}

fn busy(port: u16, addr: SocketAddr) -> LoginError {
    LoginError::PortBusy {
        port,
        addr: addr.to_string(),
        holders: crate::port::holders(port),
    }
}

impl CallbackServer {
    /// Binds `port` (1455 in real use; 0 picks a free port, for tests) with the plugin's
    /// loopback policy.
    pub(crate) fn bind(port: u16) -> Result<CallbackServer, LoginError> {
        let localhost = ("localhost", port)
            .to_socket_addrs()
            .ok()
            .and_then(|mut it| it.next());
        if let Some(addr) = localhost {
            match TcpListener::bind(addr) {
                Ok(l) => {
                    // A browser may reach `localhost` at the other loopback address first:
                    // a process listening there would get the callback instead (found from
                    // the user's side). The probe listener is dropped at once.
                    if port != 0 {
                        let other = match addr.ip() {
                            IpAddr::V4(_) => SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port),
                            IpAddr::V6(_) => SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
                        };
                        if let Err(e) = TcpListener::bind(other) {
                            if e.kind() == ErrorKind::AddrInUse {
                                return Err(busy(port, other));
                            }
                        }
                    }
                    return Self::ready(l, "localhost".to_string());
                }
                Err(e) if e.kind() == ErrorKind::AddrInUse => return Err(busy(port, addr)),
                Err(e) if fallback_worthy(&e) => {}
                Err(e) => return Err(LoginError::Listen(e.to_string())),
            }
        }
        let mut last = None;
        for ip in [
            IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(Ipv6Addr::LOCALHOST),
        ] {
            let addr = SocketAddr::new(ip, port);
            match TcpListener::bind(addr) {
                Ok(l) => {
                    let host = match ip {
                        IpAddr::V4(v4) => v4.to_string(),
                        IpAddr::V6(v6) => format!("[{v6}]"),
                    };
                    return Self::ready(l, host);
                }
                Err(e) if e.kind() == ErrorKind::AddrInUse => return Err(busy(port, addr)),
                Err(e) if fallback_worthy(&e) => last = Some(e),
                Err(e) => return Err(LoginError::Listen(e.to_string())),
            }
        }
        Err(LoginError::Listen(
            last.map_or("no loopback address".to_string(), |e| e.to_string()),
        ))
    }

    fn ready(listener: TcpListener, host: String) -> Result<CallbackServer, LoginError> {
        let port = listener
            .local_addr()
            .map_err(|e| LoginError::Listen(e.to_string()))?
            .port();
        listener
            .set_nonblocking(true)
            .map_err(|e| LoginError::Listen(e.to_string()))?;
        Ok(CallbackServer {
            listener,
            host,
            port,
        })
    }

    /// `http://<bound host>:<port>` (the host rewritten to what was actually bound).
    pub(crate) fn origin(&self) -> String {
        format!("http://{}:{}", self.host, self.port)
    }

    /// `http://<bound host>:<port>/auth/callback`.
    pub(crate) fn redirect_uri(&self) -> String {
        format!("{}{CALLBACK_PATH}", self.origin())
    }

    /// Serves until the flow ends: `exchange` turns the callback's code into tokens.
    ///
    /// Each connection is read on its own thread, so a browser's idle speculative connection
    /// cannot hold up the callback; routing and the exchange run one at a time.
    pub(crate) fn wait(
        self,
        state: &Secret<String>,
        mode: Domain,
        timeouts: &Timeouts,
        exchange: impl FnMut(Secret<String>) -> Result<LoginTokens, LoginError> + Send,
    ) -> Result<LoginTokens, LoginError> {
        let flow = Flow {
            state: Some(state.clone()),
            mode,
            origin: self.origin(),
            result: None,
            final_page_served: false,
        };
        let shared = Mutex::new((flow, exchange));
        let open: Mutex<Vec<TcpStream>> = Mutex::new(Vec::new());
        let outcome = std::thread::scope(|scope| {
            let mut deadline = Instant::now() + timeouts.callback;
            let mut succeeded = false;
            let outcome = loop {
                {
                    let g = shared.lock().unwrap_or_else(|p| p.into_inner());
                    let flow = &g.0;
                    let done = matches!(flow.result, Some(Err(_)))
                        || (flow.result.is_some() && flow.final_page_served);
                    if done {
                        break Ok(());
                    }
                    if !succeeded && matches!(flow.result, Some(Ok(_))) {
                        succeeded = true;
                        deadline = Instant::now() + timeouts.success_grace;
                    }
                }
                if Instant::now() >= deadline {
                    break Ok(());
                }
                match self.listener.accept() {
                    Ok((stream, peer)) => {
                        if let Ok(clone) = stream.try_clone() {
                            open.lock().unwrap_or_else(|p| p.into_inner()).push(clone);
                        }
                        let shared = &shared;
                        scope.spawn(move || serve_one(stream, peer, shared));
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(POLL),
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(e) => break Err(LoginError::Listen(e.to_string())),
                }
            };
            // Idle connections still being read end now, so the scope does not wait for them.
            for s in open.lock().unwrap_or_else(|p| p.into_inner()).iter() {
                let _ = s.shutdown(std::net::Shutdown::Both);
            }
            outcome
        });
        outcome?;
        let (mut flow, _) = shared.into_inner().unwrap_or_else(|p| p.into_inner());
        flow.result
            .take()
            .unwrap_or(Err(LoginError::CallbackTimeout))
    }
}

/// Reads one request, then routes it and answers under the flow's lock.
fn serve_one<F>(mut stream: TcpStream, peer: SocketAddr, shared: &Mutex<(Flow, F)>)
where
    F: FnMut(Secret<String>) -> Result<LoginTokens, LoginError>,
{
    let Some(target) = read_target(&mut stream) else {
        return;
    };
    if !is_loopback_address(Some(&peer.ip().to_string())) {
        write_answer(&mut stream, &Answer::text(403, "Forbidden"));
        return;
    }
    let mut g = shared.lock().unwrap_or_else(|p| p.into_inner());
    let (flow, exchange) = &mut *g;
    let answer = flow.route(&target, exchange);
    write_answer(&mut stream, &answer);
}

struct Flow {
    /// The pending state; `None` once spent.
    state: Option<Secret<String>>,
    mode: Domain,
    origin: String,
    result: Option<Result<LoginTokens, LoginError>>,
    final_page_served: bool,
}

struct Answer {
    status: u16,
    content_type: &'static str,
    body: String,
    location: Option<String>,
}

impl Answer {
    fn text(status: u16, body: &str) -> Answer {
        Answer {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.to_string(),
            location: None,
        }
    }

    fn html(status: u16, title: &str, message: &str) -> Answer {
        Answer {
            status,
            content_type: "text/html; charset=utf-8",
            body: page(title, message),
            location: None,
        }
    }
}

fn html_escape(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&#39;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

fn page(title: &str, message: &str) -> String {
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:system-ui,sans-serif;margin:4rem auto;max-width:32rem;text-align:center}}</style>\
         </head><body><h1>{t}</h1><p>{m}</p></body></html>\n",
        t = html_escape(title),
        m = html_escape(message)
    )
}

/// The success page.
pub(crate) const SUCCESS_TITLE: &str = "Login successful";
const SUCCESS_MESSAGE: &str =
    "codex-runtime is signed in. You can close this window and return to the terminal.";

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        _ => "Internal Server Error",
    }
}

fn write_answer(stream: &mut TcpStream, a: &Answer) {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nPragma: no-cache\r\nReferrer-Policy: no-referrer\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: close\r\n",
        a.status,
        reason(a.status),
        a.content_type,
        a.body.len()
    );
    if a.content_type.starts_with("text/html") {
        head.push_str(&format!("Content-Security-Policy: {CSP}\r\n"));
    }
    if let Some(l) = &a.location {
        head.push_str(&format!("Location: {l}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream
        .write_all(head.as_bytes())
        .and_then(|()| stream.write_all(a.body.as_bytes()))
        .and_then(|()| stream.flush());
}

/// Reads the request target (`/path?query`) of one request.
fn read_target(stream: &mut TcpStream) -> Option<String> {
    stream.set_nonblocking(false).ok()?;
    stream.set_read_timeout(Some(READ_TIMEOUT)).ok()?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 2048];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 || buf.len() + n > MAX_HEAD {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let line = head.lines().next()?;
    let mut parts = line.split(' ');
    let _method = parts.next()?;
    Some(parts.next()?.to_string())
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// `application/x-www-form-urlencoded` decoding, as `URLSearchParams` does it.
fn form_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Splits a target into its path and decoded query parameters (first value wins).
fn split_target(target: &str) -> (String, HashMap<String, String>) {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut params = HashMap::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        params
            .entry(form_decode(k))
            .or_insert_with(|| form_decode(v));
    }
    (path.to_string(), params)
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The codex-mode `/success` query, from the ID token's claims (as the Codex CLI builds it).
fn success_query(tokens: &LoginTokens) -> String {
    let auth = tokens
        .id_token
        .as_ref()
        .and_then(|t| codex_auth::jwt::parse_jwt_payload(t.expose()))
        .and_then(|p| p.get("https://api.openai.com/auth").cloned())
        .unwrap_or(Value::Null);
    let s = |k: &str| {
        auth.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let flag = |k: &str| auth.get(k).and_then(Value::as_bool).unwrap_or(false);
    let needs_setup = flag("is_org_owner") && !flag("completed_platform_onboarding");
    let params = [
        ("needs_setup", needs_setup.to_string()),
        ("org_id", s("organization_id")),
        ("project_id", s("project_id")),
        ("plan_type", s("chatgpt_plan_type")),
        ("platform_url", "https://platform.openai.com".to_string()),
    ];
    params
        .iter()
        .map(|(k, v)| format!("{k}={}", encode_uri_component(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl Flow {
    fn state_matches(&self, given: Option<&String>) -> bool {
        match (&self.state, given) {
            (Some(s), Some(g)) => same(s.expose(), g),
            _ => false,
        }
    }

    fn route(
        &mut self,
        target: &str,
        exchange: &mut impl FnMut(Secret<String>) -> Result<LoginTokens, LoginError>,
    ) -> Answer {
        let (path, params) = split_target(target);
        match path.as_str() {
            CALLBACK_PATH => {
                if !self.state_matches(params.get("state")) {
                    return Answer::html(
                        400,
                        "Login failed",
                        "Invalid state - potential CSRF attack",
                    );
                }
                if let Some(error) = params.get("error") {
                    let why = params
                        .get("error_description")
                        .filter(|d| !d.trim().is_empty())
                        .unwrap_or(error)
                        .clone();
                    self.state = None;
                    let a = Answer::html(400, "Login failed", &why);
                    self.result = Some(Err(LoginError::Denied(why)));
                    return a;
                }
                let Some(code) = params.get("code").filter(|c| !c.is_empty()) else {
                    return Answer::html(400, "Login failed", "Missing authorization code");
                };
                self.state = None;
                match exchange(Secret::new(code.clone())) {
                    Ok(tokens) => {
                        let a = match self.mode {
                            Domain::Native => {
                                self.final_page_served = true;
                                Answer::html(200, SUCCESS_TITLE, SUCCESS_MESSAGE)
                            }
                            Domain::Codex => Answer {
                                status: 302,
                                content_type: "text/plain; charset=utf-8",
                                body: String::new(),
                                location: Some(format!(
                                    "{}/success?{}",
                                    self.origin,
                                    success_query(&tokens)
                                )),
                            },
                        };
                        self.result = Some(Ok(tokens));
                        a
                    }
                    Err(e) => {
                        self.result = Some(Err(e));
                        Answer::html(500, "Login failed", "OAuth token exchange failed")
                    }
                }
            }
            "/success" => {
                if matches!(self.result, Some(Ok(_))) {
                    self.final_page_served = true;
                }
                Answer::html(200, SUCCESS_TITLE, SUCCESS_MESSAGE)
            }
            "/cancel" => {
                if !self.state_matches(params.get("state")) {
                    return Answer::text(400, "Invalid cancel state");
                }
                self.state = None;
                self.result = Some(Err(LoginError::Cancelled));
                Answer::html(200, "Login cancelled", "Login cancelled")
            }
            _ => Answer::text(404, "Not found"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_policy() {
        // Reference case 99.
        for ok in [
            "127.0.0.1",
            "127.10.20.30",
            "::1",
            "::1%lo0",
            "::ffff:127.0.0.1",
        ] {
            assert!(is_loopback_address(Some(ok)), "{ok}");
        }
        for bad in ["10.0.0.1", "192.168.1.2", "::2", "::ffff:10.0.0.1"] {
            assert!(!is_loopback_address(Some(bad)), "{bad}");
        }
        assert!(!is_loopback_address(None));
    }

    #[test]
    fn query_decoding() {
        let (path, p) = split_target(
            "/auth/callback?code=a%2Bb&state=x+y&error_description=User%20denied&bad=%zz",
        );
        assert_eq!(path, "/auth/callback");
        assert_eq!(p["code"], "a+b");
        assert_eq!(p["state"], "x y");
        assert_eq!(p["error_description"], "User denied");
        assert_eq!(p["bad"], "%zz");
        assert_eq!(form_decode("%"), "%");
        assert_eq!(form_decode("a%4"), "a%4");
    }

    fn flow(mode: Domain) -> Flow {
        Flow {
            state: Some(Secret::new("S".into())),
            mode,
            origin: "http://localhost:1455".into(),
            result: None,
            final_page_served: false,
        }
    }

    fn tokens() -> LoginTokens {
        LoginTokens {
            access: Secret::new("a".into()),
            refresh: Secret::new("r".into()),
            id_token: None,
            expires_in_secs: None,
        }
    }

    #[test]
    fn routes() {
        // Reference case 102.
        let mut f = flow(Domain::Native);
        let mut calls = 0;
        let mut ex = |_c: Secret<String>| {
            calls += 1;
            Ok(tokens())
        };
        let a = f.route("/nope", &mut ex);
        assert_eq!((a.status, a.body.as_str()), (404, "Not found"));
        let a = f.route("/cancel?state=other", &mut ex);
        assert_eq!((a.status, a.body.as_str()), (400, "Invalid cancel state"));
        let a = f.route("/auth/callback?code=c&state=wrong", &mut ex);
        assert_eq!(a.status, 400);
        assert!(a.body.contains("Invalid state - potential CSRF attack"));
        assert!(f.result.is_none(), "a wrong state does not end the flow");
        let a = f.route("/auth/callback?code=c&state=S", &mut ex);
        assert_eq!(a.status, 200);
        assert!(a.body.contains(SUCCESS_TITLE));
        assert!(matches!(f.result, Some(Ok(_))));
        let a = f.route("/auth/callback?code=c&state=S", &mut ex);
        assert_eq!(a.status, 400, "a repeated callback is an invalid state");
        assert_eq!(calls, 1);
    }

    #[test]
    fn codex_mode_redirects_to_success() {
        let mut f = flow(Domain::Codex);
        let mut ex = |_c: Secret<String>| Ok(tokens());
        let a = f.route("/auth/callback?code=c&state=S", &mut ex);
        assert_eq!(a.status, 302);
        assert_eq!(
            a.location.as_deref(),
            Some("http://localhost:1455/success?needs_setup=false&org_id=&project_id=&plan_type=&platform_url=https%3A%2F%2Fplatform.openai.com")
        );
        assert!(!f.final_page_served);
        let a = f.route("/success", &mut ex);
        assert_eq!(a.status, 200);
        assert!(f.final_page_served);
    }

    #[test]
    fn denied_and_cancelled() {
        let mut f = flow(Domain::Native);
        let mut ex = |_c: Secret<String>| Ok(tokens());
        let a = f.route(
            "/auth/callback?error=access_denied&error_description=User%20said%20no&state=S",
            &mut ex,
        );
        assert_eq!(a.status, 400);
        assert!(matches!(&f.result, Some(Err(LoginError::Denied(d))) if d == "User said no"));
        let mut f = flow(Domain::Native);
        let a = f.route("/cancel?state=S", &mut ex);
        assert_eq!(a.status, 200);
        assert!(matches!(f.result, Some(Err(LoginError::Cancelled))));
        let mut f = flow(Domain::Native);
        let mut failing = |_c: Secret<String>| Err(LoginError::ExchangeStatus(400));
        let a = f.route("/auth/callback?code=c&state=S", &mut failing);
        assert_eq!(
            (a.status, a.body.contains("OAuth token exchange failed")),
            (500, true)
        );
    }

    #[test]
    fn html_is_escaped() {
        assert!(!page("t", "<script>").contains("<script>"));
    }

    /// Found from the user's side: with port 1455 held on `[::1]` only, the login bound
    /// `127.0.0.1` and waited while a browser resolving `localhost` to `::1` reached the other
    /// process.
    #[test]
    fn the_port_held_on_the_other_loopback_address_is_busy() {
        let Ok(v6) = TcpListener::bind((Ipv6Addr::LOCALHOST, 0)) else {
            return; // no IPv6 loopback on this machine: nothing to hold
        };
        let port = v6.local_addr().expect("addr").port();
        let localhost_is_v4 = ("localhost", port)
            .to_socket_addrs()
            .ok()
            .and_then(|mut it| it.next())
            .is_some_and(|a| a.is_ipv4());
        if !localhost_is_v4 {
            return;
        }
        match CallbackServer::bind(port) {
            Err(e @ LoginError::PortBusy { .. }) => {
                assert!(e.to_string().contains(&port.to_string()), "{e}");
            }
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("bound while [::1]:{port} is held"),
        }
    }
}
