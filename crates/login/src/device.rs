//! The device-code ("headless") flow (reference 9.4).
//!
//! 1. `POST <issuer>/api/accounts/deviceauth/usercode` `{"client_id"}` →
//!    `{device_auth_id, user_code, interval}` (interval a string of seconds,
//!    `max(parseInt || 5, 1)`).
//! 2. The user enters the code at `<issuer>/codex/device` ([`crate::Event::DeviceCode`]).
//! 3. `POST <issuer>/api/accounts/deviceauth/token` `{device_auth_id, user_code}` until the
//!    device timeout, sleeping interval + 3 s between polls: 2xx carries
//!    `{authorization_code, code_verifier}`, exchanged with the redirect
//!    `<issuer>/deviceauth/callback`; 400 `authorization_pending` keeps polling, `slow_down`
//!    adds the base interval (at most 30 s), another 400 fails; 403, 404, 429 and 5xx keep
//!    polling; anything else fails.

use std::time::{Duration, Instant};

use codex_redact::Secret;
use codex_store::LoginTokens;
use serde_json::{json, Value};

use crate::exchange::{exchange_code, http_client};
use crate::oauth::{Issuer, Timeouts, CLIENT_ID, POLL_SAFETY_MARGIN};
use crate::{Event, LoginError};

/// Largest poll interval after `slow_down`s.
pub const MAX_INTERVAL: Duration = Duration::from_millis(30_000);

/// Device-flow settings.
#[derive(Debug, Clone)]
pub struct DeviceLogin {
    /// The issuer.
    pub issuer: Issuer,
    /// `User-Agent` of the usercode request (native: `opencode/<version>`; codex: the Codex
    /// CLI's).
    pub user_agent: String,
    /// Timeouts.
    pub timeouts: Timeouts,
}

/// `max(parseInt(interval) || 5, 1)` seconds.
pub fn parse_interval(v: Option<&Value>) -> Duration {
    let n = match v {
        Some(Value::String(s)) => {
            let t = s.trim_start();
            let digits: String = t
                .char_indices()
                .take_while(|(i, c)| c.is_ascii_digit() || (*i == 0 && (*c == '-' || *c == '+')))
                .map(|(_, c)| c)
                .collect();
            digits.parse::<i64>().ok()
        }
        Some(Value::Number(n)) => n
            .as_f64()
            .filter(|f| f.is_finite())
            .map(|f| f.trunc() as i64),
        _ => None,
    };
    let secs = match n {
        Some(0) | None => 5,
        Some(n) => n.max(1),
    };
    Duration::from_secs(secs as u64)
}

enum Poll {
    Approved {
        code: Secret<String>,
        verifier: Secret<String>,
    },
    Pending,
    SlowDown,
}

impl DeviceLogin {
    /// Runs the flow; `sleep` waits between polls (a real sleep outside tests).
    pub fn run(
        &self,
        mut on_event: impl FnMut(Event),
        mut sleep: impl FnMut(Duration),
    ) -> Result<LoginTokens, LoginError> {
        let http = http_client(self.timeouts.http)?;
        let ms = self.timeouts.http.as_millis() as u64;
        let resp = http
            .post(self.issuer.join("api/accounts/deviceauth/usercode"))
            .header("content-type", "application/json")
            .header("user-agent", &self.user_agent)
            .body(json!({ "client_id": CLIENT_ID }).to_string())
            .send()
            .map_err(|e| LoginError::from_reqwest(e, ms))?;
        let status = resp.status().as_u16();
        if !(200..300).contains(&status) {
            return Err(LoginError::DeviceInit {
                status: Some(status),
            });
        }
        let v: Value = resp
            .text()
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .ok_or(LoginError::DeviceInit {
                status: Some(status),
            })?;
        let text = |k: &str| {
            v.get(k)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let (Some(device_auth_id), Some(user_code)) = (text("device_auth_id"), text("user_code"))
        else {
            return Err(LoginError::DeviceInit {
                status: Some(status),
            });
        };
        let base = parse_interval(v.get("interval"));
        on_event(Event::DeviceCode {
            verification_url: self.issuer.join("codex/device"),
            user_code: user_code.clone(),
        });
        let deadline = Instant::now() + self.timeouts.device;
        let mut interval = base;
        loop {
            match self.poll(&http, &device_auth_id, &user_code)? {
                Poll::Approved { code, verifier } => {
                    return exchange_code(
                        &http,
                        &self.issuer,
                        &code,
                        &self.issuer.join("deviceauth/callback"),
                        &verifier,
                        self.timeouts.http,
                    );
                }
                Poll::SlowDown => interval = (interval + base).min(MAX_INTERVAL),
                Poll::Pending => {}
            }
            let wait = interval + POLL_SAFETY_MARGIN;
            if Instant::now() + wait > deadline {
                return Err(LoginError::DeviceTimeout(
                    self.timeouts.device.as_millis() as u64
                ));
            }
            sleep(wait);
        }
    }

    fn poll(
        &self,
        http: &reqwest::blocking::Client,
        device_auth_id: &str,
        user_code: &str,
    ) -> Result<Poll, LoginError> {
        let ms = self.timeouts.http.as_millis() as u64;
        let resp = http
            .post(self.issuer.join("api/accounts/deviceauth/token"))
            .header("content-type", "application/json")
            .body(json!({ "device_auth_id": device_auth_id, "user_code": user_code }).to_string())
            .send()
            .map_err(|e| LoginError::from_reqwest(e, ms))?;
        let status = resp.status().as_u16();
        let body: Value = resp
            .text()
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null);
        match status {
            200..=299 => {
                let s = |k: &str| {
                    body.get(k)
                        .and_then(Value::as_str)
                        .filter(|s| !s.is_empty())
                        .map(|s| Secret::new(s.to_string()))
                };
                match (s("authorization_code"), s("code_verifier")) {
                    (Some(code), Some(verifier)) => Ok(Poll::Approved { code, verifier }),
                    _ => Err(LoginError::DeviceFailed(
                        "the approval has no authorization code".into(),
                    )),
                }
            }
            400 => {
                let code = match body.get("error") {
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(Value::Object(o)) => {
                        o.get("code").and_then(Value::as_str).map(str::to_string)
                    }
                    _ => None,
                };
                match code.as_deref() {
                    Some("authorization_pending") => Ok(Poll::Pending),
                    Some("slow_down") => Ok(Poll::SlowDown),
                    Some(c) => Err(LoginError::DeviceFailed(c.to_string())),
                    None => Err(LoginError::DeviceFailed("status 400".into())),
                }
            }
            403 | 404 | 429 | 500.. => Ok(Poll::Pending),
            s => Err(LoginError::DeviceFailed(format!("status {s}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::sync::{Arc, Mutex};

    /// `(path, user-agent)` of each request the test issuer received.
    type Seen = Arc<Mutex<Vec<(String, String)>>>;

    /// A loopback issuer answering each path from a script of `(status, body)` replies, and
    /// recording `(path, user-agent)` of every request.
    fn issuer(script: Vec<(&'static str, u16, Value)>) -> (Issuer, Seen) {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = l.local_addr().expect("addr").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            let mut script = script.into_iter();
            for stream in l.incoming() {
                let Ok(mut s) = stream else { continue };
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                // Head and a small JSON body arrive together on loopback; read until the
                // body's length is in.
                loop {
                    let n = s.read(&mut chunk).unwrap_or(0);
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    if let Some((head, body)) = text.split_once("\r\n\r\n") {
                        let len = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                            })
                            .unwrap_or(0);
                        if body.len() >= len || n == 0 {
                            break;
                        }
                    } else if n == 0 {
                        break;
                    }
                }
                let text = String::from_utf8_lossy(&buf).to_string();
                let path = text.split(' ').nth(1).unwrap_or("").to_string();
                let ua = text
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .starts_with("user-agent:")
                            .then(|| l[11..].trim().to_string())
                    })
                    .unwrap_or_default();
                log.lock().expect("lock").push((path.clone(), ua));
                let (status, body) = match script.next() {
                    Some((p, st, b)) if p == path => (st, b.to_string()),
                    _ => (500, "{}".to_string()),
                };
                let _ = write!(
                    s,
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        (
            Issuer::parse(&format!("http://127.0.0.1:{port}")).expect("issuer"),
            seen,
        )
    }

    #[test]
    fn slow_down_adds_the_base_interval_then_success() {
        // Reference case 100.
        let (iss, seen) = issuer(vec![
            (
                "/api/accounts/deviceauth/usercode",
                200,
                json!({"device_auth_id": "d", "user_code": "U", "interval": "1"}),
            ),
            (
                "/api/accounts/deviceauth/token",
                400,
                json!({"error": "slow_down"}),
            ),
            (
                "/api/accounts/deviceauth/token",
                200,
                json!({"authorization_code": "c", "code_verifier": "v"}),
            ),
            (
                "/oauth/token",
                200,
                json!({"access_token": "a", "refresh_token": "r"}),
            ),
        ]);
        let login = DeviceLogin {
            issuer: iss,
            user_agent: "opencode/1.2.3".into(),
            timeouts: Timeouts::default(),
        };
        let mut sleeps = Vec::new();
        let mut events = Vec::new();
        let tokens = login
            .run(|e| events.push(e), |d| sleeps.push(d))
            .expect("login");
        assert_eq!(tokens.refresh.expose(), "r");
        assert_eq!(
            sleeps,
            [Duration::from_millis(2_000 + 3_000)],
            "one sleep: 2 x 1 s + 3 s margin"
        );
        assert!(matches!(&events[..], [Event::DeviceCode { user_code, .. }] if user_code == "U"));
        let seen = seen.lock().expect("lock");
        assert_eq!(seen[0].1, "opencode/1.2.3");
        assert_eq!(seen.len(), 4);
    }

    #[test]
    fn a_refused_usercode_request_fails_to_initiate() {
        let (iss, _) = issuer(vec![("/api/accounts/deviceauth/usercode", 403, json!({}))]);
        let login = DeviceLogin {
            issuer: iss,
            user_agent: "opencode/1.2.3".into(),
            timeouts: Timeouts::default(),
        };
        let err = login.run(|_| {}, |_| {}).expect_err("refused");
        assert_eq!(err.to_string(), "Failed to initiate device authorization");
    }

    #[test]
    fn intervals() {
        let i = |v: Value| parse_interval(Some(&v)).as_secs();
        assert_eq!(i(json!("3")), 3);
        assert_eq!(i(json!("3.9")), 3);
        assert_eq!(i(json!("0")), 5);
        assert_eq!(i(json!("-2")), 1);
        assert_eq!(i(json!("abc")), 5);
        assert_eq!(i(json!(7)), 7);
        assert_eq!(parse_interval(None).as_secs(), 5);
    }
}
