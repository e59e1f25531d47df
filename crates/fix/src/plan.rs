//! The plan: which fixes would be made, and the file actions behind each.
//!
//! An [`Action`] carries everything needed to both show and check it: an edit holds the exact
//! bytes before and after, so the engine can refuse to apply it when the file changed since the
//! plan was made, and the renderer can show the diff without touching the disk.

use std::path::PathBuf;

use serde::Serialize;

/// One change to one path. `Debug` shows sizes, never content (the store's holds tokens).
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Replace the content of an existing file (its mode is kept).
    Edit {
        /// The file.
        path: PathBuf,
        /// Its bytes now.
        #[serde(skip)]
        before: Vec<u8>,
        /// Its bytes after the fix.
        #[serde(skip)]
        after: Vec<u8>,
    },
    /// Create a file that does not exist (parent directories are created too).
    Create {
        /// The file.
        path: PathBuf,
        /// Its content.
        #[serde(skip)]
        content: Vec<u8>,
        /// Its permission bits.
        mode: u32,
    },
    /// Remove a file, or an empty directory.
    Remove {
        /// The path.
        path: PathBuf,
        /// It is a directory (then it must be empty).
        dir: bool,
    },
    /// Rename a file (same filesystem).
    Move {
        /// From.
        from: PathBuf,
        /// To (must not exist).
        to: PathBuf,
    },
    /// Change permission bits.
    Chmod {
        /// The path.
        path: PathBuf,
        /// Bits now.
        from: u32,
        /// Bits after.
        to: u32,
    },
}

impl std::fmt::Debug for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Action::Edit {
                path,
                before,
                after,
            } => f
                .debug_struct("Edit")
                .field("path", path)
                .field("before_bytes", &before.len())
                .field("after_bytes", &after.len())
                .finish(),
            Action::Create {
                path,
                content,
                mode,
            } => f
                .debug_struct("Create")
                .field("path", path)
                .field("bytes", &content.len())
                .field("mode", &format_args!("{mode:04o}"))
                .finish(),
            Action::Remove { path, dir } => f
                .debug_struct("Remove")
                .field("path", path)
                .field("dir", dir)
                .finish(),
            Action::Move { from, to } => f
                .debug_struct("Move")
                .field("from", from)
                .field("to", to)
                .finish(),
            Action::Chmod { path, from, to } => f
                .debug_struct("Chmod")
                .field("path", path)
                .field("from", &format_args!("{from:04o}"))
                .field("to", &format_args!("{to:04o}"))
                .finish(),
        }
    }
}

impl Action {
    /// The paths this action changes (the destination last).
    pub fn paths(&self) -> Vec<&PathBuf> {
        match self {
            Action::Edit { path, .. }
            | Action::Create { path, .. }
            | Action::Remove { path, .. }
            | Action::Chmod { path, .. } => vec![path],
            Action::Move { from, to } => vec![from, to],
        }
    }
}

/// Every fix code, as `docs/checks.md` and `docs/schema/fix.schema.json` list them.
pub(crate) const CODES: &[&str] = &[
    "plugin.strict-json",
    "plugin.reformat",
    "plugin.dedupe",
    "plugin.conflict",
    "plugin.array",
    "plugin.add",
    "config.trailing-commas",
    "config.reformat",
    "perms.private",
    "lock.stale",
    "lock.temp-file",
    "install.write",
    "cache.stale-models",
    "cache.bad-file",
    "store.restore-quarantine",
    "store.transfer",
    "store.identity-key",
];

/// One repair: the check it makes pass, a stable code, and its actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// The doctor check whose finding this repairs (`plugin.registered`).
    pub check_id: &'static str,
    /// Stable code of the repair (`plugin.add`).
    pub code: &'static str,
    /// One line saying what it does.
    pub summary: String,
    /// The file actions, applied in order.
    pub actions: Vec<Action>,
    /// It changes the auth store or its directory: the engine takes the store's lock and
    /// refuses while OpenCode runs (unless forced).
    pub touches_store: bool,
}

/// Every fix found, in the order they apply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The fixes.
    pub fixes: Vec<Fix>,
}

impl Plan {
    /// Nothing to do.
    pub fn is_empty(&self) -> bool {
        self.fixes.is_empty()
    }

    /// Whether any fix touches the store.
    pub fn touches_store(&self) -> bool {
        self.fixes.iter().any(|f| f.touches_store)
    }

    /// The distinct check ids, in plan order.
    pub fn check_ids(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for f in &self.fixes {
            if !out.contains(&f.check_id) {
                out.push(f.check_id);
            }
        }
        out
    }

    /// Keeps only fixes whose check id `keep` accepts.
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.fixes.retain(|f| keep(f.check_id));
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_shows_sizes_not_content() {
        let a = super::Action::Edit {
            path: "/h/codex-accounts.json".into(),
            before: b"{\"refresh\": \"rt_secret\"}".to_vec(),
            after: b"{}".to_vec(),
        };
        let d = format!("{a:?}");
        assert!(!d.contains("114") && !d.contains("rt_secret"), "{d}");
        assert!(d.contains("before_bytes: 24"), "{d}");
    }

    #[test]
    fn docs_and_the_schema_list_every_code() {
        let docs = include_str!("../../../docs/checks.md");
        let schema = include_str!("../../../docs/schema/fix.schema.json");
        for c in super::CODES {
            assert!(docs.contains(&format!("`{c}`")), "docs/checks.md lacks {c}");
            assert!(
                schema.contains(&format!("\"{c}\"")),
                "fix.schema.json lacks {c}"
            );
        }
    }
}
