//! Every way the store can fail, with the context a person needs to act.
//!
//! Each variant names the file (and, for lock failures, the lock directory and how long it
//! has been held); corrupt content names the quarantine path it was moved to. No variant
//! carries a token: values that could be secret are never formatted into messages, and
//! identity keys are masked.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

/// Result alias for the store.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

fn secs(d: &Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

fn held_description(held_for: &Option<Duration>, refreshed_ago: &Option<Duration>) -> String {
    match (held_for, refreshed_ago) {
        (Some(h), Some(r)) => format!(
            "has been held for {} (last refreshed {} ago)",
            secs(h),
            secs(r)
        ),
        (Some(h), None) => format!("has been held for {}", secs(h)),
        (None, Some(r)) => format!("is held (last refreshed {} ago)", secs(r)),
        (None, None) => "is held".to_string(),
    }
}

fn age_description(age: &Option<Duration>) -> String {
    match age {
        Some(a) => format!(", last modified {} ago", secs(a)),
        None => String::new(),
    }
}

/// Failures of the proper-lockfile-compatible lock.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another process holds the lock and did not release it within the retry budget.
    #[error(
        "{file} is locked by another process: lock directory {lock_dir} {held}; gave up after {waited}",
        held = held_description(.held_for, .refreshed_ago),
        waited = secs(.waited)
    )]
    Held {
        /// The file being locked.
        file: PathBuf,
        /// The lock directory (`<realpath(file.lock)>.lock`).
        lock_dir: PathBuf,
        /// Time since the lock directory was created, when the filesystem reports it.
        held_for: Option<Duration>,
        /// Time since its mtime was last refreshed.
        refreshed_ago: Option<Duration>,
        /// How long we retried.
        waited: Duration,
    },
    /// A lock directory made by the plugin's fallback (it holds `.owner`); it is never stale
    /// for the plugin and never removed by us.
    #[error(
        "{lock_dir} is a leftover lock of the plugin's fallback locker (it contains `.owner`{age}); it blocks every writer and is never reclaimed automatically. Make sure no OpenCode process is running, then remove the directory by hand"
        , age = age_description(.age)
    )]
    FallbackLeftover {
        /// The lock directory.
        lock_dir: PathBuf,
        /// Time since its last modification.
        age: Option<Duration>,
    },
    /// The lock directory holds files, so neither we nor proper-lockfile can reclaim it.
    #[error("{lock_dir} is a stale lock directory that is not empty; remove it by hand once no OpenCode process is running")]
    NotEmpty {
        /// The lock directory.
        lock_dir: PathBuf,
    },
    /// Someone removed or touched our lock directory while we held it (it was taken as stale).
    #[error("the lock {lock_dir} was taken over by another process while held (it looked stale); nothing was written")]
    Compromised {
        /// The lock directory.
        lock_dir: PathBuf,
    },
    /// A filesystem operation on the lock failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What we tried (`create`, `stat`, `remove`, …).
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
}

/// Failures of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A filesystem operation failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What we tried (`read`, `write`, `rename`, …).
        action: &'static str,
        /// The path.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
    /// Locking failed.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// The content did not parse (or was not an object) and was moved to quarantine.
    #[error("Corrupt auth storage JSON at {path}. Quarantined file: {quarantined}. Re-authenticate or repair the file. ({detail})")]
    Corrupt {
        /// The store.
        path: PathBuf,
        /// Where the content now is.
        quarantined: PathBuf,
        /// What was wrong (parser message or the JSON type found); never content.
        detail: String,
    },
    /// The content is corrupt and could not be quarantined; it was left in place.
    #[error("Corrupt auth storage JSON at {path} ({detail}); moving it to {quarantine_dir} failed: {source}. The file was left in place; repair or move it by hand")]
    QuarantineFailed {
        /// The store.
        path: PathBuf,
        /// The quarantine directory.
        quarantine_dir: PathBuf,
        /// What was wrong with the content.
        detail: String,
        /// Why the move failed.
        #[source]
        source: io::Error,
    },
    /// The file holds bytes that are not UTF-8 inside otherwise valid JSON.
    #[error("{path} is not valid UTF-8 (first bad byte at offset {offset}); the plugin would silently replace those bytes, so it was left untouched. Repair it by hand")]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// The file is larger than any account store should be.
    #[error("{path} is {size} bytes, over the {limit}-byte limit for this file; it was left untouched. Inspect it by hand")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Valid JSON this reader cannot represent faithfully (nesting depth, lone surrogates,
    /// numbers beyond double range). Left untouched rather than called corrupt.
    #[error("{path} holds JSON this tool cannot process ({detail}); it was left untouched")]
    Unsupported {
        /// The file.
        path: PathBuf,
        /// Parser message.
        detail: String,
    },
    /// A field has a type the plugin cannot handle.
    #[error("{path}: `{at}` should be {expected} but is {found}; nothing was written. Repair the file by hand or re-authenticate")]
    InvalidShape {
        /// The file.
        path: PathBuf,
        /// JSON path of the field, e.g. `openai.native.accounts[0].expires`.
        at: String,
        /// The type wanted.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
    /// The target is a symbolic link; an atomic rename would replace the link.
    #[error("{path} is a symbolic link to {target}; writing would replace the link with a regular file and leave {target} stale, so nothing was written. Replace the link with the file itself")]
    Symlink {
        /// The link.
        path: PathBuf,
        /// Where it points.
        target: PathBuf,
    },
    /// The `openai` entry exists but is not an OAuth entry this tool can edit.
    #[error(
        "{path}: the `openai` entry is {found}, not an OAuth account store; it was left untouched"
    )]
    NotOauth {
        /// The file.
        path: PathBuf,
        /// Description of what was found.
        found: String,
    },
    /// No `openai` OAuth entry at all.
    #[error("OpenAI OAuth not configured: {path} has no accounts")]
    NotConfigured {
        /// The file.
        path: PathBuf,
    },
    /// A tool's edit by row index was refused (invalid index, no identity, disabled).
    #[error(transparent)]
    Edit(#[from] codex_auth::EditError),
    /// The account store exists, so a legacy transfer would not be offered.
    #[error("{path} already exists and is authoritative (even when empty); nothing was imported. Pass --merge to upsert the legacy accounts into it anyway")]
    StoreExists {
        /// The store.
        path: PathBuf,
    },
}

impl StoreError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        StoreError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

impl LockError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        LockError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
