//! The plugin's `codex-config.jsonc`, read the way the plugin reads it.
//!
//! This crate owns everything about the plugin's runtime config file (reference section 2):
//! [`jsonc`] strips comments with the plugin's exact rules, [`validate`](mod@validate)
//! reproduces its validation and deprecation messages and finds keys it ignores,
//! [`load`](mod@load) replays which file the plugin would use (without ever touching the
//! files), and [`resolve`](mod@resolve) applies the environment overrides to produce the
//! settings the plugin runs with; [`behaviour`] normalizes one behaviour object (`global`,
//! `perModel`, `customModels`) for both. [`opencode`] replays how OpenCode itself merges its own
//! config layers (`opencode.json` and friends), where the plugin is registered and providers
//! and models are chosen. Nothing here prints; findings are returned as data for the
//! doctor to judge and render.

#![warn(unreachable_pub)]

pub mod behaviour;
mod error;
mod js;
pub mod jsonc;
pub mod load;
pub mod opencode;
pub mod resolve;
pub mod validate;

pub use behaviour::{Behaviour, INCLUDE_VALUES};
pub use error::ParseEnumError;
pub use jsonc::{blank_comments, blank_trailing_commas, strip_comments};
pub use load::{
    load, parse_jsonc, Candidate, CandidateOutcome, ConfigLoad, JsoncError, CONFIG_FILE,
    LEGACY_CONFIG_FILE,
};
pub use resolve::{
    normalize_personality, resolve, AuthMode, EnvOverride, ModeSource, ModelAliases,
    OverrideOutcome, PromptCacheKeyStrategy, ResolvedConfig, RotationStrategy,
    UltraReasoningEffort, SERVICE_TIER_DEFAULT_WARNING, THINKING_SUMMARIES_WARNING,
};
pub use validate::{
    deprecated_keys, deprecation_warning, ignored_legacy_keys, unknown_keys, validate,
};
