//! `logs/`: the plugin's log directory, newest first, within `--since` and `--max-bytes`.
//!
//! The directory is walked with `walkdir` without following symlinks (a symlinked file is
//! taken only when its target is inside the roots). Files older than `--since`, binary files,
//! unreadable files and files beyond the byte budget are listed with the reason. When a file
//! does not fit in what is left of the budget, its newest whole lines are kept (starting at a
//! line that is not inside a pretty-printed JSON document), behind a marker saying how much
//! was cut; a `.json` document is kept whole or not at all. Entry names are generated
//! (`logs/001.jsonl`); the manifest maps them to pseudonymized originals.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use codex_scrub::Mode;

use crate::ctx::Ctx;
use crate::error::BundleError;
use crate::roots::Access;

/// One log file found by the walk.
#[derive(Debug, Clone)]
pub(crate) struct LogFile {
    /// Path as found (under the log dir).
    pub path: PathBuf,
    /// Where to read it (symlinks resolved).
    pub real: PathBuf,
    /// Size.
    pub size: u64,
    /// Modification time.
    pub modified: SystemTime,
}

/// Walks the log dir (with `walkdir`, symlinks not followed); refused entries are recorded
/// in `ctx`.
pub(crate) fn find_logs(ctx: &mut Ctx<'_>, dir: &Path) -> Vec<LogFile> {
    let mut out = Vec::new();
    if !dir.exists() {
        return out;
    }
    let walk = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .max_depth(MAX_DEPTH)
        .sort_by_file_name();
    for entry in walk {
        let e = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = err
                    .path()
                    .map(Path::to_path_buf)
                    .unwrap_or_else(|| dir.to_path_buf());
                // The error's own text names the full path; only its kind is shown.
                let why = err
                    .io_error()
                    .map_or_else(|| "a symlink loop".to_string(), |e| e.kind().to_string());
                ctx.exclude(&path, format!("unreadable: {why}"), None, None);
                continue;
            }
        };
        let p = e.path();
        let t = e.file_type();
        if t.is_dir() {
            if e.depth() == MAX_DEPTH {
                ctx.exclude(
                    p,
                    format!("folder more than {MAX_DEPTH} levels deep (not entered)"),
                    None,
                    None,
                );
            }
            continue;
        }
        if t.is_symlink() && std::fs::metadata(p).is_ok_and(|m| m.is_dir()) {
            ctx.exclude(p, "symlinked folder (not followed)", None, None);
            continue;
        }
        match ctx.roots.check(p) {
            Access::Missing => {}
            Access::Refused {
                reason,
                bytes,
                modified,
            } => ctx.exclude(p, reason, bytes, modified),
            Access::File { real, meta } => out.push(LogFile {
                path: p.to_path_buf(),
                real,
                size: meta.len(),
                modified: meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            }),
        }
    }
    out
}

/// How deep below the log dir files are looked for.
const MAX_DEPTH: usize = 8;

fn mode_for(path: &Path) -> Mode {
    // A rotated or compressed copy (`….json.1`, `….json.gz`) is the same document (red
    // team, round 8: a rotated request snapshot was read line by line and kept its body).
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if crate::kinds::rotation_base(&name).ends_with(".json") {
        Mode::Document
    } else {
        Mode::Lines
    }
}

/// The files that will be read, newest first, after `--since`; older ones are recorded.
pub(crate) fn select(
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

/// Adds the selected logs within `max_bytes`, as `logs/001.<ext>`, `logs/002.<ext>`, …
/// (newest first). A log that does not fit keeps its newest whole lines; a JSON document
/// (`.json`) is kept whole or left out; a gzip log is decompressed, redacted and kept from
/// its start up to the budget.
pub(crate) fn add_logs(
    ctx: &mut Ctx<'_>,
    files: Vec<LogFile>,
    max_bytes: u64,
) -> Result<(), BundleError> {
    let mut left = max_bytes;
    let mut n = 0;
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
        let mode = mode_for(&f.path);
        let gzip = is_gzip(&f.real);
        if mode == Mode::Document && f.size > left {
            ctx.exclude(
                &f.path,
                "a JSON document larger than what is left of --max-bytes (documents are kept whole or not at all)",
                Some(f.size),
                Some(f.modified),
            );
            continue;
        }
        let original = f
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = crate::names::entry_name("logs", n + 1, &original);
        let skip_to = (!gzip && f.size > left).then(|| {
            let room = left.saturating_sub(200 + crate::ctx::END_MARKER_ROOM);
            f.size - room.min(f.size)
        });
        let cut = skip_to.is_some();
        // A document is never cut at its end: it may pass the budget by what redaction adds.
        let max_out = (mode == Mode::Lines).then_some(left);
        let kind = crate::kinds::kind_of(&f.path);
        if gzip && mode == Mode::Document && kind.is_some_and(|k| !k.is_lines()) {
            ctx.exclude(
                &f.path,
                "a compressed copy of a structured file (read through its schema only uncompressed)",
                Some(f.size),
                Some(f.modified),
            );
            continue;
        }
        let added = match kind {
            // A whole JSON document of a known kind (it fits: documents are never cut).
            Some(k) if !k.is_lines() && mode == Mode::Document => {
                ctx.add_structured(&name, &f.path, &f.real, f.size, k)?
            }
            _ => ctx.add_file(
                &name, &f.path, &f.real, f.size, mode, skip_to, max_out, kind,
            )?,
        };
        match added {
            // A cut file uses up the budget: later (older) files are left out whole.
            Ok(_) if cut => {
                n += 1;
                left = 0;
            }
            Ok(written) => {
                n += 1;
                left = left.saturating_sub(written);
            }
            Err(reason) => ctx.exclude(&f.path, reason, Some(f.size), Some(f.modified)),
        }
    }
    Ok(())
}

fn is_gzip(path: &Path) -> bool {
    let mut head = [0u8; 2];
    std::fs::File::open(path)
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head))
        .is_ok()
        && head == [0x1f, 0x8b]
}
