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
    let mut warnings = Vec::new();
    let (report, ok) = match action {
        A::Install {
            target: t,
            run,
            no_start,
            force,
        } => {
            warnings = key_file_warnings(&run.serve_args);
            (
                install(target(t)?, &spec(run)?, env, *force, !*no_start)?,
                true,
            )
        }
        A::Uninstall { target: t, force } => (uninstall(target(t)?, env, *force)?, true),
        A::Status { target: t, run } => {
            // Options given to `status` are compared; without them the installed ones are shown.
            let args_given =
                !run.serve_args.is_empty() || run.listen != codex_proxy::config::default_listen();
            status(target(t)?, &spec(run)?, args_given, env)?
        }
    };
    let mut text = render_report(&report);
    for w in warnings.iter().rev() {
        text.insert_str(0, &format!("warning: {w}\n"));
    }
    Ok((text, ok))
}

/// What would make the installed service fail at every start because of its client key
/// file: one it cannot read, a relative path (the service starts in another folder), or one
/// under `/tmp` (the unit runs with a private `/tmp`). Told at install time, not in the
/// journal.
fn key_file_warnings(serve_args: &[String]) -> Vec<String> {
    let key_file = serve_args.iter().enumerate().find_map(|(i, a)| {
        a.strip_prefix("--client-key-file=")
            .map(str::to_string)
            .or_else(|| {
                (a == "--client-key-file")
                    .then(|| serve_args.get(i + 1).cloned())
                    .flatten()
            })
    });
    let Some(f) = key_file else {
        return Vec::new();
    };
    let path = std::path::Path::new(&f);
    let mut out = Vec::new();
    if !path.is_absolute() {
        out.push(format!(
            "the client key file {f} is a relative path, and the service starts in another folder: give its absolute path"
        ));
    } else if let Err(e) = fs::read(path) {
        out.push(format!(
            "the client key file {f} cannot be read ({e}): the service will fail at every start until it can"
        ));
    }
    if path.starts_with("/tmp") || path.starts_with("/var/tmp") {
        out.push(format!(
            "the client key file {f} is in a temporary folder, which the service does not see (it runs with a private /tmp): keep it under your home, e.g. ~/.config/codex-kit/client.key"
        ));
    }
    out
}
