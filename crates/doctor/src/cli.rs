//! Command-line arguments (clap derive) and their validation into a run context.
//!
//! Two stages, as in ripgrep: [`Cli`] is the raw parse; [`Cli::into_command`] validates it into
//! a [`Command`] that the binary dispatches. Nothing here touches the user's files.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::error::DoctorError;

/// Diagnose an OpenCode + @iam-brain/opencode-codex-auth setup.
#[derive(Debug, Parser)]
#[command(name = "codex-doctor", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Sub>,
    #[command(flatten)]
    check: CheckArgs,
    /// The project directory OpenCode would run in (default: the working directory); its
    /// `opencode.json[c]` files and `.opencode` folders are part of OpenCode's config.
    #[arg(long, global = true, value_name = "DIR")]
    dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Sub {
    /// Run all checks (the default).
    Check(CheckArgs),
    /// Show every resolved path, the rule that decided it, and whether it exists.
    Paths {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write a redacted zip (report, config, accounts summary, caches, logs) safe to attach
    /// to a public issue.
    Bundle(BundleArgs),
    /// Look for secrets in files, folders or zips (exit 1 when anything is found).
    Scan {
        /// Files, folders or zips to scan.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Print the findings as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Repair what the checks found: shows every change as a diff; writes only with --yes.
    Fix(crate::fix_cmd::FixArgs),
    /// Explain an error code, warning, status text or check id.
    Explain {
        /// The code or text (e.g. all_accounts_cooling_down, auth.identity).
        code: Option<String>,
        /// List every code.
        #[arg(long)]
        list: bool,
    },
}

/// Flags of `check`.
#[derive(Debug, Args, Clone, Default)]
pub struct CheckArgs {
    /// Print the report as JSON on stdout (same as `--format json`).
    #[arg(long)]
    pub json: bool,
    /// Output format: human, json, github (workflow annotations) or junit (XML).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<crate::render::Format>,
    /// Add network checks (default: fully offline).
    #[arg(long)]
    pub online: bool,
    /// Run only checks whose id matches (glob, repeatable: `auth.*`).
    #[arg(long, value_name = "PATTERN")]
    pub only: Vec<String>,
    /// Skip checks whose id matches (glob, repeatable).
    #[arg(long, value_name = "PATTERN")]
    pub skip: Vec<String>,
    /// Warnings fail the run too (exit 1).
    #[arg(long)]
    pub strict: bool,
    /// Show details of passing checks too.
    #[arg(short, long)]
    pub verbose: bool,
    /// Show emails and account ids instead of masking them (tokens are always hidden).
    #[arg(long)]
    pub show_identities: bool,
    /// ASCII markers ([ok] [!!] [XX] [--]) instead of ✓ ! ✗ -.
    #[arg(long)]
    pub ascii: bool,
}

/// Flags of `bundle`.
#[derive(Debug, Args, Clone, Default)]
pub struct BundleArgs {
    /// Where to write the zip (default: ./codex-doctor-bundle-<UTC timestamp>.zip).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Only logs modified within this long (e.g. 30m, 2h, 7d; default: all).
    #[arg(long, value_name = "DURATION")]
    pub since: Option<String>,
    /// At most this many log bytes, newest first (e.g. 20MB, 512K; default 20MB).
    #[arg(long, value_name = "N")]
    pub max_bytes: Option<String>,
    /// Overwrite the output file if it exists, and write the bundle even when some files could not be read.
    #[arg(long)]
    pub force: bool,
    /// Print the manifest as JSON instead of the summary.
    #[arg(long)]
    pub json: bool,
    /// Keep request bodies (prompts, tool output) of snapshot files, still redacted.
    #[arg(long)]
    pub include_bodies: bool,
}

/// `bundle`, validated.
#[derive(Debug, Clone)]
pub struct BundleCommand {
    /// `-o`.
    pub output: Option<PathBuf>,
    /// `--since`.
    pub since: Option<Duration>,
    /// `--max-bytes`.
    pub max_bytes: u64,
    /// `--force`.
    pub force: bool,
    /// `--json`.
    pub json: bool,
    /// `--include-bodies`.
    pub include_bodies: bool,
}

/// A validated command.
#[derive(Debug, Clone)]
pub enum Command {
    /// Run the checks.
    Check(CheckArgs),
    /// Print paths.
    Paths {
        /// JSON output.
        json: bool,
    },
    /// Write a bundle.
    Bundle(BundleCommand),
    /// Scan paths for secrets.
    Scan {
        /// The paths.
        paths: Vec<PathBuf>,
        /// JSON output.
        json: bool,
    },
    /// Plan or apply fixes.
    Fix(crate::fix_cmd::FixArgs),
    /// Explain a code.
    Explain(String),
    /// List codes.
    ExplainList,
}

impl Cli {
    /// `--dir`, when given.
    pub fn dir(&self) -> Option<PathBuf> {
        self.dir.clone()
    }

    /// Validates the raw arguments.
    pub fn into_command(self) -> Result<Command, DoctorError> {
        match self.command {
            None => Ok(Command::Check(self.check)),
            Some(Sub::Check(mut a)) => {
                // Flags given before `check` apply too.
                let top = self.check;
                a.json |= top.json;
                a.format = a.format.or(top.format);
                a.online |= top.online;
                a.strict |= top.strict;
                a.verbose |= top.verbose;
                a.show_identities |= top.show_identities;
                a.ascii |= top.ascii;
                a.only.extend(top.only);
                a.skip.extend(top.skip);
                Ok(Command::Check(a))
            }
            Some(Sub::Paths { json }) => Ok(Command::Paths {
                json: json || self.check.json,
            }),
            Some(Sub::Bundle(b)) => {
                let since = b
                    .since
                    .as_deref()
                    .map(codex_bundle::parse_duration)
                    .transpose()
                    .map_err(|e| {
                        DoctorError::usage(format!("--since {e}"))
                            .hint("durations look like 30m, 2h or 7d")
                    })?;
                // A zero window keeps no log at all: almost surely not what was meant.
                if since.is_some_and(|d| d.is_zero()) {
                    return Err(DoctorError::usage(
                        "--since 0 would leave every log out of the bundle".to_string(),
                    )
                    .hint("omit --since to include logs of any age, or give a window such as 30m or 2d"));
                }
                let max_bytes = match b.max_bytes.as_deref() {
                    None => codex_bundle::DEFAULT_MAX_BYTES,
                    Some(m) => codex_bundle::parse_size(m).map_err(|e| {
                        DoctorError::usage(format!("--max-bytes {e}"))
                            .hint("sizes look like 512K, 20MB or 1G")
                    })?,
                };
                Ok(Command::Bundle(BundleCommand {
                    output: b.output,
                    since,
                    max_bytes,
                    force: b.force,
                    json: b.json || self.check.json,
                    include_bodies: b.include_bodies,
                }))
            }
            Some(Sub::Scan { paths, json }) => Ok(Command::Scan {
                paths,
                json: json || self.check.json,
            }),
            Some(Sub::Fix(f)) => Ok(Command::Fix(f)),
            Some(Sub::Explain { list: true, .. }) => Ok(Command::ExplainList),
            Some(Sub::Explain { code: Some(c), .. }) => Ok(Command::Explain(c)),
            Some(Sub::Explain { code: None, .. }) => {
                Err(DoctorError::usage("explain needs a CODE")
                    .hint("`codex-doctor explain --list` lists every code"))
            }
        }
    }
}
