//! The doctor's own failures (as opposed to the findings it reports), with an exit code and
//! hints.
//!
//! One type at the CLI edge, as in `codex-runtime`: a kind that decides the exit code and
//! `hint:` lines attached where the error is made. The binary prints it in one place
//! ([`DoctorError::render`]). Exit codes follow the policy both binaries share (README):
//! 2 for a command line that cannot be used, 3 for an internal error. Findings (a failed
//! check, secrets found) are not errors; they exit 1 through the report.

/// Why the command could not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Flags, arguments or the doctor's own environment variables are unusable (exit 2).
    Usage,
    /// The command ran into the user's files or system (an unwritable output path, HOME
    /// unset) and could not finish (exit 2).
    Environment,
    /// Something that should not happen (exit 3).
    Internal,
}

/// A failure with its hints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct DoctorError {
    /// Kind, for the exit code.
    pub kind: ErrorKind,
    /// One-paragraph message.
    pub message: String,
    /// Follow-up lines, each rendered as `hint: …`.
    pub hints: Vec<String>,
}

impl DoctorError {
    fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        DoctorError {
            kind,
            message: message.into(),
            hints: Vec::new(),
        }
    }

    /// A usage error.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Usage, message)
    }

    /// An environment error.
    pub fn environment(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Environment, message)
    }

    /// An internal error.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }

    /// Adds a hint.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hints.push(hint.into());
        self
    }

    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self.kind {
            ErrorKind::Usage | ErrorKind::Environment => 2,
            ErrorKind::Internal => 3,
        }
    }

    /// `error: …`, then a blank line and one `hint: …` line per hint.
    pub fn render(&self) -> String {
        let mut s = format!("error: {}", self.message);
        if !self.hints.is_empty() {
            s.push('\n');
            for h in &self.hints {
                s.push_str(&format!("\nhint: {h}"));
            }
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_map_to_the_shared_exit_codes_and_hints_follow_a_blank_line() {
        let e = DoctorError::usage("bad").hint("do this");
        assert_eq!(e.exit_code(), 2);
        assert_eq!(e.render(), "error: bad\n\nhint: do this");
        assert_eq!(DoctorError::environment("x").exit_code(), 2);
        assert_eq!(DoctorError::internal("x").exit_code(), 3);
        assert_eq!(DoctorError::internal("x").render(), "error: x");
    }
}
