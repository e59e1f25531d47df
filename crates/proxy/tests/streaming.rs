//! Streaming: byte-identical passthrough, errors hidden in 200 streams, resets, client
//! disconnects, graceful shutdown, chunks that arrive together leaving in one frame.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use codex_proxy::sse::{HeldStream, ProxyBody, SseScanner};
use futures_util::StreamExt;
use http_body_util::BodyExt;
use serde_json::json;

use crate::support::*;

/// Awkward chunk boundaries: split inside lines, CRLF endings, a comment, unicode.
fn awkward_stream() -> Vec<Bytes> {
    let mut whole = String::new();
    whole.push_str(": keepalive\r\n\r\n");
    for (i, ev) in sse_events("héllo ✓ wörld").iter().enumerate() {
        let s = String::from_utf8_lossy(ev).to_string();
        whole.push_str(&if i % 2 == 0 {
            s.replace('\n', "\r\n")
        } else {
            s
        });
    }
    for i in 0..50 {
        whole.push_str(&format!(
            "event: response.output_text.delta\ndata: {}\n\n",
            json!({"type": "response.output_text.delta", "delta": format!("tok{i} ")})
        ));
    }
    let bytes = whole.into_bytes();
    let mut chunks = Vec::new();
    let mut i = 0;
    let mut size = 1;
    while i < bytes.len() {
        let end = (i + size).min(bytes.len());
        chunks.push(Bytes::copy_from_slice(&bytes[i..end]));
        i = end;
        size = size % 97 + 7;
    }
    chunks
}

#[tokio::test]
async fn sse_body_reaches_the_client_byte_identical() {
    let home = Home::new();
    two_accounts(&home);
    let chunks = awkward_stream();
    let expected: Vec<u8> = chunks.iter().flat_map(|c| c.to_vec()).collect();
    let c2 = chunks.clone();
    let mock = mock(move |_, _| {
        Reply::Sse(
            vec![("x-request-id".into(), "req_1".into())],
            c2.clone(),
            Duration::from_millis(1),
        )
    })
    .await;
    let run = proxy(&home, &mock).await;
    let r = post(&run, &opencode_body()).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/event-stream")
    );
    assert_eq!(
        r.headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok()),
        Some("req_1")
    );
    let got = r.bytes().await.expect("body");
    assert_eq!(got.as_ref(), expected.as_slice());
    run.stop().await;
}

#[tokio::test]
async fn a_burst_reaches_the_client_byte_identical() {
    let home = Home::new();
    two_accounts(&home);
    let chunks = awkward_stream();
    let expected: Vec<u8> = chunks.iter().flat_map(|c| c.to_vec()).collect();
    let mock = mock(move |_, _| Reply::Sse(Vec::new(), chunks.clone(), Duration::ZERO)).await;
    let run = proxy(&home, &mock).await;
    for _ in 0..3 {
        let r = post(&run, &opencode_body()).await;
        assert_eq!(r.status().as_u16(), 200);
        let got = r.bytes().await.expect("body");
        assert_eq!(got.as_ref(), expected.as_slice());
    }
    run.stop().await;
}

#[tokio::test]
async fn waiting_chunks_leave_together_and_none_waits_for_more() {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Bytes>();
    let rest =
        futures_util::stream::unfold(
            rx,
            |mut rx| async move { rx.recv().await.map(|b| (Ok(b), rx)) },
        );
    let held = HeldStream {
        chunks: vec![Bytes::from_static(b"data: held\n\n")],
        rest: Some(Box::pin(rest)),
        failed: None,
    };
    let mut body = ProxyBody::stream(held, true, None);
    let next = |f: Option<Result<http_body::Frame<Bytes>, std::io::Error>>| {
        f.expect("a frame")
            .expect("data")
            .into_data()
            .expect("data frame")
    };
    assert_eq!(next(body.frame().await), "data: held\n\n");
    for part in ["data: a", "\n\n", "data: b\n\n"] {
        tx.send(Bytes::from(part)).expect("send");
    }
    assert_eq!(next(body.frame().await), "data: a\n\ndata: b\n\n");
    tx.send(Bytes::from("data: c\n\n")).expect("send");
    let alone = tokio::time::timeout(Duration::from_secs(5), body.frame())
        .await
        .expect("a lone chunk is sent without waiting for more");
    assert_eq!(next(alone), "data: c\n\n");
    drop(tx);
    assert!(body.frame().await.is_none());
}

#[tokio::test]
async fn first_bytes_arrive_before_the_stream_ends() {
    let home = Home::new();
    two_accounts(&home);
    // The whole stream takes 10 s; its first event must be through long before that.
    let mut chunks = sse_events("early");
    for _ in 0..100 {
        chunks.push(Bytes::from(
            "data: {\"type\":\"response.output_text.delta\",\"delta\":\".\"}\n\n",
        ));
    }
    let mock =
        mock(move |_, _| Reply::Sse(Vec::new(), chunks.clone(), Duration::from_millis(100))).await;
    let run = proxy(&home, &mock).await;
    let started = std::time::Instant::now();
    let r = post(&run, &opencode_body()).await;
    let mut stream = r.bytes_stream();
    let mut seen = String::new();
    while let Some(Ok(c)) = stream.next().await {
        seen.push_str(&String::from_utf8_lossy(&c));
        if seen.contains("early") {
            break;
        }
    }
    let elapsed = started.elapsed();
    assert!(seen.contains("early"));
    assert!(
        elapsed < Duration::from_secs(5),
        "first output after {elapsed:?}"
    );
    drop(stream);
    run.stop().await;
}

#[tokio::test]
async fn a_stream_opening_with_usage_limit_moves_to_the_next_account() {
    let home = Home::new();
    two_accounts(&home);
    let good = sse_events("from b");
    let expected: Vec<u8> = good.iter().flat_map(|c| c.to_vec()).collect();
    let mock = mock(move |req, _| {
        if req.bearer().as_deref() == Some("at_acc_a") {
            Reply::sse(sse_error(
                "usage_limit_reached",
                json!({"resets_in_seconds": 3600}),
            ))
        } else {
            Reply::sse(good.clone())
        }
    })
    .await;
    let run = proxy(&home, &mock).await;
    let before = now_ms();
    let r = post(&run, &opencode_body()).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.bytes().await.expect("body").as_ref(), expected.as_slice());
    let cooldown = persisted_cooldown(&home, "acc_a").await;
    assert!(cooldown >= before + 3_600_000.0);
    run.stop().await;
}

#[tokio::test]
async fn token_invalidated_in_a_stream_refreshes_then_retries() {
    let home = Home::new();
    two_accounts(&home);
    let mock = mock(|req, n| {
        if req.path == "/oauth/token" {
            return token_reply("at_fresh_a", "rt_fresh_a");
        }
        if n == 0 {
            Reply::sse(sse_error("token_invalidated", json!({})))
        } else {
            Reply::sse(sse_events("fresh"))
        }
    })
    .await;
    let run = proxy(&home, &mock).await;
    let r = post(&run, &opencode_body()).await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.text().await.expect("body").contains("fresh"));
    let calls = mock.responses();
    assert_eq!(calls[1].bearer().as_deref(), Some("at_fresh_a"));
    assert_eq!(home.account("acc_a")["refresh"], "rt_fresh_a");
    run.stop().await;
}

#[tokio::test]
async fn overloaded_everywhere_returns_the_last_stream_as_is() {
    let home = Home::new();
    two_accounts(&home);
    let err = sse_error("server_is_overloaded", json!({}));
    let expected: Vec<u8> = err.iter().flat_map(|c| c.to_vec()).collect();
    let mock = mock(move |_, _| Reply::sse(err.clone())).await;
    let run = proxy(&home, &mock).await;
    let r = post(&run, &opencode_body()).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.bytes().await.expect("body").as_ref(), expected.as_slice());
    assert_eq!(mock.responses().len(), 2);
    assert!(
        home.account("acc_a").get("cooldownUntil").is_none(),
        "overload is not the account's fault"
    );
    run.stop().await;
}

#[tokio::test]
async fn errors_that_are_not_about_the_account_pass_through() {
    let home = Home::new();
    two_accounts(&home);
    let err = sse_error("context_length_exceeded", json!({}));
    let mock = mock(move |_, _| Reply::sse(err.clone())).await;
    let run = proxy(&home, &mock).await;
    let r = post(&run, &opencode_body()).await;
    assert!(r
        .text()
        .await
        .expect("body")
        .contains("context_length_exceeded"));
    assert_eq!(mock.responses().len(), 1, "no failover");
    run.stop().await;
}

#[tokio::test]
async fn an_upstream_reset_mid_stream_ends_with_an_error_event() {
    let home = Home::new();
    two_accounts(&home);
    let first = sse_events("partial");
    let sent: Vec<u8> = first[..4].iter().flat_map(|c| c.to_vec()).collect();
    let mock = mock(move |_, _| Reply::SseThenReset(first[..4].to_vec())).await;
    let run = proxy(&home, &mock).await;
    let r = post(&run, &opencode_body()).await;
    assert_eq!(r.status().as_u16(), 200);
    let body = r.bytes().await.expect("the client stream ends cleanly");
    assert!(
        body.starts_with(&sent),
        "everything upstream sent is forwarded"
    );
    let tail = String::from_utf8_lossy(&body[sent.len()..]).to_string();
    assert!(tail.contains("event: error"), "{tail}");
    assert!(tail.contains("upstream_stream_error"));
    let mut scanner = SseScanner::default();
    let mut events = Vec::new();
    scanner.feed(&body, &mut events);
    let last = events.last().expect("events");
    let v: serde_json::Value = serde_json::from_str(&last.data).expect("json error event");
    assert_eq!(v["type"], "error");
    run.stop().await;
}

#[tokio::test]
async fn a_client_disconnect_frees_the_upstream_connection() {
    let home = Home::new();
    two_accounts(&home);
    let closed = Arc::new(AtomicBool::new(false));
    let c = closed.clone();
    let mock = mock(move |_, _| Reply::Endless(Duration::from_millis(20), c.clone())).await;
    let run = proxy(&home, &mock).await;
    let r = post(&run, &opencode_body()).await;
    let mut stream = r.bytes_stream();
    let first = stream.next().await.expect("a chunk").expect("ok");
    assert!(!first.is_empty());
    assert!(!closed.load(Ordering::SeqCst));
    drop(stream);
    let freed = eventually(Duration::from_secs(5), || closed.load(Ordering::SeqCst)).await;
    assert!(freed, "the upstream stream was not cancelled");
    let gone = eventually(Duration::from_secs(5), || {
        run.state.metrics.inflight_now() == 0
    })
    .await;
    assert!(gone);
    run.stop().await;
}

#[tokio::test]
async fn shutdown_drains_open_streams() {
    let home = Home::new();
    two_accounts(&home);
    let chunks = sse_events("drained");
    let expected: Vec<u8> = chunks.iter().flat_map(|c| c.to_vec()).collect();
    let mock =
        mock(move |_, _| Reply::Sse(Vec::new(), chunks.clone(), Duration::from_millis(150))).await;
    let run = proxy(&home, &mock).await;
    let r = post(&run, &opencode_body()).await;
    let reader = tokio::spawn(async move { r.bytes().await.expect("body") });
    tokio::time::sleep(Duration::from_millis(200)).await;
    run.stop().await;
    let got = reader.await.expect("reader");
    assert_eq!(got.as_ref(), expected.as_slice());
}

#[test]
fn scanner_handles_split_lines_and_crlf() {
    let mut s = SseScanner::default();
    let mut out = Vec::new();
    for part in [
        "eve",
        "nt: a\r",
        "\ndata: {\"x\"",
        ":1}\r\n",
        "\r\n: c\n\ndata: 2\ndata: 3\n\n",
    ] {
        s.feed(part.as_bytes(), &mut out);
    }
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].event.as_deref(), Some("a"));
    assert_eq!(out[0].data, "{\"x\":1}");
    assert_eq!(out[1].data, "2\n3");
}
