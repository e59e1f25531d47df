//! The model list, from the plugin's catalog caches (reference 10.2, 10.3).
//!
//! The active account's catalog (`codex-auth-models-<hash>.json`, then its mirror
//! `codex-models-cache-<hash>.json`, then `codex-auth-models-shared.json`) is the list; the
//! shared GitHub snapshot `codex-models-cache.json` only adds slugs missing from it (or is
//! the list when no account catalog exists). Hidden models are left out. `/v1/models` shows
//! them in the OpenAI list shape; `opencode-config` lists them under the provider.

use std::path::Path;

use codex_paths::catalog_cache_names;
use serde_json::{json, Value};

/// Models listed when no catalog cache exists yet.
pub const FALLBACK_MODELS: [&str; 3] = ["gpt-5.4", "gpt-5.3-codex", "gpt-5.2"];

/// One model.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelEntry {
    /// Slug (lowercased).
    pub slug: String,
    /// `display_name`.
    pub display_name: Option<String>,
    /// `context_window`.
    pub context_window: Option<u64>,
}

fn read_models(path: &Path) -> Vec<ModelEntry> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let Ok(v) = serde_json::from_str::<Value>(&text) else {
        return Vec::new();
    };
    let Some(models) = v.get("models").and_then(Value::as_array) else {
        return Vec::new();
    };
    models
        .iter()
        .filter(|m| m.get("visibility").and_then(Value::as_str) != Some("hide"))
        .filter_map(|m| {
            let slug = m.get("slug")?.as_str()?.trim().to_lowercase();
            (!slug.is_empty()).then(|| ModelEntry {
                slug,
                display_name: m
                    .get("display_name")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                context_window: m.get("context_window").and_then(Value::as_u64),
            })
        })
        .collect()
}

fn push_unique(out: &mut Vec<ModelEntry>, more: Vec<ModelEntry>) {
    for m in more {
        if !out.iter().any(|e| e.slug == m.slug) {
            out.push(m);
        }
    }
}

/// The cached models for the account `account_id` (or the shared catalog).
pub fn cached_models(cache_dir: &Path, account_id: Option<&str>) -> Vec<ModelEntry> {
    let (primary, mirror) = catalog_cache_names(account_id);
    let mut files = vec![primary];
    files.extend(mirror);
    files.push("codex-auth-models-shared.json".to_string());
    let mut out = Vec::new();
    for f in files {
        let models = read_models(&cache_dir.join(f));
        if !models.is_empty() {
            out = models;
            break;
        }
    }
    push_unique(
        &mut out,
        read_models(&cache_dir.join("codex-models-cache.json")),
    );
    out
}

/// `{"object":"list","data":[…]}`.
pub fn models_response(models: &[ModelEntry]) -> Value {
    let data: Vec<Value> = models
        .iter()
        .map(|m| {
            let mut v =
                json!({"id": m.slug, "object": "model", "created": 0, "owned_by": "openai"});
            if let (Some(name), Some(obj)) = (&m.display_name, v.as_object_mut()) {
                obj.insert("display_name".into(), Value::String(name.clone()));
            }
            if let (Some(cw), Some(obj)) = (m.context_window, v.as_object_mut()) {
                obj.insert("context_window".into(), Value::from(cw));
            }
            v
        })
        .collect();
    json!({"object": "list", "data": data})
}

/// The account id whose catalog applies: the domain's active account, else the first
/// enabled one (read without the lock).
pub fn catalog_account(
    store: &codex_store::AuthStore,
    mode: codex_store::Domain,
) -> Option<String> {
    let state = store.load().ok()?;
    let dom = state.oauth()?.domain(mode)?;
    let accounts = dom.accounts();
    accounts
        .iter()
        .find(|a| a.identity_key().is_some() && a.identity_key() == dom.active())
        .or_else(|| accounts.iter().find(|a| a.is_enabled()))
        .and_then(|a| a.account_id().map(str::to_string))
}

/// The slugs to list for OpenCode: the cached catalog, else [`FALLBACK_MODELS`].
pub fn model_slugs(cache_dir: &Path, account_id: Option<&str>) -> Vec<String> {
    let cached: Vec<String> = cached_models(cache_dir, account_id)
        .into_iter()
        .map(|m| m.slug)
        .collect();
    if cached.is_empty() {
        FALLBACK_MODELS.iter().map(|s| s.to_string()).collect()
    } else {
        cached
    }
}
