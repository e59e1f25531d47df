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
pub(crate) const RESET_JITTER_MS: f64 = 5_000.0;

/// Whether `a` and `b` say the same thing to a reader: same windows, same percentages, and
/// resets within [`RESET_JITTER_MS`] of each other.
pub(crate) fn same_limits(a: &[Limit], b: &[Limit]) -> bool {
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
type LastSeen = HashMap<String, Seen>;

/// The newest record of one account.
struct Seen {
    limits: Vec<Limit>,
    at: Instant,
    seq: u64,
    /// Credits of the newest usage poll, carried into header-only records so that a header
    /// record overtaking a poll's write does not lose them.
    credits: Option<Value>,
}

/// One pending write.
struct Pending {
    key: String,
    seq: u64,
    limits: Vec<Limit>,
    credits: Option<Value>,
    now_ms: f64,
}

/// The recorder.
pub struct SnapshotRecorder {
    store: SnapshotStore,
    min_interval: Duration,
    last: Arc<Mutex<LastSeen>>,
    seq: AtomicU64,
}

fn lock(m: &Mutex<LastSeen>) -> std::sync::MutexGuard<'_, LastSeen> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl std::fmt::Debug for SnapshotRecorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The map's keys are identity keys (emails): never shown.
        f.debug_struct("SnapshotRecorder")
            .field("store", &self.store.path())
            .field("accounts", &lock(&self.last).len())
            .finish()
    }
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

    /// The snapshots file as it is now (best-effort: unreadable or malformed reads as empty).
    pub fn load(&self) -> codex_store::snapshots::Snapshots {
        self.store.load().unwrap_or_default()
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
            if let Some(prev) = last.get(identity_key) {
                if same_limits(&prev.limits, &limits) && prev.at.elapsed() < self.min_interval {
                    return;
                }
            }
        }
        self.write(identity_key, limits, None, now_ms);
    }

    fn write(&self, identity_key: &str, limits: Vec<Limit>, credits: Option<Value>, now_ms: f64) {
        if let Some(p) = self.stage(identity_key, limits, credits, now_ms) {
            let store = self.store.clone();
            let last = Arc::clone(&self.last);
            tokio::task::spawn_blocking(move || commit(&store, &last, p));
        }
    }

    /// Numbers a record and publishes it as the account's newest, under one lock (so the
    /// newest number is the newest entry); `None` without limits.
    fn stage(
        &self,
        identity_key: &str,
        limits: Vec<Limit>,
        credits: Option<Value>,
        now_ms: f64,
    ) -> Option<Pending> {
        if limits.is_empty() {
            return None;
        }
        let mut last = lock(&self.last);
        let seq = self.seq.fetch_add(1, Ordering::Relaxed) + 1;
        let credits = credits.or_else(|| last.get(identity_key).and_then(|s| s.credits.clone()));
        last.insert(
            identity_key.to_string(),
            Seen {
                limits: limits.clone(),
                at: Instant::now(),
                seq,
                credits: credits.clone(),
            },
        );
        Some(Pending {
            key: identity_key.to_string(),
            seq,
            limits,
            credits,
            now_ms,
        })
    }
}

/// Writes a staged record unless a newer one for the account exists by the time the file's
/// lock is held (that one writes instead). Credits neither the record nor this process
/// has seen are kept from the file (the plugin's polling writes them too).
fn commit(store: &SnapshotStore, last: &Mutex<LastSeen>, p: Pending) {
    let res = store.update(|map| {
        if lock(last).get(&p.key).map(|e| e.seq) != Some(p.seq) {
            return;
        }
        let credits = p
            .credits
            .or_else(|| map.get(&p.key).and_then(|v| v.get("credits")).cloned());
        let snap = UsageSnapshot {
            limits: p.limits,
            credits,
        };
        map.insert(p.key, snapshot_value(p.now_ms, &snap));
    });
    if let Err(e) = res {
        tracing::warn!(error = %e, "could not write codex-snapshots.json");
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

    fn read(path: &std::path::Path) -> serde_json::Value {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default()
    }

    #[tokio::test]
    async fn relative_resets_do_not_mean_a_write_per_response() {
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
        assert_eq!(lock(&rec.last)["k"].limits[0].resets_at, Some(1_600_000.0));
        assert_eq!(lock(&rec.last)["k"].seq, 1);
        // A real change is recorded at once.
        rec.record(
            "k",
            vec![limit("requests", 70.0, Some(1_600_004.0))],
            1_000_004.0,
        );
        assert_eq!(lock(&rec.last)["k"].seq, 2);
        let deadline = Instant::now() + Duration::from_secs(5);
        while read(&path)["k"]["limits"][0]["leftPct"] != 70 {
            assert!(Instant::now() < deadline, "not written: {}", read(&path));
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    #[test]
    fn an_older_write_that_runs_last_changes_nothing() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("codex-snapshots.json");
        let store = SnapshotStore::new(&path);
        let rec = SnapshotRecorder::new(store.clone(), Duration::from_secs(30));
        let old = rec
            .stage("k", vec![limit("requests", 75.0, None)], None, 1.0)
            .expect("staged");
        let new = rec
            .stage("k", vec![limit("requests", 50.0, None)], None, 2.0)
            .expect("staged");
        // The writes run in the wrong order: the newer first.
        commit(&store, &rec.last, new);
        commit(&store, &rec.last, old);
        assert_eq!(read(&path)["k"]["limits"][0]["leftPct"], 50);
        assert_eq!(read(&path)["k"]["updatedAt"], 2);
    }

    #[test]
    fn a_header_record_overtaking_a_poll_keeps_its_credits() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("codex-snapshots.json");
        let store = SnapshotStore::new(&path);
        let rec = SnapshotRecorder::new(store.clone(), Duration::from_secs(30));
        let credits = serde_json::json!({"hasCredits": true, "unlimited": false, "balance": "3"});
        let poll = rec
            .stage(
                "k",
                vec![limit("requests", 75.0, None)],
                Some(credits.clone()),
                1.0,
            )
            .expect("staged");
        let header = rec
            .stage("k", vec![limit("requests", 74.0, None)], None, 2.0)
            .expect("staged");
        // The header record's write runs first; the poll's is then stale and skipped.
        commit(&store, &rec.last, header);
        commit(&store, &rec.last, poll);
        let v = read(&path);
        assert_eq!(v["k"]["limits"][0]["leftPct"], 74);
        assert_eq!(v["k"]["credits"], credits, "the poll's credits survive");
    }
}
