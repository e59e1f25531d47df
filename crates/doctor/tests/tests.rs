//! The doctor's integration tests: one binary, modules per area.
//!
//! Every test builds a fixture home in a temp dir (HOME and XDG_* pointed into it, the rest of
//! the environment cleared) and runs the real `codex-doctor` binary against it.

#![allow(clippy::unwrap_used)]

mod common;

mod auth;
mod bundle;
mod bundle_schemas;
mod cli;
mod files;
mod fix;
mod new_checks;
mod opencode_config;
mod plugin_and_config;
mod report_redaction;
mod runtime;
mod scan;
mod schema;
mod snapshots;
mod system;
