//! `accounts quota [N|--all] [--json]`: each account's usage from the Codex backend
//! (`GET …/wham/usage`, reference 7.7, through `codex-proxy`'s usage client), shown as the
//! 5-hour and weekly windows used / left with their reset times, and credits; each answer is
//! written to `cache/codex-snapshots.json` under the account's identity key (reference 7.8),
//! where the plugin's status tool, `accounts list`, `serve` and the doctor read it.
//!
//! The usage request is made with the account's record in the current mode's domain (else the
//! other one); an access token that is missing or expires within a minute is refreshed first,
//! leased, as `accounts refresh` does. A window with nothing left cools the account down (in
//! each of its domains) until the latest reset of the exhausted windows, else for 5 minutes,
//! as the plugin's and `serve`'s usage polling do.

use std::collections::HashMap;
use std::time::Duration;

use codex_proxy::quota::{fetch_usage, usage_url_for};
use codex_redact::Secret;
use codex_rotation::ratelimit::{
    exhausted_until, pick_windows, snapshot_value, Limit, UsageSnapshot, EXHAUSTED_DEFAULT_MS,
};
use codex_store::snapshots::SnapshotStore;
use codex_store::{AccountRow, Domain};
use serde_json::{json, Value};

use crate::backend::Backend;
use crate::context::Context;
use crate::error::RuntimeError;
use crate::refresh::{refresh_record, select, Refreshed};

/// Time limit of one usage request.
pub const USAGE_TIMEOUT: Duration = Duration::from_secs(15);

/// An access token this close to expiry is refreshed before use.
const EXPIRY_MARGIN_MS: f64 = 60_000.0;

/// One account's answer.
#[derive(Debug, Clone)]
pub struct QuotaLine {
    /// Index.
    pub index: usize,
    /// Masked, distinct label.
    pub label: String,
    /// The usage, or why there is none.
    pub result: Result<UsageSnapshot, String>,
    /// The token was refreshed first.
    pub refreshed: bool,
    /// An exhausted window cooled the account down until then (epoch ms).
    pub cooldown_until: Option<f64>,
}

/// What the usage request needs of a domain record: access token, its expiry, account id.
type Credentials = (Option<Secret<String>>, Option<f64>, Option<String>);

/// The domain record used for the request.
fn credentials(
    ctx: &Context,
    key: &str,
    domain: Domain,
) -> Result<Option<Credentials>, RuntimeError> {
    let state = ctx.store().load()?;
    Ok(state
        .oauth()
        .and_then(|s| s.domain(domain))
        .and_then(|d| d.accounts().iter().find(|a| a.identity_key() == Some(key)))
        .map(|a| {
            (
                a.access().cloned(),
                a.expires(),
                a.account_id().map(str::to_string),
            )
        }))
}

fn one(
    ctx: &Context,
    backend: &Backend,
    row: &AccountRow,
    rotated: &mut HashMap<String, codex_store::RefreshedTokens>,
) -> Result<(Result<UsageSnapshot, String>, bool), RuntimeError> {
    if !row.strict_identity {
        return Ok((
            Err("no full identity (sign in again with `codex-runtime login`)".into()),
            false,
        ));
    }
    let domain = if row.domains.contains(&ctx.mode) {
        ctx.mode
    } else {
        match row.domains.first() {
            Some(d) => *d,
            None => return Ok((Err("in no domain".into()), false)),
        }
    };
    let key = row.identity_key.as_str();
    let mut creds = credentials(ctx, key, domain)?;
    let now = ctx.now_ms() as f64;
    let stale = match &creds {
        Some((Some(_), Some(exp), _)) => *exp <= now + EXPIRY_MARGIN_MS,
        Some((Some(_), None, _)) => false,
        _ => true,
    };
    let mut refreshed = false;
    if stale {
        match refresh_record(ctx, backend, row, domain, rotated)? {
            Refreshed::Refreshed { .. } | Refreshed::Copied { .. } => {
                refreshed = true;
                creds = credentials(ctx, key, domain)?;
            }
            Refreshed::Skipped(why) => {
                return Ok((
                    Err(format!(
                        "the access token is expired and was not refreshed: {why}"
                    )),
                    false,
                ))
            }
            Refreshed::Failed { message, disabled } => {
                let tail = if disabled {
                    "; the account is disabled: sign in again with `codex-runtime login`"
                } else {
                    ""
                };
                return Ok((Err(format!("{message}{tail}")), false));
            }
        }
    }
    let Some((Some(access), _, account_id)) = creds else {
        return Ok((Err("no access token".into()), refreshed));
    };
    let Some(url) = usage_url_for(&backend.config.upstream) else {
        return Ok((Err("no usage URL for the backend".into()), refreshed));
    };
    let result = backend.rt.block_on(fetch_usage(
        &backend.http,
        url,
        &access,
        account_id.as_deref(),
        &backend.config.allowlist,
        USAGE_TIMEOUT,
    ));
    if let Ok(snap) = &result {
        let store = SnapshotStore::with_options(
            ctx.paths.cache_file("codex-snapshots.json").path,
            ctx.store_options.clone(),
        );
        let at = ctx.now_ms() as f64;
        store.update(|m| {
            m.insert(row.identity_key.clone(), snapshot_value(at, snap));
        })?;
    }
    Ok((result, refreshed))
}

/// Cools `row` down when a window has nothing left; returns the cooldown end.
fn rest_if_exhausted(
    ctx: &Context,
    row: &AccountRow,
    snap: &UsageSnapshot,
) -> Result<Option<f64>, RuntimeError> {
    if !snap.limits.iter().any(|l| l.left_pct <= 0.0) {
        return Ok(None);
    }
    let now = ctx.now_ms() as f64;
    let until = exhausted_until(&snap.limits, now).unwrap_or(now + EXHAUSTED_DEFAULT_MS);
    let store = ctx.store();
    for d in &row.domains {
        store.set_cooldown(*d, &row.identity_key, until)?;
    }
    Ok(Some(until))
}

/// `accounts quota`.
pub fn run(
    ctx: &Context,
    backend: &Backend,
    index: Option<usize>,
    all: bool,
) -> Result<Vec<QuotaLine>, RuntimeError> {
    let all_rows = ctx.store().rows()?;
    let labels = crate::labels::distinct_labels(&all_rows);
    let rows = select(all_rows, index, all)?;
    let mut rotated = HashMap::new();
    let mut out = Vec::new();
    for row in rows {
        let (result, refreshed) = one(ctx, backend, &row, &mut rotated)?;
        let cooldown_until = match &result {
            Ok(snap) => rest_if_exhausted(ctx, &row, snap)?,
            Err(_) => None,
        };
        out.push(QuotaLine {
            cooldown_until,
            index: row.index,
            label: labels
                .get(&row.identity_key)
                .cloned()
                .unwrap_or_else(|| row.masked_label()),
            result,
            refreshed,
        });
    }
    Ok(out)
}

fn window_text(name: &str, l: Option<&Limit>, now: f64) -> String {
    match l {
        None => format!("  {name:<7} -\n"),
        Some(l) => {
            let used = (100.0 - l.left_pct).clamp(0.0, 100.0);
            let reset = match l.resets_at {
                Some(r) if r > now => format!(
                    ", resets in {} ({})",
                    crate::render::duration(r - now),
                    codex_timefmt::rfc3339_ms(r)
                ),
                Some(r) => format!(", reset at {}", codex_timefmt::rfc3339_ms(r)),
                None => String::new(),
            };
            format!("  {name:<7} {used}% used, {}% left{reset}\n", l.left_pct)
        }
    }
}

fn credits_text(c: &Value) -> String {
    if c.get("unlimited").and_then(Value::as_bool) == Some(true) {
        return "unlimited".into();
    }
    let balance = match c.get("balance") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => "-".into(),
    };
    match c.get("hasCredits").and_then(Value::as_bool) {
        Some(false) => format!("none (balance {balance})"),
        _ => format!("balance {balance}"),
    }
}

/// Text report; the flag says whether any account failed.
pub fn render_text(lines: &[QuotaLine], now_ms: u64) -> (String, bool) {
    let now = now_ms as f64;
    let mut s = String::new();
    let mut failed = false;
    for l in lines {
        s.push_str(&format!("#{} {}\n", l.index, l.label));
        if l.refreshed {
            s.push_str("  (access token refreshed first)\n");
        }
        match &l.result {
            Ok(snap) => {
                let (five, weekly) = pick_windows(&snap.limits);
                s.push_str(&window_text("5h", five, now));
                s.push_str(&window_text("weekly", weekly, now));
                if let Some(c) = &snap.credits {
                    s.push_str(&format!("  credits {}\n", credits_text(c)));
                }
                if let Some(u) = l.cooldown_until {
                    s.push_str(&format!(
                        "  exhausted: the account rests until {}\n",
                        codex_timefmt::rfc3339_ms(u)
                    ));
                }
            }
            Err(e) => {
                failed = true;
                s.push_str(&format!("  error: {e}\n"));
            }
        }
    }
    if lines.is_empty() {
        s.push_str("No accounts.\n");
    }
    (s, failed)
}

fn window_json(l: Option<&Limit>) -> Value {
    l.map_or(Value::Null, |l| {
        json!({
            "usedPct": codex_store::json::number((100.0 - l.left_pct).clamp(0.0, 100.0)),
            "leftPct": codex_store::json::number(l.left_pct),
            "resetsAt": l.resets_at.map_or(Value::Null, |r| codex_store::json::number(r.round())),
        })
    })
}

/// JSON report (`schemaVersion` 1); the flag says whether any account failed.
pub fn render_json(lines: &[QuotaLine], now_ms: u64) -> (String, bool) {
    let mut failed = false;
    let accounts: Vec<Value> = lines
        .iter()
        .map(|l| match &l.result {
            Ok(snap) => {
                let (five, weekly) = pick_windows(&snap.limits);
                json!({
                    "index": l.index,
                    "label": l.label,
                    "ok": true,
                    "refreshed": l.refreshed,
                    "fiveHour": window_json(five),
                    "weekly": window_json(weekly),
                    "credits": snap.credits.clone().unwrap_or(Value::Null),
                    "cooldownUntil": l.cooldown_until.map_or(Value::Null, |u| codex_store::json::number(u.round())),
                })
            }
            Err(e) => {
                failed = true;
                json!({"index": l.index, "label": l.label, "ok": false, "refreshed": l.refreshed, "error": e})
            }
        })
        .collect();
    let v = json!({"schemaVersion": 1, "now": now_ms, "accounts": accounts});
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    (s, failed)
}
