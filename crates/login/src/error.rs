//! Why a login failed. Messages follow the plugin's (reference 9.3, 9.4); none carries a token,
//! a code or the state.

/// A failed login.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// The callback port is taken (the plugin does not retry another port).
    #[error("Failed to start authorization: port {port} is already in use on {addr}")]
    PortBusy {
        /// The port.
        port: u16,
        /// The address that could not be bound.
        addr: String,
        /// `"<pid> <name>"` of the listening processes, where the OS tells.
        holders: Vec<String>,
    },
    /// Any other listen failure.
    #[error("Failed to start authorization: {0}")]
    Listen(String),
    /// The issuer redirected back with an `error` (for example, consent denied).
    #[error("Authorization failed: {0}")]
    Denied(String),
    /// The user opened `/cancel` with the flow's state.
    #[error("Authorization failed: Login cancelled")]
    Cancelled,
    /// Nobody came back to the callback in time.
    #[error("OAuth callback timeout - authorization took too long")]
    CallbackTimeout,
    /// The token endpoint answered non-2xx.
    #[error("Token exchange failed: {0}")]
    ExchangeStatus(u16),
    /// The token endpoint answered 2xx without a usable token set.
    #[error("Token exchange failed: the answer has no {0}")]
    ExchangeBody(&'static str),
    /// An OAuth request ran out of time.
    #[error("OAuth request timed out after {0}ms")]
    Timeout(u64),
    /// A transport failure (the URL is never part of the message).
    #[error("OAuth request failed: {0}")]
    Http(String),
    /// The device-code request was refused.
    #[error("Failed to initiate device authorization")]
    DeviceInit {
        /// The status, when an answer came.
        status: Option<u16>,
    },
    /// The device-code poll failed for good.
    #[error("Device authorization failed: {0}")]
    DeviceFailed(String),
    /// The device code was not approved in time.
    #[error("Device authorization timed out after {0}ms")]
    DeviceTimeout(u64),
    /// The issuer URL is not usable.
    #[error("invalid issuer URL `{0}`: expected http(s)://host[:port]")]
    Issuer(String),
}

impl LoginError {
    /// Maps a reqwest error (without its URL) to a login error, with its causes
    /// (`error sending request: client error (Connect): tcp connect error: Connection refused`):
    /// reqwest's own message says only that sending failed.
    pub(crate) fn from_reqwest(e: reqwest::Error, timeout_ms: u64) -> Self {
        if e.is_timeout() {
            return LoginError::Timeout(timeout_ms);
        }
        let e = e.without_url();
        let mut out = e.to_string();
        let mut cause = std::error::Error::source(&e);
        while let Some(c) = cause {
            let text = c.to_string();
            // hyper and io repeat their cause in their own message now and then.
            if !out.ends_with(&text) {
                out.push_str(": ");
                out.push_str(&text);
            }
            cause = c.source();
        }
        LoginError::Http(out)
    }
}
