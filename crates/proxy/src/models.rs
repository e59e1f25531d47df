//! The model list, from the plugin's catalog caches (reference 10.2, 10.3).
//!
//! The active account's catalog (`codex-auth-models-<hash>.json`, then its mirror
//! `codex-models-cache-<hash>.json`, then `codex-auth-models-shared.json`) is the list; the
//! shared GitHub snapshot `codex-models-cache.json` only adds slugs missing from it (or is
//! the list when no account catalog exists). Hidden models are left out. `/v1/models` shows
//! them in the OpenAI list shape with the catalog's metadata (context window, input
//! modalities, reasoning levels); [`crate::opencode::model_config`] turns an entry into an
//! OpenCode model block (limits, modalities, reasoning variants).

use std::path::Path;

use codex_paths::catalog_cache_names;
use serde_json::{json, Value};

/// Models listed when no catalog cache exists yet.
pub const FALLBACK_MODELS: [&str; 3] = ["gpt-5.4", "gpt-5.3-codex", "gpt-5.2"];

/// One model.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModelEntry {
    /// Slug (lowercased).
    pub slug: String,
    /// `display_name`.
    pub display_name: Option<String>,
    /// `context_window`.
    pub context_window: Option<u64>,
    /// `max_context_window`.
    pub max_context_window: Option<u64>,
    /// `max_output_tokens`, when the catalog has one.
    pub max_output_tokens: Option<u64>,
    /// `description`.
    pub description: Option<String>,
    /// `input_modalities` (`text`, `image`, …).
    pub input_modalities: Vec<String>,
    /// The efforts of `supported_reasoning_levels`, in catalog order.
    pub reasoning_levels: Vec<String>,
    /// `default_reasoning_level`.
    pub default_reasoning_level: Option<String>,
    /// `supports_reasoning_summaries`.
    pub supports_reasoning_summaries: Option<bool>,
}

fn strings(v: Option<&Value>, field: Option<&str>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|i| match field {
                    Some(f) => i.get(f).and_then(Value::as_str),
                    None => i.as_str(),
                })
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn read_models(path: &Path) -> Vec<ModelEntry> {
    let Ok(text) = codex_paths::read_file_to_string(path) else {
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
            let text = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
            (!slug.is_empty()).then(|| ModelEntry {
                slug,
                display_name: text("display_name"),
                context_window: m.get("context_window").and_then(Value::as_u64),
                max_context_window: m.get("max_context_window").and_then(Value::as_u64),
                max_output_tokens: m.get("max_output_tokens").and_then(Value::as_u64),
                description: text("description"),
                input_modalities: strings(m.get("input_modalities"), None),
                reasoning_levels: strings(m.get("supported_reasoning_levels"), Some("effort")),
                default_reasoning_level: text("default_reasoning_level"),
                supports_reasoning_summaries: m
                    .get("supports_reasoning_summaries")
                    .and_then(Value::as_bool),
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
            if let Some(obj) = v.as_object_mut() {
                if let Some(cw) = m.context_window {
                    obj.insert("context_window".into(), Value::from(cw));
                }
                if let Some(x) = m.max_context_window {
                    obj.insert("max_context_window".into(), Value::from(x));
                }
                if let Some(x) = m.max_output_tokens {
                    obj.insert("max_output_tokens".into(), Value::from(x));
                }
                if let Some(d) = &m.description {
                    obj.insert("description".into(), Value::String(d.clone()));
                }
                if !m.input_modalities.is_empty() {
                    obj.insert("input_modalities".into(), json!(m.input_modalities));
                }
                if !m.reasoning_levels.is_empty() {
                    obj.insert("reasoning_levels".into(), json!(m.reasoning_levels));
                }
                if let Some(d) = &m.default_reasoning_level {
                    obj.insert("default_reasoning_level".into(), Value::String(d.clone()));
                }
                if let Some(b) = m.supports_reasoning_summaries {
                    obj.insert("supports_reasoning_summaries".into(), Value::Bool(b));
                }
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

/// Whether the account [`catalog_account`] picks holds an access token valid at `now_ms`
/// (a failed catalog fetch is then the network's or the backend's fault, not the token's).
pub fn catalog_account_has_valid_token(
    store: &codex_store::AuthStore,
    mode: codex_store::Domain,
    now_ms: f64,
) -> bool {
    let Ok(state) = store.load() else {
        return false;
    };
    let Some(dom) = state.oauth().and_then(|o| o.domain(mode)) else {
        return false;
    };
    let accounts = dom.accounts();
    accounts
        .iter()
        .find(|a| a.identity_key().is_some() && a.identity_key() == dom.active())
        .or_else(|| accounts.iter().find(|a| a.is_enabled()))
        .is_some_and(|a| a.access().is_some() && a.expires().is_some_and(|e| e > now_ms))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_carries_the_catalog_metadata() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("codex-models-cache.json"),
            json!({"models": [{
                "slug": "GPT-5.4", "display_name": "GPT-5.4", "description": "d",
                "context_window": 272_000, "max_context_window": 1_000_000,
                "input_modalities": ["text", "image"],
                "supported_reasoning_levels": [{"effort": "low", "description": "x"}, {"effort": "high"}],
                "default_reasoning_level": "medium", "supports_reasoning_summaries": true
            }, {"slug": "hidden", "visibility": "hide"}]})
            .to_string(),
        )
        .expect("write");
        let models = cached_models(dir.path(), None);
        assert_eq!(models.len(), 1);
        let m = &models[0];
        assert_eq!(m.slug, "gpt-5.4");
        assert_eq!(m.reasoning_levels, ["low", "high"]);
        assert_eq!(m.input_modalities, ["text", "image"]);
        let v = models_response(&models);
        assert_eq!(
            v["data"][0],
            json!({"id": "gpt-5.4", "object": "model", "created": 0, "owned_by": "openai",
                   "display_name": "GPT-5.4", "context_window": 272_000, "max_context_window": 1_000_000,
                   "description": "d", "input_modalities": ["text", "image"],
                   "reasoning_levels": ["low", "high"], "default_reasoning_level": "medium",
                   "supports_reasoning_summaries": true})
        );
    }
}
