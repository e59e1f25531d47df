//! Failures of planning, applying and undoing fixes.

use std::path::PathBuf;

pub use codex_store::LockError;

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum FixError {
    /// A filesystem operation failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What we tried.
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A file changed between planning and applying.
    #[error("{path} changed since the plan was made; nothing further was applied (run `codex-doctor fix` again to see the new plan)")]
    Changed {
        /// The file.
        path: PathBuf,
    },
    /// The store's lock could not be taken.
    #[error("cannot take the auth store's lock: {0}")]
    Lock(#[from] codex_store::LockError),
    /// The store's atomic write failed.
    #[error(transparent)]
    Store(#[from] codex_store::StoreError),
    /// OpenCode runs, and the plan changes the store.
    #[error("OpenCode is running ({0}), and these changes touch the auth store it writes: nothing was written. Quit OpenCode first, or pass --force")]
    OpencodeRunning(String),
    /// The manifest of a run cannot be read.
    #[error("the fix manifest {path} cannot be used: {detail}")]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// `undo` would overwrite changes made after the run.
    #[error("these files changed after the fix run, so undo would lose those changes: {0}; nothing was restored (pass --force to restore anyway)")]
    ChangedSince(String),
    /// `undo` found no run to undo.
    #[error("there is no fix run to undo under {0}")]
    NothingToUndo(PathBuf),
    /// The state folder cannot be resolved.
    #[error(
        "the doctor's state folder cannot be resolved: set HOME (or an absolute XDG_STATE_HOME)"
    )]
    NoStateDir,
    /// Applying failed and the already-applied actions were rolled back.
    #[error("{cause}; the {applied} change(s) already made were rolled back{rollback}")]
    RolledBack {
        /// The original failure.
        cause: Box<FixError>,
        /// How many actions had been applied.
        applied: usize,
        /// Problems during the rollback itself (empty when it was clean).
        rollback: String,
    },
}

impl FixError {
    pub(crate) fn io(action: &'static str, path: &std::path::Path, source: std::io::Error) -> Self {
        FixError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}
