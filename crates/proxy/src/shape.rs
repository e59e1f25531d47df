//! Turning a client's Responses request into what the Codex backend expects (reference 7.2,
//! 7.3).
//!
//! Headers: hop-by-hop headers, `host`, `cookie`, `proxy-authorization`, `forwarded`,
//! `x-forwarded-*` and the client's own `authorization` never leave; the session key
//! (`session-id`, `session_id`, `x-session-id`, `x-session-affinity`) becomes `session-id`;
//! `originator` and `user-agent` follow the mode. The account's `Authorization` and
//! `ChatGPT-Account-Id` are added per attempt by the orchestrator, from values built once
//! per access token ([`AccountHeaders`]).
//!
//! Body (JSON objects only; anything else passes through byte for byte): leading `system` /
//! `developer` input items become top-level `instructions` when the client sent none
//! (OpenCode's `@ai-sdk/openai` provider sends them that way), `max_output_tokens` is
//! removed, `store` is forced to `false`, reasoning replay is stripped, and
//! `reasoning.encrypted_content` is included when reasoning is requested. Everything else,
//! including `stream`, passes through untouched. The `fast` submodule does this without
//! rebuilding the body (untouched members are copied as received, a body that needs no
//! change is sent as it came); the whole-body parse in [`shape_body`] is its fallback and
//! its reference.

mod fast;

use crate::settings::{BodyKind, CLAMP_KEYS};
use bytes::Bytes;
use codex_store::Domain;
use http::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value};

/// Client headers that never reach the backend.
const DROP: [&str; 27] = [
    "host",
    "cookie",
    "set-cookie",
    "proxy-authorization",
    "proxy-connection",
    "authorization",
    "x-api-key",
    "forwarded",
    "via",
    "x-real-ip",
    "connection",
    "keep-alive",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "accept-encoding",
    "chatgpt-account-id",
    "session-id",
    "session_id",
    "x-session-id",
    "x-session-affinity",
    "openai-beta",
    "conversation_id",
    "x-openai-subagent",
    "originator",
];

const ORIGINATOR: HeaderName = HeaderName::from_static("originator");

/// Originators the backend knows, kept when a client sends one.
pub const KNOWN_ORIGINATORS: [&str; 3] = ["opencode", "codex_exec", "codex_cli_rs"];

/// The session key of a request: `session-id`, `session_id`, `x-session-id`,
/// `x-session-affinity` (first non-blank).
pub fn session_key(headers: &HeaderMap) -> Option<String> {
    // Looked up by name (not by `&str`, which is parsed into a name at every lookup).
    const NAMES: [HeaderName; 4] = [
        HeaderName::from_static("session-id"),
        HeaderName::from_static("session_id"),
        HeaderName::from_static("x-session-id"),
        HeaderName::from_static("x-session-affinity"),
    ];
    if headers.is_empty() {
        return None;
    }
    NAMES
        .iter()
        .filter_map(|n| headers.get(n))
        .filter_map(|v| v.to_str().ok())
        .map(str::trim)
        .find(|v| !v.is_empty())
        .map(str::to_string)
}

/// Adds an account's credentials to an upstream request: `Authorization: Bearer <access>`
/// (marked sensitive, so it is never printed) and `ChatGPT-Account-Id` when known.
pub fn insert_account_headers(h: &mut HeaderMap, access: &str, account_id: Option<&str>) {
    if let Ok(mut v) = HeaderValue::from_str(&format!("Bearer {access}")) {
        v.set_sensitive(true);
        h.insert(http::header::AUTHORIZATION, v);
    }
    if let Some(v) = account_id.and_then(|id| HeaderValue::from_str(id).ok()) {
        h.insert(CHATGPT_ACCOUNT_ID, v);
    }
}

/// Accounts kept by [`AccountHeaders`] (the oldest is dropped first).
const ACCOUNT_HEADERS_KEPT: usize = 16;

/// The credential headers of the accounts in use, built once per access token: an access
/// token is a JWT of about 2 KB, which building a header value checks byte by byte, so the
/// Responses requests reuse the values (a refreshed token gets new ones).
#[derive(Default)]
pub struct AccountHeaders(std::sync::Mutex<std::collections::VecDeque<CachedAccount>>);

/// One account's values, and what they were built from.
struct CachedAccount {
    access: codex_redact::Secret<String>,
    account_id: Option<String>,
    authorization: HeaderValue,
    account_header: Option<HeaderValue>,
}

impl std::fmt::Debug for AccountHeaders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccountHeaders")
    }
}

impl AccountHeaders {
    /// Adds the account's credentials to `h` as [`insert_account_headers`] does.
    pub fn insert(&self, h: &mut HeaderMap, access: &str, account_id: Option<&str>) {
        let mut kept = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let found = kept
            .iter()
            .find(|c| c.access.expose() == access && c.account_id.as_deref() == account_id);
        let cached = match found {
            Some(c) => c,
            None => {
                let mut built = HeaderMap::new();
                insert_account_headers(&mut built, access, account_id);
                let Some(authorization) = built.remove(http::header::AUTHORIZATION) else {
                    // Not a valid header value: nothing to keep, nothing to send.
                    drop(kept);
                    insert_account_headers(h, access, account_id);
                    return;
                };
                if kept.len() >= ACCOUNT_HEADERS_KEPT {
                    kept.pop_front();
                }
                kept.push_back(CachedAccount {
                    access: codex_redact::Secret::new(access.to_string()),
                    account_id: account_id.map(str::to_string),
                    authorization,
                    account_header: built.remove(CHATGPT_ACCOUNT_ID),
                });
                match kept.back() {
                    Some(c) => c,
                    None => return,
                }
            }
        };
        h.insert(http::header::AUTHORIZATION, cached.authorization.clone());
        if let Some(v) = &cached.account_header {
            h.insert(CHATGPT_ACCOUNT_ID, v.clone());
        }
    }
}

const CHATGPT_ACCOUNT_ID: HeaderName = HeaderName::from_static("chatgpt-account-id");

/// The user agents the proxy sends.
#[derive(Debug, Clone)]
pub struct UserAgents {
    /// Native mode, when the client sends none.
    pub native: String,
    /// Codex mode (always), without the originator prefix.
    pub codex_suffix: String,
    /// The header values sent, built once: `native`, and Codex mode's for each of
    /// [`KNOWN_ORIGINATORS`] (`None` where the text is not a valid header value).
    values: (Option<HeaderValue>, [Option<HeaderValue>; 3]),
}

fn os_release() -> String {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

fn printable(s: &str) -> String {
    s.chars()
        .map(|c| if (' '..='~').contains(&c) { c } else { '_' })
        .collect()
}

impl UserAgents {
    /// The plugin's two forms, for this machine.
    pub fn for_this_machine(native_version: &str, codex_version: &str) -> UserAgents {
        let release = os_release();
        let node_platform = match std::env::consts::OS {
            "macos" => "darwin",
            "windows" => "win32",
            other => other,
        };
        let node_arch = match std::env::consts::ARCH {
            "x86_64" => "x64",
            "aarch64" => "arm64",
            other => other,
        };
        let codex_os = match std::env::consts::OS {
            "macos" => "Mac OS",
            "windows" => "Windows",
            "linux" => "Linux",
            other => other,
        };
        let codex_arch = match std::env::consts::ARCH {
            "aarch64" => "arm64",
            other => other,
        };
        let native = printable(&format!(
            "opencode/{native_version} ({node_platform} {release}; {node_arch})"
        ));
        let codex_suffix = printable(&format!(
            "/{codex_version} ({codex_os} {release}; {codex_arch}) codex-kit"
        ));
        let values = (
            HeaderValue::from_str(&native).ok(),
            KNOWN_ORIGINATORS.map(|o| HeaderValue::from_str(&format!("{o}{codex_suffix}")).ok()),
        );
        UserAgents {
            native,
            codex_suffix,
            values,
        }
    }

    /// The `User-Agent` value for `mode`, with `originator` (one of [`KNOWN_ORIGINATORS`]) in
    /// Codex mode.
    fn value(&self, mode: Domain, originator: &str) -> Option<HeaderValue> {
        match mode {
            Domain::Native => self.values.0.clone(),
            Domain::Codex => KNOWN_ORIGINATORS
                .iter()
                .position(|k| *k == originator)
                .and_then(|i| self.values.1[i].clone()),
        }
    }
}

/// A shaped request, ready for attempts.
#[derive(Debug, Clone)]
pub struct Shaped {
    /// The body to send.
    pub body: Bytes,
    /// Headers to send (without the account's credentials).
    pub headers: HeaderMap,
    /// The session key.
    pub session_key: Option<String>,
    /// The model, when the body names one.
    pub model: Option<String>,
    /// Whether the body was a JSON object (and was shaped).
    pub json: bool,
    /// A `reasoning.summary` the backend does not accept (trimmed, as sent): the request is
    /// refused with `invalid_reasoning_summary` instead of sent (reference 7.3).
    pub invalid_summary: Option<String>,
}

fn drop_header(name: &str) -> bool {
    DROP.contains(&name) || name.starts_with("x-forwarded-") || name.starts_with("x-opencode-")
}

/// Shapes the headers and body of a Responses request.
pub fn shape_request(
    client_headers: &HeaderMap,
    body: Bytes,
    mode: Domain,
    agents: &UserAgents,
) -> Shaped {
    let settings = crate::settings::RequestSettings {
        mode,
        ..Default::default()
    };
    shape_with(client_headers, body, &settings, agents)
}

/// [`shape_request`] with the request settings `serve` resolved from `codex-config.jsonc`.
pub(crate) fn shape_with(
    client_headers: &HeaderMap,
    body: Bytes,
    settings: &crate::settings::RequestSettings,
    agents: &UserAgents,
) -> Shaped {
    let mode = settings.mode;
    // Room for what is added below, so that the map does not grow on the way.
    let mut headers = HeaderMap::with_capacity(client_headers.len() + 6);
    let connection_tokens: Vec<String> = client_headers
        .get_all(http::header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .collect();
    for (name, value) in client_headers {
        let n = name.as_str();
        if drop_header(n) || connection_tokens.iter().any(|t| t == n) {
            continue;
        }
        if n == "user-agent" && mode == Domain::Codex {
            continue;
        }
        headers.append(name.clone(), value.clone());
    }
    let inbound_originator = client_headers
        .get(ORIGINATOR)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|o| KNOWN_ORIGINATORS.contains(o));
    let originator = inbound_originator.unwrap_or(match mode {
        Domain::Native => "opencode",
        Domain::Codex => "codex_cli_rs",
    });
    headers.insert(
        ORIGINATOR,
        HeaderValue::from_static(static_originator(originator)),
    );
    if mode == Domain::Codex || !headers.contains_key(http::header::USER_AGENT) {
        if let Some(v) = agents.value(mode, originator) {
            headers.insert(http::header::USER_AGENT, v);
        }
    }
    headers.insert(
        http::header::ACCEPT_ENCODING,
        HeaderValue::from_static("identity"),
    );
    let session = session_key(client_headers);
    if let Some(s) = &session {
        if let Ok(v) = HeaderValue::from_str(s) {
            headers.insert(HeaderName::from_static("session-id"), v);
        }
    }

    let (body, model, kind, invalid_summary) = match fast::shape(&body) {
        Some(f) => (
            f.body.map(Bytes::from).unwrap_or(body),
            f.model,
            BodyKind::Object {
                clamp_keys: f.clamp_keys,
            },
            f.invalid_summary,
        ),
        None => shape_parsed(body),
    };
    let json = kind != BodyKind::Opaque;
    let (body, model) = crate::settings::apply_to_body(settings, body, model, kind);
    if json {
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
    }
    Shaped {
        body,
        headers,
        session_key: session,
        model,
        json,
        invalid_summary,
    }
}

/// The value of `reasoning.summary` when it is a non-blank string other than `auto`,
/// `concise`, `detailed` or `none` (any case), trimmed; the plugin refuses such a request.
pub(crate) fn invalid_summary(reasoning: Option<&Value>) -> Option<String> {
    let raw = reasoning?.get("summary")?.as_str()?.trim();
    let ok = raw.is_empty()
        || ["auto", "concise", "detailed", "none"]
            .iter()
            .any(|v| raw.eq_ignore_ascii_case(v));
    (!ok).then(|| raw.to_string())
}

/// The reference shaping: the whole body parsed, shaped and serialized again. Used when
/// [`fast::shape`] leaves a body to it; a body that is not a JSON object passes through.
fn shape_parsed(body: Bytes) -> (Bytes, Option<String>, BodyKind, Option<String>) {
    match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(mut m)) => {
            shape_body(&mut m);
            let model = m.get("model").and_then(Value::as_str).map(str::to_string);
            let invalid = invalid_summary(m.get("reasoning"));
            let clamp_keys = CLAMP_KEYS.iter().any(|k| m.contains_key(*k));
            let bytes = serde_json::to_vec(&Value::Object(m))
                .map(Bytes::from)
                .unwrap_or(body);
            (bytes, model, BodyKind::Object { clamp_keys }, invalid)
        }
        _ => (body, None, BodyKind::Opaque, None),
    }
}

fn static_originator(o: &str) -> &'static str {
    KNOWN_ORIGINATORS
        .iter()
        .find(|k| **k == o)
        .copied()
        .unwrap_or("opencode")
}

fn item_text(item: &Value) -> Option<String> {
    match item.get("content")? {
        Value::String(s) => Some(s.clone()),
        Value::Array(parts) => {
            let mut texts = Vec::new();
            for p in parts {
                let t = p
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("input_text");
                if !matches!(t, "input_text" | "text" | "output_text") {
                    return None;
                }
                texts.push(p.get("text")?.as_str()?.to_string());
            }
            Some(texts.join("\n\n"))
        }
        _ => None,
    }
}

fn is_instruction_item(item: &Value) -> bool {
    let role = item.get("role").and_then(Value::as_str);
    let ty = item.get("type").and_then(Value::as_str);
    matches!(role, Some("system" | "developer")) && matches!(ty, None | Some("message"))
}

/// Moves leading `system`/`developer` items into `instructions` when there are none.
fn lift_instructions(m: &mut Map<String, Value>) {
    let has = m
        .get("instructions")
        .and_then(Value::as_str)
        .is_some_and(|s| !s.is_empty());
    if has {
        return;
    }
    let Some(Value::Array(input)) = m.get_mut("input") else {
        return;
    };
    let mut texts = Vec::new();
    let mut n = 0;
    for item in input.iter() {
        if !is_instruction_item(item) {
            break;
        }
        match item_text(item) {
            Some(t) => texts.push(t),
            None => break,
        }
        n += 1;
    }
    if n == 0 {
        return;
    }
    input.drain(..n);
    m.insert("instructions".into(), Value::String(texts.join("\n\n")));
}

fn starts_with_reasoning(v: &Value) -> bool {
    v.get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t.to_ascii_lowercase().starts_with("reasoning"))
}

fn delete_reasoning_content(v: &mut Value) {
    match v {
        Value::Object(m) => {
            m.retain(|k, _| !k.eq_ignore_ascii_case("reasoning_content"));
            for (_, x) in m.iter_mut() {
                delete_reasoning_content(x);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(delete_reasoning_content),
        _ => {}
    }
}

/// The reasoning replay strip of reference 7.3, on `input`.
fn strip_reasoning(m: &mut Map<String, Value>) {
    let Some(Value::Array(input)) = m.get_mut("input") else {
        return;
    };
    input.retain(|item| !starts_with_reasoning(item));
    for item in input.iter_mut() {
        if item.get("role").and_then(Value::as_str) == Some("assistant") {
            if let Some(Value::Array(parts)) = item.get_mut("content") {
                parts.retain(|p| !starts_with_reasoning(p));
            }
        }
        delete_reasoning_content(item);
    }
}

fn reasoning_requested(m: &Map<String, Value>) -> bool {
    reasoning_requested_by(m.get("reasoning"))
}

/// Whether a `reasoning` member asks for reasoning (an object whose `effort` is not `none`).
fn reasoning_requested_by(reasoning: Option<&Value>) -> bool {
    match reasoning {
        Some(Value::Object(r)) => !r
            .get("effort")
            .and_then(Value::as_str)
            .is_some_and(|e| e.eq_ignore_ascii_case("none")),
        _ => false,
    }
}

/// The body changes a standalone client needs for the Codex backend.
pub fn shape_body(m: &mut Map<String, Value>) {
    lift_instructions(m);
    m.remove("max_output_tokens");
    m.insert("store".into(), Value::Bool(false));
    strip_reasoning(m);
    if reasoning_requested(m) {
        let include = m
            .entry("include")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = include {
            if !items
                .iter()
                .any(|i| i.as_str() == Some("reasoning.encrypted_content"))
            {
                items.push(Value::String("reasoning.encrypted_content".into()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(cache: &AccountHeaders, access: &str, id: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        cache.insert(&mut h, access, id);
        h
    }

    #[test]
    fn cached_account_headers_are_the_ones_built_per_request() {
        let cache = AccountHeaders::default();
        let jwt = format!("eyJ.{}.sig", "a".repeat(1800));
        for (access, id) in [
            (jwt.as_str(), Some("acc_1")),
            (jwt.as_str(), Some("acc_1")),
            ("at_2", None),
            (jwt.as_str(), None),
            ("bad\ntoken", Some("acc_3")),
            ("at_4", Some("bad\nid")),
        ] {
            let mut expected = HeaderMap::new();
            insert_account_headers(&mut expected, access, id);
            let got = sent(&cache, access, id);
            assert_eq!(got, expected, "{id:?}");
            if let Some(v) = got.get(http::header::AUTHORIZATION) {
                assert!(v.is_sensitive());
            }
        }
        // A refreshed token is sent at once, and the values of many accounts stay bounded.
        assert_eq!(
            sent(&cache, "at_new", Some("acc_1"))[http::header::AUTHORIZATION],
            "Bearer at_new"
        );
        for i in 0..40 {
            let access = format!("at_{i}");
            assert_eq!(
                sent(&cache, &access, None)[http::header::AUTHORIZATION],
                format!("Bearer {access}").as_str()
            );
        }
        let kept = cache.0.lock().map(|k| k.len()).unwrap_or(0);
        assert_eq!(kept, ACCOUNT_HEADERS_KEPT);
    }
}
