//! Text and JSON renderings of the `accounts` results (pure functions; the binary prints).
//!
//! Identities are masked everywhere, with the labels of [`crate::labels`]: a pasted listing
//! does not identify anyone, and no token is ever part of the data. `accounts list
//! --show-identities` shows the unmasked emails, account ids and identity keys, for the
//! user's own terminal.

use codex_store::{AccountRow, Domain, SourceStatus};
use serde_json::{json, Value};

use codex_rotation::ratelimit::{Limit, QuotaView};

use crate::accounts::{ListReport, TransferSummary};
use crate::labels::{distinct_accounts, distinct_labels, masked_account};

/// `1h 5m`, `3m 20s`, `42s`, `12d 3h` for a span in ms of either sign (whole seconds).
pub fn duration(ms: f64) -> String {
    codex_timefmt::compact_secs((ms.abs() / 1000.0) as u64)
}

/// `75%/30%` (5-hour/weekly percent left, `-` for a window not in the snapshot), with the snapshot's age when it is over an
/// hour old; `-` without a snapshot.
fn quota_cell(q: Option<&QuotaView>, now: f64) -> String {
    let Some(q) = q else {
        return "-".to_string();
    };
    let pct = |l: &Option<Limit>| {
        l.as_ref()
            .map_or("-".to_string(), |l| format!("{}%", l.left_pct))
    };
    let mut cell = format!("{}/{}", pct(&q.five_hour), pct(&q.weekly));
    if let Some(at) = q.updated_at.filter(|at| now - at > 3_600_000.0) {
        cell.push_str(&format!(" ({} ago)", duration(now - at)));
    }
    cell
}

fn domains(ds: &[Domain]) -> String {
    ds.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(",")
}

fn expiry(row: &AccountRow, now: f64) -> String {
    expiry_text(row.expires, now)
}

fn expiry_text(expires: Option<f64>, now: f64) -> String {
    match expires {
        None => "-".to_string(),
        Some(e) if e > now => format!("in {}", duration(e - now)),
        // `0` (an imported account whose expiry was never known) or a time before 2001:
        // expired, but not "20791d ago".
        Some(e) if e < 978_307_200_000.0 => "expired".to_string(),
        Some(e) => format!("expired {} ago", duration(now - e)),
    }
}

fn cooldown(row: &AccountRow, now: f64) -> String {
    match row.cooldown_until {
        Some(c) if c > now => duration(c - now),
        _ => "-".to_string(),
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// The human listing.
pub fn list_text(r: &ListReport) -> String {
    let now = r.now_ms as f64;
    let mut out = format!(
        "codex-accounts.json: {} (mode: {})\n",
        r.store.display(),
        r.mode
    );
    if !r.configured || r.rows.is_empty() {
        out.push_str(if r.configured {
            "No accounts in the store.\n"
        } else {
            "No Codex accounts configured.\n"
        });
        if r.transfer_available {
            out.push_str("Legacy accounts can be imported: codex-runtime accounts transfer\n");
        }
        ignored_note(r, &mut out);
        return out;
    }
    let header = [
        "#",
        "ACCOUNT",
        "PLAN",
        "DOMAIN",
        "ENABLED",
        "ACTIVE",
        "COOLDOWN",
        "TOKEN",
        "LEFT 5H/WEEK",
        "IDENTITY",
    ];
    let accounts = distinct_accounts(&r.rows);
    let rows: Vec<[String; 10]> = r
        .rows
        .iter()
        .map(|row| {
            let label = if r.show_identities {
                row.email
                    .clone()
                    .or_else(|| row.account_id.as_ref().map(|id| format!("id:{id}")))
                    .unwrap_or_else(|| "account".to_string())
            } else {
                accounts
                    .get(&row.identity_key)
                    .cloned()
                    .unwrap_or_else(|| masked_account(row))
            };
            [
                row.index.to_string(),
                label,
                row.plan.clone().unwrap_or_else(|| "-".to_string()),
                domains(&row.domains),
                yes_no(row.enabled).to_string(),
                yes_no(row.active_in.contains(&r.mode)).to_string(),
                cooldown(row, now),
                expiry(row, now),
                quota_cell(r.quotas.get(&row.identity_key), now),
                match (row.strict_identity, r.show_identities) {
                    (true, true) => row.identity_key.clone(),
                    (true, false) => "yes".to_string(),
                    (false, _) => "no (sign in again)".to_string(),
                },
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row.iter()) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths.iter()).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(cell);
            } else {
                s.push_str(cell);
                s.push_str(&" ".repeat(w - cell.chars().count() + 2));
            }
        }
        s.push('\n');
        s
    };
    out.push_str(&line(header.to_vec()));
    for row in &rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    ignored_note(r, &mut out);
    out
}

/// The fields of the wrong type left out of the listing, and what that means.
fn ignored_note(r: &ListReport, out: &mut String) {
    if r.ignored.is_empty() {
        return;
    }
    out.push_str(&format!(
        "note: read as absent, as the plugin does (wrong type): {}; commands that write the store refuse it until these are repaired (`codex-doctor --only auth.store`)\n",
        r.ignored.join(", ")
    ));
}

fn opt(x: Option<f64>) -> Value {
    x.map_or(Value::Null, codex_store::json::number)
}

/// The JSON listing (`schemaVersion` 1).
pub fn list_json(r: &ListReport) -> String {
    let now = r.now_ms as f64;
    let labels = distinct_labels(&r.rows);
    let accounts: Vec<Value> = r
        .rows
        .iter()
        .map(|row| {
            let mut v = json!({
                "index": row.index,
                "label": labels.get(&row.identity_key).cloned().unwrap_or_else(|| row.masked_label()),
                "identityKey": codex_redact::mask_identity_key(&row.identity_key),
                "plan": row.plan,
                "domains": row.domains.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
                "enabled": row.enabled,
                "active": row.active_in.contains(&r.mode),
                "activeIn": row.active_in.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
                "cooldownUntil": opt(row.cooldown_until),
                "cooldownLeftMs": codex_store::json::number(row.cooldown_until.map_or(0.0, |c| (c - now).max(0.0))),
                "refreshLeaseUntil": opt(row.refresh_lease_until),
                "expires": opt(row.expires),
                "expiresInMs": opt(row.expires.map(|e| e - now)),
                "lastUsed": opt(row.last_used),
                "identity": row.strict_identity,
                "hasAccess": row.has_access,
                "hasRefresh": row.has_refresh,
                "quota": r.quotas.get(&row.identity_key).map_or(Value::Null, QuotaView::to_json),
            });
            if r.show_identities {
                v["identityKey"] = json!(row.identity_key);
                v["email"] = json!(row.email);
                v["accountId"] = json!(row.account_id);
            }
            v
        })
        .collect();
    let v = json!({
        "schemaVersion": 1,
        "store": r.store.display().to_string(),
        "mode": r.mode.as_str(),
        "configured": r.configured,
        "transferAvailable": r.transfer_available,
        "ignoredFields": r.ignored,
        "now": r.now_ms,
        "accounts": accounts,
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}

/// The transfer report.
pub fn transfer_text(t: &TransferSummary) -> String {
    let mut out = String::new();
    let used = t
        .sources
        .iter()
        .filter(|s| matches!(s.status, SourceStatus::Used { .. }))
        .count();
    if used == 0 {
        out.push_str(
            "Nothing to transfer: no legacy source has an account with a refresh token.\n",
        );
    } else {
        out.push_str(&format!(
            "Transfer complete: imported {} account(s) into {}.\n",
            t.imported,
            t.store.display()
        ));
        for (mode, row) in &t.rows {
            out.push_str(&format!(
                "  #{} {} [{}]\n",
                row.index,
                row.masked_label(),
                mode
            ));
        }
        if !t.wrote {
            out.push_str("The store already held these accounts; nothing was written.\n");
        }
    }
    out.push_str("Sources:\n");
    for s in &t.sources {
        let status = match &s.status {
            SourceStatus::Missing => "not found".to_string(),
            SourceStatus::Skipped(reason) => format!("skipped ({reason})"),
            SourceStatus::NoAccounts => "no account with a refresh token".to_string(),
            SourceStatus::Used { imported } => format!("used, {imported} new account(s)"),
        };
        out.push_str(&format!("  {}: {status}\n", s.path.display()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration(0.0), "0s");
        assert_eq!(duration(42_900.0), "42s");
        assert_eq!(duration(200_000.0), "3m 20s");
        assert_eq!(duration(3_900_000.0), "1h 5m");
        assert_eq!(duration(-3_900_000.0), "1h 5m");
        assert_eq!(duration(97_200_000.0 + 86_400_000.0 * 11.0), "12d 3h");
    }

    /// Found from the user's side: an imported account with `expires: 0` read "expired
    /// 20791d 3h ago".
    #[test]
    fn an_unknown_expiry_is_just_expired() {
        let now = 1_796_000_000_000.0;
        assert_eq!(expiry_text(Some(0.0), now), "expired");
        assert_eq!(
            expiry_text(Some(now - 3_900_000.0), now),
            "expired 1h 5m ago"
        );
        assert_eq!(expiry_text(Some(now + 200_000.0), now), "in 3m 20s");
        assert_eq!(expiry_text(None, now), "-");
    }
}
