//! Quota polling (reference 7.7): after a request answered with an account, that account's
//! usage (`GET <backend>/wham/usage`) is fetched in the background, at most once per 60 s
//! per account (10 s after a failure), with a 3 s time limit.
//!
//! The payload becomes the account's snapshot in `codex-snapshots.json` (limits and
//! credits), as the plugin stores it. Crossing a warning threshold (25, 20, 10, 5, 2.5 %
//! left) is logged; a window reaching 0 % cools the account until the latest reset of the
//! exhausted windows (else 5 minutes), in memory at once and in the store, so the next
//! request goes to another account instead of meeting a 429 first. The plugin shows toasts;
//! the proxy has only its log and `/status` (the account's last error is the reason code).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use codex_redact::Secret;
use codex_rotation::ratelimit::{parse_usage_payload, usage_url, QuotaAlerts, UsageSnapshot};
use http::HeaderValue;
use reqwest::Url;
use serde_json::Value;

use crate::metrics::account_label;
use crate::shared::Shared;

/// Smallest gap between two polls of one account.
pub const POLL_INTERVAL_MS: f64 = 60_000.0;
/// Smallest gap after a failed poll.
pub const POLL_RETRY_MS: f64 = 10_000.0;
/// Time limit of one poll.
pub const POLL_TIMEOUT: Duration = Duration::from_secs(3);
/// Largest usage body read.
const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Debug, Default)]
struct PollState {
    last_attempt_ms: Option<f64>,
    last_failed: bool,
    running: bool,
    alerts: QuotaAlerts,
}

/// What a poll needs of the account that answered.
#[derive(Clone)]
pub struct PollTarget {
    /// Identity key.
    pub key: String,
    /// Access token used for the request.
    pub access: Secret<String>,
    /// `ChatGPT-Account-Id`.
    pub account_id: Option<String>,
}

impl std::fmt::Debug for PollTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The identity key holds an email and the account id is personal: labels only.
        f.debug_struct("PollTarget")
            .field("account", &account_label(&self.key))
            .finish_non_exhaustive()
    }
}

/// Per-account poll state and threshold alerts.
#[derive(Default)]
pub struct QuotaPoller {
    state: Mutex<HashMap<String, PollState>>,
}

impl std::fmt::Debug for QuotaPoller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.state.lock().map(|m| m.len()).unwrap_or(0);
        f.debug_struct("QuotaPoller").field("accounts", &n).finish()
    }
}

/// Marks a claimed poll finished when dropped, also when the poll task panics or is
/// cancelled, so an account is never left "running" for good.
struct Claim<'a> {
    poller: &'a QuotaPoller,
    key: &'a str,
    failed: bool,
}

impl Drop for Claim<'_> {
    fn drop(&mut self) {
        self.poller.finish(self.key, self.failed);
    }
}

/// The usage URL for the upstream base: the Codex base without its `/codex` tail
/// (`https://chatgpt.com/backend-api/codex` → `…/backend-api/wham/usage`).
pub fn usage_url_for(upstream: &Url) -> Option<Url> {
    let mut base = upstream.clone();
    let path = upstream.path().trim_end_matches('/');
    base.set_path(path.strip_suffix("/codex").unwrap_or(path));
    base.set_query(None);
    Url::parse(&usage_url(base.as_str())).ok()
}

fn is_due(s: &PollState, now_ms: f64) -> bool {
    if s.running {
        return false;
    }
    let gap = if s.last_failed {
        POLL_RETRY_MS
    } else {
        POLL_INTERVAL_MS
    };
    s.last_attempt_ms.is_none_or(|last| now_ms - last >= gap)
}

impl QuotaPoller {
    /// Whether `key` would be polled now (no allocation: called on every answer).
    pub fn due(&self, key: &str, now_ms: f64) -> bool {
        let map = self.state.lock().unwrap_or_else(|p| p.into_inner());
        map.get(key).is_none_or(|s| is_due(s, now_ms))
    }

    /// Whether `key` is due for a poll now; marks it as started when it is.
    fn claim(&self, key: &str, now_ms: f64) -> bool {
        let mut map = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let s = map.entry(key.to_string()).or_default();
        if !is_due(s, now_ms) {
            return false;
        }
        s.running = true;
        s.last_attempt_ms = Some(now_ms);
        true
    }

    fn finish(&self, key: &str, failed: bool) {
        let mut map = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(s) = map.get_mut(key) {
            s.running = false;
            s.last_failed = failed;
        }
    }

    fn evaluate(&self, key: &str, snap: &UsageSnapshot, now_ms: f64) -> QuotaOutcome {
        let mut map = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let s = map.entry(key.to_string()).or_default();
        let ev = s.alerts.evaluate(&snap.limits, now_ms);
        QuotaOutcome {
            warnings: ev.warnings.into_iter().map(|w| w.message).collect(),
            exhausted: ev.exhausted.map(|e| (e.reason, e.cooldown_until)),
        }
    }
}

struct QuotaOutcome {
    warnings: Vec<String>,
    exhausted: Option<(String, f64)>,
}

/// Starts a background poll for `target` when one is due.
pub fn after_request(st: &Arc<Shared>, quota: &Arc<QuotaPoller>, target: PollTarget) {
    if !st.config.quota_poll {
        return;
    }
    let now = (st.clock)() as f64;
    if !quota.claim(&target.key, now) {
        return;
    }
    let st = Arc::clone(st);
    let quota = Arc::clone(quota);
    tokio::spawn(async move {
        let mut claim = Claim {
            poller: &quota,
            key: &target.key,
            failed: true,
        };
        match poll(&st, &target).await {
            Ok(snap) => {
                claim.failed = false;
                apply(&st, &quota, &target.key, snap).await;
            }
            Err(e) => {
                st.metrics.usage_poll("failed");
                tracing::debug!(
                    account = %account_label(&target.key),
                    error = %e,
                    "usage poll failed"
                );
            }
        }
        drop(claim);
    });
}

async fn poll(st: &Shared, target: &PollTarget) -> Result<UsageSnapshot, String> {
    let url = usage_url_for(&st.config.upstream).ok_or("no usage URL for the upstream")?;
    fetch_usage(
        &st.http,
        url,
        &target.access,
        target.account_id.as_deref(),
        &st.config.allowlist,
        POLL_TIMEOUT,
    )
    .await
}

/// Fetches one account's usage (`GET <usage url>` with its bearer token and
/// `ChatGPT-Account-Id`, redirects checked against `allowlist`, at most `timeout`) and parses
/// it; `Err` says why in words without secrets. Used by the background poll and by
/// `codex-runtime accounts quota`.
pub async fn fetch_usage(
    http: &reqwest::Client,
    url: Url,
    access: &Secret<String>,
    account_id: Option<&str>,
    allowlist: &crate::outbound::Allowlist,
    timeout: Duration,
) -> Result<UsageSnapshot, String> {
    let mut req = reqwest::Request::new(http::Method::GET, url);
    *req.timeout_mut() = Some(timeout);
    let h = req.headers_mut();
    crate::shape::insert_account_headers(h, access.expose(), account_id);
    h.insert(
        http::header::ACCEPT,
        HeaderValue::from_static("application/json"),
    );
    h.insert(
        http::header::USER_AGENT,
        HeaderValue::from_static("codex_cli_rs"),
    );
    let mut resp = crate::outbound::get_following(http, req, allowlist)
        .await
        .map_err(|e| {
            if e.is_timeout() {
                format!("no answer within {} s", timeout.as_secs_f64())
            } else {
                e.to_string()
            }
        })?;
    if !resp.status().is_success() {
        return Err(format!("upstream answered {}", resp.status().as_u16()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|_| "the body was cut")? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err("the usage answer is too large".into());
        }
        body.extend_from_slice(&chunk);
    }
    let v: Value = serde_json::from_slice(&body).map_err(|_| "the usage answer is not JSON")?;
    parse_usage_payload(&v).ok_or_else(|| "the usage answer has no limits".into())
}

async fn apply(st: &Shared, quota: &QuotaPoller, key: &str, snap: UsageSnapshot) {
    let now = (st.clock)() as f64;
    st.metrics.usage_poll("ok");
    let outcome = quota.evaluate(key, &snap, now);
    let label = account_label(key);
    for w in &outcome.warnings {
        tracing::warn!(account = %label, "{w}");
    }
    st.snapshots.record_usage(key, snap, now);
    if let Some((reason, until)) = outcome.exhausted {
        tracing::warn!(
            account = %label,
            reason = %reason,
            cooldown_ms = (until - now).max(0.0) as u64,
            "quota exhausted; the account rests until its window resets"
        );
        st.pool.note_error(key, &reason, now);
        st.pool.cool(key, until);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_url_drops_the_codex_tail() {
        let u = |s: &str| Url::parse(s).expect("url");
        assert_eq!(
            usage_url_for(&u("https://chatgpt.com/backend-api/codex"))
                .expect("url")
                .as_str(),
            "https://chatgpt.com/backend-api/wham/usage"
        );
        assert_eq!(
            usage_url_for(&u("http://127.0.0.1:9/backend-api/codex/"))
                .expect("url")
                .as_str(),
            "http://127.0.0.1:9/backend-api/wham/usage"
        );
        assert_eq!(
            usage_url_for(&u("https://api.openai.com"))
                .expect("url")
                .as_str(),
            "https://api.openai.com/api/codex/usage"
        );
    }

    #[test]
    fn polls_are_spaced_per_account() {
        let p = QuotaPoller::default();
        assert!(p.due("a", 0.0));
        assert!(p.claim("a", 0.0));
        assert!(!p.due("a", 1.0));
        assert!(!p.claim("a", 1.0), "one at a time");
        p.finish("a", false);
        assert!(!p.claim("a", POLL_INTERVAL_MS - 1.0));
        assert!(p.claim("b", 1.0), "accounts are independent");
        assert!(p.claim("a", POLL_INTERVAL_MS));
        p.finish("a", true);
        assert!(!p.claim("a", POLL_INTERVAL_MS + POLL_RETRY_MS - 1.0));
        assert!(p.claim("a", POLL_INTERVAL_MS + POLL_RETRY_MS));
    }

    #[test]
    fn a_poll_that_dies_releases_its_claim_as_failed() {
        let p = QuotaPoller::default();
        assert!(p.claim("a", 0.0));
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _claim = Claim {
                poller: &p,
                key: "a",
                failed: true,
            };
            panic!("poll task died");
        }));
        assert!(result.is_err());
        assert!(!p.due("a", POLL_RETRY_MS - 1.0));
        assert!(p.due("a", POLL_RETRY_MS), "retried as after a failure");
    }

    #[test]
    fn debug_shows_no_identity() {
        let t = PollTarget {
            key: "acc_1|alice@example.com|plus".into(),
            access: Secret::new("at_secret".into()),
            account_id: Some("acc_1".into()),
        };
        let d = format!("{t:?}");
        assert!(
            !d.contains("alice") && !d.contains("acc_1") && !d.contains("at_secret"),
            "{d}"
        );
    }
}
