//! `codex-runtime service …` from its arguments: resolves the target and what the service
//! runs, then calls [`crate::service`].

use std::fs;

use codex_env::EnvSnapshot;

use crate::error::RuntimeError;
use crate::service::{install, render_report, status, uninstall, Spec, Target};

/// Resolves the `service` arguments and runs the action; the text to print and whether the
/// command succeeded.
pub fn run(
    action: &crate::cli::ServiceAction,
    env: &EnvSnapshot,
) -> Result<(String, bool), RuntimeError> {
    use crate::cli::ServiceAction as A;
    let target = |t: &crate::cli::ServiceTarget| {
        t.target.or_else(Target::native).ok_or_else(|| {
            RuntimeError::user("no service manager is known for this platform")
                .hint("pass --target systemd or --target launchd")
        })
    };
    let spec = |r: &crate::cli::ServiceRun| -> Result<Spec, RuntimeError> {
        let exe = match &r.exe {
            Some(p) => p.clone(),
            None => std::env::current_exe()
                .and_then(fs::canonicalize)
                .map_err(|e| {
                    RuntimeError::user(format!("cannot tell where this binary is: {e}"))
                        .hint("pass --exe PATH")
                })?,
        };
        let mut args = vec![
            "serve".to_string(),
            "--listen".to_string(),
            r.listen.to_string(),
        ];
        // The unit file and the service manager's process list are readable by other users:
        // a key goes in as a file.
        if r.serve_args
            .iter()
            .any(|a| a == "--client-key" || a.starts_with("--client-key="))
        {
            return Err(RuntimeError::user(
                "a client key given as --client-key would be written into the service file",
            )
            .hint("pass it as a file instead: -- --client-key-file PATH"));
        }
        args.extend(r.serve_args.iter().cloned());
        Ok(Spec { exe, args })
    };
    let (report, ok) = match action {
        A::Install {
            target: t,
            run,
            no_start,
            force,
        } => (
            install(target(t)?, &spec(run)?, env, *force, !*no_start)?,
            true,
        ),
        A::Uninstall { target: t, force } => (uninstall(target(t)?, env, *force)?, true),
        A::Status { target: t, run } => {
            // Options given to `status` are compared; without them the installed ones are shown.
            let args_given =
                !run.serve_args.is_empty() || run.listen != codex_proxy::config::default_listen();
            status(target(t)?, &spec(run)?, args_given, env)?
        }
    };
    Ok((render_report(&report), ok))
}
