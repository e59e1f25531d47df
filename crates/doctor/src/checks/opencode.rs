//! `opencode.install`: is OpenCode on PATH, and which version?
//!
//! The version comes from the facts (`crate::probes`): the npm package's `package.json`,
//! the doctor's cache, or `opencode --version` with a 3 s deadline.

use super::{show, CheckDef};
use crate::facts::{Facts, OpencodeInstall};
use crate::report::CheckResult;

/// `opencode.install`.
pub const INSTALL: CheckDef = CheckDef {
    id: "opencode.install",
    title: "OpenCode",
    about: "Whether an `opencode` binary is on PATH and its version.",
    run,
};

fn run(f: &Facts) -> CheckResult {
    match f.opencode_install() {
        OpencodeInstall::Missing => CheckResult::warn("no `opencode` on PATH")
            .fix("npm install -g opencode-ai (or see https://opencode.ai for other installers)")
            .fix("If it is installed, add its directory to PATH"),
        OpencodeInstall::Found {
            path,
            version: Some(v),
            source,
        } => CheckResult::pass(format!("opencode {v} at {}", show(path)))
            .detail(format!("version read from {}", source.as_str())),
        OpencodeInstall::Found {
            path,
            version: None,
            ..
        } => CheckResult::pass(format!("opencode at {} (version unknown)", show(path)))
            .detail("`opencode --version` did not answer within 3 s"),
    }
}
