//! The `accounts` commands: list, use, enable, disable, remove, transfer, and refresh and
//! quota ([`crate::refresh`], [`crate::quota`]), which talk to OpenAI.
//!
//! Each command is one call into `codex-store` (a locked, atomic read-modify-write for the
//! edits; an unlocked read for `list`, like the plugin's status tool) and returns data for
//! [`crate::render`]. Messages follow the plugin's tools (reference 12.1:
//! `Switched to #i: …`, `Updated #i: … -> enabled`, `Removed #i: …`), with the email masked.

use std::collections::HashMap;
use std::path::PathBuf;

use codex_rotation::ratelimit::QuotaView;
use codex_store::legacy::should_offer_legacy_transfer;
use codex_store::snapshots::SnapshotStore;
use codex_store::{AccountRow, Domain, SourceReport, WriteOutcome};

use crate::backend::Backend;
use crate::cli::AccountsAction;
use crate::context::Context;
use crate::error::RuntimeError;

/// What `accounts list` found.
#[derive(Debug, Clone)]
pub struct ListReport {
    /// The store file.
    pub store: PathBuf,
    /// The runtime mode.
    pub mode: Domain,
    /// Whether the file has an OAuth entry.
    pub configured: bool,
    /// The rows.
    pub rows: Vec<AccountRow>,
    /// When the list was taken (epoch ms), for "cooldown left" and "expires in".
    pub now_ms: u64,
    /// A legacy transfer would be offered (no store yet, a legacy source has accounts).
    pub transfer_available: bool,
    /// Show unmasked emails, account ids and identity keys (`--show-identities`).
    pub show_identities: bool,
    /// Fields of the wrong type left out of the listing, as the plugin treats them as
    /// absent (`openai.native.accounts[0].expires (string, should be a number)`).
    pub ignored: Vec<String>,
    /// Quota snapshots by identity key (`cache/codex-snapshots.json`, written by the plugin
    /// and by `serve`); read best-effort.
    pub quotas: HashMap<String, QuotaView>,
}

/// Reads the quota snapshots (a missing or malformed file reads as none).
fn read_quotas(ctx: &Context) -> HashMap<String, QuotaView> {
    let store = SnapshotStore::new(ctx.paths.cache_file("codex-snapshots.json").path);
    let Ok(map) = store.load() else {
        return HashMap::new();
    };
    map.iter()
        .filter_map(|(key, entry)| QuotaView::of_snapshot(entry).map(|q| (key.clone(), q)))
        .collect()
}

/// Masked labels that tell the store's accounts apart (see [`crate::labels::distinct_labels`]),
/// read before an edit; an unreadable store leaves the plain masked labels.
struct Labels(HashMap<String, String>);

impl Labels {
    fn read(ctx: &Context) -> Labels {
        Labels(
            ctx.store()
                .rows()
                .map(|rows| crate::labels::distinct_labels(&rows))
                .unwrap_or_default(),
        )
    }

    fn of(&self, row: &AccountRow) -> String {
        self.0
            .get(&row.identity_key)
            .cloned()
            .unwrap_or_else(|| row.masked_label())
    }
}

/// What `accounts transfer` did.
#[derive(Debug, Clone)]
pub struct TransferSummary {
    /// The store file.
    pub store: PathBuf,
    /// Records inserted.
    pub imported: usize,
    /// Rows they ended up in.
    pub rows: Vec<(Domain, AccountRow)>,
    /// Per-source outcome.
    pub sources: Vec<SourceReport>,
    /// Whether the store was written.
    pub wrote: bool,
}

/// The result of a command.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// `accounts list`.
    List(ListReport),
    /// An edit, with the plugin-style message.
    Done {
        /// `Switched to #1: …` etc.
        message: String,
        /// Whether the store was written.
        wrote: bool,
    },
    /// `accounts transfer`.
    Transfer(TransferSummary),
    /// `accounts refresh`.
    Refresh(Vec<crate::refresh::RefreshLine>),
    /// `accounts quota`.
    Quota(Vec<crate::quota::QuotaLine>),
}

/// Runs one `accounts` action.
pub fn run(action: &AccountsAction, ctx: &Context) -> Result<Outcome, RuntimeError> {
    let store = ctx.store();
    match action {
        AccountsAction::List {
            show_identities, ..
        } => {
            // Read-only: a field of the wrong type is listed as absent and named, not a
            // reason to show nothing (writers still refuse such a store).
            let (state, ignored) = store.load_for_reading()?;
            let oauth = state.oauth();
            Ok(Outcome::List(ListReport {
                store: store.path().to_path_buf(),
                mode: ctx.mode,
                configured: oauth.is_some(),
                rows: oauth.map(|s| s.rows()).unwrap_or_default(),
                now_ms: ctx.now_ms(),
                transfer_available: should_offer_legacy_transfer(&store, &ctx.legacy_sources()),
                quotas: read_quotas(ctx),
                show_identities: *show_identities,
                ignored,
            }))
        }
        AccountsAction::Use { index } => {
            let labels = Labels::read(ctx);
            let out = store.switch_active(*index)?;
            Ok(Outcome::Done {
                message: format!("Switched to #{index}: {}", labels.of(&out.value)),
                wrote: out.outcome == WriteOutcome::Written,
            })
        }
        AccountsAction::Enable { index } | AccountsAction::Disable { index } => {
            let enable = matches!(action, AccountsAction::Enable { .. });
            let labels = Labels::read(ctx);
            let out = store.set_enabled(*index, enable)?;
            let (row, changed) = out.value;
            let state = if enable { "enabled" } else { "disabled" };
            let mut message = format!("Updated #{index}: {} -> {state}", labels.of(&row));
            if !changed {
                message.push_str(&format!(" (it was already {state})"));
            }
            Ok(Outcome::Done {
                message,
                wrote: out.outcome == WriteOutcome::Written,
            })
        }
        AccountsAction::Remove { index, yes } => {
            if !yes {
                return Err(RuntimeError::user(
                    "Refusing to remove account without confirmation: pass --yes",
                )
                .hint(format!("`codex-runtime accounts remove {index} --yes`")));
            }
            let labels = Labels::read(ctx);
            let out = store.remove(*index)?;
            let (row, _) = out.value;
            Ok(Outcome::Done {
                message: format!("Removed #{index}: {}", labels.of(&row)),
                wrote: out.outcome == WriteOutcome::Written,
            })
        }
        AccountsAction::Refresh { target, issuer } => {
            let backend = Backend::resolve(&ctx.env, &ctx.cwd, issuer.as_deref(), None)?;
            Ok(Outcome::Refresh(crate::refresh::run(
                ctx,
                &backend,
                target.index,
                target.all,
            )?))
        }
        AccountsAction::Quota {
            target,
            issuer,
            upstream,
            ..
        } => {
            let backend =
                Backend::resolve(&ctx.env, &ctx.cwd, issuer.as_deref(), upstream.as_deref())?;
            Ok(Outcome::Quota(crate::quota::run(
                ctx,
                &backend,
                target.index,
                target.all,
            )?))
        }
        AccountsAction::Transfer { merge } => {
            let report = store.transfer(&ctx.legacy_sources(), *merge)?;
            Ok(Outcome::Transfer(TransferSummary {
                store: store.path().to_path_buf(),
                imported: report.imported,
                rows: report.imported_rows,
                sources: report.sources,
                wrote: report.outcome == WriteOutcome::Written,
            }))
        }
    }
}
