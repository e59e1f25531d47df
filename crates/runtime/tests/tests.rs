//! The codex-runtime integration suite (one binary; modules only).

mod accounts_cli;
mod serve_cli;
