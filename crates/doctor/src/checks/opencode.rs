//! `opencode.install`: is OpenCode on PATH, and which version?
//!
//! The version is read without starting OpenCode where possible: the npm package
//! `opencode-ai` keeps a `package.json` beside the resolved binary (`opencode --version`
//! takes over a second). Otherwise `opencode --version` runs with a 3 s timeout.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use codex_env::{env_vars, EnvSnapshot};

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
            .detail(format!("version read from {source}")),
        OpencodeInstall::Found {
            path,
            version: None,
            ..
        } => CheckResult::pass(format!("opencode at {} (version unknown)", show(path)))
            .detail("`opencode --version` did not answer within 3 s"),
    }
}

/// Finds OpenCode on the snapshot's PATH and learns its version.
pub fn detect(env: &EnvSnapshot) -> OpencodeInstall {
    let Some(path_var) = env.get(env_vars::PATH) else {
        return OpencodeInstall::Missing;
    };
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let Ok(bin) = which::which_in("opencode", Some(path_var), cwd) else {
        return OpencodeInstall::Missing;
    };
    if let Some(v) = version_from_package_json(&bin) {
        return OpencodeInstall::Found {
            path: bin,
            version: Some(v),
            source: "package.json",
        };
    }
    let version = version_from_command(&bin, Duration::from_secs(3));
    OpencodeInstall::Found {
        path: bin,
        version,
        source: "opencode --version",
    }
}

/// Looks for the `opencode-ai` (or `opencode-*`) package.json above the resolved binary.
pub fn version_from_package_json(bin: &Path) -> Option<String> {
    let real = std::fs::canonicalize(bin).ok()?;
    for dir in real.ancestors().skip(1).take(4) {
        let pj = dir.join("package.json");
        let Ok(text) = std::fs::read_to_string(&pj) else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        let name = v.get("name").and_then(|n| n.as_str()).unwrap_or_default();
        if name == "opencode-ai" || name.starts_with("opencode-") || name == "opencode" {
            return v
                .get("version")
                .and_then(|x| x.as_str())
                .map(str::to_string);
        }
    }
    None
}

fn version_from_command(bin: &Path, timeout: Duration) -> Option<String> {
    let mut child = Command::new(bin)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() < timeout => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
    let out = child.wait_with_output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .find(|w| w.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .map(str::to_string)
}
