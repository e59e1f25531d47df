//! Rate-limit snapshots from response headers into `codex-snapshots.json` (reference 7.6,
//! 7.8), so the plugin's `codex-status` and the doctor see what the proxy saw.
//!
//! Each response's headers are parsed; a snapshot with at least one limit is written under
//! the file's lock on a blocking thread, at most once per `min_interval` per account unless
//! the limits changed. A reset time that moved by less than [`RESET_JITTER_MS`] is not a
//! change: a backend that sends only relative resets (`…-reset-after-seconds`) yields a
//! slightly different absolute time on every response, which must not mean a write per
//! response. Credits stored by the plugin's usage polling are kept. Writes never delay a
//! response.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use codex_rotation::ratelimit::{snapshot_value, Limit, UsageSnapshot};
use codex_store::snapshots::SnapshotStore;
use serde_json::Value;

/// Reset times closer than this are the same reset.
pub const RESET_JITTER_MS: f64 = 5_000.0;

/// Whether `a` and `b` say the same thing to a reader: same windows, same percentages, and
/// resets within [`RESET_JITTER_MS`] of each other.
pub fn same_limits(a: &[Limit], b: &[Limit]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.name == y.name
                && x.left_pct == y.left_pct
                && match (x.resets_at, y.resets_at) {
                    (None, None) => true,
                    (Some(p), Some(q)) => (p - q).abs() < RESET_JITTER_MS,
                    _ => false,
                }
        })
}

/// What was last recorded for an account: the limits, when, and a sequence number.
type LastSeen = HashMap<String, (Vec<Limit>, Instant, u64)>;

/// The recorder.
#[derive(Debug)]
pub struct SnapshotRecorder {
    store: SnapshotStore,
    min_interval: Duration,
    last: Arc<Mutex<LastSeen>>,
    seq: AtomicU64,
}

fn lock(m: &Mutex<LastSeen>) -> std::sync::MutexGuard<'_, LastSeen> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl SnapshotRecorder {
    /// A recorder writing to `store`.
    pub fn new(store: SnapshotStore, min_interval: Duration) -> Self {
        SnapshotRecorder {
            store,
            min_interval,
            last: Arc::default(),
            seq: AtomicU64::new(0),
        }
    }

    /// Records a usage poll's snapshot (limits and credits) for `identity_key`, always (a
    /// poll is already spaced by the poller); credits the payload lacks are kept.
    pub fn record_usage(&self, identity_key: &str, snap: UsageSnapshot, now_ms: f64) {
        self.write(identity_key, snap.limits, snap.credits, now_ms);
    }

    /// Records `limits` for `identity_key` (in the background). Background writes may run
    /// in any order; each one writes only if it is still the newest for its account when it
    /// holds the file's lock, so an older snapshot never replaces a newer one.
    pub fn record(&self, identity_key: &str, limits: Vec<Limit>, now_ms: f64) {
        if limits.is_empty() {
            return;
        }
        {
            let last = lock(&self.last);
            if let Some((prev, at, _)) = last.get(identity_key) {
                if same_limits(prev, &limits) && at.elapsed() < self.min_interval {
                    return;
                }
            }
        }
        self.write(identity_key, limits, None, now_ms);
    }

    fn write(&self, identity_key: &str, limits: Vec<Limit>, credits: Option<Value>, now_ms: f64) {
        if limits.is_empty() {
            return;
        }
        let seq = {
            // Numbered and published under one lock, so the newest number is the newest entry.
            let mut last = lock(&self.last);
            let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
            last.insert(
                identity_key.to_string(),
                (limits.clone(), Instant::now(), seq),
            );
            seq
        };
        let store = self.store.clone();
        let key = identity_key.to_string();
        let last = Arc::clone(&self.last);
        tokio::task::spawn_blocking(move || {
            let res = store.update(|map| {
                if lock(&last).get(&key).map(|e| e.2) != Some(seq) {
                    return; // a newer record writes instead
                }
                let credits =
                    credits.or_else(|| map.get(&key).and_then(|v| v.get("credits")).cloned());
                let snap = UsageSnapshot { limits, credits };
                map.insert(key, snapshot_value(now_ms, &snap));
            });
            if let Err(e) = res {
                tracing::warn!(error = %e, "could not write codex-snapshots.json");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(name: &str, left: f64, reset: Option<f64>) -> Limit {
        Limit {
            name: name.into(),
            left_pct: left,
            resets_at: reset,
        }
    }

    #[test]
    fn a_reset_that_drifts_with_the_clock_is_the_same_reset() {
        let a = [limit("requests", 75.0, Some(1_000_000.0))];
        assert!(same_limits(
            &a,
            &[limit("requests", 75.0, Some(1_000_900.0))]
        ));
        assert!(!same_limits(
            &a,
            &[limit("requests", 75.0, Some(1_010_000.0))]
        ));
        assert!(!same_limits(
            &a,
            &[limit("requests", 74.0, Some(1_000_000.0))]
        ));
        assert!(!same_limits(
            &a,
            &[limit("tokens", 75.0, Some(1_000_000.0))]
        ));
        assert!(!same_limits(&a, &[limit("requests", 75.0, None)]));
        assert!(!same_limits(&a, &[]));
    }

    #[tokio::test]
    async fn relative_resets_do_not_mean_a_write_per_response_and_the_newest_wins() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("codex-snapshots.json");
        let rec = SnapshotRecorder::new(SnapshotStore::new(&path), Duration::from_secs(30));
        // The same "resets in 600 s" seen 3 ms apart: the second is not recorded.
        rec.record(
            "k",
            vec![limit("requests", 75.0, Some(1_600_000.0))],
            1_000_000.0,
        );
        rec.record(
            "k",
            vec![limit("requests", 75.0, Some(1_600_003.0))],
            1_000_003.0,
        );
        assert_eq!(lock(&rec.last)["k"].0[0].resets_at, Some(1_600_000.0));
        assert_eq!(lock(&rec.last)["k"].2, 1);
        // Real changes are recorded at once; whatever order the writes run in, the file
        // ends with the newest.
        for left in (50..75).rev() {
            rec.record(
                "k",
                vec![limit("requests", f64::from(left), Some(1_600_004.0))],
                1_000_004.0,
            );
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let v: serde_json::Value = std::fs::read_to_string(&path)
                .ok()
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or_default();
            if v["k"]["limits"][0]["leftPct"] == 50 {
                break;
            }
            assert!(Instant::now() < deadline, "newest not written: {v}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // Let every background write finish: none replaces the newest.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
        assert_eq!(v["k"]["limits"][0]["leftPct"], 50);
    }
}
