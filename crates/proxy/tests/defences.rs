//! The proxy's defences: what a web page, a slow or broken upstream, a slow or malformed
//! client, another process holding the store's lock, or a half-written store cannot do.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use codex_proxy::Running;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::support::*;

async fn start(
    home: &Home,
    mock: &Mock,
    tweak: impl FnOnce(&mut codex_proxy::ProxyConfig),
) -> Running {
    let mut c = proxy_config(home, mock, |_| {});
    tweak(&mut c);
    codex_proxy::start(c).await.expect("start proxy")
}

/// A raw POST of an OpenCode body with these extra header lines.
fn raw_post(target: &str, host: &str, extra: &str) -> Vec<u8> {
    let body = opencode_body().to_string();
    format!(
        "POST {target} HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\n{extra}content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The `error.type` of a raw answer's JSON body.
fn error_type(answer: &str) -> String {
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("");
    serde_json::from_str::<Value>(body.trim())
        .ok()
        .and_then(|v| v["error"]["type"].as_str().map(str::to_string))
        .unwrap_or_else(|| format!("no error type in {answer:?}"))
}

#[tokio::test]
async fn a_rebinding_host_is_refused_and_loopback_names_are_served() {
    let home = Home::new();
    one_account(&home);
    let mock = mock(|_, _| Reply::sse(sse_events("hi"))).await;
    let run = proxy(&home, &mock).await;
    let port = run.addr.port();
    let evil = raw_exchange(
        run.addr,
        &raw_post("/v1/responses", &format!("attacker.example:{port}"), ""),
    )
    .await;
    assert!(evil.starts_with("HTTP/1.1 421"), "{evil}");
    assert_eq!(error_type(&evil), "misdirected_host");
    // The right name on another port is not this listener either.
    let other_port = raw_exchange(run.addr, &raw_post("/v1/responses", "localhost:1", "")).await;
    assert!(other_port.starts_with("HTTP/1.1 421"), "{other_port}");
    // An absolute-form target naming another host is refused like its Host.
    let abs = raw_exchange(
        run.addr,
        &raw_post(
            "http://attacker.example/v1/responses",
            &format!("127.0.0.1:{port}"),
            "",
        ),
    )
    .await;
    assert!(abs.starts_with("HTTP/1.1 421"), "{abs}");
    assert!(mock.responses().is_empty(), "nothing was forwarded");
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}")] {
        let ok = raw_exchange(run.addr, &raw_post("/v1/responses", &host, "")).await;
        assert!(ok.starts_with("HTTP/1.1 200"), "{host}: {ok}");
    }
    let health = raw_exchange(
        run.addr,
        format!("GET /healthz HTTP/1.1\r\nhost: evil.example:{port}\r\nconnection: close\r\n\r\n")
            .as_bytes(),
    )
    .await;
    assert!(health.starts_with("HTTP/1.1 421"), "{health}");
    run.stop().await;
}

#[tokio::test]
async fn a_foreign_origin_is_refused_unless_allowed() {
    let home = Home::new();
    one_account(&home);
    let mock = mock(|_, _| Reply::sse(sse_events("hi"))).await;
    let run = start(&home, &mock, |c| {
        c.allowed_origins = vec!["http://localhost:3000".into()];
    })
    .await;
    let send = |origin: &'static str| {
        let url = format!("{}/v1/responses", run.base_url());
        async move {
            client()
                .post(url)
                .header("origin", origin)
                .header("content-type", "application/json")
                .body(opencode_body().to_string())
                .send()
                .await
                .expect("answer")
        }
    };
    let r = send("https://attacker.example").await;
    assert_eq!(r.status().as_u16(), 403);
    assert_eq!(body_json(r).await["error"]["type"], "forbidden_origin");
    let r = send("null").await;
    assert_eq!(r.status().as_u16(), 403);
    assert!(mock.responses().is_empty());
    let r = send("http://localhost:3000").await;
    assert_eq!(r.status().as_u16(), 200, "allowed by configuration");
    let own = format!("http://127.0.0.1:{}", run.addr.port());
    let r = client()
        .post(format!("{}/v1/responses", run.base_url()))
        .header("origin", own)
        .header("content-type", "application/json")
        .body(opencode_body().to_string())
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status().as_u16(), 200, "the listener's own origin");
    run.stop().await;
}

#[tokio::test]
async fn a_post_that_is_not_declared_json_is_refused() {
    let home = Home::new();
    one_account(&home);
    let mock = mock(|_, _| Reply::sse(sse_events("hi"))).await;
    let run = proxy(&home, &mock).await;
    for ct in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut req = client()
            .post(format!("{}/v1/responses", run.base_url()))
            .body(opencode_body().to_string());
        if let Some(ct) = ct {
            req = req.header("content-type", ct);
        }
        let r = req.send().await.expect("answer");
        assert_eq!(r.status().as_u16(), 415, "{ct:?}");
        assert_eq!(
            body_json(r).await["error"]["type"],
            "unsupported_media_type"
        );
    }
    assert!(mock.responses().is_empty());
    let r = client()
        .post(format!("{}/v1/responses", run.base_url()))
        .header("content-type", "Application/JSON; charset=utf-8")
        .body(opencode_body().to_string())
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status().as_u16(), 200);
    run.stop().await;
}

#[tokio::test]
async fn auth_schemes_are_case_insensitive() {
    let home = Home::new();
    one_account(&home);
    let mock = mock(|_, _| Reply::sse(sse_events("hi"))).await;
    let run = codex_proxy::start(proxy_config(&home, &mock, |o| {
        o.client_key = Some("k3y".into());
    }))
    .await
    .expect("start");
    for (value, status) in [
        ("BEARER k3y", 200),
        ("bearer k3y", 200),
        ("Bearer k3y", 200),
        ("Basic k3y", 401),
        ("BEARER nope", 401),
    ] {
        let r = client()
            .post(format!("{}/v1/responses", run.base_url()))
            .header("authorization", value)
            .header("content-type", "application/json")
            .body(opencode_body().to_string())
            .send()
            .await
            .expect("answer");
        assert_eq!(r.status().as_u16(), status, "{value}");
    }
    run.stop().await;
}

#[tokio::test]
async fn an_upstream_that_never_answers_fails_over_within_the_header_timeout() {
    let home = Home::new();
    two_accounts(&home);
    let mock = mock_failing_a(|| Reply::Hang, "from b").await;
    let run = start(&home, &mock, |c| {
        c.upstream_header_timeout = Duration::from_millis(300);
    })
    .await;
    let r = tokio::time::timeout(Duration::from_secs(20), post(&run, &opencode_body()))
        .await
        .expect("answered, not hung");
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.expect("body").contains("from b"));
    let tokens: Vec<_> = mock.responses().iter().map(|r| r.bearer()).collect();
    assert_eq!(
        tokens,
        [Some("at_acc_a".to_string()), Some("at_acc_b".to_string())]
    );
    run.stop().await;
}

#[tokio::test]
async fn when_no_upstream_answers_the_answer_is_upstream_timeout() {
    let home = Home::new();
    one_account(&home);
    let mock = mock(|_, _| Reply::Hang).await;
    let run = start(&home, &mock, |c| {
        c.upstream_header_timeout = Duration::from_millis(200);
    })
    .await;
    let r = tokio::time::timeout(Duration::from_secs(20), post(&run, &opencode_body()))
        .await
        .expect("answered");
    assert_eq!(r.status().as_u16(), 504);
    assert_eq!(body_json(r).await["error"]["type"], "upstream_timeout");
    run.stop().await;
}

#[tokio::test]
async fn an_upstream_silent_mid_stream_ends_with_an_error_event() {
    let home = Home::new();
    one_account(&home);
    let events = sse_events("partial");
    let mock = mock(move |_, _| Reply::SseThenSilence(events[..4].to_vec())).await;
    let run = start(&home, &mock, |c| {
        c.upstream_idle_timeout = Duration::from_millis(400);
    })
    .await;
    let r = post(&run, &opencode_body()).await;
    assert_eq!(r.status().as_u16(), 200);
    let text = tokio::time::timeout(Duration::from_secs(20), r.text())
        .await
        .expect("the stream ended")
        .expect("body");
    assert!(text.contains("partial"), "{text}");
    assert!(
        text.contains("event: error") && text.contains("upstream_idle_timeout"),
        "{text}"
    );
    run.stop().await;
}

#[tokio::test]
async fn streams_cut_by_the_shutdown_drain_get_an_error_event() {
    let home = Home::new();
    one_account(&home);
    let closed = Arc::new(AtomicBool::new(false));
    let c = closed.clone();
    let mock = mock(move |_, _| Reply::Endless(Duration::from_millis(30), c.clone())).await;
    let run = start(&home, &mock, |c| {
        c.drain_timeout = Duration::from_millis(300);
        c.hold = Duration::from_millis(50);
    })
    .await;
    let mut r = post(&run, &opencode_body()).await;
    assert_eq!(r.status().as_u16(), 200);
    let first = r.chunk().await.expect("chunk").expect("some");
    assert!(!first.is_empty());
    let stop = tokio::spawn(run.stop());
    let mut rest = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), async {
        while let Ok(Some(c)) = r.chunk().await {
            rest.extend_from_slice(&c);
        }
    })
    .await;
    assert!(read.is_ok(), "the stream ended");
    let text = String::from_utf8_lossy(&rest);
    assert!(text.contains("proxy_shutting_down"), "{text}");
    stop.await.expect("stopped");
    assert!(eventually(Duration::from_secs(10), || closed.load(Ordering::SeqCst)).await);
}

#[tokio::test]
async fn a_trickled_body_is_answered_408_and_closed() {
    let home = Home::new();
    one_account(&home);
    let mock = mock(|_, _| Reply::sse(sse_events("hi"))).await;
    let run = start(&home, &mock, |c| {
        c.body_idle_timeout = Duration::from_millis(300);
        c.body_total_timeout = Duration::from_millis(1500);
    })
    .await;
    let port = run.addr.port();
    // Idle: a few bytes, then nothing.
    let mut s = tokio::net::TcpStream::connect(run.addr)
        .await
        .expect("connect");
    s.write_all(
        format!("POST /v1/responses HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{{\"mo")
            .as_bytes(),
    )
    .await
    .expect("write");
    let mut out = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(20), s.read_to_end(&mut out)).await;
    assert!(read.is_ok(), "the connection was closed");
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert_eq!(error_type(&text), "request_timeout");
    // Total: a byte every 100 ms never trips the idle timeout, but the total one.
    let mut s = tokio::net::TcpStream::connect(run.addr)
        .await
        .expect("connect");
    s.write_all(
        format!("POST /v1/responses HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n")
            .as_bytes(),
    )
    .await
    .expect("write");
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while started.elapsed() < Duration::from_secs(20) {
        if s.write_all(b" ").await.is_err() {
            break;
        }
        match tokio::time::timeout(Duration::from_millis(100), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => answer.extend_from_slice(&buf[..n]),
            Err(_) => {}
        }
    }
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(mock.responses().is_empty());
    run.stop().await;
}

#[tokio::test]
async fn malformed_chunked_framing_is_a_400() {
    let home = Home::new();
    one_account(&home);
    let mock = mock(|_, _| Reply::sse(sse_events("hi"))).await;
    let run = proxy(&home, &mock).await;
    let port = run.addr.port();
    let answer = raw_exchange(
        run.addr,
        format!("POST /v1/responses HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n{{}}\r\n0\r\n\r\n")
            .as_bytes(),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert_eq!(error_type(&answer), "malformed_request");
    assert!(mock.responses().is_empty());
    run.stop().await;
}

#[tokio::test]
async fn concurrent_large_bodies_stay_under_the_global_cap() {
    let home = Home::new();
    one_account(&home);
    let mock = mock(|_, _| Reply::sse(sse_events("hi"))).await;
    let run = start(&home, &mock, |c| {
        c.max_buffered_bytes = 1024 * 1024;
    })
    .await;
    let port = run.addr.port();
    // One client declares 800 KB and sends it slowly: its share is held.
    let mut slow = tokio::net::TcpStream::connect(run.addr)
        .await
        .expect("connect");
    let body = format!(
        "{{\"model\":\"gpt-5.4\",\"input\":\"{}\"}}",
        "x".repeat(800 * 1024)
    );
    slow.write_all(
        format!(
            "POST /v1/responses HTTP/1.1\r\nhost: 127.0.0.1:{port}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .await
    .expect("write");
    slow.write_all(&body.as_bytes()[..1024])
        .await
        .expect("write");
    // Another 800 KB body does not fit next to it.
    let big = Bytes::from(body.clone());
    let mut refused = None;
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let r = client()
            .post(format!("{}/v1/responses", run.base_url()))
            .header("content-type", "application/json")
            .body(big.clone())
            .send()
            .await
            .expect("answer");
        if r.status().as_u16() == 503 {
            refused = Some(r);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let r = refused.expect("a second large body was refused");
    assert_eq!(
        r.headers().get("retry-after").and_then(|v| v.to_str().ok()),
        Some("1")
    );
    assert_eq!(body_json(r).await["error"]["type"], "proxy_busy");
    // The first one completes normally.
    slow.write_all(&body.as_bytes()[1024..])
        .await
        .expect("write");
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(20), slow.read_to_end(&mut out)).await;
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    // Its share was given back.
    let r = client()
        .post(format!("{}/v1/responses", run.base_url()))
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status().as_u16(), 200);
    run.stop().await;
}

#[tokio::test]
async fn connections_past_the_cap_wait_for_a_slot() {
    let home = Home::new();
    one_account(&home);
    let mock = mock(|_, _| Reply::sse(sse_events("hi"))).await;
    let run = start(&home, &mock, |c| {
        c.max_connections = 2;
    })
    .await;
    let a = tokio::net::TcpStream::connect(run.addr).await.expect("a");
    let b = tokio::net::TcpStream::connect(run.addr).await.expect("b");
    let addr = run.addr;
    let waiting = tokio::spawn(async move {
        let req = format!(
            "GET /healthz HTTP/1.1\r\nhost: 127.0.0.1:{}\r\nconnection: close\r\n\r\n",
            addr.port()
        );
        raw_exchange(addr, req.as_bytes()).await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !waiting.is_finished(),
        "a third connection was served at the cap"
    );
    drop(a);
    let answer = tokio::time::timeout(Duration::from_secs(20), waiting)
        .await
        .expect("served once a slot freed")
        .expect("task");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    drop(b);
    run.stop().await;
}

#[tokio::test]
async fn a_held_store_lock_does_not_hold_up_a_429_failover() {
    let home = Home::new();
    two_accounts(&home);
    let mock = mock_failing_a(
        || {
            Reply::with_headers(
                429,
                &[("retry-after", "120")],
                json!({"error": {"message": "slow down"}}),
            )
        },
        "from b",
    )
    .await;
    let run = proxy(&home, &mock).await;
    // Warm the view, then another process takes the store's lock.
    assert_eq!(get_json(&run, "/status").await["mode"], "native");
    let lock = codex_store::AuthStore::new(home.store_path()).lock_dir();
    std::fs::create_dir(&lock).expect("hold the lock");
    let started = Instant::now();
    let r = post(&run, &opencode_body()).await;
    let elapsed = started.elapsed();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.expect("body").contains("from b"));
    // The store's lock budget is 12 s; the answer did not wait for it.
    assert!(
        elapsed < Duration::from_secs(6),
        "answered after {elapsed:?}"
    );
    assert!(home.account("acc_a").get("cooldownUntil").is_none());
    std::fs::remove_dir(&lock).expect("release");
    // Once the lock is free the cooldown reaches the store.
    assert!(
        eventually(Duration::from_secs(30), || home
            .account("acc_a")
            .get("cooldownUntil")
            .is_some())
        .await,
        "cooldown persisted after the lock was released"
    );
    run.stop().await;
}

#[tokio::test]
async fn a_torn_read_of_the_store_is_not_quarantined_and_serving_goes_on() {
    let home = Home::new();
    one_account(&home);
    let mock = mock(|_, _| Reply::sse(sse_events("hi"))).await;
    let run = start(&home, &mock, |c| {
        c.store_settle_delay = Duration::from_millis(1500);
    })
    .await;
    assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 200);
    let full = std::fs::read(home.store_path()).expect("store");
    // A writer that truncates and rewrites in place, caught half way.
    std::fs::write(home.store_path(), &full[..full.len() / 2]).expect("torn");
    let r = post(&run, &opencode_body()).await;
    assert_eq!(r.status().as_u16(), 200, "served from the last good view");
    std::fs::write(home.store_path(), &full).expect("finished");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let qdir = codex_store::AuthStore::new(home.store_path()).quarantine_dir();
    let quarantined = std::fs::read_dir(&qdir).map(|d| d.count()).unwrap_or(0);
    assert_eq!(quarantined, 0, "nothing quarantined");
    assert_eq!(std::fs::read(home.store_path()).expect("store"), full);
    assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 200);
    run.stop().await;
}

#[tokio::test]
async fn a_torn_store_before_any_good_read_is_not_quarantined_by_status() {
    let home = Home::new();
    one_account(&home);
    let full = std::fs::read(home.store_path()).expect("store");
    let mock = mock(|_, _| Reply::sse(sse_events("hi"))).await;
    let run = start(&home, &mock, |c| {
        c.store_settle_delay = Duration::from_millis(1500);
    })
    .await;
    // Torn before the proxy has ever read it: `/status` reads the store synchronously.
    std::fs::write(home.store_path(), &full[..full.len() / 2]).expect("torn");
    let status = get_json(&run, "/status").await;
    let err = status["storeError"].as_str().expect("a store error");
    assert!(err.contains("does not parse"), "{err}");
    let qdir = codex_store::AuthStore::new(home.store_path()).quarantine_dir();
    let quarantined = || std::fs::read_dir(&qdir).map(|d| d.count()).unwrap_or(0);
    assert_eq!(quarantined(), 0, "not quarantined on the first torn read");
    std::fs::write(home.store_path(), &full).expect("finished");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(quarantined(), 0, "the settle read found it whole");
    assert_eq!(std::fs::read(home.store_path()).expect("store"), full);
    assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 200);
    run.stop().await;
}

#[tokio::test]
async fn a_store_that_stays_corrupt_is_quarantined_after_the_settle_delay() {
    let home = Home::new();
    one_account(&home);
    let mock = mock(|_, _| Reply::sse(sse_events("hi"))).await;
    let run = start(&home, &mock, |c| {
        c.store_settle_delay = Duration::from_millis(200);
    })
    .await;
    assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 200);
    std::fs::write(home.store_path(), b"{\"openai\": {").expect("corrupt");
    assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 200);
    let qdir = codex_store::AuthStore::new(home.store_path()).quarantine_dir();
    assert!(
        eventually(Duration::from_secs(20), || std::fs::read_dir(&qdir)
            .map(|d| d.count() > 0)
            .unwrap_or(false))
        .await,
        "quarantined once it stayed corrupt"
    );
    run.stop().await;
}
