//! Outbound allowlist, URL rewrite and redirects (reference 15, cases 59–61, 63–65).

use codex_proxy::errors::Synthetic;
use codex_proxy::outbound::{
    redirect_decision, rewrite_url, strip_cross_origin, Allowlist, Redirect, CODEX_RESPONSES_URL,
};
use reqwest::Url;
use serde_json::json;

use crate::support::*;

fn url(s: &str) -> Url {
    Url::parse(s).expect("url")
}

#[test]
fn case_63_allowlist() {
    let a = Allowlist::Default;
    for blocked in [
        "http://api.openai.com/v1/responses",
        "https://foo.openai.com/x",
        "https://foo.chatgpt.com/x",
        "https://api.openai.com:4443/x",
        "https://alice:secret@api.openai.com/x",
    ] {
        assert!(a.check(&url(blocked)).is_err(), "{blocked}");
    }
    for ok in [
        "https://api.openai.com/v1/responses",
        "https://auth.openai.com/oauth/token",
        "https://chat.openai.com/",
        "https://chatgpt.com/backend-api/codex/responses",
        "https://chatgpt.com:443/x",
    ] {
        assert!(a.check(&url(ok)).is_ok(), "{ok}");
    }
    assert_eq!(
        a.check(&url("http://api.openai.com/x"))
            .map_err(|e| e.kind()),
        Err("disallowed_outbound_protocol")
    );
    assert_eq!(
        a.check(&url("https://api.openai.com:4443/x"))
            .map_err(|e| e.kind()),
        Err("disallowed_outbound_port")
    );
}

#[test]
fn case_64_rewrites() {
    for path in ["/v1/chat/completions", "/chat/completions", "/v1/responses"] {
        let u = url(&format!("https://api.openai.com{path}?x=1"));
        assert_eq!(rewrite_url(&u).as_str(), CODEX_RESPONSES_URL, "{path}");
    }
    for same in [
        "https://api.openai.com/v1/responsesx",
        "https://example.com/v1/responses",
    ] {
        assert_eq!(rewrite_url(&url(same)).as_str(), same);
    }
}

#[test]
fn case_65_blocked_requests_name_the_host() {
    let e = Allowlist::Default
        .check(&url("https://example.com/v1/models"))
        .expect_err("blocked");
    assert_eq!((e.kind(), e.status()), ("disallowed_outbound_host", 400));
    assert!(e.message().contains("example.com"));
    let e = Allowlist::Default
        .check(&url("https://alice:secret@chatgpt.com/"))
        .expect_err("blocked");
    assert_eq!(e.kind(), "disallowed_outbound_credentials");
    assert!(!e.message().contains("secret"));
}

#[test]
fn test_hook_admits_exactly_its_origins() {
    let a = Allowlist::origins_of([&url("http://127.0.0.1:5000/backend-api/codex")]);
    assert!(a.check(&url("http://127.0.0.1:5000/other")).is_ok());
    assert_eq!(
        a.check(&url("http://127.0.0.1:5001/"))
            .map_err(|e| e.kind()),
        Err("disallowed_outbound_port")
    );
    assert_eq!(
        a.check(&url("https://chatgpt.com/")).map_err(|e| e.kind()),
        Err("disallowed_outbound_protocol")
    );
    assert_eq!(
        a.check(&url("http://localhost:5000/"))
            .map_err(|e| e.kind()),
        Err("disallowed_outbound_host")
    );
}

#[test]
fn case_59_60_redirect_decisions() {
    let here = url("https://chatgpt.com/backend-api/codex/models");
    let v = Allowlist::Default;
    assert_eq!(
        redirect_decision("GET", &here, Some("/x"), 0, 3, None),
        Redirect::Fail(Synthetic::RedirectNotValidated)
    );
    assert_eq!(
        redirect_decision("GET", &here, Some("/x"), 0, 3, Some(&v)),
        Redirect::Follow {
            url: url("https://chatgpt.com/x"),
            cross_origin: false
        }
    );
    assert_eq!(
        redirect_decision("POST", &here, Some("/x"), 0, 3, Some(&v)),
        Redirect::Fail(Synthetic::RedirectNonIdempotent)
    );
    assert_eq!(
        redirect_decision("GET", &here, Some("/x"), 0, 0, Some(&v)),
        Redirect::Fail(Synthetic::RedirectLimitExceeded)
    );
    assert_eq!(
        redirect_decision("GET", &here, None, 0, 3, Some(&v)),
        Redirect::PassThrough
    );
    assert!(matches!(
        redirect_decision("GET", &here, Some("https://evil.example/"), 0, 3, Some(&v)),
        Redirect::Fail(Synthetic::DisallowedHost { .. })
    ));
    assert_eq!(Synthetic::RedirectNonIdempotent.status(), 502);
    assert_eq!(
        Synthetic::RedirectNonIdempotent.kind(),
        "blocked_outbound_redirect"
    );
    assert_eq!(
        Synthetic::RedirectLimitExceeded.kind(),
        "outbound_redirect_limit_exceeded"
    );
}

#[test]
fn case_61_cross_origin_hops_drop_credentials() {
    let here = url("https://api.openai.com/v1/models");
    let d = redirect_decision(
        "GET",
        &here,
        Some("https://chatgpt.com/v1/models"),
        0,
        3,
        Some(&Allowlist::Default),
    );
    assert!(matches!(
        d,
        Redirect::Follow {
            cross_origin: true,
            ..
        }
    ));
    let mut h = http::HeaderMap::new();
    for (k, v) in [
        ("authorization", "Bearer x"),
        ("chatgpt-account-id", "acc"),
        ("session_id", "s"),
        ("accept", "application/json"),
    ] {
        h.insert(k, v.parse().expect("value"));
    }
    strip_cross_origin(&mut h);
    assert_eq!(h.len(), 1);
    assert!(h.contains_key("accept"));
    let same = redirect_decision(
        "GET",
        &here,
        Some("/v2/models"),
        0,
        3,
        Some(&Allowlist::Default),
    );
    assert!(matches!(
        same,
        Redirect::Follow {
            cross_origin: false,
            ..
        }
    ));
}

#[test]
fn synthetic_bodies_have_the_plugin_shape() {
    let s = Synthetic::AllAccountsCoolingDown { wait_ms: 90_000.0 };
    assert_eq!(s.status(), 429);
    assert_eq!(
        s.body(),
        json!({"error": {"message": "All enabled OpenAI accounts are cooling down. Try again in 1m 30s or run `opencode auth login`.", "type": "all_accounts_cooling_down"}})
    );
    assert_eq!(s.retry_after_secs(), Some(90));
    let docs = include_str!("../../../docs/proxy.md");
    for t in codex_proxy::errors::ALL_TYPES
        .iter()
        .chain(codex_proxy::errors::STREAM_ERROR_CODES)
    {
        assert!(
            docs.contains(&format!("`{t}`")),
            "docs/proxy.md does not document {t}"
        );
    }
}

#[tokio::test]
async fn a_redirect_on_post_is_blocked() {
    let home = Home::new();
    one_account(&home);
    let mock = mock(|_, _| {
        Reply::Full(
            307,
            vec![("location".into(), "/backend-api/codex/responses2".into())],
            bytes::Bytes::new(),
        )
    })
    .await;
    let run = proxy(&home, &mock).await;
    let r = post(&run, &opencode_body()).await;
    assert_eq!(r.status().as_u16(), 502);
    let v = body_json(r).await;
    assert_eq!(v["error"]["type"], "blocked_outbound_redirect");
    assert_eq!(mock.responses().len(), 1, "the redirect is not followed");

    let mock2 = crate::support::mock(|_, _| {
        Reply::Full(
            302,
            vec![("location".into(), "http://evil.example/steal".into())],
            bytes::Bytes::new(),
        )
    })
    .await;
    let run2 = proxy(&home, &mock2).await;
    let v = body_json(post(&run2, &opencode_body()).await).await;
    assert_eq!(v["error"]["type"], "disallowed_outbound_host");
    run.stop().await;
    run2.stop().await;
}

/// A server that answers every request, after `delay`, with a redirect to itself.
fn slow_redirect_loop(
    delay: std::time::Duration,
) -> (Url, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = url(&format!("http://{}", listener.local_addr().expect("addr")));
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let counter = counter.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(s.try_clone().expect("clone"));
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    if line == "\r\n" {
                        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        std::thread::sleep(delay);
                        let _ = s.write_all(
                            b"HTTP/1.1 302 Found\r\nlocation: /again\r\ncontent-length: 0\r\n\r\n",
                        );
                    }
                }
            });
        }
    });
    (base, seen)
}

#[tokio::test]
async fn a_get_s_time_limit_covers_all_its_redirect_hops() {
    // Each hop answers within the limit; four of them do not.
    let (base, seen) = slow_redirect_loop(std::time::Duration::from_millis(200));
    let client = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut req = reqwest::Request::new(http::Method::GET, base.join("/start").expect("url"));
    *req.timeout_mut() = Some(std::time::Duration::from_millis(500));
    let allow = Allowlist::origins_of([&base]);
    let err = codex_proxy::outbound::get_following(&client, req, &allow)
        .await
        .expect_err("the limit runs out");
    assert!(err.is_timeout(), "{err}");
    assert!(
        seen.load(std::sync::atomic::Ordering::SeqCst) < 4,
        "the fourth hop was not sent"
    );
}
