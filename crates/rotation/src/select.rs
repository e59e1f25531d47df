//! `selectAccount`: eligibility, the three strategies, `pidOffset` and session affinity
//! (reference 6.1, 6.2).
//!
//! The accounts are given in file order as [`AccountView`]s; the result is an index into
//! that slice and the plugin's debug decision code. Session affinity state
//! ([`SessionState`]) keeps the plugin's JavaScript `Map` semantics: assignments keep their
//! first insertion position when updated, and the oldest entries are evicted first.

use codex_redact::MaskedDebug;
use std::cmp::Ordering;

/// The rotation strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Strategy {
    /// Keep the active account until it is unusable (the default).
    #[default]
    Sticky,
    /// Sticky per session, least recently used across sessions.
    Hybrid,
    /// The next eligible account after the active one, on every request.
    RoundRobin,
}

impl Strategy {
    /// The plugin's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::Sticky => "sticky",
            Strategy::Hybrid => "hybrid",
            Strategy::RoundRobin => "round_robin",
        }
    }

    /// Parses the plugin's spelling (trimmed, case-insensitive).
    pub fn parse(s: &str) -> Option<Strategy> {
        match s.trim().to_ascii_lowercase().as_str() {
            "sticky" => Some(Strategy::Sticky),
            "hybrid" => Some(Strategy::Hybrid),
            "round_robin" => Some(Strategy::RoundRobin),
            _ => None,
        }
    }
}

/// What selection needs to know about one account. `Debug` masks the identity key.
#[derive(Clone, Default, PartialEq)]
pub struct AccountView {
    /// `identityKey`, when the record has one.
    pub identity_key: Option<String>,
    /// `enabled !== false`.
    pub enabled: bool,
    /// `cooldownUntil` (epoch ms).
    pub cooldown_until: Option<f64>,
    /// `refreshLeaseUntil` (epoch ms).
    pub refresh_lease_until: Option<f64>,
    /// `lastUsed` (epoch ms).
    pub last_used: Option<f64>,
}

impl std::fmt::Debug for AccountView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountView")
            .field(
                "identity_key",
                &MaskedDebug::Key(self.identity_key.as_deref()),
            )
            .field("enabled", &self.enabled)
            .field("cooldown_until", &self.cooldown_until)
            .field("refresh_lease_until", &self.refresh_lease_until)
            .field("last_used", &self.last_used)
            .finish()
    }
}

impl AccountView {
    /// An enabled account with this identity key and nothing else.
    pub fn new(identity_key: &str) -> Self {
        AccountView {
            identity_key: Some(identity_key.to_string()),
            enabled: true,
            ..AccountView::default()
        }
    }
}

/// Reference 6.1: enabled, no future cooldown, no live refresh lease.
pub fn is_eligible(a: &AccountView, now_ms: f64) -> bool {
    a.enabled
        && !a.cooldown_until.is_some_and(|c| c > now_ms)
        && !a.refresh_lease_until.is_some_and(|l| l > now_ms)
}

/// Health counters (disabled counted first, then cooling, then leased).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Health {
    /// Accounts given.
    pub total: usize,
    /// `enabled === false`.
    pub disabled: usize,
    /// Enabled with a future cooldown.
    pub cooldown: usize,
    /// Enabled, not cooling, with a live refresh lease.
    pub lease: usize,
    /// The rest.
    pub eligible: usize,
}

/// Counts accounts by why they are (not) eligible.
pub fn health(accounts: &[AccountView], now_ms: f64) -> Health {
    let mut h = Health {
        total: accounts.len(),
        ..Health::default()
    };
    for a in accounts {
        if !a.enabled {
            h.disabled += 1;
        } else if a.cooldown_until.is_some_and(|c| c > now_ms) {
            h.cooldown += 1;
        } else if a.refresh_lease_until.is_some_and(|l| l > now_ms) {
            h.lease += 1;
        } else {
            h.eligible += 1;
        }
    }
    h
}

/// Session → identity assignments of one strategy, with the pid-offset cursor. `Debug`
/// shows how many, not whose.
#[derive(Clone, PartialEq)]
pub struct SessionState {
    by_session: Vec<(String, String)>,
    /// Round-robin cursor for new sessions when `pidOffset` is on.
    pub cursor: usize,
    /// Assignments kept (oldest evicted first); default 200.
    pub max_entries: usize,
}

impl std::fmt::Debug for SessionState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionState")
            .field("sessions", &self.by_session.len())
            .field("cursor", &self.cursor)
            .field("max_entries", &self.max_entries)
            .finish()
    }
}

impl Default for SessionState {
    fn default() -> Self {
        SessionState {
            by_session: Vec::new(),
            cursor: 0,
            max_entries: 200,
        }
    }
}

impl SessionState {
    /// An empty state keeping at most `max_entries` assignments.
    pub fn with_max_entries(max_entries: usize) -> Self {
        SessionState {
            max_entries,
            ..SessionState::default()
        }
    }

    /// Starts from persisted assignments (in insertion order).
    pub fn from_entries(entries: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut s = SessionState::default();
        for (k, v) in entries {
            s.set(&k, &v);
        }
        s
    }

    /// The identity assigned to `session`.
    pub fn get(&self, session: &str) -> Option<&str> {
        self.by_session
            .iter()
            .find(|(k, _)| k == session)
            .map(|(_, v)| v.as_str())
    }

    /// `Map.set`: updates in place, or appends and evicts the oldest beyond the cap.
    pub fn set(&mut self, session: &str, identity: &str) {
        match self.by_session.iter_mut().find(|(k, _)| k == session) {
            Some((_, v)) => *v = identity.to_string(),
            None => self
                .by_session
                .push((session.to_string(), identity.to_string())),
        }
        let max = self.max_entries;
        if self.by_session.len() > max {
            let excess = self.by_session.len() - max;
            self.by_session.drain(..excess);
        }
    }

    /// `Map.delete`.
    pub fn remove(&mut self, session: &str) {
        self.by_session.retain(|(k, _)| k != session);
    }

    /// Assignments in insertion order.
    pub fn entries(&self) -> &[(String, String)] {
        &self.by_session
    }

    /// Number of assignments.
    pub fn len(&self) -> usize {
        self.by_session.len()
    }

    /// No assignments.
    pub fn is_empty(&self) -> bool {
        self.by_session.is_empty()
    }
}

/// The plugin's debug decision codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// A session reused its sticky assignment.
    StickySessionReuse,
    /// A new session got the next account (pidOffset).
    StickySessionAssign,
    /// pidOffset off, active not eligible: the first eligible account.
    StickyFallbackFirst,
    /// The active account.
    StickyActive,
    /// pidOffset on, no session: the pid's account.
    StickyPidOffset,
    /// A session reused its hybrid assignment.
    HybridSessionReuse,
    /// A new session got the next least-recently-used account (pidOffset).
    HybridSessionAssign,
    /// The active account.
    HybridActive,
    /// The least recently used account.
    HybridLru,
    /// The account after the active one.
    RoundRobinNext,
    /// Active not eligible: the pid's account.
    RoundRobinPidOffset,
}

impl Decision {
    /// The plugin's code (`sticky-session-reuse`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::StickySessionReuse => "sticky-session-reuse",
            Decision::StickySessionAssign => "sticky-session-assign",
            Decision::StickyFallbackFirst => "sticky-fallback-first",
            Decision::StickyActive => "sticky-active",
            Decision::StickyPidOffset => "sticky-pid-offset",
            Decision::HybridSessionReuse => "hybrid-session-reuse",
            Decision::HybridSessionAssign => "hybrid-session-assign",
            Decision::HybridActive => "hybrid-active",
            Decision::HybridLru => "hybrid-lru",
            Decision::RoundRobinNext => "round-robin-next",
            Decision::RoundRobinPidOffset => "round-robin-pid-offset",
        }
    }
}

/// The inputs of one selection. `Debug` masks the active key and the session key.
#[derive(Clone)]
pub struct SelectInput<'a> {
    /// Accounts in file order.
    pub accounts: &'a [AccountView],
    /// The strategy.
    pub strategy: Strategy,
    /// The domain's `activeIdentityKey`.
    pub active_key: Option<&'a str>,
    /// Now (epoch ms).
    pub now_ms: f64,
    /// `runtime.pidOffset`.
    pub pid_offset: bool,
    /// The process id used for the offset.
    pub pid: u64,
    /// The session key (blank means none).
    pub session_key: Option<&'a str>,
}

impl std::fmt::Debug for SelectInput<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SelectInput")
            .field("accounts", &self.accounts)
            .field("strategy", &self.strategy)
            .field("active_key", &MaskedDebug::Key(self.active_key))
            .field("now_ms", &self.now_ms)
            .field("pid_offset", &self.pid_offset)
            .field("pid", &self.pid)
            .field("session_key", &MaskedDebug::Id(self.session_key))
            .finish()
    }
}

/// A chosen account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection {
    /// Index into [`SelectInput::accounts`].
    pub index: usize,
    /// Why.
    pub decision: Decision,
}

fn last_used(a: &AccountView) -> f64 {
    a.last_used.unwrap_or(0.0)
}

fn key_of(a: &AccountView) -> &str {
    a.identity_key.as_deref().unwrap_or("")
}

fn by_lru(a: &AccountView, b: &AccountView) -> Ordering {
    last_used(a)
        .partial_cmp(&last_used(b))
        .unwrap_or(Ordering::Equal)
        .then_with(|| key_of(a).cmp(key_of(b)))
}

/// Picks an account (reference 6.2). `None` means no account is eligible (the plugin's
/// `none-eligible`). `state` is the strategy's session state (none for round robin).
pub fn select_account(
    input: &SelectInput<'_>,
    mut state: Option<&mut SessionState>,
) -> Option<Selection> {
    let eligible: Vec<usize> = input
        .accounts
        .iter()
        .enumerate()
        .filter(|(_, a)| is_eligible(a, input.now_ms))
        .map(|(i, _)| i)
        .collect();
    let n = eligible.len();
    if n == 0 {
        return None;
    }
    let account = |i: usize| &input.accounts[i];
    let active_pos = input.active_key.and_then(|k| {
        eligible
            .iter()
            .position(|&i| account(i).identity_key.as_deref() == Some(k))
    });
    let session = input.session_key.filter(|s| !s.trim().is_empty());
    let offset_index = if n <= 1 || !input.pid_offset {
        0
    } else {
        (input.pid % n as u64) as usize
    };
    let pick = |pos: usize| eligible[pos];

    if input.strategy == Strategy::RoundRobin {
        return Some(match active_pos {
            None => Selection {
                index: pick(offset_index),
                decision: Decision::RoundRobinPidOffset,
            },
            Some(p) => Selection {
                index: pick((p + 1) % n),
                decision: Decision::RoundRobinNext,
            },
        });
    }
    let hybrid = input.strategy == Strategy::Hybrid;

    // reuse
    if let (Some(st), Some(s)) = (state.as_deref_mut(), session) {
        if let Some(assigned) = st.get(s).map(str::to_string) {
            match eligible
                .iter()
                .find(|&&i| account(i).identity_key.as_deref() == Some(assigned.as_str()))
            {
                Some(&i) => {
                    return Some(Selection {
                        index: i,
                        decision: if hybrid {
                            Decision::HybridSessionReuse
                        } else {
                            Decision::StickySessionReuse
                        },
                    })
                }
                None => st.remove(s),
            }
        }
    }

    let assign = |st: Option<&mut SessionState>, i: usize| {
        if let (Some(st), Some(s), Some(k)) = (st, session, account(i).identity_key.as_deref()) {
            st.set(s, k);
        }
    };

    if input.pid_offset && session.is_some() {
        if let Some(st) = state.as_deref_mut() {
            let i = if hybrid {
                let mut ordered = eligible.clone();
                ordered.sort_by(|&a, &b| by_lru(account(a), account(b)));
                ordered[st.cursor % n]
            } else {
                pick(st.cursor % n)
            };
            st.cursor = (st.cursor + 1) % n;
            assign(Some(st), i);
            return Some(Selection {
                index: i,
                decision: if hybrid {
                    Decision::HybridSessionAssign
                } else {
                    Decision::StickySessionAssign
                },
            });
        }
    }

    if let Some(p) = active_pos {
        let i = pick(p);
        assign(state, i);
        return Some(Selection {
            index: i,
            decision: if hybrid {
                Decision::HybridActive
            } else {
                Decision::StickyActive
            },
        });
    }

    let (i, decision) = if hybrid {
        let best = eligible
            .iter()
            .copied()
            .min_by(|&a, &b| by_lru(account(a), account(b)))
            .unwrap_or(eligible[0]);
        (best, Decision::HybridLru)
    } else if !input.pid_offset {
        (pick(0), Decision::StickyFallbackFirst)
    } else {
        (pick(offset_index), Decision::StickyPidOffset)
    };
    assign(state, i);
    Some(Selection { index: i, decision })
}
