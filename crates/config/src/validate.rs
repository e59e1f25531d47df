//! What the plugin accepts in `codex-config.jsonc`, and what it quietly ignores.
//!
//! [`validate`] reproduces the plugin's `validateConfigFileObject` (reference 2.4): any issue
//! makes the plugin ignore the whole file. [`deprecated_keys`] and [`deprecation_warning`]
//! reproduce its deprecation warning (2.5). [`ignored_legacy_keys`] and [`unknown_keys`] are
//! the doctor's own findings: keys the runtime ignores without a word. The known-key sets are
//! compiled in from the plugin's JSON schema and the reference; the schema is never read at
//! run time.
//!
//! Issue format: `<path>: expected <expectation>, found <type> (<preview>)`. The reference does
//! not spell out the `<expectation>` texts; the ones below (`boolean`, `string`, `number`,
//! `object`, `array`, and enums as `"a" | "b"`) are those of the plugin's public source
//! (`lib/config/file.ts`), read from the revision closest to v1.10.0 available to us. Issues
//! come in the plugin's order, objects are walked in JavaScript property order, and the object
//! preview lists the first three keys, as the plugin's `keys.slice(0, 3)` does.

use serde_json::{Map, Value};

use crate::js;

const MODE: &[&str] = &["native", "codex"];
const ROTATION_STRATEGY: &[&str] = &["sticky", "hybrid", "round_robin"];
const PROMPT_CACHE_KEY_STRATEGY: &[&str] = &["default", "project"];
const ULTRA_REASONING_EFFORT: &[&str] = &["low", "medium", "high", "xhigh", "max"];
const REASONING_MODE: &[&str] = &["standard", "pro"];
const REASONING_SUMMARY: &[&str] = &["auto", "concise", "detailed", "none"];
const VERBOSITY: &[&str] = &["default", "low", "medium", "high"];
const TEXT_VERBOSITY: &[&str] = &["default", "low", "medium", "high", "none"];
const SERVICE_TIER: &[&str] = &["default", "auto", "priority", "flex"];
/// The `include` values the Responses API accepts through the plugin.
pub const INCLUDE_OPTIONS: &[&str] = &[
    "reasoning.encrypted_content",
    "file_search_call.results",
    "message.output_text.logprobs",
];

/// The plugin's expectation text for `serviceTier`.
const SERVICE_TIER_EXPECTED: &str =
    "\"auto\" | \"priority\" | \"flex\" (deprecated alias: \"default\")";

/// Boolean fields of `runtime`, in the order the plugin checks them.
const RUNTIME_BOOLEANS: &[&str] = &[
    "sanitizeInputs",
    "developerMessagesToUser",
    "codexCompactionOverride",
    "shareableDebug",
    "headerSnapshots",
    "headerSnapshotBodies",
    "headerTransformDebug",
    "ultra",
    "pidOffset",
];

/// Enum fields of `runtime`, in the order the plugin checks them.
const RUNTIME_ENUMS: &[(&str, &[&str])] = &[
    ("mode", MODE),
    ("rotationStrategy", ROTATION_STRATEGY),
    ("promptCacheKeyStrategy", PROMPT_CACHE_KEY_STRATEGY),
    ("ultraReasoningEffort", ULTRA_REASONING_EFFORT),
];

/// Top-level keys the schema knows.
pub const ROOT_KEYS: &[&str] = &[
    "$schema",
    "debug",
    "quiet",
    "refreshAhead",
    "runtime",
    "global",
    "modelAliases",
    "customModels",
    "perModel",
];

/// Top-level keys of older plugin versions, ignored silently (reference 2.2).
pub const LEGACY_ROOT_KEYS: &[&str] = &["personality", "customSettings", "mode"];

/// Keys of `refreshAhead`.
pub const REFRESH_AHEAD_KEYS: &[&str] = &["enabled", "bufferMs"];

/// Keys of `runtime`.
pub const RUNTIME_KEYS: &[&str] = &[
    "mode",
    "rotationStrategy",
    "sanitizeInputs",
    "developerMessagesToUser",
    "promptCacheKeyStrategy",
    "codexCompactionOverride",
    "shareableDebug",
    "headerSnapshots",
    "headerSnapshotBodies",
    "headerTransformDebug",
    "ultra",
    "ultraReasoningEffort",
    "pidOffset",
];

/// Keys of `modelAliases`.
pub const MODEL_ALIASES_KEYS: &[&str] = &["fast", "extendedContext", "pro"];

/// Keys of a model behaviour object (`global`, every `variants.<v>`).
pub const BEHAVIOR_KEYS: &[&str] = &[
    "personality",
    "reasoningEffort",
    "reasoningMode",
    "reasoningSummary",
    "reasoningSummaries",
    "thinkingSummaries",
    "textVerbosity",
    "verbosityEnabled",
    "verbosity",
    "serviceTier",
    "include",
    "parallelToolCalls",
];

/// Keys a `perModel.<m>` entry adds to the behaviour keys.
pub const PER_MODEL_EXTRA_KEYS: &[&str] = &["variants"];

/// Keys a `customModels.<s>` entry adds to the behaviour keys. (The schema's `customModel`
/// omits `reasoningMode`, but the plugin validates and applies it there, so it is known.)
pub const CUSTOM_MODEL_EXTRA_KEYS: &[&str] = &["targetModel", "name", "variants"];

fn push(issues: &mut Vec<String>, path: &str, expected: &str, actual: &Value) {
    issues.push(format!(
        "{path}: expected {expected}, found {} ({})",
        codex_js::type_name(actual),
        js::preview(actual)
    ));
}

fn one_of(allowed: &[&str]) -> String {
    allowed
        .iter()
        .map(|a| format!("\"{a}\""))
        .collect::<Vec<_>>()
        .join(" | ")
}

/// `typeof v === "string" ? v.trim().toLowerCase() : ""` is one of `allowed`.
fn enum_ok(value: &Value, allowed: &[&str]) -> bool {
    value
        .as_str()
        .map(codex_js::trim_lower)
        .is_some_and(|s| allowed.contains(&s.as_str()))
}

fn check_bool(map: &Map<String, Value>, key: &str, path: &str, issues: &mut Vec<String>) {
    if let Some(v) = map.get(key) {
        if !v.is_boolean() {
            push(issues, path, "boolean", v);
        }
    }
}

fn check_string(map: &Map<String, Value>, key: &str, path: &str, issues: &mut Vec<String>) {
    if let Some(v) = map.get(key) {
        if !v.is_string() {
            push(issues, path, "string", v);
        }
    }
}

fn check_enum(
    map: &Map<String, Value>,
    key: &str,
    path: &str,
    allowed: &[&str],
    expected: &str,
    issues: &mut Vec<String>,
) {
    if let Some(v) = map.get(key) {
        if !enum_ok(v, allowed) {
            push(issues, path, expected, v);
        }
    }
}

/// Validates a behaviour object at `prefix` (the plugin's `validateModelBehaviorShape`).
fn behavior_shape(value: &Value, prefix: &str, issues: &mut Vec<String>) {
    let Some(map) = value.as_object() else {
        push(issues, prefix, "object", value);
        return;
    };
    let p = |key: &str| format!("{prefix}.{key}");
    check_string(map, "personality", &p("personality"), issues);
    check_string(map, "reasoningEffort", &p("reasoningEffort"), issues);
    check_enum(
        map,
        "reasoningMode",
        &p("reasoningMode"),
        REASONING_MODE,
        &one_of(REASONING_MODE),
        issues,
    );
    check_enum(
        map,
        "reasoningSummary",
        &p("reasoningSummary"),
        REASONING_SUMMARY,
        &one_of(REASONING_SUMMARY),
        issues,
    );
    check_bool(map, "reasoningSummaries", &p("reasoningSummaries"), issues);
    check_bool(map, "thinkingSummaries", &p("thinkingSummaries"), issues);
    check_bool(map, "verbosityEnabled", &p("verbosityEnabled"), issues);
    check_enum(
        map,
        "verbosity",
        &p("verbosity"),
        VERBOSITY,
        &one_of(VERBOSITY),
        issues,
    );
    check_enum(
        map,
        "textVerbosity",
        &p("textVerbosity"),
        TEXT_VERBOSITY,
        &one_of(TEXT_VERBOSITY),
        issues,
    );
    check_enum(
        map,
        "serviceTier",
        &p("serviceTier"),
        SERVICE_TIER,
        SERVICE_TIER_EXPECTED,
        issues,
    );
    if let Some(include) = map.get("include") {
        match include.as_array() {
            None => push(issues, &p("include"), "array", include),
            Some(entries) => {
                // One issue per unsupported entry, all under the `include` path.
                for entry in entries {
                    if !enum_ok(entry, INCLUDE_OPTIONS) {
                        push(issues, &p("include"), &one_of(INCLUDE_OPTIONS), entry);
                    }
                }
            }
        }
    }
    check_bool(map, "parallelToolCalls", &p("parallelToolCalls"), issues);
}

/// Validates `<prefix>.variants` when present: an object of behaviour objects.
fn variants_shape(entry: &Value, prefix: &str, issues: &mut Vec<String>) {
    let Some(variants) = entry.as_object().and_then(|m| m.get("variants")) else {
        return;
    };
    let path = format!("{prefix}.variants");
    let Some(map) = variants.as_object() else {
        push(issues, &path, "object", variants);
        return;
    };
    for (name, variant) in codex_js::entries(map) {
        behavior_shape(variant, &format!("{path}.{name}"), issues);
    }
}

/// Validates a parsed config file; an empty result means the plugin accepts it.
pub fn validate(root: &Value) -> Vec<String> {
    let mut issues = Vec::new();
    let Some(map) = root.as_object() else {
        push(&mut issues, "$", "object", root);
        return issues;
    };

    check_string(map, "$schema", "$schema", &mut issues);
    check_bool(map, "debug", "debug", &mut issues);
    check_bool(map, "quiet", "quiet", &mut issues);

    if let Some(refresh) = map.get("refreshAhead") {
        match refresh.as_object() {
            None => push(&mut issues, "refreshAhead", "object", refresh),
            Some(r) => {
                check_bool(r, "enabled", "refreshAhead.enabled", &mut issues);
                if let Some(buffer) = r.get("bufferMs") {
                    // serde_json only holds finite numbers; JSON has no NaN or Infinity.
                    if !buffer.as_f64().is_some_and(f64::is_finite) {
                        push(&mut issues, "refreshAhead.bufferMs", "number", buffer);
                    }
                }
            }
        }
    }

    if let Some(runtime) = map.get("runtime") {
        match runtime.as_object() {
            None => push(&mut issues, "runtime", "object", runtime),
            Some(r) => {
                for (field, allowed) in RUNTIME_ENUMS {
                    let path = format!("runtime.{field}");
                    check_enum(r, field, &path, allowed, &one_of(allowed), &mut issues);
                }
                for field in RUNTIME_BOOLEANS {
                    check_bool(r, field, &format!("runtime.{field}"), &mut issues);
                }
            }
        }
    }

    if let Some(aliases) = map.get("modelAliases") {
        match aliases.as_object() {
            None => push(&mut issues, "modelAliases", "object", aliases),
            Some(a) => {
                for key in MODEL_ALIASES_KEYS {
                    check_bool(a, key, &format!("modelAliases.{key}"), &mut issues);
                }
            }
        }
    }

    if let Some(global) = map.get("global") {
        behavior_shape(global, "global", &mut issues);
    }

    if let Some(per_model) = map.get("perModel") {
        match per_model.as_object() {
            None => push(&mut issues, "perModel", "object", per_model),
            Some(models) => {
                for (name, entry) in codex_js::entries(models) {
                    let prefix = format!("perModel.{name}");
                    behavior_shape(entry, &prefix, &mut issues);
                    variants_shape(entry, &prefix, &mut issues);
                }
            }
        }
    }

    if let Some(custom) = map.get("customModels") {
        match custom.as_object() {
            None => push(&mut issues, "customModels", "object", custom),
            Some(models) => {
                for (slug, entry) in codex_js::entries(models) {
                    let prefix = format!("customModels.{slug}");
                    behavior_shape(entry, &prefix, &mut issues);
                    if let Some(m) = entry.as_object() {
                        match m.get("targetModel") {
                            Some(t) if !t.is_string() => {
                                push(&mut issues, &format!("{prefix}.targetModel"), "string", t)
                            }
                            Some(_) => {}
                            None => issues.push(format!(
                                "{prefix}.targetModel: expected string, found missing (custom models require targetModel)"
                            )),
                        }
                        check_string(m, "name", &format!("{prefix}.name"), &mut issues);
                    }
                    variants_shape(entry, &prefix, &mut issues);
                }
            }
        }
    }

    issues
}

/// Deprecated aliases in one behaviour scope.
fn deprecated_in(value: &Value, prefix: &str, out: &mut Vec<String>) {
    let Some(map) = value.as_object() else {
        return;
    };
    if map.get("reasoningSummaries").is_some_and(Value::is_boolean) {
        out.push(format!("{prefix}.reasoningSummaries"));
    }
    if map.get("thinkingSummaries").is_some_and(Value::is_boolean) {
        out.push(format!("{prefix}.thinkingSummaries"));
    }
    if map.contains_key("verbosityEnabled") {
        out.push(format!("{prefix}.verbosityEnabled"));
    }
    if map.contains_key("verbosity") {
        out.push(format!("{prefix}.verbosity"));
    }
    let tier = map.get("serviceTier").and_then(Value::as_str);
    if tier.is_some_and(|t| codex_js::trim_lower(t) == "default") {
        out.push(format!("{prefix}.serviceTier=\"default\""));
    }
}

/// Deprecated keys in every scope, named as the plugin names them (reference 2.5), e.g.
/// `global.reasoningSummaries`, `perModel.gpt-5.variants.high.verbosity`,
/// `customModels.x.serviceTier="default"`.
pub fn deprecated_keys(root: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(map) = root.as_object() else {
        return out;
    };
    if let Some(global) = map.get("global") {
        deprecated_in(global, "global", &mut out);
    }
    for section in ["perModel", "customModels"] {
        let Some(models) = map.get(section).and_then(Value::as_object) else {
            continue;
        };
        for (name, entry) in codex_js::entries(models) {
            let prefix = format!("{section}.{name}");
            deprecated_in(entry, &prefix, &mut out);
            let variants = entry
                .as_object()
                .and_then(|m| m.get("variants"))
                .and_then(Value::as_object);
            for (variant, value) in variants.map(codex_js::entries).unwrap_or_default() {
                deprecated_in(value, &format!("{prefix}.variants.{variant}"), &mut out);
            }
        }
    }
    out
}

/// The plugin's deprecation warning for a loaded file (without the `[opencode-codex-auth] `
/// prefix).
pub fn deprecation_warning(path: &str, keys: &[String]) -> String {
    format!(
        "Deprecated config key(s) in {path}: {}. Use reasoningSummary, textVerbosity, and serviceTier: \"auto\" instead.",
        keys.join(", ")
    )
}

/// Top-level keys of older plugin versions (`personality`, `customSettings`, `mode`) present
/// in the file, in file order; the plugin ignores them silently.
pub fn ignored_legacy_keys(root: &Value) -> Vec<String> {
    root.as_object()
        .map(|map| {
            codex_js::entries(map)
                .into_iter()
                .filter(|(k, _)| LEGACY_ROOT_KEYS.contains(&k.as_str()))
                .map(|(k, _)| k.to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn unknown_in(value: &Value, prefix: &str, known: &[&[&str]], out: &mut Vec<String>) {
    let Some(map) = value.as_object() else {
        return;
    };
    for (key, _) in codex_js::entries(map) {
        if !known.iter().any(|set| set.contains(&key.as_str())) {
            out.push(join(prefix, key));
        }
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn unknown_in_models(
    root: &Map<String, Value>,
    section: &str,
    extra: &[&str],
    out: &mut Vec<String>,
) {
    let Some(models) = root.get(section).and_then(Value::as_object) else {
        return;
    };
    for (name, entry) in codex_js::entries(models) {
        let prefix = format!("{section}.{name}");
        unknown_in(entry, &prefix, &[BEHAVIOR_KEYS, extra], out);
        let variants = entry
            .as_object()
            .and_then(|m| m.get("variants"))
            .and_then(Value::as_object);
        for (variant, value) in variants.map(codex_js::entries).unwrap_or_default() {
            let vprefix = format!("{prefix}.variants.{variant}");
            unknown_in(value, &vprefix, &[BEHAVIOR_KEYS], out);
        }
    }
}

/// Keys the plugin's schema does not know, as dotted paths (`runtime.spoofMode`,
/// `perModel.gpt-5.variants.high.temperature`), excluding the legacy top-level keys reported
/// by [`ignored_legacy_keys`]. The runtime ignores them; the schema would reject them.
pub fn unknown_keys(root: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(map) = root.as_object() else {
        return out;
    };
    unknown_in(root, "", &[ROOT_KEYS, LEGACY_ROOT_KEYS], &mut out);
    for (section, known) in [
        ("refreshAhead", REFRESH_AHEAD_KEYS),
        ("runtime", RUNTIME_KEYS),
        ("modelAliases", MODEL_ALIASES_KEYS),
        ("global", BEHAVIOR_KEYS),
    ] {
        if let Some(value) = map.get(section) {
            unknown_in(value, section, &[known], &mut out);
        }
    }
    unknown_in_models(map, "perModel", PER_MODEL_EXTRA_KEYS, &mut out);
    unknown_in_models(map, "customModels", CUSTOM_MODEL_EXTRA_KEYS, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn root_must_be_an_object() {
        assert_eq!(
            validate(&json!([1, 2])),
            ["$: expected object, found array (array(2))"]
        );
        assert_eq!(
            validate(&json!("x")),
            ["$: expected object, found string (\"x\")"]
        );
        assert_eq!(
            validate(&json!(null)),
            ["$: expected object, found null (null)"]
        );
        assert!(validate(&json!({})).is_empty());
    }

    #[test]
    fn top_level_types() {
        let issues = validate(&json!({
            "$schema": 1, "debug": "yes", "quiet": null,
            "refreshAhead": {"enabled": 1, "bufferMs": "60000"},
        }));
        assert_eq!(
            issues,
            [
                "$schema: expected string, found number (1)",
                "debug: expected boolean, found string (\"yes\")",
                "quiet: expected boolean, found null (null)",
                "refreshAhead.enabled: expected boolean, found number (1)",
                "refreshAhead.bufferMs: expected number, found string (\"60000\")",
            ]
        );
        assert_eq!(
            validate(
                &json!({"refreshAhead": [], "runtime": {"a": 1, "b": 2, "c": 3, "d": 4}, "modelAliases": true})
            ),
            [
                "refreshAhead: expected object, found array (array(0))",
                "modelAliases: expected object, found boolean (true)",
            ]
        );
        assert_eq!(
            validate(&json!({"runtime": "codex"})),
            ["runtime: expected object, found string (\"codex\")"]
        );
    }

    #[test]
    fn runtime_enums_are_trimmed_and_case_insensitive() {
        let ok = json!({"runtime": {
            "mode": " CODEX ", "rotationStrategy": "Round_Robin",
            "promptCacheKeyStrategy": "PROJECT", "ultraReasoningEffort": "XHigh"
        }});
        assert!(validate(&ok).is_empty());
        let bad = json!({"runtime": {"mode": "collab", "rotationStrategy": 123}});
        assert_eq!(
            validate(&bad),
            [
                "runtime.mode: expected \"native\" | \"codex\", found string (\"collab\")",
                "runtime.rotationStrategy: expected \"sticky\" | \"hybrid\" | \"round_robin\", found number (123)",
            ]
        );
    }

    #[test]
    fn runtime_booleans_in_plugin_order() {
        let mut runtime = Map::new();
        for field in RUNTIME_BOOLEANS.iter().rev() {
            runtime.insert((*field).to_string(), json!("x"));
        }
        let issues = validate(&json!({ "runtime": runtime }));
        let paths: Vec<&str> = issues.iter().filter_map(|i| i.split(':').next()).collect();
        let want: Vec<String> = RUNTIME_BOOLEANS
            .iter()
            .map(|f| format!("runtime.{f}"))
            .collect();
        assert_eq!(paths, want);
    }

    #[test]
    fn model_aliases() {
        assert_eq!(
            validate(&json!({"modelAliases": {"fast": "no", "extendedContext": true, "pro": 0}})),
            [
                "modelAliases.fast: expected boolean, found string (\"no\")",
                "modelAliases.pro: expected boolean, found number (0)",
            ]
        );
    }

    #[test]
    fn behaviour_shape_in_every_scope() {
        let bad = json!({
            "personality": 1, "reasoningEffort": false, "reasoningMode": "turbo",
            "reasoningSummary": "short", "reasoningSummaries": "yes",
            "thinkingSummaries": 0, "verbosityEnabled": "on", "verbosity": "none",
            "textVerbosity": "max", "serviceTier": "turbo",
            "include": ["file_search_call.results", "bad", 3], "parallelToolCalls": "yes"
        });
        let expected_suffixes = [
            ".personality: expected string, found number (1)",
            ".reasoningEffort: expected string, found boolean (false)",
            ".reasoningMode: expected \"standard\" | \"pro\", found string (\"turbo\")",
            ".reasoningSummary: expected \"auto\" | \"concise\" | \"detailed\" | \"none\", found string (\"short\")",
            ".reasoningSummaries: expected boolean, found string (\"yes\")",
            ".thinkingSummaries: expected boolean, found number (0)",
            ".verbosityEnabled: expected boolean, found string (\"on\")",
            ".verbosity: expected \"default\" | \"low\" | \"medium\" | \"high\", found string (\"none\")",
            ".textVerbosity: expected \"default\" | \"low\" | \"medium\" | \"high\" | \"none\", found string (\"max\")",
            ".serviceTier: expected \"auto\" | \"priority\" | \"flex\" (deprecated alias: \"default\"), found string (\"turbo\")",
            ".include: expected \"reasoning.encrypted_content\" | \"file_search_call.results\" | \"message.output_text.logprobs\", found string (\"bad\")",
            ".include: expected \"reasoning.encrypted_content\" | \"file_search_call.results\" | \"message.output_text.logprobs\", found number (3)",
            ".parallelToolCalls: expected boolean, found string (\"yes\")",
        ];
        let mut custom = bad.clone();
        custom["targetModel"] = json!("gpt-5");
        let root = json!({
            "global": bad,
            "perModel": {"gpt-5": {"variants": {"high": bad}}, "m": bad},
            "customModels": {"c": {"targetModel": "gpt-5", "variants": {"v": bad}}, "d": custom},
        });
        let issues = validate(&root);
        let scopes = [
            "global",
            "perModel.gpt-5.variants.high",
            "perModel.m",
            "customModels.c.variants.v",
            "customModels.d",
        ];
        let want: Vec<String> = scopes
            .iter()
            .flat_map(|s| expected_suffixes.iter().map(move |x| format!("{s}{x}")))
            .collect();
        assert_eq!(issues, want);
    }

    #[test]
    fn behaviour_must_be_an_object() {
        let root = json!({
            "global": "x",
            "perModel": {"a": 1, "b": {"variants": []}, "c": {"variants": {"v": null}}},
            "customModels": {"s": [], "t": {"targetModel": "m", "variants": "x"}},
        });
        assert_eq!(
            validate(&root),
            [
                "global: expected object, found string (\"x\")",
                "perModel.a: expected object, found number (1)",
                "perModel.b.variants: expected object, found array (array(0))",
                "perModel.c.variants.v: expected object, found null (null)",
                "customModels.s: expected object, found array (array(0))",
                "customModels.t.variants: expected object, found string (\"x\")",
            ]
        );
        assert_eq!(
            validate(&json!({"perModel": 1, "customModels": "x"})),
            [
                "perModel: expected object, found number (1)",
                "customModels: expected object, found string (\"x\")",
            ]
        );
    }

    #[test]
    fn custom_models_need_a_string_target_model() {
        let root = json!({"customModels": {
            "openai/my-fast-codex": {"targetModel": 42, "name": false, "include": ["bad_include"],
                "parallelToolCalls": "yes", "variants": []},
            "missing": {"name": "Missing"},
            "empty": {"targetModel": ""},
        }});
        assert_eq!(
            validate(&root),
            [
                "customModels.openai/my-fast-codex.include: expected \"reasoning.encrypted_content\" | \"file_search_call.results\" | \"message.output_text.logprobs\", found string (\"bad_include\")",
                "customModels.openai/my-fast-codex.parallelToolCalls: expected boolean, found string (\"yes\")",
                "customModels.openai/my-fast-codex.targetModel: expected string, found number (42)",
                "customModels.openai/my-fast-codex.name: expected string, found boolean (false)",
                "customModels.openai/my-fast-codex.variants: expected object, found array (array(0))",
                "customModels.missing.targetModel: expected string, found missing (custom models require targetModel)",
            ]
        );
    }

    #[test]
    fn deprecated_keys_in_every_scope() {
        let root = json!({
            "global": {"reasoningSummaries": true, "thinkingSummaries": "x", "serviceTier": " Default "},
            "perModel": {"gpt-5": {"verbosityEnabled": 1, "variants": {"high": {"verbosity": "low"}}}},
            "customModels": {"c": {"targetModel": "m", "thinkingSummaries": false,
                "variants": {"v": {"serviceTier": "default"}}}},
        });
        let keys = deprecated_keys(&root);
        assert_eq!(
            keys,
            [
                "global.reasoningSummaries",
                "global.serviceTier=\"default\"",
                "perModel.gpt-5.verbosityEnabled",
                "perModel.gpt-5.variants.high.verbosity",
                "customModels.c.thinkingSummaries",
                "customModels.c.variants.v.serviceTier=\"default\"",
            ]
        );
        assert_eq!(
            deprecation_warning("/x/codex-config.jsonc", &keys[..2]),
            "Deprecated config key(s) in /x/codex-config.jsonc: global.reasoningSummaries, global.serviceTier=\"default\". Use reasoningSummary, textVerbosity, and serviceTier: \"auto\" instead."
        );
        assert!(deprecated_keys(&json!([])).is_empty());
    }

    #[test]
    fn legacy_and_unknown_keys() {
        let root = json!({
            "mode": "codex", "personality": "x", "customSettings": {"a": 1}, "extra": 1,
            "runtime": {"spoofMode": "codex", "mode": "native"},
            "refreshAhead": {"enabled": true, "intervalMs": 1},
            "modelAliases": {"mini": true},
            "global": {"temperature": 1, "personality": "p"},
            "perModel": {"gpt-5": {"variants": {"high": {"variants": {}, "include": []}}, "targetModel": "x"}},
            "customModels": {"c": {"targetModel": "m", "reasoningMode": "pro", "foo": 1,
                "variants": {"v": {"name": "n"}}}},
        });
        assert_eq!(
            ignored_legacy_keys(&root),
            ["mode", "personality", "customSettings"]
        );
        assert_eq!(
            unknown_keys(&root),
            [
                "extra",
                "refreshAhead.intervalMs",
                "runtime.spoofMode",
                "modelAliases.mini",
                "global.temperature",
                "perModel.gpt-5.targetModel",
                "perModel.gpt-5.variants.high.variants",
                "customModels.c.foo",
                "customModels.c.variants.v.name",
            ]
        );
    }
}
