//! The `opencode.json` snippet that points OpenCode at the proxy.
//!
//! OpenCode's built-in `openai` provider cannot use an `http://` base URL while the plugin is
//! installed, so the proxy gets its own provider id, backed by `@ai-sdk/openai` (which calls
//! `POST <baseURL>/responses`). OpenCode never asks a custom provider for `/models` and
//! refuses unlisted models, so every model is listed; `model` and `small_model` both point
//! at the provider so the title request goes through the proxy too.

use serde_json::{json, Map, Value};

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
