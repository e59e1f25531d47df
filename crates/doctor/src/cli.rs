//! Command-line arguments (clap derive) and their validation into a run context.
//!
//! Two stages, as in ripgrep: [`Cli`] is the raw parse; [`Cli::into_command`] validates it into
//! a [`Command`] that the binary dispatches. Nothing here touches the user's files.

use clap::{Args, Parser, Subcommand};

/// Diagnose an OpenCode + @iam-brain/opencode-codex-auth setup.
#[derive(Debug, Parser)]
#[command(name = "codex-doctor", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Sub>,
    #[command(flatten)]
    check: CheckArgs,
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
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
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
    /// Explain a code.
    Explain(String),
    /// List codes.
    ExplainList,
}

impl Cli {
    /// Validates the raw arguments.
    pub fn into_command(self) -> Result<Command, String> {
        match self.command {
            None => Ok(Command::Check(self.check)),
            Some(Sub::Check(mut a)) => {
                // Flags given before `check` apply too.
                let top = self.check;
                a.json |= top.json;
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
            Some(Sub::Explain { list: true, .. }) => Ok(Command::ExplainList),
            Some(Sub::Explain { code: Some(c), .. }) => Ok(Command::Explain(c)),
            Some(Sub::Explain { code: None, .. }) => {
                Err("explain needs a CODE (or --list to see them all)".to_string())
            }
        }
    }
}
