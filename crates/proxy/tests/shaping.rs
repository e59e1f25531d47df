//! Request shaping: what OpenCode sends becomes what the Codex backend expects.

use bytes::Bytes;
use codex_proxy::shape::{session_key, shape_request, UserAgents};
use codex_store::Domain;
use http::HeaderMap;
use serde_json::{json, Value};

use crate::support::*;

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(
            http::HeaderName::from_bytes(k.as_bytes()).expect("name"),
            v.parse().expect("value"),
        );
    }
    h
}

fn agents() -> UserAgents {
    UserAgents::for_this_machine("9.9.9", "0.144.0")
}

#[test]
fn opencode_body_becomes_codex_body() {
    let body = Bytes::from(opencode_body().to_string());
    let s = shape_request(&HeaderMap::new(), body, Domain::Native, &agents());
    let v: Value = serde_json::from_slice(&s.body).expect("json");
    assert_eq!(v["instructions"], "You are OpenCode.");
    assert_eq!(v["input"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["input"][0]["role"], "user");
    assert!(v.get("max_output_tokens").is_none());
    assert_eq!(v["store"], false);
    assert_eq!(v["stream"], true);
    assert_eq!(v["prompt_cache_key"], "ses_abc");
    assert_eq!(v["include"], json!(["reasoning.encrypted_content"]));
    assert_eq!(v["tools"], json!([]));
    assert_eq!(s.model.as_deref(), Some("gpt-5.4"));
}

#[test]
fn existing_instructions_and_stream_false_are_kept() {
    let body = json!({"model": "m", "instructions": "mine", "stream": false, "store": true,
        "input": [{"role": "developer", "content": "dev"}, {"role": "user", "content": "hi"}],
        "reasoning": {"effort": "none"}});
    let s = shape_request(
        &HeaderMap::new(),
        Bytes::from(body.to_string()),
        Domain::Native,
        &agents(),
    );
    let v: Value = serde_json::from_slice(&s.body).expect("json");
    assert_eq!(v["instructions"], "mine");
    assert_eq!(v["input"].as_array().map(Vec::len), Some(2));
    assert_eq!(v["stream"], false);
    assert_eq!(v["store"], false);
    assert!(v.get("include").is_none(), "no reasoning requested");
}

#[test]
fn reasoning_replay_is_stripped() {
    let body = json!({"model": "m", "input": [
        {"type": "reasoning", "id": "rs_1", "encrypted_content": "x"},
        {"role": "assistant", "content": [{"type": "Reasoning_text", "text": "t"}, {"type": "output_text", "text": "ok", "reasoning_content": "x"}]},
        {"role": "user", "content": "go", "nested": {"REASONING_CONTENT": 1}}
    ]});
    let s = shape_request(
        &HeaderMap::new(),
        Bytes::from(body.to_string()),
        Domain::Native,
        &agents(),
    );
    let v: Value = serde_json::from_slice(&s.body).expect("json");
    assert_eq!(
        v["input"],
        json!([
            {"role": "assistant", "content": [{"type": "output_text", "text": "ok"}]},
            {"role": "user", "content": "go", "nested": {}}
        ])
    );
}

#[test]
fn non_json_bodies_pass_through_untouched() {
    let raw = Bytes::from_static(b"\x00not json{");
    let s = shape_request(&HeaderMap::new(), raw.clone(), Domain::Native, &agents());
    assert_eq!(s.body, raw);
    assert!(!s.json);
}

#[test]
fn headers_are_filtered_and_identity_set() {
    let h = headers(&[
        ("host", "127.0.0.1:1"),
        ("cookie", "a=b"),
        ("proxy-authorization", "Basic x"),
        ("forwarded", "for=1.2.3.4"),
        ("x-forwarded-for", "1.2.3.4"),
        ("authorization", "Bearer client-dummy"),
        ("x-session-affinity", "ses_42"),
        ("user-agent", "ai-sdk/openai"),
        ("accept", "text/event-stream"),
        ("connection", "keep-alive, x-hop"),
        ("x-hop", "1"),
        ("originator", "evil"),
    ]);
    let s = shape_request(&h, Bytes::from_static(b"{}"), Domain::Native, &agents());
    for gone in [
        "host",
        "cookie",
        "proxy-authorization",
        "forwarded",
        "x-forwarded-for",
        "authorization",
        "x-hop",
        "x-session-affinity",
    ] {
        assert!(!s.headers.contains_key(gone), "{gone} leaked");
    }
    assert_eq!(s.headers["session-id"], "ses_42");
    assert_eq!(s.headers["originator"], "opencode");
    assert_eq!(s.headers["user-agent"], "ai-sdk/openai");
    assert_eq!(s.headers["accept"], "text/event-stream");
    assert_eq!(s.session_key.as_deref(), Some("ses_42"));

    let codex = shape_request(&h, Bytes::from_static(b"{}"), Domain::Codex, &agents());
    assert_eq!(codex.headers["originator"], "codex_cli_rs");
    let ua = codex.headers["user-agent"].to_str().expect("ua");
    assert!(ua.starts_with("codex_cli_rs/0.144.0 ("), "{ua}");

    let kept = shape_request(
        &headers(&[("originator", "codex_exec")]),
        Bytes::from_static(b"{}"),
        Domain::Codex,
        &agents(),
    );
    assert_eq!(kept.headers["originator"], "codex_exec");
    let native_default = shape_request(
        &HeaderMap::new(),
        Bytes::from_static(b"{}"),
        Domain::Native,
        &agents(),
    );
    let ua = native_default.headers["user-agent"].to_str().expect("ua");
    assert!(ua.starts_with("opencode/9.9.9 ("), "{ua}");
}

#[test]
fn session_key_order() {
    let h = headers(&[
        ("x-session-id", "c"),
        ("session_id", "b"),
        ("session-id", "a"),
    ]);
    assert_eq!(session_key(&h).as_deref(), Some("a"));
    let h = headers(&[("x-session-id", "c"), ("session_id", "b")]);
    assert_eq!(session_key(&h).as_deref(), Some("b"));
    let h = headers(&[("session-id", "  ")]);
    assert_eq!(session_key(&h), None);
}

#[tokio::test]
async fn the_backend_sees_the_shaped_request_with_the_accounts_credentials() {
    let home = Home::new();
    home.write_store(
        json!([account("acc_a", "a@example.com", "plus")]),
        json!({}),
    );
    let mock = mock(|_, _| Reply::sse(sse_events("hi"))).await;
    let run = proxy(&home, &mock).await;
    let r = client()
        .post(format!("{}/v1/responses", run.base_url()))
        .header("authorization", "Bearer dummy")
        .header("cookie", "secret=1")
        .header("x-forwarded-for", "10.0.0.1")
        .header("x-session-id", "ses_1")
        .header("content-type", "application/json")
        .body(opencode_body().to_string())
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status().as_u16(), 200);
    let _ = r.bytes().await;
    let seen = mock.responses();
    assert_eq!(seen.len(), 1);
    let req = &seen[0];
    assert_eq!(req.path, "/backend-api/codex/responses");
    assert_eq!(req.bearer().as_deref(), Some("at_acc_a"));
    assert_eq!(req.header("chatgpt-account-id").as_deref(), Some("acc_a"));
    assert_eq!(req.header("session-id").as_deref(), Some("ses_1"));
    assert_eq!(req.header("originator").as_deref(), Some("opencode"));
    assert!(req.header("cookie").is_none());
    assert!(req.header("x-forwarded-for").is_none());
    let v = req.json();
    assert_eq!(v["instructions"], "You are OpenCode.");
    assert!(v.get("max_output_tokens").is_none());
    assert_eq!(v["store"], false);
    run.stop().await;
}

#[tokio::test]
async fn non_json_body_reaches_upstream_byte_for_byte() {
    let home = Home::new();
    home.write_store(
        json!([account("acc_a", "a@example.com", "plus")]),
        json!({}),
    );
    let mock = mock(|_, _| Reply::json(400, json!({"error": {"message": "bad"}}))).await;
    let run = proxy(&home, &mock).await;
    let raw = b"--boundary\r\nnot json at all\r\n".to_vec();
    let r = client()
        .post(format!("{}/responses", run.base_url()))
        .header("content-type", "text/plain")
        .body(raw.clone())
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status().as_u16(), 400, "upstream errors pass through");
    assert_eq!(mock.responses()[0].body.as_ref(), raw.as_slice());
    run.stop().await;
}

#[tokio::test]
async fn absolute_form_requests_are_accepted() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let home = Home::new();
    home.write_store(
        json!([account("acc_a", "a@example.com", "plus")]),
        json!({}),
    );
    let mock = mock(|_, _| Reply::sse(sse_events("abs"))).await;
    let run = proxy(&home, &mock).await;
    let body = opencode_body().to_string();
    let mut s = tokio::net::TcpStream::connect(run.addr)
        .await
        .expect("connect");
    let req = format!(
        "POST http://{}/v1/responses HTTP/1.1\r\nhost: {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{}",
        run.addr,
        run.addr,
        body.len(),
        body
    );
    s.write_all(req.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.expect("read");
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("abs"));
    run.stop().await;
}
