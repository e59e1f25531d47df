//! What a panic may show: which program, where in the source, and a fixed request to report
//! it. Never the payload, which is formatted from whatever values were at hand and may hold
//! a token, an email or a path. Both binaries install [`install_hook`] and run their work in
//! [`guard`], so a panic anywhere ends the process with [`INTERNAL_EXIT`] (3), the exit code
//! of an internal error in the policy both share.

use std::panic::{self, UnwindSafe};

/// The exit code of an internal error (a panic, or a failure that should not happen).
pub const INTERNAL_EXIT: u8 = 3;

/// Where to report an internal error.
pub const ISSUES_URL: &str = "https://github.com/codex-kit/codex-kit/issues";

/// The one line printed for a panic: the program, the source location if known, and where
/// to report it. Built only from the location, never from the payload.
pub fn internal_error_line(program: &str, location: Option<(&str, u32)>) -> String {
    let at = location
        .map(|(file, line)| format!(" at {file}:{line}"))
        .unwrap_or_default();
    format!("{program}: internal error (panic{at}); this is a bug, please file an issue at {ISSUES_URL}")
}

/// Replaces the default panic hook (which prints the payload) with one that hands
/// [`internal_error_line`] to `write` (the binary's stderr writer).
pub fn install_hook(program: &'static str, write: fn(&str)) {
    panic::set_hook(Box::new(move |info| {
        let location = info.location().map(|l| (l.file(), l.line()));
        write(&internal_error_line(program, location));
    }));
}

/// Runs `work`; a panic inside it (already reported by the hook) becomes `None`.
pub fn guard<T>(work: impl FnOnce() -> T + UnwindSafe) -> Option<T> {
    panic::catch_unwind(work).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_names_the_place_and_the_tracker_only() {
        let line = internal_error_line("codex-runtime", Some(("crates/x/src/a.rs", 7)));
        assert_eq!(
            line,
            format!("codex-runtime: internal error (panic at crates/x/src/a.rs:7); this is a bug, please file an issue at {ISSUES_URL}")
        );
        assert!(internal_error_line("p", None).starts_with("p: internal error (panic); "));
    }

    #[test]
    fn a_panic_in_the_guard_is_none_and_a_value_passes() {
        assert_eq!(guard(|| 5), Some(5));
        let prev = panic::take_hook();
        panic::set_hook(Box::new(|_| {}));
        let caught = guard(|| -> u8 { panic!("token sk-proj-abc") });
        panic::set_hook(prev);
        assert_eq!(caught, None);
    }
}
