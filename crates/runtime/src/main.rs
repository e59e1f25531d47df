//! `codex-runtime`: parse arguments, resolve the context, run, render, print.

mod output;

use std::process::ExitCode;

use clap::Parser;
use codex_env::EnvSnapshot;
use codex_runtime::accounts::{self, Outcome};
use codex_runtime::cli::{AccountsAction, Cli, Command};
use codex_runtime::context::Context;
use codex_runtime::error::RuntimeError;
use codex_runtime::login;
use codex_runtime::quota;
use codex_runtime::refresh;
use codex_runtime::render;
use codex_runtime::serve;
use codex_runtime::service_cmd;

/// mimalloc: `serve` allocates per request and spends less CPU on it than with the system
/// allocator (see docs/proxy.md, "Benchmarks").
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn cwd() -> Result<std::path::PathBuf, RuntimeError> {
    std::env::current_dir()
        .map_err(|e| RuntimeError::user(format!("cannot read the working directory: {e}")))
}

fn run(cli: &Cli) -> Result<String, RuntimeError> {
    let args = match &cli.command {
        Command::Accounts(args) => args,
        Command::Serve(args) => {
            return serve::serve(args, |t: &str| {
                output::stdout(t);
            })
            .map(|()| String::new())
        }
        Command::OpencodeConfig(args) => return serve::opencode_config(args, output::note),
        Command::Service(args) => {
            let (text, ok) = service_cmd::run(&args.action, &EnvSnapshot::capture())?;
            if !ok {
                let _ = output::stdout(&text);
                return Err(RuntimeError::user(
                    "the service is not installed and running (see above)",
                ));
            }
            return Ok(text);
        }
        Command::Login(args) => {
            let report = login::login(args, &EnvSnapshot::capture(), &cwd()?, output::note)?;
            return Ok(login::render(&report));
        }
    };
    let cwd = cwd()?;
    let ctx = Context::resolve(&EnvSnapshot::capture(), &cwd, args.lock_timeout)?;
    let json = matches!(
        args.action,
        AccountsAction::List { json: true, .. } | AccountsAction::Quota { json: true, .. }
    );
    let outcome = accounts::run(&args.action, &ctx)?;
    let now = ctx.now_ms();
    let (text, failed) = match outcome {
        Outcome::List(report) if json => (render::list_json(&report), false),
        Outcome::List(report) => (render::list_text(&report), false),
        Outcome::Done { message, .. } => (format!("{message}\n"), false),
        Outcome::Transfer(summary) => (render::transfer_text(&summary), false),
        Outcome::Refresh(lines) => refresh::render(&lines, now),
        Outcome::Quota(lines) if json => quota::render_json(&lines, now),
        Outcome::Quota(lines) => quota::render_text(&lines, now),
    };
    if failed {
        // The report is data: print it, then fail with a short summary.
        let _ = output::stdout(&text);
        return Err(RuntimeError::user("some accounts failed (see above)"));
    }
    Ok(text)
}

fn main() -> ExitCode {
    // A panic prints one fixed line (never its payload, which may hold a token) and exits 3.
    codex_redact::panic::install_hook("codex-runtime", output::note);
    codex_redact::panic::guard(guarded)
        .unwrap_or(ExitCode::from(codex_redact::panic::INTERNAL_EXIT))
}

fn guarded() -> ExitCode {
    let env = EnvSnapshot::capture();
    if let Some(v) = env.non_blank(codex_env::env_vars::CODEX_KIT_TEST_PANIC) {
        // The documented test hook: the value must not reach the output.
        panic!(
            "{} test hook: {v}",
            codex_env::env_vars::CODEX_KIT_TEST_PANIC
        );
    }
    let cli = Cli::parse();
    match run(&cli) {
        Ok(text) => {
            if output::stdout(&text) {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            }
        }
        Err(e) => {
            output::error(&e);
            ExitCode::from(e.exit_code())
        }
    }
}
