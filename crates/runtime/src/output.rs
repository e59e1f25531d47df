//! The only place `codex-runtime` prints: data to stdout, errors and hints to stderr.
//! A closed pipe (`| head`) ends output quietly.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;

use codex_runtime::error::RuntimeError;

/// Writes data to stdout, ignoring a closed pipe. Any other failure (a full disk) is told
/// on stderr and returns `false`: the command then exits 2 rather than succeed silently.
pub fn stdout(text: &str) -> bool {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => true,
        Err(e) => {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(
                err,
                "error: the output could not be written to stdout: {e}\n\nhint: check the disk space and the file or pipe stdout goes to"
            );
            false
        }
    }
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
