//! Coalesced writes that keep the plugin informed without slowing requests down.
//!
//! Cooldowns, round-robin's active account, hybrid's `lastUsed` and session affinity
//! change on nearly every request; writing each under the store lock would serialize
//! requests on the lock, and a lock held by another process would hold up the answer. They
//! are set in memory first (the truth for this process meanwhile), queued, and written every
//! `persist_interval` in one locked update per file (`codex-accounts.json` through
//! `AuthStore::update_oauth`, `codex-session-affinity.json` through `AffinityStore::update`,
//! pruning sessions whose OpenCode session file is gone as the plugin does, sessions not
//! seen for [`MAX_SESSION_AGE_MS`], and never recording keys longer than
//! [`MAX_SESSION_KEY_BYTES`]). A write that fails (a lock held too long) is merged into the
//! next batch and retried, with a growing pause, up to [`MAX_RETRIES`] times. Closing the
//! queue flushes it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use codex_store::affinity::{session_file_exists, AffinityStore, PRUNE_GRACE_MS};
use codex_store::{AuthStore, Domain};
use tokio::sync::mpsc;

/// Longest session key given affinity (longer keys are served, but not pinned).
pub(crate) const MAX_SESSION_KEY_BYTES: usize = 256;

/// Sessions not seen for this long leave the affinity file (30 days).
pub(crate) const MAX_SESSION_AGE_MS: f64 = 30.0 * 24.0 * 3_600_000.0;

/// Retries of a batch whose write failed.
pub(crate) const MAX_RETRIES: u32 = 8;

/// `session` when it may be pinned: not longer than [`MAX_SESSION_KEY_BYTES`].
pub(crate) fn affinity_key(session: Option<&str>) -> Option<&str> {
    session.filter(|s| s.len() <= MAX_SESSION_KEY_BYTES)
}

/// One deferred write. `Debug` masks identity and session keys.
#[derive(Clone, PartialEq)]
pub enum Persist {
    /// An account's `cooldownUntil` (the latest of those queued wins).
    Cooldown(String, f64),
    /// The domain's `activeIdentityKey` (round robin).
    Active(String),
    /// An account's `lastUsed` (hybrid).
    LastUsed(String, f64),
    /// A session's assignment and last-seen time.
    Session {
        /// Session key.
        key: String,
        /// Identity key.
        identity: String,
        /// Hybrid map (else sticky).
        hybrid: bool,
        /// Seen at (epoch ms).
        seen_at: f64,
    },
}

impl std::fmt::Debug for Persist {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use codex_redact::MaskedDebug;
        match self {
            Persist::Cooldown(k, until) => f
                .debug_tuple("Cooldown")
                .field(&MaskedDebug::Key(Some(k)))
                .field(until)
                .finish(),
            Persist::Active(k) => f
                .debug_tuple("Active")
                .field(&MaskedDebug::Key(Some(k)))
                .finish(),
            Persist::LastUsed(k, at) => f
                .debug_tuple("LastUsed")
                .field(&MaskedDebug::Key(Some(k)))
                .field(at)
                .finish(),
            Persist::Session {
                key,
                identity,
                hybrid,
                seen_at,
            } => f
                .debug_struct("Session")
                .field("key", &MaskedDebug::Id(Some(key)))
                .field("identity", &MaskedDebug::Key(Some(identity)))
                .field("hybrid", hybrid)
                .field("seen_at", seen_at)
                .finish(),
        }
    }
}

/// The sending side; cheap to clone; sends after [`PersistTx::close`] are dropped.
#[derive(Debug, Clone, Default)]
pub struct PersistTx(Arc<Mutex<Option<mpsc::UnboundedSender<Persist>>>>);

impl PersistTx {
    /// Queues a write.
    pub fn send(&self, p: Persist) {
        if let Some(tx) = self.0.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            let _ = tx.send(p);
        }
    }

    /// Closes the queue; the writer flushes what is queued and ends.
    pub fn close(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}

/// A queue and its receiving end.
pub(crate) fn channel() -> (PersistTx, mpsc::UnboundedReceiver<Persist>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (PersistTx(Arc::new(Mutex::new(Some(tx)))), rx)
}

/// Where deferred writes go.
#[derive(Clone)]
pub(crate) struct Targets {
    /// `codex-accounts.json`.
    pub store: AuthStore,
    /// `codex-session-affinity.json`.
    pub affinity: AffinityStore,
    /// The domain.
    pub mode: Domain,
    /// OpenCode's session directory.
    pub session_dir: PathBuf,
    /// Clock.
    pub clock: codex_store::Clock,
}

#[derive(Default)]
struct Batch {
    cooldowns: HashMap<String, f64>,
    active: Option<String>,
    last_used: HashMap<String, f64>,
    sessions: Vec<(String, String, bool, f64)>,
}

impl Batch {
    fn is_empty(&self) -> bool {
        self.cooldowns.is_empty()
            && self.active.is_none()
            && self.last_used.is_empty()
            && self.sessions.is_empty()
    }

    fn add(&mut self, p: Persist) {
        match p {
            Persist::Cooldown(k, until) => {
                let e = self.cooldowns.entry(k).or_insert(until);
                *e = e.max(until);
            }
            Persist::Active(k) => self.active = Some(k),
            Persist::LastUsed(k, at) => {
                let e = self.last_used.entry(k).or_insert(at);
                *e = e.max(at);
            }
            Persist::Session {
                key,
                identity,
                hybrid,
                seen_at,
            } => {
                if affinity_key(Some(&key)).is_some() {
                    self.sessions.push((key, identity, hybrid, seen_at));
                }
            }
        }
    }

    /// Merges a newer batch into this (older, unwritten) one.
    fn merge(&mut self, newer: Batch) {
        for (k, v) in newer.cooldowns {
            self.add(Persist::Cooldown(k, v));
        }
        if newer.active.is_some() {
            self.active = newer.active;
        }
        for (k, v) in newer.last_used {
            self.add(Persist::LastUsed(k, v));
        }
        self.sessions.extend(newer.sessions);
    }

    /// Writes the batch; what could not be written comes back.
    fn write(self, t: &Targets) -> Option<Batch> {
        let mut failed = Batch::default();
        if !self.cooldowns.is_empty() || self.active.is_some() || !self.last_used.is_empty() {
            let mode = t.mode;
            let res = t.store.update_oauth(|s| {
                for (k, until) in &self.cooldowns {
                    s.set_cooldown(mode, k, *until);
                }
                if let Some(dom) = s.domain_mut(mode) {
                    for a in dom.accounts_mut().iter_mut() {
                        let Some(k) = a.identity_key().map(str::to_string) else {
                            continue;
                        };
                        if let Some(at) = self.last_used.get(&k) {
                            if a.last_used().is_none_or(|l| l < *at) {
                                a.set_last_used(*at);
                            }
                        }
                    }
                    if let Some(k) = &self.active {
                        let usable = dom
                            .accounts()
                            .iter()
                            .any(|a| a.identity_key() == Some(k.as_str()) && a.is_enabled());
                        if usable {
                            dom.set_active(Some(k.clone()));
                        }
                    }
                }
                Ok(())
            });
            if let Err(e) = res {
                tracing::warn!(error = %e, "could not record cooldowns / the active account / lastUsed; will retry");
                failed.cooldowns = self.cooldowns;
                failed.active = self.active;
                failed.last_used = self.last_used;
            }
        }
        if !self.sessions.is_empty() {
            let mode = t.mode;
            let now = (t.clock)() as f64;
            let dir = t.session_dir.clone();
            let res = t.affinity.update(|f| {
                let m = f.mode_mut(mode);
                for (key, identity, hybrid, seen) in &self.sessions {
                    m.record_seen(key, *seen);
                    if *hybrid {
                        m.assign_hybrid(key, identity);
                    } else {
                        m.assign_sticky(key, identity);
                    }
                }
                bound(m, now);
                m.prune(|k| session_file_exists(&dir, k), now, PRUNE_GRACE_MS);
            });
            if let Err(e) = res {
                tracing::warn!(error = %e, "could not write session affinity; will retry");
                failed.sessions = self.sessions;
            }
        }
        (!failed.is_empty()).then_some(failed)
    }
}

/// Drops sessions with over-long keys or not seen for [`MAX_SESSION_AGE_MS`] (also those
/// another writer left).
fn bound(m: &mut codex_store::affinity::ModeAffinity, now_ms: f64) {
    let old: Vec<String> = m
        .seen
        .iter()
        .filter(|(k, at)| now_ms - at > MAX_SESSION_AGE_MS || k.len() > MAX_SESSION_KEY_BYTES)
        .map(|(k, _)| k.clone())
        .collect();
    let drop = |k: &String| old.contains(k) || k.len() > MAX_SESSION_KEY_BYTES;
    m.seen.retain(|(k, _)| !drop(k));
    m.sticky.retain(|(k, _)| !drop(k));
    m.hybrid.retain(|(k, _)| !drop(k));
}

/// Runs until the queue is closed, writing every `interval`; a failed write is retried
/// with the next batch.
pub(crate) async fn run_writer(
    mut rx: mpsc::UnboundedReceiver<Persist>,
    targets: Targets,
    interval: Duration,
) {
    let mut carry: Option<Batch> = None;
    let mut failures: u32 = 0;
    let mut closed = false;
    loop {
        let mut batch = match carry.take() {
            Some(b) => b,
            None => match rx.recv().await {
                Some(first) => {
                    let mut b = Batch::default();
                    b.add(first);
                    b
                }
                None => return,
            },
        };
        let pause = interval
            .saturating_mul(1 << failures.min(5))
            .min(Duration::from_secs(5));
        if !closed {
            tokio::time::sleep(pause).await;
        }
        loop {
            match rx.try_recv() {
                Ok(p) => {
                    let mut newer = Batch::default();
                    newer.add(p);
                    batch.merge(newer);
                }
                Err(mpsc::error::TryRecvError::Empty) => break,
                Err(mpsc::error::TryRecvError::Disconnected) => {
                    closed = true;
                    break;
                }
            }
        }
        let t = targets.clone();
        let left = tokio::task::spawn_blocking(move || batch.write(&t))
            .await
            .ok()
            .flatten();
        match left {
            Some(b) if !closed && failures < MAX_RETRIES => {
                failures += 1;
                carry = Some(b);
            }
            Some(_) => {
                tracing::warn!("giving up on deferred store writes after {failures} retries");
                failures = 0;
            }
            None => failures = 0,
        }
        if closed && carry.is_none() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codex_store::StoreOptions;

    fn targets(dir: &std::path::Path) -> Targets {
        let opts = StoreOptions::default();
        Targets {
            store: AuthStore::with_options(dir.join("codex-accounts.json"), opts.clone()),
            affinity: AffinityStore::with_options(dir.join("affinity.json"), opts),
            mode: Domain::Native,
            session_dir: dir.join("sessions"),
            clock: codex_store::system_clock(),
        }
    }

    #[test]
    fn ten_thousand_unique_sessions_keep_the_affinity_file_bounded() {
        let dir = tempfile::tempdir().expect("tempdir");
        let t = targets(dir.path());
        let now = (t.clock)() as f64;
        for round in 0..10 {
            let mut batch = Batch::default();
            for i in 0..1_000 {
                // Long, unique keys (a client sending a large random session id each time).
                let key = format!("ses_{round}_{i}_{}", "x".repeat(4096));
                batch.add(Persist::Session {
                    key,
                    identity: "acc|a@example.com|plus".into(),
                    hybrid: false,
                    seen_at: now,
                });
                batch.add(Persist::Session {
                    key: format!("ses_{round}_{i}"),
                    identity: "acc|a@example.com|plus".into(),
                    hybrid: false,
                    seen_at: now,
                });
            }
            assert!(batch.write(&t).is_none());
        }
        let size = std::fs::metadata(dir.path().join("affinity.json"))
            .expect("written")
            .len();
        assert!(size < 64 * 1024, "affinity file is {size} bytes");
        let file = t.affinity.load().expect("load");
        assert!(file.native.seen.len() <= codex_store::affinity::MAX_ENTRIES);
        assert!(!file.native.seen.is_empty());
    }

    #[test]
    fn sessions_not_seen_for_a_month_are_evicted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let t = targets(dir.path());
        let now = (t.clock)() as f64;
        // Both sessions still exist in OpenCode: only age can evict one.
        std::fs::create_dir_all(&t.session_dir).expect("mkdir");
        for k in ["ses_old", "ses_new"] {
            std::fs::write(t.session_dir.join(format!("{k}.json")), "{}").expect("session");
        }
        let mut batch = Batch::default();
        for (key, at) in [
            ("ses_old", now - MAX_SESSION_AGE_MS - 1.0),
            ("ses_new", now),
        ] {
            batch.add(Persist::Session {
                key: key.into(),
                identity: "acc|a@example.com|plus".into(),
                hybrid: false,
                seen_at: at,
            });
        }
        assert!(batch.write(&t).is_none());
        let file = t.affinity.load().expect("load");
        let keys: Vec<&str> = file.native.sticky.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["ses_new"]);
    }
}
