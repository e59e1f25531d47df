//! Which files may enter a bundle: only regular files inside OpenCode's and the plugin's own
//! folders (the config root by both rules, and `<data root>/opencode`, never all of the data
//! root).
//!
//! A path is resolved without trusting symlinks: a symlink whose target lies outside the
//! roots (or does not exist) is not followed; a path whose real location is outside the roots
//! (an explicit config path elsewhere, a symlinked parent) is left out; a file with more than
//! one hard link (its other name may be anywhere) is left out; a file that is the account
//! store, the legacy store or OpenCode's `auth.json` under any name (same device and inode) is
//! never read. Every refusal comes with the reason the manifest and the terminal show.

use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use codex_paths::Paths;

/// The allowed roots.
#[derive(Debug, Clone)]
pub(crate) struct Roots {
    /// `(label, lexical path, real path)`: `config` (strict and loose rule) and `data`.
    roots: Vec<(&'static str, PathBuf, PathBuf)>,
    /// `(device, inode)` of the auth stores and `auth.json` files that exist.
    stores: Vec<(u64, u64)>,
}

/// The outcome of checking one path.
#[derive(Debug)]
pub(crate) enum Access {
    /// The path does not exist.
    Missing,
    /// A regular file inside the roots; read it at `real`.
    File {
        /// Where to read it.
        real: PathBuf,
        /// Its metadata.
        meta: Metadata,
    },
    /// Not to be read.
    Refused {
        /// Why.
        reason: String,
        /// Its size, when known.
        bytes: Option<u64>,
        /// Its modification time, when known.
        modified: Option<SystemTime>,
    },
}

fn refused(reason: impl Into<String>, meta: Option<&Metadata>) -> Access {
    Access::Refused {
        reason: reason.into(),
        bytes: meta.map(Metadata::len),
        modified: meta.and_then(|m| m.modified().ok()),
    }
}

impl Roots {
    /// The roots of `paths`.
    pub(crate) fn new(paths: &Paths) -> Roots {
        let mut roots = Vec::new();
        let opencode_data = paths.data_root.path.join("opencode");
        for (label, p) in [
            ("config", &paths.config_root.path),
            ("config", &paths.config_root_loose.path),
            ("data", &opencode_data),
        ] {
            let real = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
            roots.push((label, p.clone(), real));
        }
        let mut store_files = vec![paths.auth_store().path, paths.legacy_store().path];
        store_files.extend(paths.opencode_auth_files().into_iter().map(|r| r.path));
        let stores = store_files
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| (m.dev(), m.ino()))
            .collect();
        Roots { roots, stores }
    }

    /// Whether `meta` is one of the auth stores (under any name).
    fn is_store(&self, meta: &Metadata) -> bool {
        self.stores.contains(&(meta.dev(), meta.ino()))
    }

    /// The checks every regular file passes, whatever its name: not a store, one link.
    fn file_ok(&self, real: PathBuf, meta: Metadata) -> Access {
        if self.is_store(&meta) {
            return refused(
                "the account store or OpenCode's auth.json under another name (never included)",
                Some(&meta),
            );
        }
        if meta.nlink() > 1 {
            return refused(
                "has more than one hard link (its other names may be outside the roots)",
                Some(&meta),
            );
        }
        Access::File { real, meta }
    }

    fn inside_real(&self, real: &Path) -> bool {
        self.roots.iter().any(|(_, _, r)| real.starts_with(r))
    }

    /// `(root label, path relative to it)` for display, `("outside", full path)` otherwise.
    pub(crate) fn relative(&self, path: &Path) -> (&'static str, String) {
        for (label, lexical, real) in &self.roots {
            for base in [lexical, real] {
                if let Ok(rel) = path.strip_prefix(base) {
                    return (label, rel.display().to_string());
                }
            }
        }
        ("outside", path.display().to_string())
    }

    /// Decides whether `path` may be read.
    pub(crate) fn check(&self, path: &Path) -> Access {
        let lmeta = match std::fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Access::Missing,
            Err(e) => return refused(format!("unreadable: {e}"), None),
        };
        if lmeta.file_type().is_symlink() {
            let Ok(real) = std::fs::canonicalize(path) else {
                return refused("dangling symlink (not followed)", Some(&lmeta));
            };
            if !self.inside_real(&real) {
                return refused(
                    "symlink pointing outside the config and data roots (not followed)",
                    Some(&lmeta),
                );
            }
            return match std::fs::metadata(&real) {
                Ok(m) if m.is_file() => self.file_ok(real, m),
                Ok(m) => refused("symlink to something other than a file", Some(&m)),
                Err(e) => refused(format!("unreadable: {e}"), Some(&lmeta)),
            };
        }
        if !lmeta.is_file() {
            return refused("not a regular file", Some(&lmeta));
        }
        match std::fs::canonicalize(path) {
            Ok(real) if self.inside_real(&real) => self.file_ok(real, lmeta),
            Ok(_) => refused("outside the config and data roots", Some(&lmeta)),
            Err(e) => refused(format!("unreadable: {e}"), Some(&lmeta)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codex_env::EnvSnapshot;

    #[test]
    fn symlinks_out_of_the_roots_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let home = dir.path().join("home");
        let root = home.join(".config/opencode");
        std::fs::create_dir_all(&root).expect("mkdir");
        let outside = dir.path().join("secret.txt");
        std::fs::write(&outside, "x").expect("write");
        std::fs::write(root.join("in.txt"), "y").expect("write");
        std::os::unix::fs::symlink(&outside, root.join("out-link")).expect("symlink");
        std::os::unix::fs::symlink(root.join("in.txt"), root.join("in-link")).expect("symlink");
        let env = EnvSnapshot::from_pairs([("HOME", home.display().to_string())]);
        let paths = Paths::resolve(&env, dir.path()).expect("paths");
        let roots = Roots::new(&paths);
        assert!(matches!(
            roots.check(&root.join("in.txt")),
            Access::File { .. }
        ));
        assert!(matches!(
            roots.check(&root.join("in-link")),
            Access::File { .. }
        ));
        assert!(matches!(roots.check(&root.join("nope")), Access::Missing));
        match roots.check(&root.join("out-link")) {
            Access::Refused { reason, .. } => assert!(reason.contains("not followed"), "{reason}"),
            other => panic!("{other:?}"),
        }
        match roots.check(&outside) {
            Access::Refused { reason, .. } => assert!(reason.contains("outside"), "{reason}"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            roots.relative(&root.join("logs/x")),
            ("config", "logs/x".to_string())
        );
        // A hard link to a file outside, and the data root outside `opencode/`.
        std::fs::hard_link(&outside, root.join("hard.txt")).expect("link");
        match roots.check(&root.join("hard.txt")) {
            Access::Refused { reason, .. } => assert!(reason.contains("hard link"), "{reason}"),
            other => panic!("{other:?}"),
        }
        let share = home.join(".local/share/other-app");
        std::fs::create_dir_all(&share).expect("mkdir");
        std::fs::write(share.join("notes.txt"), "z").expect("write");
        assert!(matches!(
            roots.check(&share.join("notes.txt")),
            Access::Refused { .. }
        ));
    }

    #[test]
    fn the_store_under_another_name_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let home = dir.path().join("home");
        let root = home.join(".config/opencode");
        std::fs::create_dir_all(root.join("logs")).expect("mkdir");
        std::fs::write(root.join("codex-accounts.json"), "{}").expect("write");
        std::os::unix::fs::symlink(root.join("codex-accounts.json"), root.join("logs/a.log"))
            .expect("symlink");
        let env = EnvSnapshot::from_pairs([("HOME", home.display().to_string())]);
        let paths = Paths::resolve(&env, dir.path()).expect("paths");
        let roots = Roots::new(&paths);
        match roots.check(&root.join("logs/a.log")) {
            Access::Refused { reason, .. } => assert!(reason.contains("never"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }
}
