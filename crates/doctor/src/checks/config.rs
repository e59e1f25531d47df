//! `config.resolved`: which `codex-config` file is in effect, and is it valid?
//!
//! Reproduces the plugin's selection (reference 2.1): the explicit path if set (missing → no
//! file at all), else `.jsonc` before `.json`. One bad field makes the plugin ignore the whole
//! file (2.4), so every issue is listed in the plugin's own wording with the file it came from.
//! Warns on both names present (the legacy file is quarantined at the next start), deprecated,
//! ignored legacy and unknown keys, and on no file at all (defaults and env in force; says
//! when that leaves proactive refresh off).

use codex_config::load::CandidateOutcome;
use codex_config::resolve::OverrideOutcome;
use codex_config::validate;

use super::{show, CheckDef};
use crate::facts::Facts;
use crate::report::CheckResult;

/// `config.resolved`.
pub const RESOLVED: CheckDef = CheckDef {
    id: "config.resolved",
    title: "codex-config",
    about: "Which codex-config file is in effect and why, whether the plugin accepts it, and env overrides.",
    run,
};

fn run(f: &Facts) -> CheckResult {
    let p = match f.paths() {
        Ok(p) => p,
        Err(e) => return super::no_paths(&e),
    };
    let Some(load) = f.config() else {
        return super::no_paths("unknown");
    };
    let cfg = f.resolved_config();
    let mut fails: Vec<String> = Vec::new();
    let mut warns: Vec<String> = Vec::new();
    let mut fixes: Vec<String> = Vec::new();
    let mut details: Vec<String> = Vec::new();

    if let Some(explicit) = &load.explicit {
        if !explicit.path.exists() {
            fails.push(format!(
                "OPENCODE_OPENAI_MULTI_CONFIG_PATH names {}, which does not exist: the plugin uses no config file at all",
                show(&explicit.path)
            ));
            fixes.push(format!(
                "Create {} or fix/unset OPENCODE_OPENAI_MULTI_CONFIG_PATH",
                show(&explicit.path)
            ));
        }
    }

    for c in &load.candidates {
        let path = show(&c.file.path);
        match &c.outcome {
            CandidateOutcome::NotTried => {
                details.push(format!("{path}: not read (an earlier file is in effect)"))
            }
            CandidateOutcome::Missing => details.push(format!("{path}: not present")),
            CandidateOutcome::ReadError { message, problem } => {
                fails.push(format!(
                    "{path} cannot be read ({message}): the plugin skips it"
                ));
                fixes.push(super::plugin::read_problem_fix(problem, &path));
            }
            CandidateOutcome::ParseError {
                message,
                line,
                column,
            } => {
                // The parser's message may carry the position already.
                let message = message
                    .strip_suffix(&format!(" (line {line}, column {column})"))
                    .unwrap_or(message);
                fails.push(format!(
                    "{path} does not parse ({message} at line {line}, column {column}): the plugin ignores the whole file"
                ));
                fixes.push(format!(
                    "Fix the syntax at {path}:{line}:{column} (comments are fine; trailing commas are not)"
                ));
            }
            CandidateOutcome::Invalid { issues } => {
                fails.push(format!(
                    "{path} fails the plugin's validation ({} issue(s)): the plugin ignores the whole file",
                    issues.len()
                ));
                details.extend(issues.iter().map(|i| format!("invalid: {i}")));
                fixes.push(format!("Correct every listed field in {path}"));
            }
            CandidateOutcome::Loaded { deprecated } => {
                if !deprecated.is_empty() {
                    warns.push(validate::deprecation_warning(&path, deprecated));
                    fixes.push(format!(
                        "In {path}: use reasoningSummary, textVerbosity and serviceTier: \"auto\" instead"
                    ));
                }
                let legacy = validate::ignored_legacy_keys(&load.value);
                if !legacy.is_empty() {
                    warns.push(format!(
                        "{path}: legacy keys are ignored: {}",
                        legacy.join(", ")
                    ));
                    fixes.push(format!(
                        "Move them to current keys (e.g. global.personality) or delete them from {path}"
                    ));
                }
                let unknown = validate::unknown_keys(&load.value);
                if !unknown.is_empty() {
                    warns.push(format!(
                        "{path}: unknown keys are ignored: {}",
                        unknown.join(", ")
                    ));
                    fixes.push(format!("Check the spelling of those keys in {path}"));
                }
            }
        }
    }

    if load.both_names_exist {
        let legacy = show(&p.codex_config_json().path);
        if load.legacy_would_be_quarantined {
            warns.push(format!(
                "both codex-config.jsonc and codex-config.json exist: the plugin uses .jsonc and moves {legacy} to quarantine/ at the next start"
            ));
        } else {
            warns.push("both codex-config.jsonc and codex-config.json exist".to_string());
        }
        fixes.push(format!(
            "Merge anything you need from {legacy} into codex-config.jsonc, then delete {legacy}"
        ));
    }

    let effective = load.effective_candidate();
    let summary_file = match effective {
        Some(c) => format!("{} in effect ({})", show(&c.file.path), c.file.rule),
        None => "no codex-config file in effect".to_string(),
    };
    if effective.is_none() && fails.is_empty() {
        warns.push(
            if cfg.refresh_ahead_enabled {
                "defaults and env are in force"
            } else {
                "defaults and env are in force, so proactive token refresh is off"
            }
            .to_string(),
        );
        fixes.push(format!(
            "Start OpenCode once with the plugin (it writes {}), or create it from the documented template",
            show(&p.codex_config_jsonc().path)
        ));
    }
    if !fails.is_empty() && effective.is_some() {
        details.insert(0, format!("instead, {summary_file}"));
    }

    details.push(format!(
        "mode {} ({:?}), rotation {}, proactive refresh {}",
        cfg.mode.as_str(),
        cfg.mode_source,
        cfg.rotation_strategy.as_str(),
        if cfg.refresh_ahead_enabled {
            "on"
        } else {
            "off"
        }
    ));
    for o in &cfg.overrides {
        let what = match &o.outcome {
            OverrideOutcome::Applied => format!("overrides {}", o.setting),
            OverrideOutcome::Invalid { expected } => {
                warns.push(format!(
                    "{}={:?} is ignored (expected {expected})",
                    o.name, o.value
                ));
                fixes.push(format!("export {}=<{expected}> or unset it", o.name));
                format!("ignored, expected {expected}")
            }
            OverrideOutcome::Shadowed { by } => format!("shadowed by {by}"),
            OverrideOutcome::Inactive { reason } => format!("set, but {reason}"),
        };
        details.push(format!("env {}={} ({what})", o.name, o.value));
    }
    for w in &cfg.env_warnings {
        warns.push(w.clone());
    }

    let mut r = if !fails.is_empty() {
        fails.extend(warns);
        CheckResult::fail(fails.join("; "))
    } else if !warns.is_empty() {
        CheckResult::warn(format!("{summary_file}; {}", warns.join("; ")))
    } else {
        CheckResult::pass(summary_file)
    };
    r.details = details;
    r.fix = fixes;
    r
}
