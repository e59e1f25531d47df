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
        /// Show emails, account ids and identity keys unmasked (for your own terminal).
        #[arg(long)]
        show_identities: bool,
    },
    /// Refresh the OAuth tokens of account N (or --all), with the plugin's refresh lease.
    Refresh {
        /// Which accounts.
        #[command(flatten)]
        target: Target,
        /// Test/self-hosting hook: OAuth issuer URL (also CODEX_RUNTIME_ISSUER).
        #[arg(long, value_name = "URL")]
        issuer: Option<String>,
    },
    /// Fetch the usage of account N (or --all): 5-hour and weekly windows, resets, credits;
    /// saved as the quota snapshots the plugin and the doctor read.
    Quota {
        /// Which accounts.
        #[command(flatten)]
        target: Target,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
        /// Test/self-hosting hook: OAuth issuer URL (also CODEX_RUNTIME_ISSUER).
        #[arg(long, value_name = "URL")]
        issuer: Option<String>,
        /// Test/self-hosting hook: Codex backend base URL (also CODEX_RUNTIME_UPSTREAM).
        #[arg(long, value_name = "URL")]
        upstream: Option<String>,
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

/// An account index or `--all`.
#[derive(Debug, Args)]
pub struct Target {
    /// 1-based index from `accounts list`.
    #[arg(required_unless_present = "all")]
    pub index: Option<usize>,
    /// Every account.
    #[arg(long, conflicts_with = "index")]
    pub all: bool,
}
