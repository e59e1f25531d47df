//! The state every part of a running proxy reads: settings, the outbound clients, the
//! account pool, the refresher, counters, the snapshot writer, and the listener's facts.
//! It imports only leaf modules (no module that imports it back), so the catalog, quota,
//! status and proactive-refresh modules can take it without an import circle; the server
//! builds it, and the state module's `AppState` adds the background syncers.

use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use std::time::Instant;

use codex_store::Clock;
use reqwest::Url;

use crate::config::ProxyConfig;
use crate::metrics::Metrics;
use crate::pool::{Policy, Pool};
use crate::refresh::RefreshClient;
use crate::shape::UserAgents;
use crate::snapshots::SnapshotRecorder;

/// Shared state of a running proxy.
pub struct Shared {
    /// Settings.
    pub config: ProxyConfig,
    /// Outbound HTTP client of the background requests and the token refresh (no
    /// redirects followed).
    pub http: reqwest::Client,
    /// The Responses POST's connection pool.
    pub upstream: crate::upstream::Upstream,
    /// Accounts.
    pub pool: Pool,
    /// Token refresh.
    pub refresher: RefreshClient,
    /// Counters.
    pub metrics: Metrics,
    /// Snapshot writer.
    pub snapshots: SnapshotRecorder,
    /// User agents.
    pub agents: UserAgents,
    /// `<upstream>/responses`.
    pub responses_url: Url,
    /// Selection policy.
    pub policy: Policy,
    /// Clock (epoch ms).
    pub clock: Clock,
    /// Start time.
    pub started: Instant,
    /// The listener's port.
    pub port: u16,
    /// Set to true when the drain timeout cuts open streams.
    pub cut: tokio::sync::watch::Sender<bool>,
    /// Request body bytes held in memory now, over all requests.
    pub(crate) buffered: Arc<AtomicUsize>,
    /// SHA-256 of the client key, if one is configured.
    pub(crate) client_key_digest: Option<[u8; 32]>,
    /// The Responses requests' credential headers, built once per access token.
    pub(crate) account_headers: crate::shape::AccountHeaders,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("listen", &self.config.listen)
            .field("pool", &self.pool)
            .finish()
    }
}
