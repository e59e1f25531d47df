//! What the account commands that talk to OpenAI share: the resolved endpoints (issuer,
//! Codex backend, outbound allowlist, OAuth timeout — `codex-proxy`'s own resolution, so
//! `--issuer`/`--upstream` and `CODEX_RUNTIME_ISSUER`/`CODEX_RUNTIME_UPSTREAM` mean what they
//! mean for `serve`), one HTTP client, and a small Tokio runtime to drive `codex-proxy`'s
//! async refresh and usage clients from a synchronous command.

use std::path::Path;
use std::time::Duration;

use codex_env::EnvSnapshot;
use codex_proxy::config::{ProxyConfig, ServeOptions, CLIENT_ID};
use codex_proxy::refresh::RefreshClient;

use crate::error::RuntimeError;

/// The endpoints and clients.
#[derive(Debug)]
pub struct Backend {
    /// The resolved settings (only the endpoint parts are used).
    pub config: ProxyConfig,
    /// The HTTP client (no automatic redirects; the outbound policy decides).
    pub http: reqwest::Client,
    /// The refresh grant client.
    pub refresher: RefreshClient,
    /// The runtime the async clients run on.
    pub rt: tokio::runtime::Runtime,
}

impl Backend {
    /// Resolves the endpoints from the flags and the environment.
    pub fn resolve(
        env: &EnvSnapshot,
        cwd: &Path,
        issuer: Option<&str>,
        upstream: Option<&str>,
    ) -> Result<Backend, RuntimeError> {
        let opts = ServeOptions {
            issuer: issuer.map(str::to_string),
            upstream: upstream.map(str::to_string),
            ..ServeOptions::default()
        };
        let config =
            ProxyConfig::resolve(env, cwd, &opts).map_err(|e| RuntimeError::user(e.to_string()))?;
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10));
        if config.test_hook {
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| RuntimeError::internal(format!("cannot build the HTTP client: {e}")))?;
        let refresher = RefreshClient::new(
            http.clone(),
            config.token_url(),
            CLIENT_ID,
            config.oauth_timeout,
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| RuntimeError::internal(format!("cannot start the async runtime: {e}")))?;
        Ok(Backend {
            config,
            http,
            refresher,
            rt,
        })
    }
}
