//! The resolved context of a run: paths, auth mode, lock timing, clock.
//!
//! Paths come from `codex_paths::Paths::resolve` (the plugin's strict rule for the auth
//! store); the mode is the plugin's runtime mode, resolved by `codex_config` from
//! `codex-config.jsonc` and the environment (`OPENCODE_OPENAI_MULTI_MODE` first).

use std::path::{Path, PathBuf};
use std::time::Duration;

use codex_config::ModeSource;
use codex_env::EnvSnapshot;
use codex_paths::Paths;
use codex_store::{system_clock, AuthStore, Domain, LockOptions, StoreOptions};

use crate::error::RuntimeError;

/// Everything a command needs.
#[derive(Debug, Clone)]
pub struct Context {
    /// Resolved locations.
    pub paths: Paths,
    /// The runtime mode (the domain used for routing).
    pub mode: Domain,
    /// Where the mode came from.
    pub mode_source: ModeSource,
    /// Store options (lock timing).
    pub store_options: StoreOptions,
    /// The environment the context was resolved from.
    pub env: EnvSnapshot,
    /// The working directory.
    pub cwd: PathBuf,
}

impl Context {
    /// Resolves the context from the environment and the working directory.
    pub fn resolve(
        env: &EnvSnapshot,
        cwd: &Path,
        lock_timeout_secs: f64,
    ) -> Result<Context, RuntimeError> {
        let paths = Paths::resolve(env, cwd).map_err(|e| RuntimeError::user(e.to_string()))?;
        let config = codex_config::load(&paths, env);
        let resolved = codex_config::resolve(&config.value, env);
        let mode = resolved.mode.domain();
        if !lock_timeout_secs.is_finite() || lock_timeout_secs < 0.0 {
            return Err(RuntimeError::user(format!(
                "--lock-timeout must be a non-negative number of seconds, not {lock_timeout_secs}"
            )));
        }
        let lock = LockOptions::default().with_budget(Duration::from_secs_f64(lock_timeout_secs));
        Ok(Context {
            paths,
            mode,
            mode_source: resolved.mode_source,
            store_options: StoreOptions::default()
                .with_lock(lock)
                .with_clock(system_clock()),
            env: env.clone(),
            cwd: cwd.to_path_buf(),
        })
    }

    /// `codex-accounts.json`.
    pub fn store(&self) -> AuthStore {
        AuthStore::with_options(self.paths.auth_store().path, self.store_options.clone())
    }

    /// Legacy transfer sources, in the plugin's order (reference 4.6).
    pub fn legacy_sources(&self) -> Vec<PathBuf> {
        std::iter::once(self.paths.legacy_store().path)
            .chain(self.paths.opencode_auth_files().into_iter().map(|r| r.path))
            .collect()
    }

    /// Milliseconds since the epoch.
    pub fn now_ms(&self) -> u64 {
        (self.store_options.clock)()
    }
}
