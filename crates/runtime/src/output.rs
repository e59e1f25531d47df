//! The only place `codex-runtime` prints: data to stdout, errors and hints to stderr.
//! A closed pipe (`| head`) ends output quietly.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;

use codex_runtime::error::RuntimeError;

/// Writes data to stdout, ignoring a closed pipe.
pub fn stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Writes an error and its hints to stderr.
pub fn error(e: &RuntimeError) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "error: {}", e.message);
    for h in &e.hints {
        let _ = writeln!(err, "\nhint: {h}");
    }
}

/// Writes a progress line for the user to stderr.
pub fn note(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}");
}
