//! `network.proxy-env` and `network.reachability`.
//!
//! A proxy variable without `NO_PROXY` covering 127.0.0.1 and localhost sends OpenCode's
//! requests for a local proxy (codex-runtime) through the remote proxy. Reachability of
//! auth.openai.com and chatgpt.com is probed only with `--online`, stage by stage (DNS, TCP,
//! TLS + HTTP) so the failure names the layer that broke; with `HTTPS_PROXY`/`ALL_PROXY` set
//! (and `NO_PROXY` not covering the host) the probe goes through that proxy instead, as
//! OpenCode does, without printing its URL.

use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use codex_env::env_vars;

use super::CheckDef;
use crate::facts::Facts;
use crate::report::CheckResult;

/// `network.proxy-env`.
pub const PROXY_ENV: CheckDef = CheckDef {
    id: "network.proxy-env",
    title: "Proxy variables",
    about: "Whether HTTP(S)_PROXY is set without NO_PROXY covering 127.0.0.1 and localhost.",
    run: proxy,
};

/// `network.reachability`.
pub const REACHABILITY: CheckDef = CheckDef {
    id: "network.reachability",
    title: "Reachability",
    about: "With --online: auth.openai.com and chatgpt.com answer over HTTPS within 5 s.",
    run: run_reach,
};

fn var<'a>(f: &'a Facts, upper: &str) -> Option<(String, &'a str)> {
    let lower = upper.to_ascii_lowercase();
    f.env
        .non_blank(upper)
        .map(|v| (upper.to_string(), v))
        .or_else(|| f.env.non_blank(&lower).map(|v| (lower.clone(), v)))
}

/// Whether a `NO_PROXY` list covers `host` (an entry matches the host itself and, for a
/// name, its subdomains, as curl and reqwest read it; an IP address only matches itself or
/// the loopback ranges below).
pub fn no_proxy_covers(list: &str, host: &str) -> bool {
    list.split([',', ' '])
        .map(|e| e.trim().trim_start_matches("*.").trim_start_matches('.'))
        .filter(|e| !e.is_empty())
        .any(|e| {
            let e = e.split(':').next().unwrap_or(e);
            let h = host.to_ascii_lowercase();
            let l = e.to_ascii_lowercase();
            e == "*"
                || h == l
                || (h.parse::<std::net::IpAddr>().is_err()
                    && h.strip_suffix(&l).is_some_and(|rest| rest.ends_with('.')))
                || (host == "127.0.0.1"
                    && (e == "127.0.0.0/8"
                        || e == "127.0.0.1/32"
                        || e == "127.0.0.0/16"
                        || e == "127.0.0.0/24"))
        })
}

fn proxy(f: &Facts) -> CheckResult {
    let proxies: Vec<(String, &str)> = [
        env_vars::HTTP_PROXY,
        env_vars::HTTPS_PROXY,
        env_vars::ALL_PROXY,
    ]
    .iter()
    .filter_map(|n| var(f, n))
    .collect();
    if proxies.is_empty() {
        return CheckResult::pass("no proxy variables set");
    }
    let names: Vec<String> = proxies.iter().map(|(n, _)| n.clone()).collect();
    let no_proxy = var(f, env_vars::NO_PROXY);
    let list = no_proxy.as_ref().map(|(_, v)| *v).unwrap_or("");
    let missing: Vec<&str> = ["127.0.0.1", "localhost"]
        .into_iter()
        .filter(|h| !no_proxy_covers(list, h))
        .collect();
    if missing.is_empty() {
        return CheckResult::pass(format!(
            "{} set; NO_PROXY covers 127.0.0.1 and localhost",
            names.join(", ")
        ));
    }
    let new_list = if list.is_empty() {
        missing.join(",")
    } else {
        format!("{list},{}", missing.join(","))
    };
    CheckResult::warn(format!(
        "{} set but NO_PROXY does not cover {}: OpenCode sends requests for a local proxy through it",
        names.join(", "),
        missing.join(" or ")
    ))
    .detail(match &no_proxy {
        Some((n, v)) => format!("{n}={v}"),
        None => "NO_PROXY is not set".to_string(),
    })
    .fix(format!("export NO_PROXY=\"{new_list}\" no_proxy=\"{new_list}\""))
}

fn run_reach(f: &Facts) -> CheckResult {
    if !f.options.online {
        return CheckResult::skip(
            "offline by default; run with --online to probe auth.openai.com and chatgpt.com",
        );
    }
    let mut lines = Vec::new();
    let mut failures = Vec::new();
    let via_proxy = var(f, env_vars::HTTPS_PROXY).or_else(|| var(f, env_vars::ALL_PROXY));
    let no_proxy = var(f, env_vars::NO_PROXY).map_or("", |(_, v)| v);
    for host in ["auth.openai.com", "chatgpt.com"] {
        // Through the proxy the environment names, as OpenCode goes: then the proxy resolves
        // the name, and a direct DNS lookup or TCP connect would say nothing (or fail where
        // only the proxy may go out).
        let proxy = via_proxy
            .as_ref()
            .filter(|_| !no_proxy_covers(no_proxy, host))
            .map(|(_, url)| *url);
        match probe(host, proxy, Duration::from_secs(5)) {
            Ok(ms) => lines.push(format!(
                "{host}: HTTPS answered in {ms} ms{}",
                if proxy.is_some() {
                    " (through the proxy)"
                } else {
                    ""
                }
            )),
            Err(e) => failures.push(format!("{host}: {e}")),
        }
    }
    if failures.is_empty() {
        return CheckResult::pass(lines.join("; "));
    }
    let mut r = CheckResult::fail(failures.join("; ")).details(lines);
    if let Some((name, _)) = via_proxy {
        r = r
            .detail(format!("requests go through the proxy in {name}"))
            .fix(format!(
                "Check the proxy in {name} (is it up, does it allow these hosts?)"
            ));
    }
    r.fix("Check your connection, DNS and firewall; a captive portal or VPN can block chatgpt.com")
}

/// Resolves and connects to `host:443`, naming the layer that failed.
fn dns_and_tcp(host: &str, timeout: Duration) -> Result<(), String> {
    let addrs: Vec<_> = (host, 443)
        .to_socket_addrs()
        .map_err(|e| format!("DNS lookup failed ({e})"))?
        .collect();
    let first = addrs
        .first()
        .ok_or_else(|| "DNS returned no address".to_string())?;
    TcpStream::connect_timeout(first, timeout)
        .map_err(|e| format!("TCP connect to {first} failed ({e})"))?;
    Ok(())
}

/// `HEAD https://<host>/`, directly (after DNS and TCP, to name the layer that fails) or
/// through `proxy`. Errors never print the proxy URL (it may carry credentials).
#[cfg(feature = "online")]
fn probe(host: &str, proxy: Option<&str>, timeout: Duration) -> Result<u128, String> {
    let start = Instant::now();
    let builder = reqwest::blocking::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        // The checked environment decides, not the doctor's own process environment.
        .no_proxy();
    let builder = match proxy {
        None => {
            dns_and_tcp(host, timeout)?;
            builder
        }
        Some(url) => builder.proxy(
            reqwest::Proxy::all(url)
                .map_err(|_| "the proxy variable is not a valid URL".to_string())?,
        ),
    };
    let client = builder.build().map_err(|e| format!("HTTP client: {e}"))?;
    match client.head(format!("https://{host}/")).send() {
        Ok(_) => Ok(start.elapsed().as_millis()),
        Err(e) if e.is_timeout() => Err("TLS/HTTP timed out after 5 s".to_string()),
        Err(_) if proxy.is_some() => Err(
            "no HTTPS answer through the proxy (it refused the connection or the tunnel, or the TLS handshake failed)"
                .to_string(),
        ),
        Err(e) if e.is_connect() => Err(format!("TLS handshake failed ({e})")),
        Err(e) => Err(format!("HTTPS request failed ({e})")),
    }
}

#[cfg(not(feature = "online"))]
fn probe(host: &str, proxy: Option<&str>, timeout: Duration) -> Result<u128, String> {
    if proxy.is_some() {
        return Err(
            "this build has no HTTPS client (feature `online`): cannot probe through the proxy"
                .into(),
        );
    }
    let start = Instant::now();
    dns_and_tcp(host, timeout)?;
    Ok(start.elapsed().as_millis())
}

#[cfg(test)]
mod tests {
    use super::no_proxy_covers;

    #[test]
    fn no_proxy_lists() {
        assert!(no_proxy_covers("localhost,127.0.0.1", "127.0.0.1"));
        assert!(no_proxy_covers("*", "localhost"));
        assert!(no_proxy_covers(".localhost, 127.0.0.0/8", "127.0.0.1"));
        assert!(!no_proxy_covers("example.com", "localhost"));
        assert!(!no_proxy_covers("", "localhost"));
        // Subdomains of an entry, not look-alikes.
        assert!(no_proxy_covers(".openai.com", "auth.openai.com"));
        assert!(no_proxy_covers("OpenAI.com:443", "auth.openai.com"));
        assert!(!no_proxy_covers("openai.com", "notopenai.com"));
        assert!(no_proxy_covers("chatgpt.com", "chatgpt.com"));
        assert!(
            !no_proxy_covers("0.0.1", "127.0.0.1"),
            "no suffix match on addresses"
        );
    }
}
