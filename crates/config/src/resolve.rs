//! The settings the plugin actually runs with: file values, overridden by the environment.
//!
//! [`resolve`] reproduces the plugin's `resolveConfig` and its getters (reference 2.6): each
//! environment variable, when it parses, beats the file; otherwise the file value is used when
//! it has the right type; otherwise the built-in default. Besides the result it lists every
//! environment variable that was set and what became of it ([`EnvOverride`]: applied, ignored
//! as invalid, shadowed by another source, or without effect), and the plugin's deprecation
//! warnings about environment variables.

use std::fmt;
use std::str::FromStr;

use codex_env::env_vars as ev;
use codex_env::parse::{env_boolean, env_number, exactly_one};
use codex_env::EnvSnapshot;
use serde_json::Value;

use crate::behaviour::{
    normalize_choice, normalize_service_tier, summary_word, Behaviour, TEXT_VERBOSITY, VERBOSITY,
};
use crate::error::ParseEnumError;

/// Declares a string-valued enum with `as_str`, `Display` and a trimmed, case-insensitive
/// `FromStr`.
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $kind:literal, $expected:literal {
            $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// The accepted values, for messages.
            pub const EXPECTED: &'static str = $expected;

            /// Every value, in the plugin's order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The value as the plugin writes it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = ParseEnumError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let wanted = codex_js::trim_lower(s);
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == wanted)
                    .ok_or_else(|| ParseEnumError {
                        kind: $kind,
                        value: s.to_string(),
                        expected: Self::EXPECTED,
                    })
            }
        }
    };
}

string_enum! {
    /// The runtime mode: which domain of `codex-accounts.json` is used, and the request identity.
    AuthMode, "auth mode", "`native` or `codex`" {
        /// OpenCode's native identity and headers.
        Native => "native",
        /// The codex-rs identity and headers.
        Codex => "codex",
    }
}

impl AuthMode {
    /// The domain of `codex-accounts.json` this mode reads and writes: the one mapping from
    /// the mode to the store.
    pub fn domain(self) -> codex_auth::Domain {
        match self {
            AuthMode::Native => codex_auth::Domain::Native,
            AuthMode::Codex => codex_auth::Domain::Codex,
        }
    }
}

string_enum! {
    /// How the plugin picks an account for a request.
    RotationStrategy, "rotation strategy", "`sticky`, `hybrid` or `round_robin`" {
        /// Keep the active account until it is unusable.
        Sticky => "sticky",
        /// Sticky per session, least recently used across sessions.
        Hybrid => "hybrid",
        /// Advance to the next account on every request.
        RoundRobin => "round_robin",
    }
}

string_enum! {
    /// How the `prompt_cache_key` is derived.
    PromptCacheKeyStrategy, "prompt cache key strategy", "`default` or `project`" {
        /// The plugin's default key.
        Default => "default",
        /// A key per project.
        Project => "project",
    }
}

string_enum! {
    /// The reasoning effort sent when Ultra mode is selected.
    UltraReasoningEffort, "ultra reasoning effort", "`low`, `medium`, `high`, `xhigh` or `max`" {
        /// `low`.
        Low => "low",
        /// `medium`.
        Medium => "medium",
        /// `high`.
        High => "high",
        /// `xhigh`.
        Xhigh => "xhigh",
        /// `max` (the default).
        Max => "max",
    }
}

/// Which source decided the runtime mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeSource {
    /// `OPENCODE_OPENAI_MULTI_MODE`.
    EnvMode,
    /// The file's `runtime.mode`.
    File,
    /// `OPENCODE_OPENAI_MULTI_SPOOF_MODE` (only when neither of the above is set).
    EnvSpoofMode,
    /// Nothing was set: `native`.
    Default,
}

/// The `modelAliases` switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelAliases {
    /// `modelAliases.fast` (default true).
    pub fast: bool,
    /// `modelAliases.extendedContext` (default true).
    pub extended_context: bool,
    /// `modelAliases.pro`; absent means "true for API-key auth, false for ChatGPT OAuth".
    pub pro: Option<bool>,
}

/// What became of a set environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OverrideOutcome {
    /// It decided the setting; any file value is overridden.
    Applied,
    /// Its value does not parse, so it is ignored and the file or default applies.
    Invalid {
        /// What the plugin accepts.
        expected: &'static str,
    },
    /// It is valid but another source takes precedence.
    Shadowed {
        /// The variable or file key that wins.
        by: &'static str,
    },
    /// It decided the setting, but the setting has no effect.
    Inactive {
        /// Why.
        reason: &'static str,
    },
}

/// An environment variable that is set (non-blank) and bears on a config setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvOverride {
    /// The variable's name.
    pub name: &'static str,
    /// The config setting it overrides, as a file key path (`runtime.mode`, `global.personality`).
    pub setting: &'static str,
    /// The value as set.
    pub value: String,
    /// What became of it.
    pub outcome: OverrideOutcome,
}

impl EnvOverride {
    /// Whether the value was rejected by the plugin's parser.
    pub fn invalid(&self) -> bool {
        matches!(self.outcome, OverrideOutcome::Invalid { .. })
    }

    /// Whether the variable had no say in the resolved value (invalid or shadowed).
    pub fn ignored(&self) -> bool {
        !matches!(
            self.outcome,
            OverrideOutcome::Applied | OverrideOutcome::Inactive { .. }
        )
    }
}

/// The settings the plugin runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedConfig {
    /// Runtime mode.
    pub mode: AuthMode,
    /// Where the mode came from.
    pub mode_source: ModeSource,
    /// Plugin debug logging.
    pub debug: bool,
    /// Suppress toasts.
    pub quiet: bool,
    /// Proactive token refresh (`refreshAhead.enabled`; false unless explicitly true).
    pub refresh_ahead_enabled: bool,
    /// Refresh lead time in ms (floored, at least 0; default 60000).
    pub refresh_ahead_buffer_ms: u64,
    /// Account rotation.
    pub rotation_strategy: RotationStrategy,
    /// Prompt cache key policy.
    pub prompt_cache_key_strategy: PromptCacheKeyStrategy,
    /// Session-aware offset for account selection.
    pub pid_offset: bool,
    /// Input compatibility sanitizer.
    pub sanitize_inputs: bool,
    /// Developer messages remapped to the user role (codex mode only).
    pub developer_messages_to_user: bool,
    /// codex-rs compaction override (follows the mode unless set).
    pub codex_compaction_override: bool,
    /// Shareable debug summaries.
    pub shareable_debug: bool,
    /// Request/response header snapshots.
    pub header_snapshots: bool,
    /// Request bodies in snapshots.
    pub header_snapshot_bodies: bool,
    /// Before/after header-transform snapshots.
    pub header_transform_debug: bool,
    /// Ultra agent mode.
    pub ultra: bool,
    /// Effort sent in Ultra mode.
    pub ultra_reasoning_effort: UltraReasoningEffort,
    /// Global personality key (trimmed, lowercased, safe).
    pub personality: Option<String>,
    /// Global reasoning summary (`auto`, `concise`, `detailed`, `none`).
    pub reasoning_summary: Option<String>,
    /// Global text verbosity (`default`, `low`, `medium`, `high`, `none`).
    pub text_verbosity: Option<String>,
    /// Global service tier (`auto`, `priority`, `flex`).
    pub service_tier: Option<String>,
    /// Model alias switches (file only).
    pub model_aliases: ModelAliases,
    /// Every set environment variable that bears on a setting, in the plugin's reading order.
    pub overrides: Vec<EnvOverride>,
    /// The plugin's warnings about deprecated environment variables and values (without the
    /// `[opencode-codex-auth] ` prefix).
    pub env_warnings: Vec<String>,
}

const BOOL_EXPECTED: &str = "`1`, `true`, `yes`, `on`, `0`, `false`, `no` or `off`";
const DEBUG_EXPECTED: &str = "exactly `1` (other values do not enable debug)";
const NUMBER_EXPECTED: &str = "a finite number";
const PERSONALITY_EXPECTED: &str = "a personality key without `/`, `\\` or `..`";
const TEXT_VERBOSITY_EXPECTED: &str = "`default`, `low`, `medium`, `high` or `none`";
const VERBOSITY_EXPECTED: &str = "`default`, `low`, `medium` or `high`";
const SERVICE_TIER_EXPECTED: &str =
    "`auto`, `priority` or `flex` (`default` is a deprecated `auto`)";

/// The plugin's warning when only the deprecated summaries variable is set.
pub const THINKING_SUMMARIES_WARNING: &str = "Deprecated env var `OPENCODE_OPENAI_MULTI_THINKING_SUMMARIES` is set. Use `OPENCODE_OPENAI_MULTI_REASONING_SUMMARIES` instead.";
/// The plugin's warning for `OPENCODE_OPENAI_MULTI_SERVICE_TIER=default`.
pub const SERVICE_TIER_DEFAULT_WARNING: &str =
    "Deprecated env value `OPENCODE_OPENAI_MULTI_SERVICE_TIER=default` is set. Use `auto` instead.";

/// Follows `path` through nested objects.
fn at<'a>(root: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter()
        .try_fold(root, |v, key| v.as_object()?.get(*key))
}

fn file_bool(root: &Value, path: &[&str]) -> Option<bool> {
    at(root, path).and_then(Value::as_bool)
}

fn file_str<'a>(root: &'a Value, path: &[&str]) -> Option<&'a str> {
    at(root, path).and_then(Value::as_str)
}

/// The plugin's `normalizePersonalityOption`: trimmed, lowercased, non-empty, and free of
/// `/`, `\` and `..`.
pub fn normalize_personality(raw: Option<&str>) -> Option<String> {
    let v = codex_js::trim_lower(raw?);
    if v.is_empty() || v.contains('/') || v.contains('\\') || v.contains("..") {
        return None;
    }
    Some(v)
}

/// Collects [`EnvOverride`]s while reading the environment.
struct Reader<'a> {
    env: &'a EnvSnapshot,
    overrides: Vec<EnvOverride>,
}

impl<'a> Reader<'a> {
    /// The raw value when set and not blank (blank values are "unset" to every parser).
    fn present(&self, name: &str) -> Option<&'a str> {
        self.env.get(name).filter(|v| !v.trim().is_empty())
    }

    fn record(&mut self, name: &'static str, setting: &'static str, outcome: OverrideOutcome) {
        if let Some(value) = self.present(name) {
            self.overrides.push(EnvOverride {
                name,
                setting,
                value: value.to_string(),
                outcome,
            });
        }
    }

    /// Records `Applied` when `parsed` is some, `Invalid` otherwise.
    fn record_parsed<T>(
        &mut self,
        name: &'static str,
        setting: &'static str,
        parsed: &Option<T>,
        expected: &'static str,
    ) {
        let outcome = match parsed {
            Some(_) => OverrideOutcome::Applied,
            None => OverrideOutcome::Invalid { expected },
        };
        self.record(name, setting, outcome);
    }

    /// A boolean variable (`parseEnvBoolean`) over a file boolean.
    fn boolean(
        &mut self,
        name: &'static str,
        setting: &'static str,
        file: Option<bool>,
    ) -> Option<bool> {
        let parsed = env_boolean(self.present(name));
        self.record_parsed(name, setting, &parsed, BOOL_EXPECTED);
        parsed.or(file)
    }

    /// An enum variable over a file string, both parsed the same way.
    fn choice<T: FromStr>(
        &mut self,
        name: &'static str,
        setting: &'static str,
        file: Option<&str>,
        expected: &'static str,
    ) -> Option<T> {
        let parsed = self.present(name).and_then(|v| v.parse::<T>().ok());
        self.record_parsed(name, setting, &parsed, expected);
        parsed.or_else(|| file.and_then(|v| v.parse().ok()))
    }
}

/// Resolves the plugin's settings from the loaded file object (`{}` when none) and the
/// environment.
pub fn resolve(file: &Value, env: &EnvSnapshot) -> ResolvedConfig {
    let mut r = Reader {
        env,
        overrides: Vec::new(),
    };
    let mut env_warnings = Vec::new();
    let global = at(file, &["global"]);
    let file_behaviour = Behaviour::parse(global.unwrap_or(&Value::Null));

    // Debug: exactly "1" in either variable, OR'ed with the file's `debug: true`.
    let mut env_debug = false;
    for name in [ev::OPENCODE_OPENAI_MULTI_DEBUG, ev::DEBUG_CODEX_PLUGIN] {
        let on = exactly_one(env.get(name));
        env_debug |= on;
        let outcome = if on {
            OverrideOutcome::Applied
        } else {
            OverrideOutcome::Invalid {
                expected: DEBUG_EXPECTED,
            }
        };
        r.record(name, "debug", outcome);
    }
    let debug = env_debug || file_bool(file, &["debug"]) == Some(true);

    let refresh_ahead_enabled = r.boolean(
        ev::OPENCODE_OPENAI_MULTI_PROACTIVE_REFRESH,
        "refreshAhead.enabled",
        file_bool(file, &["refreshAhead", "enabled"]),
    ) == Some(true);

    let env_buffer = env_number(r.present(ev::OPENCODE_OPENAI_MULTI_PROACTIVE_REFRESH_BUFFER_MS));
    r.record_parsed(
        ev::OPENCODE_OPENAI_MULTI_PROACTIVE_REFRESH_BUFFER_MS,
        "refreshAhead.bufferMs",
        &env_buffer,
        NUMBER_EXPECTED,
    );
    let refresh_ahead_buffer_ms = env_buffer
        .or_else(|| at(file, &["refreshAhead", "bufferMs"]).and_then(Value::as_f64))
        .filter(|n| n.is_finite())
        // `as` saturates: negative values become 0, as `Math.max(0, …)` does.
        .map_or(60_000, |n| n.floor().max(0.0) as u64);

    let quiet = r.boolean(
        ev::OPENCODE_OPENAI_MULTI_QUIET,
        "quiet",
        file_bool(file, &["quiet"]),
    ) == Some(true);
    let pid_offset = r.boolean(
        ev::OPENCODE_OPENAI_MULTI_PID_OFFSET,
        "runtime.pidOffset",
        file_bool(file, &["runtime", "pidOffset"]),
    ) == Some(true);
    let rotation_strategy = r
        .choice(
            ev::OPENCODE_OPENAI_MULTI_ROTATION_STRATEGY,
            "runtime.rotationStrategy",
            file_str(file, &["runtime", "rotationStrategy"]),
            RotationStrategy::EXPECTED,
        )
        .unwrap_or(RotationStrategy::Sticky);
    let prompt_cache_key_strategy = r
        .choice(
            ev::OPENCODE_OPENAI_MULTI_PROMPT_CACHE_KEY_STRATEGY,
            "runtime.promptCacheKeyStrategy",
            file_str(file, &["runtime", "promptCacheKeyStrategy"]),
            PromptCacheKeyStrategy::EXPECTED,
        )
        .unwrap_or(PromptCacheKeyStrategy::Default);

    // Personality: a safe key from the environment beats the file's global personality.
    let env_personality = normalize_personality(r.present(ev::OPENCODE_OPENAI_MULTI_PERSONALITY));
    r.record_parsed(
        ev::OPENCODE_OPENAI_MULTI_PERSONALITY,
        "global.personality",
        &env_personality,
        PERSONALITY_EXPECTED,
    );
    let personality = env_personality.or_else(|| {
        normalize_personality(
            global
                .and_then(|g| g.get("personality"))
                .and_then(Value::as_str),
        )
    });

    // Reasoning summaries: the new variable, else the deprecated alias.
    if env.is_set(ev::OPENCODE_OPENAI_MULTI_THINKING_SUMMARIES)
        && !env.is_set(ev::OPENCODE_OPENAI_MULTI_REASONING_SUMMARIES)
    {
        env_warnings.push(THINKING_SUMMARIES_WARNING.to_string());
    }
    let env_reasoning = env_boolean(r.present(ev::OPENCODE_OPENAI_MULTI_REASONING_SUMMARIES));
    r.record_parsed(
        ev::OPENCODE_OPENAI_MULTI_REASONING_SUMMARIES,
        "global.reasoningSummary",
        &env_reasoning,
        BOOL_EXPECTED,
    );
    let env_thinking = env_boolean(r.present(ev::OPENCODE_OPENAI_MULTI_THINKING_SUMMARIES));
    let thinking_outcome = match (env_thinking, env_reasoning) {
        (None, _) => OverrideOutcome::Invalid {
            expected: BOOL_EXPECTED,
        },
        (Some(_), Some(_)) => OverrideOutcome::Shadowed {
            by: ev::OPENCODE_OPENAI_MULTI_REASONING_SUMMARIES,
        },
        (Some(_), None) => OverrideOutcome::Applied,
    };
    r.record(
        ev::OPENCODE_OPENAI_MULTI_THINKING_SUMMARIES,
        "global.reasoningSummary",
        thinking_outcome,
    );
    let reasoning_summary = env_reasoning
        .or(env_thinking)
        .map(summary_word)
        .or_else(|| file_behaviour.reasoning_summary.clone());

    // Text verbosity: TEXT_VERBOSITY; else VERBOSITY_ENABLED=false; else VERBOSITY; else
    // VERBOSITY_ENABLED=true.
    let env_text = normalize_choice(
        r.present(ev::OPENCODE_OPENAI_MULTI_TEXT_VERBOSITY),
        TEXT_VERBOSITY,
    );
    let env_enabled = env_boolean(r.present(ev::OPENCODE_OPENAI_MULTI_VERBOSITY_ENABLED));
    let env_verbosity = normalize_choice(r.present(ev::OPENCODE_OPENAI_MULTI_VERBOSITY), VERBOSITY);
    r.record_parsed(
        ev::OPENCODE_OPENAI_MULTI_TEXT_VERBOSITY,
        "global.textVerbosity",
        &env_text,
        TEXT_VERBOSITY_EXPECTED,
    );
    let (env_text_verbosity, enabled_outcome, verbosity_outcome) = {
        use OverrideOutcome::{Applied, Shadowed};
        let by_text = Shadowed {
            by: ev::OPENCODE_OPENAI_MULTI_TEXT_VERBOSITY,
        };
        match (&env_text, env_enabled, &env_verbosity) {
            (Some(t), _, _) => (Some(t.clone()), by_text.clone(), by_text),
            (None, Some(false), _) => (
                Some("none".to_string()),
                Applied,
                Shadowed {
                    by: ev::OPENCODE_OPENAI_MULTI_VERBOSITY_ENABLED,
                },
            ),
            (None, _, Some(v)) => (
                Some(v.clone()),
                Shadowed {
                    by: ev::OPENCODE_OPENAI_MULTI_VERBOSITY,
                },
                Applied,
            ),
            (None, Some(true), None) => (Some("default".to_string()), Applied, Applied),
            (None, None, None) => (None, Applied, Applied),
        }
    };
    let enabled_outcome = match env_enabled {
        Some(_) => enabled_outcome,
        None => OverrideOutcome::Invalid {
            expected: BOOL_EXPECTED,
        },
    };
    let verbosity_outcome = match env_verbosity {
        Some(_) => verbosity_outcome,
        None => OverrideOutcome::Invalid {
            expected: VERBOSITY_EXPECTED,
        },
    };
    r.record(
        ev::OPENCODE_OPENAI_MULTI_VERBOSITY_ENABLED,
        "global.textVerbosity",
        enabled_outcome,
    );
    r.record(
        ev::OPENCODE_OPENAI_MULTI_VERBOSITY,
        "global.textVerbosity",
        verbosity_outcome,
    );
    let text_verbosity = env_text_verbosity.or_else(|| file_behaviour.text_verbosity.clone());

    // Service tier: `default` is accepted as `auto`, with a warning.
    let raw_tier = env.get(ev::OPENCODE_OPENAI_MULTI_SERVICE_TIER);
    if raw_tier.is_some_and(|t| codex_js::trim_lower(t) == "default") {
        env_warnings.push(SERVICE_TIER_DEFAULT_WARNING.to_string());
    }
    let env_tier = normalize_service_tier(r.present(ev::OPENCODE_OPENAI_MULTI_SERVICE_TIER));
    r.record_parsed(
        ev::OPENCODE_OPENAI_MULTI_SERVICE_TIER,
        "global.serviceTier",
        &env_tier,
        SERVICE_TIER_EXPECTED,
    );
    let service_tier = env_tier.or(file_behaviour.service_tier);

    // Mode: env MODE → file runtime.mode → env SPOOF_MODE → native.
    let env_mode: Option<AuthMode> = r
        .present(ev::OPENCODE_OPENAI_MULTI_MODE)
        .and_then(|v| v.parse().ok());
    r.record_parsed(
        ev::OPENCODE_OPENAI_MULTI_MODE,
        "runtime.mode",
        &env_mode,
        AuthMode::EXPECTED,
    );
    let file_mode: Option<AuthMode> =
        file_str(file, &["runtime", "mode"]).and_then(|v| v.parse().ok());
    let env_spoof: Option<AuthMode> = r
        .present(ev::OPENCODE_OPENAI_MULTI_SPOOF_MODE)
        .and_then(|v| v.parse().ok());
    let spoof_outcome = match (env_spoof, env_mode, file_mode) {
        (None, _, _) => OverrideOutcome::Invalid {
            expected: AuthMode::EXPECTED,
        },
        (Some(_), Some(_), _) => OverrideOutcome::Shadowed {
            by: ev::OPENCODE_OPENAI_MULTI_MODE,
        },
        (Some(_), None, Some(_)) => OverrideOutcome::Shadowed { by: "runtime.mode" },
        (Some(_), None, None) => OverrideOutcome::Applied,
    };
    r.record(
        ev::OPENCODE_OPENAI_MULTI_SPOOF_MODE,
        "runtime.mode",
        spoof_outcome,
    );
    let (mode, mode_source) = match (env_mode, file_mode, env_spoof) {
        (Some(m), _, _) => (m, ModeSource::EnvMode),
        (None, Some(m), _) => (m, ModeSource::File),
        (None, None, Some(m)) => (m, ModeSource::EnvSpoofMode),
        (None, None, None) => (AuthMode::Native, ModeSource::Default),
    };
    let codex = mode == AuthMode::Codex;

    let sanitize_inputs = r.boolean(
        ev::OPENCODE_OPENAI_MULTI_COMPAT_INPUT_SANITIZER,
        "runtime.sanitizeInputs",
        file_bool(file, &["runtime", "sanitizeInputs"]),
    ) == Some(true);

    let remap = r.boolean(
        ev::OPENCODE_OPENAI_MULTI_REMAP_DEVELOPER_MESSAGES_TO_USER,
        "runtime.developerMessagesToUser",
        file_bool(file, &["runtime", "developerMessagesToUser"]),
    );
    if !codex {
        if let Some(last) = r.overrides.last_mut() {
            if last.name == ev::OPENCODE_OPENAI_MULTI_REMAP_DEVELOPER_MESSAGES_TO_USER
                && last.outcome == OverrideOutcome::Applied
            {
                last.outcome = OverrideOutcome::Inactive {
                    reason: "developer-message remapping only happens in codex mode",
                };
            }
        }
    }
    let developer_messages_to_user = codex && remap != Some(false);

    let codex_compaction_override = r
        .boolean(
            ev::OPENCODE_OPENAI_MULTI_CODEX_COMPACTION_OVERRIDE,
            "runtime.codexCompactionOverride",
            file_bool(file, &["runtime", "codexCompactionOverride"]),
        )
        .unwrap_or(codex);

    let mut runtime_flag = |name: &'static str, setting: &'static str, key: &str| {
        r.boolean(name, setting, file_bool(file, &["runtime", key])) == Some(true)
    };
    let shareable_debug = runtime_flag(
        ev::OPENCODE_OPENAI_MULTI_SHAREABLE_DEBUG,
        "runtime.shareableDebug",
        "shareableDebug",
    );
    let header_snapshots = runtime_flag(
        ev::OPENCODE_OPENAI_MULTI_HEADER_SNAPSHOTS,
        "runtime.headerSnapshots",
        "headerSnapshots",
    );
    let header_snapshot_bodies = runtime_flag(
        ev::OPENCODE_OPENAI_MULTI_HEADER_SNAPSHOT_BODIES,
        "runtime.headerSnapshotBodies",
        "headerSnapshotBodies",
    );
    let header_transform_debug = runtime_flag(
        ev::OPENCODE_OPENAI_MULTI_HEADER_TRANSFORM_DEBUG,
        "runtime.headerTransformDebug",
        "headerTransformDebug",
    );
    let ultra = runtime_flag(ev::OPENCODE_OPENAI_MULTI_ULTRA, "runtime.ultra", "ultra");
    let ultra_reasoning_effort = r
        .choice(
            ev::OPENCODE_OPENAI_MULTI_ULTRA_REASONING_EFFORT,
            "runtime.ultraReasoningEffort",
            file_str(file, &["runtime", "ultraReasoningEffort"]),
            UltraReasoningEffort::EXPECTED,
        )
        .unwrap_or(UltraReasoningEffort::Max);

    let model_aliases = ModelAliases {
        fast: file_bool(file, &["modelAliases", "fast"]) != Some(false),
        extended_context: file_bool(file, &["modelAliases", "extendedContext"]) != Some(false),
        pro: file_bool(file, &["modelAliases", "pro"]),
    };

    ResolvedConfig {
        mode,
        mode_source,
        debug,
        quiet,
        refresh_ahead_enabled,
        refresh_ahead_buffer_ms,
        rotation_strategy,
        prompt_cache_key_strategy,
        pid_offset,
        sanitize_inputs,
        developer_messages_to_user,
        codex_compaction_override,
        shareable_debug,
        header_snapshots,
        header_snapshot_bodies,
        header_transform_debug,
        ultra,
        ultra_reasoning_effort,
        personality,
        reasoning_summary,
        text_verbosity,
        service_tier,
        model_aliases,
        overrides: r.overrides,
        env_warnings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(pairs: &[(&str, &str)]) -> EnvSnapshot {
        EnvSnapshot::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn enums_parse_trimmed_and_case_insensitive() {
        assert_eq!(" Codex ".parse::<AuthMode>(), Ok(AuthMode::Codex));
        assert_eq!(
            "ROUND_ROBIN".parse::<RotationStrategy>(),
            Ok(RotationStrategy::RoundRobin)
        );
        assert_eq!(RotationStrategy::RoundRobin.as_str(), "round_robin");
        assert_eq!(AuthMode::Native.to_string(), "native");
        let err = "collab".parse::<AuthMode>().expect_err("invalid");
        assert_eq!(
            err.to_string(),
            "invalid auth mode \"collab\": expected `native` or `codex`"
        );
        assert!("round-robin".parse::<RotationStrategy>().is_err());
    }

    #[test]
    fn file_global_behaviour_with_deprecated_fallbacks() {
        let file = json!({"global": {
            "personality": " Friendly ", "thinkingSummaries": false,
            "verbosityEnabled": true, "serviceTier": "DEFAULT"
        }});
        let c = resolve(&file, &env(&[]));
        assert_eq!(c.personality.as_deref(), Some("friendly"));
        assert_eq!(c.reasoning_summary.as_deref(), Some("none"));
        assert_eq!(c.text_verbosity.as_deref(), Some("default"));
        assert_eq!(c.service_tier.as_deref(), Some("auto"));
        assert!(c.overrides.is_empty() && c.env_warnings.is_empty());
    }

    #[test]
    fn env_behaviour_beats_the_file() {
        let file = json!({"global": {"reasoningSummary": "detailed", "textVerbosity": "high", "serviceTier": "flex"}});
        let c = resolve(
            &file,
            &env(&[
                ("OPENCODE_OPENAI_MULTI_THINKING_SUMMARIES", "off"),
                ("OPENCODE_OPENAI_MULTI_VERBOSITY_ENABLED", "false"),
                ("OPENCODE_OPENAI_MULTI_VERBOSITY", "low"),
                ("OPENCODE_OPENAI_MULTI_SERVICE_TIER", " Default "),
            ]),
        );
        assert_eq!(c.reasoning_summary.as_deref(), Some("none"));
        assert_eq!(c.text_verbosity.as_deref(), Some("none"));
        assert_eq!(c.service_tier.as_deref(), Some("auto"));
        assert_eq!(
            c.env_warnings,
            [THINKING_SUMMARIES_WARNING, SERVICE_TIER_DEFAULT_WARNING]
        );
        let verbosity = c
            .overrides
            .iter()
            .find(|o| o.name == "OPENCODE_OPENAI_MULTI_VERBOSITY")
            .expect("recorded");
        assert_eq!(
            verbosity.outcome,
            OverrideOutcome::Shadowed {
                by: "OPENCODE_OPENAI_MULTI_VERBOSITY_ENABLED"
            }
        );
    }

    #[test]
    fn text_verbosity_variable_wins() {
        let c = resolve(
            &json!({}),
            &env(&[
                ("OPENCODE_OPENAI_MULTI_TEXT_VERBOSITY", "MEDIUM"),
                ("OPENCODE_OPENAI_MULTI_VERBOSITY_ENABLED", "false"),
                ("OPENCODE_OPENAI_MULTI_REASONING_SUMMARIES", "yes"),
                ("OPENCODE_OPENAI_MULTI_THINKING_SUMMARIES", "no"),
            ]),
        );
        assert_eq!(c.text_verbosity.as_deref(), Some("medium"));
        assert_eq!(c.reasoning_summary.as_deref(), Some("auto"));
        assert!(c.env_warnings.is_empty());
        let ignored: Vec<&str> = c
            .overrides
            .iter()
            .filter(|o| o.ignored())
            .map(|o| o.name)
            .collect();
        assert_eq!(
            ignored,
            [
                "OPENCODE_OPENAI_MULTI_THINKING_SUMMARIES",
                "OPENCODE_OPENAI_MULTI_VERBOSITY_ENABLED"
            ]
        );
    }

    #[test]
    fn invalid_values_fall_through_to_the_file() {
        let file = json!({"quiet": true, "refreshAhead": {"bufferMs": -5.5}, "runtime": {"rotationStrategy": "Hybrid"}});
        let c = resolve(
            &file,
            &env(&[
                ("OPENCODE_OPENAI_MULTI_QUIET", "maybe"),
                ("OPENCODE_OPENAI_MULTI_PROACTIVE_REFRESH_BUFFER_MS", "soon"),
                ("OPENCODE_OPENAI_MULTI_ROTATION_STRATEGY", "random"),
                ("OPENCODE_OPENAI_MULTI_DEBUG", "true"),
                ("OPENCODE_OPENAI_MULTI_PID_OFFSET", "  "),
            ]),
        );
        assert!(c.quiet);
        assert_eq!(c.refresh_ahead_buffer_ms, 0);
        assert_eq!(c.rotation_strategy, RotationStrategy::Hybrid);
        assert!(!c.debug);
        assert_eq!(c.overrides.len(), 4, "blank values are not listed");
        assert!(c.overrides.iter().all(EnvOverride::ignored));
        assert_eq!(c.overrides[0].name, "OPENCODE_OPENAI_MULTI_DEBUG");
        assert_eq!(c.overrides[0].setting, "debug");
    }

    #[test]
    fn buffer_is_floored() {
        let c = resolve(
            &json!({"refreshAhead": {"bufferMs": 1000}}),
            &env(&[(
                "OPENCODE_OPENAI_MULTI_PROACTIVE_REFRESH_BUFFER_MS",
                "1500.9",
            )]),
        );
        assert_eq!(c.refresh_ahead_buffer_ms, 1500);
    }

    #[test]
    fn remap_env_is_inactive_in_native_mode() {
        let e = env(&[(
            "OPENCODE_OPENAI_MULTI_REMAP_DEVELOPER_MESSAGES_TO_USER",
            "1",
        )]);
        let c = resolve(&json!({}), &e);
        assert!(!c.developer_messages_to_user);
        assert!(matches!(
            c.overrides[0].outcome,
            OverrideOutcome::Inactive { .. }
        ));
        assert!(!c.overrides[0].ignored());
        let c = resolve(&json!({"runtime": {"mode": "codex"}}), &e);
        assert!(c.developer_messages_to_user);
        assert_eq!(c.overrides[0].outcome, OverrideOutcome::Applied);
    }

    #[test]
    fn model_aliases_default_on() {
        let c = resolve(
            &json!({"modelAliases": {"fast": false, "pro": true}}),
            &env(&[]),
        );
        assert_eq!(
            c.model_aliases,
            ModelAliases {
                fast: false,
                extended_context: true,
                pro: Some(true)
            }
        );
    }
}
