//! `debug.env`: debug switches that silently do nothing, and ones that leak prompts.
//!
//! The plugin's debug switches want exactly `1` (`OPENCODE_OPENAI_MULTI_DEBUG=true` does
//! nothing), boolean variables accept only `1|true|yes|on|0|false|no|off`, and OAuth timeouts
//! below their minimum are replaced by the default without a word (reference 2.6, 9.1).
//! Header snapshots with bodies write prompts to disk; shareable debug suppresses snapshots.

use codex_env::{env_vars, parse};

use super::{show, CheckDef};
use crate::facts::Facts;
use crate::report::CheckResult;
use codex_timefmt::bytes as human_bytes;

/// `debug.env`.
pub const ENV: CheckDef = CheckDef {
    id: "debug.env",
    title: "Debug settings",
    about: "Debug and timeout variables set to values the plugin ignores; snapshot bodies that put prompts in logs.",
    run,
};

/// `(variable, default, minimum)` of the OAuth timeouts (reference 9.1).
pub const TIMEOUTS: &[(&str, u64, u64)] = &[
    (env_vars::CODEX_OAUTH_HTTP_TIMEOUT_MS, 15_000, 1_000),
    (env_vars::CODEX_DEVICE_AUTH_TIMEOUT_MS, 600_000, 1_000),
    (env_vars::CODEX_OAUTH_CALLBACK_TIMEOUT_MS, 600_000, 60_000),
    (env_vars::CODEX_OAUTH_SERVER_SHUTDOWN_GRACE_MS, 2_000, 0),
    (
        env_vars::CODEX_OAUTH_SERVER_SHUTDOWN_ERROR_GRACE_MS,
        60_000,
        0,
    ),
];

/// Boolean variables parsed with the plugin's `parseEnvBoolean`.
pub const BOOLEANS: &[&str] = &[
    env_vars::OPENCODE_OPENAI_MULTI_SHAREABLE_DEBUG,
    env_vars::OPENCODE_OPENAI_MULTI_HEADER_SNAPSHOTS,
    env_vars::OPENCODE_OPENAI_MULTI_HEADER_SNAPSHOT_BODIES,
    env_vars::OPENCODE_OPENAI_MULTI_HEADER_TRANSFORM_DEBUG,
    env_vars::OPENCODE_OPENAI_MULTI_PROACTIVE_REFRESH,
    env_vars::OPENCODE_OPENAI_MULTI_QUIET,
    env_vars::OPENCODE_OPENAI_MULTI_PID_OFFSET,
    env_vars::OPENCODE_OPENAI_MULTI_REASONING_SUMMARIES,
    env_vars::OPENCODE_OPENAI_MULTI_THINKING_SUMMARIES,
    env_vars::OPENCODE_OPENAI_MULTI_VERBOSITY_ENABLED,
    env_vars::OPENCODE_OPENAI_MULTI_COMPAT_INPUT_SANITIZER,
    env_vars::OPENCODE_OPENAI_MULTI_REMAP_DEVELOPER_MESSAGES_TO_USER,
    env_vars::OPENCODE_OPENAI_MULTI_CODEX_COMPACTION_OVERRIDE,
    env_vars::OPENCODE_OPENAI_MULTI_ULTRA,
];

fn run(f: &Facts) -> CheckResult {
    let env = &f.env;
    let mut warns: Vec<String> = Vec::new();
    let mut fixes: Vec<String> = Vec::new();
    let mut active: Vec<String> = Vec::new();

    for name in [
        env_vars::OPENCODE_OPENAI_MULTI_DEBUG,
        env_vars::DEBUG_CODEX_PLUGIN,
    ] {
        if let Some(v) = env.get(name) {
            if parse::exactly_one(Some(v)) {
                active.push(format!("{name}=1 (debug lines on OpenCode's stderr)"));
            } else if !v.trim().is_empty() && v.trim() != "0" {
                warns.push(format!(
                    "{name}={v:?} does nothing: the plugin only accepts exactly 1"
                ));
                fixes.push(format!("export {name}=1"));
            }
        }
    }
    if let Some(v) = env.get(env_vars::CODEX_AUTH_DEBUG) {
        if parse::auth_debug_enabled(Some(v)) {
            active.push(format!(
                "{}={v} (OAuth lifecycle log)",
                env_vars::CODEX_AUTH_DEBUG
            ));
        } else if parse::env_boolean(Some(v)).is_none() && !v.trim().is_empty() {
            warns.push(format!(
                "{}={v:?} does nothing: use 1, true, yes or on",
                env_vars::CODEX_AUTH_DEBUG
            ));
            fixes.push(format!("export {}=1", env_vars::CODEX_AUTH_DEBUG));
        }
    }
    for name in BOOLEANS {
        if let Some(v) = env.get(name) {
            if !v.trim().is_empty() && parse::env_boolean(Some(v)).is_none() {
                warns.push(format!(
                    "{name}={v:?} is ignored: booleans must be 1/true/yes/on or 0/false/no/off"
                ));
                fixes.push(format!("export {name}=1 (or 0)"));
            }
        }
    }
    for (name, default, min) in TIMEOUTS {
        if let Some(v) = env.get(name) {
            match parse::env_number(Some(v)) {
                Some(n) if n >= *min as f64 => {}
                Some(_) => {
                    warns.push(format!(
                        "{name}={v} is below its minimum {min}: the plugin silently uses the default {default}"
                    ));
                    fixes.push(format!(
                        "export {name}={} (at least {min})",
                        (*default).max(*min)
                    ));
                }
                None => {
                    warns.push(format!(
                        "{name}={v:?} is not a number: the plugin silently uses the default {default}"
                    ));
                    fixes.push(format!("export {name}={default}"));
                }
            }
        }
    }
    if let Some(v) = env.get(env_vars::CODEX_AUTH_DEBUG_MAX_BYTES) {
        match parse::env_number(Some(v)) {
            Some(n) if n < 16_384.0 => warns.push(format!(
                "{}={v} is raised to 16384 (the minimum)",
                env_vars::CODEX_AUTH_DEBUG_MAX_BYTES
            )),
            None if !v.trim().is_empty() => warns.push(format!(
                "{}={v:?} is not a number: the default 1000000 is used",
                env_vars::CODEX_AUTH_DEBUG_MAX_BYTES
            )),
            _ => {}
        }
    }

    let cfg = f.resolved_config();
    if cfg.debug {
        active.push("plugin debug logging".to_string());
    }
    let snapshots = cfg.header_snapshots || cfg.header_transform_debug;
    if snapshots && cfg.shareable_debug {
        warns.push(
            "header snapshots are on but shareable debug is also on, which suppresses them"
                .to_string(),
        );
        // Name what turned each on: an environment variable beats the file (a file key
        // set to false cannot win over it).
        let set = |name: &str| env.get(name).is_some_and(|v| !v.trim().is_empty());
        let snapshots_by: Vec<&str> = [
            env_vars::OPENCODE_OPENAI_MULTI_HEADER_SNAPSHOTS,
            env_vars::OPENCODE_OPENAI_MULTI_HEADER_TRANSFORM_DEBUG,
        ]
        .into_iter()
        .filter(|n| set(n))
        .collect();
        let snapshots_off = if snapshots_by.is_empty() {
            "set runtime.headerSnapshots and runtime.headerTransformDebug to false".to_string()
        } else {
            format!("unset {}", snapshots_by.join(" and "))
        };
        let shareable_off = if set(env_vars::OPENCODE_OPENAI_MULTI_SHAREABLE_DEBUG) {
            format!("unset {}", env_vars::OPENCODE_OPENAI_MULTI_SHAREABLE_DEBUG)
        } else {
            "set runtime.shareableDebug to false".to_string()
        };
        fixes.push(format!(
            "Turn one off: {snapshots_off} (snapshots), or {shareable_off} (shareable debug)"
        ));
    } else if snapshots {
        active.push("header snapshots".to_string());
        if cfg.header_snapshot_bodies {
            warns.push(
                "header snapshot bodies are on: prompts and tool output are written to the log dir unredacted".to_string(),
            );
            fixes.push(format!(
                "Turn them off when done: unset {} and set runtime.headerSnapshotBodies to false",
                env_vars::OPENCODE_OPENAI_MULTI_HEADER_SNAPSHOT_BODIES
            ));
        }
    }
    if cfg.shareable_debug {
        active.push("shareable debug".to_string());
    }

    let mut log_line = None;
    if let Ok(p) = f.paths() {
        let dir = p.log_dir().path;
        if dir.is_dir() {
            let (bytes, files) = f.dir_size(&dir);
            log_line = Some(format!(
                "log dir {}: {files} file(s), {}",
                show(&dir),
                human_bytes(bytes)
            ));
        }
    }
    let mut r = if warns.is_empty() {
        CheckResult::pass(if active.is_empty() {
            "no debug features on".to_string()
        } else {
            format!("active: {}", active.join(", "))
        })
    } else {
        CheckResult::warn(warns.join("; ")).details(active.iter().map(|a| format!("active: {a}")))
    };
    if let Some(l) = log_line {
        r = r.detail(l);
    }
    r.fixes(fixes)
}
