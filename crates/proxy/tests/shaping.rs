//! Request shaping: what OpenCode sends becomes what the Codex backend expects.

use bytes::Bytes;
use codex_proxy::shape::{session_key, shape_body, shape_request, UserAgents};
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
    one_account(&home);
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
    one_account(&home);
    let mock = mock(|_, _| Reply::json(400, json!({"error": {"message": "bad"}}))).await;
    let run = proxy(&home, &mock).await;
    let raw = b"--boundary\r\nnot json at all\r\n".to_vec();
    // Declared as JSON (anything else is refused with 415), but not JSON.
    let r = client()
        .post(format!("{}/responses", run.base_url()))
        .header("content-type", "application/json")
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
    one_account(&home);
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

// The fast shaping path against the reference: the whole body parsed into a `Value`,
// shaped by `shape_body` and serialized again (what the proxy did before the fast path).

/// The reference result: `Some((shaped, model))` for a JSON object, `None` to pass through.
fn reference(body: &[u8]) -> Option<(Value, Option<String>)> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(mut m)) => {
            shape_body(&mut m);
            let model = m.get("model").and_then(Value::as_str).map(str::to_string);
            Some((Value::Object(m), model))
        }
        _ => None,
    }
}

/// Asserts that `shape_request` gives the reference result for `body`.
fn same_as_reference(body: &[u8]) {
    let s = shape_request(
        &HeaderMap::new(),
        Bytes::copy_from_slice(body),
        Domain::Native,
        &agents(),
    );
    let shown = String::from_utf8_lossy(body);
    match reference(body) {
        None => {
            assert!(!s.json, "shaped a body the full parse refuses: {shown}");
            assert_eq!(s.body.as_ref(), body, "{shown}");
            assert_eq!(s.model, None);
        }
        Some((expected, model)) => {
            assert!(s.json, "refused a body the full parse accepts: {shown}");
            let got: Value = serde_json::from_slice(&s.body).expect("shaped body is JSON");
            assert_eq!(got, expected, "{shown}");
            assert_eq!(s.model, model, "{shown}");
            assert_eq!(
                s.headers.get("content-type").map(|v| v.as_bytes()),
                Some(&b"application/json"[..])
            );
        }
    }
}

#[test]
fn fast_shaping_matches_the_reference_on_edge_cases() {
    let cases: &[&str] = &[
        "{}",
        " { } ",
        "[]",
        "\"text\"",
        "null",
        "{\"store\":false}",
        "{\"store\": false, \"model\": \"m\"}",
        "{\"store\":true}",
        "{\"store\":\"false\"}",
        "{\"store\":0,\"max_output_tokens\":5}",
        "{\"max_output_tokens\":5}",
        "{\"model\":7}",
        "{\"model\":\"m\",\"model\":\"n\"}",
        "{\"input\":\"just a string\",\"max_output_tokens\":1}",
        "{\"input\":{\"role\":\"system\"}}",
        "{\"input\":[]}",
        "{\"input\":[],\"store\":false}",
        "{\"input\":[{\"role\":\"system\",\"content\":\"s\"}],\"store\":false}",
        "{\"instructions\":\"\",\"input\":[{\"role\":\"developer\",\"content\":\"d\"},{\"role\":\"user\",\"content\":\"u\"}]}",
        "{\"instructions\":null,\"input\":[{\"role\":\"system\",\"type\":\"message\",\"content\":[{\"text\":\"a\"},{\"type\":\"output_text\",\"text\":\"b\"}]}]}",
        "{\"instructions\":\"keep\",\"input\":[{\"role\":\"system\",\"content\":\"s\"}]}",
        "{\"instructions\":7,\"input\":[{\"role\":\"system\",\"content\":\"s\"}]}",
        "{\"input\":[{\"role\":\"system\",\"content\":[{\"type\":\"input_image\",\"image_url\":\"x\"}]},{\"role\":\"user\",\"content\":\"u\"}]}",
        "{\"input\":[{\"role\":\"system\",\"content\":[{\"type\":7,\"text\":\"t\"}]}]}",
        "{\"input\":[{\"role\":\"system\",\"content\":[{\"text\":7}]}]}",
        "{\"input\":[{\"role\":\"system\",\"type\":\"function_call\",\"content\":\"s\"}]}",
        "{\"input\":[{\"type\":\"reasoning\",\"id\":\"rs\"},{\"type\":\"REASONING_x\"},{\"role\":\"user\",\"content\":\"u\"}]}",
        "{\"input\":[{\"role\":\"assistant\",\"content\":[{\"type\":\"reasoning_text\",\"text\":\"t\"},{\"type\":\"output_text\",\"text\":\"o\",\"Reasoning_Content\":1}]}]}",
        "{\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"reasoning_text\",\"text\":\"kept for users\"}]}]}",
        "{\"input\":[{\"role\":\"user\",\"content\":\"talk about reasoning\",\"deep\":[{\"x\":{\"reasoning_content\":[1,2]}}]}]}",
        "{\"input\":[{\"typ\\u0065\":\"reasoning\"}]}",
        "{\"input\":[{\"type\":\"r\\u0065asoning\"}]}",
        "{\"input\":[{\"type\":\"message\",\"type\":\"reasoning\"}]}",
        "{\"input\":[{\"type\":\"reasoning\",\"type\":\"message\"}]}",
        "{\"input\":[{\"role\":\"user\",\"content\":\"a\",\"content\":\"b\"}],\"store\":false}",
        "{\"input\":[{\"role\":\"user\",\"content\":\"\\ud83d\\ude00 fine\"}]}",
        "{\"input\":[{\"role\":\"user\",\"content\":\"\\ud83d lone\"}]}",
        "{\"input\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":1e400}",
        "{\"input\":[{\"role\":\"user\",\"n\":-1e400}]}",
        "{\"input\":[{\"role\":\"user\",\"n\":1.5e3,\"m\":18446744073709551616,\"k\":-0,\"j\":0.1}]}",
        "{\"input\":[1,\"two\",null,true,[3]],\"store\":false}",
        "{\"reasoning\":{\"effort\":\"medium\"}}",
        "{\"reasoning\":{\"effort\":\"None\"}}",
        "{\"reasoning\":{}}",
        "{\"reasoning\":\"high\"}",
        "{\"reasoning\":{\"effort\":\"low\"},\"include\":[\"x\"]}",
        "{\"reasoning\":{\"effort\":\"low\"},\"include\":[\"reasoning.encrypted_content\"],\"store\":false}",
        "{\"reasoning\":{\"effort\":\"low\"},\"include\":\"not a list\"}",
        "{\"reasoning\":{\"effort\":\"low\"},\"include\":null}",
        "{\"a\":1,\"a\":2}",
        "{\"input\":[],\"input\":[]}",
        "{\"k\\\"ey\":\"v\\\\\",\"\\u00e9\":\"\u{e9}\",\"store\":false}",
        "{\"x\":\"\u{1F600} \u{e9}\",\"max_output_tokens\":null}",
        "{\"store\":false,}",
        "{\"store\":false} x",
        "{\"store\":false}\n\t ",
        "{\"s\":\"\\x\"}",
        "{\"s\":\"a\nb\"}",
        "{\"n\":01}",
        "{\"n\":1.}",
        "{\"n\":.5}",
        "{\"n\":NaN}",
        "{\n  \"model\" : \"gpt\" ,\n  \"input\" : [ { \"role\" : \"system\" , \"content\" : \"s\" } , { \"type\" : \"reasoning\" } , { \"role\" : \"user\" , \"content\" : [ ] } ] ,\n  \"max_output_tokens\" : 10\n}",
    ];
    for c in cases {
        same_as_reference(c.as_bytes());
    }
    // Invalid UTF-8 inside a string, and nesting at and beyond the parser's limit.
    same_as_reference(b"{\"store\":false,\"s\":\"\xff\"}");
    same_as_reference(b"{\"input\":[{\"s\":\"\xc3\"}]}");
    for depth in [90, 98, 99, 100, 120, 125, 126, 127, 128, 200] {
        let nested = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
        same_as_reference(format!("{{\"x\":{nested}}}").as_bytes());
        same_as_reference(format!("{{\"input\":[{{\"x\":{nested}}}]}}").as_bytes());
    }
}

#[test]
fn a_body_that_needs_no_change_is_sent_as_it_came() {
    let raw = "{ \"model\": \"m\", \"store\": false,\n  \"input\": [{\"role\": \"user\", \"content\": \"hi\"}] }";
    let s = shape_request(
        &HeaderMap::new(),
        Bytes::from(raw),
        Domain::Native,
        &agents(),
    );
    assert!(s.json);
    assert_eq!(s.body.as_ref(), raw.as_bytes());
    assert_eq!(s.model.as_deref(), Some("m"));
}

mod differential {
    use proptest::prelude::*;
    use serde_json::{Map, Value};

    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("reasoning".to_string()),
            Just("Reasoning_text".to_string()),
            Just("reasoning_content".to_string()),
            Just("REASONING_CONTENT".to_string()),
            Just("reasoning.encrypted_content".to_string()),
            Just("reasonin".to_string()),
            Just("system".to_string()),
            Just("developer".to_string()),
            Just("assistant".to_string()),
            Just("user".to_string()),
            Just("message".to_string()),
            Just("input_text".to_string()),
            Just("output_text".to_string()),
            Just("text".to_string()),
            Just("none".to_string()),
            Just("NONE".to_string()),
            Just(String::new()),
            "[a-zR \"\\\\\n\t\u{e9}\u{1F600}]{0,10}",
        ]
    }

    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => prop_oneof![
                Just("type".to_string()),
                Just("role".to_string()),
                Just("content".to_string()),
                Just("text".to_string()),
                Just("effort".to_string()),
                Just("reasoning_content".to_string()),
                Just("Reasoning_Content".to_string()),
                Just("id".to_string()),
            ],
            1 => word(),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-1.0e12f64..1.0e12).prop_map(Value::from),
            word().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec((key(), inner), 0..5)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
            ]
        })
    }

    fn part() -> impl Strategy<Value = Value> {
        (
            prop::option::of(prop_oneof![word().prop_map(Value::String), value()]),
            prop::option::of(prop_oneof![word().prop_map(Value::String), value()]),
            prop::option::of(value()),
        )
            .prop_map(|(ty, text, extra)| {
                let mut m = Map::new();
                if let Some(t) = ty {
                    m.insert("type".into(), t);
                }
                if let Some(t) = text {
                    m.insert("text".into(), t);
                }
                if let Some(x) = extra {
                    m.insert("reasoning_content".into(), x);
                }
                Value::Object(m)
            })
    }

    fn item() -> impl Strategy<Value = Value> {
        (
            prop::option::of(word()),
            prop::option::of(word()),
            prop_oneof![
                word().prop_map(Value::String),
                prop::collection::vec(part(), 0..4).prop_map(Value::Array),
                value(),
            ],
            prop::collection::vec((key(), value()), 0..3),
        )
            .prop_map(|(role, ty, content, extra)| {
                let mut m = Map::new();
                for (k, v) in extra {
                    m.insert(k, v);
                }
                if let Some(r) = role {
                    m.insert("role".into(), Value::String(r));
                }
                if let Some(t) = ty {
                    m.insert("type".into(), Value::String(t));
                }
                m.insert("content".into(), content);
                Value::Object(m)
            })
    }

    fn body() -> impl Strategy<Value = Value> {
        (
            prop::option::of(prop_oneof![word().prop_map(Value::String), value()]),
            prop::option::of(prop_oneof![
                4 => prop::collection::vec(item(), 0..6).prop_map(Value::Array),
                1 => value(),
            ]),
            prop::option::of(value()),
            prop::option::of(prop_oneof![Just(Value::Bool(false)), value()]),
            prop::option::of(prop_oneof![
                word().prop_map(|e| serde_json::json!({"effort": e})),
                value(),
            ]),
            prop::option::of(prop_oneof![
                prop::collection::vec(word().prop_map(Value::String), 0..3).prop_map(Value::Array),
                value(),
            ]),
            prop::collection::vec((key(), value()), 0..3),
        )
            .prop_map(
                |(instructions, input, max, store, reasoning, include, extra)| {
                    let mut m = Map::new();
                    for (k, v) in extra {
                        m.insert(k, v);
                    }
                    let named = [
                        ("instructions", instructions),
                        ("input", input),
                        ("max_output_tokens", max),
                        ("store", store),
                        ("reasoning", reasoning),
                        ("include", include),
                    ];
                    for (k, v) in named {
                        if let Some(v) = v {
                            m.insert(k.into(), v);
                        }
                    }
                    m.insert("model".into(), Value::String("gpt-5.4".into()));
                    Value::Object(m)
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn fast_shaping_matches_the_reference(v in body(), pretty in any::<bool>()) {
            let text = if pretty {
                serde_json::to_string_pretty(&v)
            } else {
                serde_json::to_string(&v)
            }
            .expect("serialize");
            super::same_as_reference(text.as_bytes());
        }
    }
}

#[test]
fn an_unknown_reasoning_summary_is_flagged_by_both_shaping_paths() {
    let with = |summary: Value, extra: &str| {
        let body = json!({"model": "gpt-5.4", "input": [], "reasoning": {"effort": "high", "summary": summary}});
        if !extra.is_empty() {
            // A duplicate key sends the body down the full parse.
            return shape_request(
                &HeaderMap::new(),
                Bytes::from(format!(
                    r#"{{"model":"gpt-5.4","model":"gpt-5.4","reasoning":{{"summary":{extra}}}}}"#
                )),
                Domain::Native,
                &agents(),
            )
            .invalid_summary;
        }
        shape_request(
            &HeaderMap::new(),
            Bytes::from(body.to_string()),
            Domain::Native,
            &agents(),
        )
        .invalid_summary
    };
    assert_eq!(with(json!(" Verbose "), ""), Some("Verbose".to_string()));
    assert_eq!(
        with(json!("x"), r#""verbose""#),
        Some("verbose".to_string())
    );
    for ok in ["auto", " CONCISE ", "detailed", "None", "", "   "] {
        assert_eq!(with(json!(ok), ""), None, "{ok:?}");
    }
    assert_eq!(
        with(json!(3), ""),
        None,
        "not a string: left to the backend"
    );
    assert_eq!(with(json!(null), ""), None);
}

#[tokio::test]
async fn an_unknown_reasoning_summary_is_refused_before_any_account_is_used() {
    let home = Home::new();
    one_account(&home);
    let mock = mock(|_, _| Reply::sse(sse_events("never"))).await;
    let run = proxy(&home, &mock).await;
    let r = client()
        .post(format!("{}/v1/responses", run.base_url()))
        .header("content-type", "application/json")
        .body(
            json!({"model": "gpt-5.4", "input": [], "reasoning": {"effort": "high", "summary": "verbose"}})
                .to_string(),
        )
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status().as_u16(), 400);
    let v: Value = serde_json::from_str(&r.text().await.expect("body")).expect("json");
    assert_eq!(v["error"]["type"], "invalid_reasoning_summary");
    assert_eq!(
        v["error"]["message"],
        "Invalid reasoning summary setting source: request setting `request.reasoning.summary` is `verbose`. Supported values are `auto`, `concise`, `detailed`, `none`."
    );
    assert!(mock.responses().is_empty(), "nothing reached the backend");
    run.stop().await;
}

#[tokio::test]
async fn two_servers_in_one_process_each_apply_their_own_settings() {
    // Both configurations are resolved before either server answers: each request must be
    // shaped by its own server's codex-config.jsonc, not by the last one resolved.
    let (low, high) = (Home::new(), Home::new());
    for (home, verbosity) in [(&low, "low"), (&high, "high")] {
        one_account(home);
        home.write_codex_config(&json!({"global": {"textVerbosity": verbosity}}));
    }
    let mock = mock(|_, _| Reply::sse(sse_events("hi"))).await;
    let low_config = proxy_config(&low, &mock, |_| {});
    let high_config = proxy_config(&high, &mock, |_| {});
    let low_run = codex_proxy::start(low_config).await.expect("start");
    let high_run = codex_proxy::start(high_config).await.expect("start");
    for run in [&low_run, &high_run, &low_run] {
        assert_eq!(post(run, &opencode_body()).await.status().as_u16(), 200);
    }
    let sent: Vec<String> = mock
        .responses()
        .iter()
        .map(|r| {
            let v: Value = serde_json::from_slice(&r.body).expect("json");
            v["text"]["verbosity"].as_str().unwrap_or("").to_string()
        })
        .collect();
    assert_eq!(sent, ["low", "high", "low"]);
    low_run.stop().await;
    high_run.stop().await;
}
