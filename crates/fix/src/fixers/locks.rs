//! `auth.lock`: stale lock directories and leftover temp files (reference 5.1, 5.3).
//!
//! A lock directory is removed only when proper-lockfile itself would reclaim it: empty,
//! mtime older than 10 s, no `.owner` (the plugin's fallback locker, never reclaimed
//! automatically, is reported instead). The store's own lock is reclaimed by taking the lock,
//! as the next writer would. A temp file `<file>.tmp.<base36 ms>.<uuid>` is removed only when
//! both its name's timestamp and its mtime are over a minute old and no lock on its file is
//! held (a stale one does not count); temp files beside the store go under the store's lock, so no writer can be between
//! writing and renaming one. Anything else stays, with the reason.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use codex_paths::LOCK_STALE;

use super::{push, Context, Found};
use crate::plan::{Action, Fix};

const CHECK: &str = "auth.lock";

/// How old a temp file must be (by name and by mtime) to count as abandoned.
pub(crate) const TEMP_STALE: Duration = Duration::from_secs(60);

fn age(now: SystemTime, m: &std::fs::Metadata) -> Option<Duration> {
    m.modified().ok().and_then(|t| now.duration_since(t).ok())
}

fn lock_dirs(ctx: &Context<'_>) -> Vec<(PathBuf, bool)> {
    let p = ctx.paths;
    let store = p.auth_store().path;
    let mut out = vec![(codex_paths::lock_dir_of(&store), true)];
    for f in ["codex-snapshots.json", "codex-session-affinity.json"] {
        out.push((codex_paths::lock_dir_of(&p.cache_file(f).path), false));
    }
    out.push((p.cache_lock_dir().path, false));
    out
}

fn stale_locks(ctx: &Context<'_>, found: &mut Found) {
    for (dir, is_store) in lock_dirs(ctx) {
        let Ok(meta) = std::fs::symlink_metadata(&dir) else {
            continue;
        };
        if !meta.is_dir() {
            continue;
        }
        let show = dir.display();
        let entries: Vec<String> = std::fs::read_dir(&dir)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        if entries
            .iter()
            .any(|e| e == codex_store::lock::FALLBACK_OWNER_FILE)
        {
            found.unfixable(CHECK, format!("{show} is the plugin's fallback lock (it holds .owner): quit every OpenCode instance, then remove it by hand"));
            continue;
        }
        if !entries.is_empty() {
            found.unfixable(
                CHECK,
                format!(
                    "{show} is not empty ({}); it is left for you to inspect",
                    entries.join(", ")
                ),
            );
            continue;
        }
        match age(ctx.now, &meta) {
            Some(a) if a > LOCK_STALE => {}
            _ => continue,
        }
        push(
            found,
            Fix {
                check_id: CHECK,
                code: "lock.stale",
                summary: format!("remove the stale lock {show} (empty, untouched for over 10 s)"),
                actions: vec![Action::Remove {
                    path: dir,
                    dir: true,
                }],
                touches_store: is_store,
            },
        );
    }
}

/// Whether a lock directory may belong to a live writer: present and either fresh or not
/// empty (a fallback lock holds `.owner`).
fn lock_held(now: SystemTime, dir: &Path) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(dir) else {
        return false;
    };
    let empty = std::fs::read_dir(dir).is_ok_and(|mut rd| rd.next().is_none());
    !empty || age(now, &meta).is_none_or(|a| a <= LOCK_STALE)
}

/// `(target file, timestamp ms)` of a temp file named `<file>.tmp.<base36 ms>.<uuid>`.
fn parse_temp_name(path: &Path) -> Option<(PathBuf, u64)> {
    let name = path.file_name()?.to_str()?;
    let (rest, uuid) = name.rsplit_once('.')?;
    uuid::Uuid::parse_str(uuid).ok()?;
    let (rest, stamp) = rest.rsplit_once('.')?;
    let target = rest.strip_suffix(".tmp")?;
    let ms = u64::from_str_radix(stamp, 36).ok()?;
    Some((path.with_file_name(target), ms))
}

fn temp_files(ctx: &Context<'_>, found: &mut Found) {
    let p = ctx.paths;
    let store = p.auth_store().path;
    let now_ms = ctx
        .now
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    for d in [p.config_root.path.clone(), p.cache_dir().path] {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut names: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
        names.sort();
        for path in names {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if !(name.contains(".json.tmp.") || name.ends_with(".json.tmp")) {
                continue;
            }
            let show = path.display();
            let Some((target, stamp)) = parse_temp_name(&path) else {
                found.unfixable(
                    CHECK,
                    format!("{show} is not named as the plugin names its temp files; left alone"),
                );
                continue;
            };
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            let old_name = now_ms.saturating_sub(stamp) > TEMP_STALE.as_millis() as u64;
            let old_mtime = age(ctx.now, &meta).is_some_and(|a| a > TEMP_STALE);
            let locked = lock_held(ctx.now, &codex_paths::lock_dir_of(&target));
            if !meta.is_file() || !old_name || !old_mtime || locked {
                found.unfixable(CHECK, format!("{show} may belong to a write in progress (newer than a minute, or its file is locked); left alone"));
                continue;
            }
            push(
                found,
                Fix {
                    check_id: CHECK,
                    code: "lock.temp-file",
                    summary: format!(
                        "remove the abandoned temp file {show} (never read by the plugin)"
                    ),
                    actions: vec![Action::Remove {
                        path: path.clone(),
                        dir: false,
                    }],
                    touches_store: target == store,
                },
            );
        }
    }
}

pub(super) fn fixes(ctx: &Context<'_>, found: &mut Found) {
    stale_locks(ctx, found);
    temp_files(ctx, found);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temp_names_follow_the_plugin() {
        let p =
            Path::new("/c/codex-accounts.json.tmp.m3x9k2a1.0d3c1f4e-8a2b-4c6d-9e0f-123456789abc");
        let (t, ms) = parse_temp_name(p).unwrap();
        assert_eq!(t, Path::new("/c/codex-accounts.json"));
        assert_eq!(ms, u64::from_str_radix("m3x9k2a1", 36).unwrap());
        assert!(parse_temp_name(Path::new("/c/codex-accounts.json.tmp")).is_none());
        assert!(parse_temp_name(Path::new("/c/a.json.tmp.zz.not-a-uuid")).is_none());
    }
}
