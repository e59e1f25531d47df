//! The `opencode.json` snippet that points OpenCode at the proxy.
//!
//! OpenCode's built-in `openai` provider cannot use an `http://` base URL while the plugin is
//! installed, so the proxy gets its own provider id, backed by `@ai-sdk/openai` (which calls
//! `POST <baseURL>/responses`). OpenCode never asks a custom provider for `/models` and
//! refuses unlisted models, so every model is listed; `model` and `small_model` both point
//! at the provider so the title request goes through the proxy too.

use serde_json::{json, Map, Value};

use crate::models::ModelEntry;

/// Output limit assumed when the catalog gives none (the GPT-5 family's, and the plugin's
/// GPT-5.4 clamp).
pub const DEFAULT_OUTPUT_LIMIT: u64 = 128_000;

/// OpenCode's model block for a catalog entry: `name`, `limit.{context, output}`,
/// `modalities.{input, output}`, `reasoning`, and one variant per supported reasoning effort
/// (`{"reasoningEffort": <effort>}`, plus `reasoningSummary: "auto"` when the model supports
/// summaries), as the plugin's provider wiring describes models to OpenCode.
pub fn model_config(m: &ModelEntry) -> Value {
    let mut o = Map::new();
    o.insert(
        "name".into(),
        Value::String(m.display_name.clone().unwrap_or_else(|| m.slug.clone())),
    );
    if let Some(context) = m.context_window.or(m.max_context_window) {
        o.insert(
            "limit".into(),
            json!({"context": context, "output": m.max_output_tokens.unwrap_or(DEFAULT_OUTPUT_LIMIT)}),
        );
    }
    if !m.input_modalities.is_empty() {
        let input: Vec<&str> = m
            .input_modalities
            .iter()
            .map(String::as_str)
            .filter(|x| matches!(*x, "text" | "audio" | "image" | "video" | "pdf"))
            .collect();
        o.insert(
            "modalities".into(),
            json!({"input": input, "output": ["text"]}),
        );
    }
    if !m.reasoning_levels.is_empty() {
        o.insert("reasoning".into(), Value::Bool(true));
        let mut variants = Map::new();
        for effort in &m.reasoning_levels {
            let mut v = Map::new();
            v.insert("reasoningEffort".into(), Value::String(effort.clone()));
            if m.supports_reasoning_summaries == Some(true) && effort != "none" {
                v.insert("reasoningSummary".into(), Value::String("auto".into()));
            }
            variants.insert(effort.clone(), Value::Object(v));
        }
        o.insert("variants".into(), Value::Object(variants));
    }
    Value::Object(o)
}

/// [`snippet`] with each listed model described by its catalog entry (where there is one).
pub fn snippet_with_catalog(o: &SnippetOptions, catalog: &[ModelEntry]) -> Value {
    let mut v = snippet(o);
    if let Some(Value::Object(models)) = v.pointer_mut(&format!("/provider/{PROVIDER_ID}/models")) {
        for (slug, block) in models.iter_mut() {
            if let Some(entry) = catalog.iter().find(|e| &e.slug == slug) {
                *block = model_config(entry);
            }
        }
    }
    v
}

/// The provider id used in the snippet.
pub const PROVIDER_ID: &str = "codex-kit";

/// The placeholder API key (the proxy ignores it on loopback without a client key).
pub const PLACEHOLDER_KEY: &str = "codex-kit-local";

/// Options of the snippet.
#[derive(Debug, Clone)]
pub struct SnippetOptions {
    /// `http://127.0.0.1:PORT/v1`.
    pub base_url: String,
    /// Model slugs (the first is `model` unless `default_model` is set).
    pub models: Vec<String>,
    /// `model`.
    pub default_model: Option<String>,
    /// `small_model` (defaults to `model`).
    pub small_model: Option<String>,
    /// Whether a client key is configured (then `apiKey` reads it from the environment).
    pub client_key_env: Option<String>,
}

/// The snippet as JSON.
pub fn snippet(o: &SnippetOptions) -> Value {
    let mut models = Map::new();
    for m in &o.models {
        models.insert(m.clone(), json!({ "name": m }));
    }
    let default = o
        .default_model
        .clone()
        .or_else(|| o.models.first().cloned())
        .unwrap_or_default();
    let small = o.small_model.clone().unwrap_or_else(|| default.clone());
    let api_key = match &o.client_key_env {
        Some(var) => format!("{{env:{var}}}"),
        None => PLACEHOLDER_KEY.to_string(),
    };
    json!({
        "$schema": "https://opencode.ai/config.json",
        "provider": {
            PROVIDER_ID: {
                "npm": "@ai-sdk/openai",
                "name": "Codex via codex-runtime",
                "options": { "baseURL": o.base_url, "apiKey": api_key },
                "models": Value::Object(models),
            }
        },
        "model": format!("{PROVIDER_ID}/{default}"),
        "small_model": format!("{PROVIDER_ID}/{small}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> ModelEntry {
        ModelEntry {
            slug: "gpt-5.4".into(),
            display_name: Some("GPT-5.4".into()),
            context_window: Some(272_000),
            input_modalities: vec!["text".into(), "image".into(), "bogus".into()],
            reasoning_levels: vec!["low".into(), "high".into()],
            supports_reasoning_summaries: Some(true),
            ..ModelEntry::default()
        }
    }

    #[test]
    fn model_blocks_carry_limits_modalities_and_variants() {
        assert_eq!(
            model_config(&entry()),
            json!({
                "name": "GPT-5.4",
                "limit": {"context": 272_000, "output": 128_000},
                "modalities": {"input": ["text", "image"], "output": ["text"]},
                "reasoning": true,
                "variants": {
                    "low": {"reasoningEffort": "low", "reasoningSummary": "auto"},
                    "high": {"reasoningEffort": "high", "reasoningSummary": "auto"}
                }
            })
        );
        let bare = ModelEntry {
            slug: "m".into(),
            ..ModelEntry::default()
        };
        assert_eq!(model_config(&bare), json!({"name": "m"}));
    }

    #[test]
    fn the_snippet_describes_catalog_models() {
        let o = SnippetOptions {
            base_url: "http://127.0.0.1:11455/v1".into(),
            models: vec!["gpt-5.4".into(), "other".into()],
            default_model: None,
            small_model: None,
            client_key_env: None,
        };
        let v = snippet_with_catalog(&o, &[entry()]);
        let models = &v["provider"][PROVIDER_ID]["models"];
        assert_eq!(models["gpt-5.4"]["limit"]["context"], 272_000);
        assert_eq!(models["other"], json!({"name": "other"}));
    }
}
