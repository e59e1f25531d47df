//! Integration tests for `codex-config`: the plugin's test cases (reference 15, items 87–93)
//! against real temporary config directories, plus property tests of the JSONC stripper.
//!
//! Every test builds its own `EnvSnapshot` pointing `HOME` and `XDG_CONFIG_HOME` into a
//! temporary directory; the real home and the process environment are never touched.

use std::fs;
use std::path::{Path, PathBuf};

use codex_config::{
    blank_comments, deprecated_keys, ignored_legacy_keys, load, resolve, strip_comments,
    unknown_keys, validate, AuthMode, CandidateOutcome, ConfigLoad, ModeSource, OverrideOutcome,
    PromptCacheKeyStrategy, RotationStrategy, UltraReasoningEffort,
};
use codex_env::EnvSnapshot;
use codex_paths::Paths;
use codex_testkit::{write_file, TempHome};
use proptest::prelude::*;
use serde_json::{json, Value};

const EXAMPLE: &str = include_str!("fixtures/codex-config.jsonc");

/// A [`TempHome`] with `XDG_CONFIG_HOME=<tmp>/xdg` (outside the home, as users set it), so
/// the config root is `<tmp>/xdg/opencode`.
struct Home {
    tmp: TempHome,
    env: EnvSnapshot,
}

impl Home {
    fn new(extra: &[(&str, &str)]) -> Home {
        let tmp = TempHome::new();
        let home = tmp.home();
        let xdg = tmp.root().join("xdg");
        let mut env = EnvSnapshot::from_pairs([
            ("HOME", home.to_string_lossy().into_owned()),
            ("XDG_CONFIG_HOME", xdg.to_string_lossy().into_owned()),
        ]);
        for (k, v) in extra {
            env = env.with(k, v);
        }
        Home { tmp, env }
    }

    fn root(&self) -> PathBuf {
        self.tmp.root().join("xdg").join("opencode")
    }

    fn jsonc(&self) -> PathBuf {
        self.root().join("codex-config.jsonc")
    }

    fn json(&self) -> PathBuf {
        self.root().join("codex-config.json")
    }

    fn paths(&self) -> Paths {
        Paths::resolve(&self.env, self.tmp.root()).expect("paths")
    }

    fn load(&self) -> ConfigLoad {
        load(&self.paths(), &self.env)
    }
}

fn env(pairs: &[(&str, &str)]) -> EnvSnapshot {
    EnvSnapshot::from_pairs(pairs.iter().copied())
}

fn shown(path: &Path) -> String {
    path.display().to_string()
}

// Reference 15, item 87.
#[test]
fn only_legacy_json_is_used() {
    let h = Home::new(&[]);
    write_file(&h.json(), r#"{"quiet":true}"#);
    let l = h.load();
    assert_eq!(l.candidates.len(), 1);
    assert_eq!(l.candidates[0].file.path, h.json());
    assert_eq!(l.effective, Some(0));
    assert!(!l.both_names_exist && !l.legacy_would_be_quarantined);
    assert!(l.warnings.is_empty());
    assert!(resolve(&l.value, &h.env).quiet);
}

// Reference 15, item 88 (read-only: the legacy file is reported, not moved).
#[test]
fn both_names_use_jsonc_and_flag_the_legacy_file() {
    let h = Home::new(&[]);
    write_file(&h.jsonc(), "{\n  // canonical\n  \"quiet\": true\n}\n");
    write_file(&h.json(), r#"{"quiet":false}"#);
    let l = h.load();
    assert_eq!(l.effective, Some(0));
    assert_eq!(l.candidates[0].file.path, h.jsonc());
    assert_eq!(l.candidates[1].file.path, h.json());
    assert_eq!(l.candidates[1].outcome, CandidateOutcome::NotTried);
    assert!(l.both_names_exist);
    assert!(l.legacy_would_be_quarantined);
    assert_eq!(l.quarantine_dir, Some(h.root().join("quarantine")));
    assert_eq!(
        l.warnings,
        ["Found both codex-config.jsonc and codex-config.json. Using codex-config.jsonc."]
    );
    assert!(resolve(&l.value, &h.env).quiet);
    // Nothing was moved or created.
    assert_eq!(
        fs::read_to_string(h.json()).expect("legacy"),
        r#"{"quiet":false}"#
    );
    assert!(!h.root().join("quarantine").exists());
}

// Reference 15, item 89.
#[test]
fn unparseable_jsonc_falls_back_to_valid_legacy() {
    let h = Home::new(&[]);
    write_file(&h.jsonc(), "{ \"quiet\": true, }");
    write_file(&h.json(), r#"{"quiet":false}"#);
    let l = h.load();
    assert_eq!(l.effective, Some(1));
    assert!(l.both_names_exist);
    assert!(!l.legacy_would_be_quarantined);
    assert_eq!(l.quarantine_dir, None);
    let CandidateOutcome::ParseError { line, column, .. } = &l.candidates[0].outcome else {
        panic!("expected a parse error, got {:?}", l.candidates[0].outcome);
    };
    // The trailing comma is reported at the closing brace.
    assert_eq!((*line, *column), (1, 18), "{:?}", l.candidates[0].outcome);
    assert_eq!(l.warnings.len(), 1);
    let prefix = format!("Failed to read codex-config at {}. ", shown(&h.jsonc()));
    assert!(l.warnings[0].starts_with(&prefix), "{}", l.warnings[0]);
    assert!(!resolve(&l.value, &h.env).quiet);
}

#[test]
fn invalid_jsonc_falls_back_to_legacy_without_quarantine() {
    let h = Home::new(&[]);
    write_file(&h.jsonc(), r#"{"debug": "yes"}"#);
    write_file(&h.json(), r#"{"quiet":true}"#);
    let l = h.load();
    assert_eq!(l.effective, Some(1));
    assert!(!l.legacy_would_be_quarantined);
    assert_eq!(
        l.warnings,
        [format!(
            "Invalid codex-config at {}. debug: expected boolean, found string (\"yes\")",
            shown(&h.jsonc())
        )]
    );
}

// Reference 15, item 90.
#[test]
fn one_bad_field_ignores_the_whole_file() {
    let h = Home::new(&[]);
    write_file(
        &h.jsonc(),
        r#"{"quiet": true, "runtime": {"rotationStrategy": 123}}"#,
    );
    let l = h.load();
    assert_eq!(l.effective, None);
    assert_eq!(l.value, json!({}));
    let issue = "runtime.rotationStrategy: expected \"sticky\" | \"hybrid\" | \"round_robin\", found number (123)";
    assert_eq!(
        l.candidates[0].outcome,
        CandidateOutcome::Invalid {
            issues: vec![issue.to_string()]
        }
    );
    assert_eq!(
        l.warnings,
        [format!(
            "Invalid codex-config at {}. {issue}",
            shown(&h.jsonc())
        )]
    );
    assert!(!resolve(&l.value, &h.env).quiet);
}

#[test]
fn multiple_issues_are_joined_with_semicolons() {
    let h = Home::new(&[]);
    write_file(&h.jsonc(), r#"{"debug": 1, "quiet": [1, 2]}"#);
    let l = h.load();
    assert_eq!(
        l.warnings,
        [format!(
            "Invalid codex-config at {}. debug: expected boolean, found number (1); quiet: expected boolean, found array (array(2))",
            shown(&h.jsonc())
        )]
    );
}

// Reference 15, item 91.
#[test]
fn validation_issues_for_each_path_and_case_insensitive_enums() {
    let issues = validate(&json!({
        "runtime": {
            "promptCacheKeyStrategy": "bad",
            "shareableDebug": "yes",
            "ultra": "yes",
            "ultraReasoningEffort": "minimal"
        },
        "global": {"reasoningMode": "PRO", "serviceTier": "turbo"}
    }));
    assert_eq!(
        issues,
        [
            "runtime.promptCacheKeyStrategy: expected \"default\" | \"project\", found string (\"bad\")",
            "runtime.ultraReasoningEffort: expected \"low\" | \"medium\" | \"high\" | \"xhigh\" | \"max\", found string (\"minimal\")",
            "runtime.shareableDebug: expected boolean, found string (\"yes\")",
            "runtime.ultra: expected boolean, found string (\"yes\")",
            "global.serviceTier: expected \"auto\" | \"priority\" | \"flex\" (deprecated alias: \"default\"), found string (\"turbo\")",
        ]
    );
    assert!(validate(&json!({"global": {"reasoningMode": "PRO"}})).is_empty());
    assert!(validate(
        &json!({"perModel": {"m": {"variants": {"v": {"reasoningMode": " Standard "}}}}})
    )
    .is_empty());
}

#[test]
fn custom_model_without_target_model() {
    assert_eq!(
        validate(&json!({"customModels": {"openai/x": {"name": "X"}}})),
        ["customModels.openai/x.targetModel: expected string, found missing (custom models require targetModel)"]
    );
}

// Reference 15, item 92.
#[test]
fn env_mode_resolution() {
    let file_native = json!({"runtime": {"mode": "native"}});
    let file_codex = json!({"runtime": {"mode": "codex"}});

    let c = resolve(
        &json!({}),
        &env(&[("OPENCODE_OPENAI_MULTI_SPOOF_MODE", "codex")]),
    );
    assert_eq!(
        (c.mode, c.mode_source),
        (AuthMode::Codex, ModeSource::EnvSpoofMode)
    );

    let c = resolve(
        &file_native,
        &env(&[("OPENCODE_OPENAI_MULTI_SPOOF_MODE", "codex")]),
    );
    assert_eq!(
        (c.mode, c.mode_source),
        (AuthMode::Native, ModeSource::File)
    );
    assert_eq!(
        c.overrides[0].outcome,
        OverrideOutcome::Shadowed { by: "runtime.mode" }
    );

    let c = resolve(
        &file_codex,
        &env(&[
            ("OPENCODE_OPENAI_MULTI_MODE", "native"),
            ("OPENCODE_OPENAI_MULTI_SPOOF_MODE", "codex"),
        ]),
    );
    assert_eq!(
        (c.mode, c.mode_source),
        (AuthMode::Native, ModeSource::EnvMode)
    );
    let names: Vec<(&str, bool)> = c.overrides.iter().map(|o| (o.name, o.ignored())).collect();
    assert_eq!(
        names,
        [
            ("OPENCODE_OPENAI_MULTI_MODE", false),
            ("OPENCODE_OPENAI_MULTI_SPOOF_MODE", true)
        ]
    );

    let c = resolve(
        &json!({}),
        &env(&[("OPENCODE_OPENAI_MULTI_MODE", "collab")]),
    );
    assert_eq!(
        (c.mode, c.mode_source),
        (AuthMode::Native, ModeSource::Default)
    );
    assert_eq!(c.overrides.len(), 1);
    assert_eq!(c.overrides[0].setting, "runtime.mode");
    assert_eq!(c.overrides[0].value, "collab");
    assert!(c.overrides[0].ignored());
    assert!(matches!(
        c.overrides[0].outcome,
        OverrideOutcome::Invalid { .. }
    ));

    let c = resolve(
        &json!({"global": {"personality": "friendly"}}),
        &env(&[("OPENCODE_OPENAI_MULTI_PERSONALITY", "../pirate")]),
    );
    assert_eq!(c.personality.as_deref(), Some("friendly"));
    assert!(c.overrides[0].ignored());
    let c = resolve(
        &json!({}),
        &env(&[("OPENCODE_OPENAI_MULTI_PERSONALITY", "../pirate")]),
    );
    assert_eq!(c.personality, None);
    let c = resolve(
        &json!({}),
        &env(&[("OPENCODE_OPENAI_MULTI_PERSONALITY", "pirate")]),
    );
    assert_eq!(c.personality.as_deref(), Some("pirate"));

    let c = resolve(&json!({}), &env(&[("OPENCODE_OPENAI_MULTI_DEBUG", "1")]));
    assert!(c.debug);
    let c = resolve(&json!({}), &env(&[("DEBUG_CODEX_PLUGIN", "1")]));
    assert!(c.debug);
    let c = resolve(&json!({}), &env(&[("OPENCODE_OPENAI_MULTI_DEBUG", "true")]));
    assert!(!c.debug);
    assert!(c.overrides[0].ignored());
    assert!(resolve(&json!({"debug": true}), &env(&[])).debug);
}

// Reference 15, item 93.
#[test]
fn defaults() {
    let h = Home::new(&[]);
    let l = h.load();
    assert_eq!(l.value, json!({}));
    let c = resolve(&l.value, &h.env);
    assert_eq!(c.mode, AuthMode::Native);
    assert_eq!(c.rotation_strategy, RotationStrategy::Sticky);
    assert_eq!(c.prompt_cache_key_strategy, PromptCacheKeyStrategy::Default);
    assert!(!c.pid_offset);
    assert!(!c.refresh_ahead_enabled);
    assert_eq!(c.refresh_ahead_buffer_ms, 60_000);
    assert!(!c.developer_messages_to_user);
    assert!(!c.codex_compaction_override);
    assert!(!c.debug && !c.quiet && !c.sanitize_inputs && !c.ultra);
    assert!(!c.shareable_debug && !c.header_snapshots);
    assert!(!c.header_snapshot_bodies && !c.header_transform_debug);
    assert_eq!(c.ultra_reasoning_effort, UltraReasoningEffort::Max);
    assert!(c.overrides.is_empty() && c.env_warnings.is_empty());

    let codex = resolve(&json!({"runtime": {"mode": "codex"}}), &env(&[]));
    assert!(codex.developer_messages_to_user);
    assert!(codex.codex_compaction_override);

    let codex_off = resolve(
        &json!({"runtime": {"mode": "codex", "developerMessagesToUser": false, "codexCompactionOverride": false}}),
        &env(&[]),
    );
    assert!(!codex_off.developer_messages_to_user);
    assert!(!codex_off.codex_compaction_override);

    let native_on = resolve(
        &json!({"runtime": {"developerMessagesToUser": true, "codexCompactionOverride": true}}),
        &env(&[]),
    );
    assert!(!native_on.developer_messages_to_user);
    assert!(native_on.codex_compaction_override);

    let env_override = resolve(
        &json!({"runtime": {"mode": "codex"}}),
        &env(&[("OPENCODE_OPENAI_MULTI_CODEX_COMPACTION_OVERRIDE", "off")]),
    );
    assert!(!env_override.codex_compaction_override);
}

#[test]
fn refresh_ahead_needs_an_explicit_true() {
    let c = resolve(&json!({"refreshAhead": {"bufferMs": 5000}}), &env(&[]));
    assert!(!c.refresh_ahead_enabled);
    assert_eq!(c.refresh_ahead_buffer_ms, 5000);
    let c = resolve(&json!({"refreshAhead": {"enabled": true}}), &env(&[]));
    assert!(c.refresh_ahead_enabled);
    let c = resolve(
        &json!({"refreshAhead": {"enabled": true}}),
        &env(&[("OPENCODE_OPENAI_MULTI_PROACTIVE_REFRESH", "no")]),
    );
    assert!(!c.refresh_ahead_enabled);
}

#[test]
fn explicit_path_missing_means_no_file() {
    let h = Home::new(&[]);
    let missing = h.tmp.root().join("nowhere").join("custom.jsonc");
    let h = Home {
        env: h
            .env
            .clone()
            .with("OPENCODE_OPENAI_MULTI_CONFIG_PATH", &shown(&missing)),
        ..h
    };
    // Default files exist but are not consulted.
    write_file(&h.jsonc(), r#"{"quiet": true}"#);
    write_file(&h.json(), r#"{"quiet": true}"#);
    let l = h.load();
    assert_eq!(
        l.explicit.as_ref().map(|e| e.path.clone()),
        Some(missing.clone())
    );
    assert_eq!(l.candidates.len(), 1);
    assert_eq!(l.candidates[0].file.path, missing);
    assert!(!l.candidates[0].exists);
    assert_eq!(l.candidates[0].outcome, CandidateOutcome::Missing);
    assert_eq!(l.effective, None);
    assert_eq!(l.value, json!({}));
    assert!(!l.both_names_exist && !l.legacy_would_be_quarantined);
    assert!(l.warnings.is_empty());
    assert!(!missing.exists(), "nothing is created");
}

#[test]
fn explicit_path_is_the_only_candidate() {
    let h = Home::new(&[]);
    let custom = h.tmp.root().join("custom.jsonc");
    let h = Home {
        env: h.env.clone().with(
            "OPENCODE_OPENAI_MULTI_CONFIG_PATH",
            &format!("  {}  ", shown(&custom)),
        ),
        ..h
    };
    write_file(&custom, "/* mine */ {\"runtime\": {\"mode\": \"codex\"}}");
    write_file(&h.jsonc(), r#"{"quiet": true}"#);
    let l = h.load();
    assert_eq!(l.effective, Some(0));
    assert_eq!(l.candidates[0].file.path, custom);
    let c = resolve(&l.value, &h.env);
    assert_eq!(c.mode, AuthMode::Codex);
    assert!(!c.quiet);
}

#[test]
fn neither_file_exists() {
    let h = Home::new(&[]);
    let l = h.load();
    assert_eq!(l.candidates.len(), 1);
    assert_eq!(l.candidates[0].file.path, h.jsonc());
    assert_eq!(l.candidates[0].outcome, CandidateOutcome::Missing);
    assert_eq!(l.effective, None);
    assert!(l.warnings.is_empty());
    assert!(!h.root().exists(), "the default file is not created");
}

#[test]
fn anchor_example_is_valid() {
    let value: Value = serde_json::from_str(&strip_comments(EXAMPLE)).expect("example parses");
    assert_eq!(validate(&value), Vec::<String>::new());
    assert!(deprecated_keys(&value).is_empty());
    assert!(unknown_keys(&value).is_empty());
    assert!(ignored_legacy_keys(&value).is_empty());

    let h = Home::new(&[]);
    write_file(&h.jsonc(), EXAMPLE);
    let l = h.load();
    assert_eq!(l.effective, Some(0));
    assert!(l.warnings.is_empty());
    let c = resolve(&l.value, &h.env);
    assert!(c.refresh_ahead_enabled);
    assert_eq!(c.personality.as_deref(), Some("pragmatic"));
    assert_eq!(c.reasoning_summary.as_deref(), Some("auto"));
    assert_eq!(c.text_verbosity.as_deref(), Some("default"));
}

#[test]
fn parse_error_position_with_block_comment_on_the_same_line() {
    let h = Home::new(&[]);
    write_file(
        &h.jsonc(),
        "{\n  \"debug\": false,\n  /* a comment */ \"quiet\": true true\n}\n",
    );
    let l = h.load();
    assert_eq!(l.effective, None);
    let CandidateOutcome::ParseError {
        message,
        line,
        column,
    } = &l.candidates[0].outcome
    else {
        panic!("expected a parse error, got {:?}", l.candidates[0].outcome);
    };
    // `true true`: the second `true` starts at column 33 of line 3 in the original file.
    assert_eq!((*line, *column), (3, 33));
    assert!(message.contains("(line 3, column 33)"), "{message}");
    assert_eq!(
        l.warnings,
        [format!(
            "Failed to read codex-config at {}. {message}",
            shown(&h.jsonc())
        )]
    );
}

#[test]
fn non_utf8_file_is_a_read_error() {
    let h = Home::new(&[]);
    write_file(&h.jsonc(), b"{\"quiet\": \"\xff\"}");
    let l = h.load();
    assert_eq!(l.effective, None);
    let CandidateOutcome::ReadError { message, .. } = &l.candidates[0].outcome else {
        panic!("expected a read error");
    };
    assert!(message.contains("not valid UTF-8"), "{message}");
    assert!(l.warnings[0].starts_with("Failed to read codex-config at "));
}

#[test]
fn directory_in_place_of_the_file_is_a_read_error() {
    let h = Home::new(&[]);
    fs::create_dir_all(h.jsonc()).expect("dir");
    let l = h.load();
    assert!(l.candidates[0].exists);
    assert!(matches!(
        l.candidates[0].outcome,
        CandidateOutcome::ReadError { .. }
    ));
}

#[test]
fn root_must_be_an_object() {
    let h = Home::new(&[]);
    write_file(&h.jsonc(), "// just a list\n[1, 2, 3]");
    let l = h.load();
    assert_eq!(
        l.warnings,
        [format!(
            "Invalid codex-config at {}. $: expected object, found array (array(3))",
            shown(&h.jsonc())
        )]
    );
}

#[test]
fn deprecated_keys_warn_on_load() {
    let h = Home::new(&[]);
    write_file(
        &h.jsonc(),
        r#"{"global": {"reasoningSummaries": true, "serviceTier": "default"},
            "perModel": {"gpt-5": {"variants": {"high": {"verbosity": "low"}}}}}"#,
    );
    let l = h.load();
    let keys = [
        "global.reasoningSummaries",
        "global.serviceTier=\"default\"",
        "perModel.gpt-5.variants.high.verbosity",
    ];
    assert_eq!(l.deprecated(), keys);
    assert_eq!(
        l.warnings,
        [format!(
            "Deprecated config key(s) in {}: {}. Use reasoningSummary, textVerbosity, and serviceTier: \"auto\" instead.",
            shown(&h.jsonc()),
            keys.join(", ")
        )]
    );
}

#[test]
fn deprecation_warning_comes_before_the_both_names_warning() {
    let h = Home::new(&[]);
    write_file(&h.jsonc(), r#"{"global": {"verbosityEnabled": true}}"#);
    write_file(&h.json(), "{}");
    let l = h.load();
    assert_eq!(l.warnings.len(), 2);
    assert!(l.warnings[0].starts_with("Deprecated config key(s) in "));
    assert!(l.warnings[1].starts_with("Found both "));
}

#[test]
fn env_warnings_and_overrides() {
    let c = resolve(
        &json!({"quiet": false}),
        &env(&[
            ("OPENCODE_OPENAI_MULTI_THINKING_SUMMARIES", "true"),
            ("OPENCODE_OPENAI_MULTI_SERVICE_TIER", "default"),
            ("OPENCODE_OPENAI_MULTI_QUIET", "1"),
        ]),
    );
    assert_eq!(
        c.env_warnings,
        [
            "Deprecated env var `OPENCODE_OPENAI_MULTI_THINKING_SUMMARIES` is set. Use `OPENCODE_OPENAI_MULTI_REASONING_SUMMARIES` instead.",
            "Deprecated env value `OPENCODE_OPENAI_MULTI_SERVICE_TIER=default` is set. Use `auto` instead.",
        ]
    );
    assert!(c.quiet);
    assert_eq!(c.service_tier.as_deref(), Some("auto"));
    assert_eq!(c.reasoning_summary.as_deref(), Some("auto"));
    let settings: Vec<(&str, &str)> = c.overrides.iter().map(|o| (o.name, o.setting)).collect();
    assert_eq!(
        settings,
        [
            ("OPENCODE_OPENAI_MULTI_QUIET", "quiet"),
            (
                "OPENCODE_OPENAI_MULTI_THINKING_SUMMARIES",
                "global.reasoningSummary"
            ),
            ("OPENCODE_OPENAI_MULTI_SERVICE_TIER", "global.serviceTier"),
        ]
    );
    assert!(c.overrides.iter().all(|o| !o.ignored()));
}

// ---------------------------------------------------------------------------------------
// Property tests of the comment stripper.

fn arb_string() -> impl Strategy<Value = String> {
    "[a-z/*\"\\\\ \n\r\t:,{}\\[\\]é☃]{0,12}"
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1.0e9f64..1.0e9).prop_map(Value::from),
        arb_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((arb_string(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// Whitespace or a comment to put between two tokens.
fn arb_gap() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just(" ".to_string()),
        Just("\n".to_string()),
        Just("\r\n\t".to_string()),
        (
            "[a-z \"/*\\\\é]{0,10}",
            prop_oneof![Just("\n"), Just("\r\n"), Just("\r")]
        )
            .prop_map(|(text, end)| format!("//{text}{end}")),
        "[a-z \"/*\\\\\n\ré]{0,10}"
            .prop_filter("no early close", |t| !t.contains("*/"))
            .prop_map(|text| format!("/*{text}*/")),
    ]
}

/// Serializes `value` with `gaps` (cycled) between every pair of tokens.
fn with_comments(value: &Value, gaps: &[String]) -> String {
    fn gap(out: &mut String, gaps: &[String], i: &mut usize) {
        if !gaps.is_empty() {
            out.push_str(&gaps[*i % gaps.len()]);
            *i += 1;
        }
    }
    fn write(v: &Value, out: &mut String, gaps: &[String], i: &mut usize) {
        match v {
            Value::Array(items) => {
                out.push('[');
                for (n, item) in items.iter().enumerate() {
                    gap(out, gaps, i);
                    if n > 0 {
                        out.push(',');
                        gap(out, gaps, i);
                    }
                    write(item, out, gaps, i);
                }
                gap(out, gaps, i);
                out.push(']');
            }
            Value::Object(map) => {
                out.push('{');
                for (n, (k, item)) in map.iter().enumerate() {
                    gap(out, gaps, i);
                    if n > 0 {
                        out.push(',');
                        gap(out, gaps, i);
                    }
                    out.push_str(&serde_json::to_string(k).expect("key"));
                    gap(out, gaps, i);
                    out.push(':');
                    gap(out, gaps, i);
                    write(item, out, gaps, i);
                }
                gap(out, gaps, i);
                out.push('}');
            }
            scalar => out.push_str(&serde_json::to_string(scalar).expect("scalar")),
        }
    }
    let mut out = String::new();
    let mut i = 0;
    gap(&mut out, gaps, &mut i);
    write(value, &mut out, gaps, &mut i);
    gap(&mut out, gaps, &mut i);
    out
}

fn parse(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok()
}

/// Fragments that make near-JSON input full of comment markers and strings.
fn arb_fragments() -> impl Strategy<Value = String> {
    let fragment = prop_oneof![
        Just("{"),
        Just("}"),
        Just("["),
        Just("]"),
        Just(","),
        Just(":"),
        Just("\"a\""),
        Just("\"/*\""),
        Just("1"),
        Just("-"),
        Just("e5"),
        Just("true"),
        Just("/"),
        Just("*"),
        Just("//"),
        Just("/*"),
        Just("*/"),
        Just("\""),
        Just("\\"),
        Just("\n"),
        Just("\r"),
        Just(" "),
    ];
    prop::collection::vec(fragment, 0..40).prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn stripping_commented_json_gives_the_same_value(value in arb_json(), gaps in prop::collection::vec(arb_gap(), 0..12)) {
        let plain = serde_json::to_string(&value).expect("serialize");
        let expected = parse(&plain).expect("plain parses");
        let commented = with_comments(&value, &gaps);
        prop_assert_eq!(parse(&strip_comments(&commented)), Some(expected.clone()));
        prop_assert_eq!(parse(&blank_comments(&commented)), Some(expected));
    }

    #[test]
    fn strip_and_blank_agree_on_near_json(src in arb_fragments()) {
        let stripped = parse(&strip_comments(&src));
        let blanked = parse(&blank_comments(&src));
        if blanked.is_some() {
            prop_assert_eq!(&stripped, &blanked);
        }
        if stripped.is_none() {
            prop_assert!(blanked.is_none());
        }
    }

    #[test]
    fn never_panics_and_blank_keeps_positions(src in any::<String>()) {
        let stripped = strip_comments(&src);
        let blanked = blank_comments(&src);
        prop_assert!(stripped.len() <= src.len());
        prop_assert_eq!(blanked.chars().count(), src.chars().count());
        for (a, b) in src.chars().zip(blanked.chars()) {
            prop_assert!(a == b || b == ' ');
            if a == '\n' || a == '\r' {
                prop_assert_eq!(a, b);
            }
        }
    }
}
