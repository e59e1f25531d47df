//! Safe reading and writing of the plugin's auth store, beside a running plugin.
//!
//! This crate owns every byte codex-kit writes to `codex-accounts.json` and its two cache
//! companions. [`lock`] is a proper-lockfile-compatible `mkdir` lock (kept fresh by one
//! heartbeat thread per process), [`atomic`] replaces files with the plugin's temp-file
//! naming, [`quarantine`] moves corrupt content aside; the file format (parse, migration,
//! normalization, byte-exact serialization) and the edits on it (upsert, cooldown, tokens,
//! refresh leases, switch / enable / disable / remove) are `codex_auth`'s, re-exported here;
//! [`legacy`] is the explicit transfer, and [`store`] ties them into locked read-modify-write
//! operations on a path. [`snapshots`] and [`affinity`] handle the cache files with the same
//! rules. Nothing here prints; tokens live in [`codex_redact::Secret`] from the moment they
//! are parsed.

#![warn(unreachable_pub)]

pub mod affinity;
pub mod atomic;
mod cachefile;
mod error;
pub mod gitignore;
mod heartbeat;
pub mod legacy;
pub mod lock;
pub mod quarantine;
pub mod snapshots;
mod store;

/// The file format is `codex-auth`'s; the store writes through it.
pub use codex_auth::json;
pub use codex_auth::ops::{
    self, AccountRow, CommitOptions, EditError, Lease, LoginTokens, RefreshedTokens,
};
pub use codex_auth::{Account, AuthState, Domain, DomainState, OauthState, OpenAi};
pub use error::{LockError, Result, StoreError};
pub use legacy::{should_offer_legacy_transfer, SourceReport, SourceStatus, TransferReport};
pub use lock::{FileLock, LockOptions};
pub use store::{system_clock, AuthStore, Clock, StoreOptions, Updated, WriteOutcome};
