//! `cache/codex-snapshots.json`: quota snapshots per identity key (reference 7.8).
//!
//! The file maps identity keys to opaque snapshot objects
//! (`{updatedAt, modelFamily, limits:[…], credits:{…}}`); this module keeps them as JSON and
//! only owns reading (best-effort: anything but an object reads as empty) and locked,
//! atomic, skip-if-unchanged writing.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::cachefile::{load_best_effort, update_json};
use crate::error::Result;
use crate::store::{StoreOptions, Updated};

/// Snapshots keyed by identity key.
pub type Snapshots = Map<String, Value>;

/// The snapshots file.
#[derive(Debug, Clone)]
pub struct SnapshotStore {
    path: PathBuf,
    opts: StoreOptions,
}

impl SnapshotStore {
    /// A store at `path` (normally `Paths::cache_file("codex-snapshots.json")`).
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self::with_options(path, StoreOptions::default())
    }

    /// A store with options.
    pub fn with_options(path: impl Into<PathBuf>, opts: StoreOptions) -> Self {
        SnapshotStore {
            path: path.into(),
            opts,
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Unlocked best-effort read.
    pub fn load(&self) -> Result<Snapshots> {
        Ok(load_best_effort(&self.path, &self.opts)?.unwrap_or_default())
    }

    /// Locked read-modify-write; skipped when nothing changed.
    pub fn update<T>(&self, f: impl FnOnce(&mut Snapshots) -> T) -> Result<Updated<T>> {
        update_json(
            &self.path,
            &self.opts,
            &Value::Object(Map::new()),
            |current| {
                let mut map = current.unwrap_or_default();
                let value = f(&mut map);
                (Value::Object(map), value)
            },
        )
    }
}
