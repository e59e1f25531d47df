//! The codex-runtime integration suite (one binary; modules only).

#![allow(clippy::unwrap_used)]

mod accounts_cli;
mod bridge_e2e;
mod exit_codes;
mod login_cli;
mod loopback;
mod opencode_models;
mod remote_cli;
mod serve_cli;
mod service_cli;
mod settings_cli;
