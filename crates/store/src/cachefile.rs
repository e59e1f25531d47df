//! Locked, atomic, skip-if-unchanged updates of the plugin's small JSON cache files.
//!
//! `cache/codex-snapshots.json` and `cache/codex-session-affinity.json` use the same lock
//! (`<file>.lock` → `<realpath>.lock/`) and atomic write as the account store; their readers
//! are best-effort (missing or malformed content reads as empty, reference 6.4 / 7.8). Where
//! the plugin would overwrite malformed content, this module first moves it to quarantine,
//! so nothing a person might want back is destroyed.

use std::path::Path;

use serde_json::Value;

use crate::atomic::write_atomic;
use crate::error::Result;
use crate::json::to_js_pretty;
use crate::lock::with_lock;
use crate::quarantine::{default_quarantine_dir, quarantine_file};
use crate::store::{read_json_object, Classified, StoreOptions, Updated, WriteOutcome};

/// Best-effort read: `None` when missing or malformed (non-object counts as malformed).
pub(crate) fn load_best_effort(
    path: &Path,
    opts: &StoreOptions,
) -> Result<Option<serde_json::Map<String, Value>>> {
    match read_json_object(path, opts.max_bytes)? {
        Classified::Parsed(m) => Ok(Some(m)),
        Classified::Missing | Classified::Corrupt(_) => Ok(None),
    }
}

/// Under the lock: read (quarantining malformed content), let `f` build the next value,
/// and write it atomically unless its serialization equals the current file's (a missing
/// file counts as `empty`).
pub(crate) fn update_json<T>(
    path: &Path,
    opts: &StoreOptions,
    empty: &Value,
    f: impl FnOnce(Option<serde_json::Map<String, Value>>) -> (Value, T),
) -> Result<Updated<T>> {
    crate::atomic::refuse_symlink(path)?;
    with_lock(path, &opts.lock, |lock| {
        let (current, before) = match read_json_object(path, opts.max_bytes)? {
            Classified::Parsed(m) => {
                let before = to_js_pretty(&Value::Object(m.clone()));
                (Some(m), Some(before))
            }
            Classified::Missing => (None, Some(to_js_pretty(empty))),
            Classified::Corrupt(_) => {
                let _ = quarantine_file(path, &default_quarantine_dir(path), opts.now(), opts.keep);
                (None, None)
            }
        };
        let (next, value) = f(current);
        let text = to_js_pretty(&next);
        if before.as_deref() == Some(text.as_str()) {
            return Ok(Updated {
                value,
                outcome: WriteOutcome::Unchanged,
            });
        }
        lock.check()?;
        write_atomic(path, text.as_bytes(), opts.write_options(), opts.now())?;
        Ok(Updated {
            value,
            outcome: WriteOutcome::Written,
        })
    })
}
