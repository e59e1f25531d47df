//! `accounts refresh [N|--all]`: refresh accounts' OAuth tokens the way the plugin does
//! (reference 9.5, 9.6): under the store's lock claim a refresh lease on the domain record
//! (only if it is enabled, still holds the refresh token we read and has no live lease), run
//! the refresh grant outside the lock, then commit only if the lease and the refresh token are
//! unchanged. A terminal failure (`invalid_grant`, a reused token…) disables the record, a
//! transient one cools it down for 30 s — `codex-store`'s lease operations and
//! `codex-proxy`'s refresh client, as `serve` uses them.
//!
//! An account present in both domains with the same refresh token is refreshed once; the
//! second copy receives the new tokens (refreshing it again would present a rotated, dead
//! token).

use std::collections::HashMap;

use codex_proxy::refresh::{refreshed_tokens, RefreshPurpose};
use codex_redact::Secret;
use codex_store::{AccountRow, AuthStore, CommitOptions, Domain, RefreshedTokens};

use crate::backend::Backend;
use crate::context::Context;
use crate::error::RuntimeError;

/// How long a claimed lease lasts (the plugin's proactive refresh uses 120 s).
pub const LEASE_MS: f64 = 120_000.0;

/// What happened to one domain record.
#[derive(Debug, Clone, PartialEq)]
pub enum Refreshed {
    /// New tokens stored; the access token now expires at this epoch ms.
    Refreshed {
        /// New expiry.
        expires: f64,
    },
    /// The same refresh token was just rotated for the other domain; its new tokens were
    /// copied here.
    Copied {
        /// New expiry.
        expires: f64,
    },
    /// Not attempted.
    Skipped(String),
    /// The refresh failed.
    Failed {
        /// `Token refresh failed (<code>)` or a transport error.
        message: String,
        /// The account was disabled (terminal failure).
        disabled: bool,
    },
}

/// One line of the report.
#[derive(Debug, Clone)]
pub struct RefreshLine {
    /// The account's index.
    pub index: usize,
    /// Its masked label (distinct among the store's accounts).
    pub label: String,
    /// The domain record.
    pub domain: Domain,
    /// The outcome.
    pub outcome: Refreshed,
}

/// Which accounts a command applies to.
pub fn select(
    rows: Vec<AccountRow>,
    index: Option<usize>,
    all: bool,
) -> Result<Vec<AccountRow>, RuntimeError> {
    match (index, all) {
        (Some(i), _) => {
            let n = rows.len();
            rows.into_iter()
                .find(|r| r.index == i)
                .map(|r| vec![r])
                .ok_or_else(|| {
                    RuntimeError::user(format!("Invalid account number: {i} (there are {n})"))
                        .hint("`codex-runtime accounts list` shows the indices")
                })
        }
        (None, true) => Ok(rows),
        (None, false) => Err(RuntimeError::user("name an account: an index N or --all")
            .hint("`codex-runtime accounts list` shows the indices")),
    }
}

/// The refresh token of `key` in `domain` (unlocked read), if the record has one.
fn record_refresh(
    store: &AuthStore,
    domain: Domain,
    key: &str,
) -> Result<Option<Secret<String>>, RuntimeError> {
    let state = store.load()?;
    Ok(state
        .oauth()
        .and_then(|s| s.domain(domain))
        .and_then(|d| d.accounts().iter().find(|a| a.identity_key() == Some(key)))
        .and_then(|a| {
            a.refresh()
                .filter(|r| !r.expose().trim().is_empty())
                .cloned()
        }))
}

/// Tokens a refresh produced in this run, by the refresh token they replaced.
type Rotated = HashMap<String, RefreshedTokens>;

/// Refreshes one domain record of `row`.
pub fn refresh_record(
    ctx: &Context,
    backend: &Backend,
    row: &AccountRow,
    domain: Domain,
    rotated: &mut HashMap<String, RefreshedTokens>,
) -> Result<Refreshed, RuntimeError> {
    let store = ctx.store();
    if !row.strict_identity {
        return Ok(Refreshed::Skipped(
            "no full identity (sign in again with `codex-runtime login`)".into(),
        ));
    }
    let key = row.identity_key.as_str();
    let Some(refresh) = record_refresh(&store, domain, key)? else {
        return Ok(Refreshed::Skipped("no refresh token".into()));
    };
    if let Some(t) = rotated.get(refresh.expose()) {
        let copied =
            store.set_tokens(domain, key, t.access.clone(), t.refresh.clone(), t.expires)?;
        return Ok(if copied {
            Refreshed::Copied { expires: t.expires }
        } else {
            Refreshed::Skipped("disabled".into())
        });
    }
    let Some(lease) = store.acquire_lease(domain, key, &refresh, LEASE_MS)? else {
        return Ok(Refreshed::Skipped(
            "disabled, or another process is refreshing it right now".into(),
        ));
    };
    match backend.rt.block_on(backend.refresher.refresh(&refresh)) {
        Ok(tokens) => {
            // Saved as `serve` saves a refresh a request needed: identity fields follow the
            // new tokens' claims when they carry them.
            let refreshed = refreshed_tokens(&tokens, ctx.now_ms() as f64, RefreshPurpose::Request);
            let opts = CommitOptions::default();
            if store.commit_refresh(&lease, &refreshed, &opts)? {
                let expires = refreshed.expires;
                rotated.insert(refresh.expose().clone(), refreshed);
                Ok(Refreshed::Refreshed { expires })
            } else {
                Ok(Refreshed::Skipped(
                    "the lease was lost to another process; its tokens were kept".into(),
                ))
            }
        }
        Err(e) => {
            let terminal = e.is_terminal();
            store.fail_refresh(&lease, terminal)?;
            Ok(Refreshed::Failed {
                message: e.to_string(),
                disabled: terminal,
            })
        }
    }
}

/// `accounts refresh`.
pub fn run(
    ctx: &Context,
    backend: &Backend,
    index: Option<usize>,
    all: bool,
) -> Result<Vec<RefreshLine>, RuntimeError> {
    let store = ctx.store();
    let all_rows = store.rows()?;
    let labels = crate::labels::distinct_labels(&all_rows);
    let rows = select(all_rows, index, all)?;
    let mut rotated: Rotated = HashMap::new();
    let mut out = Vec::new();
    for row in rows {
        for domain in row.domains.clone() {
            let outcome = refresh_record(ctx, backend, &row, domain, &mut rotated)?;
            out.push(RefreshLine {
                index: row.index,
                label: labels
                    .get(&row.identity_key)
                    .cloned()
                    .unwrap_or_else(|| row.masked_label()),
                domain,
                outcome,
            });
        }
    }
    Ok(out)
}

/// The report; the flag says whether any refresh failed.
pub fn render(lines: &[RefreshLine], now_ms: u64) -> (String, bool) {
    let now = now_ms as f64;
    let mut failed = false;
    let mut s = String::new();
    for l in lines {
        let what = match &l.outcome {
            Refreshed::Refreshed { expires } => {
                format!(
                    "refreshed; token expires in {}",
                    crate::render::duration(expires - now)
                )
            }
            Refreshed::Copied { expires } => format!(
                "updated with the tokens just refreshed for the other domain; expires in {}",
                crate::render::duration(expires - now)
            ),
            Refreshed::Skipped(why) => format!("skipped: {why}"),
            Refreshed::Failed { message, disabled } => {
                failed = true;
                if *disabled {
                    format!("{message}; the account is disabled: sign in again with `codex-runtime login`")
                } else {
                    format!("{message}; cooling down for 30 s, try again later")
                }
            }
        };
        s.push_str(&format!(
            "#{} {} [{}]: {what}\n",
            l.index, l.label, l.domain
        ));
    }
    if lines.is_empty() {
        s.push_str("No accounts to refresh.\n");
    }
    (s, failed)
}
