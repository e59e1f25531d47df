//! Which files may enter a bundle: only regular files inside the config and data roots.
//!
//! A path is resolved without trusting symlinks: a symlink whose target lies outside the
//! roots (or does not exist) is not followed; a path whose real location is outside the roots
//! (an explicit config path elsewhere, a symlinked parent) is left out. Every refusal comes
//! with the reason the manifest shows.

use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use codex_paths::Paths;

/// The allowed roots.
#[derive(Debug, Clone)]
pub struct Roots {
    /// `(label, lexical path, real path)`: `config` (strict and loose rule) and `data`.
    roots: Vec<(&'static str, PathBuf, PathBuf)>,
}

/// The outcome of checking one path.
#[derive(Debug)]
pub enum Access {
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
    pub fn new(paths: &Paths) -> Roots {
        let mut roots = Vec::new();
        for (label, p) in [
            ("config", &paths.config_root.path),
            ("config", &paths.config_root_loose.path),
            ("data", &paths.data_root.path),
        ] {
            let real = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
            roots.push((label, p.clone(), real));
        }
        Roots { roots }
    }

    fn inside_real(&self, real: &Path) -> bool {
        self.roots.iter().any(|(_, _, r)| real.starts_with(r))
    }

    /// `(root label, path relative to it)` for display, `("outside", full path)` otherwise.
    pub fn relative(&self, path: &Path) -> (&'static str, String) {
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
    pub fn check(&self, path: &Path) -> Access {
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
                Ok(m) if m.is_file() => Access::File { real, meta: m },
                Ok(m) => refused("symlink to something other than a file", Some(&m)),
                Err(e) => refused(format!("unreadable: {e}"), Some(&lmeta)),
            };
        }
        if !lmeta.is_file() {
            return refused("not a regular file", Some(&lmeta));
        }
        match std::fs::canonicalize(path) {
            Ok(real) if self.inside_real(&real) => Access::File { real, meta: lmeta },
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
    }
}
