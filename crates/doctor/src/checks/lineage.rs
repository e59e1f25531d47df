//! `auth.lineage`: is one ChatGPT account held in more than one store?
//!
//! Refresh tokens rotate: every refresh returns a new one and retires the old. When the same
//! account sits in several stores that refresh it (the plugin's native and codex domains, the
//! legacy `openai-codex-accounts.json` an older plugin version still uses, the Codex CLI's
//! `~/.codex/auth.json`), whichever refreshes first leaves the others holding a dead token,
//! and their next refresh fails with `refresh_token_reused` (the plugin then disables the
//! account). OpenCode's own `auth.json` is left out: it holds a copy of the login as a marker
//! and never refreshes it while the plugin is registered. Accounts are matched by account id
//! and by refresh token (compared in memory; neither the token nor any fingerprint of it is
//! ever printed).

use std::collections::BTreeMap;

use codex_auth::legacy::LegacySource;
use codex_auth::model::{AccountRecord, StoreRead};

use super::{problem, show, CheckDef, Problem};
use crate::facts::Facts;
use crate::report::CheckResult;

/// `auth.lineage`.
pub(super) const LINEAGE: CheckDef = CheckDef {
    id: "auth.lineage",
    title: "Account copies",
    about: "The same ChatGPT account (by account id or refresh token) in more than one store, the main cause of refresh_token_reused.",
    run,
};

/// One copy of an account: where it is and its tokens.
struct Copy<'a> {
    store: String,
    record: &'a AccountRecord,
}

fn run(f: &Facts) -> CheckResult {
    let p = match f.paths() {
        Ok(p) => p,
        Err(e) => return super::no_paths(&e),
    };
    let mut copies: Vec<Copy<'_>> = Vec::new();
    if let Some(StoreRead::Parsed(s)) = f.store() {
        if let Some(o) = &s.openai {
            for view in &o.domains {
                for r in &view.accounts {
                    copies.push(Copy {
                        store: format!(
                            "{} ({} domain)",
                            show(&p.auth_store().path),
                            view.domain.as_str()
                        ),
                        record: r,
                    });
                }
            }
        }
    }
    let legacy = f.legacy_sources();
    let legacy_store = p.legacy_store().path;
    for (resolved, src) in &legacy {
        if resolved.path != legacy_store {
            continue;
        }
        if let LegacySource::Usable { records, .. } = src {
            for r in records {
                copies.push(Copy {
                    store: show(&resolved.path),
                    record: r,
                });
            }
        }
    }
    let codex_cli = f.codex_cli_login();
    if let Some((path, r)) = &codex_cli {
        copies.push(Copy {
            store: format!("{} (Codex CLI)", show(path)),
            record: r,
        });
    }
    judge(&copies)
}

fn judge(copies: &[Copy<'_>]) -> CheckResult {
    // Group copies that share an account id or a refresh token (union of both relations).
    let n = copies.len();
    let mut group: Vec<usize> = (0..n).collect();
    fn root(g: &mut [usize], mut i: usize) -> usize {
        while g[i] != i {
            g[i] = g[g[i]];
            i = g[i];
        }
        i
    }
    for i in 0..n {
        for j in (i + 1)..n {
            if copies[i].store == copies[j].store {
                continue;
            }
            let (a, b) = (copies[i].record, copies[j].record);
            let same_id = a.account_id().is_some() && a.account_id() == b.account_id();
            let same_rt = match (a.refresh(), b.refresh()) {
                (Some(x), Some(y)) => !x.expose().trim().is_empty() && x.expose() == y.expose(),
                _ => false,
            };
            if same_id || same_rt {
                let (ri, rj) = (root(&mut group, i), root(&mut group, j));
                group[ri] = rj;
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        let r = root(&mut group, i);
        groups.entry(r).or_default().push(i);
    }
    let mut warns: Vec<Problem> = Vec::new();
    let mut details: Vec<String> = Vec::new();
    for members in groups.values().filter(|m| m.len() > 1) {
        let first = copies[members[0]].record;
        let who = first
            .email()
            .or_else(|| first.account_id())
            .map(str::to_string)
            .unwrap_or_else(|| "an account".to_string());
        let stores: Vec<&str> = members.iter().map(|i| copies[*i].store.as_str()).collect();
        let tokens: Vec<Option<&str>> = members
            .iter()
            .map(|i| copies[*i].record.refresh().map(|r| r.expose().as_str()))
            .collect();
        let shared = tokens.windows(2).any(|w| w[0].is_some() && w[0] == w[1]);
        let diverged = tokens
            .iter()
            .flatten()
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            > 1;
        let state = match (shared, diverged) {
            (true, true) => "some copies share a refresh token and others already hold a different one",
            (true, false) => "the copies share one refresh token: the first to refresh retires it for the others",
            (false, _) => "the copies hold different refresh tokens: if one was copied from another, one of them is already dead",
        };
        warns.push(problem(if shared { "shared-refresh-token" } else { "diverged-copies" }, format!(
            "{who} is held in {} stores ({}): {state}, and the next refresh there fails with refresh_token_reused",
            stores.len(),
            stores.join(", ")
        )));
    }
    if warns.is_empty() {
        details.push(format!("{n} account record(s) compared across the stores"));
        return CheckResult::pass("every account is held in one store").details(details);
    }
    super::verdict(
        Vec::<Problem>::new(),
        warns,
        String::new,
        details,
        vec![
            "Keep one refreshing copy per account: the plugin's store is authoritative; remove the account from the legacy store, or sign the Codex CLI in with another account (`codex login`), or stop the other tool that refreshes it".to_string(),
            "If an account was already disabled with refresh_token_reused, sign it in again: `opencode auth login` (`codex-doctor explain refresh_token_reused`)".to_string(),
        ],
    )
}
