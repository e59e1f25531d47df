//! Where the plugin's files live, and why.
//!
//! The plugin resolves its config root with two different rules (reference 1.1): the
//! *strict* rule (`lib/paths.ts`) honours `XDG_CONFIG_HOME` only when it is absolute, while the
//! *loose* rule (config file, installer, commands, skills) uses any non-blank value, relative
//! to the working directory. [`Paths::resolve`] computes both, plus every file of the
//! reference's table 1.2, each as a [`Resolved`] that says which variable or rule decided it.

#![warn(unreachable_pub)]

mod read;

pub use read::{open_regular, read_file, read_file_to_string, NOT_A_FILE};

use std::path::{Path, PathBuf};

use codex_env::{env_vars, EnvSnapshot};
use sha2::{Digest, Sha256};

/// A path and the rule that chose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The resolved path.
    pub path: PathBuf,
    /// Human-readable provenance, e.g. `$XDG_CONFIG_HOME/opencode` or `~/.config/opencode (default)`.
    pub rule: String,
}

impl Resolved {
    fn new(path: PathBuf, rule: impl Into<String>) -> Self {
        Resolved {
            path,
            rule: rule.into(),
        }
    }

    fn join(&self, child: &str) -> Resolved {
        Resolved::new(
            self.path.join(child),
            format!("{}/{child}", self.rule_base()),
        )
    }

    fn rule_base(&self) -> &str {
        self.rule.split(", ").next().unwrap_or(&self.rule)
    }
}

/// Every location the plugin and codex-kit use.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The home directory (`$HOME`), if known.
    pub home: Option<PathBuf>,
    /// Working directory used to resolve a relative `XDG_CONFIG_HOME` (loose rule).
    pub cwd: PathBuf,
    /// Config root by the strict rule: auth store, caches, logs, quarantine.
    pub config_root: Resolved,
    /// Config root by the loose rule: `codex-config.json[c]`, `opencode.json`, commands, skills.
    pub config_root_loose: Resolved,
    /// Data root (`$XDG_DATA_HOME` or `~/.local/share`).
    pub data_root: Resolved,
    /// `XDG_CONFIG_HOME` is set and non-blank but not absolute.
    pub relative_xdg_config: bool,
    /// `XDG_DATA_HOME` is set and non-blank but not absolute.
    pub relative_xdg_data: bool,
}

/// Errors that make path resolution impossible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathsError {
    /// Neither `HOME` nor absolute XDG variables are available.
    NoHome,
}

impl std::fmt::Display for PathsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PathsError::NoHome => f.write_str(
                "HOME is not set, so the plugin's config root cannot be resolved; set HOME to your home directory",
            ),
        }
    }
}

impl std::error::Error for PathsError {}

impl Paths {
    /// Resolves every root from an environment snapshot and a working directory.
    pub fn resolve(env: &EnvSnapshot, cwd: &Path) -> Result<Paths, PathsError> {
        let home = env.non_blank(env_vars::HOME).map(PathBuf::from);
        let xdg_config = env.non_blank(env_vars::XDG_CONFIG_HOME);
        let xdg_data = env.non_blank(env_vars::XDG_DATA_HOME);

        let home_or = |suffix: &str| -> Result<Resolved, PathsError> {
            let h = home.clone().ok_or(PathsError::NoHome)?;
            Ok(Resolved::new(h.join(suffix), format!("default ~/{suffix}")))
        };

        let config_root = match xdg_config {
            Some(x) if Path::new(x).is_absolute() => Resolved::new(
                PathBuf::from(x).join("opencode"),
                "$XDG_CONFIG_HOME/opencode",
            ),
            _ => home_or(".config/opencode")?,
        };
        let config_root_loose = match xdg_config {
            Some(x) if Path::new(x).is_absolute() => config_root.clone(),
            Some(x) => Resolved::new(
                cwd.join(x).join("opencode"),
                "$XDG_CONFIG_HOME/opencode, relative to the working directory",
            ),
            None => config_root.clone(),
        };
        let data_root = match xdg_data {
            Some(x) if Path::new(x).is_absolute() => {
                Resolved::new(PathBuf::from(x), "$XDG_DATA_HOME")
            }
            _ => home_or(".local/share")?,
        };
        Ok(Paths {
            relative_xdg_config: xdg_config.is_some_and(|x| !Path::new(x).is_absolute()),
            relative_xdg_data: xdg_data.is_some_and(|x| !Path::new(x).is_absolute()),
            home,
            cwd: cwd.to_path_buf(),
            config_root,
            config_root_loose,
            data_root,
        })
    }

    /// `<root>/opencode.json` as the installer resolves it (loose rule).
    pub fn opencode_json(&self) -> Resolved {
        self.config_root_loose.join("opencode.json")
    }

    /// `<root>/opencode.jsonc` (OpenCode reads it; the installer does not).
    pub fn opencode_jsonc(&self) -> Resolved {
        self.config_root_loose.join("opencode.jsonc")
    }

    /// `$OPENCODE_CONFIG`, when set.
    pub fn opencode_config_env(&self, env: &EnvSnapshot) -> Option<Resolved> {
        env.non_blank(env_vars::OPENCODE_CONFIG)
            .map(|p| Resolved::new(self.cwd.join(p), "$OPENCODE_CONFIG"))
    }

    /// Canonical `codex-config.jsonc` (loose rule).
    pub fn codex_config_jsonc(&self) -> Resolved {
        self.config_root_loose.join("codex-config.jsonc")
    }

    /// Legacy `codex-config.json` (loose rule).
    pub fn codex_config_json(&self) -> Resolved {
        self.config_root_loose.join("codex-config.json")
    }

    /// `$OPENCODE_OPENAI_MULTI_CONFIG_PATH` (trimmed, used verbatim), when set.
    pub fn explicit_config(&self, env: &EnvSnapshot) -> Option<Resolved> {
        env.non_blank(env_vars::OPENCODE_OPENAI_MULTI_CONFIG_PATH)
            .map(|p| Resolved::new(self.cwd.join(p), "$OPENCODE_OPENAI_MULTI_CONFIG_PATH"))
    }

    /// `codex-accounts.json` (strict rule).
    pub fn auth_store(&self) -> Resolved {
        self.config_root.join("codex-accounts.json")
    }

    /// Legacy plugin store `openai-codex-accounts.json` beside the auth store.
    pub fn legacy_store(&self) -> Resolved {
        self.config_root.join("openai-codex-accounts.json")
    }

    /// OpenCode's own `auth.json` locations: `<data root>/opencode/auth.json`, then
    /// `~/.local/share/opencode/auth.json` when different.
    pub fn opencode_auth_files(&self) -> Vec<Resolved> {
        let mut out = vec![self.data_root.join("opencode/auth.json")];
        if let Some(h) = &self.home {
            let fallback = h.join(".local/share/opencode/auth.json");
            if fallback != out[0].path {
                out.push(Resolved::new(
                    fallback,
                    "fallback ~/.local/share/opencode/auth.json",
                ));
            }
        }
        out
    }

    /// `<config root>/cache` (never `XDG_CACHE_HOME`).
    pub fn cache_dir(&self) -> Resolved {
        self.config_root.join("cache")
    }

    /// A file in the cache dir.
    pub fn cache_file(&self, name: &str) -> Resolved {
        self.cache_dir().join(name)
    }

    /// The directory lock over the cache dir (reference 5.2): `<realpath(cache)>.lock`, which is
    /// `<config root>/cache.lock` unless the cache dir or a parent is a symlink
    /// ([`dir_lock_of`]).
    pub fn cache_lock_dir(&self) -> Resolved {
        let cache = self.cache_dir();
        Resolved::new(
            dir_lock_of(&cache.path),
            format!("{}.lock", cache.rule_base()),
        )
    }

    /// `<config root>/logs/codex-plugin`.
    pub fn log_dir(&self) -> Resolved {
        self.config_root.join("logs/codex-plugin")
    }

    /// Quarantine directories the plugin may fill: beside the auth store (strict root) and
    /// beside `opencode.json` / `codex-config.json` (loose root), deduplicated.
    pub fn quarantine_dirs(&self) -> Vec<Resolved> {
        let mut out = vec![self.config_root.join("quarantine")];
        let loose = self.config_root_loose.join("quarantine");
        if loose.path != out[0].path {
            out.push(loose);
        }
        out
    }

    /// `<root>/commands/create-personality.md` (loose rule).
    pub fn personality_command(&self) -> Resolved {
        self.config_root_loose
            .join("commands/create-personality.md")
    }

    /// `<root>/skills/personality-builder/SKILL.md` (loose rule).
    pub fn personality_skill(&self) -> Resolved {
        self.config_root_loose
            .join("skills/personality-builder/SKILL.md")
    }

    /// `<root>/skills/personality-builder/references/personality-patterns.md` (loose rule).
    pub fn personality_skill_reference(&self) -> Resolved {
        self.config_root_loose
            .join("skills/personality-builder/references/personality-patterns.md")
    }

    /// `<root>/.gitignore` (strict rule, next to the auth store).
    pub fn gitignore(&self) -> Resolved {
        self.config_root.join(".gitignore")
    }

    /// `<data root>/opencode/storage/session`.
    pub fn session_dir(&self) -> Resolved {
        self.data_root.join("opencode/storage/session")
    }
}

/// proper-lockfile's stale threshold: a lock directory whose mtime is older than this is
/// stale and may be reclaimed (reference 5.1). The store takes locks with it; the doctor and
/// `fix` judge leftover locks by it.
pub const LOCK_STALE: std::time::Duration = std::time::Duration::from_secs(10);

/// `<file>.lock`: the lock target the plugin points proper-lockfile at (reference 5.1).
pub fn lock_target_for(file: &Path) -> PathBuf {
    lock_name(file)
}

/// The directory proper-lockfile creates to lock `file`: `<realpath(<file>.lock)>.lock`,
/// with the target as given when it cannot be resolved (it does not exist yet).
pub fn lock_dir_of(file: &Path) -> PathBuf {
    dir_lock_of(&lock_target_for(file))
}

/// The directory proper-lockfile creates to lock a directory or an existing target `path`
/// (the plugin's `withLockedDirectory`, reference 5.2): `<realpath(path)>.lock`, with the
/// path as given when it cannot be resolved.
pub fn dir_lock_of(path: &Path) -> PathBuf {
    lock_name(&std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// `<path>.lock`, for a path already resolved. [`lock_target_for`], [`lock_dir_of`] and
/// [`dir_lock_of`] are built on it; the store uses it directly once it has resolved a target
/// itself (taking a lock must fail when the target cannot be resolved). The one place that
/// knows the suffix, for the store (which takes locks) and the doctor (which looks at them).
pub fn lock_name(resolved: &Path) -> PathBuf {
    let mut s = resolved.as_os_str().to_owned();
    s.push(".lock");
    PathBuf::from(s)
}

/// First 16 hex chars of SHA-256 of the trimmed account id (cache shard names, reference 1.3).
pub fn account_hash(account_id: &str) -> String {
    let digest = Sha256::digest(account_id.trim().as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Names of the cache files of one account: `(primary, mirror)`; `shared` for no account id.
pub fn catalog_cache_names(account_id: Option<&str>) -> (String, Option<String>) {
    match account_id.map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => {
            let h = account_hash(id);
            (
                format!("codex-auth-models-{h}.json"),
                Some(format!("codex-models-cache-{h}.json")),
            )
        }
        None => ("codex-auth-models-shared.json".to_string(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_dir_follows_the_target_s_real_path() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let real = tmp.path().join("real");
        std::fs::create_dir(&real).expect("mkdir");
        std::os::unix::fs::symlink(&real, tmp.path().join("link")).expect("symlink");
        let file = tmp.path().join("link/codex-accounts.json");
        // No target yet: the path as given.
        assert_eq!(
            lock_dir_of(&file),
            tmp.path().join("link/codex-accounts.json.lock.lock")
        );
        std::fs::write(lock_target_for(&file), b"").expect("target");
        let resolved = std::fs::canonicalize(&real).expect("canonical");
        assert_eq!(
            lock_dir_of(&file),
            resolved.join("codex-accounts.json.lock.lock")
        );
    }

    #[test]
    fn cache_lock_dir_follows_a_symlinked_config_root() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let real = tmp.path().join("real-config");
        std::fs::create_dir_all(real.join("cache")).expect("mkdir");
        std::fs::create_dir_all(tmp.path().join("home/.config")).expect("mkdir");
        std::os::unix::fs::symlink(&real, tmp.path().join("home/.config/opencode"))
            .expect("symlink");
        let home = tmp.path().join("home");
        let p = Paths::resolve(
            &env(&[("HOME", home.to_str().expect("utf-8"))]),
            Path::new("/"),
        )
        .expect("paths");
        let resolved = std::fs::canonicalize(&real).expect("canonical");
        assert_eq!(p.cache_lock_dir().path, resolved.join("cache.lock"));
        // Without a cache dir the name is the plain one under the root as given.
        std::fs::remove_dir(real.join("cache")).expect("rmdir");
        assert_eq!(
            p.cache_lock_dir().path,
            home.join(".config/opencode/cache.lock")
        );
    }

    fn env(pairs: &[(&str, &str)]) -> EnvSnapshot {
        EnvSnapshot::from_pairs(pairs.iter().copied())
    }

    #[test]
    fn default_roots_come_from_home() {
        let p = Paths::resolve(&env(&[("HOME", "/h")]), Path::new("/cwd")).expect("paths");
        assert_eq!(p.config_root.path, PathBuf::from("/h/.config/opencode"));
        assert_eq!(p.data_root.path, PathBuf::from("/h/.local/share"));
        assert_eq!(
            p.auth_store().path,
            PathBuf::from("/h/.config/opencode/codex-accounts.json")
        );
        assert_eq!(p.opencode_auth_files().len(), 1);
    }

    #[test]
    fn relative_xdg_splits_the_roots() {
        let p = Paths::resolve(
            &env(&[
                ("HOME", "/h"),
                ("XDG_CONFIG_HOME", "rel"),
                ("XDG_DATA_HOME", "d"),
            ]),
            Path::new("/cwd"),
        )
        .expect("paths");
        assert!(p.relative_xdg_config && p.relative_xdg_data);
        assert_eq!(p.config_root.path, PathBuf::from("/h/.config/opencode"));
        assert_eq!(p.config_root_loose.path, PathBuf::from("/cwd/rel/opencode"));
        assert_eq!(
            p.codex_config_jsonc().path,
            PathBuf::from("/cwd/rel/opencode/codex-config.jsonc")
        );
        assert_eq!(p.data_root.path, PathBuf::from("/h/.local/share"));
        assert_eq!(p.quarantine_dirs().len(), 2);
    }

    #[test]
    fn absolute_xdg_is_honoured() {
        let p = Paths::resolve(
            &env(&[
                ("HOME", "/h"),
                ("XDG_CONFIG_HOME", "/x"),
                ("XDG_DATA_HOME", "/d"),
            ]),
            Path::new("/cwd"),
        )
        .expect("paths");
        assert_eq!(p.config_root.path, PathBuf::from("/x/opencode"));
        assert_eq!(p.config_root.rule, "$XDG_CONFIG_HOME/opencode");
        assert_eq!(
            p.session_dir().path,
            PathBuf::from("/d/opencode/storage/session")
        );
        assert_eq!(p.opencode_auth_files().len(), 2);
    }

    #[test]
    fn no_home_is_an_error_only_when_needed() {
        assert_eq!(
            Paths::resolve(&env(&[]), Path::new("/")).err(),
            Some(PathsError::NoHome)
        );
        let p = Paths::resolve(
            &env(&[("XDG_CONFIG_HOME", "/x"), ("XDG_DATA_HOME", "/d")]),
            Path::new("/"),
        );
        assert!(p.is_ok());
    }

    #[test]
    fn shard_names() {
        let (primary, mirror) = catalog_cache_names(Some(" acc_123 "));
        assert!(primary.starts_with("codex-auth-models-") && primary.len() == 18 + 16 + 5);
        assert!(mirror.is_some_and(|m| m.starts_with("codex-models-cache-")));
        assert_eq!(
            catalog_cache_names(Some("")),
            ("codex-auth-models-shared.json".to_string(), None)
        );
    }
}
