//! `GET /status`: what the proxy knows, with nothing secret in it.
//!
//! Accounts appear with masked labels (`u***@example.com (plus)`) and their pseudonymous
//! metrics label, never with tokens, emails or identity keys in clear.

use std::sync::atomic::Ordering;

use codex_rotation::ratelimit::QuotaView;
use codex_rotation::{health, is_eligible, AccountView};
use serde_json::{json, Value};

use crate::metrics::account_label;
use crate::shared::Shared;

fn state_of(a: &crate::pool::Acct, now: f64) -> &'static str {
    if !a.enabled {
        "disabled"
    } else if a.cooldown_until.is_some_and(|c| c > now) {
        "cooling_down"
    } else if a.refresh_lease_until.is_some_and(|l| l > now) {
        "refresh_leased"
    } else if a.identity_key.is_none() {
        "missing_identity"
    } else {
        "ok"
    }
}

fn num(v: Option<f64>) -> Value {
    v.and_then(serde_json::Number::from_f64)
        .map_or(Value::Null, Value::Number)
}

/// The status document.
pub(crate) fn status_json(st: &Shared) -> Value {
    let now = (st.clock)() as f64;
    let c = &st.config;
    let mut doc = json!({
        "service": "codex-runtime serve",
        "version": env!("CARGO_PKG_VERSION"),
        "uptimeSeconds": st.started.elapsed().as_secs(),
        // The address bound (`--listen 127.0.0.1:0` picks the port).
        "listen": std::net::SocketAddr::new(c.listen.ip(), st.port).to_string(),
        "mode": c.mode_name(),
        "strategy": c.strategy.as_str(),
        "strategyExplicit": c.strategy_explicit,
        "pidOffset": c.pid_offset,
        "maxAttempts": c.max_attempts,
        "refreshAhead": c.refresh_ahead_ms,
        "upstream": c.upstream.origin().ascii_serialization(),
        "testHook": c.test_hook,
        "clientKeyRequired": c.client_key.is_some(),
        "requests": {
            "total": st.metrics.requests_total(),
            "inflight": st.metrics.inflight_now(),
            "failovers": st.metrics.failovers.load(Ordering::Relaxed),
            "upstream429": st.metrics.upstream_429.load(Ordering::Relaxed),
            "hiddenStreamErrors": st.metrics.hidden_stream_errors.load(Ordering::Relaxed),
        },
    });
    let view = match st.pool.view() {
        Ok(v) => v,
        Err(e) => {
            doc["storeError"] = Value::String(e.to_string());
            return doc;
        }
    };
    let accounts = st.pool.effective_accounts(&view, now);
    let views: Vec<AccountView> = accounts
        .iter()
        .map(|a| AccountView {
            identity_key: a.identity_key.clone(),
            enabled: a.enabled,
            cooldown_until: a.cooldown_until,
            refresh_lease_until: a.refresh_lease_until,
            last_used: a.last_used,
        })
        .collect();
    let h = health(&views, now);
    let active = st.pool.active_key(&view);
    // The plugin's and this proxy's snapshots alike.
    let snapshots = st.snapshots.load();
    let rows: Vec<Value> = accounts
        .iter()
        .zip(&views)
        .map(|(a, v)| {
            let key = a.identity_key.as_deref();
            let counters = key.map(|k| st.metrics.account_counters(k)).unwrap_or_default();
            let last_error = key.and_then(|k| st.pool.last_error(k));
            json!({
                "index": a.index + 1,
                "label": a.masked_label(),
                "metricsLabel": key.map(account_label),
                "enabled": a.enabled,
                "eligible": is_eligible(v, now) && key.is_some(),
                "state": state_of(a, now),
                "active": key.is_some() && key == active.as_deref(),
                "cooldownUntil": num(a.cooldown_until.filter(|c| *c > now)),
                "cooldownRemainingMs": num(a.cooldown_until.filter(|c| *c > now).map(|c| (c - now).ceil())),
                "refreshLeaseUntil": num(a.refresh_lease_until.filter(|l| *l > now)),
                "tokenExpiresAt": num(a.expires),
                "tokenValid": a.access_valid(now),
                "hasRefreshToken": a.has_refresh(),
                "lastUsed": num(a.last_used),
                "lastError": last_error.map(|e| json!({"code": e.code, "at": num(Some(e.at_ms))})),
                "quota": key
                    .and_then(|k| snapshots.get(k))
                    .and_then(QuotaView::of_snapshot)
                    .map_or(Value::Null, |q| q.to_json()),
                "counters": {
                    "requests": counters.requests,
                    "rateLimited": counters.rate_limited,
                    "authFailures": counters.auth_failures,
                    "refreshes": counters.refreshes,
                    "refreshFailures": counters.refresh_failures,
                },
            })
        })
        .collect();
    doc["summary"] = json!({
        "total": h.total, "disabled": h.disabled, "coolingDown": h.cooldown,
        "refreshLeased": h.lease, "eligible": h.eligible,
    });
    doc["accounts"] = Value::Array(rows);
    doc
}
