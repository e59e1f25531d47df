//! `codex-doctor` binary: parse arguments, build the facts, call the library, print.
//!
//! stdout carries the data (report, JSON, paths); diagnostics go to stderr. Exit codes follow
//! the policy shared with codex-runtime (README): 0 nothing failed, 1 a check failed (or
//! warned, with --strict) or `scan` found secrets, 2 the command could not run as asked
//! ([`DoctorError`], printed in one place with its `hint:` lines), 3 internal error.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use codex_doctor::cli::{Cli, Command};
use codex_doctor::error::DoctorError;
use codex_doctor::explain::{self, Found};
use codex_doctor::facts::{FactOptions, Facts, LOGIN_PORT};
use codex_doctor::render::{self, Style};
use codex_doctor::runner::{self, Selection};
use codex_doctor::{bundle_cmd, checks, paths_cmd};
use codex_env::{env_vars, EnvSnapshot};
use codex_redact::IdentityMode;
use codex_timefmt as time;

/// Set when stdout could not take the output (a full disk, a closed file): the run then
/// exits 2, so `codex-doctor --json > report.json` on a full disk is no silent success.
static OUTPUT_FAILED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Writes to stdout; a closed pipe (`| head`) ends quietly, any other failure is told once on
/// stderr and makes the exit code 2.
fn out(text: &str) -> bool {
    let mut so = std::io::stdout().lock();
    match so.write_all(text.as_bytes()).and_then(|()| so.flush()) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => false,
        Err(e) => {
            if !OUTPUT_FAILED.swap(true, std::sync::atomic::Ordering::Relaxed) {
                err(&format!(
                    "error: the output could not be written to stdout: {e}\n\nhint: check the disk space and the file or pipe stdout goes to"
                ));
            }
            false
        }
    }
}

#[allow(clippy::print_stderr)]
fn err(text: &str) {
    eprintln!("{text}");
}

/// The port `port.1455` probes: 1455 unless the test hook `CODEX_DOCTOR_LOGIN_PORT` is set.
fn login_port(env: &EnvSnapshot) -> Result<u16, DoctorError> {
    match env.non_blank(env_vars::CODEX_DOCTOR_LOGIN_PORT) {
        None => Ok(LOGIN_PORT),
        Some(v) => v.parse::<u16>().map_err(|_| {
            DoctorError::usage(format!(
                "{}={v:?} is not a port number",
                env_vars::CODEX_DOCTOR_LOGIN_PORT
            ))
            .hint(format!(
                "unset {} (a test hook) or set it to a number from 1 to 65535",
                env_vars::CODEX_DOCTOR_LOGIN_PORT
            ))
        }),
    }
}

/// Prints an error with its hints and returns its exit code.
fn fail(e: &DoctorError) -> ExitCode {
    err(&redact_error(&e.render()));
    ExitCode::from(e.exit_code())
}

/// An error message with every secret shape replaced: messages quote what the user typed
/// (a pattern, a path, a pasted error for `explain`), which may hold a token.
fn redact_error(text: &str) -> String {
    codex_doctor::redaction::ReportRedactor::shapes_only(IdentityMode::Masked).redact(text)
}

fn main() -> ExitCode {
    // A panic prints one fixed line (never its payload, which may hold user data) and exits
    // 3, as in codex-runtime.
    codex_redact::panic::install_hook("codex-doctor", err);
    let code = codex_redact::panic::guard(run)
        .unwrap_or(ExitCode::from(codex_redact::panic::INTERNAL_EXIT));
    if OUTPUT_FAILED.load(std::sync::atomic::Ordering::Relaxed) {
        return ExitCode::from(2);
    }
    code
}

fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            if !e.use_stderr() {
                // `--help`, `--version`.
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            // clap quotes the argument it refused, which may be a token pasted in the
            // wrong place.
            err(redact_error(&e.render().to_string()).trim_end());
            return ExitCode::from(2);
        }
    };
    let dir = cli.dir();
    let command = match cli.into_command() {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    let env = EnvSnapshot::capture();
    if let Some(v) = env.non_blank(env_vars::CODEX_KIT_TEST_PANIC) {
        // The documented test hook: the value must not reach the output.
        panic!("{} test hook: {v}", env_vars::CODEX_KIT_TEST_PANIC);
    }
    // A working directory that was deleted under the shell: the project layers and a
    // default bundle path would silently be judged from `/` (found from the user's side).
    let cwd = match std::env::current_dir() {
        Ok(c) => c,
        Err(_) if dir.as_ref().is_some_and(|d| d.is_absolute()) => PathBuf::from("/"),
        Err(e) => {
            return fail(
                &DoctorError::usage(format!("the working directory cannot be read: {e}")).hint(
                    "cd to a folder that exists (this one may have been deleted), or give --dir with an absolute path",
                ),
            )
        }
    };
    if let Some(d) = &dir {
        if !cwd.join(d).is_dir() {
            return fail(
                &DoctorError::usage(format!("--dir {} is not a directory", d.display())).hint(
                    "give the project directory OpenCode runs in (default: the working directory)",
                ),
            );
        }
    }
    match command {
        Command::Check(args) => {
            let login_port = match login_port(&env) {
                Ok(p) => p,
                Err(e) => return fail(&e),
            };
            let selection = Selection {
                only: args.only.clone(),
                skip: args.skip.clone(),
            };
            if let Err(e) = selection.validate() {
                return fail(&e);
            }
            let facts = Facts::new(
                env.clone(),
                &cwd,
                FactOptions {
                    online: args.online,
                    login_port,
                    dir: dir.clone(),
                },
            );
            let mode = if args.show_identities {
                IdentityMode::Shown
            } else {
                IdentityMode::Masked
            };
            let report = runner::run_redacted(
                checks::ALL,
                &facts,
                &selection,
                mode,
                time::rfc3339(facts.now),
            );
            let format = match (args.format, args.json) {
                (Some(f), _) => f,
                (None, true) => render::Format::Json,
                (None, false) => render::Format::Human,
            };
            let text = match format {
                render::Format::Json => render::json::render(&report),
                render::Format::Github => render::github::render(&report, args.strict),
                render::Format::Junit => render::junit::render(&report, args.strict),
                render::Format::Human => {
                    let style = Style {
                        color: render::color_enabled(&env, std::io::stdout().is_terminal()),
                        ascii: args.ascii,
                        verbose: args.verbose,
                    };
                    render::human::render(&report, style)
                }
            };
            out(&text);
            ExitCode::from(report.exit_code(args.strict))
        }
        Command::Bundle(args) => run_bundle(env, &cwd, &args, dir),
        Command::Fix(args) => {
            let color = render::color_enabled(&env, std::io::stdout().is_terminal());
            let o = codex_doctor::fix_cmd::run(env, &cwd, &args, color, &mut confirm);
            o.stderr.iter().for_each(|l| err(l));
            out(&o.stdout);
            ExitCode::from(o.code)
        }
        Command::Scan { paths, json } => run_scan(env, &cwd, &paths, json),
        Command::Paths { json } => {
            let options = FactOptions {
                dir,
                ..FactOptions::default()
            };
            let facts = Facts::new(env, &cwd, options);
            match paths_cmd::rows(&facts) {
                Ok(rows) => {
                    let text = if json {
                        let mut s = serde_json::to_string_pretty(&rows).unwrap_or_default();
                        s.push('\n');
                        s
                    } else {
                        paths_cmd::render_text(&rows)
                    };
                    out(&text);
                    ExitCode::SUCCESS
                }
                Err(e) => fail(
                    &DoctorError::environment(e)
                        .hint("set HOME to your home directory (or XDG_CONFIG_HOME and XDG_DATA_HOME to absolute paths)"),
                ),
            }
        }
        Command::ExplainList => {
            let mut s = String::new();
            for (code, kind) in explain::list() {
                s.push_str(&format!("{code}\t{kind}\n"));
            }
            out(&s);
            ExitCode::SUCCESS
        }
        Command::Explain(code) => match explain::lookup(&code) {
            Some(Found::Code(e)) => {
                let http = e.http.map(|h| format!(" (HTTP {h})")).unwrap_or_default();
                out(&format!(
                    "{}\n  {}{http}\n\nWhat it means:\n  {}\n\nFix:\n  {}\n",
                    e.code, e.kind, e.meaning, e.fix
                ));
                ExitCode::SUCCESS
            }
            Some(Found::Check(c)) => {
                out(&format!(
                    "{}\n  check in group {}: {}\n\n{}\n\nRun it alone: codex-doctor --only {} -v\n",
                    c.id,
                    c.group(),
                    c.title,
                    c.about,
                    c.id
                ));
                ExitCode::SUCCESS
            }
            None => {
                let near = explain::closest(&code);
                // The pasted text may be a whole log line with tokens in it: `fail` shows it
                // redacted.
                let mut e = DoctorError::usage(format!("unknown code {code:?}"));
                if !near.is_empty() {
                    e = e.hint(format!("closest matches: {}", near.join(", ")));
                }
                fail(&e.hint("`codex-doctor explain --list` lists them all"))
            }
        },
    }
}

/// `fix` without --yes on a terminal: show the plan and ask (`None`: not a terminal).
fn confirm(plan: &str) -> Option<bool> {
    if !std::io::stdin().is_terminal() {
        return None;
    }
    out(plan);
    err("Apply these fixes? [y/N]");
    let mut answer = String::new();
    Some(std::io::stdin().read_line(&mut answer).is_ok() && answer.trim().eq_ignore_ascii_case("y"))
}

/// The progress bar of `bundle`: on stderr, only on a terminal, only past a few MB.
struct Bar(Option<indicatif::ProgressBar>);

impl codex_bundle::Progress for Bar {
    fn start(&mut self, total: u64) {
        if total < 4 * 1024 * 1024 || !std::io::stderr().is_terminal() {
            return;
        }
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(total),
            indicatif::ProgressDrawTarget::stderr(),
        );
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "redacting logs {bar:30} {bytes}/{total_bytes} {bytes_per_sec}",
        ) {
            bar.set_style(style);
        }
        self.0 = Some(bar);
    }

    fn advance(&mut self, n: u64) {
        if let Some(b) = &self.0 {
            b.inc(n);
        }
    }

    fn finish(&mut self) {
        if let Some(b) = self.0.take() {
            b.finish_and_clear();
        }
    }
}

fn run_bundle(
    env: EnvSnapshot,
    cwd: &std::path::Path,
    args: &codex_doctor::cli::BundleCommand,
    dir: Option<PathBuf>,
) -> ExitCode {
    let login_port = match login_port(&env) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    let options = FactOptions {
        online: false,
        login_port,
        dir,
    };
    let facts = Facts::new(env, cwd, options);
    let input = match bundle_cmd::bundle_input(&facts, args, cwd) {
        Ok(i) => i,
        Err(e) => {
            return fail(&DoctorError::environment(e).hint(
                "set HOME to your home directory (or XDG_CONFIG_HOME and XDG_DATA_HOME to absolute paths)",
            ))
        }
    };
    match codex_bundle::build(input, &mut Bar(None)) {
        Ok(res) => {
            for note in bundle_cmd::excluded_notes(&res.manifest) {
                err(&note);
            }
            if args.json {
                out(&res.manifest_json);
            } else {
                out(&format!("{}\n{}\n", res.path.display(), res.summary_line()));
            }
            ExitCode::SUCCESS
        }
        Err(codex_bundle::BundleError::SelfScan { path, findings }) => {
            err(&format!(
                "error: the bundle still contained {} secret-looking value(s) after redaction, so {} was not written:",
                findings.len(),
                path.display()
            ));
            for f in &findings {
                err(&format!("  {}", bundle_cmd::finding_line(f).trim_end()));
            }
            err("\nhint: please report this (the lines above show no secret values) at https://github.com/codex-kit/codex-kit/issues");
            ExitCode::from(1)
        }
        Err(e) => fail(&bundle_error(e)),
    }
}

fn run_scan(env: EnvSnapshot, cwd: &std::path::Path, paths: &[PathBuf], json: bool) -> ExitCode {
    let facts = Facts::new(env, cwd, FactOptions::default());
    let scrubber = bundle_cmd::scan_scrubber(&facts);
    let report = match codex_bundle::scan_paths(paths, &scrubber) {
        Ok(r) => r,
        Err(e) => {
            return fail(
                &DoctorError::environment(e.to_string())
                    .hint("check the path exists and is readable"),
            )
        }
    };
    if json {
        let mut s = serde_json::to_string_pretty(&report).unwrap_or_default();
        s.push('\n');
        out(&s);
    } else {
        for note in bundle_cmd::render_skipped(&report) {
            err(&note);
        }
        out(&bundle_cmd::render_scan(&report));
    }
    ExitCode::from(bundle_cmd::scan_exit_code(&report))
}

/// A bundle failure as the doctor's error, with a hint where there is something to do.
fn bundle_error(e: codex_bundle::BundleError) -> DoctorError {
    use codex_bundle::BundleError;
    let hint = match &e {
        BundleError::Exists { .. } => Some("or choose another file with -o"),
        BundleError::NotAFile { .. } => Some("choose a file name with -o"),
        BundleError::NoFolder { .. } => Some("create the folder first, or choose another with -o"),
        BundleError::Write { .. } | BundleError::Zip { .. } => {
            Some("choose a writable location with -o")
        }
        _ => None,
    };
    let base = DoctorError::environment(e.to_string());
    match hint {
        Some(h) => base.hint(h),
        None => base,
    }
}
