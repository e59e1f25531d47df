//! `auth.lock` and `auth.quarantine`: the plugin's lock directories and quarantined files.
//!
//! proper-lockfile locks are empty directories `<realpath(file.lock)>.lock`; older than 10 s
//! they are stale and reclaimed by the next writer. A directory holding `.owner` is the
//! plugin's fallback lock, which nothing ever reclaims: every write blocks until it is removed.
//! The empty `<file>.lock` *files* are lock targets and stay forever; they are never flagged.
//! Quarantined files are user data the plugin moved aside; they are listed with recovery steps.

use super::{show, CheckDef};
use crate::facts::Facts;
use crate::report::CheckResult;
use codex_timefmt::{bytes as human_bytes, human_ms};

/// `auth.lock`.
pub const LOCK: CheckDef = CheckDef {
    id: "auth.lock",
    title: "Locks",
    about: "Stale or fallback lock directories and leftover temp files beside the auth store and caches.",
    run: run_lock,
};

/// `auth.quarantine`.
pub const QUARANTINE: CheckDef = CheckDef {
    id: "auth.quarantine",
    title: "Quarantine",
    about: "Files the plugin moved to quarantine/ because they were corrupt or duplicated.",
    run: run_quarantine,
};

/// proper-lockfile's stale threshold (`codex_paths::LOCK_STALE`), in ms.
pub(crate) const STALE_MS: f64 = codex_paths::LOCK_STALE.as_millis() as f64;

fn run_lock(f: &Facts) -> CheckResult {
    let p = match f.paths() {
        Ok(p) => p,
        Err(e) => return super::no_paths(&e),
    };
    let mut fails = Vec::new();
    let mut warns = Vec::new();
    let mut fixes = Vec::new();
    let mut details = Vec::new();
    // The file proper-lockfile locks (`<store>.lock`, opened for appending before the lock
    // directory beside it is made): a folder in its place fails every write of the store
    // (found from the user's side: this check passed).
    let target = std::path::PathBuf::from(format!("{}.lock", p.auth_store().path.display()));
    if std::fs::symlink_metadata(&target).is_ok_and(|m| m.is_dir()) {
        let empty = std::fs::read_dir(&target).is_ok_and(|mut d| d.next().is_none());
        fails.push(format!(
            "{} is a folder: the plugin opens it as the store's lock file, so every write of the store fails",
            show(&target)
        ));
        fixes.push(format!(
            "If no OpenCode or codex-runtime is running: {} {}",
            if empty { "rmdir" } else { "rm -r" },
            show(&target)
        ));
    }
    for l in f.locks() {
        let age_ms = l
            .info
            .age(f.now)
            .map(|a| a.as_millis() as f64)
            .unwrap_or(0.0);
        let dir = show(&l.info.path);
        if l.fallback_owner {
            fails.push(format!(
                "fallback lock {dir} (holds .owner) blocks every write to {}; it is never reclaimed",
                l.protects
            ));
            fixes.push("Quit every OpenCode instance".to_string());
            fixes.push(format!("rm -r {dir}"));
        } else if age_ms > STALE_MS {
            warns.push(format!(
                "stale lock {dir} on {} (held {}; reclaimed automatically by the next writer)",
                l.protects,
                human_ms(age_ms)
            ));
            if !l.entries.is_empty() {
                warns.push(format!(
                    "{dir} is not empty ({}): proper-lockfile cannot remove it",
                    l.entries.join(", ")
                ));
            }
            // `rmdir` refuses a folder with something in it.
            let remove = if l.entries.is_empty() {
                "rmdir"
            } else {
                "rm -r"
            };
            fixes.push(format!(
                "If no OpenCode or codex-runtime is running: {remove} {dir}"
            ));
        } else {
            details.push(format!(
                "{dir} is held right now ({} old): a write is in progress",
                human_ms(age_ms)
            ));
        }
    }
    let tmp: Vec<String> = f
        .tmp_files()
        .iter()
        .map(|t| {
            format!(
                "{} ({}, {} old)",
                show(&t.path),
                human_bytes(t.size),
                t.age(f.now)
                    .map(|a| human_ms(a.as_millis() as f64))
                    .unwrap_or_else(|| "?".into())
            )
        })
        .collect();
    if !tmp.is_empty() {
        warns.push(format!(
            "{} leftover temp file(s) from interrupted writes",
            tmp.len()
        ));
        details.extend(tmp);
        fixes.push(
            "Check that the real file parses, then delete the listed *.tmp.* files (they are never read)"
                .to_string(),
        );
    }
    super::verdict(
        fails,
        warns,
        || "no stale or fallback locks, no leftover temp files".into(),
        details,
        fixes,
    )
}

fn run_quarantine(f: &Facts) -> CheckResult {
    let p = match f.paths() {
        Ok(p) => p,
        Err(e) => return super::no_paths(&e),
    };
    let entries = f.quarantine();
    if entries.is_empty() {
        return CheckResult::pass("no quarantined files");
    }
    // The name a quarantined copy came from is the file's own name for the plugin's and
    // OpenCode's files; any other file in the folder is named by its path, so the bundle's
    // gate reads it as one (a folder or file named after a person goes; red team, round 5).
    let origin = |original: &str| match original {
        "codex-accounts.json" | "opencode.json" | "codex-config.json" => original.to_string(),
        other => show(&p.config_root.path.join(other)),
    };
    let details: Vec<String> = entries
        .iter()
        .map(|e| {
            let when = e
                .stamp_ms
                .map(|ms| codex_timefmt::rfc3339_secs((ms / 1000) as i64))
                .unwrap_or_else(|| "unknown time".into());
            format!(
                "{} ({}, {when}, from {})",
                show(&e.path),
                human_bytes(e.size),
                origin(&e.original)
            )
        })
        .collect();
    let newest = &entries[0];
    let target = match newest.original.as_str() {
        "codex-accounts.json" => p.auth_store().path,
        "opencode.json" => p.opencode_json().path,
        "codex-config.json" => p.codex_config_json().path,
        other => p.config_root.path.join(other),
    };
    let r = CheckResult::warn(format!(
        "{} quarantined file(s); newest from {}",
        entries.len(),
        origin(&newest.original)
    ))
    .details(details)
    .fix(format!(
        "Inspect the newest copy: less {}",
        show(&newest.path)
    ));
    // Putting a copy back must not overwrite a file that is there and readable now (the
    // user or the plugin wrote a new one since).
    let current_ok = std::fs::read(&target)
        .is_ok_and(|b| serde_json::from_slice::<serde_json::Value>(&b).is_ok());
    let put_back = if current_ok {
        format!(
            "{} exists and is valid JSON now: copy what you need from the quarantined copy into it by hand rather than replacing it",
            show(&target)
        )
    } else {
        format!(
            "If you can repair it, put it back: cp {} {} (quit OpenCode first)",
            show(&newest.path),
            show(&target)
        )
    };
    let r = r.fix(put_back);
    match newest.original.as_str() {
        "codex-accounts.json" => r.fix(
            "Otherwise re-authenticate (`opencode auth login`); the plugin keeps the newest 5 copies per file",
        ),
        "opencode.json" => r.fix(
            "The plugin's installer moved it there because it was not strict JSON (comments or trailing commas): keep such a file as opencode.jsonc, or remove them, before running the installer again",
        ),
        _ => r.fix("The plugin keeps the newest 5 copies per file; delete the others once you have what you need"),
    }
}
