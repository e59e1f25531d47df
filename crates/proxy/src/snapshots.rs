//! Rate-limit snapshots from response headers into `codex-snapshots.json` (reference 7.6,
//! 7.8), so the plugin's `codex-status` and the doctor see what the proxy saw.
//!
//! Each response's headers are parsed; a snapshot with at least one limit is written under
//! the file's lock on a blocking thread, at most once per `min_interval` per account unless
//! the limits changed. Credits stored by the plugin's usage polling are kept. Writes never
//! delay a response.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use codex_rotation::ratelimit::{snapshot_value, Limit, UsageSnapshot};
use codex_store::snapshots::SnapshotStore;

/// The recorder.
#[derive(Debug)]
pub struct SnapshotRecorder {
    store: SnapshotStore,
    min_interval: Duration,
    last: Mutex<HashMap<String, (Vec<Limit>, Instant)>>,
}

impl SnapshotRecorder {
    /// A recorder writing to `store`.
    pub fn new(store: SnapshotStore, min_interval: Duration) -> Self {
        SnapshotRecorder {
            store,
            min_interval,
            last: Mutex::new(HashMap::new()),
        }
    }

    /// Records `limits` for `identity_key` (in the background).
    pub fn record(&self, identity_key: &str, limits: Vec<Limit>, now_ms: f64) {
        if limits.is_empty() {
            return;
        }
        {
            let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((prev, at)) = last.get(identity_key) {
                if *prev == limits && at.elapsed() < self.min_interval {
                    return;
                }
            }
            last.insert(identity_key.to_string(), (limits.clone(), Instant::now()));
        }
        let store = self.store.clone();
        let key = identity_key.to_string();
        tokio::task::spawn_blocking(move || {
            let res = store.update(|map| {
                let credits = map.get(&key).and_then(|v| v.get("credits")).cloned();
                let snap = UsageSnapshot { limits, credits };
                map.insert(key, snapshot_value(now_ms, &snap));
            });
            if let Err(e) = res {
                tracing::warn!(error = %e, "could not write codex-snapshots.json");
            }
        });
    }
}
