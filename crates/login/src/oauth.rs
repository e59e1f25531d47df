//! The OAuth constants (reference 9.1), the issuer and the timeouts.
//!
//! The timeouts are the plugin's environment variables with its rule: a value below the
//! minimum, or not a number, means the default (not clamped).

use std::time::Duration;

use codex_env::{env_vars as ev, parse::env_number, EnvSnapshot};
use reqwest::Url;

use crate::LoginError;

/// The Codex CLI's OAuth client id.
pub const CLIENT_ID: &str = "app_EMoamEEZ73f0CkXaXp7hrann";
/// The real issuer.
pub const DEFAULT_ISSUER: &str = "https://auth.openai.com";
/// The callback port.
pub const LOGIN_PORT: u16 = 1455;
/// The callback path.
pub(crate) const CALLBACK_PATH: &str = "/auth/callback";
/// The scope.
pub(crate) const SCOPE: &str = "openid profile email offline_access";
/// Added to the device flow's interval between polls.
pub(crate) const POLL_SAFETY_MARGIN: Duration = Duration::from_millis(3000);

/// An OAuth issuer: `https://auth.openai.com`, or a test server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    base: Url,
}

impl Issuer {
    /// Parses an issuer base URL (`http` or `https`, no credentials, query or fragment).
    pub fn parse(raw: &str) -> Result<Issuer, LoginError> {
        let bad = || LoginError::Issuer(raw.to_string());
        let base = Url::parse(raw.trim()).map_err(|_| bad())?;
        let ok = matches!(base.scheme(), "http" | "https")
            && base.host_str().is_some()
            && base.username().is_empty()
            && base.password().is_none()
            && base.query().is_none()
            && base.fragment().is_none();
        if !ok {
            return Err(bad());
        }
        Ok(Issuer { base })
    }

    /// The real issuer.
    pub fn openai() -> Issuer {
        Issuer {
            base: Url::parse(DEFAULT_ISSUER).unwrap_or_else(|_| unreachable!("constant URL")),
        }
    }

    /// `<issuer>/<path>` (path without a leading slash), keeping a base path.
    pub fn join(&self, path: &str) -> String {
        format!(
            "{}/{}",
            self.base.as_str().trim_end_matches('/'),
            path.trim_start_matches('/')
        )
    }

    /// Whether this is `https://auth.openai.com` (the only origin the browser is opened for).
    pub fn is_openai(&self) -> bool {
        self.base.origin() == Issuer::openai().base.origin()
    }
}

/// The plugin's timeouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Each OAuth HTTP request (`CODEX_OAUTH_HTTP_TIMEOUT_MS`).
    pub http: Duration,
    /// Waiting for the browser to come back (`CODEX_OAUTH_CALLBACK_TIMEOUT_MS`).
    pub callback: Duration,
    /// Device-code approval (`CODEX_DEVICE_AUTH_TIMEOUT_MS`).
    pub device: Duration,
    /// How long the callback server keeps serving after a success
    /// (`CODEX_OAUTH_SERVER_SHUTDOWN_GRACE_MS`), unless the final page was already served.
    pub success_grace: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            http: Duration::from_millis(15_000),
            callback: Duration::from_millis(600_000),
            device: Duration::from_millis(600_000),
            success_grace: Duration::from_millis(2_000),
        }
    }
}

fn ms(env: &EnvSnapshot, name: &str, default: u64, min: f64) -> Duration {
    let v = env_number(env.get(name))
        .filter(|n| n.is_finite() && *n >= min)
        .map_or(default, |n| n.floor() as u64);
    Duration::from_millis(v)
}

impl Timeouts {
    /// Reads the variables (reference 9.1).
    pub fn from_env(env: &EnvSnapshot) -> Timeouts {
        Timeouts {
            http: ms(env, ev::CODEX_OAUTH_HTTP_TIMEOUT_MS, 15_000, 1_000.0),
            callback: ms(env, ev::CODEX_OAUTH_CALLBACK_TIMEOUT_MS, 600_000, 60_000.0),
            device: ms(env, ev::CODEX_DEVICE_AUTH_TIMEOUT_MS, 600_000, 1_000.0),
            success_grace: ms(env, ev::CODEX_OAUTH_SERVER_SHUTDOWN_GRACE_MS, 2_000, 0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_below_minimum_mean_default() {
        let env = EnvSnapshot::from_pairs([
            (ev::CODEX_OAUTH_HTTP_TIMEOUT_MS, "999"),
            (ev::CODEX_OAUTH_CALLBACK_TIMEOUT_MS, "60000"),
            (ev::CODEX_DEVICE_AUTH_TIMEOUT_MS, "nope"),
            (ev::CODEX_OAUTH_SERVER_SHUTDOWN_GRACE_MS, "0"),
        ]);
        let t = Timeouts::from_env(&env);
        assert_eq!(t.http, Duration::from_millis(15_000));
        assert_eq!(t.callback, Duration::from_millis(60_000));
        assert_eq!(t.device, Duration::from_millis(600_000));
        assert_eq!(t.success_grace, Duration::ZERO);
    }

    #[test]
    fn issuers() {
        assert!(Issuer::openai().is_openai());
        let t = Issuer::parse("http://127.0.0.1:9/base/").expect("issuer");
        assert!(!t.is_openai());
        assert_eq!(
            t.join("/oauth/token"),
            "http://127.0.0.1:9/base/oauth/token"
        );
        assert_eq!(
            Issuer::openai().join("oauth/authorize"),
            "https://auth.openai.com/oauth/authorize"
        );
        for bad in ["ftp://x", "http://u:p@x", "http://x/?a=1", "nope"] {
            assert!(Issuer::parse(bad).is_err(), "{bad}");
        }
    }
}
