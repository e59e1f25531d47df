//! The live model catalog (reference 10.3, 10.4): fetches
//! `GET <upstream>/models?client_version=<v>` with an account's credentials and keeps the
//! plugin's per-account catalog files current, so `/v1/models` shows what the account can
//! use, and the plugin and the doctor see the same fresh catalog.
//!
//! Rules, as the plugin's: a catalog whose `fetchedAt` is less than 15 minutes old is used
//! as is; otherwise one fetch per scope (the account id, or `shared`) at a time, at most
//! every 60 s (10 s after a failure); redirects are followed as `outbound` says (up to 3
//! hops); a refused redirect, a non-2xx answer, a body without models or a timeout (5 s
//! across all hops) leaves the files alone and the stale catalog is served. A successful fetch writes
//! `codex-auth-models-<hash>.json` and its mirror `codex-models-cache-<hash>.json`
//! (`{"fetchedAt": <ms>, "models": [...]}`, the fields of 10.4, natural slug order) under
//! the cache directory's proper-lockfile lock (`<root>/cache.lock`), like the plugin; unlike
//! the plugin, each file is replaced atomically, so a reader never sees half a catalog.
//! A fetch needs a valid access token: the catalog is never worth spending a refresh
//! token on, so an account whose token has expired is served from the cache.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use codex_paths::catalog_cache_names;
use codex_redact::Secret;
use codex_store::atomic::{write_atomic, WriteOptions};
use codex_store::json::to_js_pretty;
use codex_store::{FileLock, LockOptions};
use futures_util::StreamExt;
use http::{HeaderName, HeaderValue};
use serde_json::{Map, Value};

use crate::shared::Shared;

/// A catalog younger than this is used without asking upstream.
pub(crate) const FRESH_MS: f64 = 900_000.0;
/// Smallest gap between two fetches of one scope.
pub(crate) const RESYNC_MS: f64 = 60_000.0;
/// Smallest gap after a failed fetch.
pub(crate) const RESYNC_AFTER_FAILURE_MS: f64 = 10_000.0;
/// Time limit of one fetch.
pub(crate) const FETCH_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a catalog write waits for `cache.lock`.
pub(crate) const WRITE_LOCK_BUDGET: Duration = Duration::from_secs(2);
/// Largest catalog body read.
pub(crate) const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// `input_modalities` values kept.
const MODALITIES: [&str; 5] = ["text", "audio", "image", "video", "pdf"];

/// What a sync did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncOutcome {
    /// The cached catalog is fresh; nothing was asked.
    Fresh,
    /// Fetched and written; the number of models.
    Fetched(usize),
    /// Not asked: the scope was tried recently, or there is no usable access token.
    Skipped(&'static str),
    /// Asked and failed (the reason has no secrets); the cache was left alone.
    Failed(String),
}

#[derive(Debug, Default)]
struct ScopeState {
    last_attempt_ms: Option<f64>,
    last_failed: bool,
}

/// When a scope was last looked at, for the cheap per-request gate.
#[derive(Debug, Clone, Copy)]
struct Checked {
    at_ms: f64,
    failed: bool,
}

/// Per-scope fetch state: one fetch at a time per scope, and the resync gaps. Scopes are
/// account ids (never shown by `Debug`).
#[derive(Default)]
pub struct CatalogSync {
    scopes: Mutex<HashMap<String, Arc<tokio::sync::Mutex<ScopeState>>>>,
    checked: Mutex<HashMap<String, Checked>>,
}

impl std::fmt::Debug for CatalogSync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.checked.lock().map(|m| m.len()).unwrap_or(0);
        f.debug_struct("CatalogSync").field("scopes", &n).finish()
    }
}

/// The scope of an account's catalog.
pub(crate) fn scope_of(account_id: Option<&str>) -> &str {
    account_id
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("shared")
}

/// What a background sync needs of the account that answered.
#[derive(Clone)]
pub(crate) struct SyncTarget {
    /// `ChatGPT-Account-Id`.
    pub account_id: Option<String>,
    /// A valid access token.
    pub access: Secret<String>,
}

impl std::fmt::Debug for SyncTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncTarget").finish_non_exhaustive()
    }
}

impl CatalogSync {
    fn scope(&self, key: &str) -> Arc<tokio::sync::Mutex<ScopeState>> {
        let mut map = self.scopes.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(key.to_string()).or_default().clone()
    }

    fn mark_checked(&self, scope: &str, now_ms: f64, failed: bool) {
        let mut map = self.checked.lock().unwrap_or_else(|p| p.into_inner());
        map.insert(
            scope.to_string(),
            Checked {
                at_ms: now_ms,
                failed,
            },
        );
    }

    /// Whether the scope is due for a look after a request (memory only, no allocation:
    /// called on every answer). At most every 60 s per scope, 10 s after a failure.
    pub fn due(&self, account_id: Option<&str>, now_ms: f64) -> bool {
        let map = self.checked.lock().unwrap_or_else(|p| p.into_inner());
        map.get(scope_of(account_id)).is_none_or(|c| {
            let gap = if c.failed {
                RESYNC_AFTER_FAILURE_MS
            } else {
                RESYNC_MS
            };
            now_ms - c.at_ms >= gap
        })
    }

    /// Brings a catalog up to date if it is stale (see the module comment). `access` is a
    /// valid access token of the account, if there is one.
    pub async fn sync(
        &self,
        st: &Shared,
        account_id: Option<&str>,
        access: Option<&Secret<String>>,
        now_ms: f64,
    ) -> SyncOutcome {
        let key = scope_of(account_id);
        self.mark_checked(key, now_ms, false);
        if fresh(st, account_id, now_ms).await {
            return SyncOutcome::Fresh;
        }
        let scope = self.scope(key);
        // Concurrent callers for one scope wait here; the first one fetches.
        let mut state = scope.lock().await;
        if fresh(st, account_id, now_ms).await {
            return SyncOutcome::Fresh;
        }
        if let Some(last) = state.last_attempt_ms {
            let gap = if state.last_failed {
                RESYNC_AFTER_FAILURE_MS
            } else {
                RESYNC_MS
            };
            if now_ms - last < gap {
                return SyncOutcome::Skipped("fetched recently");
            }
        }
        let Some(access) = access else {
            return SyncOutcome::Skipped("no valid access token");
        };
        state.last_attempt_ms = Some(now_ms);
        let outcome = match fetch(st, access.expose(), account_id).await {
            Ok(models) if models.is_empty() => {
                SyncOutcome::Failed("the catalog lists no models".into())
            }
            Ok(models) => {
                let n = models.len();
                match write(st, account_id, models, now_ms).await {
                    Ok(()) => SyncOutcome::Fetched(n),
                    Err(e) => SyncOutcome::Failed(e),
                }
            }
            Err(e) => SyncOutcome::Failed(e),
        };
        state.last_failed = !matches!(outcome, SyncOutcome::Fetched(_));
        self.mark_checked(key, now_ms, state.last_failed);
        match &outcome {
            SyncOutcome::Fetched(n) => {
                st.metrics.catalog("fetched");
                tracing::info!(models = n, "model catalog refreshed");
            }
            SyncOutcome::Failed(e) => {
                st.metrics.catalog("failed");
                tracing::warn!(error = %e, "model catalog fetch failed; serving the cached one");
            }
            _ => {}
        }
        outcome
    }
}

/// After a request an account answered: re-syncs its catalog in the background when the
/// scope is due (reference 10.3: during requests, at most every 60 s per scope).
pub(crate) fn after_request(st: &Arc<Shared>, catalog: &Arc<CatalogSync>, target: SyncTarget) {
    let st = Arc::clone(st);
    let catalog = Arc::clone(catalog);
    tokio::spawn(async move {
        let now = (st.clock)() as f64;
        catalog
            .sync(&st, target.account_id.as_deref(), Some(&target.access), now)
            .await;
    });
}

/// [`is_fresh`] on a blocking thread (a file read and a JSON parse).
async fn fresh(st: &Shared, account_id: Option<&str>, now_ms: f64) -> bool {
    let dir = st.config.cache_dir.clone();
    let id = account_id.map(str::to_string);
    tokio::task::spawn_blocking(move || is_fresh(&dir, id.as_deref(), now_ms))
        .await
        .unwrap_or(false)
}

/// Whether the account's primary catalog file is younger than [`FRESH_MS`].
pub(crate) fn is_fresh(cache_dir: &Path, account_id: Option<&str>, now_ms: f64) -> bool {
    let (primary, _) = catalog_cache_names(account_id);
    codex_paths::read_file(&cache_dir.join(primary))
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .and_then(|v| v.get("fetchedAt").and_then(Value::as_f64))
        .is_some_and(|at| now_ms - at < FRESH_MS)
}

async fn fetch(st: &Shared, access: &str, account_id: Option<&str>) -> Result<Vec<Value>, String> {
    // Read now, not at start: the plugin keeps `codex-client-version.json` current.
    let version = crate::config::client_version(&st.config.cache_dir);
    let mut url = st.config.models_url();
    url.query_pairs_mut()
        .append_pair("client_version", &version);
    let mut req = reqwest::Request::new(http::Method::GET, url);
    *req.timeout_mut() = Some(FETCH_TIMEOUT);
    let h = req.headers_mut();
    crate::shape::insert_account_headers(h, access, account_id);
    if let Ok(v) = HeaderValue::from_str(&version) {
        h.insert(HeaderName::from_static("version"), v);
    }
    let (originator, ua) = match st.config.mode {
        codex_store::Domain::Native => ("opencode", st.agents.native.clone()),
        codex_store::Domain::Codex => (
            "codex_cli_rs",
            format!("codex_cli_rs{}", st.agents.codex_suffix),
        ),
    };
    h.insert("originator", HeaderValue::from_static(originator));
    if st.config.mode == codex_store::Domain::Native {
        h.insert(
            HeaderName::from_static("openai-beta"),
            HeaderValue::from_static("responses=experimental"),
        );
    }
    if let Ok(v) = HeaderValue::from_str(&ua) {
        h.insert(http::header::USER_AGENT, v);
    }
    h.insert(
        http::header::ACCEPT,
        HeaderValue::from_static("application/json"),
    );
    let resp = crate::outbound::get_following(&st.http, req, &st.config.allowlist)
        .await
        .map_err(|e| describe_error(&e))?;
    let status = resp.status();
    if !status.is_success() {
        return Err(format!("upstream answered {}", status.as_u16()));
    }
    let mut body = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| describe_error(&crate::outbound::GetFailure::Transport(e)))?;
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(format!("the catalog is larger than {MAX_BODY_BYTES} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    let v: Value =
        serde_json::from_slice(&body).map_err(|e| format!("the catalog is not JSON: {e}"))?;
    let models = v
        .get("models")
        .and_then(Value::as_array)
        .ok_or("the catalog has no `models` array")?;
    Ok(normalize(models))
}

/// A failure without the URL (which carries nothing secret, but is noise) and without any
/// header.
fn describe_error(e: &crate::outbound::GetFailure) -> String {
    if e.is_timeout() {
        format!("no answer within {} s", FETCH_TIMEOUT.as_secs())
    } else {
        e.to_string()
    }
}

async fn write(
    st: &Shared,
    account_id: Option<&str>,
    models: Vec<Value>,
    now_ms: f64,
) -> Result<(), String> {
    let dir = st.config.cache_dir.clone();
    // Not the store's 12 s: a listing should not hang behind the plugin's catalog write.
    let lock = st.config.lock.clone().with_budget(WRITE_LOCK_BUDGET);
    let (primary, mirror) = catalog_cache_names(account_id);
    let mut doc = Map::new();
    doc.insert("fetchedAt".into(), Value::from(now_ms as u64));
    doc.insert("models".into(), Value::Array(models));
    let text = to_js_pretty(&Value::Object(doc));
    tokio::task::spawn_blocking(move || write_files(&dir, &lock, &primary, mirror, &text, now_ms))
        .await
        .map_err(|_| "the catalog writer stopped".to_string())?
}

fn write_files(
    dir: &Path,
    lock: &LockOptions,
    primary: &str,
    mirror: Option<String>,
    text: &str,
    now_ms: f64,
) -> Result<(), String> {
    let held = FileLock::acquire_dir(dir, lock).map_err(|e| e.to_string())?;
    for name in std::iter::once(primary.to_string()).chain(mirror) {
        held.check().map_err(|e| e.to_string())?;
        write_atomic(
            &dir.join(&name),
            text.as_bytes(),
            WriteOptions::default(),
            now_ms as u64,
        )
        .map_err(|e| e.to_string())?;
    }
    held.release().map_err(|e| e.to_string())
}

/// The models of a catalog answer as the plugin keeps them (reference 10.4): the listed
/// fields only, slug lowercased, deduplicated by slug (first wins), natural slug order.
pub(crate) fn normalize(models: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    for m in models {
        let Some(obj) = m.as_object() else { continue };
        let Some(slug) = obj
            .get("slug")
            .and_then(Value::as_str)
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty())
        else {
            continue;
        };
        if out
            .iter()
            .any(|o| o["slug"].as_str() == Some(slug.as_str()))
        {
            continue;
        }
        out.push(Value::Object(keep_fields(obj, slug)));
    }
    out.sort_by(|a, b| {
        natural_cmp(
            a["slug"].as_str().unwrap_or_default(),
            b["slug"].as_str().unwrap_or_default(),
        )
    });
    out
}

fn keep_fields(obj: &Map<String, Value>, slug: String) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("slug".into(), Value::String(slug));
    let copy = |o: &mut Map<String, Value>, key: &str| {
        if let Some(v) = obj.get(key).filter(|v| !v.is_null()) {
            o.insert(key.into(), v.clone());
        }
    };
    for key in [
        "description",
        "display_name",
        "priority",
        "context_window",
        "max_context_window",
    ] {
        copy(&mut o, key);
    }
    if let Some(list) = obj.get("input_modalities").and_then(Value::as_array) {
        let kept: Vec<Value> = list
            .iter()
            .filter(|v| v.as_str().is_some_and(|s| MODALITIES.contains(&s)))
            .cloned()
            .collect();
        o.insert("input_modalities".into(), Value::Array(kept));
    }
    if let Some(mm) = obj.get("model_messages").and_then(Value::as_object) {
        let mut kept = Map::new();
        if let Some(t) = mm.get("instructions_template").filter(|v| !v.is_null()) {
            kept.insert("instructions_template".into(), t.clone());
        }
        if let Some(vars) = mm.get("instructions_variables").and_then(Value::as_object) {
            let mut kv = Map::new();
            for key in [
                "personality",
                "personality_default",
                "personality_friendly",
                "personality_pragmatic",
                "personalities",
            ] {
                if let Some(v) = vars.get(key).filter(|v| !v.is_null()) {
                    kv.insert(key.into(), v.clone());
                }
            }
            kept.insert("instructions_variables".into(), Value::Object(kv));
        }
        o.insert("model_messages".into(), Value::Object(kept));
    }
    copy(&mut o, "base_instructions");
    copy(&mut o, "apply_patch_tool_type");
    if let Some(levels) = obj
        .get("supported_reasoning_levels")
        .and_then(Value::as_array)
    {
        o.insert(
            "supported_reasoning_levels".into(),
            Value::Array(pick_each(levels, "effort", &["effort", "description"])),
        );
    }
    for key in [
        "multi_agent_version",
        "minimal_client_version",
        "visibility",
        "supported_in_api",
        "default_reasoning_level",
        "supports_reasoning_summaries",
        "reasoning_summary_format",
        "supports_parallel_tool_calls",
        "support_verbosity",
        "default_verbosity",
        "default_reasoning_summary",
    ] {
        copy(&mut o, key);
    }
    if let Some(tiers) = obj.get("service_tiers").and_then(Value::as_array) {
        o.insert(
            "service_tiers".into(),
            Value::Array(pick_each(tiers, "id", &["id", "name"])),
        );
    }
    copy(&mut o, "additional_speed_tiers");
    o
}

/// The objects of `list` that have a string `required`, reduced to `keys`.
fn pick_each(list: &[Value], required: &str, keys: &[&str]) -> Vec<Value> {
    list.iter()
        .filter_map(Value::as_object)
        .filter(|e| e.get(required).and_then(Value::as_str).is_some())
        .map(|e| {
            let mut kept = Map::new();
            for k in keys {
                if let Some(v) = e.get(*k).filter(|v| !v.is_null()) {
                    kept.insert((*k).into(), v.clone());
                }
            }
            Value::Object(kept)
        })
        .collect()
}

/// Where a character sorts in a collation like ICU's root order: punctuation (in the
/// order `_ - , ; : ! ? . ' " ( ) [ ] { } @ * / \ & # % ` ^ + < = > | ~ $`), then
/// digits, then letters, case-insensitively.
fn rank(c: char) -> (u8, u32) {
    const PUNCT: &str = "_-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$";
    if let Some(i) = PUNCT.find(c) {
        return (0, i as u32);
    }
    if c.is_ascii_digit() {
        return (1, c as u32);
    }
    if c.is_alphabetic() {
        return (2, c.to_lowercase().next().unwrap_or(c) as u32);
    }
    (0, 0x100 + c as u32)
}

/// Numeric-aware, case-insensitive comparison (`localeCompare` with `numeric: true`):
/// runs of digits compare by value, so `gpt-5.2` < `gpt-5.10`.
pub(crate) fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut x, mut y) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (x.peek().copied(), y.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let mut na = String::new();
                while let Some(c) = x.peek().copied().filter(char::is_ascii_digit) {
                    na.push(c);
                    x.next();
                }
                let mut nb = String::new();
                while let Some(d) = y.peek().copied().filter(char::is_ascii_digit) {
                    nb.push(d);
                    y.next();
                }
                let (ta, tb) = (na.trim_start_matches('0'), nb.trim_start_matches('0'));
                let ord = ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb));
                if ord != Ordering::Equal {
                    return ord;
                }
            }
            (Some(c), Some(d)) => {
                let ord = rank(c).cmp(&rank(d));
                if ord != Ordering::Equal {
                    return ord;
                }
                x.next();
                y.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn natural_order_is_numeric_and_puts_hyphen_before_dot() {
        let mut v = vec![
            "gpt-5.10",
            "GPT-5.2",
            "gpt-5.1-codex",
            "gpt-5",
            "gpt-5.1",
            "gpt-5-codex",
            "gpt-5-codex-mini",
            "o3",
        ];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            [
                "gpt-5",
                "gpt-5-codex",
                "gpt-5-codex-mini",
                "gpt-5.1",
                "gpt-5.1-codex",
                "GPT-5.2",
                "gpt-5.10",
                "o3"
            ]
        );
    }

    #[test]
    fn the_plugins_fixture_is_already_in_natural_order() {
        let text = include_str!("../../../tests/fixtures/plugin/live-catalog-current.json");
        let v: Value = serde_json::from_str(text).expect("fixture");
        let models = v["models"].as_array().expect("models");
        let slugs: Vec<&str> = models.iter().filter_map(|m| m["slug"].as_str()).collect();
        let normalized = normalize(models);
        let sorted: Vec<&str> = normalized
            .iter()
            .filter_map(|m| m["slug"].as_str())
            .collect();
        assert_eq!(slugs, sorted);
    }

    #[test]
    fn normalize_keeps_the_listed_fields_only() {
        let models = [
            json!({"slug": " GPT-X ", "display_name": "X", "secret_field": 1,
                "input_modalities": ["text", "smell", "image"],
                "supported_reasoning_levels": [{"effort": "low", "description": "d", "extra": 1}, {"no": 1}],
                "service_tiers": [{"id": "flex", "name": "Flex", "price": 2}],
                "model_messages": {"instructions_template": "t", "other": 1,
                    "instructions_variables": {"personality": "p", "x": 2}},
                "visibility": "list", "context_window": null}),
            json!({"slug": "gpt-x", "display_name": "duplicate"}),
            json!({"slug": ""}),
            json!("not an object"),
        ];
        let out = normalize(&models);
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0],
            json!({"slug": "gpt-x", "display_name": "X",
                "input_modalities": ["text", "image"],
                "model_messages": {"instructions_template": "t",
                    "instructions_variables": {"personality": "p"}},
                "supported_reasoning_levels": [{"effort": "low", "description": "d"}],
                "visibility": "list",
                "service_tiers": [{"id": "flex", "name": "Flex"}]})
        );
        let keys: Vec<&String> = out[0].as_object().expect("obj").keys().collect();
        assert_eq!(
            keys,
            [
                "slug",
                "display_name",
                "input_modalities",
                "model_messages",
                "supported_reasoning_levels",
                "visibility",
                "service_tiers"
            ],
            "fields in the reference's order"
        );
    }

    #[test]
    fn freshness_follows_fetched_at() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (primary, _) = catalog_cache_names(Some("acc_1"));
        assert!(!is_fresh(tmp.path(), Some("acc_1"), 1e12));
        std::fs::write(
            tmp.path().join(&primary),
            r#"{"fetchedAt": 1000000, "models": []}"#,
        )
        .expect("write");
        assert!(is_fresh(
            tmp.path(),
            Some("acc_1"),
            1_000_000.0 + FRESH_MS - 1.0
        ));
        assert!(!is_fresh(tmp.path(), Some("acc_1"), 1_000_000.0 + FRESH_MS));
        assert!(!is_fresh(tmp.path(), Some("acc_2"), 1_000_001.0));
        assert!(
            is_fresh(tmp.path(), Some("acc_1"), 10.0),
            "a fetchedAt in the future is fresh, as in the plugin"
        );
        std::fs::write(tmp.path().join(&primary), "{not json").expect("write");
        assert!(!is_fresh(tmp.path(), Some("acc_1"), 1_000_001.0));
    }
}
