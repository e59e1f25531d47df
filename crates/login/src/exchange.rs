//! Trading an authorization code for tokens (reference 9.3 "Token exchange", 9.4 step 3).
//!
//! `POST <issuer>/oauth/token`, form-encoded `grant_type=authorization_code&code&redirect_uri&
//! client_id&code_verifier`, no redirects, `CODEX_OAUTH_HTTP_TIMEOUT_MS`; a non-2xx answer is
//! `Token exchange failed: <status>`.

use std::time::Duration;

use codex_js::encode_uri_component;
use codex_redact::Secret;
use codex_store::LoginTokens;
use serde_json::Value;

use crate::oauth::{Issuer, CLIENT_ID};
use crate::LoginError;

/// A blocking HTTP client for the OAuth endpoints: no redirects, no proxy surprises, the
/// OAuth timeout on every request.
pub(crate) fn http_client(timeout: Duration) -> Result<reqwest::blocking::Client, LoginError> {
    reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .build()
        .map_err(|e| LoginError::Http(e.to_string()))
}

fn string(v: &Value, key: &str) -> Option<String> {
    v.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// Parses a token endpoint answer.
pub(crate) fn parse_tokens(body: &str) -> Result<LoginTokens, LoginError> {
    let v: Value =
        serde_json::from_str(body).map_err(|_| LoginError::ExchangeBody("JSON object"))?;
    let access = string(&v, "access_token").ok_or(LoginError::ExchangeBody("access_token"))?;
    let refresh = string(&v, "refresh_token").ok_or(LoginError::ExchangeBody("refresh_token"))?;
    Ok(LoginTokens {
        access: Secret::new(access),
        refresh: Secret::new(refresh),
        id_token: string(&v, "id_token").map(Secret::new),
        expires_in_secs: v.get("expires_in").and_then(Value::as_f64),
    })
}

/// Exchanges `code` (with its PKCE verifier) for tokens.
pub(crate) fn exchange_code(
    http: &reqwest::blocking::Client,
    issuer: &Issuer,
    code: &Secret<String>,
    redirect_uri: &str,
    verifier: &Secret<String>,
    timeout: Duration,
) -> Result<LoginTokens, LoginError> {
    let body = format!(
        "grant_type=authorization_code&code={}&redirect_uri={}&client_id={}&code_verifier={}",
        encode_uri_component(code.expose()),
        encode_uri_component(redirect_uri),
        encode_uri_component(CLIENT_ID),
        encode_uri_component(verifier.expose()),
    );
    let ms = timeout.as_millis() as u64;
    let resp = http
        .post(issuer.join("oauth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(body)
        .send()
        .map_err(|e| LoginError::from_reqwest(e, ms))?;
    let status = resp.status().as_u16();
    if !(200..300).contains(&status) {
        return Err(LoginError::ExchangeStatus(status));
    }
    let text = resp.text().map_err(|e| LoginError::from_reqwest(e, ms))?;
    parse_tokens(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_answers() {
        let t = parse_tokens(
            r#"{"access_token":"a","refresh_token":"r","id_token":"i","expires_in":60}"#,
        )
        .expect("tokens");
        assert_eq!(t.access.expose(), "a");
        assert_eq!(t.refresh.expose(), "r");
        assert_eq!(t.id_token.as_ref().map(|s| s.expose().as_str()), Some("i"));
        assert_eq!(t.expires_in_secs, Some(60.0));
        assert!(matches!(
            parse_tokens(r#"{"access_token":"a"}"#),
            Err(LoginError::ExchangeBody("refresh_token"))
        ));
        assert!(parse_tokens("nope").is_err());
    }
}
