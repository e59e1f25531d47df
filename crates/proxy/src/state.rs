//! A running proxy's state as requests see it: the [`Shared`] state plus the two
//! background syncers that run after requests (the model catalog and usage polling). The
//! orchestrator and the server use it; the modules it imports take [`Shared`] instead, so
//! nothing imports this module back.

use std::ops::Deref;
use std::sync::Arc;

use crate::catalog::CatalogSync;
use crate::quota::QuotaPoller;
use crate::shared::Shared;

/// State of a running proxy.
pub struct AppState {
    /// Everything but the syncers (also reachable through `Deref`).
    pub shared: Arc<Shared>,
    /// Live model catalog fetches.
    pub catalog: Arc<CatalogSync>,
    /// Usage polling.
    pub quota: Arc<QuotaPoller>,
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.shared
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.shared.fmt(f)
    }
}
