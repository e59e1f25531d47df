//! Command-line arguments (raw flags; [`crate::context`] turns them into a resolved context).
//!
//! Indices are the plugin's tool indices: 1-based over the aggregate `openai.accounts` rows
//! that have an identity key (reference 12.1), as `accounts list` shows them.

use clap::{Args, Parser, Subcommand};

/// Account rotation for the Codex backend, beside the opencode-codex-auth plugin.
#[derive(Debug, Parser)]
#[command(name = "codex-runtime", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in with ChatGPT (browser with PKCE on port 1455, or --device) and save the account.
    Login(crate::login::LoginArgs),
    /// Inspect and edit the accounts in codex-accounts.json.
    Accounts(AccountsArgs),
    /// Run the rotating, streaming proxy to the Codex backend (see docs/proxy.md).
    Serve(crate::serve::ServeArgs),
    /// Print the opencode.json provider snippet that points OpenCode at `serve`.
    OpencodeConfig(crate::serve::OpencodeConfigArgs),
}

/// `accounts` and its options.
#[derive(Debug, Args)]
pub struct AccountsArgs {
    /// Seconds to wait for the store's lock before reporting who holds it.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = 12.0)]
    pub lock_timeout: f64,

    /// The action.
    #[command(subcommand)]
    pub action: AccountsAction,
}

/// `accounts` actions.
#[derive(Debug, Subcommand)]
pub enum AccountsAction {
    /// List accounts: index, masked label, plan, domains, enabled, active, cooldown, token expiry.
    List {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Make account N active (in every domain where it is enabled).
    Use {
        /// 1-based index from `accounts list`.
        index: usize,
    },
    /// Enable account N.
    Enable {
        /// 1-based index from `accounts list`.
        index: usize,
    },
    /// Disable account N.
    Disable {
        /// 1-based index from `accounts list`.
        index: usize,
    },
    /// Remove account N from every domain (needs --yes).
    Remove {
        /// 1-based index from `accounts list`.
        index: usize,
        /// Confirm the removal.
        #[arg(long)]
        yes: bool,
    },
    /// Import accounts from the legacy plugin store and OpenCode's auth.json.
    Transfer {
        /// Upsert into an existing codex-accounts.json (normally it is authoritative).
        #[arg(long)]
        merge: bool,
    },
}
