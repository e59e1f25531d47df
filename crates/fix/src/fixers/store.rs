//! `auth.store` and `auth.legacy`: the auth store missing or corrupt (reference 4.6, 5.4).
//!
//! When the live store is missing or corrupt and `quarantine/` holds a readable copy (an
//! object with an `openai` OAuth entry holding accounts), the newest such copy is put back,
//! byte for byte.
//! Otherwise, when the store is missing and a legacy source holds accounts, the store's own
//! transfer (`codex_store::AuthStore::transfer`) is run against a scratch copy in a private
//! temp folder to learn the exact bytes it would write; the plan then creates the store with
//! those bytes (under the store's lock, with its atomic write), so the dry run can show them.
//! Accounts stored without an `identityKey` that the plugin's normalization can derive
//! (`accountId|email|plan`, from the fields or the token's claims) get it written the same way:
//! the store's own `rewrite_normalized` on a scratch copy gives the bytes.

use std::path::{Path, PathBuf};

use codex_auth::model::{read_store, StoreRead};

use super::{push, Context, Files, Found};
use crate::plan::Fix;

const STORE_NAME: &str = "codex-accounts.json";

/// A copy worth putting back: readable, with an `openai` OAuth entry holding at least one
/// account. An empty one would become the authoritative store and block the legacy
/// transfer for good (reference 4.6).
fn readable(path: &Path) -> bool {
    match read_store(path) {
        StoreRead::Parsed(s) => s
            .openai
            .as_ref()
            .is_some_and(|o| o.is_oauth() && o.all_records().next().is_some()),
        _ => false,
    }
}

/// The newest quarantined copy of the store that is readable and holds accounts.
fn newest_readable_copy(ctx: &Context<'_>) -> Option<PathBuf> {
    let mut all: Vec<PathBuf> = Vec::new();
    for q in ctx.paths.quarantine_dirs() {
        all.extend(codex_store::quarantine::list(&q.path, STORE_NAME));
    }
    let stamp = |p: &PathBuf| -> u128 {
        p.file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| codex_store::quarantine::entry_timestamp(STORE_NAME, n))
            .and_then(|d| d.parse().ok())
            .unwrap_or(0)
    };
    all.sort_by_key(|p| std::cmp::Reverse(stamp(p)));
    all.into_iter().find(|p| readable(p))
}

fn restore(ctx: &Context<'_>, files: &mut Files, found: &mut Found, store: &Path) {
    let why = match read_store(store) {
        StoreRead::Missing => "missing",
        StoreRead::NotJson { .. } | StoreRead::NotObject { .. } => "corrupt",
        _ => return,
    };
    let Some(copy) = newest_readable_copy(ctx) else {
        return;
    };
    let Ok(bytes) = std::fs::read(&copy) else {
        return;
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return;
    };
    if let Some(action) = files.write(store, text, 0o600) {
        push(
            found,
            Fix {
                check_id: "auth.store",
                code: "store.restore-quarantine",
                summary: format!(
                    "the store is {why}: put back its newest readable quarantined copy {}",
                    copy.display()
                ),
                actions: vec![action],
                touches_store: true,
            },
        );
    }
}

fn transfer(ctx: &Context<'_>, files: &mut Files, found: &mut Found, store: &Path) {
    if files.read(store).is_some() || std::fs::symlink_metadata(store).is_ok() {
        return;
    }
    let p = ctx.paths;
    let mut sources = vec![p.legacy_store().path];
    sources.extend(p.opencode_auth_files().into_iter().map(|r| r.path));
    let real = codex_store::AuthStore::new(store);
    if !codex_store::should_offer_legacy_transfer(&real, &sources) {
        return;
    }
    let Ok(scratch) = tempfile::tempdir() else {
        found.unfixable(
            "auth.legacy",
            "no private temp folder to prepare the transfer in",
        );
        return;
    };
    let target = scratch.path().join(STORE_NAME);
    let outcome = codex_store::AuthStore::new(&target).transfer(&sources, false);
    let bytes = match outcome {
        Ok(r) if r.imported > 0 => std::fs::read(&target).ok(),
        Ok(_) => None,
        Err(e) => {
            found.unfixable("auth.legacy", format!("the legacy transfer failed: {e}"));
            None
        }
    };
    let Some(text) = bytes.and_then(|b| String::from_utf8(b).ok()) else {
        return;
    };
    let from: Vec<String> = sources
        .iter()
        .filter(|s| s.exists())
        .map(|s| s.display().to_string())
        .collect();
    if let Some(action) = files.write(store, text, 0o600) {
        push(
            found,
            Fix {
                check_id: "auth.legacy",
                code: "store.transfer",
                summary: format!(
                    "create the store with the accounts of {} (the plugin's legacy transfer)",
                    from.join(", ")
                ),
                actions: vec![action],
                touches_store: true,
            },
        );
    }
}

/// Account records without a non-empty `identityKey`, in every domain.
fn keyless(text: &str) -> Option<usize> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    let openai = v.get("openai")?;
    let lists = [
        openai.get("accounts"),
        openai.get("native").and_then(|d| d.get("accounts")),
        openai.get("codex").and_then(|d| d.get("accounts")),
    ];
    Some(
        lists
            .into_iter()
            .flatten()
            .filter_map(|a| a.as_array())
            .flatten()
            .filter(|a| {
                a.get("identityKey")
                    .and_then(|k| k.as_str())
                    .is_none_or(|k| k.is_empty())
            })
            .count(),
    )
}

fn identity_keys(files: &mut Files, found: &mut Found, store: &Path) {
    let Some(before) = files.text(store) else {
        return;
    };
    let Some(missing) = keyless(&before).filter(|n| *n > 0) else {
        return;
    };
    let Ok(scratch) = tempfile::tempdir() else {
        return;
    };
    let copy = scratch.path().join(STORE_NAME);
    if std::fs::write(&copy, &before).is_err() {
        return;
    }
    let normalized = codex_store::AuthStore::new(&copy)
        .rewrite_normalized()
        .ok()
        .and_then(|_| std::fs::read_to_string(&copy).ok());
    let Some(after) = normalized else {
        return;
    };
    let left = keyless(&after).unwrap_or(missing);
    if left > 0 {
        found.unfixable(
            "auth.identity",
            format!("{left} account(s) lack the accountId, email or plan an identity key is built from: log in again for each (`opencode auth login`)"),
        );
    }
    if left >= missing {
        return;
    }
    if let Some(action) = files.write(store, after, 0o600) {
        push(
            found,
            Fix {
                check_id: "auth.identity",
                code: "store.identity-key",
                summary: format!(
                    "write the identityKey the plugin derives for {} account record(s) (the store's own normalization)",
                    missing - left
                ),
                actions: vec![action],
                touches_store: true,
            },
        );
    }
}

pub(super) fn fixes(ctx: &Context<'_>, files: &mut Files, found: &mut Found) {
    let store = ctx.paths.auth_store().path;
    restore(ctx, files, found, &store);
    transfer(ctx, files, found, &store);
    identity_keys(files, found, &store);
}
