//! Moving corrupt files aside instead of deleting them (reference 5.4).
//!
//! A file whose content does not parse (or is not a JSON object) is renamed to
//! `<quarantine dir>/<basename>.<epoch ms>.quarantine.json` (directory 0700, file 0600; copy
//! and unlink across filesystems). Only the newest `keep` (default 5) quarantined copies of
//! one basename are kept, ordered by the numeric timestamp. Unlike the plugin, a name that
//! already exists is never overwritten: the timestamp is bumped until the name is free.

use std::fs;
use std::io::{self, ErrorKind};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Default number of quarantined copies kept per basename.
pub const DEFAULT_KEEP: usize = 5;

/// `<dir of file>/quarantine`.
pub fn default_quarantine_dir(file: &Path) -> PathBuf {
    match file.parent() {
        Some(p) => p.join("quarantine"),
        None => PathBuf::from("quarantine"),
    }
}

/// The timestamp of a quarantine entry of `base`, if `name` is one
/// (`^<base>\.(\d+)\.quarantine\.json$`).
pub fn entry_timestamp<'a>(base: &str, name: &'a str) -> Option<&'a str> {
    let rest = name.strip_prefix(base)?.strip_prefix('.')?;
    let digits = rest.strip_suffix(".quarantine.json")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(digits)
}

/// Numeric order of digit strings of any length.
fn numeric_key(digits: &str) -> (usize, &str) {
    let trimmed = digits.trim_start_matches('0');
    (trimmed.len(), trimmed)
}

/// Moves `source` into `qdir` and prunes old copies; returns the new path.
pub fn quarantine_file(
    source: &Path,
    qdir: &Path,
    now_ms: u64,
    keep: usize,
) -> io::Result<PathBuf> {
    let keep = keep.max(1);
    fs::create_dir_all(qdir)?;
    match fs::set_permissions(qdir, fs::Permissions::from_mode(0o700)) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::PermissionDenied => {}
        Err(e) => return Err(e),
    }
    let base = source
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".to_string());

    let mut ts = now_ms;
    let dest = loop {
        let candidate = qdir.join(format!("{base}.{ts}.quarantine.json"));
        if fs::symlink_metadata(&candidate).is_err() {
            break candidate;
        }
        ts += 1;
    };

    match fs::rename(source, &dest) {
        Ok(()) => {}
        Err(e) if e.raw_os_error() == Some(libc::EXDEV) => {
            fs::copy(source, &dest)?;
            fs::File::open(&dest)?.sync_all()?;
            fs::remove_file(source)?;
        }
        Err(e) => return Err(e),
    }
    let _ = fs::set_permissions(&dest, fs::Permissions::from_mode(0o600));
    prune(qdir, &base, keep);
    Ok(dest)
}

fn prune(qdir: &Path, base: &str, keep: usize) {
    let Ok(entries) = fs::read_dir(qdir) else {
        return;
    };
    let mut files: Vec<(String, String)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter_map(|name| entry_timestamp(base, &name).map(|ts| (ts.to_string(), name.clone())))
        .collect();
    files.sort_by(|(a, an), (b, bn)| numeric_key(a).cmp(&numeric_key(b)).then(an.cmp(bn)));
    let excess = files.len().saturating_sub(keep);
    for (_, name) in files.into_iter().take(excess) {
        let _ = fs::remove_file(qdir.join(name));
    }
}

/// Quarantined copies of `base` in `qdir`, oldest first.
pub fn list(qdir: &Path, base: &str) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(qdir) else {
        return Vec::new();
    };
    let mut files: Vec<(String, String)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().into_string().ok())
        .filter_map(|name| entry_timestamp(base, &name).map(|ts| (ts.to_string(), name.clone())))
        .collect();
    files.sort_by(|(a, an), (b, bn)| numeric_key(a).cmp(&numeric_key(b)).then(an.cmp(bn)));
    files.into_iter().map(|(_, n)| qdir.join(n)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_names() {
        assert_eq!(
            entry_timestamp("auth.json", "auth.json.123.quarantine.json"),
            Some("123")
        );
        assert_eq!(
            entry_timestamp("auth.json", "auth.json..quarantine.json"),
            None
        );
        assert_eq!(
            entry_timestamp("auth.json", "authxjson.1.quarantine.json"),
            None
        );
        assert_eq!(
            entry_timestamp("auth.json", "auth.json.1a.quarantine.json"),
            None
        );
    }

    #[test]
    fn numeric_not_lexicographic() {
        assert!(numeric_key("9") < numeric_key("10"));
        assert!(numeric_key("0010") > numeric_key("9"));
    }
}
