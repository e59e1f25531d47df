//! `auth.store` and `auth.opencode`: credential files readable beyond their owner.
//!
//! The plugin writes every file 0600 (reference 5.5); the store and OpenCode's `auth.json`
//! hold refresh tokens. A mode wider than 0600 becomes 0600 (the store's change is made
//! under its lock, like any store write).

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::{push, Context, Found};
use crate::plan::{Action, Fix};

fn chmod_fix(found: &mut Found, check_id: &'static str, path: &Path, touches_store: bool) {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return;
    };
    if !meta.is_file() {
        return;
    }
    let mode = meta.mode() & 0o7777;
    if mode & !0o600 == 0 {
        return;
    }
    push(
        found,
        Fix {
            check_id,
            code: "perms.private",
            summary: format!(
                "make {} private to you (mode {mode:04o} -> 0600)",
                path.display()
            ),
            actions: vec![Action::Chmod {
                path: path.to_path_buf(),
                from: mode,
                to: 0o600,
            }],
            touches_store,
        },
    );
}

pub(super) fn fixes(ctx: &Context<'_>, found: &mut Found) {
    chmod_fix(found, "auth.store", &ctx.paths.auth_store().path, true);
    let auth = ctx.paths.data_root.path.join("opencode/auth.json");
    chmod_fix(found, "auth.opencode", &auth, false);
}
