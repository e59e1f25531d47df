//! `logs/`: the plugin's log directory, newest first, within `--since` and `--max-bytes`.
//!
//! The directory is walked without following symlinks (a symlinked file is taken only when
//! its target is inside the roots). Files older than `--since`, binary files, unreadable
//! files and files beyond the byte budget are listed in the manifest with the reason. When
//! a file does not fit in what is left of the budget, its newest part (its end) is kept,
//! starting at a line boundary, behind a marker saying how much was cut. Nothing is read
//! beyond what is kept, so a 2 GB log costs what the budget allows.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use codex_scrub::Mode;

use crate::ctx::Ctx;
use crate::error::BundleError;
use crate::roots::Access;

/// One log file found by the walk.
#[derive(Debug, Clone)]
pub struct LogFile {
    /// Path as found (under the log dir).
    pub path: PathBuf,
    /// Where to read it (symlinks resolved).
    pub real: PathBuf,
    /// Size.
    pub size: u64,
    /// Modification time.
    pub modified: SystemTime,
}

/// Walks the log dir; refused entries are recorded in `ctx`.
pub fn find_logs(ctx: &mut Ctx<'_>, dir: &Path) -> Vec<LogFile> {
    let mut out = Vec::new();
    walk(ctx, dir, 0, &mut out);
    out
}

fn walk(ctx: &mut Ctx<'_>, dir: &Path, depth: usize, out: &mut Vec<LogFile>) {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
        Err(e) => {
            ctx.exclude(dir, format!("unreadable folder: {e}"), None, None);
            return;
        }
    };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let Ok(t) = e.file_type() else { continue };
        if t.is_dir() {
            if depth < 8 {
                walk(ctx, &p, depth + 1, out);
            } else {
                ctx.exclude(&p, "folder nested too deep", None, None);
            }
            continue;
        }
        if t.is_symlink() && std::fs::metadata(&p).is_ok_and(|m| m.is_dir()) {
            ctx.exclude(&p, "symlinked folder (not followed)", None, None);
            continue;
        }
        match ctx.roots.check(&p) {
            Access::Missing => {}
            Access::Refused {
                reason,
                bytes,
                modified,
            } => ctx.exclude(&p, reason, bytes, modified),
            Access::File { real, meta } => out.push(LogFile {
                path: p,
                real,
                size: meta.len(),
                modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            }),
        }
    }
}

fn mode_for(path: &Path) -> Mode {
    match path.extension().and_then(|e| e.to_str()) {
        Some("json") => Mode::Document,
        _ => Mode::Lines,
    }
}

/// The files that will be read, newest first, after `--since`; older ones are recorded.
pub fn select(
    ctx: &mut Ctx<'_>,
    mut files: Vec<LogFile>,
    now: SystemTime,
    since: Option<Duration>,
) -> Vec<LogFile> {
    files.sort_by(|a, b| b.modified.cmp(&a.modified).then(a.path.cmp(&b.path)));
    let cutoff = since.and_then(|s| now.checked_sub(s));
    let mut keep = Vec::new();
    for f in files {
        match cutoff {
            Some(c) if f.modified < c => {
                ctx.exclude(
                    &f.path,
                    "older than --since",
                    Some(f.size),
                    Some(f.modified),
                );
            }
            _ => keep.push(f),
        }
    }
    keep
}

/// Adds the selected logs within `max_bytes`.
pub fn add_logs(
    ctx: &mut Ctx<'_>,
    log_dir: &Path,
    files: Vec<LogFile>,
    max_bytes: u64,
) -> Result<(), BundleError> {
    let mut left = max_bytes;
    for f in files {
        if left == 0 {
            ctx.exclude(
                &f.path,
                "over the --max-bytes budget",
                Some(f.size),
                Some(f.modified),
            );
            continue;
        }
        let rel = f
            .path
            .strip_prefix(log_dir)
            .map(|r| r.display().to_string())
            .unwrap_or_else(|_| f.path.display().to_string());
        let name = format!("logs/{rel}");
        let skip_to = (f.size > left).then(|| {
            let room = left.saturating_sub(200 + crate::ctx::END_MARKER_ROOM);
            let offset = f.size - room.min(f.size);
            (
                offset,
                format!(
                    "[codex-doctor bundle: the oldest part of this file (about {offset} bytes) was left out (--max-bytes); newest lines follow]\n"
                ),
            )
        });
        let cut = skip_to.is_some();
        match ctx.add_file(
            &name,
            &f.path,
            &f.real,
            f.size,
            mode_for(&f.path),
            skip_to,
            Some(left),
        )? {
            // A cut file uses up the budget: later (older) files are left out whole.
            Ok(_) if cut => left = 0,
            Ok(written) => left = left.saturating_sub(written),
            Err(reason) => ctx.exclude(&f.path, reason, Some(f.size), Some(f.modified)),
        }
    }
    Ok(())
}
