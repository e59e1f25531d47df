//! The OAuth refresh grant (reference 9.5).
//!
//! `POST <issuer>/oauth/token`, form-encoded `grant_type=refresh_token&refresh_token=…&
//! client_id=…`, no redirects, `CODEX_OAUTH_HTTP_TIMEOUT_MS`. Success carries a rotated
//! refresh token; failures carry `{"error":"<code>","error_description":…}` or
//! `{"error":{"code","message"}}` and are classified terminal or transient by
//! `codex_rotation::acquire::is_terminal_refresh_error`. Tokens stay in `Secret` throughout.
//! [`save_refreshed`] is the one place a refreshed token is saved to the store, for the
//! request path and the proactive refresh alike.

use std::time::Duration;

use codex_auth::jwt;
use codex_redact::Secret;
use codex_rotation::acquire::is_terminal_refresh_error;
use reqwest::Url;
use serde_json::Value;

/// A successful refresh.
#[derive(Debug, Clone)]
pub struct TokenResponse {
    /// New access token.
    pub access: Secret<String>,
    /// New refresh token (the old one if the issuer sent none).
    pub refresh: Secret<String>,
    /// ID token, when sent.
    pub id_token: Option<Secret<String>>,
    /// `expires_in` seconds.
    pub expires_in: Option<f64>,
}

impl TokenResponse {
    /// `accountId` from the new tokens (ID token first).
    pub fn account_id(&self) -> Option<String> {
        self.id_token
            .as_ref()
            .and_then(|t| jwt::claims(t.expose()))
            .and_then(|c| c.account_id)
            .or_else(|| jwt::claims(self.access.expose()).and_then(|c| c.account_id))
    }

    /// A top-level claim (`email`, `plan`) of the new tokens, as the plugin reads them.
    pub fn top_level_claim(&self, name: &str) -> Option<String> {
        [self.id_token.as_ref(), Some(&self.access)]
            .into_iter()
            .flatten()
            .filter_map(|t| jwt::parse_jwt_payload(t.expose()))
            .find_map(|p| {
                p.get(name)
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            })
    }
}

/// Which refresh a token comes from; the only difference in how it is saved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RefreshPurpose {
    /// A request needed the token: the account becomes the active one, its `lastUsed` is
    /// touched, and `accountId`/`email`/`plan` are updated from the new tokens' claims when
    /// they carry them (reference 6.3).
    Request,
    /// The proactive refresh (reference 9.6): identity fields are left as stored (the plugin
    /// does not update them there), and a new expiry still inside the buffer cools the
    /// account for 30 s.
    Proactive {
        /// `refreshAhead.bufferMs`.
        buffer_ms: f64,
    },
}

/// The store record of `tokens`, refreshed at `now_ms`, for `purpose`. Identity fields the
/// tokens do not carry are `None`, which keeps the stored ones.
pub fn refreshed_tokens(
    tokens: &TokenResponse,
    now_ms: f64,
    purpose: RefreshPurpose,
) -> codex_store::RefreshedTokens {
    let from_claims = purpose == RefreshPurpose::Request;
    codex_store::RefreshedTokens {
        access: tokens.access.clone(),
        refresh: tokens.refresh.clone(),
        expires: now_ms + tokens.expires_in.unwrap_or(3600.0) * 1000.0,
        account_id: from_claims.then(|| tokens.account_id()).flatten(),
        email: from_claims
            .then(|| tokens.top_level_claim("email"))
            .flatten(),
        plan: from_claims
            .then(|| tokens.top_level_claim("plan"))
            .flatten(),
    }
}

/// Saves refreshed tokens under the store's lock (on a blocking thread), only if `lease` is
/// still held. `true` when they were committed; `false` when the lease was lost or the
/// store failed (logged).
pub async fn save_refreshed(
    store: &codex_store::AuthStore,
    lease: &codex_store::Lease,
    tokens: &TokenResponse,
    now_ms: f64,
    purpose: RefreshPurpose,
) -> bool {
    let refreshed = refreshed_tokens(tokens, now_ms, purpose);
    let opts = match purpose {
        RefreshPurpose::Request => codex_store::CommitOptions {
            set_active: true,
            touch_last_used: true,
            cooldown_if_expiring_within_ms: None,
        },
        RefreshPurpose::Proactive { buffer_ms } => codex_store::CommitOptions {
            set_active: false,
            touch_last_used: false,
            cooldown_if_expiring_within_ms: Some(buffer_ms),
        },
    };
    let store = store.clone();
    let lease = lease.clone();
    match tokio::task::spawn_blocking(move || store.commit_refresh(&lease, &refreshed, &opts)).await
    {
        Ok(Ok(ok)) => ok,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "could not store refreshed tokens");
            false
        }
        Err(_) => false,
    }
}

/// A failed refresh.
#[derive(Debug, Clone, PartialEq)]
pub struct RefreshError {
    /// HTTP status, when a response arrived.
    pub status: Option<u16>,
    /// OAuth error code.
    pub code: Option<String>,
    /// `Token refresh failed (<code>)` / `Token refresh failed (status <n>)` / transport error.
    pub message: String,
    /// `error_description` / nested message.
    pub oauth_message: Option<String>,
}

impl RefreshError {
    /// Whether the refresh token is dead.
    pub fn is_terminal(&self) -> bool {
        is_terminal_refresh_error(
            self.code.as_deref(),
            Some(&self.message),
            self.oauth_message.as_deref(),
        )
    }
}

impl std::fmt::Display for RefreshError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Percent-encoding for `application/x-www-form-urlencoded` values.
fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Parses a failure body into `(code, message)`.
pub fn parse_failure(status: u16, body: &str) -> RefreshError {
    let v: Option<Value> = serde_json::from_str(body).ok();
    let (code, oauth_message) = match v.as_ref().and_then(|v| v.get("error")) {
        Some(Value::String(code)) => (
            Some(code.clone()),
            v.as_ref()
                .and_then(|v| v.get("error_description"))
                .and_then(Value::as_str)
                .map(str::to_string),
        ),
        Some(Value::Object(e)) => (
            e.get("code")
                .or_else(|| e.get("type"))
                .and_then(Value::as_str)
                .map(str::to_string),
            e.get("message").and_then(Value::as_str).map(str::to_string),
        ),
        _ => (None, None),
    };
    let message = match &code {
        Some(c) => format!("Token refresh failed ({c})"),
        None => format!("Token refresh failed (status {status})"),
    };
    RefreshError {
        status: Some(status),
        code,
        message,
        oauth_message,
    }
}

/// The refresh client.
#[derive(Debug, Clone)]
pub struct RefreshClient {
    http: reqwest::Client,
    token_url: Url,
    client_id: String,
    timeout: Duration,
}

impl RefreshClient {
    /// A client posting to `token_url`.
    pub fn new(http: reqwest::Client, token_url: Url, client_id: &str, timeout: Duration) -> Self {
        RefreshClient {
            http,
            token_url,
            client_id: client_id.to_string(),
            timeout,
        }
    }

    /// Runs the refresh grant.
    pub async fn refresh(&self, refresh: &Secret<String>) -> Result<TokenResponse, RefreshError> {
        let body = format!(
            "grant_type=refresh_token&refresh_token={}&client_id={}",
            form_encode(refresh.expose()),
            form_encode(&self.client_id)
        );
        let transport = |e: reqwest::Error| RefreshError {
            status: None,
            code: None,
            message: if e.is_timeout() {
                format!(
                    "OAuth request timed out after {}ms",
                    self.timeout.as_millis()
                )
            } else {
                format!("Token refresh failed: {}", e.without_url())
            },
            oauth_message: None,
        };
        let resp = self
            .http
            .post(self.token_url.clone())
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .timeout(self.timeout)
            .body(body)
            .send()
            .await
            .map_err(transport)?;
        let status = resp.status().as_u16();
        let text = resp.text().await.map_err(transport)?;
        if !(200..300).contains(&status) {
            return Err(parse_failure(status, &text));
        }
        let v: Value = serde_json::from_str(&text).map_err(|_| RefreshError {
            status: Some(status),
            code: None,
            message: format!("Token refresh failed (status {status})"),
            oauth_message: None,
        })?;
        let access = v
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| RefreshError {
                status: Some(status),
                code: None,
                message: "Token refresh failed (no access_token)".into(),
                oauth_message: None,
            })?;
        let new_refresh = v
            .get("refresh_token")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(|s| Secret::new(s.to_string()))
            .unwrap_or_else(|| refresh.clone());
        Ok(TokenResponse {
            access: Secret::new(access.to_string()),
            refresh: new_refresh,
            id_token: v
                .get("id_token")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(|s| Secret::new(s.to_string())),
            expires_in: v.get("expires_in").and_then(Value::as_f64),
        })
    }
}
