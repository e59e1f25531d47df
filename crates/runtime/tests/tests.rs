//! The codex-runtime integration suite (one binary; modules only).

mod accounts_cli;
mod login_cli;
mod loopback;
mod serve_cli;
