//! `POST /v1/chat/completions` through the real proxy and a mock Codex backend: the
//! conversion both ways, streaming and not, failover, hidden stream errors, the door's
//! defences and the error shapes.

use bytes::Bytes;
use serde_json::{json, Value};

use crate::support::*;

/// A Codex event stream answering `text`, with usage.
pub fn text_events(text: &str) -> Vec<Bytes> {
    events(&[
        json!({"type":"response.created","response":{"id":"resp_1","model":"gpt-5.4","created_at":1700000000,"status":"in_progress"}}),
        json!({"type":"response.in_progress","response":{"id":"resp_1"}}),
        json!({"type":"response.output_item.added","output_index":0,"item":{"type":"message","id":"msg_1","role":"assistant","content":[]}}),
        json!({"type":"response.output_text.delta","item_id":"msg_1","output_index":0,"content_index":0,"delta":text}),
        json!({"type":"response.output_text.done","item_id":"msg_1","output_index":0,"content_index":0,"text":text}),
        json!({"type":"response.output_item.done","output_index":0,"item":{"type":"message","id":"msg_1","role":"assistant","content":[{"type":"output_text","text":text}]}}),
        json!({"type":"response.completed","response":{"id":"resp_1","status":"completed","usage":{"input_tokens":12,"output_tokens":3,"total_tokens":15,"input_tokens_details":{"cached_tokens":0},"output_tokens_details":{"reasoning_tokens":1}}}}),
    ])
}

/// A Codex event stream calling `name` with `args` (as call `call_id`).
pub fn tool_events(call_id: &str, name: &str, args: &str) -> Vec<Bytes> {
    let (a, b) = args.split_at(args.len() / 2);
    events(&[
        json!({"type":"response.created","response":{"id":"resp_2","model":"gpt-5.4","status":"in_progress"}}),
        json!({"type":"response.output_item.added","output_index":0,"item":{"type":"function_call","id":"fc_1","call_id":call_id,"name":name,"arguments":"","status":"in_progress"}}),
        json!({"type":"response.function_call_arguments.delta","item_id":"fc_1","output_index":0,"delta":a}),
        json!({"type":"response.function_call_arguments.delta","item_id":"fc_1","output_index":0,"delta":b}),
        json!({"type":"response.function_call_arguments.done","item_id":"fc_1","output_index":0,"arguments":args}),
        json!({"type":"response.output_item.done","output_index":0,"item":{"type":"function_call","id":"fc_1","call_id":call_id,"name":name,"arguments":args,"status":"completed"}}),
        json!({"type":"response.completed","response":{"id":"resp_2","status":"completed","usage":{"input_tokens":20,"output_tokens":8,"total_tokens":28}}}),
    ])
}

fn events(evs: &[Value]) -> Vec<Bytes> {
    evs.iter()
        .map(|e| {
            Bytes::from(format!(
                "event: {}\ndata: {e}\n\n",
                e["type"].as_str().unwrap_or("")
            ))
        })
        .collect()
}

async fn chat(run: &codex_proxy::Running, body: &Value) -> reqwest::Response {
    client()
        .post(format!("{}/v1/chat/completions", run.base_url()))
        .header("authorization", "Bearer codex-kit-local")
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("proxy answered")
}

/// The `data:` payloads of an event stream body.
fn data_lines(text: &str) -> Vec<String> {
    let mut scanner = codex_proxy::sse::SseScanner::default();
    let mut evs = Vec::new();
    scanner.feed(text.as_bytes(), &mut evs);
    evs.into_iter().map(|e| e.data).collect()
}

fn basic(stream: bool) -> Value {
    json!({
        "model": "gpt-5.4",
        "stream": stream,
        "stream_options": {"include_usage": true},
        "max_tokens": 50,
        "user": "someone",
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "say hi"}
        ]
    })
}

#[tokio::test]
async fn a_streaming_chat_request_gets_chunks_usage_and_done() {
    let home = Home::new();
    one_account(&home);
    let mock = mock(|_, _| Reply::sse(text_events("Hello there"))).await;
    let run = proxy(&home, &mock).await;
    let r = chat(&run, &basic(true)).await;
    assert_eq!(r.status(), 200);
    assert!(r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream")));
    let text = r.text().await.expect("body");
    let data = data_lines(&text);
    assert_eq!(data.last().map(String::as_str), Some("[DONE]"), "{text}");
    let chunks: Vec<Value> = data[..data.len() - 1]
        .iter()
        .map(|d| serde_json::from_str(d).expect("chunk json"))
        .collect();
    assert!(chunks
        .iter()
        .all(|c| c["object"] == "chat.completion.chunk"));
    assert!(chunks.iter().all(|c| c["id"] == "chatcmpl-resp_1"));
    assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
    let content: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(content, "Hello there");
    let finish: Vec<&Value> = chunks
        .iter()
        .map(|c| &c["choices"][0]["finish_reason"])
        .filter(|f| !f.is_null())
        .collect();
    assert_eq!(finish, [&json!("stop")]);
    let last = chunks.last().expect("usage chunk");
    assert_eq!(last["choices"], json!([]));
    assert_eq!(last["usage"]["prompt_tokens"], 12);
    assert_eq!(last["usage"]["completion_tokens"], 3);
    assert_eq!(last["usage"]["total_tokens"], 15);
    assert_eq!(
        last["usage"]["completion_tokens_details"]["reasoning_tokens"],
        1
    );

    // What reached the backend: the existing shaping applied to the converted body.
    let sent = mock.responses();
    assert_eq!(sent.len(), 1);
    let body = sent[0].json();
    assert_eq!(body["instructions"], "Be brief.");
    assert_eq!(body["stream"], true);
    assert_eq!(body["store"], false);
    assert_eq!(
        body["input"],
        json!([{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "say hi"}]}])
    );
    for dropped in [
        "max_tokens",
        "max_output_tokens",
        "user",
        "messages",
        "stream_options",
    ] {
        assert!(body.get(dropped).is_none(), "{dropped} was sent: {body}");
    }
    assert_eq!(sent[0].bearer().as_deref(), Some("at_acc_a"));
    assert_eq!(
        sent[0].header("chatgpt-account-id").as_deref(),
        Some("acc_a")
    );
    // The request is counted like a Responses request, and its stream is no longer open.
    let state = run.state.clone();
    let closed = eventually(std::time::Duration::from_secs(10), || {
        state.metrics.inflight_now() == 0
    })
    .await;
    assert!(closed, "inflight: {}", run.state.metrics.inflight_now());
    assert_eq!(run.state.metrics.requests_total(), 1);
    run.stop().await;
}

#[tokio::test]
async fn a_non_streaming_chat_request_gets_one_completion() {
    let home = Home::new();
    one_account(&home);
    let mock = mock(|_, _| Reply::sse(text_events("Hello there"))).await;
    let run = proxy(&home, &mock).await;
    let mut body = basic(false);
    body.as_object_mut().map(|b| b.remove("stream_options"));
    let r = chat(&run, &body).await;
    assert_eq!(r.status(), 200);
    let v = body_json(r).await;
    assert_eq!(v["object"], "chat.completion");
    assert_eq!(v["id"], "chatcmpl-resp_1");
    assert_eq!(v["model"], "gpt-5.4");
    assert_eq!(v["created"], 1_700_000_000);
    assert_eq!(v["choices"][0]["message"]["role"], "assistant");
    assert_eq!(v["choices"][0]["message"]["content"], "Hello there");
    assert_eq!(v["choices"][0]["finish_reason"], "stop");
    assert_eq!(v["usage"]["total_tokens"], 15);
    // The backend was still asked for a stream.
    assert_eq!(mock.responses()[0].json()["stream"], true);
    run.stop().await;
}

#[tokio::test]
async fn tool_calls_round_trip_through_the_proxy() {
    let home = Home::new();
    one_account(&home);
    let mock = mock(|req, _| {
        let body = req.json();
        let outputs: Vec<&Value> = body["input"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|i| i["type"] == "function_call_output")
            .collect();
        match outputs.first() {
            Some(o) => Reply::sse(text_events(&format!(
                "It is {}",
                o["output"].as_str().unwrap_or("?")
            ))),
            None => Reply::sse(tool_events("call_7", "weather", r#"{"city":"Oslo"}"#)),
        }
    })
    .await;
    let run = proxy(&home, &mock).await;
    let tools = json!([{"type": "function", "function": {"name": "weather", "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]);
    let first = body_json(
        chat(
            &run,
            &json!({"model": "gpt-5.4", "tools": tools, "tool_choice": "auto", "messages": [{"role": "user", "content": "weather?"}]}),
        )
        .await,
    )
    .await;
    assert_eq!(first["choices"][0]["finish_reason"], "tool_calls");
    let calls = first["choices"][0]["message"]["tool_calls"].clone();
    assert_eq!(
        calls,
        json!([{"id": "call_7", "type": "function", "function": {"name": "weather", "arguments": "{\"city\":\"Oslo\"}"}}])
    );
    let sent_tools = &mock.responses()[0].json()["tools"];
    assert_eq!(sent_tools[0]["name"], "weather");
    assert_eq!(sent_tools[0]["type"], "function");

    let second = chat(
        &run,
        &json!({"model": "gpt-5.4", "stream": true, "tools": tools, "messages": [
            {"role": "user", "content": "weather?"},
            {"role": "assistant", "content": null, "tool_calls": calls},
            {"role": "tool", "tool_call_id": "call_7", "content": "sunny"}
        ]}),
    )
    .await;
    let text = second.text().await.expect("body");
    let content: String = data_lines(&text)
        .iter()
        .filter_map(|d| serde_json::from_str::<Value>(d).ok())
        .filter_map(|c| {
            c["choices"][0]["delta"]["content"]
                .as_str()
                .map(str::to_string)
        })
        .collect();
    assert_eq!(content, "It is sunny");
    let input = mock.responses()[1].json()["input"].clone();
    assert_eq!(
        input[1],
        json!({"type": "function_call", "call_id": "call_7", "name": "weather", "arguments": "{\"city\":\"Oslo\"}"})
    );
    assert_eq!(
        input[2],
        json!({"type": "function_call_output", "call_id": "call_7", "output": "sunny"})
    );
    run.stop().await;
}

#[tokio::test]
async fn a_429_and_a_hidden_stream_error_fail_over_transparently() {
    for first_reply in ["http_429", "stream"] {
        let home = Home::new();
        two_accounts(&home);
        let mock = mock(move |req, _| {
            if req.bearer().as_deref() == Some("at_acc_a") {
                if first_reply == "http_429" {
                    Reply::with_headers(
                        429,
                        &[("retry-after", "600")],
                        json!({"error": {"message": "rate limited", "type": "usage_limit_reached"}}),
                    )
                } else {
                    Reply::sse(sse_error("usage_limit_reached", json!({})))
                }
            } else {
                Reply::sse(text_events("from b"))
            }
        })
        .await;
        let run = proxy(&home, &mock).await;
        let text = chat(&run, &basic(true)).await.text().await.expect("body");
        assert!(
            !text.contains("usage_limit_reached") && !text.contains("rate limited"),
            "{first_reply}: {text}"
        );
        assert!(
            text.contains("from b") && text.ends_with("data: [DONE]\n\n"),
            "{text}"
        );
        let v = body_json(chat(&run, &basic(false)).await).await;
        assert_eq!(v["choices"][0]["message"]["content"], "from b");
        let bearers: Vec<Option<String>> = mock.responses().iter().map(|r| r.bearer()).collect();
        assert_eq!(bearers[0].as_deref(), Some("at_acc_a"), "{first_reply}");
        assert_eq!(bearers[1].as_deref(), Some("at_acc_b"), "{first_reply}");
        run.stop().await;
    }
}

#[tokio::test]
async fn errors_keep_their_status_and_the_openai_shape() {
    let home = Home::new();
    one_account(&home);
    let mock = mock(|req, _| {
        if req.json()["model"] == "bad-model" {
            Reply::json(400, json!({"detail": "Unsupported model: bad-model"}))
        } else if req.json()["model"] == "shaped" {
            Reply::json(400, json!({"error": {"message": "context too long", "type": "invalid_request_error", "code": "context_length_exceeded"}}))
        } else {
            Reply::with_headers(429, &[("retry-after", "60")], json!({"error": {"message": "slow down"}}))
        }
    })
    .await;
    let run = proxy(&home, &mock).await;

    let mut body = basic(false);
    body["model"] = json!("bad-model");
    let r = chat(&run, &body).await;
    assert_eq!(r.status(), 400);
    assert_eq!(
        body_json(r).await,
        json!({"error": {"message": "Unsupported model: bad-model", "type": "upstream_error", "code": "400"}})
    );

    body["model"] = json!("shaped");
    let r = chat(&run, &body).await;
    assert_eq!(r.status(), 400);
    assert_eq!(
        body_json(r).await["error"]["code"],
        "context_length_exceeded"
    );

    // The only account is rate limited: the proxy's synthetic 429, with Retry-After.
    body["model"] = json!("gpt-5.4");
    body["stream"] = json!(true);
    let r = chat(&run, &body).await;
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    assert_eq!(
        body_json(r).await["error"]["type"],
        "all_accounts_rate_limited"
    );

    // Refused before any upstream request.
    let before = mock.responses().len();
    let mut two = basic(false);
    two["n"] = json!(2);
    let r = chat(&run, &two).await;
    assert_eq!(r.status(), 400);
    let v = body_json(r).await;
    assert_eq!(v["error"]["type"], "invalid_chat_request");
    assert!(v["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("n must be 1")));
    assert_eq!(mock.responses().len(), before);
    run.stop().await;
}

#[tokio::test]
async fn an_error_mid_stream_becomes_an_error_chunk() {
    let home = Home::new();
    one_account(&home);
    let mock = mock(|_, _| {
        let mut chunks = text_events("partial");
        chunks.truncate(4);
        Reply::SseThenReset(chunks)
    })
    .await;
    let run = proxy(&home, &mock).await;
    let r = chat(&run, &basic(true)).await;
    assert_eq!(r.status(), 200);
    let text = r.text().await.expect("body");
    let data = data_lines(&text);
    assert!(!text.contains("[DONE]"), "{text}");
    let last: Value = serde_json::from_str(data.last().expect("some data")).expect("json");
    assert_eq!(last["error"]["type"], "upstream_stream_error", "{text}");
    assert!(text.contains("partial"));

    // Not streaming: the same failure is a 502 in the error shape, and counted as one.
    let r = chat(&run, &basic(false)).await;
    assert_eq!(r.status(), 502);
    assert_eq!(body_json(r).await["error"]["type"], "upstream_stream_error");
    let metrics = reqwest::Client::new()
        .get(format!("{}/metrics", run.base_url()))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    let requests: Vec<&str> = metrics
        .lines()
        .filter(|l| l.starts_with("codex_proxy_requests_total{"))
        .collect();
    assert!(
        requests
            .iter()
            .any(|l| l.contains("status=\"502\"") && l.ends_with(" 1")),
        "{metrics}"
    );
    assert!(
        requests
            .iter()
            .any(|l| l.contains("status=\"200\"") && l.ends_with(" 1")),
        "only the streaming request counts as 200: {metrics}"
    );
    run.stop().await;
}

#[tokio::test]
async fn the_door_defends_chat_requests_too() {
    let home = Home::new();
    one_account(&home);
    let mock = mock(|_, _| Reply::sse(text_events("x"))).await;
    let run = proxy(&home, &mock).await;
    let url = format!("{}/v1/chat/completions", run.base_url());
    let r = client()
        .post(&url)
        .header("content-type", "text/plain")
        .body(basic(false).to_string())
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 415);
    let r = client()
        .post(&url)
        .header("content-type", "application/json")
        .header("origin", "https://evil.example")
        .body(basic(false).to_string())
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 403);
    assert_eq!(body_json(r).await["error"]["type"], "forbidden_origin");
    let r = client().get(&url).send().await.expect("answer");
    assert_eq!(r.status(), 405);
    let r = client()
        .post(&url)
        .header("content-type", "application/json")
        .header("host", "evil.example")
        .body(basic(false).to_string())
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 421);
    // `/chat/completions` without the `/v1` prefix is served too.
    let r = client()
        .post(format!("{}/chat/completions", run.base_url()))
        .header("content-type", "application/json")
        .body(basic(false).to_string())
        .send()
        .await
        .expect("answer");
    assert_eq!(r.status(), 200);
    assert!(
        mock.responses().len() == 1,
        "only the last request went upstream"
    );
    run.stop().await;
}
