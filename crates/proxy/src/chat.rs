//! `POST /v1/chat/completions`: the Chat Completions API on top of the Responses pipeline.
//!
//! A Chat Completions request is converted into a Responses body ([`to_responses`]) and then
//! goes through exactly what a `POST /v1/responses` goes through: the door's defences and
//! body limits in [`crate::server`], the shaping in [`crate::shape`], and the orchestrator's
//! acquisition, failover and hold-back of errors hidden at the start of a stream. The
//! Responses body always asks for a stream (the Codex backend only streams); the answer's
//! events are converted back ([`ChatStream`]) into `chat.completion.chunk` events for a
//! streaming request, or folded into one `chat.completion` object for a non-streaming one.
//!
//! Errors keep their status and the OpenAI error shape `{"error":{"message","type",…}}`: the
//! proxy's synthetic errors already have it, an upstream error body that has an `error`
//! object passes through, any other upstream error body is wrapped as `upstream_error`. A
//! request the conversion cannot express (`n` > 1, a message role or content part or tool
//! type with no Responses equivalent) is refused with `invalid_chat_request` (400) naming the
//! field. An error after a stream started becomes a chunk `{"error":{…}}` and the stream
//! ends (no `[DONE]`); for a non-streaming request it is a 502 with that error.

use std::collections::HashMap;

use bytes::Bytes;
use codex_rotation::cooldown::error_info;
use futures_util::StreamExt;
use http::{HeaderMap, Response, StatusCode};
use http_body_util::BodyExt;
use serde_json::{json, Map, Value};

use crate::errors::Synthetic;
use crate::metrics::{InflightGuard, Outcome};
use crate::orchestrator::synthetic_response;
use crate::shape::shape_with;
use crate::sse::{ByteStream, HeldStream, ProxyBody, SseEvent, SseScanner};
use crate::state::AppState;

/// Largest upstream error body read to convert it.
const ERROR_BODY_LIMIT: usize = 256 * 1024;

/// A Chat Completions request converted into a Responses body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Converted {
    /// The Responses body (always `"stream": true`).
    pub body: Value,
    /// The client asked for a stream.
    pub stream: bool,
    /// The client asked for a usage chunk (`stream_options.include_usage`).
    pub include_usage: bool,
    /// The requested model.
    pub model: String,
}

fn invalid(message: impl Into<String>) -> Synthetic {
    Synthetic::InvalidChatRequest {
        message: message.into(),
    }
}

/// A content string, or the text of `text` parts joined (for roles that only take text).
fn text_of(content: Option<&Value>, field: &str) -> Result<String, Synthetic> {
    match content {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Array(parts)) => {
            let mut out = Vec::new();
            for (i, p) in parts.iter().enumerate() {
                match p.get("type").and_then(Value::as_str) {
                    Some("text") => out.push(
                        p.get("text")
                            .and_then(Value::as_str)
                            .ok_or_else(|| invalid(format!("{field}[{i}].text must be a string")))?
                            .to_string(),
                    ),
                    other => {
                        return Err(invalid(format!(
                            "{field}[{i}] has type {other:?}; only \"text\" parts are accepted here"
                        )))
                    }
                }
            }
            Ok(out.join("\n\n"))
        }
        Some(_) => Err(invalid(format!("{field} must be a string or an array"))),
    }
}

/// A user message's content as Responses input parts.
fn user_parts(content: Option<&Value>, field: &str) -> Result<Vec<Value>, Synthetic> {
    let parts = match content {
        Some(Value::String(s)) => return Ok(vec![json!({"type": "input_text", "text": s})]),
        Some(Value::Array(parts)) => parts,
        _ => return Err(invalid(format!("{field} must be a string or an array"))),
    };
    let mut out = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        let at = || format!("{field}[{i}]");
        match p.get("type").and_then(Value::as_str) {
            Some("text") => {
                let t = p
                    .get("text")
                    .and_then(Value::as_str)
                    .ok_or_else(|| invalid(format!("{}.text must be a string", at())))?;
                out.push(json!({"type": "input_text", "text": t}));
            }
            Some("image_url") => {
                let img = p.get("image_url");
                let url = img
                    .and_then(|u| u.get("url").and_then(Value::as_str).or(u.as_str()))
                    .ok_or_else(|| invalid(format!("{}.image_url.url must be a string", at())))?;
                let detail = img
                    .and_then(|u| u.get("detail"))
                    .and_then(Value::as_str)
                    .unwrap_or("auto");
                out.push(json!({"type": "input_image", "image_url": url, "detail": detail}));
            }
            Some("file") => {
                let f = p.get("file").and_then(Value::as_object);
                let mut part = Map::new();
                part.insert("type".into(), "input_file".into());
                for k in ["file_data", "file_id", "filename"] {
                    if let Some(v) = f.and_then(|f| f.get(k)) {
                        part.insert(k.into(), v.clone());
                    }
                }
                out.push(Value::Object(part));
            }
            other => {
                return Err(invalid(format!(
                    "{} has type {other:?}; accepted content parts are \"text\", \"image_url\" and \"file\"",
                    at()
                )))
            }
        }
    }
    Ok(out)
}

fn convert_messages(messages: &[Value]) -> Result<Vec<Value>, Synthetic> {
    let mut input = Vec::new();
    for (i, m) in messages.iter().enumerate() {
        let field = format!("messages[{i}]");
        let role = m
            .get("role")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid(format!("{field}.role must be a string")))?;
        let content = m.get("content");
        match role {
            // Leading ones become `instructions` in the shaping.
            "system" | "developer" => {
                let text = text_of(content, &format!("{field}.content"))?;
                input.push(json!({"type": "message", "role": "developer", "content": [{"type": "input_text", "text": text}]}));
            }
            "user" => {
                let parts = user_parts(content, &format!("{field}.content"))?;
                input.push(json!({"type": "message", "role": "user", "content": parts}));
            }
            "assistant" => {
                let mut parts = Vec::new();
                match content {
                    Some(Value::Array(ps)) => {
                        for (j, p) in ps.iter().enumerate() {
                            let t = p.get("type").and_then(Value::as_str);
                            let text = p.get("text").or_else(|| p.get("refusal"));
                            match (t, text.and_then(Value::as_str)) {
                                (Some("text"), Some(s)) => {
                                    parts.push(json!({"type": "output_text", "text": s}))
                                }
                                (Some("refusal"), Some(s)) => {
                                    parts.push(json!({"type": "refusal", "refusal": s}))
                                }
                                _ => {
                                    return Err(invalid(format!(
                                        "{field}.content[{j}] must be a \"text\" or \"refusal\" part"
                                    )))
                                }
                            }
                        }
                    }
                    other => {
                        let s = text_of(other, &format!("{field}.content"))?;
                        if !s.is_empty() {
                            parts.push(json!({"type": "output_text", "text": s}));
                        }
                    }
                }
                if !parts.is_empty() {
                    input.push(json!({"type": "message", "role": "assistant", "content": parts}));
                }
                if let Some(calls) = m.get("tool_calls").filter(|v| !v.is_null()) {
                    let calls = calls
                        .as_array()
                        .ok_or_else(|| invalid(format!("{field}.tool_calls must be an array")))?;
                    for (j, c) in calls.iter().enumerate() {
                        let at = format!("{field}.tool_calls[{j}]");
                        let id = c
                            .get("id")
                            .and_then(Value::as_str)
                            .ok_or_else(|| invalid(format!("{at}.id must be a string")))?;
                        let f = c.get("function");
                        let name = f
                            .and_then(|f| f.get("name"))
                            .and_then(Value::as_str)
                            .ok_or_else(|| invalid(format!("{at}.function.name must be a string")))?;
                        let args = f
                            .and_then(|f| f.get("arguments"))
                            .and_then(Value::as_str)
                            .unwrap_or("{}");
                        input.push(json!({"type": "function_call", "call_id": id, "name": name, "arguments": args}));
                    }
                }
            }
            "tool" => {
                let id = m
                    .get("tool_call_id")
                    .and_then(Value::as_str)
                    .ok_or_else(|| invalid(format!("{field}.tool_call_id must be a string")))?;
                let output = text_of(content, &format!("{field}.content"))?;
                input.push(json!({"type": "function_call_output", "call_id": id, "output": output}));
            }
            other => {
                return Err(invalid(format!(
                    "{field}.role {other:?} is not supported; use system, developer, user, assistant or tool"
                )))
            }
        }
    }
    Ok(input)
}

fn convert_tools(tools: &[Value]) -> Result<Vec<Value>, Synthetic> {
    let mut out = Vec::new();
    for (i, t) in tools.iter().enumerate() {
        let at = format!("tools[{i}]");
        if t.get("type").and_then(Value::as_str) != Some("function") {
            return Err(invalid(format!(
                "{at}.type must be \"function\" (other tool types have no Codex equivalent)"
            )));
        }
        let f = t
            .get("function")
            .and_then(Value::as_object)
            .ok_or_else(|| invalid(format!("{at}.function must be an object")))?;
        let name = f
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid(format!("{at}.function.name must be a string")))?;
        let mut tool = Map::new();
        tool.insert("type".into(), "function".into());
        tool.insert("name".into(), name.into());
        for k in ["description", "parameters", "strict"] {
            if let Some(v) = f.get(k).filter(|v| !v.is_null()) {
                tool.insert(k.into(), v.clone());
            }
        }
        if !tool.contains_key("parameters") {
            tool.insert(
                "parameters".into(),
                json!({"type": "object", "properties": {}}),
            );
        }
        out.push(Value::Object(tool));
    }
    Ok(out)
}

fn convert_tool_choice(v: &Value) -> Result<Value, Synthetic> {
    match v {
        Value::String(s) if matches!(s.as_str(), "none" | "auto" | "required") => Ok(v.clone()),
        Value::Object(o) => {
            let name = o
                .get("function")
                .and_then(|f| f.get("name"))
                .and_then(Value::as_str)
                .ok_or_else(|| invalid("tool_choice.function.name must be a string"))?;
            Ok(json!({"type": "function", "name": name}))
        }
        _ => Err(invalid(
            "tool_choice must be \"none\", \"auto\", \"required\" or {\"type\":\"function\",\"function\":{\"name\":…}}",
        )),
    }
}

fn convert_response_format(v: &Value) -> Result<Value, Synthetic> {
    match v.get("type").and_then(Value::as_str) {
        Some("text") => Ok(json!({"type": "text"})),
        Some("json_object") => Ok(json!({"type": "json_object"})),
        Some("json_schema") => {
            let s = v
                .get("json_schema")
                .and_then(Value::as_object)
                .ok_or_else(|| invalid("response_format.json_schema must be an object"))?;
            let mut f = Map::new();
            f.insert("type".into(), "json_schema".into());
            for k in ["name", "schema", "strict", "description"] {
                if let Some(x) = s.get(k).filter(|x| !x.is_null()) {
                    f.insert(k.into(), x.clone());
                }
            }
            Ok(Value::Object(f))
        }
        other => Err(invalid(format!(
            "response_format.type {other:?} is not supported; use text, json_object or json_schema"
        ))),
    }
}

/// Converts a Chat Completions request body into a Responses body (see the module docs and
/// the mapping table in `docs/proxy.md`).
pub(crate) fn to_responses(body: &[u8]) -> Result<Converted, Synthetic> {
    let Ok(Value::Object(req)) = serde_json::from_slice::<Value>(body) else {
        return Err(invalid("the request body must be a JSON object"));
    };
    let model = req
        .get("model")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
        .ok_or_else(|| invalid("model must be a non-empty string"))?
        .to_string();
    if let Some(n) = req.get("n").filter(|n| !n.is_null()) {
        if n.as_u64() != Some(1) {
            return Err(invalid(
                "n must be 1: the Codex backend returns one choice per request",
            ));
        }
    }
    let messages = req
        .get("messages")
        .and_then(Value::as_array)
        .filter(|m| !m.is_empty())
        .ok_or_else(|| invalid("messages must be a non-empty array"))?;
    let mut out = Map::new();
    out.insert("model".into(), model.clone().into());
    out.insert("input".into(), Value::Array(convert_messages(messages)?));
    if let Some(tools) = req.get("tools").filter(|t| !t.is_null()) {
        let tools = tools
            .as_array()
            .ok_or_else(|| invalid("tools must be an array"))?;
        out.insert("tools".into(), Value::Array(convert_tools(tools)?));
    }
    if let Some(c) = req.get("tool_choice").filter(|t| !t.is_null()) {
        out.insert("tool_choice".into(), convert_tool_choice(c)?);
    }
    if let Some(p) = req.get("parallel_tool_calls").filter(|t| !t.is_null()) {
        let p = p
            .as_bool()
            .ok_or_else(|| invalid("parallel_tool_calls must be a boolean"))?;
        out.insert("parallel_tool_calls".into(), p.into());
    }
    if let Some(e) = req.get("reasoning_effort").filter(|t| !t.is_null()) {
        let e = e
            .as_str()
            .ok_or_else(|| invalid("reasoning_effort must be a string"))?;
        out.insert("reasoning".into(), json!({"effort": e}));
    }
    let mut text = Map::new();
    if let Some(f) = req.get("response_format").filter(|t| !t.is_null()) {
        text.insert("format".into(), convert_response_format(f)?);
    }
    if let Some(v) = req.get("verbosity").and_then(Value::as_str) {
        text.insert("verbosity".into(), v.into());
    }
    if !text.is_empty() {
        out.insert("text".into(), Value::Object(text));
    }
    if let Some(k) = req.get("prompt_cache_key").and_then(Value::as_str) {
        out.insert("prompt_cache_key".into(), k.into());
    }
    out.insert("stream".into(), true.into());
    let stream = req.get("stream").and_then(Value::as_bool).unwrap_or(false);
    let include_usage = req
        .get("stream_options")
        .and_then(|o| o.get("include_usage"))
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok(Converted {
        body: Value::Object(out),
        stream,
        include_usage,
        model,
    })
}

/// What one upstream event becomes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Out {
    /// A `chat.completion.chunk` object.
    Chunk(Value),
    /// The stream failed: `{"error":{…}}`.
    Error(Value),
}

#[derive(Debug, Default)]
struct Tool {
    args_seen: bool,
}

/// Converts a Responses event stream into Chat Completions chunks, event by event.
#[derive(Debug)]
pub(crate) struct ChatStream {
    id: String,
    model: String,
    created: u64,
    include_usage: bool,
    role_sent: bool,
    tools: Vec<Tool>,
    by_item: HashMap<String, usize>,
    by_output: HashMap<u64, usize>,
    finished: bool,
}

/// The Chat Completions usage object of a Responses `usage`.
fn chat_usage(u: &Value) -> Value {
    let n = |v: Option<&Value>| v.and_then(Value::as_u64).unwrap_or(0);
    let input = n(u.get("input_tokens"));
    let output = n(u.get("output_tokens"));
    json!({
        "prompt_tokens": input,
        "completion_tokens": output,
        "total_tokens": u.get("total_tokens").and_then(Value::as_u64).unwrap_or(input + output),
        "prompt_tokens_details": {"cached_tokens": n(u.pointer("/input_tokens_details/cached_tokens"))},
        "completion_tokens_details": {"reasoning_tokens": n(u.pointer("/output_tokens_details/reasoning_tokens"))},
    })
}

/// `{"error":{message,type,code}}` from an `error` / `response.failed` event.
fn error_body(v: &Value) -> Value {
    let info = error_info(v).unwrap_or_default();
    let code = info.code.unwrap_or_else(|| "upstream_stream_error".into());
    let message = info
        .message
        .unwrap_or_else(|| "the upstream stream failed".into());
    json!({"error": {"message": message, "type": code, "code": code}})
}

impl ChatStream {
    /// A converter for a request for `model`, created at `created` (Unix seconds).
    pub(crate) fn new(model: &str, created: u64, include_usage: bool) -> ChatStream {
        ChatStream {
            id: "chatcmpl-codex".into(),
            model: model.into(),
            created,
            include_usage,
            role_sent: false,
            tools: Vec::new(),
            by_item: HashMap::new(),
            by_output: HashMap::new(),
            finished: false,
        }
    }

    /// Whether the stream reached its end (completed or failed).
    pub(crate) fn finished(&self) -> bool {
        self.finished
    }

    fn chunk(&self, delta: Value, finish: Option<&str>) -> Value {
        let mut c = json!({
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}],
        });
        if self.include_usage {
            c["usage"] = Value::Null;
        }
        c
    }

    fn push_delta(&mut self, mut delta: Value, out: &mut Vec<Out>) {
        if !self.role_sent {
            self.role_sent = true;
            delta["role"] = "assistant".into();
        }
        out.push(Out::Chunk(self.chunk(delta, None)));
    }

    fn tool_index(&self, v: &Value) -> Option<usize> {
        v.get("item_id")
            .and_then(Value::as_str)
            .and_then(|id| self.by_item.get(id))
            .or_else(|| {
                v.get("output_index")
                    .and_then(Value::as_u64)
                    .and_then(|o| self.by_output.get(&o))
            })
            .copied()
    }

    fn add_tool(&mut self, v: &Value, item: &Value, out: &mut Vec<Out>) -> usize {
        let index = self.tools.len();
        self.tools.push(Tool::default());
        if let Some(id) = item.get("id").and_then(Value::as_str) {
            self.by_item.insert(id.to_string(), index);
        }
        if let Some(o) = v.get("output_index").and_then(Value::as_u64) {
            self.by_output.insert(o, index);
        }
        let call_id = item
            .get("call_id")
            .or_else(|| item.get("id"))
            .cloned()
            .unwrap_or(Value::Null);
        let name = item.get("name").cloned().unwrap_or(Value::Null);
        self.push_delta(
            json!({"tool_calls": [{"index": index, "id": call_id, "type": "function", "function": {"name": name, "arguments": ""}}]}),
            out,
        );
        index
    }

    fn finish(&mut self, reason: &str, response: Option<&Value>, out: &mut Vec<Out>) {
        if !self.role_sent {
            self.push_delta(json!({"content": ""}), out);
        }
        out.push(Out::Chunk(self.chunk(json!({}), Some(reason))));
        if self.include_usage {
            let usage = response
                .and_then(|r| r.get("usage"))
                .filter(|u| u.is_object())
                .map_or_else(|| chat_usage(&json!({})), chat_usage);
            out.push(Out::Chunk(json!({
                "id": self.id,
                "object": "chat.completion.chunk",
                "created": self.created,
                "model": self.model,
                "choices": [],
                "usage": usage,
            })));
        }
        self.finished = true;
    }

    /// Converts one upstream event, appending what it becomes to `out`.
    pub(crate) fn event(&mut self, ev: &SseEvent, out: &mut Vec<Out>) {
        if self.finished {
            return;
        }
        let Ok(v) = serde_json::from_str::<Value>(&ev.data) else {
            return;
        };
        let ty = v
            .get("type")
            .and_then(Value::as_str)
            .or(ev.event.as_deref())
            .unwrap_or("");
        match ty {
            "response.created" | "response.in_progress" => {
                if let Some(id) = v.pointer("/response/id").and_then(Value::as_str) {
                    self.id = format!("chatcmpl-{id}");
                }
                if let Some(m) = v.pointer("/response/model").and_then(Value::as_str) {
                    self.model = m.to_string();
                }
                if let Some(c) = v.pointer("/response/created_at").and_then(Value::as_u64) {
                    self.created = c;
                }
            }
            "response.output_text.delta" => {
                let d = v.get("delta").and_then(Value::as_str).unwrap_or("");
                self.push_delta(json!({"content": d}), out);
            }
            "response.refusal.delta" => {
                let d = v.get("delta").and_then(Value::as_str).unwrap_or("");
                self.push_delta(json!({"refusal": d}), out);
            }
            "response.output_item.added" => {
                let item = v.get("item").cloned().unwrap_or(Value::Null);
                if item.get("type").and_then(Value::as_str) == Some("function_call") {
                    self.add_tool(&v, &item, out);
                }
            }
            "response.function_call_arguments.delta" => {
                if let Some(i) = self.tool_index(&v) {
                    self.tools[i].args_seen = true;
                    let d = v.get("delta").and_then(Value::as_str).unwrap_or("");
                    self.push_delta(
                        json!({"tool_calls": [{"index": i, "function": {"arguments": d}}]}),
                        out,
                    );
                }
            }
            "response.output_item.done" => {
                let item = v.get("item").cloned().unwrap_or(Value::Null);
                if item.get("type").and_then(Value::as_str) != Some("function_call") {
                    return;
                }
                let known = item
                    .get("id")
                    .and_then(Value::as_str)
                    .and_then(|id| self.by_item.get(id).copied())
                    .or_else(|| self.tool_index(&v));
                let i = match known {
                    Some(i) => i,
                    None => self.add_tool(&v, &item, out),
                };
                let args = item.get("arguments").and_then(Value::as_str).unwrap_or("");
                if !self.tools[i].args_seen && !args.is_empty() {
                    self.tools[i].args_seen = true;
                    self.push_delta(
                        json!({"tool_calls": [{"index": i, "function": {"arguments": args}}]}),
                        out,
                    );
                }
            }
            "response.completed" | "response.done" => {
                let reason = if self.tools.is_empty() {
                    "stop"
                } else {
                    "tool_calls"
                };
                self.finish(reason, v.get("response"), out);
            }
            "response.incomplete" => {
                let reason = match v
                    .pointer("/response/incomplete_details/reason")
                    .and_then(Value::as_str)
                {
                    Some("content_filter") => "content_filter",
                    _ => "length",
                };
                self.finish(reason, v.get("response"), out);
            }
            "response.failed" | "error" => {
                self.finished = true;
                out.push(Out::Error(error_body(&v)));
            }
            _ => {}
        }
    }

    /// The upstream stream ended: an error unless the response completed.
    pub(crate) fn end(&mut self, out: &mut Vec<Out>) {
        if !self.finished {
            self.finished = true;
            out.push(Out::Error(json!({"error": {
                "message": "the upstream stream ended before the response completed",
                "type": "upstream_stream_error",
                "code": "upstream_stream_error",
            }})));
        }
    }
}

/// The `chat.completion` object that the chunks `outs` add up to, or the error they end with.
pub(crate) fn fold(outs: &[Out]) -> Result<Value, Value> {
    let mut id = Value::Null;
    let mut created = Value::Null;
    let mut model = Value::Null;
    let mut content: Option<String> = None;
    let mut refusal: Option<String> = None;
    let mut calls: Vec<Value> = Vec::new();
    let mut finish = Value::Null;
    let mut usage = Value::Null;
    for o in outs {
        let c = match o {
            Out::Error(e) => return Err(e.clone()),
            Out::Chunk(c) => c,
        };
        id = c["id"].clone();
        created = c["created"].clone();
        model = c["model"].clone();
        if c["usage"].is_object() {
            usage = c["usage"].clone();
        }
        let Some(choice) = c["choices"].get(0) else {
            continue;
        };
        if !choice["finish_reason"].is_null() {
            finish = choice["finish_reason"].clone();
        }
        let d = &choice["delta"];
        if let Some(s) = d["content"].as_str() {
            content.get_or_insert_with(String::new).push_str(s);
        }
        if let Some(s) = d["refusal"].as_str() {
            refusal.get_or_insert_with(String::new).push_str(s);
        }
        for t in d["tool_calls"].as_array().into_iter().flatten() {
            let i = t["index"].as_u64().unwrap_or(0) as usize;
            while calls.len() <= i {
                calls.push(json!({"id": null, "type": "function", "function": {"name": null, "arguments": ""}}));
            }
            if !t["id"].is_null() {
                calls[i]["id"] = t["id"].clone();
            }
            if !t["function"]["name"].is_null() {
                calls[i]["function"]["name"] = t["function"]["name"].clone();
            }
            if let Some(a) = t["function"]["arguments"].as_str() {
                let mut all = calls[i]["function"]["arguments"]
                    .as_str()
                    .unwrap_or("")
                    .to_string();
                all.push_str(a);
                calls[i]["function"]["arguments"] = all.into();
            }
        }
    }
    let mut message = json!({
        "role": "assistant",
        "content": content.filter(|c| !c.is_empty()),
        "refusal": refusal,
    });
    if !calls.is_empty() {
        message["tool_calls"] = Value::Array(calls);
    }
    let mut done = json!({
        "id": id,
        "object": "chat.completion",
        "created": created,
        "model": model,
        "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": finish}],
    });
    if !usage.is_null() {
        done["usage"] = usage;
    }
    Ok(done)
}

fn sse_frame(v: &Value) -> String {
    format!("data: {v}\n\n")
}

fn json_response(status: StatusCode, v: &Value) -> Response<ProxyBody> {
    let mut r = Response::new(ProxyBody::full(v.to_string()));
    *r.status_mut() = status;
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

fn unix_now(st: &AppState) -> u64 {
    (st.clock)() / 1000
}

/// Handles `POST /v1/chat/completions` with a body already read by the server.
pub(crate) async fn handle(
    st: std::sync::Arc<AppState>,
    headers: &HeaderMap,
    body: Bytes,
    guard: InflightGuard,
) -> Response<ProxyBody> {
    let conv = match to_responses(&body) {
        Ok(c) => c,
        Err(s) => return synthetic_response(&s),
    };
    let responses_body = Bytes::from(conv.body.to_string());
    let shaped = shape_with(
        headers,
        responses_body,
        &st.config.request_settings,
        &st.agents,
    );
    let resp = crate::orchestrator::handle(st.clone(), shaped, guard).await;
    let created = unix_now(&st);
    let status = resp.status().as_u16();
    let answered = answer(resp, &conv, created).await;
    if answered.status().as_u16() != status && status == 200 {
        // The stream behind a non-streaming answer failed: count what the client got.
        st.metrics.request_restated(
            (Outcome::Success, status),
            (Outcome::UpstreamError, answered.status().as_u16()),
        );
    }
    answered
}

/// Converts the Responses answer into the Chat Completions answer.
async fn answer(resp: Response<ProxyBody>, conv: &Converted, created: u64) -> Response<ProxyBody> {
    let (parts, body) = resp.into_parts();
    if !parts.status.is_success() || !crate::orchestrator::is_sse(&parts.headers) {
        return error_answer(parts, body).await;
    }
    // A `chat.completion` always carries the usage.
    let usage = conv.include_usage || !conv.stream;
    let conv_stream = ChatStream::new(&conv.model, created, usage);
    let outs = converted(body, conv_stream);
    if conv.stream {
        let mut r = Response::new(ProxyBody::stream(
            HeldStream {
                chunks: Vec::new(),
                rest: Some(chat_chunks(outs)),
                failed: None,
            },
            true,
            None,
        ));
        let h = r.headers_mut();
        h.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("text/event-stream; charset=utf-8"),
        );
        h.insert(
            http::header::CACHE_CONTROL,
            http::HeaderValue::from_static("no-cache"),
        );
        return r;
    }
    match fold(&collect(outs).await) {
        Ok(done) => json_response(StatusCode::OK, &done),
        Err(e) => json_response(StatusCode::BAD_GATEWAY, &e),
    }
}

/// A converted stream: per upstream chunk, the outputs of the events it completed, and
/// whether the response ended (completed or failed) with them.
type Outs = std::pin::Pin<Box<dyn futures_util::Stream<Item = (Vec<Out>, bool)> + Send>>;

/// Converts a Responses event stream body with `conv` (see [`ChatStream`]).
fn converted(body: ProxyBody, conv: ChatStream) -> Outs {
    struct State {
        body: http_body_util::BodyDataStream<ProxyBody>,
        scanner: SseScanner,
        conv: ChatStream,
    }
    let state = State {
        body: body.into_data_stream(),
        scanner: SseScanner::default(),
        conv,
    };
    Box::pin(futures_util::stream::unfold(state, |mut s| async move {
        loop {
            if s.conv.finished() {
                return None;
            }
            let mut events = Vec::new();
            let mut outs = Vec::new();
            match s.body.next().await {
                Some(Ok(b)) => {
                    s.scanner.feed(&b, &mut events);
                    for ev in &events {
                        s.conv.event(ev, &mut outs);
                    }
                }
                Some(Err(e)) => {
                    tracing::debug!(error = %e, "stream ended with an error");
                    s.conv.end(&mut outs);
                }
                None => s.conv.end(&mut outs),
            }
            if !outs.is_empty() || s.conv.finished() {
                let finished = s.conv.finished();
                return Some(((outs, finished), s));
            }
        }
    }))
}

/// Every output of a converted stream (for the non-streaming answer, their [`fold`]).
async fn collect(mut outs: Outs) -> Vec<Out> {
    let mut all = Vec::new();
    while let Some((batch, _)) = outs.next().await {
        all.extend(batch);
    }
    all
}

/// The Chat Completions event stream of a converted stream: each batch of outputs leaves as
/// one chunk of `data:` events; the stream ends with `[DONE]` after a completed response, or
/// with an error chunk.
fn chat_chunks(outs: Outs) -> ByteStream {
    Box::pin(outs.map(|(batch, finished)| {
        let mut text = String::new();
        for o in &batch {
            match o {
                Out::Chunk(v) | Out::Error(v) => text.push_str(&sse_frame(v)),
            }
        }
        if finished && !batch.iter().any(|o| matches!(o, Out::Error(_))) {
            text.push_str("data: [DONE]\n\n");
        }
        Ok(Bytes::from(text))
    }))
}

/// A non-success (or non-stream) answer in the OpenAI error shape, with its status.
async fn error_answer(parts: http::response::Parts, body: ProxyBody) -> Response<ProxyBody> {
    let mut bytes = Vec::new();
    let mut data = body.into_data_stream();
    while let Some(Ok(b)) = data.next().await {
        let room = ERROR_BODY_LIMIT.saturating_sub(bytes.len());
        bytes.extend_from_slice(&b[..b.len().min(room)]);
        if bytes.len() >= ERROR_BODY_LIMIT {
            break;
        }
    }
    let parsed = serde_json::from_slice::<Value>(&bytes).ok();
    let status = if parts.status.is_success() {
        StatusCode::BAD_GATEWAY
    } else {
        parts.status
    };
    let body = match parsed {
        Some(v) if v.get("error").is_some_and(Value::is_object) && status == parts.status => v,
        other => {
            let message = other
                .as_ref()
                .and_then(|v| v.get("detail").or_else(|| v.get("message")))
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| {
                    if parts.status.is_success() {
                        "the upstream answered without an event stream".into()
                    } else {
                        let t = String::from_utf8_lossy(&bytes);
                        let t = t.trim();
                        if t.is_empty() {
                            format!("the upstream answered {}", parts.status)
                        } else {
                            t.chars().take(2000).collect()
                        }
                    }
                });
            json!({"error": {"message": message, "type": "upstream_error", "code": status.as_u16().to_string()}})
        }
    };
    let mut r = json_response(status, &body);
    if let Some(v) = parts.headers.get(http::header::RETRY_AFTER) {
        r.headers_mut().insert(http::header::RETRY_AFTER, v.clone());
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(v: Value) -> Result<Converted, Synthetic> {
        to_responses(v.to_string().as_bytes())
    }

    fn ev(v: Value) -> SseEvent {
        SseEvent {
            event: v["type"].as_str().map(str::to_string),
            data: v.to_string(),
        }
    }

    fn run(events: &[Value], include_usage: bool) -> Vec<Out> {
        let mut c = ChatStream::new("gpt-5.4", 7, include_usage);
        let mut out = Vec::new();
        for e in events {
            c.event(&ev(e.clone()), &mut out);
        }
        c.end(&mut out);
        out
    }

    #[test]
    fn messages_tools_and_options_become_a_responses_body() {
        let c = conv(json!({
            "model": "gpt-5.4",
            "stream": true,
            "stream_options": {"include_usage": true},
            "n": 1,
            "max_tokens": 10,
            "max_completion_tokens": 10,
            "temperature": 0.2,
            "user": "u",
            "metadata": {"k": "v"},
            "reasoning_effort": "high",
            "parallel_tool_calls": false,
            "tool_choice": {"type": "function", "function": {"name": "weather"}},
            "response_format": {"type": "json_schema", "json_schema": {"name": "w", "schema": {"type": "object"}, "strict": true}},
            "tools": [{"type": "function", "function": {"name": "weather", "description": "d", "parameters": {"type": "object"}}}],
            "messages": [
                {"role": "system", "content": "be brief"},
                {"role": "user", "content": [
                    {"type": "text", "text": "weather?"},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA", "detail": "low"}}
                ]},
                {"role": "assistant", "content": null, "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "weather", "arguments": "{\"city\":\"Oslo\"}"}}
                ]},
                {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
                {"role": "assistant", "content": "It is sunny."},
                {"role": "developer", "content": [{"type": "text", "text": "later"}]}
            ]
        }))
        .expect("converts");
        assert!(c.stream && c.include_usage);
        assert_eq!(c.model, "gpt-5.4");
        assert_eq!(
            c.body,
            json!({
                "model": "gpt-5.4",
                "input": [
                    {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "be brief"}]},
                    {"type": "message", "role": "user", "content": [
                        {"type": "input_text", "text": "weather?"},
                        {"type": "input_image", "image_url": "data:image/png;base64,AA", "detail": "low"}
                    ]},
                    {"type": "function_call", "call_id": "call_1", "name": "weather", "arguments": "{\"city\":\"Oslo\"}"},
                    {"type": "function_call_output", "call_id": "call_1", "output": "sunny"},
                    {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "It is sunny."}]},
                    {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "later"}]}
                ],
                "tools": [{"type": "function", "name": "weather", "description": "d", "parameters": {"type": "object"}}],
                "tool_choice": {"type": "function", "name": "weather"},
                "parallel_tool_calls": false,
                "reasoning": {"effort": "high"},
                "text": {"format": {"type": "json_schema", "name": "w", "schema": {"type": "object"}, "strict": true}},
                "stream": true
            })
        );
        // The shaping then lifts the leading system message into `instructions`.
        let mut m = c.body.as_object().cloned().expect("object");
        crate::shape::shape_body(&mut m);
        assert_eq!(m["instructions"], "be brief");
        assert_eq!(m["input"][0]["role"], "user");
    }

    #[test]
    fn a_non_streaming_request_still_streams_upstream() {
        let c = conv(json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]}))
            .expect("converts");
        assert!(!c.stream && !c.include_usage);
        assert_eq!(c.body["stream"], true);
    }

    #[test]
    fn what_cannot_be_expressed_is_refused_naming_the_field() {
        let cases = [
            (
                json!({"model": "m", "n": 2, "messages": [{"role": "user", "content": "x"}]}),
                "n must be 1",
            ),
            (json!({"model": "m", "messages": []}), "messages"),
            (
                json!({"messages": [{"role": "user", "content": "x"}]}),
                "model",
            ),
            (
                json!({"model": "m", "messages": [{"role": "function", "content": "x"}]}),
                "messages[0].role",
            ),
            (
                json!({"model": "m", "messages": [{"role": "user", "content": [{"type": "input_audio"}]}]}),
                "messages[0].content[0]",
            ),
            (
                json!({"model": "m", "messages": [{"role": "tool", "content": "x"}]}),
                "messages[0].tool_call_id",
            ),
            (
                json!({"model": "m", "tools": [{"type": "web_search"}], "messages": [{"role": "user", "content": "x"}]}),
                "tools[0].type",
            ),
        ];
        for (body, needle) in cases {
            let e = conv(body.clone()).expect_err("refused");
            assert_eq!(e.kind(), "invalid_chat_request");
            assert_eq!(e.status(), 400);
            assert!(e.message().contains(needle), "{body}: {}", e.message());
        }
        let e = to_responses(b"[1]").expect_err("not an object");
        assert_eq!(e.kind(), "invalid_chat_request");
    }

    fn text_stream() -> Vec<Value> {
        vec![
            json!({"type": "response.created", "response": {"id": "resp_9", "model": "gpt-5.4-x", "created_at": 100}}),
            json!({"type": "response.output_item.added", "output_index": 0, "item": {"type": "message", "id": "msg_1"}}),
            json!({"type": "response.output_text.delta", "item_id": "msg_1", "delta": "Hel"}),
            json!({"type": "response.output_text.delta", "item_id": "msg_1", "delta": "lo"}),
            json!({"type": "response.completed", "response": {"id": "resp_9", "usage": {"input_tokens": 10, "output_tokens": 5, "total_tokens": 15, "input_tokens_details": {"cached_tokens": 4}, "output_tokens_details": {"reasoning_tokens": 2}}}}),
        ]
    }

    #[test]
    fn text_becomes_role_first_deltas_a_stop_and_usage() {
        let out = run(&text_stream(), true);
        let chunks: Vec<&Value> = out
            .iter()
            .map(|o| match o {
                Out::Chunk(c) => c,
                Out::Error(e) => panic!("error {e}"),
            })
            .collect();
        assert_eq!(chunks.len(), 4);
        assert_eq!(chunks[0]["id"], "chatcmpl-resp_9");
        assert_eq!(chunks[0]["object"], "chat.completion.chunk");
        assert_eq!(chunks[0]["model"], "gpt-5.4-x");
        assert_eq!(chunks[0]["created"], 100);
        assert_eq!(
            chunks[0]["choices"][0]["delta"],
            json!({"role": "assistant", "content": "Hel"})
        );
        assert_eq!(chunks[1]["choices"][0]["delta"], json!({"content": "lo"}));
        assert_eq!(chunks[2]["choices"][0]["finish_reason"], "stop");
        assert_eq!(chunks[3]["choices"], json!([]));
        assert_eq!(
            chunks[3]["usage"],
            json!({"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15, "prompt_tokens_details": {"cached_tokens": 4}, "completion_tokens_details": {"reasoning_tokens": 2}})
        );
        let done = fold(&out).expect("completion");
        assert_eq!(done["object"], "chat.completion");
        assert_eq!(done["choices"][0]["message"]["content"], "Hello");
        assert_eq!(done["choices"][0]["message"]["role"], "assistant");
        assert_eq!(done["choices"][0]["finish_reason"], "stop");
        assert_eq!(done["usage"]["total_tokens"], 15);
        // Without include_usage there is no usage chunk.
        assert_eq!(run(&text_stream(), false).len(), 3);
    }

    #[test]
    fn function_calls_become_indexed_tool_call_deltas() {
        let events = vec![
            json!({"type": "response.created", "response": {"id": "r"}}),
            json!({"type": "response.output_item.added", "output_index": 0, "item": {"type": "function_call", "id": "fc_1", "call_id": "call_a", "name": "weather", "arguments": ""}}),
            json!({"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 0, "delta": "{\"city\":"}),
            json!({"type": "response.function_call_arguments.delta", "item_id": "fc_1", "output_index": 0, "delta": "\"Oslo\"}"}),
            json!({"type": "response.output_item.done", "output_index": 0, "item": {"type": "function_call", "id": "fc_1", "call_id": "call_a", "name": "weather", "arguments": "{\"city\":\"Oslo\"}"}}),
            // A second call whose arguments arrive only with `done`.
            json!({"type": "response.output_item.added", "output_index": 1, "item": {"type": "function_call", "id": "fc_2", "call_id": "call_b", "name": "time"}}),
            json!({"type": "response.output_item.done", "output_index": 1, "item": {"type": "function_call", "id": "fc_2", "call_id": "call_b", "name": "time", "arguments": "{}"}}),
            json!({"type": "response.completed", "response": {"id": "r"}}),
        ];
        let out = run(&events, false);
        let Out::Chunk(first) = &out[0] else {
            panic!("chunk")
        };
        assert_eq!(
            first["choices"][0]["delta"],
            json!({"role": "assistant", "tool_calls": [{"index": 0, "id": "call_a", "type": "function", "function": {"name": "weather", "arguments": ""}}]})
        );
        let done = fold(&out).expect("completion");
        assert_eq!(done["choices"][0]["finish_reason"], "tool_calls");
        assert_eq!(done["choices"][0]["message"]["content"], Value::Null);
        assert_eq!(
            done["choices"][0]["message"]["tool_calls"],
            json!([
                {"id": "call_a", "type": "function", "function": {"name": "weather", "arguments": "{\"city\":\"Oslo\"}"}},
                {"id": "call_b", "type": "function", "function": {"name": "time", "arguments": "{}"}}
            ])
        );
    }

    #[test]
    fn incomplete_is_length_and_failures_are_error_chunks() {
        let out = run(
            &[
                json!({"type": "response.output_text.delta", "delta": "a"}),
                json!({"type": "response.incomplete", "response": {"incomplete_details": {"reason": "max_output_tokens"}}}),
            ],
            false,
        );
        assert_eq!(
            fold(&out).expect("ok")["choices"][0]["finish_reason"],
            "length"
        );

        let out = run(
            &[
                json!({"type": "response.output_text.delta", "delta": "a"}),
                json!({"type": "response.failed", "response": {"error": {"code": "server_error", "message": "boom"}}}),
            ],
            false,
        );
        assert_eq!(
            out.last(),
            Some(&Out::Error(
                json!({"error": {"message": "boom", "type": "server_error", "code": "server_error"}})
            ))
        );
        assert!(fold(&out).is_err());

        // The proxy's own mid-stream error event.
        let proxy_event: Value = serde_json::from_str(
            std::str::from_utf8(&crate::sse::stream_error_event(
                "upstream_idle_timeout",
                "quiet",
            ))
            .expect("utf8")
            .trim()
            .trim_start_matches("event: error\ndata: "),
        )
        .expect("json");
        let out = run(
            &[
                json!({"type": "response.output_text.delta", "delta": "a"}),
                proxy_event,
            ],
            false,
        );
        let Some(Out::Error(e)) = out.last() else {
            panic!("error")
        };
        assert_eq!(e["error"]["type"], "upstream_idle_timeout");

        // A stream that just stops.
        let out = run(
            &[json!({"type": "response.output_text.delta", "delta": "a"})],
            false,
        );
        let Some(Out::Error(e)) = out.last() else {
            panic!("error")
        };
        assert_eq!(e["error"]["type"], "upstream_stream_error");
    }
}
