//! `codex-runtime` as a library: everything but argument parsing's entry point and printing.
//!
//! [`login`] signs in through `codex-login` and upserts the account into the store;
//! [`refresh`] and [`quota`] refresh tokens and fetch usage through [`backend`].
//! [`service`] installs `serve` as a systemd user unit or a launchd agent; [`state`] is
//! the record of where a running `serve` listens, which the OpenCode bridge reads.
//! [`cli`] declares the arguments (clap derive), [`context`] resolves them with the
//! environment into paths and the auth mode, [`accounts`] runs the `accounts` commands
//! against the plugin's store through `codex-store` and returns data, and [`render`] turns
//! that data into text or JSON. The binary (`src/main.rs`) only wires these together and
//! prints; errors carry a kind ([`error::RuntimeError`]) that decides the exit code.

#![warn(unreachable_pub)]

mod accesslog;
pub mod accounts;
mod backend;
pub mod cli;
pub mod context;
pub mod error;
pub mod labels;
pub mod listen;
pub mod login;
pub mod quota;
pub mod refresh;
pub mod render;
pub mod serve;
mod service;
pub mod service_cmd;
mod state;
