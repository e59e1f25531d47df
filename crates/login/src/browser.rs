//! The browser flow end to end: bind the callback server, make PKCE and state, hand the
//! authorize URL to the caller ([`crate::Event::OpenUrl`]), wait for the callback and exchange
//! the code (reference 9.2, 9.3).

use codex_store::{Domain, LoginTokens};

use crate::authorize::{authorize_url, redacted_url};
use crate::callback::CallbackServer;
use crate::exchange::{exchange_code, http_client};
use crate::oauth::{Issuer, Timeouts, LOGIN_PORT};
use crate::pkce::{generate_state, Pkce};
use crate::{Event, LoginError};

/// Browser-flow settings.
#[derive(Debug, Clone)]
pub struct BrowserLogin {
    /// The issuer (`https://auth.openai.com`, or a test server).
    pub issuer: Issuer,
    /// The callback port ([`LOGIN_PORT`]; tests use 0 or a free port).
    pub port: u16,
    /// The runtime mode (`originator`, success page or codex redirect).
    pub mode: Domain,
    /// Timeouts.
    pub timeouts: Timeouts,
}

impl BrowserLogin {
    /// The real flow for `mode`.
    pub fn new(mode: Domain) -> Self {
        BrowserLogin {
            issuer: Issuer::openai(),
            port: LOGIN_PORT,
            mode,
            timeouts: Timeouts::default(),
        }
    }

    /// Runs the flow; `on_event` receives the URL to open before the wait starts.
    pub fn run(&self, mut on_event: impl FnMut(Event)) -> Result<LoginTokens, LoginError> {
        let server = CallbackServer::bind(self.port)?;
        let pkce = Pkce::generate()?;
        let state = generate_state()?;
        let redirect_uri = server.redirect_uri();
        let http = http_client(self.timeouts.http)?;
        on_event(Event::OpenUrl {
            url: authorize_url(
                &self.issuer,
                &redirect_uri,
                &pkce.challenge,
                &state,
                self.mode,
            ),
            redacted: redacted_url(&self.issuer, &redirect_uri, &pkce.challenge, self.mode),
            redirect_uri: redirect_uri.clone(),
        });
        server.wait(&state, self.mode, &self.timeouts, |code| {
            exchange_code(
                &http,
                &self.issuer,
                &code,
                &redirect_uri,
                &pkce.verifier,
                self.timeouts.http,
            )
        })
    }
}
