//! Counters for `/metrics` (Prometheus text format 0.0.4) and `/status`.
//!
//! Global counters are atomics; per-account counters are keyed by a pseudonymous label
//! (`acct_` + 8 hex digits of a SHA-256 of the identity key), so a scrape never shows an
//! email or account id. Upstream latency (time to response headers) is a histogram.

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sha2::{Digest, Sha256};

/// Histogram bucket upper bounds, seconds.
pub(crate) const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The pseudonymous label of an identity key. The access log names the account of every
/// request, so the labels of the last [`LABELS_KEPT`] keys are kept (computing one is a
/// SHA-256).
pub(crate) fn account_label(identity_key: &str) -> String {
    static KEPT: Mutex<VecDeque<(String, String)>> = Mutex::new(VecDeque::new());
    let mut kept = lock(&KEPT);
    if let Some((_, label)) = kept.iter().find(|(k, _)| k == identity_key) {
        return label.clone();
    }
    let label = compute_account_label(identity_key);
    if kept.len() >= LABELS_KEPT {
        kept.pop_front();
    }
    kept.push_back((identity_key.to_string(), label.clone()));
    label
}

/// Labels [`account_label`] keeps (the oldest is dropped first).
const LABELS_KEPT: usize = 64;

/// `acct_` and the first 4 bytes, in hex, of the SHA-256 of `codex-kit/metrics/<key>`.
fn compute_account_label(identity_key: &str) -> String {
    let d = Sha256::new()
        .chain_update(b"codex-kit/metrics/")
        .chain_update(identity_key.as_bytes())
        .finalize();
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(13);
    out.push_str("acct_");
    for b in d.iter().take(4) {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

/// Reads one counter of an account.
type CounterOf = fn(&AccountCounters) -> u64;

/// Per-account counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountCounters {
    /// Upstream requests sent with this account.
    pub requests: u64,
    /// 429s and rate-limit errors in streams.
    pub rate_limited: u64,
    /// 401s and auth errors in streams.
    pub auth_failures: u64,
    /// Token refreshes that succeeded.
    pub refreshes: u64,
    /// Token refreshes that failed.
    pub refresh_failures: u64,
}

/// A request's final outcome, for `codex_proxy_requests_total`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// 2xx from upstream.
    Success,
    /// A non-2xx upstream response passed through.
    UpstreamError,
    /// A synthetic error.
    Synthetic,
}

impl Outcome {
    /// `success`, `upstream_error`, `synthetic_error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::UpstreamError => "upstream_error",
            Outcome::Synthetic => "synthetic_error",
        }
    }
}

/// All counters. `Debug` shows the per-account counters by their pseudonymous label.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(Outcome, u16), u64>>,
    /// Attempts after the first within a request.
    pub failovers: AtomicU64,
    /// Upstream 429 responses.
    pub upstream_429: AtomicU64,
    /// Errors found at the start of 200 streams.
    pub hidden_stream_errors: AtomicU64,
    /// Refreshes by result.
    refreshes: Mutex<BTreeMap<&'static str, u64>>,
    catalog: Mutex<BTreeMap<&'static str, u64>>,
    usage_polls: Mutex<BTreeMap<&'static str, u64>>,
    accounts: Mutex<BTreeMap<String, AccountCounters>>,
    buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_us: AtomicU64,
    inflight: Arc<AtomicU64>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let accounts: BTreeMap<String, AccountCounters> = lock(&self.accounts)
            .iter()
            .map(|(k, c)| (account_label(k), c.clone()))
            .collect();
        f.debug_struct("Metrics")
            .field("requests", &self.requests_total())
            .field("inflight", &self.inflight_now())
            .field("accounts", &accounts)
            .finish_non_exhaustive()
    }
}

/// Decrements the in-flight gauge when dropped (held by the response body).
#[derive(Debug)]
pub struct InflightGuard(Arc<AtomicU64>);

impl Drop for InflightGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Metrics {
    /// Counts a request in flight until the guard drops.
    pub fn inflight(&self) -> InflightGuard {
        self.inflight.fetch_add(1, Ordering::Relaxed);
        InflightGuard(self.inflight.clone())
    }

    /// Requests in flight.
    pub fn inflight_now(&self) -> u64 {
        self.inflight.load(Ordering::Relaxed)
    }

    /// Records a finished request.
    pub fn request(&self, outcome: Outcome, status: u16) {
        *lock(&self.requests).entry((outcome, status)).or_default() += 1;
    }

    /// Moves one request counted as `from` to `to`: an answer whose status changed after it
    /// was counted (a non-streaming Chat Completions answer whose stream failed is a 502).
    pub fn request_restated(&self, from: (Outcome, u16), to: (Outcome, u16)) {
        let mut map = lock(&self.requests);
        if let Some(n) = map.get_mut(&from).filter(|n| **n > 0) {
            *n -= 1;
            if *n == 0 {
                map.remove(&from);
            }
            *map.entry(to).or_default() += 1;
        }
    }

    /// Total requests.
    pub fn requests_total(&self) -> u64 {
        lock(&self.requests).values().sum()
    }

    /// Records a refresh result (`success`, `terminal`, `transient`, `lost_lease`, `busy`).
    pub fn refresh(&self, result: &'static str) {
        *lock(&self.refreshes).entry(result).or_default() += 1;
    }

    /// Records a live catalog fetch (`fetched`, `failed`).
    pub fn catalog(&self, result: &'static str) {
        *lock(&self.catalog).entry(result).or_default() += 1;
    }

    /// Records a usage poll (`ok`, `failed`).
    pub fn usage_poll(&self, result: &'static str) {
        *lock(&self.usage_polls).entry(result).or_default() += 1;
    }

    /// Updates one account's counters.
    pub fn account(&self, identity_key: &str, f: impl FnOnce(&mut AccountCounters)) {
        let mut map = lock(&self.accounts);
        match map.get_mut(identity_key) {
            Some(c) => f(c),
            None => f(map.entry(identity_key.to_string()).or_default()),
        }
    }

    /// One account's counters.
    pub fn account_counters(&self, identity_key: &str) -> AccountCounters {
        lock(&self.accounts)
            .get(identity_key)
            .cloned()
            .unwrap_or_default()
    }

    /// Records the time to upstream response headers (one bucket counter per observation;
    /// the exposition sums them into Prometheus' cumulative buckets).
    pub fn latency(&self, d: Duration) {
        let secs = d.as_secs_f64();
        if let Some(i) = LATENCY_BUCKETS.iter().position(|b| secs <= *b) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_us
            .fetch_add(d.as_micros() as u64, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "# HELP codex_proxy_requests_total Responses requests answered, by outcome and status."
        );
        let _ = writeln!(o, "# TYPE codex_proxy_requests_total counter");
        for ((outcome, status), n) in lock(&self.requests).iter() {
            let _ = writeln!(
                o,
                "codex_proxy_requests_total{{outcome=\"{}\",status=\"{status}\"}} {n}",
                outcome.as_str()
            );
        }
        let simple = [
            (
                "codex_proxy_failovers_total",
                "Attempts on another account after the first, within one request.",
                &self.failovers,
            ),
            (
                "codex_proxy_upstream_429_total",
                "429 responses from the upstream.",
                &self.upstream_429,
            ),
            (
                "codex_proxy_hidden_stream_errors_total",
                "Errors found in the opening events of 200 streams.",
                &self.hidden_stream_errors,
            ),
        ];
        for (name, help, v) in simple {
            let _ = writeln!(o, "# HELP {name} {help}");
            let _ = writeln!(o, "# TYPE {name} counter");
            let _ = writeln!(o, "{name} {}", v.load(Ordering::Relaxed));
        }
        let _ = writeln!(
            o,
            "# HELP codex_proxy_refreshes_total Token refreshes, by result."
        );
        let _ = writeln!(o, "# TYPE codex_proxy_refreshes_total counter");
        for (result, n) in lock(&self.refreshes).iter() {
            let _ = writeln!(o, "codex_proxy_refreshes_total{{result=\"{result}\"}} {n}");
        }
        let _ = writeln!(
            o,
            "# HELP codex_proxy_catalog_fetches_total Live model catalog fetches, by result."
        );
        let _ = writeln!(o, "# TYPE codex_proxy_catalog_fetches_total counter");
        for (result, n) in lock(&self.catalog).iter() {
            let _ = writeln!(
                o,
                "codex_proxy_catalog_fetches_total{{result=\"{result}\"}} {n}"
            );
        }
        let _ = writeln!(
            o,
            "# HELP codex_proxy_usage_polls_total Account usage polls, by result."
        );
        let _ = writeln!(o, "# TYPE codex_proxy_usage_polls_total counter");
        for (result, n) in lock(&self.usage_polls).iter() {
            let _ = writeln!(
                o,
                "codex_proxy_usage_polls_total{{result=\"{result}\"}} {n}"
            );
        }
        let _ = writeln!(o, "# HELP codex_proxy_inflight_requests Responses requests in flight (including open streams).");
        let _ = writeln!(o, "# TYPE codex_proxy_inflight_requests gauge");
        let _ = writeln!(o, "codex_proxy_inflight_requests {}", self.inflight_now());
        // Keyed by identity key in memory; only the pseudonymous label is ever shown.
        let accounts: BTreeMap<String, AccountCounters> = lock(&self.accounts)
            .iter()
            .map(|(k, c)| (account_label(k), c.clone()))
            .collect();
        let per: [(&str, &str, CounterOf); 5] = [
            (
                "codex_proxy_account_requests_total",
                "Upstream requests per account (pseudonymous label).",
                |c| c.requests,
            ),
            (
                "codex_proxy_account_rate_limited_total",
                "Rate limits per account.",
                |c| c.rate_limited,
            ),
            (
                "codex_proxy_account_auth_failures_total",
                "Auth failures per account.",
                |c| c.auth_failures,
            ),
            (
                "codex_proxy_account_refreshes_total",
                "Successful refreshes per account.",
                |c| c.refreshes,
            ),
            (
                "codex_proxy_account_refresh_failures_total",
                "Failed refreshes per account.",
                |c| c.refresh_failures,
            ),
        ];
        for (name, help, get) in per {
            let _ = writeln!(o, "# HELP {name} {help}");
            let _ = writeln!(o, "# TYPE {name} counter");
            for (label, c) in &accounts {
                let _ = writeln!(o, "{name}{{account=\"{label}\"}} {}", get(c));
            }
        }
        let name = "codex_proxy_upstream_latency_seconds";
        let _ = writeln!(
            o,
            "# HELP {name} Time from sending a request upstream to its response headers."
        );
        let _ = writeln!(o, "# TYPE {name} histogram");
        let count = self.latency_count.load(Ordering::Relaxed);
        let mut cumulative = 0;
        for (i, b) in LATENCY_BUCKETS.iter().enumerate() {
            cumulative += self.buckets[i].load(Ordering::Relaxed);
            // Read without a lock: never above the count, as Prometheus expects.
            let _ = writeln!(o, "{name}_bucket{{le=\"{b}\"}} {}", cumulative.min(count));
        }
        let _ = writeln!(o, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.latency_sum_us.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(o, "{name}_sum {sum}");
        let _ = writeln!(o, "{name}_count {count}");
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The label as it was first written, with `format!`.
    fn reference(key: &str) -> String {
        let d = Sha256::digest(format!("codex-kit/metrics/{key}").as_bytes());
        let hex: String = d.iter().take(4).map(|b| format!("{b:02x}")).collect();
        format!("acct_{hex}")
    }

    #[test]
    fn labels_are_the_hash_of_the_key_kept_or_not() {
        // More keys than are kept, each asked twice, some again after being dropped.
        let keys: Vec<String> = (0..150)
            .map(|i| format!("acc_{i}|user{i}@example.com|plus"))
            .collect();
        for round in 0..2 {
            for k in &keys {
                assert_eq!(account_label(k), reference(k), "round {round}");
                assert_eq!(account_label(k), reference(k), "round {round}, kept");
            }
        }
        assert_eq!(account_label(""), reference(""));
        assert_eq!(account_label("é"), reference("é"));
        assert_eq!(account_label("acc_1").len(), 13);
    }
}
