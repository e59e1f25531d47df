//! The plugin's ChatGPT OAuth login (reference section 9), as a library that never prints.
//!
//! [`oauth`] holds the constants, the issuer and the timeouts read from the environment;
//! [`pkce`] makes the verifier, challenge and state and [`authorize`] the authorize URL in the
//! plugin's parameter order; [`callback`] is the loopback callback server (loopback peers only,
//! state check, success page); [`exchange`] trades a code for tokens; [`browser`] drives the
//! browser flow end to end and [`device`] the device-code flow; [`port`] names the process
//! holding a busy port; [`open`] opens the system browser. Progress the user must see (the URL
//! to open, the device code) is reported through an [`Event`] callback; tokens only ever travel
//! as [`codex_redact::Secret`].

#![warn(unreachable_pub)]

mod authorize;
pub mod browser;
mod callback;
pub mod device;
mod error;
mod exchange;
mod oauth;
pub mod open;
mod pkce;
mod port;

pub use error::LoginError;
pub use oauth::{Issuer, Timeouts, CLIENT_ID, DEFAULT_ISSUER, LOGIN_PORT};

/// The processes listening on a TCP `port`, as `"<pid> <name>"` (Linux's `/proc`; empty
/// elsewhere or when none can be told): for messages about a busy port.
pub fn port_holders(port: u16) -> Vec<String> {
    port::holders(port)
}

use codex_redact::Secret;

/// Something the user has to see or do while a flow runs.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The browser flow waits for the user to open `url` (its `state` is one-time and is
    /// shown only through [`Secret::expose`]; `redacted` is the same URL with the state
    /// replaced, for logs).
    OpenUrl {
        /// The full authorize URL.
        url: Secret<String>,
        /// The URL with `state=[redacted]`.
        redacted: String,
        /// The callback the server listens on (`http://localhost:<port>/auth/callback`).
        redirect_uri: String,
    },
    /// The device flow waits for the user to enter `user_code` at `verification_url`.
    DeviceCode {
        /// Where to enter the code.
        verification_url: String,
        /// The code.
        user_code: String,
    },
}
