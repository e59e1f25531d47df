//! Proactive refresh (reference 9.6), when `refreshAhead.enabled` is on.
//!
//! Every 60 s (first tick 60 s after start), for the proxy's domain: under the store lock,
//! pick the first enabled account whose token expires within the buffer and that has no
//! cooldown or lease, and claim a 120 s lease; refresh outside the lock; commit only if the
//! lease and refresh token are unchanged (a new expiry still inside the buffer cools the
//! account for 30 s), through [`crate::refresh::save_refreshed`] like the request path. At
//! most four refreshes per tick, one at a time; a lost lease skips that account for the rest
//! of the tick.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use crate::refresh::{save_refreshed, RefreshPurpose};
use crate::shared::Shared;

/// Tick interval.
pub const INTERVAL: Duration = Duration::from_secs(60);

/// Lease length.
pub const LEASE_MS: f64 = 120_000.0;

/// Refreshes per tick.
pub const MAX_PER_TICK: usize = 4;

/// Runs forever (aborted at shutdown).
pub async fn run(st: Arc<Shared>, buffer_ms: u64) {
    let mut tick = tokio::time::interval(INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        one_pass(&st, buffer_ms as f64).await;
    }
}

/// One tick.
pub async fn one_pass(st: &Shared, buffer_ms: f64) {
    let mut stale: HashSet<String> = HashSet::new();
    for _ in 0..MAX_PER_TICK {
        let store = st.pool.store().clone();
        let mode = st.pool.mode();
        let now = (st.clock)() as f64;
        let skip = stale.clone();
        let claimed = tokio::task::spawn_blocking(move || {
            store.update_oauth(|s| {
                let candidate = s.domain(mode).and_then(|d| {
                    d.accounts().iter().find_map(|a| {
                        let key = a.identity_key()?;
                        let refresh = a.refresh().filter(|r| !r.expose().trim().is_empty())?;
                        let expiring = a.expires().is_some_and(|e| e <= now + buffer_ms);
                        let free = !a.cooldown_until().is_some_and(|c| c > now)
                            && !a.refresh_lease_until().is_some_and(|l| l > now);
                        (a.is_enabled() && expiring && free && !skip.contains(key))
                            .then(|| (key.to_string(), refresh.clone()))
                    })
                });
                Ok(candidate.and_then(|(key, refresh)| {
                    s.acquire_lease(mode, &key, &refresh, now, LEASE_MS)
                        .map(|lease| (lease, refresh))
                }))
            })
        })
        .await;
        let (lease, refresh) = match claimed {
            Ok(Ok(u)) => match u.value {
                Some(x) => x,
                None => return,
            },
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "proactive refresh: store unavailable");
                return;
            }
            Err(_) => return,
        };
        st.pool.invalidate();
        let key = lease.identity_key.clone();
        match st.refresher.refresh(&refresh).await {
            Ok(tokens) => {
                let t = (st.clock)() as f64;
                let ok = save_refreshed(
                    st.pool.store(),
                    &lease,
                    &tokens,
                    t,
                    RefreshPurpose::Proactive { buffer_ms },
                )
                .await;
                st.metrics
                    .refresh(if ok { "success" } else { "lost_lease" });
                if ok {
                    st.metrics.account(&key, |c| c.refreshes += 1);
                } else {
                    stale.insert(key);
                }
            }
            Err(e) => {
                let terminal = e.is_terminal();
                st.metrics
                    .refresh(if terminal { "terminal" } else { "transient" });
                st.metrics.account(&key, |c| c.refresh_failures += 1);
                let store = st.pool.store().clone();
                let _ =
                    tokio::task::spawn_blocking(move || store.fail_refresh(&lease, terminal)).await;
                stale.insert(key);
            }
        }
        st.pool.invalidate();
    }
}
