//! Where the proxy may send requests, and what it does with redirects (reference 7.1,
//! 7.5, 8).
//!
//! By default only `https://` on port 443 to `api.openai.com`, `auth.openai.com`,
//! `chat.openai.com` and `chatgpt.com` (no subdomains, no userinfo) is allowed. The test
//! and self-hosting hook (`--upstream` / `--issuer`) replaces that list by exactly the
//! origins given. Redirects follow section 8: a response without `Location` is returned as
//! is, the hop cap yields `outbound_redirect_limit_exceeded`, the target must pass the
//! allowlist, anything but GET/HEAD is never redirected (so Responses POSTs never are), and
//! a cross-origin hop drops the credentials. [`get_following`] sends the proxy's own GETs
//! (model catalog, usage poll) through that policy.

use reqwest::Url;

use crate::errors::Synthetic;

/// The plugin's allowed hosts.
pub const ALLOWED_HOSTS: [&str; 4] = [
    "api.openai.com",
    "auth.openai.com",
    "chat.openai.com",
    "chatgpt.com",
];

/// The Codex Responses endpoint.
pub const CODEX_RESPONSES_URL: &str = "https://chatgpt.com/backend-api/codex/responses";

/// Redirect hops allowed (the plugin's `maxRedirects`).
pub const MAX_REDIRECTS: u32 = 3;

/// Headers dropped on a cross-origin redirect hop.
pub const CROSS_ORIGIN_STRIP: [&str; 7] = [
    "authorization",
    "proxy-authorization",
    "chatgpt-account-id",
    "session-id",
    "session_id",
    "cookie",
    "set-cookie",
];

/// The outbound allowlist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allowlist {
    /// The plugin's hosts over HTTPS on 443.
    Default,
    /// Exactly these origins (`scheme://host:port`), from the test hook.
    Origins(Vec<String>),
}

fn origin(url: &Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// Whether two URLs share scheme, host and port.
pub fn same_origin(a: &Url, b: &Url) -> bool {
    origin(a) == origin(b)
}

impl Allowlist {
    /// An allowlist of exactly the origins of these URLs.
    pub fn origins_of<'a>(urls: impl IntoIterator<Item = &'a Url>) -> Allowlist {
        let mut v: Vec<String> = urls.into_iter().map(origin).collect();
        v.dedup();
        Allowlist::Origins(v)
    }

    /// `assertAllowedOutboundUrl`.
    pub fn check(&self, url: &Url) -> Result<(), Synthetic> {
        let host = url.host_str().unwrap_or("").to_ascii_lowercase();
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Synthetic::DisallowedCredentials { host });
        }
        match self {
            Allowlist::Default => {
                if url.scheme() != "https" {
                    return Err(Synthetic::DisallowedProtocol {
                        protocol: format!("{}:", url.scheme()),
                    });
                }
                if let Some(p) = url.port() {
                    if p != 443 {
                        return Err(Synthetic::DisallowedPort {
                            host_port: format!("{host}:{p}"),
                        });
                    }
                }
                if !ALLOWED_HOSTS.contains(&host.as_str()) {
                    return Err(Synthetic::DisallowedHost { host });
                }
                Ok(())
            }
            Allowlist::Origins(list) => {
                if list.contains(&origin(url)) {
                    return Ok(());
                }
                if !list
                    .iter()
                    .any(|o| o.starts_with(&format!("{}://", url.scheme())))
                {
                    return Err(Synthetic::DisallowedProtocol {
                        protocol: format!("{}:", url.scheme()),
                    });
                }
                let host_known = list.iter().any(|o| {
                    o.split("://")
                        .nth(1)
                        .and_then(|hp| hp.rsplit_once(':'))
                        .is_some_and(|(h, _)| h == host)
                });
                if host_known {
                    Err(Synthetic::DisallowedPort {
                        host_port: format!("{host}:{}", url.port_or_known_default().unwrap_or(0)),
                    })
                } else {
                    Err(Synthetic::DisallowedHost { host })
                }
            }
        }
    }
}

/// The plugin's URL rewrite: chat-completions and `/v1/responses` paths on an allowed host
/// go to the Codex Responses URL (query dropped); other URLs are unchanged.
pub fn rewrite_url(url: &Url) -> Url {
    let allowed = Allowlist::Default.check(url).is_ok();
    let path = url.path();
    let rewrite = matches!(
        path,
        "/v1/responses"
            | "/v1/responses/"
            | "/v1/chat/completions"
            | "/chat/completions"
            | "/chat/completions/"
    );
    if allowed && rewrite {
        Url::parse(CODEX_RESPONSES_URL).unwrap_or_else(|_| url.clone())
    } else {
        url.clone()
    }
}

/// What to do with a 3xx response.
#[derive(Debug, Clone, PartialEq)]
pub enum Redirect {
    /// No `Location`: hand the response back as is.
    PassThrough,
    /// Follow to `url`; drop [`CROSS_ORIGIN_STRIP`] when `cross_origin`.
    Follow {
        /// The resolved target.
        url: Url,
        /// Whether the hop leaves the current origin.
        cross_origin: bool,
    },
    /// Answer with this error instead.
    Fail(Synthetic),
}

/// The redirect decision of section 8 for a response at `current` with `location`, after
/// `hops` redirects already followed. `validator` is the allowlist (none → blocked).
pub fn redirect_decision(
    method: &str,
    current: &Url,
    location: Option<&str>,
    hops: u32,
    max_redirects: u32,
    validator: Option<&Allowlist>,
) -> Redirect {
    let Some(location) = location.map(str::trim).filter(|l| !l.is_empty()) else {
        return Redirect::PassThrough;
    };
    if hops >= max_redirects {
        return Redirect::Fail(Synthetic::RedirectLimitExceeded);
    }
    let Some(validator) = validator else {
        return Redirect::Fail(Synthetic::RedirectNotValidated);
    };
    let Ok(target) = current.join(location) else {
        return Redirect::Fail(Synthetic::RedirectError);
    };
    if let Err(e) = validator.check(&target) {
        return Redirect::Fail(e);
    }
    if !method.eq_ignore_ascii_case("GET") && !method.eq_ignore_ascii_case("HEAD") {
        return Redirect::Fail(Synthetic::RedirectNonIdempotent);
    }
    Redirect::Follow {
        cross_origin: !same_origin(current, &target),
        url: target,
    }
}

/// Removes the credential headers for a cross-origin hop.
pub fn strip_cross_origin(headers: &mut http::HeaderMap) {
    for h in CROSS_ORIGIN_STRIP {
        headers.remove(h);
    }
}

/// Why a GET sent through [`get_following`] has no answer.
#[derive(Debug)]
pub enum GetFailure {
    /// The request failed (connect, time-out, reset).
    Transport(reqwest::Error),
    /// A redirect was refused (section 8: hop cap, allowlist, …).
    Redirect(Synthetic),
    /// The request's time limit ran out across its redirect hops.
    TimedOut,
}

impl GetFailure {
    /// A time-out, of one hop or of all of them.
    pub fn is_timeout(&self) -> bool {
        match self {
            GetFailure::Transport(e) => e.is_timeout(),
            GetFailure::TimedOut => true,
            GetFailure::Redirect(_) => false,
        }
    }
}

impl std::fmt::Display for GetFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GetFailure::TimedOut => f.write_str("no answer in time"),
            GetFailure::Transport(e) if e.is_timeout() => f.write_str("no answer in time"),
            GetFailure::Transport(e) if e.is_connect() => {
                f.write_str("cannot connect to the upstream")
            }
            GetFailure::Transport(_) => f.write_str("the connection failed"),
            GetFailure::Redirect(s) => {
                write!(f, "redirect refused ({}: {})", s.kind(), s.message())
            }
        }
    }
}

/// Sends the GET `req`, following redirects as section 8 says: at most [`MAX_REDIRECTS`]
/// hops, every target checked against `allowlist`, the credential headers dropped on a
/// hop to another origin (and not restored after it). A 3xx without `Location` is the
/// answer. The request's time limit covers all hops together. The Responses POST never
/// comes here: it is never redirected.
pub async fn get_following(
    client: &reqwest::Client,
    mut req: reqwest::Request,
    allowlist: &Allowlist,
) -> Result<reqwest::Response, GetFailure> {
    let deadline = req.timeout().map(|t| std::time::Instant::now() + *t);
    let mut hops = 0;
    loop {
        if let Some(d) = deadline {
            let left = d.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(GetFailure::TimedOut);
            }
            *req.timeout_mut() = Some(left);
        }
        let next = req.try_clone();
        let resp = client.execute(req).await.map_err(GetFailure::Transport)?;
        if !resp.status().is_redirection() {
            return Ok(resp);
        }
        let Some(mut next) = next else {
            return Err(GetFailure::Redirect(Synthetic::RedirectError));
        };
        let location = resp
            .headers()
            .get(http::header::LOCATION)
            .and_then(|v| v.to_str().ok());
        match redirect_decision(
            next.method().as_str(),
            next.url(),
            location,
            hops,
            MAX_REDIRECTS,
            Some(allowlist),
        ) {
            Redirect::PassThrough => return Ok(resp),
            Redirect::Fail(s) => return Err(GetFailure::Redirect(s)),
            Redirect::Follow { url, cross_origin } => {
                *next.url_mut() = url;
                if cross_origin {
                    strip_cross_origin(next.headers_mut());
                }
                req = next;
                hops += 1;
            }
        }
    }
}
