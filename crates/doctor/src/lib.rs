//! `codex-doctor`: the support engineer for OpenCode + `@iam-brain/opencode-codex-auth`.
//!
//! The crate is organised as facts → checks → report → renderers:
//! [`facts`] reads the user's environment and files once (lazily, read-only; its system
//! probes live in `probes`, which no check imports);
//! [`checks`] are pure functions from facts to [`report::CheckResult`]s; [`runner`] runs them
//! (concurrently, catching panics), redacts every string once, and builds the
//! [`report::Report`]; [`render`] turns a report into human text or JSON. [`explain`] is the
//! catalogue of every code the plugin and the doctor can show. Nothing here prints: the
//! binary owns stdout and stderr.

#![warn(unreachable_pub)]

pub mod bundle_cmd;
pub mod checks;
pub mod cli;
mod closest;
pub mod error;
pub mod explain;
pub mod facts;
pub mod fix_cmd;
mod glob;
mod loopback;
pub mod paths_cmd;
mod probes;
pub mod redaction;
#[cfg(test)]
mod redaction_tests;
pub mod render;
mod report;
pub mod runner;
