//! The accounts of one domain of `codex-accounts.json`, as the proxy sees them.
//!
//! Reading: the file is read without the lock (as the plugin's request path does) and the
//! parsed view is cached; a watcher ([`Pool::watch`]) looks at the file's identity (inode,
//! size, mtime) every 250 ms and reads it again when it changed, so the hot path makes no
//! file system call; a file that does not parse keeps the last good view while it settles
//! (see [`Pool::prefetch`]). Selection runs under one mutex over the cached view plus
//! an in-memory overlay: cooldowns this process set (the truth for its selections until the
//! store write lands), the round-robin position (so concurrent requests spread evenly) and
//! `lastUsed` touches. Leases, tokens and disabling go through `codex-store` under its lock on
//! a blocking thread; cooldowns and the writes that only keep the plugin informed
//! (round-robin active account, hybrid `lastUsed`, session affinity) are coalesced by
//! [`crate::persist`] and never hold up an answer.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use codex_redact::{MaskedDebug, Secret};
use codex_rotation::{
    attempt_key, select_account, AccountView, AcquireError, Decision, SelectInput, SessionState,
    Strategy,
};
use codex_store::{AuthStore, Domain, StoreError};

use crate::persist::{Persist, PersistTx};

/// One account of the domain. `Debug` masks its identities and hides its tokens.
#[derive(Clone)]
pub struct Acct {
    /// Position in the domain.
    pub index: usize,
    /// `identityKey`.
    pub identity_key: Option<String>,
    /// Attempt key (reference 6.3).
    pub attempt_key: String,
    /// `accountId`.
    pub account_id: Option<String>,
    /// `email`.
    pub email: Option<String>,
    /// `plan`.
    pub plan: Option<String>,
    /// Enabled.
    pub enabled: bool,
    /// Access token.
    pub access: Option<Secret<String>>,
    /// Refresh token.
    pub refresh: Option<Secret<String>>,
    /// Access expiry (epoch ms).
    pub expires: Option<f64>,
    /// `cooldownUntil`.
    pub cooldown_until: Option<f64>,
    /// `refreshLeaseUntil`.
    pub refresh_lease_until: Option<f64>,
    /// `lastUsed`.
    pub last_used: Option<f64>,
}

impl std::fmt::Debug for Acct {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Acct")
            .field("index", &self.index)
            .field(
                "identity_key",
                &MaskedDebug::Key(self.identity_key.as_deref()),
            )
            .field("attempt_key", &MaskedDebug::Key(Some(&self.attempt_key)))
            .field("account_id", &MaskedDebug::Id(self.account_id.as_deref()))
            .field("email", &MaskedDebug::Email(self.email.as_deref()))
            .field("plan", &self.plan)
            .field("enabled", &self.enabled)
            .field("access", &self.access)
            .field("refresh", &self.refresh)
            .field("expires", &self.expires)
            .field("cooldown_until", &self.cooldown_until)
            .field("refresh_lease_until", &self.refresh_lease_until)
            .field("last_used", &self.last_used)
            .finish()
    }
}

impl Acct {
    /// Whether the stored access token is usable at `now`.
    pub fn access_valid(&self, now_ms: f64) -> bool {
        self.access.as_ref().is_some_and(|a| !a.expose().is_empty())
            && self.expires.is_some_and(|e| e > now_ms)
    }

    /// Whether a non-blank refresh token is stored.
    pub fn has_refresh(&self) -> bool {
        self.refresh
            .as_ref()
            .is_some_and(|r| !r.expose().trim().is_empty())
    }

    /// `email (plan)` with the email masked, else a masked id, else `account <n>`.
    pub fn masked_label(&self) -> String {
        let base = match (&self.email, &self.account_id) {
            (Some(e), _) => codex_redact::mask_email(e),
            (None, Some(id)) => format!("id:{}", codex_redact::mask_id(id)),
            (None, None) => format!("account {}", self.index + 1),
        };
        match &self.plan {
            Some(p) => format!("{base} ({p})"),
            None => base,
        }
    }
}

/// The parsed domain. `Debug` masks the active key.
#[derive(Clone, Default)]
pub struct View {
    /// The file has an OAuth entry.
    pub oauth: bool,
    /// The domain's `strategy`.
    pub domain_strategy: Option<Strategy>,
    /// The domain's `activeIdentityKey`.
    pub active: Option<String>,
    /// Accounts in file order.
    pub accounts: Vec<Acct>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    #[cfg(unix)]
    ino: u64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::metadata(path).ok()?;
    Some(Stamp {
        len: m.len(),
        modified: m.modified().ok(),
        #[cfg(unix)]
        ino: std::os::unix::fs::MetadataExt::ino(&m),
    })
}

fn build_view(state: &codex_store::AuthState, mode: Domain) -> View {
    let Some(oauth) = state.oauth() else {
        return View::default();
    };
    let Some(dom) = oauth.domain(mode) else {
        return View {
            oauth: true,
            ..View::default()
        };
    };
    let accounts = dom
        .accounts()
        .iter()
        .enumerate()
        .map(|(i, a)| Acct {
            index: i,
            identity_key: a.identity_key().map(str::to_string),
            attempt_key: attempt_key(a.identity_key(), a.account_id(), a.email(), a.plan(), i),
            account_id: a.account_id().map(str::to_string),
            email: a.email().map(str::to_string),
            plan: a.plan().map(str::to_string),
            enabled: a.is_enabled(),
            access: a.access().cloned(),
            refresh: a.refresh().cloned(),
            expires: a.expires(),
            cooldown_until: a.cooldown_until(),
            refresh_lease_until: a.refresh_lease_until(),
            last_used: a.last_used(),
        })
        .collect();
    View {
        oauth: true,
        domain_strategy: dom.strategy().and_then(Strategy::parse),
        active: dom.active().map(str::to_string),
        accounts,
    }
}

/// The last error an account saw (for `/status`).
#[derive(Debug, Clone, PartialEq)]
pub struct LastError {
    /// Code (`http_429`, `usage_limit_reached`, `refresh_invalid_grant`, …).
    pub code: String,
    /// When (epoch ms).
    pub at_ms: f64,
}

impl std::fmt::Debug for View {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("View")
            .field("oauth", &self.oauth)
            .field("domain_strategy", &self.domain_strategy)
            .field("active", &MaskedDebug::Key(self.active.as_deref()))
            .field("accounts", &self.accounts)
            .finish()
    }
}

/// In-memory state over the store, keyed by identity key (`Debug` shows sizes only).
#[derive(Default)]
struct Overlay {
    cooldowns: HashMap<String, f64>,
    rr_active: Option<String>,
    last_used: HashMap<String, f64>,
    sticky: SessionState,
    hybrid: SessionState,
    last_errors: HashMap<String, LastError>,
}

impl std::fmt::Debug for Overlay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Overlay")
            .field("cooldowns", &self.cooldowns.len())
            .field("rr_active", &MaskedDebug::Key(self.rr_active.as_deref()))
            .field("last_used", &self.last_used.len())
            .field("sticky", &self.sticky)
            .field("hybrid", &self.hybrid)
            .field("last_errors", &self.last_errors.len())
            .finish()
    }
}

/// A selected account.
#[derive(Debug, Clone)]
pub struct Picked {
    /// The account (with overlay cooldown applied).
    pub acct: Acct,
    /// Why it was chosen.
    pub decision: Decision,
}

/// Selection parameters that come from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Configured strategy.
    pub strategy: Strategy,
    /// Whether the configured strategy beats the domain's.
    pub strategy_explicit: bool,
    /// `pidOffset`.
    pub pid_offset: bool,
    /// Process id.
    pub pid: u64,
}

/// The account pool.
pub struct Pool {
    store: AuthStore,
    mode: Domain,
    cache: Mutex<Option<(Option<Stamp>, Arc<View>)>>,
    /// The last view that parsed, served while a file that does not parse settles.
    last_good: Mutex<Option<Arc<View>>>,
    /// A delayed re-read of a file that did not parse is pending.
    settling: Arc<AtomicBool>,
    /// How long such a file is given before it is re-read under the lock.
    settle_delay: Duration,
    overlay: Mutex<Overlay>,
    persist: PersistTx,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool")
            .field("store", &self.store.path())
            .field("mode", &self.mode)
            .finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Pool {
    /// A pool over `store`'s domain `mode`, starting from persisted session assignments.
    pub fn new(
        store: AuthStore,
        mode: Domain,
        sticky: SessionState,
        hybrid: SessionState,
        persist: PersistTx,
        settle_delay: Duration,
    ) -> Pool {
        Pool {
            store,
            mode,
            cache: Mutex::new(None),
            last_good: Mutex::new(None),
            settling: Arc::new(AtomicBool::new(false)),
            settle_delay,
            overlay: Mutex::new(Overlay {
                sticky,
                hybrid,
                ..Overlay::default()
            }),
            persist,
        }
    }

    /// The store.
    pub fn store(&self) -> &AuthStore {
        &self.store
    }

    /// The domain.
    pub fn mode(&self) -> Domain {
        self.mode
    }

    /// The store file.
    pub fn path(&self) -> PathBuf {
        self.store.path().to_path_buf()
    }

    /// The current view: the cached one, else the file read now. A file that does not parse
    /// gives the last view that did; with none yet, an error — never a quarantine from here:
    /// the file may be half-written by a writer that does not replace it atomically, so the
    /// settle read (see [`Pool::prefetch`]) decides, after its delay and under the lock.
    pub fn view(&self) -> Result<Arc<View>, String> {
        if let Some((_, v)) = lock(&self.cache).as_ref() {
            return Ok(v.clone());
        }
        let now_stamp = stamp(self.store.path());
        match self
            .store
            .load_unless_corrupt()
            .map_err(|e| e.to_string())?
        {
            Some(state) => Ok(self.remember(now_stamp, &state)),
            None => {
                if tokio::runtime::Handle::try_current().is_ok() {
                    self.settle_later();
                }
                match lock(&self.last_good).clone() {
                    Some(v) => Ok(v),
                    None => Err(format!(
                        "{} does not parse (a write in progress?); it is read again shortly, and moved to quarantine only if it still does not parse",
                        self.store.path().display()
                    )),
                }
            }
        }
    }

    fn remember(&self, at: Option<Stamp>, state: &codex_store::AuthState) -> Arc<View> {
        let view = Arc::new(build_view(state, self.mode));
        *lock(&self.cache) = Some((at, view.clone()));
        *lock(&self.last_good) = Some(view.clone());
        view
    }

    /// The current view for a request: the cached view (no file system call), else the file
    /// read on a blocking thread. [`Pool::watch`] drops or replaces the cached view when the
    /// file changes; this process's own writes drop it ([`Pool::invalidate`]).
    ///
    /// A file that does not parse may be half-written by a writer that does not replace it
    /// atomically, so nothing is quarantined at once: the last view that parsed is served,
    /// and after the settle delay the file is read again (under the lock if it still does
    /// not parse, where [`AuthStore::load`] quarantines it). Without an earlier view the
    /// request itself waits for that delay.
    pub async fn prefetch(&self) -> Result<Arc<View>, String> {
        if let Some((_, v)) = lock(&self.cache).as_ref() {
            return Ok(v.clone());
        }
        self.reload(stamp(self.store.path())).await
    }

    /// Reads the file whose identity is `now_stamp` (see [`Pool::prefetch`]).
    async fn reload(&self, now_stamp: Option<Stamp>) -> Result<Arc<View>, String> {
        let store = self.store.clone();
        let loaded = tokio::task::spawn_blocking(move || store.load_unless_corrupt())
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        if let Some(state) = loaded {
            return Ok(self.remember(now_stamp, &state));
        }
        let last = lock(&self.last_good).clone();
        if let Some(last) = last {
            self.settle_later();
            return Ok(last);
        }
        tokio::time::sleep(self.settle_delay).await;
        let store = self.store.clone();
        let path = store.path().to_path_buf();
        let state = tokio::task::spawn_blocking(move || store.load())
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        Ok(self.remember(stamp(&path), &state))
    }

    /// Looks at the file's identity (inode, size, mtime) every `every` and reads it again
    /// when it changed, so requests never look at the file themselves. Runs until dropped.
    pub async fn watch(&self, every: Duration) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let path = self.store.path().to_path_buf();
            let Ok(now_stamp) = tokio::task::spawn_blocking(move || stamp(&path)).await else {
                continue;
            };
            let changed = match lock(&self.cache).as_ref() {
                Some((s, _)) => *s != now_stamp,
                // Nothing cached: the next request reads the file anyway.
                None => false,
            };
            if changed {
                if let Err(e) = self.reload(now_stamp).await {
                    tracing::warn!(error = %e, "cannot read the account store");
                    self.invalidate();
                }
            }
        }
    }

    /// After the settle delay, reads the store once more (quarantining it under the lock
    /// if it still does not parse); one such read at a time.
    fn settle_later(&self) {
        if self.settling.swap(true, Ordering::SeqCst) {
            return;
        }
        let store = self.store.clone();
        let settling = self.settling.clone();
        let delay = self.settle_delay;
        tracing::warn!(
            store = %store.path().display(),
            "the account store does not parse (a write in progress?); serving the last good view and reading it again shortly"
        );
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let res = tokio::task::spawn_blocking(move || store.load()).await;
            if let Ok(Err(e)) = res {
                tracing::error!(error = %e, "the account store is still unreadable");
            }
            settling.store(false, Ordering::SeqCst);
        });
    }

    /// Forgets the cached view (after this process wrote the file).
    pub fn invalidate(&self) {
        *lock(&self.cache) = None;
    }

    /// `cooldownUntil` and `lastUsed` of `a` with this process's overlay applied.
    fn effective_times(ov: &Overlay, a: &Acct, now_ms: f64) -> (Option<f64>, Option<f64>) {
        let (mut cooldown, mut last_used) = (a.cooldown_until, a.last_used);
        if let Some(key) = &a.identity_key {
            if let Some(c) = ov.cooldowns.get(key).filter(|c| **c > now_ms) {
                cooldown = Some(cooldown.map_or(*c, |f| f.max(*c)));
            }
            if let Some(l) = ov.last_used.get(key) {
                last_used = Some(last_used.map_or(*l, |f| f.max(*l)));
            }
        }
        (cooldown, last_used)
    }

    fn effective(&self, ov: &Overlay, a: &Acct, now_ms: f64) -> Acct {
        let mut a = a.clone();
        (a.cooldown_until, a.last_used) = Self::effective_times(ov, &a, now_ms);
        a
    }

    /// The accounts with this process's cooldowns applied.
    pub fn effective_accounts(&self, view: &View, now_ms: f64) -> Vec<Acct> {
        let ov = lock(&self.overlay);
        view.accounts
            .iter()
            .map(|a| self.effective(&ov, a, now_ms))
            .collect()
    }

    /// Picks an account of `view` (from [`Pool::prefetch`]) among those whose attempt key
    /// is not in `attempted`. `Ok(None)`: nothing eligible is left.
    pub fn select(
        &self,
        view: &View,
        policy: &Policy,
        session: Option<&str>,
        attempted: &[String],
        now_ms: f64,
    ) -> Result<Option<Picked>, SelectError> {
        if !view.oauth {
            return Err(SelectError::Acquire(AcquireError::OauthNotConfigured));
        }
        if view.accounts.is_empty() {
            return Err(SelectError::Acquire(AcquireError::NoAccountsConfigured));
        }
        if !view.accounts.iter().any(|a| a.enabled) {
            return Err(SelectError::Acquire(AcquireError::NoEnabledAccounts));
        }
        // An over-long session key is not pinned (it would bloat the affinity file).
        let session = crate::persist::affinity_key(session);
        let strategy = if policy.strategy_explicit {
            policy.strategy
        } else {
            view.domain_strategy.unwrap_or(policy.strategy)
        };
        let mut ov = lock(&self.overlay);
        // Only the selected account is copied out of the view.
        let candidates: Vec<&Acct> = view
            .accounts
            .iter()
            .filter(|a| !attempted.contains(&a.attempt_key))
            .collect();
        let views: Vec<AccountView> = candidates
            .iter()
            .map(|a| {
                let (cooldown_until, last_used) = Self::effective_times(&ov, a, now_ms);
                AccountView {
                    identity_key: a.identity_key.clone(),
                    enabled: a.enabled,
                    cooldown_until,
                    refresh_lease_until: a.refresh_lease_until,
                    last_used,
                }
            })
            .collect();
        let active = match strategy {
            Strategy::RoundRobin => ov.rr_active.clone().or_else(|| view.active.clone()),
            _ => view.active.clone(),
        };
        let input = SelectInput {
            accounts: &views,
            strategy,
            active_key: active.as_deref(),
            now_ms,
            pid_offset: policy.pid_offset,
            pid: policy.pid,
            session_key: session,
        };
        let sessions = match strategy {
            Strategy::Sticky => Some(&mut ov.sticky),
            Strategy::Hybrid => Some(&mut ov.hybrid),
            Strategy::RoundRobin => None,
        };
        let Some(sel) = select_account(&input, sessions) else {
            return Ok(None);
        };
        let Some(acct) = candidates
            .get(sel.index)
            .map(|a| self.effective(&ov, a, now_ms))
        else {
            return Ok(None);
        };
        if let Some(key) = acct.identity_key.clone() {
            match strategy {
                Strategy::RoundRobin => {
                    ov.rr_active = Some(key.clone());
                    self.persist.send(Persist::Active(key.clone()));
                }
                Strategy::Hybrid => {
                    let stale = acct.last_used.is_none_or_old(now_ms);
                    if stale {
                        ov.last_used.insert(key.clone(), now_ms);
                        self.persist.send(Persist::LastUsed(key.clone(), now_ms));
                    }
                }
                Strategy::Sticky => {}
            }
            if let (Some(s), Strategy::Sticky | Strategy::Hybrid) = (session, strategy) {
                let assigned = match strategy {
                    Strategy::Hybrid => ov.hybrid.get(s),
                    _ => ov.sticky.get(s),
                }
                .map(str::to_string);
                self.persist.send(Persist::Session {
                    key: s.to_string(),
                    identity: assigned.unwrap_or(key),
                    hybrid: strategy == Strategy::Hybrid,
                    seen_at: now_ms,
                });
            }
        }
        Ok(Some(Picked {
            acct,
            decision: sel.decision,
        }))
    }

    /// Sets a cooldown visible to this process's selections at once.
    pub fn cool_in_memory(&self, identity_key: &str, until_ms: f64) {
        let mut ov = lock(&self.overlay);
        let e = ov.cooldowns.entry(identity_key.to_string()).or_insert(0.0);
        *e = e.max(until_ms);
    }

    /// Sets a cooldown in memory now (the truth for this process's selections) and queues
    /// it for the store: the write, under the store's lock, never holds up an answer (see
    /// [`crate::persist`]).
    pub fn cool(&self, identity_key: &str, until_ms: f64) {
        self.cool_in_memory(identity_key, until_ms);
        self.persist
            .send(Persist::Cooldown(identity_key.to_string(), until_ms));
    }

    /// Records an account's last error.
    pub fn note_error(&self, identity_key: &str, code: &str, now_ms: f64) {
        lock(&self.overlay).last_errors.insert(
            identity_key.to_string(),
            LastError {
                code: code.to_string(),
                at_ms: now_ms,
            },
        );
    }

    /// An account's last error.
    pub fn last_error(&self, identity_key: &str) -> Option<LastError> {
        lock(&self.overlay).last_errors.get(identity_key).cloned()
    }

    /// The active account as selection sees it (round-robin position first).
    pub fn active_key(&self, view: &View) -> Option<String> {
        lock(&self.overlay)
            .rr_active
            .clone()
            .or_else(|| view.active.clone())
    }

    /// Session assignments currently held (sticky, hybrid).
    pub fn session_counts(&self) -> (usize, usize) {
        let ov = lock(&self.overlay);
        (ov.sticky.len(), ov.hybrid.len())
    }
}

trait LastUsedAge {
    fn is_none_or_old(&self, now_ms: f64) -> bool;
}

impl LastUsedAge for Option<f64> {
    fn is_none_or_old(&self, now_ms: f64) -> bool {
        self.is_none_or(|l| now_ms - l >= 60_000.0)
    }
}

/// Why selection could not run.
#[derive(Debug)]
pub enum SelectError {
    /// The store could not be read.
    Store(StoreError),
    /// A static acquisition error (no OAuth, no accounts, none enabled).
    Acquire(AcquireError),
}

#[cfg(test)]
mod debug_tests {
    use super::*;

    #[test]
    fn debug_shows_no_identity_and_no_token() {
        let a = Acct {
            index: 0,
            identity_key: Some("acc_123456|alice@corp.example|plus".into()),
            attempt_key: "acc_123456|alice@corp.example|plus".into(),
            account_id: Some("acc_123456".into()),
            email: Some("alice@corp.example".into()),
            plan: Some("plus".into()),
            enabled: true,
            access: Some(Secret::new("at_secret".into())),
            refresh: Some(Secret::new("rt_secret".into())),
            expires: None,
            cooldown_until: None,
            refresh_lease_until: None,
            last_used: None,
        };
        let view = View {
            active: a.identity_key.clone(),
            accounts: vec![a.clone()],
            ..View::default()
        };
        let p = Persist::Session {
            key: "ses_abcdef123".into(),
            identity: "acc_123456|alice@corp.example|plus".into(),
            hybrid: false,
            seen_at: 1.0,
        };
        let d = format!("{a:?} {view:?} {p:?} {:?}", Overlay::default());
        for leak in [
            "alice@",
            "acc_123456",
            "at_secret",
            "rt_secret",
            "ses_abcdef123",
        ] {
            assert!(!d.contains(leak), "{leak} in {d}");
        }
        assert!(d.contains("a***@corp.example"), "{d}");
    }
}
