//! `codex-runtime`: placeholder binary until the store and proxy issues land.

use std::process::ExitCode;

fn main() -> ExitCode {
    #[allow(clippy::print_stderr)]
    {
        eprintln!("codex-runtime: not implemented yet; see the project's open issues");
    }
    ExitCode::from(2)
}
