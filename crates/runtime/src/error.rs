//! The tool's own failures (as opposed to data it reports), with an exit code and hints.
//!
//! Store errors already name their paths, lock directories and held-for times; this layer
//! adds a `hint:` line where there is something specific to do, and maps the failure to an
//! exit code: 1 for problems with the user's files or arguments, 3 for internal ones.

use codex_store::{LockError, StoreError};

/// Why the command failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The files or the request (exit 1).
    User,
    /// Something that should not happen (exit 3).
    Internal,
}

/// A failure with its hints.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct RuntimeError {
    /// Kind, for the exit code.
    pub kind: ErrorKind,
    /// One-paragraph message.
    pub message: String,
    /// Follow-up lines, each rendered as `hint: …`.
    pub hints: Vec<String>,
}

impl RuntimeError {
    /// A user error.
    pub fn user(message: impl Into<String>) -> Self {
        RuntimeError {
            kind: ErrorKind::User,
            message: message.into(),
            hints: Vec::new(),
        }
    }

    /// An internal error (a failure that should not happen), with the hint to report it.
    pub fn internal(message: impl Into<String>) -> Self {
        RuntimeError {
            kind: ErrorKind::Internal,
            message: message.into(),
            hints: Vec::new(),
        }
        .hint(format!(
            "this is a bug in codex-runtime (or a resource the system refused); please file an issue at {}",
            codex_redact::panic::ISSUES_URL
        ))
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self.kind {
            ErrorKind::User => 1,
            ErrorKind::Internal => codex_redact::panic::INTERNAL_EXIT,
        }
    }
}

impl From<StoreError> for RuntimeError {
    fn from(e: StoreError) -> Self {
        let message = e.to_string();
        let base = RuntimeError::user(message);
        match &e {
            StoreError::Lock(LockError::Held { .. }) => base.hint(
                "another OpenCode or codex-kit process is writing the store; try again, or raise --lock-timeout",
            ),
            StoreError::Corrupt { .. } => base.hint(
                "the next read starts from an empty store: sign in again, or repair the quarantined copy and move it back",
            ),
            StoreError::Edit(
                codex_store::EditError::InvalidIndex { .. }
                | codex_store::EditError::MissingIdentity { .. },
            ) => {
                base.hint("`codex-runtime accounts list` shows the indices")
            }
            StoreError::NotConfigured { .. } => {
                base.hint("sign in with `codex-runtime login` (or `opencode auth login`), or import legacy accounts with `codex-runtime accounts transfer`")
            }
            _ => base,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_errors_exit_3_with_the_report_hint() {
        let e = RuntimeError::internal("cannot start the async runtime: x");
        assert_eq!(e.exit_code(), 3);
        assert_eq!(e.hints.len(), 1);
        assert!(e.hints[0].contains(codex_redact::panic::ISSUES_URL));
        assert_eq!(RuntimeError::user("x").exit_code(), 1);
    }
}
