//! The config directory's `.gitignore` upkeep (reference 5.6).
//!
//! Whenever `codex-accounts.json` is read or written, `<config root>/.gitignore` gets the
//! managed entries it lacks (compared per trimmed line), appended after a newline when the
//! file does not end with one, or written fresh when the file is missing or empty. Failures
//! are ignored, as in the plugin: this is hygiene, not a precondition.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::Path;

/// The managed lines, in the plugin's order.
pub const MANAGED_ENTRIES: [&str; 8] = [
    ".gitignore",
    "codex-accounts.json",
    "codex-accounts.json.tmp.*",
    "codex-accounts.json.*.tmp",
    "quarantine/",
    "cache/codex-session-affinity.json",
    "cache/codex-snapshots.json",
    "logs/codex-plugin/",
];

/// Adds missing managed entries to `<dir>/.gitignore`. Never fails.
pub fn ensure_config_dir_gitignore(dir: &Path) {
    let path = dir.join(".gitignore");
    let content = match fs::read(&path) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) if e.kind() == ErrorKind::NotFound => String::new(),
        Err(_) => return,
    };
    let existing: Vec<&str> = content
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).trim())
        .filter(|l| !l.is_empty())
        .collect();
    let missing: Vec<&str> = MANAGED_ENTRIES
        .iter()
        .copied()
        .filter(|e| !existing.contains(e))
        .collect();
    if missing.is_empty() {
        return;
    }
    let block = format!("{}\n", missing.join("\n"));
    if content.is_empty() {
        let _ = fs::write(&path, block);
        return;
    }
    let prefix = if content.ends_with('\n') { "" } else { "\n" };
    if let Ok(mut f) = OpenOptions::new().append(true).open(&path) {
        let _ = f.write_all(format!("{prefix}{block}").as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_appends_and_never_duplicates() {
        let tmp = tempfile::tempdir().expect("tempdir");
        ensure_config_dir_gitignore(tmp.path());
        let p = tmp.path().join(".gitignore");
        let first = fs::read_to_string(&p).expect("read");
        assert_eq!(first, format!("{}\n", MANAGED_ENTRIES.join("\n")));
        ensure_config_dir_gitignore(tmp.path());
        assert_eq!(fs::read_to_string(&p).expect("read"), first);

        fs::write(&p, "node_modules\n  quarantine/  \r\ncodex-accounts.json").expect("write");
        ensure_config_dir_gitignore(tmp.path());
        let got = fs::read_to_string(&p).expect("read");
        assert!(
            got.starts_with("node_modules\n  quarantine/  \r\ncodex-accounts.json\n.gitignore\n")
        );
        assert_eq!(got.matches("quarantine/").count(), 1);
        assert_eq!(got.matches("codex-accounts.json\n").count(), 1);
        for e in MANAGED_ENTRIES {
            assert!(got.lines().any(|l| l.trim() == e), "{e}");
        }
    }
}
