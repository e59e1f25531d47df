//! Safe reading and writing of the plugin's auth store, beside a running plugin.
//!
//! This crate owns every byte codex-kit writes to `codex-accounts.json` and its two cache
//! companions. [`lock`] is a proper-lockfile-compatible `mkdir` lock (kept fresh by one
//! heartbeat thread per process), [`atomic`] replaces files with the plugin's temp-file
//! naming, [`quarantine`] moves corrupt content aside, [`state`] parses, migrates and
//! normalizes the account domains and serializes them byte for byte like the plugin
//! ([`json`]; the usual file shape is read without an intermediate JSON tree), [`ops`] holds
//! the edits (upsert, cooldown, tokens, refresh leases, switch / enable / disable / remove),
//! [`legacy`] the explicit transfer, and [`store`] ties them into locked read-modify-write
//! operations on a path. [`snapshots`] and [`affinity`] handle the cache files with the same
//! rules. Nothing here prints; tokens live in [`codex_redact::Secret`] from the moment they
//! are parsed.

pub mod account;
pub mod affinity;
pub mod atomic;
mod cachefile;
mod direct;
pub mod error;
pub mod gitignore;
mod heartbeat;
pub mod identity;
pub mod json;
pub mod legacy;
pub mod lock;
pub mod ops;
pub mod quarantine;
pub mod snapshots;
pub mod state;
pub mod store;

pub use account::Account;
pub use codex_auth::model::Domain;
pub use error::{LockError, Result, StoreError};
pub use legacy::{should_offer_legacy_transfer, SourceReport, SourceStatus, TransferReport};
pub use lock::{FileLock, LockOptions};
pub use ops::{AccountRow, CommitOptions, Lease, LoginTokens, RefreshedTokens};
pub use state::{AuthState, DomainState, OauthState, OpenAi};
pub use store::{system_clock, AuthStore, Clock, StoreOptions, Updated, WriteOutcome};
