//! Edits of the account state, as pure functions of [`OauthState`].
//!
//! Each operation changes the domains only (the aggregate is derived) and mirrors a plugin
//! code path: upsert of a login (reference 4.7) and of a transferred account (4.6), cooldown
//! and token updates (4.5), the refresh lease claim / commit / failure (6.3, 9.6: the commit
//! re-checks that the lease and the refresh token are still ours, because refresh tokens
//! rotate), and the tools' switch / enable / disable / remove by 1-based row index (12.1).
//! The store (`codex-store`) runs them under the lock and writes the result atomically.

use codex_redact::{MaskedDebug, Secret};

use crate::account::{Account, COOLDOWN_UNTIL, REFRESH_LEASE_UNTIL};
use crate::domain::Domain;
use crate::identity::{build_identity_key, is_canonical_key, normalize_lower};
use crate::jwt;
use crate::state::{DomainState, OauthState};

/// Why a tool's edit by row index was refused (the plugin's wording).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// No such row.
    #[error("Invalid account index: #{index} (there {are} {count} account{s})", are = if *.count == 1 { "is" } else { "are" }, s = if *.count == 1 { "" } else { "s" })]
    InvalidIndex {
        /// The 1-based index given.
        index: usize,
        /// Number of rows.
        count: usize,
    },
    /// The row has no strict identity key.
    #[error("Target account missing identityKey: #{index} lacks a full identity (accountId, email and plan), so the runtime cannot use it; sign in again to repair it")]
    MissingIdentity {
        /// The 1-based index.
        index: usize,
    },
    /// `use` on a disabled account.
    #[error("Target account is disabled: #{index}; enable it first")]
    TargetDisabled {
        /// The 1-based index.
        index: usize,
    },
}

/// One row of the tools' account list (1-based over aggregate records with an identity).
/// `Debug` masks its identities.
#[derive(Clone, PartialEq)]
pub struct AccountRow {
    /// 1-based index, as the plugin's tools number accounts.
    pub index: usize,
    /// Identity key (strict, custom or `legacy|…`).
    pub identity_key: String,
    /// Whether the key is a strict `accountId|email|plan` key the runtime can use.
    pub strict_identity: bool,
    /// Account id.
    pub account_id: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Plan.
    pub plan: Option<String>,
    /// Enabled in at least one domain.
    pub enabled: bool,
    /// The aggregate active account.
    pub active: bool,
    /// Domains the account is in, in the order native, codex.
    pub domains: Vec<Domain>,
    /// Domains whose `activeIdentityKey` names it.
    pub active_in: Vec<Domain>,
    /// Access-token expiry (epoch ms), from the freshest copy.
    pub expires: Option<f64>,
    /// Cooldown end (epoch ms).
    pub cooldown_until: Option<f64>,
    /// Refresh lease end (epoch ms).
    pub refresh_lease_until: Option<f64>,
    /// Last use (epoch ms).
    pub last_used: Option<f64>,
    /// An access token is stored.
    pub has_access: bool,
    /// A non-blank refresh token is stored.
    pub has_refresh: bool,
    aggregate_index: usize,
}

impl std::fmt::Debug for AccountRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountRow")
            .field("index", &self.index)
            .field("identity_key", &MaskedDebug::Key(Some(&self.identity_key)))
            .field("strict_identity", &self.strict_identity)
            .field("account_id", &MaskedDebug::Id(self.account_id.as_deref()))
            .field("email", &MaskedDebug::Email(self.email.as_deref()))
            .field("plan", &self.plan)
            .field("enabled", &self.enabled)
            .field("active", &self.active)
            .field("domains", &self.domains)
            .field("active_in", &self.active_in)
            .field("expires", &self.expires)
            .field("cooldown_until", &self.cooldown_until)
            .field("refresh_lease_until", &self.refresh_lease_until)
            .field("last_used", &self.last_used)
            .field("has_access", &self.has_access)
            .field("has_refresh", &self.has_refresh)
            .finish_non_exhaustive()
    }
}

impl AccountRow {
    /// `email (plan)` / `email` / `account`, as the plugin's messages label accounts.
    pub fn plugin_label(&self) -> String {
        let label = self.email.clone().unwrap_or_else(|| "account".to_string());
        match &self.plan {
            Some(p) => format!("{label} ({p})"),
            None => label,
        }
    }

    /// The same label with the email masked (`u***@example.com (plus)`).
    pub fn masked_label(&self) -> String {
        let label = match (&self.email, &self.account_id) {
            (Some(e), _) => codex_redact::mask_email(e),
            (None, Some(id)) => format!("id:{}", codex_redact::mask_id(id)),
            (None, None) => "account".to_string(),
        };
        match &self.plan {
            Some(p) => format!("{label} ({p})"),
            None => label,
        }
    }
}

impl OauthState {
    /// The tools' rows: aggregate records with an identity key, numbered from 1.
    pub fn rows(&self) -> Vec<AccountRow> {
        let agg = self.aggregate();
        agg.accounts
            .iter()
            .enumerate()
            .filter_map(|(i, a)| a.identity_key().map(|k| (i, a, k.to_string())))
            .enumerate()
            .map(|(n, (i, a, key))| AccountRow {
                index: n + 1,
                strict_identity: is_canonical_key(&key) && !key.starts_with("legacy|"),
                account_id: a.account_id().map(str::to_string),
                email: a.email().map(str::to_string),
                plan: a.plan().map(str::to_string),
                enabled: a.is_enabled(),
                active: agg.active.as_deref() == Some(key.as_str()),
                domains: a.auth_types(),
                active_in: self
                    .domains()
                    .filter(|(_, d)| d.active() == Some(key.as_str()))
                    .map(|(m, _)| m)
                    .collect(),
                expires: a.expires(),
                cooldown_until: a.cooldown_until(),
                refresh_lease_until: a.refresh_lease_until(),
                last_used: a.last_used(),
                has_access: a.access().is_some_and(|s| !s.expose().is_empty()),
                has_refresh: a.has_refresh(),
                identity_key: key,
                aggregate_index: i,
            })
            .collect()
    }

    fn row(&self, index: usize) -> Result<(AccountRow, Account), EditError> {
        let rows = self.rows();
        let count = rows.len();
        let row = index
            .checked_sub(1)
            .and_then(|i| rows.into_iter().nth(i))
            .ok_or(EditError::InvalidIndex { index, count })?;
        let agg = self.aggregate();
        let record = agg
            .accounts
            .get(row.aggregate_index)
            .cloned()
            .ok_or(EditError::InvalidIndex { index, count })?;
        Ok((row, record))
    }

    /// `codex-switch-accounts`: make row `index` active in every domain where it is enabled.
    pub fn switch_active(&mut self, index: usize) -> Result<AccountRow, EditError> {
        let (row, _) = self.row(index)?;
        if !row.enabled {
            return Err(EditError::TargetDisabled { index });
        }
        let key = row.identity_key.clone();
        let mut found = false;
        for d in Domain::ALL {
            if let Some(dom) = self.domain_mut(d) {
                if dom
                    .accounts
                    .iter()
                    .any(|a| a.identity_key() == Some(key.as_str()) && a.is_enabled())
                {
                    dom.active = Some(key.clone());
                    found = true;
                }
            }
        }
        if !found {
            // Only a `legacy|…` fingerprint: no domain record carries the key.
            return Err(EditError::MissingIdentity { index });
        }
        self.normalize();
        Ok(row)
    }

    /// `codex-toggle-account` with an explicit target state. Returns the row and whether a
    /// domain record changed.
    pub fn set_enabled(
        &mut self,
        index: usize,
        enabled: bool,
    ) -> Result<(AccountRow, bool), EditError> {
        let (row, target) = self.row(index)?;
        let mut changed = false;
        for d in Domain::ALL {
            if let Some(dom) = self.domain_mut(d) {
                if let Some(i) = find_unique_domain_match(&dom.accounts, &target) {
                    if let Some(a) = dom.accounts.get_mut(i) {
                        if a.is_enabled() != enabled {
                            changed = true;
                        }
                        a.set_enabled(enabled);
                    }
                }
            }
        }
        self.normalize();
        Ok((row, changed))
    }

    /// `codex-remove-account`: remove row `index` from every domain holding a unique match.
    pub fn remove(&mut self, index: usize) -> Result<(AccountRow, bool), EditError> {
        let (row, target) = self.row(index)?;
        let mut removed = false;
        for d in Domain::ALL {
            if let Some(dom) = self.domain_mut(d) {
                if let Some(i) = find_unique_domain_match(&dom.accounts, &target) {
                    dom.accounts.remove(i);
                    removed = true;
                }
            }
        }
        self.normalize();
        Ok((row, removed))
    }

    /// `setAccountCooldown`: in `mode`, the record with that identity key gets
    /// `cooldownUntil = until` unless disabled. Returns whether a record was updated.
    pub fn set_cooldown(&mut self, mode: Domain, identity_key: &str, until: f64) -> bool {
        let dom = self.ensure_domain(mode);
        match dom
            .accounts
            .iter_mut()
            .find(|a| a.identity_key() == Some(identity_key))
        {
            Some(a) if a.is_enabled() => {
                a.set_cooldown_until(until);
                true
            }
            _ => false,
        }
    }

    /// `updateAccountTokensByIdentityKey`: store access/refresh/expires unless disabled.
    pub fn set_tokens(
        &mut self,
        mode: Domain,
        identity_key: &str,
        access: Secret<String>,
        refresh: Secret<String>,
        expires: f64,
    ) -> bool {
        let dom = self.ensure_domain(mode);
        match dom
            .accounts
            .iter_mut()
            .find(|a| a.identity_key() == Some(identity_key))
        {
            Some(a) if a.is_enabled() => {
                a.set_access(access);
                a.set_refresh(refresh);
                a.set_expires(expires);
                true
            }
            _ => false,
        }
    }

    /// Persists a login in domain `mode` (reference 4.7) and makes it active. Returns the
    /// stored identity key, if the tokens carry a full identity.
    pub fn upsert_login(
        &mut self,
        mode: Domain,
        tokens: &LoginTokens,
        now_ms: f64,
    ) -> Option<String> {
        let id_claims = tokens
            .id_token
            .as_ref()
            .and_then(|t| jwt::claims(t.expose()));
        let access_claims = jwt::claims(tokens.access.expose());
        let claims = id_claims
            .clone()
            .or_else(|| access_claims.clone())
            .unwrap_or_default();
        let account_id = id_claims
            .and_then(|c| c.account_id)
            .or_else(|| access_claims.and_then(|c| c.account_id));
        let mut incoming = Account::new();
        incoming.set_enabled(true);
        incoming.set_refresh(tokens.refresh.clone());
        incoming.set_access(tokens.access.clone());
        incoming.set_expires(now_ms + tokens.expires_in_secs.unwrap_or(3600.0) * 1000.0);
        incoming.push_string(crate::account::ACCOUNT_ID, account_id);
        incoming.push_string(crate::account::EMAIL, claims.email);
        incoming.push_string(crate::account::PLAN, claims.plan);
        incoming.set_last_used(now_ms);
        incoming.set_auth_types(&[mode]);
        let dom = self.ensure_domain(mode);
        let i = upsert_account(dom, &incoming);
        let key = dom.accounts.get_mut(i).and_then(|stored| {
            stored.remove_field(REFRESH_LEASE_UNTIL);
            stored.remove_field(COOLDOWN_UNTIL);
            stored.identity_key().map(str::to_string)
        });
        if let Some(k) = &key {
            dom.active = Some(k.clone());
        }
        self.normalize();
        key
    }

    /// Claims a refresh lease on the record `identity_key` of `mode`: only if it is still
    /// enabled, still holds `expected_refresh` and has no live lease.
    pub fn acquire_lease(
        &mut self,
        mode: Domain,
        identity_key: &str,
        expected_refresh: &Secret<String>,
        now_ms: f64,
        duration_ms: f64,
    ) -> Option<Lease> {
        let dom = self.domain_mut(mode)?;
        let a = dom
            .accounts
            .iter_mut()
            .find(|a| a.identity_key() == Some(identity_key))?;
        if !a.is_enabled()
            || a.refresh() != Some(expected_refresh)
            || a.refresh_lease_until().is_some_and(|l| l > now_ms)
        {
            return None;
        }
        let until = now_ms + duration_ms;
        a.set_refresh_lease_until(until);
        Some(Lease {
            mode,
            identity_key: identity_key.to_string(),
            until,
            refresh: expected_refresh.clone(),
        })
    }

    fn leased_record(&mut self, lease: &Lease, now_ms: f64) -> Option<&mut Account> {
        let dom = self.domain_mut(lease.mode)?;
        let a = dom
            .accounts
            .iter_mut()
            .find(|a| a.identity_key() == Some(lease.identity_key.as_str()))?;
        let ours = a.refresh_lease_until() == Some(lease.until)
            && lease.until > now_ms
            && a.refresh() == Some(&lease.refresh);
        ours.then_some(a)
    }

    /// Commits refreshed tokens, only if the lease is still ours and unexpired and the refresh
    /// token is unchanged. Returns `false` (nothing changed) when the lease was lost.
    pub fn commit_refresh(
        &mut self,
        lease: &Lease,
        tokens: &RefreshedTokens,
        now_ms: f64,
        opts: &CommitOptions,
    ) -> bool {
        let Some(a) = self.leased_record(lease, now_ms) else {
            return false;
        };
        a.set_refresh(tokens.refresh.clone());
        a.set_access(tokens.access.clone());
        a.set_expires(tokens.expires);
        if let Some(id) = &tokens.account_id {
            a.set_account_id(id);
        }
        if let Some(e) = &tokens.email {
            a.set_email(e);
        }
        if let Some(p) = &tokens.plan {
            a.set_plan(p);
        }
        if opts.touch_last_used && a.last_used().is_none_or(|l| now_ms - l >= 60_000.0) {
            a.set_last_used(now_ms);
        }
        a.remove_field(REFRESH_LEASE_UNTIL);
        match opts.cooldown_if_expiring_within_ms {
            Some(buffer) if tokens.expires <= now_ms + buffer => {
                a.set_cooldown_until(now_ms + 30_000.0)
            }
            _ => a.remove_field(COOLDOWN_UNTIL),
        }
        let key = a
            .strict_identity()
            .unwrap_or_else(|| lease.identity_key.clone());
        if opts.set_active {
            if let Some(dom) = self.domain_mut(lease.mode) {
                dom.active = Some(key);
            }
        }
        self.normalize();
        true
    }

    /// Records a failed refresh: the lease is dropped; a terminal failure disables the
    /// account, a transient one cools it down for 30 s. `false` when the lease was lost.
    pub fn fail_refresh(&mut self, lease: &Lease, terminal: bool, now_ms: f64) -> bool {
        let Some(a) = self.leased_record(lease, now_ms) else {
            return false;
        };
        a.remove_field(REFRESH_LEASE_UNTIL);
        if terminal {
            a.set_enabled(false);
            a.remove_field(COOLDOWN_UNTIL);
        } else {
            a.set_cooldown_until(now_ms + 30_000.0);
        }
        self.normalize();
        true
    }
}

/// Tokens from a login (OAuth code exchange or device flow).
#[derive(Debug, Clone)]
pub struct LoginTokens {
    /// Access token.
    pub access: Secret<String>,
    /// Refresh token.
    pub refresh: Secret<String>,
    /// ID token, whose claims win over the access token's.
    pub id_token: Option<Secret<String>>,
    /// `expires_in` (seconds; default 3600).
    pub expires_in_secs: Option<f64>,
}

/// A claimed refresh lease. `Debug` masks the identity key.
#[derive(Clone, PartialEq)]
pub struct Lease {
    /// Domain of the record.
    pub mode: Domain,
    /// Identity key of the record.
    pub identity_key: String,
    /// `refreshLeaseUntil` we wrote.
    pub until: f64,
    refresh: Secret<String>,
}

impl std::fmt::Debug for Lease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lease")
            .field("mode", &self.mode)
            .field("identity_key", &MaskedDebug::Key(Some(&self.identity_key)))
            .field("until", &self.until)
            .field("refresh", &self.refresh)
            .finish()
    }
}

/// Tokens from a successful refresh. `Debug` hides the tokens and masks the identity.
#[derive(Clone)]
pub struct RefreshedTokens {
    /// New access token.
    pub access: Secret<String>,
    /// New (rotated) refresh token.
    pub refresh: Secret<String>,
    /// New expiry, epoch ms.
    pub expires: f64,
    /// Account id from the new tokens, if any.
    pub account_id: Option<String>,
    /// Email from the new claims (top-level claim only), if any.
    pub email: Option<String>,
    /// Plan from the new claims (top-level claim only), if any.
    pub plan: Option<String>,
}

impl std::fmt::Debug for RefreshedTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshedTokens")
            .field("access", &self.access)
            .field("refresh", &self.refresh)
            .field("expires", &self.expires)
            .field("account_id", &MaskedDebug::Id(self.account_id.as_deref()))
            .field("email", &MaskedDebug::Email(self.email.as_deref()))
            .field("plan", &self.plan)
            .finish()
    }
}

/// What a commit does besides storing tokens.
#[derive(Debug, Clone, Default)]
pub struct CommitOptions {
    /// Make the account the domain's active one (request-time refresh does).
    pub set_active: bool,
    /// Set `lastUsed = now` when unset or at least 60 s old.
    pub touch_last_used: bool,
    /// Proactive refresh: if the new expiry is still within this buffer, cool down 30 s.
    pub cooldown_if_expiring_within_ms: Option<f64>,
}

/// `findUniqueDomainMatchIndex`: the one record of a domain matching an aggregate row, by
/// identity key, else strict tuple, else refresh token; `None` when absent or ambiguous.
pub fn find_unique_domain_match(accounts: &[Account], target: &Account) -> Option<usize> {
    fn unique(it: impl Iterator<Item = usize>) -> Option<usize> {
        let v: Vec<usize> = it.collect();
        (v.len() == 1).then(|| v[0])
    }
    if let Some(key) = target.identity_key() {
        let matches: Vec<usize> = accounts
            .iter()
            .enumerate()
            .filter(|(_, a)| a.identity_key() == Some(key))
            .map(|(i, _)| i)
            .collect();
        match matches.len() {
            1 => return matches.first().copied(),
            0 => {}
            _ => return None,
        }
    }
    let tuple = |a: &Account| {
        (
            a.account_id().map(codex_js::trim).unwrap_or("").to_string(),
            normalize_lower(a.email()).unwrap_or_default(),
            normalize_lower(a.plan()).unwrap_or_default(),
        )
    };
    let t = tuple(target);
    if !t.0.is_empty() && !t.1.is_empty() && !t.2.is_empty() {
        return unique(
            accounts
                .iter()
                .enumerate()
                .filter(|(_, a)| tuple(a) == t)
                .map(|(i, _)| i),
        );
    }
    let refresh = target
        .refresh()
        .map(|r| codex_js::trim(r.expose()).to_string())?;
    if refresh.is_empty() {
        return None;
    }
    unique(
        accounts
            .iter()
            .enumerate()
            .filter(|(_, a)| {
                a.refresh().map(|r| codex_js::trim(r.expose())) == Some(refresh.as_str())
            })
            .map(|(i, _)| i),
    )
}

/// `upsertAccount` (reference 4.7): strict tuple match, else a unique refresh-token match
/// that does not contradict the incoming identity; identity fields are overwritten only on
/// a strict match or when upgrading an identityless record. Returns the stored index.
pub fn upsert_account(dom: &mut DomainState, incoming: &Account) -> usize {
    let n_email = normalize_lower(incoming.email());
    let n_plan = normalize_lower(incoming.plan());
    let n_id = incoming.account_id().map(|s| codex_js::trim(s).to_string());
    let strict = build_identity_key(n_id.as_deref(), n_email.as_deref(), n_plan.as_deref());
    let strict_match = strict.as_ref().and_then(|_| {
        dom.accounts.iter().position(|e| {
            e.account_id().map(codex_js::trim) == n_id.as_deref()
                && normalize_lower(e.email()) == n_email
                && normalize_lower(e.plan()) == n_plan
        })
    });
    let refresh_match = match (strict_match, incoming.refresh()) {
        (None, Some(r)) if !r.expose().is_empty() => {
            let candidates: Vec<usize> = dom
                .accounts
                .iter()
                .enumerate()
                .filter(|(_, e)| e.refresh() == Some(r))
                .map(|(i, _)| i)
                .collect();
            match candidates.as_slice() {
                [only] => {
                    let cand_key = dom.accounts.get(*only).and_then(|e| e.identity_key());
                    let compatible =
                        strict.is_none() || cand_key.is_none() || cand_key == strict.as_deref();
                    compatible.then_some(*only)
                }
                _ => None,
            }
        }
        _ => None,
    };
    let (index, set_identity) = match (strict_match, refresh_match) {
        (Some(i), _) => (i, true),
        (None, Some(i)) => {
            let identityless = dom
                .accounts
                .get(i)
                .is_some_and(|e| e.identity_key().is_none());
            (i, identityless)
        }
        (None, None) => {
            dom.accounts.push(Account::new());
            (dom.accounts.len() - 1, true)
        }
    };
    let matched_types = (strict_match.is_some() || refresh_match.is_some())
        .then(|| dom.accounts.get(index).map(Account::auth_types))
        .flatten();
    let Some(target) = dom.accounts.get_mut(index) else {
        return index;
    };
    if set_identity {
        if let Some(id) = n_id.as_deref().filter(|s| !s.is_empty()) {
            target.set_account_id(id);
        }
        if let Some(e) = &n_email {
            target.set_email(e);
        }
        if let Some(p) = &n_plan {
            target.set_plan(p);
        }
    }
    if let Some(false) = incoming_enabled(incoming) {
        target.set_enabled(false);
    } else if incoming_enabled(incoming).is_some() {
        target.set_enabled(true);
    }
    if let Some(r) = incoming.refresh().filter(|r| !r.expose().is_empty()) {
        target.set_refresh(r.clone());
    }
    if let Some(a) = incoming.access().filter(|a| !a.expose().is_empty()) {
        target.set_access(a.clone());
    }
    if let Some(x) = incoming.expires() {
        target.set_expires(x);
    }
    if let Some(x) = incoming.last_used() {
        target.set_last_used(x);
    }
    let types = if incoming.keys().any(|k| k == crate::account::AUTH_TYPES) {
        incoming.auth_types()
    } else {
        matched_types.unwrap_or_else(|| vec![Domain::Native])
    };
    target.set_auth_types(&types);
    target.synchronize_identity();
    if target.identity_key().is_none() {
        if let Some(s) = &strict {
            target.set_identity_key(s);
        }
    }
    index
}

fn incoming_enabled(a: &Account) -> Option<bool> {
    a.keys()
        .any(|k| k == crate::account::ENABLED)
        .then(|| a.is_enabled())
}

/// Imports one domain of a transfer source into the same domain of the target (reference
/// 4.6): the source's strategy fills a missing one, every account is upserted as the plugin
/// does, and the source's active key is taken when it names an account now in the target.
/// Returns the records that were added, as they are in the target.
pub fn import_domain(dom: &mut DomainState, src: &DomainState, mode: Domain) -> Vec<Account> {
    if dom.strategy.is_none() && src.strategy.is_some() {
        dom.strategy = src.strategy.clone();
    }
    let mut inserted = Vec::new();
    for account in src.accounts() {
        if upsert_domain_account(dom, account, mode) {
            if let Some(a) = dom.accounts.last() {
                inserted.push(a.clone());
            }
        }
    }
    if let Some(active) = src.active() {
        if dom.position(active).is_some() {
            dom.active = Some(active.to_string());
        }
    }
    inserted
}

/// `upsertDomainAccount` (reference 4.6), used by the legacy transfer. Returns `true` when
/// the account was inserted (counted as imported).
pub fn upsert_domain_account(dom: &mut DomainState, input: &Account, mode: Domain) -> bool {
    let mut incoming = input.clone();
    incoming.set_auth_types(&[mode]);
    incoming.normalize(Some(mode));
    let incoming_identity = incoming.identity_key().map(str::to_string);
    let incoming_strict = incoming.strict_identity();
    let incoming_refresh = incoming
        .refresh()
        .map(|r| r.expose().clone())
        .unwrap_or_default();
    let mut strict_match = None;
    let mut fallback = None;
    let mut ambiguous = false;
    for (i, existing) in dom.accounts.iter_mut().enumerate() {
        existing.normalize(Some(mode));
        let existing_strict = existing.strict_identity();
        if incoming_identity.is_some() && existing.identity_key() == incoming_identity.as_deref() {
            strict_match = Some(i);
            break;
        }
        if incoming_strict.is_some()
            && existing_strict.is_some()
            && incoming_strict == existing_strict
        {
            strict_match = Some(i);
            break;
        }
        if !incoming_refresh.is_empty()
            && existing.refresh().map(|r| r.expose().as_str()) == Some(incoming_refresh.as_str())
            && (incoming_strict.is_none() || existing_strict.is_none())
        {
            match fallback {
                Some(f) if f != i => ambiguous = true,
                _ => fallback = Some(i),
            }
        }
    }
    let matched = strict_match.or(if ambiguous { None } else { fallback });
    let Some(i) = matched else {
        dom.accounts.push(incoming);
        return true;
    };
    let Some(existing) = dom.accounts.get(i).cloned() else {
        return false;
    };
    let prefer_incoming = incoming.expires().unwrap_or(f64::NEG_INFINITY)
        >= existing.expires().unwrap_or(f64::NEG_INFINITY);
    let mut merged = if prefer_incoming {
        let mut m = existing;
        m.spread(&incoming);
        m
    } else {
        let mut m = incoming;
        m.spread(&existing);
        m
    };
    merged.set_auth_types(&[mode]);
    merged.normalize(Some(mode));
    if let Some(slot) = dom.accounts.get_mut(i) {
        *slot = merged;
    }
    false
}
