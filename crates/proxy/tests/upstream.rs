//! The Responses POST's connection pool: an https upstream trusted through
//! `--upstream-ca-file` (and refused without it), a CA file that is not one, and the system
//! proxy reached with a `CONNECT` tunnel.

use std::sync::{Arc, Mutex};

use codex_env::EnvSnapshot;
use codex_proxy::config::{system_proxy, UpstreamProxy};
use codex_redact::Secret;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::support::*;

#[tokio::test]
async fn an_https_upstream_is_reached_with_the_extra_ca() {
    let home = Home::new();
    one_account(&home);
    let mock = mock_tls(|_, _| Reply::sse(sse_events("over tls"))).await;
    assert!(mock.upstream().starts_with("https://127.0.0.1:"));
    let c = proxy_config(&home, &mock, |o| o.upstream_ca_file = Some(test_ca_file()));
    let run = codex_proxy::start(c).await.expect("start proxy");
    let r = post(&run, &opencode_body()).await;
    assert_eq!(r.status().as_u16(), 200);
    let text = r.text().await.expect("body");
    assert!(text.contains("over tls"), "{text}");
    assert_eq!(mock.responses().len(), 1);
    run.stop().await;
}

#[tokio::test]
async fn an_https_upstream_is_refused_without_the_ca() {
    let home = Home::new();
    one_account(&home);
    let mock = mock_tls(|_, _| Reply::sse(sse_events("never"))).await;
    let run = codex_proxy::start(proxy_config(&home, &mock, |_| {}))
        .await
        .expect("start proxy");
    let r = post(&run, &opencode_body()).await;
    assert_eq!(r.status().as_u16(), 503);
    let v: serde_json::Value = serde_json::from_str(&r.text().await.expect("body")).expect("json");
    assert_eq!(v["error"]["type"], "upstream_unreachable", "{v}");
    // The handshake failed: no request reached the mock.
    assert!(mock.responses().is_empty());
    run.stop().await;
}

#[tokio::test]
async fn a_ca_file_without_a_certificate_stops_the_start_naming_it() {
    let home = Home::new();
    one_account(&home);
    let mock = mock_tls(|_, _| Reply::sse(sse_events("never"))).await;
    let bad = home.root().join("not-a-ca.pem");
    std::fs::write(&bad, "just text\n").expect("write");
    let c = proxy_config(&home, &mock, |o| o.upstream_ca_file = Some(bad.clone()));
    let err = codex_proxy::start(c).await.expect_err("refused");
    let msg = err.to_string();
    assert!(msg.contains("not-a-ca.pem"), "{msg}");
    assert!(msg.contains("--upstream-ca-file"), "{msg}");
}

#[test]
fn the_system_proxy_comes_from_the_environment_minus_no_proxy() {
    let target: http::Uri = "https://chatgpt.com/backend-api/codex/responses"
        .parse()
        .expect("uri");
    let env = EnvSnapshot::from_pairs([("HTTPS_PROXY", "http://user:pw@10.0.0.9:3128")]);
    let p = system_proxy(&env, &target).expect("proxied");
    assert_eq!(p.uri.host(), Some("10.0.0.9"));
    assert_eq!(p.uri.port_u16(), Some(3128));
    assert!(p.auth.is_some());
    // Credentials never print.
    assert!(!format!("{p:?}").contains("pw"), "{p:?}");
    let lower = EnvSnapshot::from_pairs([("all_proxy", "http://10.0.0.9:3128")]);
    assert!(system_proxy(&lower, &target).is_some_and(|p| p.auth.is_none()));
    let bypass = EnvSnapshot::from_pairs([
        ("HTTPS_PROXY", "http://10.0.0.9:3128"),
        ("NO_PROXY", "localhost,chatgpt.com"),
    ]);
    assert!(system_proxy(&bypass, &target).is_none());
    let only_http = EnvSnapshot::from_pairs([("HTTP_PROXY", "http://10.0.0.9:3128")]);
    assert!(system_proxy(&only_http, &target).is_none());
}

#[tokio::test]
async fn the_test_hook_never_uses_the_system_proxy() {
    let home = Home::new();
    let mock = mock(|_, _| Reply::sse(sse_events("never"))).await;
    let env = home
        .env()
        .with("HTTPS_PROXY", "http://10.0.0.9:3128")
        .with("HTTP_PROXY", "http://10.0.0.9:3128");
    let opts = codex_proxy::ServeOptions {
        upstream: Some(mock.upstream()),
        ..codex_proxy::ServeOptions::default()
    };
    let c = codex_proxy::ProxyConfig::resolve(&env, home.root(), &opts).expect("config");
    assert!(c.upstream_proxy.is_none());
    let plain = codex_proxy::ProxyConfig::resolve(
        &home.env().with("HTTPS_PROXY", "http://10.0.0.9:3128"),
        home.root(),
        &codex_proxy::ServeOptions::default(),
    )
    .expect("config");
    assert!(plain.upstream_proxy.is_some());
}

/// A loopback `CONNECT` proxy: records each request head, then relays bytes both ways.
async fn connect_proxy() -> (std::net::SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let heads: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = heads.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read_exact(&mut byte).await.is_err() {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).to_string();
                let target = head
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or_default()
                    .to_string();
                seen.lock().expect("lock").push(head);
                let Ok(mut upstream) = TcpStream::connect(target).await else {
                    let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
                    return;
                };
                let _ = client
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await;
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    (addr, heads)
}

#[tokio::test]
async fn a_system_proxy_is_reached_with_a_connect_tunnel_and_tls_runs_through_it() {
    let home = Home::new();
    one_account(&home);
    let mock = mock_tls(|_, _| Reply::sse(sse_events("tunneled"))).await;
    let (proxy_addr, heads) = connect_proxy().await;
    let mut c = proxy_config(&home, &mock, |o| o.upstream_ca_file = Some(test_ca_file()));
    c.upstream_proxy = Some(UpstreamProxy {
        uri: format!("http://{proxy_addr}").parse().expect("uri"),
        auth: Some(Secret::new(http::HeaderValue::from_static(
            "Basic dXNlcjpwdw==",
        ))),
    });
    let run = codex_proxy::start(c).await.expect("start proxy");
    let r = post(&run, &opencode_body()).await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.expect("body").contains("tunneled"));
    let heads = heads.lock().expect("lock").clone();
    assert_eq!(heads.len(), 1, "{heads:?}");
    assert!(
        heads[0].starts_with(&format!("CONNECT 127.0.0.1:{} HTTP/1.1", mock.addr.port())),
        "{heads:?}"
    );
    assert!(
        heads[0]
            .to_ascii_lowercase()
            .contains("proxy-authorization: basic dxnlcjpwdw=="),
        "{heads:?}"
    );
    assert_eq!(mock.responses().len(), 1);
    run.stop().await;
}

/// A raw upstream that answers each request on a connection with `{}` and closes every
/// connection `close_after` after its first answer; returns its address and the number of
/// connections accepted.
async fn closing_upstream(
    close_after: std::time::Duration,
) -> (std::net::SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let conns = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = conns.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                let deadline = tokio::time::sleep(std::time::Duration::from_secs(3600));
                tokio::pin!(deadline);
                let mut buf = Vec::new();
                loop {
                    let mut chunk = [0u8; 4096];
                    let n = tokio::select! {
                        r = s.read(&mut chunk) => match r { Ok(0) | Err(_) => return, Ok(n) => n },
                        () = &mut deadline => return,
                    };
                    buf.extend_from_slice(&chunk[..n]);
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    let len = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if buf.len() < end + 4 + len {
                        continue;
                    }
                    buf.drain(..end + 4 + len);
                    let answer = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}";
                    if s.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                    deadline
                        .as_mut()
                        .reset(tokio::time::Instant::now() + close_after);
                }
            });
        }
    });
    (addr, conns)
}

fn raw_upstream_config(home: &Home, addr: std::net::SocketAddr) -> codex_proxy::ProxyConfig {
    let opts = codex_proxy::ServeOptions {
        listen: Some("127.0.0.1:0".parse().expect("addr")),
        upstream: Some(format!("http://{addr}/backend-api/codex")),
        issuer: Some(format!("http://{addr}")),
        no_quota_poll: true,
        no_catalog_sync: true,
        ..codex_proxy::ServeOptions::default()
    };
    codex_proxy::ProxyConfig::resolve(&home.env(), home.root(), &opts).expect("config")
}

#[tokio::test]
async fn sequential_requests_reuse_one_upstream_connection() {
    let home = Home::new();
    one_account(&home);
    let (addr, conns) = closing_upstream(std::time::Duration::from_secs(3600)).await;
    let run = codex_proxy::start(raw_upstream_config(&home, addr))
        .await
        .expect("start proxy");
    for _ in 0..3 {
        let r = post(&run, &opencode_body()).await;
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.text().await.expect("body"), "{}");
    }
    assert_eq!(conns.load(std::sync::atomic::Ordering::SeqCst), 1);
    // A live idle connection survives the pruning.
    run.state.upstream.prune();
    assert_eq!(run.state.upstream.idle_connections(), 1);
    run.stop().await;
}

#[tokio::test]
async fn a_pooled_connection_the_upstream_closed_is_replaced() {
    let home = Home::new();
    one_account(&home);
    let (addr, conns) = closing_upstream(std::time::Duration::from_millis(20)).await;
    let run = codex_proxy::start(raw_upstream_config(&home, addr))
        .await
        .expect("start proxy");
    for _ in 0..3 {
        let r = post(&run, &opencode_body()).await;
        assert_eq!(
            r.status().as_u16(),
            200,
            "a closed idle connection is not an error"
        );
        assert_eq!(r.text().await.expect("body"), "{}");
        // The upstream closes the idle connection meanwhile.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(conns.load(std::sync::atomic::Ordering::SeqCst), 3);
    // The last one, closed by the upstream while idle, is found by the pruning.
    assert_eq!(run.state.upstream.idle_connections(), 1);
    run.state.upstream.prune();
    assert_eq!(run.state.upstream.idle_connections(), 0);
    run.stop().await;
}
