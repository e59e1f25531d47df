//! The environment, read once.
//!
//! [`EnvSnapshot`] captures the variables codex-kit cares about at start-up so that path
//! resolution, config resolution and every doctor check are pure functions of a value that
//! tests can build by hand. [`env_vars`] names every variable; [`parse`] reproduces the
//! plugin's parsers exactly.

#![warn(unreachable_pub)]

pub mod env_vars;
pub mod parse;

use std::collections::BTreeMap;
use std::ffi::OsString;

/// A captured set of environment variables.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct EnvSnapshot {
    vars: BTreeMap<String, String>,
}

impl std::fmt::Debug for EnvSnapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Values can be secrets (proxy URLs with credentials); show names only.
        f.debug_set().entries(self.vars.keys()).finish()
    }
}

impl EnvSnapshot {
    /// Captures the current process environment (non-UTF-8 values are skipped).
    pub fn capture() -> Self {
        Self::from_os_pairs(std::env::vars_os())
    }

    /// Builds a snapshot from arbitrary pairs (tests, fixtures).
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        EnvSnapshot {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    fn from_os_pairs(pairs: impl Iterator<Item = (OsString, OsString)>) -> Self {
        let vars = pairs
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        EnvSnapshot { vars }
    }

    /// The raw value, if set (even if empty).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// The trimmed value when set and not blank.
    pub fn non_blank(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// Whether the variable is set at all.
    pub fn is_set(&self, name: &str) -> bool {
        self.vars.contains_key(name)
    }

    /// Returns a copy with `name` set to `value`.
    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.vars.insert(name.to_string(), value.to_string());
        self
    }

    /// Iterates over every captured variable.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}
