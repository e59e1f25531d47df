//! `opencode.install`: is OpenCode on PATH, and which version?
//!
//! The version comes from the facts (`crate::probes`): the npm package's `package.json`,
//! the doctor's cache, or `opencode --version` with a 3 s deadline.

use super::{show, CheckDef};
use crate::facts::{Facts, OpencodeInstall};
use crate::probes::VersionFailure;
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
        OpencodeInstall::DanglingLink { path, target } => CheckResult::warn(format!(
            "{} is a symbolic link to {}, which does not exist: the shell says \"command not found\"",
            show(path),
            show(target)
        ))
        .fix("Reinstall OpenCode (npm install -g opencode-ai, or see https://opencode.ai), or remove the stale link")
        .fix(format!("rm {}", show(path))),
        OpencodeInstall::Found {
            path,
            version: Some(v),
            source,
            ..
        } => CheckResult::pass(format!("opencode {v} at {}", show(path)))
            .detail(format!("version read from {}", source.as_str())),
        // A slow start is no fault; an error or a file that cannot run is.
        OpencodeInstall::Found {
            path,
            version: None,
            failure: Some(f @ VersionFailure::TimedOut(_)) | Some(f @ VersionFailure::NoVersion),
            ..
        } => CheckResult::pass(format!("opencode at {} (version unknown)", show(path)))
            .detail(f.to_string()),
        OpencodeInstall::Found {
            path,
            version: None,
            failure,
            ..
        } => {
            let why = failure
                .as_ref()
                .map_or_else(|| "no version".to_string(), ToString::to_string);
            CheckResult::warn(format!("opencode at {} does not run: {why}", show(path)))
                .fix(format!("Run `{} --version` yourself to see the whole error", show(path)))
                .fix("Reinstall OpenCode (npm install -g opencode-ai, or see https://opencode.ai): a binary of another CPU architecture or a broken install fails this way")
        }
    }
}
