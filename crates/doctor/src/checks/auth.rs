//! `auth.store`, `auth.opencode`, `auth.accounts`, `auth.identity`, `auth.legacy`.
//!
//! The plugin's store `codex-accounts.json` (reference 4), OpenCode's own `auth.json` (which
//! must hold an `openai` OAuth entry or OpenCode never asks the plugin), the accounts of the
//! domain the mode in effect uses, identity keys after claim hydration, and the legacy sources a
//! transfer would import. Read-only: a corrupt store is reported, not quarantined.

use std::os::unix::fs::MetadataExt;

use codex_auth::legacy::{self, LegacySource};
use codex_auth::model::{AccountRecord, Domain, DomainSource, StoreRead};

use super::{show, CheckDef};
use crate::facts::{Facts, FileInfo};
use crate::report::CheckResult;
use codex_timefmt::human_ms;

/// `auth.store`.
pub const STORE: CheckDef = CheckDef {
    id: "auth.store",
    title: "Auth store",
    about: "codex-accounts.json exists, is readable, is a JSON object with an `openai` OAuth entry, and is private.",
    run: run_store,
};

/// `auth.opencode`.
pub const OPENCODE: CheckDef = CheckDef {
    id: "auth.opencode",
    title: "OpenCode auth.json",
    about: "OpenCode's own auth.json has an `openai` entry of type oauth (else OpenCode never asks the plugin).",
    run: run_opencode,
};

/// `auth.accounts`.
pub const ACCOUNTS: CheckDef = CheckDef {
    id: "auth.accounts",
    title: "Accounts",
    about: "The accounts of the mode in effect: enabled, not all cooling down, leases, refresh tokens, active key, duplicates.",
    run: run_accounts,
};

/// `auth.identity`.
pub const IDENTITY: CheckDef = CheckDef {
    id: "auth.identity",
    title: "Identity keys",
    about: "Every account has a usable identityKey after JWT claim hydration.",
    run: run_identity,
};

/// `auth.legacy`.
pub const LEGACY: CheckDef = CheckDef {
    id: "auth.legacy",
    title: "Legacy sources",
    about: "Legacy stores a transfer would import from, and whether the store is authoritative.",
    run: run_legacy,
};

const LOGIN_FIX: &str = "opencode auth login";

/// The login method to pick in `opencode auth login` where the doctor runs: the browser
/// flow, or the device ("headless") flow where the browser's redirect cannot come back
/// (SSH, a container, no display; `login.environment` says why).
fn login_pick(f: &Facts) -> &'static str {
    if f.login_env().browser_login_works() {
        "\"ChatGPT Pro/Plus (browser)\""
    } else {
        "\"ChatGPT Pro/Plus (headless)\" (the browser's redirect cannot reach this machine: see login.environment)"
    }
}

/// Label of a record for messages: `#<n> email (plan)` (the redactor masks the email).
pub fn label(i: usize, r: &AccountRecord) -> String {
    let who = r.email().or_else(|| r.account_id()).unwrap_or("account");
    match r.plan() {
        Some(p) => format!("#{} {who} ({p})", i + 1),
        None => format!("#{} {who}", i + 1),
    }
}

fn perms(info: &FileInfo) -> String {
    format!(
        "mode {:04o}, owner uid {}",
        info.mode.unwrap_or(0),
        info.uid
            .map(|u| u.to_string())
            .unwrap_or_else(|| "?".into())
    )
}

fn owner_note(f: &Facts, info: &FileInfo) -> Option<String> {
    match (f.uid, info.uid) {
        (Some(me), Some(owner)) if me != owner => {
            Some(format!("owned by uid {owner}, but you are uid {me}"))
        }
        _ => None,
    }
}

fn run_store(f: &Facts) -> CheckResult {
    let p = match f.paths() {
        Ok(p) => p,
        Err(e) => return super::no_paths(&e),
    };
    let path = p.auth_store().path;
    let info = FileInfo::of(&path);
    let Some(read) = f.store() else {
        return super::no_paths("unknown");
    };
    match read {
        StoreRead::Missing => {
            let usable: Vec<String> = f
                .legacy_sources()
                .into_iter()
                .filter_map(|(r, s)| match s {
                    LegacySource::Usable { accounts, .. } if accounts > 0 => {
                        Some(format!("{} ({accounts} account(s))", show(&r.path)))
                    }
                    _ => None,
                })
                .collect();
            let mut r = CheckResult::fail(format!("{} is missing", show(&path)));
            // A dotfile manager's link whose target is gone: the accounts may still exist.
            if let Some(target) = codex_config::opencode::dangling_target(&path) {
                r = CheckResult::fail(format!(
                    "{} is a symbolic link to {}, which does not exist (the plugin sees no accounts)",
                    show(&path),
                    show(&target)
                ))
                .fix(format!(
                    "Restore {} or point the link at the real file, or remove the link and log in again",
                    show(&target)
                ));
            }
            // A readable quarantined copy with accounts comes first: a login or a transfer
            // would make a new store authoritative and the copy's accounts would be lost to
            // the plugin (found from the user's side).
            let copy = f
                .quarantine()
                .iter()
                .filter(|q| q.original == "codex-accounts.json")
                .find_map(|q| match codex_auth::model::read_store(&q.path) {
                    StoreRead::Parsed(s) => s
                        .openai
                        .as_ref()
                        .filter(|o| o.is_oauth())
                        .map(|o| o.all_records().count())
                        .filter(|n| *n > 0)
                        .map(|n| (q.path.clone(), n)),
                    _ => None,
                });
            if let Some((q, n)) = &copy {
                r = r
                    .detail(format!(
                        "quarantine holds a readable copy with {n} account record(s): {}",
                        show(q)
                    ))
                    .fix(format!(
                        "Put it back first: `codex-doctor fix 'auth.*'` (or cp {} {})",
                        show(q),
                        show(&path)
                    ));
            }
            if usable.is_empty() {
                r = r.fix(format!("Run `{LOGIN_FIX}` and choose {}", login_pick(f)));
            } else {
                r = r
                    .detail(format!("legacy sources that can be transferred: {}", usable.join(", ")))
                    .fix(format!("Run `{LOGIN_FIX}` and choose \"Transfer OpenAI accounts from native & old plugins?\""))
                    .fix("Or run `codex-runtime accounts transfer`");
            }
            r
        }
        StoreRead::Unreadable { error, kind } => {
            let mut r = CheckResult::fail(format!("{} cannot be read: {error}", show(&path)))
                .detail(perms(&info));
            match kind {
                // Mode and owner cannot help where a folder stands in the file's place.
                std::io::ErrorKind::IsADirectory => r.fix(format!(
                    "{} is a folder: move it away (mv {0} {0}.folder), then run `{LOGIN_FIX}` or restore the file from a backup",
                    show(&path)
                )),
                std::io::ErrorKind::InvalidInput => r.fix(format!(
                    "{} is a named pipe, socket or device (the plugin would wait on it forever): move it away, then restore the store from a backup or run `{LOGIN_FIX}`",
                    show(&path)
                )),
                std::io::ErrorKind::NotADirectory => r.fix(format!(
                    "A file stands where a folder on the path of {} should be: point XDG_CONFIG_HOME at a folder, or unset it",
                    show(&path)
                )),
                _ => {
                    if let Some(n) = owner_note(f, &info) {
                        r = r
                            .detail(n.clone())
                            .fix(format!("sudo chown \"$(id -u)\" {}", show(&path)));
                    }
                    r.fix(format!("chmod 600 {}", show(&path)))
                }
            }
        }
        StoreRead::NotJson { message, line, column } => {
            let at = if *line > 0 {
                format!(" at line {line}, column {column}")
            } else {
                String::new()
            };
            let r = CheckResult::fail(format!(
                "{} is not valid JSON ({message}{at}): the plugin will move it to quarantine/ at the next start and you will have to log in again",
                show(&path)
            ));
            // Only the mark is wrong: removing it keeps every account.
            let bom = codex_paths::open_regular(&path).ok().and_then(|mut f| {
                let mut head = [0u8; 3];
                std::io::Read::read_exact(&mut f, &mut head).ok().map(|()| head)
            }) == Some([0xEF, 0xBB, 0xBF]);
            let r = if bom {
                r.fix(format!(
                    "Remove the byte-order mark now: sed -i '1s/^\\xEF\\xBB\\xBF//' {}",
                    show(&path)
                ))
            } else {
                r
            };
            r.fix(format!("Repair the file by hand now (keep a copy: cp {0} {0}.bak), or", show(&path)))
            .fix(format!("Restore it from a backup, or run `{LOGIN_FIX}` after it is quarantined"))
        }
        StoreRead::NotObject { found } => CheckResult::fail(format!(
            "{} holds a JSON {found}, not an object: the plugin will move it to quarantine/ at the next start",
            show(&path)
        ))
        .fix(format!("Restore the file from a backup, or run `{LOGIN_FIX}` to start a new store")),
        StoreRead::Parsed(store) => {
            let Some(openai) = &store.openai else {
                let why = match store.openai_wrong_type {
                    Some(t) => format!("`openai` is a {t}, not an object"),
                    None => "it has no `openai` entry".to_string(),
                };
                return CheckResult::fail(format!("{} is not usable: {why}", show(&path)))
                    .fix(format!("Run `{LOGIN_FIX}` to add an account"));
            };
            if !openai.is_oauth() {
                return CheckResult::fail(format!(
                    "{}: openai.type is {:?}, not \"oauth\" (the plugin reports `OpenAI OAuth not configured`)",
                    show(&path),
                    openai.kind.as_deref().unwrap_or("missing")
                ))
                .fix(format!("Run `{LOGIN_FIX}` and choose {}", login_pick(f)));
            }
            let counts: Vec<String> = openai
                .domains
                .iter()
                .map(|d| {
                    format!(
                        "{}: {} account(s), {} enabled",
                        d.domain,
                        d.accounts.len(),
                        d.enabled_count()
                    )
                })
                .collect();
            let summary = if counts.is_empty() {
                "no accounts".to_string()
            } else {
                counts.join("; ")
            };
            let mut warns = Vec::new();
            let mut r = CheckResult::pass(format!("{} ({summary})", show(&path))).detail(perms(&info));
            if info.readable_by_others() {
                warns.push(format!(
                    "{} is readable by group or others ({:04o})",
                    show(&path),
                    info.mode.unwrap_or(0)
                ));
                r = r.fix(format!("chmod 600 {}", show(&path)));
            }
            if let Some(n) = owner_note(f, &info) {
                warns.push(n);
                r = r.fix(format!("sudo chown \"$(id -u)\" {}", show(&path)));
            }
            if !openai.issues.is_empty() {
                warns.push(format!(
                    "{} field(s) have the wrong type (the plugin treats them as absent)",
                    openai.issues.len()
                ));
                r = r
                    .details(openai.issues.iter().cloned())
                    .fix(format!("Correct the listed fields in {} (or log in again for that account)", show(&path)));
            }
            if openai.domains.iter().any(|d| d.source == DomainSource::LegacySingle) {
                r = r.detail("legacy single-account shape: migrated into `native` at the next write");
            }
            if openai.domains.iter().any(|d| d.source == DomainSource::LegacyV4) {
                r = r.detail("legacy v4 shape (`version`, `accounts`, `activeIndex`): migrated into domains at the next write");
            }
            if !store.other_root_keys.is_empty() {
                r = r.detail(format!(
                    "root keys other than `openai` are dropped at the next write: {}",
                    store.other_root_keys.join(", ")
                ));
            }
            if let Ok(meta) = std::fs::symlink_metadata(&path) {
                if meta.file_type().is_symlink() {
                    r = r.detail("the store is a symlink: atomic writes replace the link with a regular file");
                }
                let _ = meta.mode();
            }
            if warns.is_empty() {
                r
            } else {
                let mut w = CheckResult::warn(warns.join("; "));
                w.details = r.details;
                w.fix = r.fix;
                w
            }
        }
    }
}

fn run_opencode(f: &Facts) -> CheckResult {
    let p = match f.paths() {
        Ok(p) => p,
        Err(e) => return super::no_paths(&e),
    };
    let path = p.data_root.path.join("opencode/auth.json");
    let info = FileInfo::of(&path);
    // codex-kit's bridge gives the `openai` provider its key and sends every request to
    // codex-runtime: OpenCode's own entry is not asked for.
    let bridge = f.opencode_config().and_then(|oc| {
        let plugin = oc
            .plugins
            .iter()
            .any(|e| codex_config::opencode::is_ours(&e.spec));
        let bridge = oc
            .plugins
            .iter()
            .find(|e| codex_config::opencode::is_bridge(&e.spec));
        bridge.filter(|_| !plugin)
    });
    if let Some(b) = bridge {
        if !info.exists {
            return CheckResult::pass(format!(
                "not needed: the codex-kit bridge ({:?}) gives OpenCode's openai provider its key, and codex-runtime signs requests with the accounts of codex-accounts.json",
                b.spec
            ));
        }
    }
    if !info.exists {
        let mut r = CheckResult::fail(format!(
            "{} is missing: OpenCode stops with \"OpenAI API key is missing\" before the plugin is asked",
            show(&path)
        ))
        .fix(format!("Run `{LOGIN_FIX}`, pick OpenAI and {}", login_pick(f)));
        // Accounts signed in with `codex-runtime login` (or left by the plugin) are in the
        // store, but OpenCode asks the plugin only when its own file has an entry.
        if let Some(StoreRead::Parsed(s)) = f.store() {
            if s.openai.as_ref().is_some_and(|o| o.is_oauth()) {
                r = r
                    .detail(format!(
                        "{} has the plugin's OAuth entry (from `codex-runtime login` or an earlier login): OpenCode still asks the plugin only when its own auth.json has one",
                        show(&p.auth_store().path)
                    ))
                    .fix("Or use codex-runtime as OpenCode's backend through the codex-kit bridge, which needs no auth.json (README: \"Use codex-runtime as OpenCode's backend\")");
            }
        }
        return r;
    }
    match legacy::opencode_openai_type(&path) {
        Err(e) => {
            let mut r = CheckResult::fail(format!("{} cannot be used: {e}", show(&path)))
                .detail(perms(&info));
            if e.contains("denied") {
                r = r.fix(format!("chmod 600 {}", show(&path)));
            } else {
                r = r.fix(format!(
                    "Repair {} or move it aside and run `{LOGIN_FIX}`",
                    show(&path)
                ));
            }
            r
        }
        Ok(None) => CheckResult::fail(format!(
            "{} has no `openai` entry: OpenCode stops with \"OpenAI API key is missing\" before the plugin is asked",
            show(&path)
        ))
        .fix(format!("Run `{LOGIN_FIX}`, pick OpenAI and {}", login_pick(f))),
        // OpenCode asks the plugin's loader for an entry of any type, and the loader serves
        // when the plugin's own store has an OAuth entry (reference 3.5): the key is then
        // unused, not in the way.
        Ok(Some(t))
            if t != "oauth"
                && matches!(f.store(), Some(StoreRead::Parsed(s)) if s.openai.as_ref().is_some_and(|o| o.is_oauth())) =>
        {
            CheckResult::warn(format!(
                "{}: the `openai` entry is of type {t:?}, not \"oauth\": the plugin still serves (its store has OAuth accounts) and this key is unused",
                show(&path)
            ))
            .fix(format!("Run `{LOGIN_FIX}`, pick OpenAI and {} to replace the unused key entry (optional)", login_pick(f)))
        }
        Ok(Some(t)) if t != "oauth" => CheckResult::fail(format!(
            "{}: the `openai` entry is of type {t:?}, not \"oauth\": OpenCode uses it directly and the plugin's accounts are bypassed",
            show(&path)
        ))
        .fix(format!("Run `{LOGIN_FIX}`, pick OpenAI and {} (replaces the API key entry)", login_pick(f))),
        Ok(Some(_)) => {
            if info.readable_by_others() {
                CheckResult::warn(format!(
                    "{} is readable by group or others ({:04o})",
                    show(&path),
                    info.mode.unwrap_or(0)
                ))
                .fix(format!("chmod 600 {}", show(&path)))
            } else {
                CheckResult::pass(format!("{} has an openai OAuth entry", show(&path)))
            }
        }
    }
}

pub(crate) fn mode_domain(f: &Facts) -> Domain {
    f.resolved_config().mode.domain()
}

pub(crate) fn parsed_openai(f: &Facts) -> Result<&codex_auth::model::OpenAiEntry, CheckResult> {
    match f.store() {
        Some(StoreRead::Parsed(s)) => s
            .openai
            .as_ref()
            .filter(|o| o.is_oauth())
            .ok_or_else(|| CheckResult::skip("no usable `openai` OAuth entry (see auth.store)")),
        Some(_) => Err(CheckResult::skip(
            "the auth store is missing or unreadable (see auth.store)",
        )),
        None => Err(super::no_paths("unknown")),
    }
}

fn run_accounts(f: &Facts) -> CheckResult {
    let openai = match parsed_openai(f) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let domain = mode_domain(f);
    let now = f.now_ms;
    let Some(view) = openai.domain(domain).filter(|d| !d.accounts.is_empty()) else {
        return CheckResult::fail(format!(
            "no {domain} accounts: requests fail with `no_accounts_configured` (mode {domain} is in effect)"
        ))
        .fix(format!("Run `{LOGIN_FIX}` to add an account in {domain} mode"))
        .fix("Or switch mode: set runtime.mode in codex-config.jsonc (or OPENCODE_OPENAI_MULTI_MODE) to the domain that has accounts");
    };
    let enabled: Vec<(usize, &AccountRecord)> = view
        .accounts
        .iter()
        .enumerate()
        .filter(|(_, a)| a.is_enabled())
        .collect();
    let mut details: Vec<String> = view
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| account_line(i, a, now))
        .collect();
    if enabled.is_empty() {
        return CheckResult::fail(format!(
            "all {} {domain} account(s) are disabled: requests fail with `no_enabled_accounts`",
            view.accounts.len()
        ))
        .details(details)
        .fix(format!("Re-authenticate with `{LOGIN_FIX}` (accounts are disabled after `invalid_grant`)"))
        .fix("Or enable one: `codex-runtime accounts enable N`, or the codex-toggle-account tool in OpenCode");
    }
    let mut warns = Vec::new();
    let mut fixes = Vec::new();
    let cooling: Vec<f64> = enabled
        .iter()
        .filter_map(|(_, a)| {
            let c = a.cooldown_until().filter(|c| *c > now);
            let l = a.refresh_lease_until().filter(|l| *l > now);
            match (c, l) {
                (None, None) => None,
                (x, y) => Some(x.unwrap_or(0.0).max(y.unwrap_or(0.0))),
            }
        })
        .collect();
    if cooling.len() == enabled.len() {
        let wait = cooling.iter().cloned().fold(f64::INFINITY, f64::min) - now;
        warns.push(format!(
            "every enabled account is cooling down: requests fail with `all_accounts_cooling_down` for {}",
            human_ms(wait)
        ));
        fixes.push(format!(
            "Wait {} or add another account with `{LOGIN_FIX}`",
            human_ms(wait)
        ));
    }
    for (i, a) in &enabled {
        if let Some(l) = a.refresh_lease_until().filter(|l| *l - now > 120_000.0) {
            warns.push(format!(
                "{} has a refresh lease {} in the future (stuck: leases last 30 s to 2 min)",
                label(*i, a),
                human_ms(l - now)
            ));
            fixes.push(format!(
                "Quit OpenCode, then remove `refreshLeaseUntil` from account {} in the {domain} domain of codex-accounts.json",
                i + 1
            ));
        }
        if !a.has_refresh() {
            warns.push(format!("{} has no refresh token", label(*i, a)));
            fixes.push(format!("Re-authenticate that account: `{LOGIN_FIX}`"));
        }
    }
    if let Some(k) = view.stored_active.as_deref() {
        match view
            .accounts
            .iter()
            .position(|a| a.identity_key() == Some(k))
        {
            None => {
                warns.push("the active account key names no account in this domain".to_string());
                fixes.push(
                    "Pick one: `codex-runtime accounts use N` or the codex-switch-accounts tool"
                        .to_string(),
                );
            }
            Some(i) if !view.accounts[i].is_enabled() => {
                warns.push(format!(
                    "the active account {} is disabled",
                    label(i, &view.accounts[i])
                ));
                fixes.push("Pick an enabled account: `codex-runtime accounts use N` or the codex-switch-accounts tool".to_string());
            }
            Some(_) => {}
        }
    }
    let mut keys: Vec<&str> = view
        .accounts
        .iter()
        .filter_map(|a| a.identity_key())
        .collect();
    keys.sort_unstable();
    let dups: Vec<&str> = keys
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    if !dups.is_empty() {
        warns.push(format!("identity keys repeat: {}", dups.join(", ")));
        fixes.push(
            "Remove the duplicate records (keep the one with the newest `expires`)".to_string(),
        );
    }
    details.insert(
        0,
        format!(
            "mode in effect: {domain}; strategy {}",
            f.resolved_config().rotation_strategy.as_str()
        ),
    );
    let summary = format!(
        "{} {domain} account(s), {} enabled, {} eligible now",
        view.accounts.len(),
        enabled.len(),
        view.accounts.iter().filter(|a| a.is_eligible(now)).count()
    );
    let mut r = if warns.is_empty() {
        CheckResult::pass(summary)
    } else {
        CheckResult::warn(warns.join("; "))
    };
    r.details = details;
    r.fix = fixes;
    r
}

fn account_line(i: usize, a: &AccountRecord, now: f64) -> String {
    let mut parts = vec![label(i, a)];
    parts.push(if a.is_enabled() {
        "enabled".into()
    } else {
        "disabled".into()
    });
    if let Some(c) = a.cooldown_until().filter(|c| *c > now) {
        parts.push(format!("cooling down {}", human_ms(c - now)));
    }
    if let Some(l) = a.refresh_lease_until().filter(|l| *l > now) {
        parts.push(format!("refresh lease {}", human_ms(l - now)));
    }
    match a.expires() {
        Some(e) if e <= now => parts.push("access token expired (refreshed on next use)".into()),
        Some(e) if e - now < 86_400_000.0 => {
            parts.push(format!("access token valid {}", human_ms(e - now)))
        }
        Some(e) => parts.push(format!(
            "access token valid until {}",
            codex_timefmt::rfc3339_secs((e / 1000.0) as i64)
        )),
        None => {}
    }
    if !a.has_identity() {
        parts.push("[identity-missing]".into());
    }
    parts.join(", ")
}

fn run_identity(f: &Facts) -> CheckResult {
    let openai = match parsed_openai(f) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let mut missing = Vec::new();
    let mut total = 0;
    // Keys the store derives when it loads (from the record's fields and claims) but the
    // file does not hold yet: harmless, and what `codex-doctor fix` (`store.identity-key`)
    // writes, so the check says so rather than passing silently.
    let mut derived = 0;
    for d in &openai.domains {
        for (i, a) in d.accounts.iter().enumerate() {
            total += 1;
            if a.has_identity() && a.stored_identity_key().is_none_or(str::is_empty) {
                derived += 1;
            }
            if !a.has_identity() {
                let lacks: Vec<&str> = [
                    ("accountId", a.account_id().is_none()),
                    ("email", a.email().is_none()),
                    ("plan", a.plan().is_none()),
                ]
                .iter()
                .filter(|(_, m)| *m)
                .map(|(n, _)| *n)
                .collect();
                missing.push(format!(
                    "{} account {}: no identityKey (missing {} even after reading the access token)",
                    d.domain,
                    label(i, a),
                    lacks.join(", ")
                ));
            }
        }
    }
    if missing.is_empty() {
        if derived > 0 {
            return CheckResult::pass(format!(
                "all {total} account(s) have an identity key ({derived} derived when the store loads, not yet written; `codex-doctor fix` writes them, or the plugin on its next save)"
            ));
        }
        return CheckResult::pass(format!("all {total} account(s) have an identity key"));
    }
    CheckResult::warn(format!(
        "{} account(s) without a usable identityKey: the runtime skips them (`missing_account_identity`) and quota snapshots cannot attach",
        missing.len()
    ))
    .details(missing)
    .fix(format!("Re-authenticate each listed account: `{LOGIN_FIX}`"))
}

fn run_legacy(f: &Facts) -> CheckResult {
    let p = match f.paths() {
        Ok(p) => p,
        Err(e) => return super::no_paths(&e),
    };
    let store_missing = matches!(f.store(), Some(StoreRead::Missing));
    let sources = f.legacy_sources();
    let mut present = Vec::new();
    let mut usable = 0usize;
    for (r, s) in &sources {
        match s {
            LegacySource::Missing => {}
            LegacySource::Unusable(e) => present.push(format!(
                "{}: unusable ({e}); a transfer skips it",
                show(&r.path)
            )),
            LegacySource::Usable { accounts, .. } => {
                usable += accounts;
                present.push(format!(
                    "{}: {accounts} account(s) with a refresh token",
                    show(&r.path)
                ));
            }
        }
    }
    if store_missing && usable > 0 {
        return CheckResult::warn(format!(
            "{} is missing but legacy sources hold {usable} account(s): a transfer is offered",
            show(&p.auth_store().path)
        ))
        .details(present)
        .fix(format!(
            "Run `{LOGIN_FIX}` and choose \"Transfer OpenAI accounts from native & old plugins?\""
        ))
        .fix("Or run `codex-runtime accounts transfer`");
    }
    if present.is_empty() {
        return CheckResult::pass("no legacy sources present");
    }
    let summary = if store_missing {
        "legacy sources present but none holds a usable account".to_string()
    } else {
        format!(
            "{} legacy source(s) present; codex-accounts.json is authoritative (never repopulated from them)",
            present.len()
        )
    };
    CheckResult::pass(summary).details(present)
}
