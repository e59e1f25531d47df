//! The `opencode.json` snippet that points OpenCode at the proxy.
//!
//! OpenCode's built-in `openai` provider cannot use an `http://` base URL while the plugin is
//! installed, so the proxy gets its own provider id, backed by `@ai-sdk/openai` (which calls
//! `POST <baseURL>/responses`). OpenCode never asks a custom provider for `/models` and
//! refuses unlisted models, so every model is listed; `model` and `small_model` both point
//! at the provider so the title request goes through the proxy too.

use serde_json::{json, Map, Value};

use crate::models::ModelEntry;
use crate::settings::{ProviderOptions, RequestSettings};

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

/// OpenCode's `models` block for a provider backed by the proxy, with the request settings
/// `config` resolved from `codex-config.jsonc` (see [`models_with`]).
pub fn provider_models(
    config: &crate::config::ProxyConfig,
    slugs: &[String],
    catalog: &[ModelEntry],
) -> Map<String, Value> {
    models_with(&config.request_settings, slugs, catalog)
}

/// Every slug in `slugs`, then every custom model of the settings, each described by its
/// catalog entry ([`model_config`]; a custom model by its target's, under its own `name`)
/// and carrying the request settings as OpenCode model options: the model's behaviour
/// (`perModel` → `customModels` → `global`) as its `options`, and what each variant scope
/// sets inside that variant. OpenCode then sends them itself: a model's options override
/// OpenCode's own defaults (it sends `reasoningEffort: "medium"` for GPT-5 models), and a
/// variant the user picks overrides the model's options.
pub(crate) fn models_with(
    settings: &RequestSettings,
    slugs: &[String],
    catalog: &[ModelEntry],
) -> Map<String, Value> {
    let mut out = Map::new();
    for slug in slugs {
        out.insert(slug.clone(), block(settings, slug, slug, None, catalog));
    }
    for (slug, custom) in &settings.custom_models {
        if out.contains_key(slug) {
            continue;
        }
        let target = custom.target_model.as_deref().unwrap_or(slug);
        let b = block(settings, slug, target, custom.name.as_deref(), catalog);
        out.insert(slug.clone(), b);
    }
    out
}

fn block(
    settings: &RequestSettings,
    slug: &str,
    target: &str,
    name: Option<&str>,
    catalog: &[ModelEntry],
) -> Value {
    let mut v = catalog
        .iter()
        .find(|e| e.slug == target)
        .map(model_config)
        .unwrap_or_else(|| json!({ "name": slug }));
    let Some(o) = v.as_object_mut() else {
        return v;
    };
    if target != slug || name.is_some() {
        o.insert(
            "name".into(),
            Value::String(name.unwrap_or(slug).to_string()),
        );
    }
    let options = settings.behaviour_for(slug, None).0.provider_options();
    if !options.is_empty() {
        o.insert("options".into(), Value::Object(options));
    }
    if let Some(Value::Object(variants)) = o.get_mut("variants") {
        for (variant, vo) in variants.iter_mut() {
            if let Some(vo) = vo.as_object_mut() {
                vo.extend(settings.variant_only(slug, variant).provider_options());
            }
        }
    }
    v
}

/// [`snippet`] with each listed model (and each custom model) described by
/// [`provider_models`] under `config`'s request settings.
pub fn snippet_with_catalog(
    config: &crate::config::ProxyConfig,
    o: &SnippetOptions,
    catalog: &[ModelEntry],
) -> Value {
    snippet_with_settings(&config.request_settings, o, catalog)
}

fn snippet_with_settings(
    settings: &RequestSettings,
    o: &SnippetOptions,
    catalog: &[ModelEntry],
) -> Value {
    let mut v = snippet(o);
    if let Some(models) = v.pointer_mut(&format!("/provider/{PROVIDER_ID}/models")) {
        *models = Value::Object(models_with(settings, &o.models, catalog));
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
        let v = snippet_with_settings(&RequestSettings::default(), &o, &[entry()]);
        let models = &v["provider"][PROVIDER_ID]["models"];
        assert_eq!(models["gpt-5.4"]["limit"]["context"], 272_000);
        assert_eq!(models["other"], json!({"name": "other"}));
    }

    fn settings(file: Value) -> RequestSettings {
        let env = codex_env::EnvSnapshot::from_pairs([("OPENCODE_OPENAI_MULTI_MODE", "native")]);
        let resolved = codex_config::resolve(&file, &env);
        RequestSettings::resolve(
            &file,
            &resolved,
            codex_store::Domain::Native,
            std::path::Path::new("/p"),
        )
    }

    #[test]
    fn model_blocks_carry_the_settings_as_options_and_variant_options() {
        let s = settings(json!({
            "global": {"reasoningSummary": "concise", "serviceTier": "priority"},
            "perModel": {"gpt-5.4": {
                "reasoningEffort": "high", "textVerbosity": "low", "include": ["file_search_call.results"],
                "variants": {"low": {"textVerbosity": "high", "parallelToolCalls": false}}
            }},
            "customModels": {"My-Fast": {"targetModel": "gpt-5.4", "name": "Fast one",
                "reasoningEffort": "low", "serviceTier": "flex"}}
        }));
        let models = models_with(&s, &["gpt-5.4".into(), "other".into()], &[entry()]);
        let m = &models["gpt-5.4"];
        assert_eq!(
            m["options"],
            json!({"reasoningEffort": "high", "reasoningSummary": "concise", "textVerbosity": "low",
                "serviceTier": "priority", "include": ["file_search_call.results"]})
        );
        assert_eq!(
            m["variants"]["low"],
            json!({"reasoningEffort": "low", "reasoningSummary": "auto", "textVerbosity": "high",
                "parallelToolCalls": false}),
            "a variant keeps its effort and gains what its own scope sets"
        );
        assert_eq!(
            m["variants"]["high"],
            json!({"reasoningEffort": "high", "reasoningSummary": "auto"})
        );
        assert_eq!(m["limit"]["context"], 272_000, "catalog metadata stays");
        assert_eq!(
            models["other"],
            json!({"name": "other", "options": {"reasoningSummary": "concise", "serviceTier": "priority"}}),
            "global settings reach models the catalog does not know"
        );
        let custom = &models["my-fast"];
        assert_eq!(custom["name"], "Fast one");
        assert_eq!(
            custom["limit"]["context"], 272_000,
            "a custom model is described by its target"
        );
        assert_eq!(
            custom["options"],
            json!({"reasoningEffort": "low", "reasoningSummary": "concise", "serviceTier": "flex"})
        );
        let keys: Vec<&String> = models.keys().collect();
        assert_eq!(keys, ["gpt-5.4", "other", "my-fast"], "listed models first");
    }

    #[test]
    fn without_settings_blocks_are_the_catalog_metadata_only() {
        let s = settings(json!({}));
        let models = models_with(&s, &["gpt-5.4".into()], &[entry()]);
        assert_eq!(models["gpt-5.4"], model_config(&entry()));
    }
}
