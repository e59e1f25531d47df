//! Coalesced writes that keep the plugin informed without slowing requests down.
//!
//! Round-robin's active account, hybrid's `lastUsed` and session affinity change on nearly
//! every request; writing each under the store lock would serialize requests on the lock.
//! They are queued instead and written every `persist_interval` in one locked update per
//! file (`codex-accounts.json` through `AuthStore::update_oauth`,
//! `codex-session-affinity.json` through `AffinityStore::update`, pruning sessions whose
//! OpenCode session file is gone as the plugin does). Closing the queue flushes it.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use codex_store::affinity::{session_file_exists, AffinityStore, PRUNE_GRACE_MS};
use codex_store::{AuthStore, Domain};
use tokio::sync::mpsc;

/// One deferred write. `Debug` masks identity and session keys.
#[derive(Clone, PartialEq)]
pub enum Persist {
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
pub fn channel() -> (PersistTx, mpsc::UnboundedReceiver<Persist>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (PersistTx(Arc::new(Mutex::new(Some(tx)))), rx)
}

/// Where deferred writes go.
#[derive(Clone)]
pub struct Targets {
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
    active: Option<String>,
    last_used: HashMap<String, f64>,
    sessions: Vec<(String, String, bool, f64)>,
}

impl Batch {
    fn add(&mut self, p: Persist) {
        match p {
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
            } => self.sessions.push((key, identity, hybrid, seen_at)),
        }
    }

    fn write(self, t: &Targets) {
        if self.active.is_some() || !self.last_used.is_empty() {
            let mode = t.mode;
            let res = t.store.update_oauth(|s| {
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
                tracing::warn!(error = %e, "could not record the active account / lastUsed");
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
                m.prune(|k| session_file_exists(&dir, k), now, PRUNE_GRACE_MS);
            });
            if let Err(e) = res {
                tracing::warn!(error = %e, "could not write session affinity");
            }
        }
    }
}

/// Runs until the queue is closed, writing every `interval`.
pub async fn run_writer(
    mut rx: mpsc::UnboundedReceiver<Persist>,
    targets: Targets,
    interval: Duration,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = Batch::default();
        batch.add(first);
        tokio::time::sleep(interval).await;
        while let Ok(p) = rx.try_recv() {
            batch.add(p);
        }
        let t = targets.clone();
        let _ = tokio::task::spawn_blocking(move || batch.write(&t)).await;
    }
}
