//! The registry of checks: ids, titles and the pure functions behind them.
//!
//! Ids are a public contract (CI users pin them); order here is the report's stable order and
//! keeps each group contiguous. Every check is `fn(&Facts) -> CheckResult` and never prints.

use crate::facts::Facts;
use crate::report::CheckResult;

pub mod auth;
pub mod cache;
pub mod config;
pub mod debug;
pub mod env;
pub mod install;
mod lineage;
pub mod locks;
mod login;
mod models;
pub mod network;
pub mod opencode;
pub mod plugin;
pub mod port;
pub mod process;
mod quota;
pub mod runtime;

/// One registered check.
#[derive(Clone, Copy)]
pub struct CheckDef {
    /// Stable id (`group.name`).
    pub id: &'static str,
    /// Short title.
    pub title: &'static str,
    /// What the check looks at and why it matters (for `explain` and docs).
    pub about: &'static str,
    /// The check.
    pub run: fn(&Facts) -> CheckResult,
}

impl CheckDef {
    /// The group: the id up to the first dot.
    pub fn group(&self) -> &'static str {
        self.id.split('.').next().unwrap_or(self.id)
    }
}

impl std::fmt::Debug for CheckDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

/// Every check, in report order.
pub const ALL: &[CheckDef] = &[
    env::PATHS,
    opencode::INSTALL,
    models::MODELS,
    plugin::REGISTERED,
    config::RESOLVED,
    auth::STORE,
    auth::OPENCODE,
    auth::ACCOUNTS,
    auth::IDENTITY,
    auth::LEGACY,
    quota::QUOTA,
    lineage::LINEAGE,
    locks::LOCK,
    locks::QUARANTINE,
    cache::MODELS,
    cache::FILES,
    install::COMMAND,
    install::SKILL,
    debug::ENV,
    port::LOGIN_PORT,
    login::ENVIRONMENT,
    process::OPENCODE,
    network::PROXY_ENV,
    network::REACHABILITY,
    runtime::PROXY,
];

/// A result for checks that need the resolved paths when they are unavailable.
pub(crate) fn no_paths(reason: &str) -> CheckResult {
    CheckResult::skip(format!("paths cannot be resolved: {reason}"))
        .fix("Set HOME to your home directory (see env.paths)")
}

/// Formats a path for a message.
/// A problem a check collected: a message, and optionally the kind that makes its stable
/// code `<check id>.<kind>` (plain strings get the check id as their code).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Problem {
    pub(crate) kind: &'static str,
    pub(crate) message: String,
}

impl From<String> for Problem {
    fn from(message: String) -> Self {
        Problem { kind: "", message }
    }
}

impl From<&str> for Problem {
    fn from(message: &str) -> Self {
        Problem {
            kind: "",
            message: message.to_string(),
        }
    }
}

/// A problem with a named kind (its code becomes `<check id>.<kind>`).
pub(crate) fn problem(kind: &'static str, message: impl Into<String>) -> Problem {
    Problem {
        kind,
        message: message.into(),
    }
}

/// The one result of the problems a check collected: `fail` (every failure, then every
/// warning) when anything failed, else `warn`, else `pass` with `pass()`'s summary. Every
/// problem also becomes a finding with its code.
pub(crate) fn verdict<F: Into<Problem>, W: Into<Problem>>(
    fails: Vec<F>,
    warns: Vec<W>,
    pass: impl FnOnce() -> String,
    details: Vec<String>,
    fixes: Vec<String>,
) -> CheckResult {
    use crate::report::{Finding, Status};
    let fails: Vec<Problem> = fails.into_iter().map(Into::into).collect();
    let warns: Vec<Problem> = warns.into_iter().map(Into::into).collect();
    let findings: Vec<Finding> = fails
        .iter()
        .map(|p| (Status::Fail, p))
        .chain(warns.iter().map(|p| (Status::Warn, p)))
        .map(|(severity, p)| Finding {
            code: p.kind.to_string(),
            severity,
            message: p.message.clone(),
        })
        .collect();
    let join = |v: &[Problem]| {
        v.iter()
            .map(|p| p.message.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut r = if !fails.is_empty() {
        let mut all = fails.clone();
        all.extend(warns.iter().cloned());
        CheckResult::fail(join(&all))
    } else if !warns.is_empty() {
        CheckResult::warn(join(&warns))
    } else {
        CheckResult::pass(pass())
    };
    r.details = details;
    r.fix = fixes;
    r.findings = findings;
    r
}

pub(crate) fn show(p: &std::path::Path) -> String {
    p.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_groups_contiguous() {
        let mut ids: Vec<_> = ALL.iter().map(|c| c.id).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(n, ids.len(), "duplicate check id");
        let mut seen: Vec<&str> = Vec::new();
        for c in ALL {
            if seen.last() != Some(&c.group()) {
                assert!(!seen.contains(&c.group()), "group {} split", c.group());
                seen.push(c.group());
            }
        }
    }
}

#[cfg(test)]
mod docs_tests {
    #[test]
    fn docs_checks_lists_every_named_finding_code() {
        let docs = include_str!("../../../../docs/checks.md");
        for (src, id) in [
            (include_str!("plugin.rs"), "plugin.registered"),
            (include_str!("models.rs"), "opencode.models"),
            (include_str!("quota.rs"), "auth.quota"),
            (include_str!("lineage.rs"), "auth.lineage"),
            (include_str!("login.rs"), "login.environment"),
        ] {
            for part in src.split("problem(").skip(1) {
                let rest = part.trim_start();
                let kinds: Vec<&str> = if let Some(r) = rest.strip_prefix("if shared {") {
                    r.split('"').skip(1).step_by(2).take(2).collect()
                } else {
                    rest.split('"').nth(1).into_iter().collect()
                };
                for k in kinds {
                    let code = format!("`{id}.{k}`");
                    assert!(docs.contains(&code), "docs/checks.md lacks {code}");
                }
            }
        }
    }

    #[test]
    fn docs_checks_and_readme_list_every_check() {
        let docs = include_str!("../../../../docs/checks.md");
        let readme = include_str!("../../../../README.md");
        for c in super::ALL {
            let needle = format!("`{}`", c.id);
            assert!(docs.contains(&needle), "docs/checks.md lacks {}", c.id);
            assert!(readme.contains(&needle), "README.md lacks {}", c.id);
        }
    }
}
