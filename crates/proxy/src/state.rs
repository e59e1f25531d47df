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

impl AppState {
    /// Brings the catalog of the account whose catalog applies (the active one, else the
    /// first enabled one, as [`crate::models::catalog_account`] picks it) up to date when it is stale (see [`crate::catalog`]); that
    /// account's id, whose catalog files then apply.
    pub async fn sync_catalog(&self) -> Option<String> {
        let acct = self.pool.view().ok().and_then(|v| {
            let active = self.pool.active_key(&v);
            v.accounts
                .iter()
                .find(|a| a.identity_key.is_some() && a.identity_key == active)
                .or_else(|| v.accounts.iter().find(|a| a.enabled))
                .cloned()
        });
        let a = acct?;
        let now = (self.clock)() as f64;
        let access = a.access.as_ref().filter(|_| a.access_valid(now));
        self.catalog
            .sync(self, a.account_id.as_deref(), access, now)
            .await;
        a.account_id
    }
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
