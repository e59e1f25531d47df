//! The explicit legacy transfer (reference 4.6).
//!
//! Sources, in order: `openai-codex-accounts.json` beside the store (legacy v4 or any shape
//! the store accepts), then OpenCode's `auth.json` files (only their `openai` entry counts).
//! A transfer never happens implicitly: it is offered only while `codex-accounts.json` does
//! not exist, and an existing store, even with zero accounts, is authoritative. Sources are
//! read without quarantine; unreadable or corrupt ones are skipped and reported. Each account
//! is upserted into its domain with the plugin's `upsertDomainAccount` rules; inserts are
//! counted as imported.

use std::path::{Path, PathBuf};

use codex_auth::model::Domain;

use crate::error::{Result, StoreError};
use crate::store::{read_json_object, AuthStore, Classified, WriteOutcome};
use codex_auth::ops::{import_domain, AccountRow};
use codex_auth::state::{AuthState, OauthState, OpenAi};

/// What a source held.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceStatus {
    /// The file does not exist.
    Missing,
    /// Skipped: unreadable, not JSON, wrong shape (the reason names no content).
    Skipped(String),
    /// Readable but without any account that has a refresh token.
    NoAccounts,
    /// Used: this many accounts were newly imported from it.
    Used {
        /// New records inserted.
        imported: usize,
    },
}

/// One source's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceReport {
    /// The file.
    pub path: PathBuf,
    /// What happened.
    pub status: SourceStatus,
}

/// The result of a transfer.
#[derive(Debug, Clone)]
pub struct TransferReport {
    /// Number of records inserted (the plugin's `imported`).
    pub imported: usize,
    /// The rows those records ended up in, with their domain.
    pub imported_rows: Vec<(Domain, AccountRow)>,
    /// Sources that had usable accounts.
    pub sources_used: usize,
    /// Per-source outcome.
    pub sources: Vec<SourceReport>,
    /// Whether the store was written.
    pub outcome: WriteOutcome,
}

/// Reads a legacy source the way the plugin's transfer does (no quarantine, no lock).
pub fn read_source(path: &Path, max_bytes: u64) -> std::result::Result<Option<OauthState>, String> {
    let root = match read_json_object(path, max_bytes) {
        Ok(Classified::Missing) => return Ok(None),
        Ok(Classified::Parsed(root)) => root,
        Ok(Classified::Corrupt(detail)) => return Err(detail),
        Err(e) => return Err(e.to_string()),
    };
    let state = AuthState::from_root(root, false)
        .map_err(|i| format!("`{}` should be {} but is {}", i.at, i.expected, i.found))?;
    match state.into_openai() {
        OpenAi::Oauth(s) => Ok(Some(*s)),
        OpenAi::Absent => Ok(Some(OauthState::default())),
        OpenAi::Raw(_) => Ok(Some(OauthState::default())),
    }
}

/// `shouldOfferLegacyTransfer`: only when the store does not exist and some source has an
/// account with a refresh token.
pub fn should_offer_legacy_transfer(store: &AuthStore, sources: &[PathBuf]) -> bool {
    if store.exists() {
        return false;
    }
    sources.iter().any(|p| {
        matches!(read_source(p, store.options().max_bytes), Ok(Some(s)) if s.has_usable_oauth())
    })
}

impl AuthStore {
    /// Imports legacy accounts. Refuses when the store exists unless `merge` is set; writes
    /// nothing (and creates no store) when no source has a usable account.
    pub fn transfer(&self, sources: &[PathBuf], merge: bool) -> Result<TransferReport> {
        if self.exists() && !merge {
            return Err(StoreError::StoreExists {
                path: self.path().to_path_buf(),
            });
        }
        let max = self.options().max_bytes;
        let mut reports = Vec::new();
        let mut usable: Vec<(usize, OauthState)> = Vec::new();
        for path in sources {
            if path.as_path() == self.path() {
                continue;
            }
            let status = match read_source(path, max) {
                Ok(None) => SourceStatus::Missing,
                Err(reason) => SourceStatus::Skipped(reason),
                Ok(Some(s)) if !s.has_usable_oauth() => SourceStatus::NoAccounts,
                Ok(Some(s)) => {
                    usable.push((reports.len(), s));
                    SourceStatus::Used { imported: 0 }
                }
            };
            reports.push(SourceReport {
                path: path.clone(),
                status,
            });
        }
        if usable.is_empty() {
            return Ok(TransferReport {
                imported: 0,
                imported_rows: Vec::new(),
                sources_used: 0,
                sources: reports,
                outcome: WriteOutcome::Unchanged,
            });
        }
        let sources_used = usable.len();
        let updated = self.update_oauth_or_create(|target| {
            let mut inserted: Vec<(Domain, codex_auth::account::Account)> = Vec::new();
            let mut counts: Vec<(usize, usize)> = Vec::new();
            for (report_index, source) in &usable {
                let mut imported = 0;
                for (mode, src) in source.domains() {
                    let added = import_domain(target.ensure_domain(mode), src, mode);
                    imported += added.len();
                    inserted.extend(added.into_iter().map(|a| (mode, a)));
                }
                counts.push((*report_index, imported));
            }
            target.normalize();
            let rows = target.rows();
            let mut described: Vec<(Domain, AccountRow)> = Vec::new();
            for (mode, a) in &inserted {
                if let Some(r) = row_for(&rows, target, *mode, a) {
                    if !described
                        .iter()
                        .any(|(m, d)| m == mode && d.index == r.index)
                    {
                        described.push((*mode, r));
                    }
                }
            }
            Ok((inserted.len(), described, counts))
        })?;
        let (imported, imported_rows, counts) = updated.value;
        for (i, n) in counts {
            if let Some(r) = reports.get_mut(i) {
                r.status = SourceStatus::Used { imported: n };
            }
        }
        Ok(TransferReport {
            imported,
            imported_rows,
            sources_used,
            sources: reports,
            outcome: updated.outcome,
        })
    }
}

/// The row an inserted domain record ended up in: the record is found again in its domain
/// by its refresh token (later sources may have merged an identity into it).
fn row_for(
    rows: &[AccountRow],
    target: &OauthState,
    mode: Domain,
    inserted: &codex_auth::account::Account,
) -> Option<AccountRow> {
    let refresh = inserted.refresh()?;
    let current = target
        .domain(mode)?
        .accounts()
        .iter()
        .find(|a| a.refresh() == Some(refresh))?;
    let key = match current.identity_key() {
        Some(k) => k.to_string(),
        None => codex_auth::identity::legacy_fingerprint(
            current.account_id(),
            current.email(),
            current.plan(),
        ),
    };
    rows.iter()
        .find(|r| r.identity_key == key)
        .or_else(|| {
            rows.iter()
                .find(|r| r.identity_key.starts_with(&format!("{key}|dup:")))
        })
        .cloned()
}
