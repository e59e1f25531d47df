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
    /// Run `serve` as a per-user service (systemd user unit on Linux, launchd agent on macOS).
    Service(ServiceArgs),
}

/// `service` and its action.
#[derive(Debug, Args)]
pub struct ServiceArgs {
    /// The action.
    #[command(subcommand)]
    pub action: ServiceAction,
}

/// Options shared by the `service` actions.
#[derive(Debug, Args)]
pub struct ServiceTarget {
    /// The service manager (default: systemd on Linux, launchd on macOS).
    #[arg(long, value_enum)]
    pub target: Option<crate::service::Target>,
}

/// What the service runs.
#[derive(Debug, Args)]
pub struct ServiceRun {
    /// Address `serve` listens on.
    #[arg(long, value_name = "ADDR", default_value = codex_proxy::DEFAULT_LISTEN, value_parser = crate::listen::parse_listen)]
    pub listen: std::net::SocketAddr,
    /// The codex-runtime binary the service starts (default: this one).
    #[arg(long, value_name = "PATH")]
    pub exe: Option<std::path::PathBuf>,
    /// More `serve` options, after `--` (e.g. `-- --client-key-file ~/.config/codex-kit/key`).
    #[arg(last = true, value_name = "SERVE-ARGS")]
    pub serve_args: Vec<String>,
}

/// `service` actions.
#[derive(Debug, Subcommand)]
pub enum ServiceAction {
    /// Write the service file, then load and start it.
    Install {
        #[command(flatten)]
        target: ServiceTarget,
        #[command(flatten)]
        run: ServiceRun,
        /// Only write the file; do not ask the service manager to start it.
        #[arg(long)]
        no_start: bool,
        /// Replace a file at the same path that codex-runtime did not write.
        #[arg(long)]
        force: bool,
    },
    /// Stop the service and remove its file.
    Uninstall {
        #[command(flatten)]
        target: ServiceTarget,
        /// Remove a file at the same path that codex-runtime did not write.
        #[arg(long)]
        force: bool,
    },
    /// Whether the service file is installed and current, and whether it runs (exit 1 if not).
    Status {
        #[command(flatten)]
        target: ServiceTarget,
        #[command(flatten)]
        run: ServiceRun,
    },
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::{Cli, Command};
    use clap::Parser;

    #[test]
    fn serve_and_opencode_config_take_localhost_and_a_bare_port() {
        let cli =
            Cli::try_parse_from(["codex-runtime", "serve", "--listen", "localhost:0"]).unwrap();
        let Command::Serve(args) = cli.command else {
            panic!("serve")
        };
        assert_eq!(args.listen.unwrap().to_string(), "127.0.0.1:0");
        let cli =
            Cli::try_parse_from(["codex-runtime", "opencode-config", "--listen", "8080"]).unwrap();
        let Command::OpencodeConfig(args) = cli.command else {
            panic!("opencode-config")
        };
        assert_eq!(args.listen.unwrap().to_string(), "127.0.0.1:8080");
        let err = Cli::try_parse_from(["codex-runtime", "serve", "--listen", "example.com:80"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("localhost:PORT"), "{err}");
    }
}
