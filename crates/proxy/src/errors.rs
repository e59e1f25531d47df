//! The synthetic errors the proxy answers with, in the plugin's types, statuses and wording
//! (reference 7.4, 8, 13.1).
//!
//! Every synthetic failure has the body `{"error":{"message":…,"type":…}}` and
//! `content-type: application/json; charset=utf-8`, so clients and the doctor that know
//! the plugin's errors know these. Rate-limit and `proxy_busy` answers also carry
//! `Retry-After`.

use codex_rotation::{format_wait, AcquireError};
use serde_json::{json, Map, Value};

/// A synthetic error.
#[derive(Debug, Clone, PartialEq)]
pub enum Synthetic {
    /// `oauth_not_configured` 401.
    OauthNotConfigured,
    /// `no_accounts_configured` 401.
    NoAccountsConfigured {
        /// `native` or `codex`.
        mode: &'static str,
    },
    /// `no_enabled_accounts` 403.
    NoEnabledAccounts {
        /// `native` or `codex`.
        mode: &'static str,
    },
    /// `refresh_invalid_grant` 401, every enabled account rejected.
    RefreshInvalidGrantAll,
    /// `refresh_invalid_grant` 401, one account rejected.
    RefreshInvalidGrant,
    /// `all_accounts_cooling_down` 429.
    AllAccountsCoolingDown {
        /// Milliseconds until the first account is usable.
        wait_ms: f64,
    },
    /// `missing_refresh_token` 401.
    MissingRefreshToken,
    /// `missing_account_identity` 401.
    MissingAccountIdentity,
    /// `refresh_failed` 401.
    RefreshFailed,
    /// `auth_storage_error` 500.
    AuthStorageError,
    /// `all_accounts_rate_limited` 429.
    AllAccountsRateLimited {
        /// Milliseconds until the first account is usable, when known.
        wait_ms: Option<f64>,
    },
    /// `upstream_unreachable` 503.
    UpstreamUnreachable,
    /// `plugin_fetch_failed` 502.
    ProxyFetchFailed,
    /// `outbound_redirect_limit_exceeded` 502.
    RedirectLimitExceeded,
    /// `blocked_outbound_redirect` 502, no validator.
    RedirectNotValidated,
    /// `blocked_outbound_redirect` 502, not GET/HEAD.
    RedirectNonIdempotent,
    /// `outbound_redirect_error` 502.
    RedirectError,
    /// `disallowed_outbound_protocol` 400.
    DisallowedProtocol {
        /// The scheme with its colon (`http:`).
        protocol: String,
    },
    /// `disallowed_outbound_credentials` 400.
    DisallowedCredentials {
        /// The host.
        host: String,
    },
    /// `disallowed_outbound_port` 400.
    DisallowedPort {
        /// `host:port`.
        host_port: String,
    },
    /// `disallowed_outbound_host` 400.
    DisallowedHost {
        /// The host.
        host: String,
    },
    /// `request_too_large` 413 (the proxy's own limit on request bodies).
    RequestTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// `unauthorized_client` 401 (missing or wrong client key).
    UnauthorizedClient,
    /// `not_found` 404.
    NotFound,
    /// `method_not_allowed` 405.
    MethodNotAllowed,
    /// `misdirected_host` 421: on a keyless listener, a `Host` (or absolute-form target) that
    /// does not name the listener (DNS rebinding).
    MisdirectedHost,
    /// `forbidden_origin` 403: an `Origin` that is neither the listener's nor allowed.
    ForbiddenOrigin,
    /// `unsupported_media_type` 415: a POST whose body is not declared `application/json`.
    UnsupportedMediaType,
    /// `request_timeout` 408: the request body came too slowly.
    RequestTimeout,
    /// `proxy_busy` 503: the request bytes held in memory reached their cap.
    ProxyBusy,
    /// `malformed_request` 400: the request body's framing is broken.
    MalformedRequest,
    /// `upstream_timeout` 504: no account's upstream sent response headers in time.
    UpstreamTimeout {
        /// The per-attempt limit in seconds.
        secs: u64,
    },
    /// `invalid_reasoning_summary` 400: the request's `reasoning.summary` is not a value the
    /// backend accepts (reference 7.3).
    InvalidReasoningSummary {
        /// The value sent, trimmed.
        actual: String,
    },
    /// `invalid_chat_request` 400: a Chat Completions request the conversion cannot express.
    InvalidChatRequest {
        /// What is wrong, naming the field.
        message: String,
    },
}

impl Synthetic {
    /// The error type.
    pub fn kind(&self) -> &'static str {
        match self {
            Synthetic::OauthNotConfigured => "oauth_not_configured",
            Synthetic::NoAccountsConfigured { .. } => "no_accounts_configured",
            Synthetic::NoEnabledAccounts { .. } => "no_enabled_accounts",
            Synthetic::RefreshInvalidGrantAll | Synthetic::RefreshInvalidGrant => {
                "refresh_invalid_grant"
            }
            Synthetic::AllAccountsCoolingDown { .. } => "all_accounts_cooling_down",
            Synthetic::MissingRefreshToken => "missing_refresh_token",
            Synthetic::MissingAccountIdentity => "missing_account_identity",
            Synthetic::RefreshFailed => "refresh_failed",
            Synthetic::AuthStorageError => "auth_storage_error",
            Synthetic::AllAccountsRateLimited { .. } => "all_accounts_rate_limited",
            Synthetic::UpstreamUnreachable => "upstream_unreachable",
            Synthetic::ProxyFetchFailed => "plugin_fetch_failed",
            Synthetic::RedirectLimitExceeded => "outbound_redirect_limit_exceeded",
            Synthetic::RedirectNotValidated | Synthetic::RedirectNonIdempotent => {
                "blocked_outbound_redirect"
            }
            Synthetic::RedirectError => "outbound_redirect_error",
            Synthetic::DisallowedProtocol { .. } => "disallowed_outbound_protocol",
            Synthetic::DisallowedCredentials { .. } => "disallowed_outbound_credentials",
            Synthetic::DisallowedPort { .. } => "disallowed_outbound_port",
            Synthetic::DisallowedHost { .. } => "disallowed_outbound_host",
            Synthetic::RequestTooLarge { .. } => "request_too_large",
            Synthetic::UnauthorizedClient => "unauthorized_client",
            Synthetic::NotFound => "not_found",
            Synthetic::MethodNotAllowed => "method_not_allowed",
            Synthetic::MisdirectedHost => "misdirected_host",
            Synthetic::ForbiddenOrigin => "forbidden_origin",
            Synthetic::UnsupportedMediaType => "unsupported_media_type",
            Synthetic::RequestTimeout => "request_timeout",
            Synthetic::ProxyBusy => "proxy_busy",
            Synthetic::MalformedRequest => "malformed_request",
            Synthetic::UpstreamTimeout { .. } => "upstream_timeout",
            Synthetic::InvalidChatRequest { .. } => "invalid_chat_request",
            Synthetic::InvalidReasoningSummary { .. } => "invalid_reasoning_summary",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            Synthetic::OauthNotConfigured
            | Synthetic::NoAccountsConfigured { .. }
            | Synthetic::RefreshInvalidGrantAll
            | Synthetic::RefreshInvalidGrant
            | Synthetic::MissingRefreshToken
            | Synthetic::MissingAccountIdentity
            | Synthetic::RefreshFailed
            | Synthetic::UnauthorizedClient => 401,
            Synthetic::NoEnabledAccounts { .. } | Synthetic::ForbiddenOrigin => 403,
            Synthetic::MisdirectedHost => 421,
            Synthetic::UnsupportedMediaType => 415,
            Synthetic::RequestTimeout => 408,
            Synthetic::MalformedRequest
            | Synthetic::InvalidChatRequest { .. }
            | Synthetic::InvalidReasoningSummary { .. } => 400,
            Synthetic::UpstreamTimeout { .. } => 504,
            Synthetic::AllAccountsCoolingDown { .. } | Synthetic::AllAccountsRateLimited { .. } => {
                429
            }
            Synthetic::AuthStorageError => 500,
            Synthetic::UpstreamUnreachable | Synthetic::ProxyBusy => 503,
            Synthetic::ProxyFetchFailed
            | Synthetic::RedirectLimitExceeded
            | Synthetic::RedirectNotValidated
            | Synthetic::RedirectNonIdempotent
            | Synthetic::RedirectError => 502,
            Synthetic::DisallowedProtocol { .. }
            | Synthetic::DisallowedCredentials { .. }
            | Synthetic::DisallowedPort { .. }
            | Synthetic::DisallowedHost { .. } => 400,
            Synthetic::RequestTooLarge { .. } => 413,
            Synthetic::NotFound => 404,
            Synthetic::MethodNotAllowed => 405,
        }
    }

    /// The message, in the plugin's words.
    pub fn message(&self) -> String {
        match self {
            Synthetic::OauthNotConfigured => {
                "Not authenticated with OpenAI. Run `opencode auth login`.".into()
            }
            Synthetic::NoAccountsConfigured { mode } => format!(
                "No OpenAI {mode} accounts configured. Run `opencode auth login`."
            ),
            Synthetic::NoEnabledAccounts { mode } => format!(
                "No enabled OpenAI {mode} accounts available. Enable an account or run `opencode auth login`."
            ),
            Synthetic::RefreshInvalidGrantAll => "All enabled OpenAI refresh tokens were rejected (invalid_grant). Run `opencode auth login` to reauthenticate.".into(),
            Synthetic::RefreshInvalidGrant => "OpenAI refresh token was rejected (invalid_grant). Run `opencode auth login` to reauthenticate this account.".into(),
            Synthetic::AllAccountsCoolingDown { wait_ms } => format!(
                "All enabled OpenAI accounts are cooling down. Try again in {} or run `opencode auth login`.",
                format_wait(*wait_ms)
            ),
            Synthetic::MissingRefreshToken => "Selected OpenAI account is missing a refresh token. Run `opencode auth login` to reauthenticate.".into(),
            Synthetic::MissingAccountIdentity => "Selected OpenAI account is missing identity metadata. Run `opencode auth login` to reauthenticate.".into(),
            Synthetic::RefreshFailed => {
                "Failed to refresh OpenAI access token. Run `opencode auth login` and try again."
                    .into()
            }
            Synthetic::AuthStorageError => "Unable to access OpenAI auth storage. Check plugin configuration and run `opencode auth login` if needed.".into(),
            Synthetic::AllAccountsRateLimited { wait_ms } => format!(
                "All attempted OpenAI accounts are rate limited. Try again in {} or run `opencode auth login` to add another account.",
                wait_ms.map_or_else(|| "a short while".to_string(), format_wait)
            ),
            Synthetic::UpstreamUnreachable => "OpenAI request failed before receiving a response. Check connectivity and try again.".into(),
            Synthetic::ProxyFetchFailed => "OpenAI request failed unexpectedly. Retry once, and if it persists run `opencode auth login`.".into(),
            Synthetic::RedirectLimitExceeded => "Outbound request redirect limit exceeded.".into(),
            Synthetic::RedirectNotValidated => {
                "Blocked outbound redirect because redirect URL validation is not configured."
                    .into()
            }
            Synthetic::RedirectNonIdempotent => {
                "Blocked outbound redirect for non-idempotent request method.".into()
            }
            Synthetic::RedirectError => "Outbound request redirect handling failed.".into(),
            Synthetic::DisallowedProtocol { protocol } => format!(
                "Blocked outbound request with unsupported protocol \"{protocol}\". This plugin only proxies HTTPS requests to OpenAI/ChatGPT backends."
            ),
            Synthetic::DisallowedCredentials { host } => format!(
                "Blocked outbound request to \"{host}\" with URL-embedded credentials. Remove credentials from the URL."
            ),
            Synthetic::DisallowedPort { host_port } => format!(
                "Blocked outbound request to \"{host_port}\". This plugin only proxies OpenAI/ChatGPT backend traffic on the default HTTPS port."
            ),
            Synthetic::DisallowedHost { host } => format!(
                "Blocked outbound request to \"{host}\". This plugin only proxies OpenAI/ChatGPT backend traffic."
            ),
            Synthetic::RequestTooLarge { limit } => {
                format!("Request body exceeds the proxy's limit of {limit} bytes.")
            }
            Synthetic::UnauthorizedClient => {
                "Missing or invalid client key for this codex-runtime proxy.".into()
            }
            Synthetic::NotFound => "Not found.".into(),
            Synthetic::MethodNotAllowed => "Method not allowed.".into(),
            Synthetic::MisdirectedHost => "The request's Host does not name this codex-runtime proxy; connect to it as localhost, 127.0.0.1 or [::1] with its port.".into(),
            Synthetic::ForbiddenOrigin => "Requests from this web origin are not allowed by this codex-runtime proxy (see --allow-origin).".into(),
            Synthetic::UnsupportedMediaType => "Request body must be sent with content-type: application/json.".into(),
            Synthetic::RequestTimeout => "Request body was not received in time.".into(),
            Synthetic::ProxyBusy => "The proxy holds too many request bytes at once; try again shortly.".into(),
            Synthetic::MalformedRequest => "Request body framing is malformed.".into(),
            Synthetic::UpstreamTimeout { secs } => format!("OpenAI did not answer within {secs} s on any attempted account. Try again."),
            Synthetic::InvalidChatRequest { message } => format!("Invalid Chat Completions request: {message}."),
            Synthetic::InvalidReasoningSummary { actual } => format!(
                "Invalid reasoning summary setting source: request setting `request.reasoning.summary` is `{actual}`. Supported values are `auto`, `concise`, `detailed`, `none`."
            ),
        }
    }

    /// Seconds for `Retry-After`, for the rate-limit answers.
    pub fn retry_after_secs(&self) -> Option<u64> {
        let ms = match self {
            Synthetic::AllAccountsCoolingDown { wait_ms } => Some(*wait_ms),
            Synthetic::AllAccountsRateLimited { wait_ms } => *wait_ms,
            Synthetic::ProxyBusy => Some(1000.0),
            _ => None,
        }?;
        Some((ms.max(0.0) / 1000.0).ceil().max(1.0) as u64)
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let mut e = Map::new();
        e.insert("message".into(), Value::String(self.message()));
        e.insert("type".into(), Value::String(self.kind().into()));
        json!({ "error": Value::Object(e) })
    }

    /// The synthetic error for a failed acquisition.
    pub fn from_acquire(e: &AcquireError, mode: &'static str) -> Synthetic {
        match e {
            AcquireError::OauthNotConfigured => Synthetic::OauthNotConfigured,
            AcquireError::NoAccountsConfigured => Synthetic::NoAccountsConfigured { mode },
            AcquireError::NoEnabledAccounts => Synthetic::NoEnabledAccounts { mode },
            AcquireError::RefreshInvalidGrantAll => Synthetic::RefreshInvalidGrantAll,
            AcquireError::AllCoolingDown { wait_ms } => {
                Synthetic::AllAccountsCoolingDown { wait_ms: *wait_ms }
            }
            AcquireError::RefreshInvalidGrant => Synthetic::RefreshInvalidGrant,
            AcquireError::MissingRefreshToken => Synthetic::MissingRefreshToken,
            AcquireError::MissingAccountIdentity => Synthetic::MissingAccountIdentity,
            AcquireError::RefreshFailed => Synthetic::RefreshFailed,
        }
    }
}

/// Every error type, for the documentation test.
pub const ALL_TYPES: &[&str] = &[
    "oauth_not_configured",
    "no_accounts_configured",
    "no_enabled_accounts",
    "refresh_invalid_grant",
    "all_accounts_cooling_down",
    "missing_refresh_token",
    "missing_account_identity",
    "refresh_failed",
    "auth_storage_error",
    "all_accounts_rate_limited",
    "upstream_unreachable",
    "plugin_fetch_failed",
    "outbound_redirect_limit_exceeded",
    "blocked_outbound_redirect",
    "outbound_redirect_error",
    "disallowed_outbound_protocol",
    "disallowed_outbound_credentials",
    "disallowed_outbound_port",
    "disallowed_outbound_host",
    "request_too_large",
    "unauthorized_client",
    "not_found",
    "method_not_allowed",
    "misdirected_host",
    "forbidden_origin",
    "unsupported_media_type",
    "request_timeout",
    "proxy_busy",
    "malformed_request",
    "upstream_timeout",
    "invalid_chat_request",
    "invalid_reasoning_summary",
    "upstream_error",
];

/// Codes of the `error` events the proxy itself writes into event streams.
pub const STREAM_ERROR_CODES: &[&str] = &[
    "upstream_stream_error",
    "upstream_idle_timeout",
    "proxy_shutting_down",
];
