//! Errors of this crate's own parsers.
//!
//! Reading a config file never fails as a Rust error: what the plugin would do with a bad
//! file is data ([`crate::load::CandidateOutcome`]). The only error type is for turning a
//! string into one of the config enums.

/// A string that is not one of an enum's accepted values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind} {value:?}: expected {expected}")]
pub struct ParseEnumError {
    /// What was being parsed, e.g. `auth mode`.
    pub kind: &'static str,
    /// The rejected input.
    pub value: String,
    /// The accepted values, e.g. `` `native` or `codex` ``.
    pub expected: &'static str,
}
