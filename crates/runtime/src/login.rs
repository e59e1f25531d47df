//! `codex-runtime login`: sign in with ChatGPT and upsert the account into the store.
//!
//! The browser flow (default) or the device-code flow (`--device`) runs through
//! `codex-login`; the tokens are persisted by `codex-store`'s `upsert_login` under the store's
//! lock, with the plugin's identity rules (reference 4.2, 4.7), into the domain of the current
//! runtime mode, which makes the account active there. What the user must see (the URL, the
//! device code) goes through `notify`; the returned report holds no token.

use std::path::{Path, PathBuf};

use clap::Args;
use codex_env::{env_vars, EnvSnapshot};
use codex_login::browser::BrowserLogin;
use codex_login::device::DeviceLogin;
use codex_login::open::open_browser;
use codex_login::{Event, Issuer, LoginError, Timeouts, LOGIN_PORT};
use codex_store::{AccountRow, Domain};

use crate::context::Context;
use crate::error::RuntimeError;

/// `login` options.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Use the device-code flow (no callback server; for SSH sessions and busy ports).
    #[arg(long)]
    pub device: bool,
    /// Print the sign-in URL instead of opening a browser.
    #[arg(long)]
    pub no_browser: bool,
    /// Test/self-hosting hook: OAuth issuer URL (also CODEX_RUNTIME_ISSUER).
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,
    /// Seconds to wait for the store's lock before reporting who holds it.
    #[arg(long, value_name = "SECONDS", default_value_t = 12.0)]
    pub lock_timeout: f64,
}

/// What `login` did.
#[derive(Debug, Clone)]
pub struct LoginReport {
    /// The store file.
    pub store: PathBuf,
    /// The domain the account went into.
    pub mode: Domain,
    /// The account's row after the upsert (absent when the tokens carry no identity).
    pub row: Option<AccountRow>,
}

fn issuer(args: &LoginArgs, env: &EnvSnapshot) -> Result<Issuer, RuntimeError> {
    let raw = args
        .issuer
        .as_deref()
        .or_else(|| env.non_blank(env_vars::CODEX_RUNTIME_ISSUER));
    match raw {
        None => Ok(Issuer::openai()),
        Some(r) => Issuer::parse(r).map_err(|e| RuntimeError::user(e.to_string())),
    }
}

fn port(env: &EnvSnapshot) -> Result<u16, RuntimeError> {
    match env.non_blank(env_vars::CODEX_RUNTIME_LOGIN_PORT) {
        None => Ok(LOGIN_PORT),
        Some(p) => p.parse().map_err(|_| {
            RuntimeError::user(format!(
                "{} must be a port number (0-65535), not `{p}`",
                env_vars::CODEX_RUNTIME_LOGIN_PORT
            ))
        }),
    }
}

/// The device flow's `User-Agent`: `opencode/<version>` in native mode, the Codex CLI's in
/// codex mode (reference 9.4).
fn device_user_agent(mode: Domain) -> String {
    match mode {
        Domain::Native => format!("opencode/{}", env!("CARGO_PKG_VERSION")),
        Domain::Codex => {
            let agents = codex_proxy::shape::UserAgents::for_this_machine(
                env!("CARGO_PKG_VERSION"),
                codex_proxy::config::DEFAULT_CLIENT_VERSION,
            );
            format!("codex_cli_rs{}", agents.codex_suffix)
        }
    }
}

fn login_error(e: LoginError) -> RuntimeError {
    let message = e.to_string();
    match e {
        LoginError::PortBusy { port, holders, .. } => {
            let who = if holders.is_empty() {
                format!("find the holder with `ss -ltnp 'sport = :{port}'` or `lsof -iTCP:{port} -sTCP:LISTEN`")
            } else {
                format!(
                    "held by {} (another login in progress?)",
                    holders.join(", ")
                )
            };
            RuntimeError::user(message)
                .hint(who)
                .hint("or sign in without the callback server: `codex-runtime login --device`")
        }
        LoginError::Denied(_) | LoginError::Cancelled => {
            RuntimeError::user(message).hint("run `codex-runtime login` again to retry")
        }
        LoginError::CallbackTimeout => RuntimeError::user(message)
            .hint("no browser came back; `codex-runtime login --device` works without one"),
        LoginError::Http(cause) => RuntimeError::user(message).hint(transport_hint(&cause)),
        _ => RuntimeError::user(message),
    }
}

/// What to do about a request that never got an answer, by its cause.
fn transport_hint(cause: &str) -> String {
    let low = cause.to_ascii_lowercase();
    let what = if low.contains("dns error") || low.contains("lookup address") {
        "the issuer's host name does not resolve: check the network and DNS (and the issuer URL, if you set one)"
    } else if low.contains("connection refused") {
        "nothing answers at the issuer's address: check the issuer URL (`--issuer`, CODEX_RUNTIME_ISSUER) or the proxy in HTTPS_PROXY"
    } else if low.contains("certificate") || low.contains("tls") || low.contains("handshake") {
        "the TLS connection failed: a proxy or firewall that intercepts HTTPS needs its CA in the system's trust store (or SSL_CERT_FILE)"
    } else if low.contains("unreachable") {
        "no route to the issuer: check the network connection (and HTTPS_PROXY behind a proxy)"
    } else {
        "check the network connection, and HTTPS_PROXY/NO_PROXY behind a proxy"
    };
    what.to_string()
}

/// Runs the login; `notify` shows the user a line (stderr in the binary).
pub fn login(
    args: &LoginArgs,
    env: &EnvSnapshot,
    cwd: &Path,
    mut notify: impl FnMut(&str),
) -> Result<LoginReport, RuntimeError> {
    let ctx = Context::resolve(env, cwd, args.lock_timeout)?;
    let issuer = issuer(args, env)?;
    let timeouts = Timeouts::from_env(env);
    let no_browser = args.no_browser || env.get(env_vars::OPENCODE_NO_BROWSER) == Some("1");
    let tokens = if args.device {
        DeviceLogin {
            issuer,
            user_agent: device_user_agent(ctx.mode),
            timeouts,
        }
        .run(
            |ev| {
                if let Event::DeviceCode {
                    verification_url,
                    user_code,
                } = ev
                {
                    notify(&format!(
                        "Go to {verification_url} and sign in.\nEnter code: {user_code}\nWaiting for approval…"
                    ));
                }
            },
            std::thread::sleep,
        )
    } else {
        BrowserLogin {
            issuer,
            port: port(env)?,
            mode: ctx.mode,
            timeouts,
        }
        .run(|ev| {
            if let Event::OpenUrl { url, redacted, .. } = ev {
                // The state in the URL is one-time and tied to this process's callback
                // server: the full URL is shown only when the user must open it by hand.
                if !no_browser && open_browser(url.expose()) {
                    notify(&format!(
                        "Opened the browser to sign in:\n  {redacted}\nWaiting for the browser…"
                    ));
                } else {
                    notify(&format!(
                        "Open this URL in a browser on this machine to sign in:\n  {}\nWaiting for the browser…",
                        url.expose()
                    ));
                }
            }
        })
    }
    .map_err(login_error)?;
    let store = ctx.store();
    let key = store.upsert_login(ctx.mode, &tokens)?;
    let row = match key {
        Some(k) => store.rows()?.into_iter().find(|r| r.identity_key == k),
        None => None,
    };
    Ok(LoginReport {
        store: store.path().to_path_buf(),
        mode: ctx.mode,
        row,
    })
}

/// The result line.
pub fn render(r: &LoginReport) -> String {
    match &r.row {
        Some(row) => format!(
            "Signed in as #{}: {} [{}], now active. Saved to {}\n",
            row.index,
            row.masked_label(),
            r.mode,
            r.store.display()
        ),
        None => format!(
            "Signed in, but the tokens carry no full identity (account id, email, plan); the account was saved to {} without an identity key and cannot be used for routing.\n",
            r.store.display()
        ),
    }
}
