//! `auth.quota`: what the account dashboard would show, and the quota states that silently
//! block an account.
//!
//! Replays the dashboard's "Unknown" rules (reference 12.2) against the quota snapshots in
//! `cache/codex-snapshots.json`: no snapshot and an expired access token ("Unknown, account
//! expired"), a window without a future reset ("Unknown"); and finds the states no other check
//! sees: a window at 0 % with no reset time (the account stays exhausted with no end in
//! sight), a cooldown that outlasts the reset the snapshot already shows (or sits beside a
//! window with quota left), and an expired access token with no refresh token (it can never
//! be renewed).

use codex_auth::model::AccountRecord;
use codex_timefmt::human_ms;
use serde_json::Value;

use super::auth::label;
use super::{problem, CheckDef, Problem};
use crate::facts::Facts;
use crate::report::CheckResult;

/// `auth.quota`.
pub(super) const QUOTA: CheckDef = CheckDef {
    id: "auth.quota",
    title: "Quota snapshots",
    about: "Accounts the dashboard would show as \"Unknown\" and why, cooldowns that outlast a reset the snapshot shows, expired tokens with no refresh token.",
    run,
};

/// A cooldown this much longer than the snapshot justifies is flagged.
const COOLDOWN_SLACK_MS: f64 = 5.0 * 60_000.0;

/// One quota window of a snapshot.
struct Window {
    name: String,
    left_pct: Option<f64>,
    resets_at: Option<f64>,
}

fn windows(snapshot: &Value) -> Vec<Window> {
    snapshot
        .get("limits")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|l| Window {
                    name: l
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("window")
                        .to_string(),
                    left_pct: l.get("leftPct").and_then(Value::as_f64),
                    resets_at: l.get("resetsAt").and_then(Value::as_f64),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn run(f: &Facts) -> CheckResult {
    let openai = match super::auth::parsed_openai(f) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let snapshots = f.cache_json("codex-snapshots.json").unwrap_or(Value::Null);
    let now = f.now_ms;
    let mut fails: Vec<Problem> = Vec::new();
    let mut warns: Vec<Problem> = Vec::new();
    let mut fixes: Vec<String> = Vec::new();
    let mut details: Vec<String> = Vec::new();
    let mut seen = 0usize;
    for view in &openai.domains {
        for (i, r) in view.accounts.iter().enumerate() {
            if !r.is_enabled() {
                continue;
            }
            seen += 1;
            let who = format!("{} [{}]", label(i, r), view.domain.as_str());
            let snap = r
                .identity_key()
                .and_then(|k| snapshots.get(k))
                .filter(|s| s.is_object());
            judge_account(
                &who,
                r,
                snap,
                now,
                &mut fails,
                &mut warns,
                &mut fixes,
                &mut details,
            );
        }
    }
    fixes.dedup();
    let pass = || format!("{seen} enabled account(s): quota state is known and consistent");
    super::verdict(fails, warns, pass, details, fixes)
}

#[allow(clippy::too_many_arguments)]
fn judge_account(
    who: &str,
    r: &AccountRecord,
    snap: Option<&Value>,
    now: f64,
    fails: &mut Vec<Problem>,
    warns: &mut Vec<Problem>,
    fixes: &mut Vec<String>,
    details: &mut Vec<String>,
) {
    let expired = r.expires().is_some_and(|e| e <= now);
    if expired && !r.has_refresh() {
        fails.push(problem("expired-no-refresh", format!(
            "{who}: the access token expired {} ago and there is no refresh token, so it can never be renewed",
            human_ms(now - r.expires().unwrap_or(now))
        )));
        fixes.push("Sign that account in again: `opencode auth login`".into());
    }
    let Some(snap) = snap else {
        if !r.has_identity() {
            details.push(format!(
                "{who}: \"Unknown, missing identity metadata\" (see auth.identity)"
            ));
        } else if expired {
            warns.push(problem("unknown-account-expired", format!(
                "{who}: shows \"Unknown, account expired\": no quota snapshot and the access token expired, so quotas cannot be fetched until it is refreshed"
            )));
            fixes.push("`opencode auth login` → the account → Refresh token → Check quotas (or send one request with it)".into());
        } else {
            details.push(format!(
                "{who}: \"Unknown, no snapshot yet\" (no request since the snapshots were reset)"
            ));
        }
        return;
    };
    let ws = windows(snap);
    for w in &ws {
        let future_reset = w.resets_at.filter(|t| *t > now);
        if future_reset.is_none() {
            if w.left_pct.is_some_and(|p| p <= 0.0) {
                warns.push(problem("exhausted-no-reset", format!(
                    "{who}: window `{}` is at 0 % with no reset time: the dashboard shows \"Unknown\" and the account stays exhausted with no end in sight",
                    w.name
                )));
                fixes.push("`opencode auth login` → the account → Refresh token → Check quotas, to fetch a fresh snapshot".into());
            } else {
                details.push(format!(
                    "{who}: window `{}` shows \"Unknown\" (no future reset time)",
                    w.name
                ));
            }
        }
    }
    let Some(until) = r.cooldown_until().filter(|c| *c > now + COOLDOWN_SLACK_MS) else {
        return;
    };
    let exhausted: Vec<&Window> = ws
        .iter()
        .filter(|w| w.left_pct.is_some_and(|p| p <= 0.0))
        .collect();
    let left = || -> String {
        ws.iter()
            .filter_map(|w| w.left_pct.map(|p| format!("{} {p}% left", w.name)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let reason = if exhausted.is_empty() && !ws.is_empty() {
        Some(format!("its snapshot shows quota left ({})", left()))
    } else {
        let latest_reset = exhausted
            .iter()
            .filter_map(|w| w.resets_at)
            .fold(None, |a: Option<f64>, t| Some(a.map_or(t, |a| a.max(t))));
        latest_reset
            .filter(|t| until > t + COOLDOWN_SLACK_MS)
            .map(|t| {
                format!(
                    "its exhausted window resets in {}",
                    human_ms((t - now).max(0.0))
                )
            })
    };
    if let Some(reason) = reason {
        warns.push(problem(
            "cooldown-outlasts-reset",
            format!(
                "{who}: cooling down for {} although {reason}",
                human_ms(until - now)
            ),
        ));
        fixes.push("The cooldown came from an earlier 429; it ends by itself. To use the account now, clear it in the account manager (`opencode auth login` → the account) or wait".into());
    }
}
