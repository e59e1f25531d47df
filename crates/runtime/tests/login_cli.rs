//! `codex-runtime login` end to end: the real binary against a loopback issuer that checks
//! every parameter (PKCE verifier against the S256 challenge, state, redirect, client id) and
//! answers with JWTs carrying the claims the plugin reads; the store is then read back through
//! `codex-store` and must re-serialize to the same bytes.

use std::io::{BufRead, BufReader, Read};

use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use codex_store::{AuthState, AuthStore, Domain};
use codex_testkit::TempHome;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::loopback::{access_token, id_token, now_ms, Loopback, Request, Response};

const CLIENT_ID: &str = "app_EMoamEEZ73f0CkXaXp7hrann";
const CODE: &str = "code_from_issuer_7";
const REFRESH: &str = "rt_login_secret_1";
const DEADLINE: Duration = Duration::from_secs(90);

#[derive(Default)]
struct Seen {
    challenge: Option<String>,
    redirect: Option<String>,
    problems: Vec<String>,
}

/// What the fake issuer does at `/oauth/authorize`.
#[derive(Clone, Copy, PartialEq)]
enum Consent {
    Grant,
    Deny,
}

fn check(seen: &mut Seen, ok: bool, what: String) {
    if !ok {
        seen.problems.push(what);
    }
}

fn tokens_body() -> serde_json::Value {
    json!({
        "id_token": id_token("acc_1", "Alice@Example.com", "plus"),
        "access_token": access_token("acc_1", "login"),
        "refresh_token": REFRESH,
        "expires_in": 3600,
    })
}

fn issuer(consent: Consent, originator: &'static str) -> (Loopback, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let s = Arc::clone(&seen);
    let server = Loopback::start(move |r: &Request| {
        let mut seen = s.lock().expect("lock");
        match r.path.as_str() {
            "/oauth/authorize" => authorize(&mut seen, r, consent, originator),
            "/oauth/token" => token(&mut seen, r),
            _ => Response::json(404, &json!({})),
        }
    });
    (server, seen)
}

fn authorize(seen: &mut Seen, r: &Request, consent: Consent, originator: &str) -> Response {
    let q = r.query_pairs();
    let keys: Vec<&str> = q.iter().map(|(k, _)| k.as_str()).collect();
    check(
        seen,
        keys == [
            "response_type",
            "client_id",
            "redirect_uri",
            "scope",
            "code_challenge",
            "code_challenge_method",
            "id_token_add_organizations",
            "codex_cli_simplified_flow",
            "state",
            "originator",
        ],
        format!("parameter order {keys:?}"),
    );
    let get = |k: &str| {
        q.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    check(seen, get("response_type") == "code", "response_type".into());
    check(seen, get("client_id") == CLIENT_ID, "client_id".into());
    let redirect = get("redirect_uri");
    let redirect_ok = (redirect.starts_with("http://localhost:")
        || redirect.starts_with("http://127.0.0.1:"))
        && redirect.ends_with("/auth/callback");
    check(seen, redirect_ok, format!("redirect_uri {redirect}"));
    check(
        seen,
        r.query
            .contains("scope=openid%20profile%20email%20offline_access"),
        "scope encoding".into(),
    );
    check(
        seen,
        get("code_challenge").len() == 43,
        "challenge length".into(),
    );
    check(
        seen,
        get("code_challenge_method") == "S256",
        "method".into(),
    );
    check(
        seen,
        get("id_token_add_organizations") == "true",
        "orgs".into(),
    );
    check(
        seen,
        get("codex_cli_simplified_flow") == "true",
        "simplified".into(),
    );
    check(seen, get("state").len() == 43, "state length".into());
    check(
        seen,
        get("originator") == originator,
        format!("originator {}", get("originator")),
    );
    seen.challenge = Some(get("code_challenge"));
    seen.redirect = Some(redirect.clone());
    let state = get("state");
    match consent {
        Consent::Grant => Response::redirect(&format!("{redirect}?code={CODE}&state={state}")),
        Consent::Deny => Response::redirect(&format!(
            "{redirect}?error=access_denied&error_description=User%20denied%20access&state={state}"
        )),
    }
}

fn token(seen: &mut Seen, r: &Request) -> Response {
    let f = r.form();
    let keys: Vec<&str> = f.iter().map(|(k, _)| k.as_str()).collect();
    check(
        seen,
        keys == [
            "grant_type",
            "code",
            "redirect_uri",
            "client_id",
            "code_verifier",
        ],
        format!("token form order {keys:?}"),
    );
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    check(
        seen,
        r.method == "POST",
        format!("token method {}", r.method),
    );
    check(
        seen,
        get("grant_type") == "authorization_code",
        "grant".into(),
    );
    check(seen, get("code") == CODE, "code".into());
    check(
        seen,
        get("client_id") == CLIENT_ID,
        "token client_id".into(),
    );
    check(
        seen,
        Some(get("redirect_uri")) == seen.redirect,
        "token redirect_uri".into(),
    );
    let verifier = get("code_verifier");
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    check(
        seen,
        verifier.len() == 86 && Some(challenge) == seen.challenge,
        "PKCE verifier does not match the challenge".into(),
    );
    check(
        seen,
        r.headers.get("content-type").map(String::as_str)
            == Some("application/x-www-form-urlencoded"),
        "token content-type".into(),
    );
    if seen.problems.is_empty() {
        Response::json(200, &tokens_body())
    } else {
        Response::json(400, &json!({"error": "invalid_request"}))
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
    stderr: Arc<Mutex<String>>,
}

fn spawn(home: &TempHome, args: &[&str], env: &[(&str, &str)]) -> Running {
    let mut child = home
        .command(assert_cmd::cargo::cargo_bin("codex-runtime"))
        .env("CODEX_RUNTIME_LOGIN_PORT", "0")
        .envs(env.iter().copied())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let (tx, lines) = mpsc::channel();
    let stderr = Arc::new(Mutex::new(String::new()));
    let all = Arc::clone(&stderr);
    let err = child.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        for line in BufReader::new(err).lines() {
            let Ok(line) = line else { break };
            all.lock().expect("lock").push_str(&format!("{line}\n"));
            let _ = tx.send(line);
        }
    });
    Running {
        child,
        lines,
        stderr,
    }
}

impl Running {
    /// The next stderr line that starts (after indentation) with `prefix`.
    fn line_starting(&self, prefix: &str) -> String {
        let end = Instant::now() + DEADLINE;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(l) if l.trim_start().starts_with(prefix) => return l.trim().to_string(),
                Ok(_) => {}
                Err(_) => panic!(
                    "no line starting with {prefix}; stderr so far:\n{}",
                    self.stderr.lock().expect("lock")
                ),
            }
        }
    }

    fn finish(mut self) -> Run {
        let end = Instant::now() + DEADLINE;
        let status = loop {
            if let Some(s) = self.child.try_wait().expect("wait") {
                break s;
            }
            if Instant::now() > end {
                let _ = self.child.kill();
                panic!("login did not finish");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut stdout = String::new();
        self.child
            .stdout
            .take()
            .expect("stdout")
            .read_to_string(&mut stdout)
            .expect("read");
        // Let the reader thread drain what is left.
        while self.lines.recv_timeout(Duration::from_millis(200)).is_ok() {}
        let stderr = self.stderr.lock().expect("lock").clone();
        for secret in [REFRESH, CODE, "eyJ"] {
            assert!(
                !stdout.contains(secret) && !stderr.contains(secret),
                "{secret} leaked:\n{stdout}\n{stderr}"
            );
        }
        Run {
            code: status.code().unwrap_or(-1),
            stdout,
            stderr,
        }
    }
}

/// Reads the store through codex-store and checks that it re-serializes byte for byte.
pub(crate) fn read_canonical_store(home: &TempHome) -> AuthState {
    let text = std::fs::read_to_string(home.store_path()).expect("store");
    let state = AuthState::parse(&text, true).expect("parse");
    assert_eq!(
        state.to_file_string(),
        text,
        "the store is in canonical form"
    );
    state
}

/// Plays the browser: opens the URL and follows the issuer's redirect to the callback.
fn browse(url: &str) -> (u16, String) {
    let client = reqwest::blocking::Client::builder()
        .timeout(DEADLINE)
        .build()
        .expect("client");
    let resp = client.get(url).send().expect("browse");
    let status = resp.status().as_u16();
    (status, resp.text().expect("body"))
}

fn assert_alice(home: &TempHome, domain: Domain) {
    let state = read_canonical_store(home);
    let oauth = state.oauth().expect("oauth");
    let dom = oauth.domain(domain).expect("domain");
    assert_eq!(dom.accounts().len(), 1);
    let a = &dom.accounts()[0];
    assert_eq!(a.identity_key(), Some("acc_1|alice@example.com|plus"));
    assert_eq!(dom.active(), Some("acc_1|alice@example.com|plus"));
    assert_eq!(a.refresh().map(|s| s.expose().as_str()), Some(REFRESH));
    assert_eq!(
        a.access().map(|s| s.expose().clone()),
        Some(access_token("acc_1", "login"))
    );
    assert!(a.is_enabled());
    let expires = a.expires().expect("expires");
    let now = now_ms() as f64;
    assert!(
        expires > now + 3_000_000.0 && expires <= now + 3_600_000.0,
        "{expires}"
    );
    let rows = AuthStore::new(home.store_path()).rows().expect("rows");
    assert_eq!(rows.len(), 1);
}

#[test]
fn browser_login_checks_every_parameter_and_stores_the_account() {
    let home = TempHome::new();
    let (iss, seen) = issuer(Consent::Grant, "opencode");
    let run = spawn(
        &home,
        &["login", "--no-browser", "--issuer", &iss.base()],
        &[],
    );
    let url = run.line_starting("http://");
    assert!(
        url.starts_with(&format!("{}/oauth/authorize?", iss.base())),
        "{url}"
    );
    let (status, body) = browse(&url);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Login successful"), "{body}");
    let r = run.finish();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(seen.lock().expect("lock").problems, Vec::<String>::new());
    assert_eq!(iss.count("/oauth/token"), 1);
    assert!(
        r.stdout
            .starts_with("Signed in as #1: a***@example.com (plus) [native], now active."),
        "{}",
        r.stdout
    );
    assert_alice(&home, Domain::Native);

    // A second login of the same account updates it in place (upsert, not a duplicate).
    let run = spawn(
        &home,
        &["login", "--no-browser", "--issuer", &iss.base()],
        &[],
    );
    let (status, _) = browse(&run.line_starting("http://"));
    assert_eq!(status, 200);
    let r = run.finish();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_alice(&home, Domain::Native);
}

#[test]
fn codex_mode_uses_its_originator_domain_and_success_redirect() {
    let home = TempHome::new();
    let (iss, seen) = issuer(Consent::Grant, "codex_cli_rs");
    let run = spawn(
        &home,
        &["login", "--no-browser"],
        &[
            ("OPENCODE_OPENAI_MULTI_MODE", "codex"),
            ("CODEX_RUNTIME_ISSUER", &iss.base()),
        ],
    );
    let (status, body) = browse(&run.line_starting("http://"));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Login successful"), "{body}");
    let r = run.finish();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(seen.lock().expect("lock").problems, Vec::<String>::new());
    assert!(r.stdout.contains("[codex]"), "{}", r.stdout);
    assert_alice(&home, Domain::Codex);
}

#[test]
fn denied_consent_fails_and_writes_nothing() {
    let home = TempHome::new();
    let (iss, _) = issuer(Consent::Deny, "opencode");
    let run = spawn(
        &home,
        &["login", "--no-browser", "--issuer", &iss.base()],
        &[],
    );
    let (status, body) = browse(&run.line_starting("http://"));
    assert_eq!(status, 400);
    assert!(body.contains("User denied access"), "{body}");
    let r = run.finish();
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("error: Authorization failed: User denied access"),
        "{}",
        r.stderr
    );
    assert_eq!(iss.count("/oauth/token"), 0);
    assert!(!home.store_path().exists());
}

#[test]
fn a_wrong_state_is_refused_and_the_real_callback_still_completes() {
    let home = TempHome::new();
    let (iss, seen) = issuer(Consent::Grant, "opencode");
    let run = spawn(
        &home,
        &["login", "--no-browser", "--issuer", &iss.base()],
        &[],
    );
    let url = run.line_starting("http://");
    let redirect = crate::loopback::pairs(url.split_once('?').expect("query").1)
        .into_iter()
        .find(|(k, _)| k == "redirect_uri")
        .expect("redirect_uri")
        .1;
    let (status, body) = browse(&format!("{redirect}?code={CODE}&state=forged"));
    assert_eq!(status, 400);
    assert!(
        body.contains("Invalid state - potential CSRF attack"),
        "{body}"
    );
    assert_eq!(
        iss.count("/oauth/token"),
        0,
        "a forged callback is never exchanged"
    );
    let (status, _) = browse(&url);
    assert_eq!(status, 200);
    let r = run.finish();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(seen.lock().expect("lock").problems, Vec::<String>::new());
    assert_alice(&home, Domain::Native);
}

#[test]
fn a_busy_port_names_its_holder_and_suggests_device() {
    let home = TempHome::new();
    let held = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = held.local_addr().expect("addr").port();
    // Hold the IPv6 loopback too where there is one, whatever `localhost` resolves to first.
    let _held6 = std::net::TcpListener::bind(("::1", port)).ok();
    let port_s = port.to_string();
    let run = spawn(
        &home,
        &["login", "--no-browser", "--issuer", "http://127.0.0.1:9"],
        &[("CODEX_RUNTIME_LOGIN_PORT", &port_s)],
    );
    let r = run.finish();
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(&format!(
            "Failed to start authorization: port {port} is already in use"
        )),
        "{}",
        r.stderr
    );
    if cfg!(target_os = "linux") {
        assert!(
            r.stderr
                .contains(&format!("held by {} ", std::process::id())),
            "{}",
            r.stderr
        );
    }
    assert!(
        r.stderr.contains("codex-runtime login --device"),
        "{}",
        r.stderr
    );
    drop(held);
}

fn device_issuer(deny: bool) -> (Loopback, Arc<Mutex<Vec<String>>>) {
    let problems = Arc::new(Mutex::new(Vec::new()));
    let p = Arc::clone(&problems);
    let polls = Arc::new(Mutex::new(0u32));
    let server = Loopback::start(move |r: &Request| {
        let mut problems = p.lock().expect("lock");
        match r.path.as_str() {
            "/api/accounts/deviceauth/usercode" => {
                if r.json() != json!({"client_id": CLIENT_ID}) {
                    problems.push(format!("usercode body {}", r.body));
                }
                let ua = r.headers.get("user-agent").cloned().unwrap_or_default();
                let v = ua.strip_prefix("opencode/").unwrap_or("");
                let semver = v.split('.').count() == 3
                    && v.split('.')
                        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
                if !semver {
                    problems.push(format!("user agent {ua}"));
                }
                Response::json(
                    200,
                    &json!({"device_auth_id": "dev_1", "user_code": "ABCD-1234", "interval": "1"}),
                )
            }
            "/api/accounts/deviceauth/token" => {
                if r.json() != json!({"device_auth_id": "dev_1", "user_code": "ABCD-1234"}) {
                    problems.push(format!("poll body {}", r.body));
                }
                let mut n = polls.lock().expect("lock");
                *n += 1;
                match (*n, deny) {
                    (1, _) => Response::json(400, &json!({"error": "authorization_pending"})),
                    (_, true) => Response::json(400, &json!({"error": "access_denied"})),
                    _ => Response::json(
                        200,
                        &json!({"authorization_code": CODE, "code_verifier": "device_verifier_1"}),
                    ),
                }
            }
            "/oauth/token" => {
                let f = r.form();
                let want = [
                    ("grant_type", "authorization_code".to_string()),
                    ("code", CODE.to_string()),
                    (
                        "redirect_uri",
                        format!(
                            "http://127.0.0.1:{}/deviceauth/callback",
                            r.headers
                                .get("host")
                                .and_then(|h| h.rsplit(':').next())
                                .unwrap_or("")
                        ),
                    ),
                    ("client_id", CLIENT_ID.to_string()),
                    ("code_verifier", "device_verifier_1".to_string()),
                ];
                let got: Vec<(&str, String)> =
                    f.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                if got != want {
                    problems.push(format!("device exchange {got:?}"));
                }
                Response::json(200, &tokens_body())
            }
            _ => Response::json(404, &json!({})),
        }
    });
    (server, problems)
}

#[test]
fn device_login_polls_until_approved_and_stores_the_account() {
    let home = TempHome::new();
    let (iss, problems) = device_issuer(false);
    let run = spawn(&home, &["login", "--device", "--issuer", &iss.base()], &[]);
    let go = run.line_starting("Go to ");
    assert_eq!(
        go,
        format!("Go to {}/codex/device and sign in.", iss.base())
    );
    assert_eq!(run.line_starting("Enter code:"), "Enter code: ABCD-1234");
    let r = run.finish();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(*problems.lock().expect("lock"), Vec::<String>::new());
    assert_eq!(iss.count("/api/accounts/deviceauth/token"), 2);
    assert!(
        r.stdout
            .starts_with("Signed in as #1: a***@example.com (plus) [native]"),
        "{}",
        r.stdout
    );
    assert_alice(&home, Domain::Native);
}

#[test]
fn device_login_refused_by_the_user_fails() {
    let home = TempHome::new();
    let (iss, _) = device_issuer(true);
    let run = spawn(&home, &["login", "--device", "--issuer", &iss.base()], &[]);
    let r = run.finish();
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("error: Device authorization failed: access_denied"),
        "{}",
        r.stderr
    );
    assert_eq!(iss.count("/oauth/token"), 0);
    assert!(!home.store_path().exists());
}

#[test]
fn an_issuer_nobody_answers_is_named_with_its_cause_and_what_to_check() {
    let home = TempHome::new();
    // A port that was free a moment ago: nothing listens there now.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let issuer = format!("http://127.0.0.1:{closed}");
    let run = spawn(&home, &["login", "--device", "--issuer", &issuer], &[]);
    let r = run.finish();
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.to_ascii_lowercase().contains("connection refused"),
        "the cause is named: {}",
        r.stderr
    );
    assert!(
        r.stderr.contains("nothing answers at the issuer's address"),
        "{}",
        r.stderr
    );
    assert!(!home.store_path().exists());
}
