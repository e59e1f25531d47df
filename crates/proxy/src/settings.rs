//! The plugin's request settings (reference 2.3, 7.3), applied to Responses bodies by `serve`.
//!
//! [`RequestSettings`] is read from the same `codex-config.jsonc` the plugin uses (its
//! `global`, `perModel` and `customModels` behaviour objects, normalized as the plugin
//! normalizes them; the environment's global overrides come through `codex-config`'s
//! resolution) plus the runtime switches that change bodies (`promptCacheKeyStrategy`,
//! `developerMessagesToUser`, `sanitizeInputs`). For each request the behaviour is chosen field
//! by field, first hit wins: `perModel.<m>.variants.<v>` → `perModel.<m>` →
//! `customModels.<m>.variants.<v>` → `customModels.<m>` → `global`, where `<m>` is the
//! requested model and `<v>` the variant — OpenCode names its OpenAI variants after the
//! reasoning effort they send, so the request's `reasoning.effort` selects the variant. A
//! custom model's slug is replaced by its `targetModel`.
//!
//! The behaviour fills what the request leaves unset (a client's explicit choice wins):
//! `reasoning.effort`, `reasoning.summary` (not for `none`), `reasoning.mode` (GPT-5.6
//! models; a slug ending in `-pro` means `pro`), `text.verbosity` (`low`/`medium`/`high`),
//! `service_tier` (`priority`/`flex`; `auto` is the default and sends nothing), `include`
//! (merged) and `parallel_tool_calls`; `reasoning.encrypted_content` is included whenever
//! reasoning is requested. The `project` prompt-cache strategy sets `prompt_cache_key` to
//! `ocpk_v1_` + 24 hex digits of SHA-256 of `v1|project|<mode>|<project path>` (the project is
//! `serve`'s working directory). The default transforms: in codex mode with
//! `developerMessagesToUser`, `developer` input items become `user` items unless they read as
//! policy, and with `sanitizeInputs` the compatibility sanitizer runs (both in
//! [`crate::compat`]); GPT-5.4 context and output clamps.
//!
//! The settings are resolved once, with the rest of `serve`'s configuration
//! ([`crate::config::ProxyConfig`] holds them); request shaping calls [`apply_to_body`], which
//! leaves a body it has nothing to do for untouched without parsing it.

use std::collections::BTreeMap;
use std::path::Path;

use bytes::Bytes;
use codex_config::{Behaviour, PromptCacheKeyStrategy, ResolvedConfig};
use codex_js::trim_lower;
use codex_store::Domain;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// A vectorized substring search, its searcher built once: these run over every request
/// body (a long session's is hundreds of KB).
macro_rules! finder {
    ($needle:literal) => {{
        static F: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
            std::sync::LazyLock::new(|| memchr::memmem::Finder::new($needle));
        &*F
    }};
}

/// GPT-5.4 limits (reference 7.3).
const GPT54_CONTEXT: f64 = 1_050_000.0;
const GPT54_COMPACT: f64 = 922_000.0;
const GPT54_OUTPUT: f64 = 128_000.0;

/// A behaviour as OpenCode's provider options.
pub(crate) trait ProviderOptions {
    /// The behaviour as options of OpenCode's `@ai-sdk/openai` provider (a model's or a
    /// variant's `options`).
    fn provider_options(&self) -> Map<String, Value>;
}

impl ProviderOptions for Behaviour {
    /// The behaviour as options of OpenCode's `@ai-sdk/openai` provider (a model's or a
    /// variant's `options`): `reasoningEffort`, `reasoningSummary` (not `none`),
    /// `textVerbosity` (`low`/`medium`/`high`), `serviceTier` (`priority`/`flex`), `include`,
    /// `parallelToolCalls`. `reasoningMode` has no provider option; the proxy applies it.
    fn provider_options(&self) -> Map<String, Value> {
        let mut o = Map::new();
        if let Some(e) = &self.reasoning_effort {
            o.insert("reasoningEffort".into(), Value::String(e.clone()));
        }
        if let Some(s) = self.reasoning_summary.as_deref().filter(|s| *s != "none") {
            o.insert("reasoningSummary".into(), Value::String(s.to_string()));
        }
        if let Some(v) = self
            .text_verbosity
            .as_deref()
            .filter(|v| matches!(*v, "low" | "medium" | "high"))
        {
            o.insert("textVerbosity".into(), Value::String(v.to_string()));
        }
        if let Some(t) = self
            .service_tier
            .as_deref()
            .filter(|t| matches!(*t, "priority" | "flex"))
        {
            o.insert("serviceTier".into(), Value::String(t.to_string()));
        }
        if let Some(inc) = &self.include {
            o.insert(
                "include".into(),
                Value::Array(inc.iter().cloned().map(Value::String).collect()),
            );
        }
        if let Some(p) = self.parallel_tool_calls {
            o.insert("parallelToolCalls".into(), Value::Bool(p));
        }
        o
    }
}

/// A behaviour with its variants (`perModel.<m>`, `customModels.<s>`).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Scoped {
    /// The entry's own fields.
    pub behaviour: Behaviour,
    /// `variants.<v>` (empty variants dropped), keys lowercased.
    pub variants: BTreeMap<String, Behaviour>,
    /// `targetModel` (custom models only).
    pub target_model: Option<String>,
    /// `name` (custom models only): what OpenCode shows.
    pub name: Option<String>,
}

impl Scoped {
    fn parse(v: &Value) -> Scoped {
        let variants = v
            .get("variants")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (trim_lower(k), Behaviour::parse(v)))
                    .filter(|(_, b)| !b.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        Scoped {
            behaviour: Behaviour::parse(v),
            variants,
            target_model: v
                .get("targetModel")
                .and_then(Value::as_str)
                .map(codex_js::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            name: v
                .get("name")
                .and_then(Value::as_str)
                .map(codex_js::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        }
    }

    fn layered(&self, variant: Option<&str>) -> Behaviour {
        let v = variant
            .and_then(|v| self.variants.get(v))
            .cloned()
            .unwrap_or_default();
        v.or(&self.behaviour)
    }
}

/// Everything that changes request bodies.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RequestSettings {
    /// The runtime mode.
    pub mode: Domain,
    /// `global` (with the environment's overrides).
    pub global: Behaviour,
    /// `perModel`.
    pub per_model: BTreeMap<String, Scoped>,
    /// `customModels` (slugs trimmed and lowercased; entries without `targetModel` dropped).
    pub custom_models: BTreeMap<String, Scoped>,
    /// The project prompt-cache key, when that strategy is on.
    pub prompt_cache_key: Option<String>,
    /// `developer` → `user` remap (codex mode with `developerMessagesToUser`).
    pub developer_to_user: bool,
    /// `sanitizeInputs`.
    pub sanitize_inputs: bool,
}

impl Default for RequestSettings {
    fn default() -> Self {
        RequestSettings {
            mode: Domain::Native,
            global: Behaviour::default(),
            per_model: BTreeMap::new(),
            custom_models: BTreeMap::new(),
            prompt_cache_key: None,
            developer_to_user: false,
            sanitize_inputs: false,
        }
    }
}

/// `ocpk_v1_` + the first 24 hex digits of SHA-256 of `v1|project|<mode>|<path>`, with `\` in
/// the path written as `/`.
pub(crate) fn project_cache_key(mode: Domain, project: &Path) -> String {
    let path = project.to_string_lossy().replace('\\', "/");
    let digest = Sha256::digest(format!("v1|project|{}|{path}", mode.as_str()).as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("ocpk_v1_{}", &hex[..24])
}

impl RequestSettings {
    /// The settings of the loaded config `file` (the value `codex-config` used, `{}` when none)
    /// with `resolved`'s environment overrides, for `mode` and the `project` directory.
    pub(crate) fn resolve(
        file: &Value,
        resolved: &ResolvedConfig,
        mode: Domain,
        project: &Path,
    ) -> RequestSettings {
        let mut global = Behaviour::parse(file.get("global").unwrap_or(&Value::Null));
        // `codex-config`'s resolution applies the environment to these three.
        global.reasoning_summary = resolved.reasoning_summary.clone();
        global.text_verbosity = resolved.text_verbosity.clone();
        global.service_tier = resolved.service_tier.clone();
        let scoped = |key: &str| -> Vec<(String, Scoped)> {
            file.get(key)
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), Scoped::parse(v)))
                        .collect()
                })
                .unwrap_or_default()
        };
        RequestSettings {
            mode,
            global,
            per_model: scoped("perModel").into_iter().collect(),
            custom_models: scoped("customModels")
                .into_iter()
                .filter(|(_, s)| s.target_model.is_some())
                .map(|(k, s)| (trim_lower(&k), s))
                .collect(),
            prompt_cache_key: (resolved.prompt_cache_key_strategy
                == PromptCacheKeyStrategy::Project)
                .then(|| project_cache_key(mode, project)),
            developer_to_user: mode == Domain::Codex && resolved.developer_messages_to_user,
            sanitize_inputs: resolved.sanitize_inputs,
        }
    }

    /// Everything but the developer remap is off (that one needs a `developer` item).
    fn is_inert_but_developer(&self) -> bool {
        self.global.is_empty()
            && self.per_model.is_empty()
            && self.custom_models.is_empty()
            && self.prompt_cache_key.is_none()
            && !self.sanitize_inputs
    }

    /// Whether `body` may need a change (a cheap byte scan; `false` means certainly not).
    /// `clamp_keys`: whether the body has a top-level key the GPT-5.4 clamps read.
    fn may_change(&self, body: &[u8], model: Option<&str>, clamp_keys: bool) -> bool {
        !self.is_inert_but_developer()
            || (self.developer_to_user && contains(body, finder!(b"\"developer\"")))
            || needs_defaults(model, clamp_keys)
    }

    /// What only the variant scopes set for `model`'s variant `variant`
    /// (`perModel.<m>.variants.<v>`, then `customModels.<m>.variants.<v>`).
    pub(crate) fn variant_only(&self, model: &str, variant: &str) -> Behaviour {
        let slug = trim_lower(model);
        let v = trim_lower(variant);
        let per = self
            .per_model
            .get(model)
            .or_else(|| self.per_model.get(&slug))
            .and_then(|p| p.variants.get(&v))
            .cloned()
            .unwrap_or_default();
        let custom = self
            .custom_models
            .get(&slug)
            .and_then(|c| c.variants.get(&v))
            .cloned()
            .unwrap_or_default();
        per.or(&custom)
    }

    /// The behaviour for `model` and `variant`, and the model to send (a custom model's
    /// target).
    pub(crate) fn behaviour_for(
        &self,
        model: &str,
        variant: Option<&str>,
    ) -> (Behaviour, Option<String>) {
        let slug = trim_lower(model);
        let per = self
            .per_model
            .get(model)
            .or_else(|| self.per_model.get(&slug));
        let custom = self.custom_models.get(&slug);
        let mut b = Behaviour::default();
        if let Some(p) = per {
            b = b.or(&p.layered(variant));
        }
        if let Some(c) = custom {
            b = b.or(&c.layered(variant));
        }
        (
            b.or(&self.global),
            custom.and_then(|c| c.target_model.clone()),
        )
    }

    /// Applies the settings to a request body.
    pub(crate) fn apply(&self, m: &mut Map<String, Value>) {
        let requested = m
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let variant = m
            .get("reasoning")
            .and_then(|r| r.get("effort"))
            .and_then(Value::as_str)
            .map(trim_lower);
        let (b, target) = self.behaviour_for(&requested, variant.as_deref());
        if let Some(t) = target {
            m.insert("model".into(), Value::String(t));
        }
        let model = m
            .get("model")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        fill_behaviour(m, &b, &requested, &model);
        if let Some(k) = &self.prompt_cache_key {
            m.insert("prompt_cache_key".into(), Value::String(k.clone()));
        }
        if self.developer_to_user {
            crate::compat::developer_to_user(m);
        }
        if self.sanitize_inputs {
            crate::compat::sanitize_inputs(m);
        }
        clamp_gpt54(m);
        include_encrypted_reasoning(m);
    }
}

fn object<'a>(m: &'a mut Map<String, Value>, key: &str) -> Option<&'a mut Map<String, Value>> {
    let slot = m
        .entry(key.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    slot.as_object_mut()
}

fn fill(o: &mut Map<String, Value>, key: &str, v: Value) {
    if !o.contains_key(key) {
        o.insert(key.to_string(), v);
    }
}

fn fill_behaviour(m: &mut Map<String, Value>, b: &Behaviour, requested: &str, model: &str) {
    let gpt56 = model.starts_with("gpt-5.6");
    let mode = if codex_js::trim_lower(requested).ends_with("-pro") && gpt56 {
        Some("pro".to_string())
    } else {
        b.reasoning_mode.clone().filter(|_| gpt56)
    };
    let summary = b.reasoning_summary.clone().filter(|s| s != "none");
    let wants_reasoning = b.reasoning_effort.is_some() || summary.is_some() || mode.is_some();
    if wants_reasoning {
        if let Some(r) = object(m, "reasoning") {
            if let Some(e) = &b.reasoning_effort {
                fill(r, "effort", Value::String(e.clone()));
            }
            if let Some(s) = summary {
                fill(r, "summary", Value::String(s));
            }
            if let Some(md) = mode {
                fill(r, "mode", Value::String(md));
            }
        }
    }
    if let Some(v) = b
        .text_verbosity
        .as_deref()
        .filter(|v| matches!(*v, "low" | "medium" | "high"))
    {
        if let Some(t) = object(m, "text") {
            fill(t, "verbosity", Value::String(v.to_string()));
        }
    }
    if let Some(t) = b
        .service_tier
        .as_deref()
        .filter(|t| matches!(*t, "priority" | "flex"))
    {
        fill(m, "service_tier", Value::String(t.to_string()));
    }
    if let Some(inc) = &b.include {
        merge_include(m, inc);
    }
    if let Some(p) = b.parallel_tool_calls {
        fill(m, "parallel_tool_calls", Value::Bool(p));
    }
}

fn merge_include(m: &mut Map<String, Value>, add: &[String]) {
    let slot = m
        .entry("include")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(items) = slot {
        for a in add {
            if !items.iter().any(|i| i.as_str() == Some(a)) {
                items.push(Value::String(a.clone()));
            }
        }
    }
}

fn include_encrypted_reasoning(m: &mut Map<String, Value>) {
    let requested = match m.get("reasoning") {
        Some(Value::Object(r)) => !r
            .get("effort")
            .and_then(Value::as_str)
            .is_some_and(|e| e.eq_ignore_ascii_case("none")),
        _ => false,
    };
    if requested {
        merge_include(m, &["reasoning.encrypted_content".to_string()]);
    }
}

fn clamp(m: &mut Map<String, Value>, key: &str, max: f64) {
    if let Some(n) = m.get(key).and_then(Value::as_f64) {
        if n > max {
            m.insert(key.into(), codex_store::json::number(max));
        }
    }
}

/// GPT-5.4 clamps (reference 7.3).
fn clamp_gpt54(m: &mut Map<String, Value>) {
    let is54 = m
        .get("model")
        .and_then(Value::as_str)
        .is_some_and(|s| s.starts_with("gpt-5.4"));
    if !is54 {
        return;
    }
    clamp(m, "model_context_window", GPT54_CONTEXT);
    let window = m
        .get("model_context_window")
        .and_then(Value::as_f64)
        .unwrap_or(GPT54_CONTEXT);
    clamp(
        m,
        "model_auto_compact_token_limit",
        GPT54_COMPACT.min(window - 128_000.0),
    );
    clamp(m, "max_output_tokens", GPT54_OUTPUT);
}

fn contains(hay: &[u8], finder: &memchr::memmem::Finder<'static>) -> bool {
    finder.find(hay).is_some()
}

/// The top-level keys [`clamp_gpt54`] reads: a body without any of them needs no clamp.
pub(crate) const CLAMP_KEYS: [&str; 3] = [
    "model_context_window",
    "model_auto_compact_token_limit",
    "max_output_tokens",
];

/// Whether a body may need a change the settings make even when they are inert, from its
/// model and whether it has one of [`CLAMP_KEYS`] at the top level (shaping knows its
/// top-level keys, so no scan of the body is needed).
fn needs_defaults(model: Option<&str>, clamp_keys: bool) -> bool {
    model.is_some_and(|m| (m.starts_with("gpt-5.4") && clamp_keys) || m.starts_with("gpt-5.6"))
}

/// What shaping learned of a body: whether it is a JSON object, and if so whether one of
/// [`CLAMP_KEYS`] is among its top-level keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyKind {
    /// Not a JSON object: settings do not apply.
    Opaque,
    /// A JSON object.
    Object {
        /// One of [`CLAMP_KEYS`] is a top-level key.
        clamp_keys: bool,
    },
}

/// Applies `settings` to a shaped JSON body; returns it unchanged (unparsed) when there is
/// nothing to do. The model is the one the body now names.
pub(crate) fn apply_to_body(
    settings: &RequestSettings,
    body: Bytes,
    model: Option<String>,
    kind: BodyKind,
) -> (Bytes, Option<String>) {
    let BodyKind::Object { clamp_keys } = kind else {
        return (body, model);
    };
    if !settings.may_change(&body, model.as_deref(), clamp_keys) {
        return (body, model);
    }
    let Ok(Value::Object(mut m)) = serde_json::from_slice::<Value>(&body) else {
        return (body, model);
    };
    settings.apply(&mut m);
    let model = m.get("model").and_then(Value::as_str).map(str::to_string);
    match serde_json::to_vec(&Value::Object(m)) {
        Ok(v) => (Bytes::from(v), model),
        Err(_) => (body, model),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codex_env::EnvSnapshot;
    use serde_json::json;

    fn settings(file: Value, env: &[(&str, &str)], mode: Domain) -> RequestSettings {
        let env = EnvSnapshot::from_pairs(env.iter().copied())
            .with("OPENCODE_OPENAI_MULTI_MODE", mode.as_str());
        let resolved = codex_config::resolve(&file, &env);
        RequestSettings::resolve(&file, &resolved, mode, Path::new("/work/project"))
    }

    fn applied(s: &RequestSettings, body: Value) -> Value {
        let Value::Object(mut m) = body else {
            panic!("object")
        };
        s.apply(&mut m);
        Value::Object(m)
    }

    #[test]
    fn behaviour_normalization() {
        // Reference 2.3, row by row.
        let b = Behaviour::parse(&json!({
            "personality": "../x", "reasoningEffort": "  XHigh ", "reasoningMode": "PRO",
            "reasoningSummary": "Detailed", "textVerbosity": "HIGH", "serviceTier": "Default",
            "include": [" Reasoning.Encrypted_Content ", "reasoning.encrypted_content", "bogus"],
            "parallelToolCalls": false
        }));
        assert_eq!(
            b.reasoning_effort.as_deref(),
            Some("XHigh"),
            "case kept, trimmed"
        );
        assert_eq!(b.reasoning_mode.as_deref(), Some("pro"));
        assert_eq!(b.reasoning_summary.as_deref(), Some("detailed"));
        assert_eq!(b.text_verbosity.as_deref(), Some("high"));
        assert_eq!(
            b.service_tier.as_deref(),
            Some("auto"),
            "`default` is a deprecated `auto`"
        );
        assert_eq!(
            b.include,
            Some(vec!["reasoning.encrypted_content".to_string()])
        );
        assert_eq!(b.parallel_tool_calls, Some(false));

        let legacy = Behaviour::parse(&json!({
            "reasoningSummary": "loud", "reasoningSummaries": false, "thinkingSummaries": true,
            "verbosityEnabled": false, "verbosity": "low", "include": ["nope"]
        }));
        assert_eq!(
            legacy.reasoning_summary.as_deref(),
            Some("none"),
            "reasoningSummaries beats thinkingSummaries"
        );
        assert_eq!(
            legacy.text_verbosity.as_deref(),
            Some("none"),
            "verbosityEnabled false"
        );
        assert_eq!(legacy.include, None, "empty after dropping unknown entries");
        let thinking = Behaviour::parse(&json!({"thinkingSummaries": true, "verbosity": "LOW"}));
        assert_eq!(thinking.reasoning_summary.as_deref(), Some("auto"));
        assert_eq!(thinking.text_verbosity.as_deref(), Some("low"));
        assert_eq!(
            Behaviour::parse(&json!({"verbosityEnabled": true}))
                .text_verbosity
                .as_deref(),
            Some("default")
        );
        assert!(Behaviour::parse(&json!({"reasoningEffort": "  "})).is_empty());
    }

    #[test]
    fn precedence_per_model_variant_first_then_custom_then_global() {
        let s = settings(
            json!({
                "global": {"reasoningEffort": "low", "textVerbosity": "low", "serviceTier": "flex", "reasoningSummary": "concise"},
                "perModel": {"gpt-5.4": {"reasoningEffort": "medium",
                    "variants": {"high": {"textVerbosity": "high"}, "empty": {"personality": "x"}}}},
                "customModels": {" Fast-Coder ": {"targetModel": "gpt-5.4", "serviceTier": "priority",
                    "variants": {"high": {"reasoningSummary": "detailed"}}},
                    "broken": {"name": "no target"}}
            }),
            &[],
            Domain::Native,
        );
        assert!(
            !s.per_model["gpt-5.4"].variants.contains_key("empty"),
            "empty variants dropped"
        );
        assert!(
            s.custom_models.contains_key("fast-coder"),
            "slugs trimmed and lowercased"
        );
        assert!(
            !s.custom_models.contains_key("broken"),
            "no targetModel, dropped"
        );

        let (b, target) = s.behaviour_for("gpt-5.4", Some("high"));
        assert_eq!(target, None);
        assert_eq!(
            b.text_verbosity.as_deref(),
            Some("high"),
            "perModel variant"
        );
        assert_eq!(b.reasoning_effort.as_deref(), Some("medium"), "perModel");
        assert_eq!(b.service_tier.as_deref(), Some("flex"), "global");

        let (b, target) = s.behaviour_for("FAST-CODER", Some("high"));
        assert_eq!(target.as_deref(), Some("gpt-5.4"));
        assert_eq!(
            b.reasoning_summary.as_deref(),
            Some("detailed"),
            "custom variant"
        );
        assert_eq!(b.service_tier.as_deref(), Some("priority"), "custom");
        assert_eq!(b.reasoning_effort.as_deref(), Some("low"), "global");
    }

    #[test]
    fn environment_overrides_the_global_settings() {
        let s = settings(
            json!({"global": {"reasoningSummary": "detailed", "textVerbosity": "high", "serviceTier": "flex"}}),
            &[
                ("OPENCODE_OPENAI_MULTI_REASONING_SUMMARIES", "false"),
                ("OPENCODE_OPENAI_MULTI_TEXT_VERBOSITY", "low"),
                ("OPENCODE_OPENAI_MULTI_SERVICE_TIER", "priority"),
            ],
            Domain::Native,
        );
        assert_eq!(s.global.reasoning_summary.as_deref(), Some("none"));
        assert_eq!(s.global.text_verbosity.as_deref(), Some("low"));
        assert_eq!(s.global.service_tier.as_deref(), Some("priority"));
    }

    #[test]
    fn the_body_gets_what_the_request_left_unset() {
        let s = settings(
            json!({"global": {"reasoningEffort": "high", "reasoningSummary": "auto", "textVerbosity": "medium",
                "serviceTier": "flex", "include": ["message.output_text.logprobs"], "parallelToolCalls": true}}),
            &[],
            Domain::Native,
        );
        let out = applied(&s, json!({"model": "gpt-5.3-codex", "input": []}));
        assert_eq!(
            out["reasoning"],
            json!({"effort": "high", "summary": "auto"})
        );
        assert_eq!(out["text"], json!({"verbosity": "medium"}));
        assert_eq!(out["service_tier"], "flex");
        assert_eq!(
            out["include"],
            json!([
                "message.output_text.logprobs",
                "reasoning.encrypted_content"
            ])
        );
        assert_eq!(out["parallel_tool_calls"], true);

        // The client's own choices win.
        let out = applied(
            &s,
            json!({"model": "gpt-5.3-codex", "reasoning": {"effort": "low", "summary": "concise"},
                   "text": {"verbosity": "low"}, "service_tier": "priority", "parallel_tool_calls": false}),
        );
        assert_eq!(
            out["reasoning"],
            json!({"effort": "low", "summary": "concise"})
        );
        assert_eq!(out["text"]["verbosity"], "low");
        assert_eq!(out["service_tier"], "priority");
        assert_eq!(out["parallel_tool_calls"], false);
    }

    #[test]
    fn none_default_and_auto_send_nothing() {
        let s = settings(
            json!({"global": {"reasoningSummary": "none", "textVerbosity": "default", "serviceTier": "auto"}}),
            &[],
            Domain::Native,
        );
        let out = applied(&s, json!({"model": "gpt-5.3-codex"}));
        assert_eq!(out, json!({"model": "gpt-5.3-codex"}));
    }

    #[test]
    fn custom_models_send_their_target() {
        let s = settings(
            json!({"customModels": {"my-fast": {"targetModel": "gpt-5.4-mini", "reasoningEffort": "low"}}}),
            &[],
            Domain::Native,
        );
        let out = applied(&s, json!({"model": "My-Fast"}));
        assert_eq!(out["model"], "gpt-5.4-mini");
        assert_eq!(out["reasoning"]["effort"], "low");
    }

    #[test]
    fn reasoning_mode_only_for_gpt_5_6_and_pro_slugs() {
        let s = settings(
            json!({"global": {"reasoningMode": "Standard"}}),
            &[],
            Domain::Native,
        );
        assert_eq!(
            applied(&s, json!({"model": "gpt-5.6"}))["reasoning"]["mode"],
            "standard"
        );
        assert_eq!(
            applied(&s, json!({"model": "gpt-5.6-pro"}))["reasoning"]["mode"],
            "pro"
        );
        assert!(applied(&s, json!({"model": "gpt-5.4"}))
            .get("reasoning")
            .is_none());
    }

    #[test]
    fn project_prompt_cache_key() {
        let s = settings(
            json!({"runtime": {"promptCacheKeyStrategy": "project"}}),
            &[],
            Domain::Codex,
        );
        let digest = Sha256::digest(b"v1|project|codex|/work/project");
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        let want = format!("ocpk_v1_{}", &hex[..24]);
        assert_eq!(s.prompt_cache_key.as_deref(), Some(want.as_str()));
        let out = applied(&s, json!({"model": "m", "prompt_cache_key": "ses_1"}));
        assert_eq!(out["prompt_cache_key"], want.as_str());
        assert_eq!(
            project_cache_key(Domain::Native, Path::new("C:\\work\\p")),
            project_cache_key(Domain::Native, Path::new("C:/work/p")),
            "backslashes are written as slashes"
        );
        let default = settings(json!({}), &[], Domain::Codex);
        assert_eq!(default.prompt_cache_key, None);
    }

    #[test]
    fn developer_messages_become_user_messages_in_codex_mode_unless_policy() {
        let body = json!({"model": "m", "input": [
            {"role": "user", "content": "hi"},
            {"role": "developer", "content": [{"type": "input_text", "text": "Prefer short answers."}]},
            {"role": "developer", "content": "<environment_context>cwd</environment_context>"}]});
        let codex = settings(json!({}), &[], Domain::Codex);
        assert!(codex.developer_to_user, "on by default in codex mode");
        let out = applied(&codex, body.clone());
        assert_eq!(out["input"][1]["role"], "user");
        assert_eq!(out["input"][2]["role"], "developer", "policy content stays");
        let off = settings(
            json!({"runtime": {"developerMessagesToUser": false}}),
            &[],
            Domain::Codex,
        );
        assert_eq!(applied(&off, body.clone())["input"][1]["role"], "developer");
        let native = settings(
            json!({"runtime": {"developerMessagesToUser": true}}),
            &[],
            Domain::Native,
        );
        assert_eq!(
            applied(&native, body)["input"][1]["role"],
            "developer",
            "never in native mode"
        );
    }

    #[test]
    fn sanitize_inputs_runs_the_compatibility_sanitizer_only_when_on() {
        let body = json!({"model": "m", "input": [
            {"type": "function_call_output", "output": "orphan"},
            {"role": "user", "content": "x", "item_reference": "ref_1"}]});
        let on = settings(
            json!({"runtime": {"sanitizeInputs": true}}),
            &[],
            Domain::Native,
        );
        let out = applied(&on, body.clone());
        assert_eq!(
            out["input"],
            json!([{"type": "message", "role": "assistant",
                "content": [{"type": "output_text", "text": "orphan"}]},
                {"role": "user", "content": "x"}])
        );
        let off = settings(json!({}), &[], Domain::Native);
        assert_eq!(applied(&off, body.clone())["input"], body["input"]);
    }

    #[test]
    fn gpt_5_4_clamps() {
        let s = RequestSettings::default();
        let out = applied(
            &s,
            json!({"model": "gpt-5.4", "model_context_window": 2_000_000, "model_auto_compact_token_limit": 1_000_000, "max_output_tokens": 200_000}),
        );
        assert_eq!(out["model_context_window"], 1_050_000);
        assert_eq!(out["model_auto_compact_token_limit"], 922_000);
        assert_eq!(out["max_output_tokens"], 128_000);
        let out = applied(
            &s,
            json!({"model": "gpt-5.4-mini", "model_context_window": 900_000, "model_auto_compact_token_limit": 900_000}),
        );
        assert_eq!(
            out["model_auto_compact_token_limit"], 772_000,
            "window - 128000"
        );
        let out = applied(
            &s,
            json!({"model": "gpt-5.3", "max_output_tokens": 200_000}),
        );
        assert_eq!(out["max_output_tokens"], 200_000, "other models untouched");
    }

    #[test]
    fn inert_settings_leave_the_bytes_alone() {
        let body = Bytes::from_static(br#"{"model":"gpt-5.3-codex", "input" : []}"#);
        let inert = RequestSettings::default();
        let object = |clamp_keys| BodyKind::Object { clamp_keys };
        let (out, model) = apply_to_body(
            &inert,
            body.clone(),
            Some("gpt-5.3-codex".into()),
            object(false),
        );
        assert_eq!(out, body);
        assert_eq!(model.as_deref(), Some("gpt-5.3-codex"));
        let (out, _) = apply_to_body(
            &inert,
            Bytes::from_static(br#"{"model":"gpt-5.4","model_context_window":2000000}"#),
            Some("gpt-5.4".into()),
            object(true),
        );
        assert_eq!(
            &out[..],
            br#"{"model":"gpt-5.4","model_context_window":1050000}"#
        );
        // A clamp key named only inside a string: the bytes go as they came.
        let text = Bytes::from_static(
            br#"{"model":"gpt-5.4", "input":[{"role":"user","content":"set model_context_window"}]}"#,
        );
        let (out, _) = apply_to_body(&inert, text.clone(), Some("gpt-5.4".into()), object(false));
        assert_eq!(out, text);
        // Not an object: never parsed, whatever the settings.
        let odd = Bytes::from_static(b"[1,2]");
        let (out, _) = apply_to_body(
            &inert,
            odd.clone(),
            Some("gpt-5.6".into()),
            BodyKind::Opaque,
        );
        assert_eq!(out, odd);
    }
}
