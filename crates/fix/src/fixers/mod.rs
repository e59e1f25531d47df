//! The fixers: each reads the real files under the resolved paths and returns the fixes for
//! what one doctor check flags, so that applying them makes that check pass.
//!
//! Fixers run in a fixed order over one [`Files`] view: a later fixer sees the content an
//! earlier fix will write (so two edits of the same file chain, each with exact before/after
//! bytes). Findings a fixer cannot repair are returned as [`Unfixable`] notes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use codex_env::EnvSnapshot;
use codex_paths::Paths;

use crate::plan::{Action, Fix, Plan};

mod codex_config;
mod install;
mod locks;
mod opencode;
mod perms;
mod store;

pub use install::{COMMAND_TEMPLATE, PATTERNS_TEMPLATE, SKILL_TEMPLATE};

/// What the fixers read.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// Resolved paths.
    pub paths: &'a Paths,
    /// The environment (for `$OPENCODE_CONFIG` and the codex-config lookup).
    pub env: &'a EnvSnapshot,
    /// Now (for staleness).
    pub now: SystemTime,
    /// OpenCode's config as OpenCode merges it (the doctor's `plugin.registered` reads the
    /// same value), when the paths resolved.
    pub opencode: Option<&'a ::codex_config::opencode::OpencodeConfig>,
}

/// A finding a fixer saw but will not repair, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Unfixable {
    /// The check id.
    pub check_id: &'static str,
    /// Why it is left alone.
    pub reason: String,
}

/// The plan and the notes.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// What will be fixed.
    pub plan: Plan,
    /// What will not.
    pub unfixable: Vec<Unfixable>,
}

impl Found {
    fn unfixable(&mut self, check_id: &'static str, reason: impl Into<String>) {
        self.unfixable.push(Unfixable {
            check_id,
            reason: reason.into(),
        });
    }
}

/// File contents as the plan leaves them so far (no `Debug`: the store's hold tokens).
#[derive(Default)]
pub(crate) struct Files {
    planned: HashMap<PathBuf, Vec<u8>>,
}

impl Files {
    /// The bytes of `path` after the fixes planned so far (`None`: absent or unreadable).
    pub(crate) fn read(&self, path: &Path) -> Option<Vec<u8>> {
        match self.planned.get(path) {
            Some(b) => Some(b.clone()),
            None => std::fs::read(path).ok(),
        }
    }

    /// Whether an earlier fix of this run changes `path`.
    pub(crate) fn changed(&self, path: &Path) -> bool {
        self.planned.contains_key(path)
    }

    /// The text of `path` (UTF-8 only).
    pub(crate) fn text(&self, path: &Path) -> Option<String> {
        self.read(path).and_then(|b| String::from_utf8(b).ok())
    }

    /// An action that gives `path` the content `after` (an edit, or a creation).
    pub(crate) fn write(&mut self, path: &Path, after: String, mode: u32) -> Option<Action> {
        let after = after.into_bytes();
        let action = match self.read(path) {
            Some(before) if before == after => return None,
            Some(before) => Action::Edit {
                path: path.to_path_buf(),
                before,
                after: after.clone(),
            },
            None => Action::Create {
                path: path.to_path_buf(),
                content: after.clone(),
                mode,
            },
        };
        self.planned.insert(path.to_path_buf(), after);
        Some(action)
    }
}

/// Every fix for the current files, in the order they apply.
pub fn find(ctx: &Context<'_>) -> Found {
    let mut found = Found::default();
    let mut files = Files::default();
    opencode::fixes(ctx, &mut files, &mut found);
    codex_config::fixes(ctx, &mut files, &mut found);
    store::fixes(ctx, &mut files, &mut found);
    perms::fixes(ctx, &mut found);
    install::fixes(ctx, &mut files, &mut found);
    locks::fixes(ctx, &mut found);
    found
}

pub(crate) fn push(found: &mut Found, fix: Fix) {
    debug_assert!(
        crate::plan::CODES.contains(&fix.code),
        "{} not in CODES",
        fix.code
    );
    if !fix.actions.is_empty() {
        found.plan.fixes.push(fix);
    }
}
