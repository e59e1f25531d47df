//! `env.paths`: are the plugin's roots where the user thinks they are?
//!
//! The plugin resolves its config root with two rules (reference 1.1): a relative
//! `XDG_CONFIG_HOME` is ignored by the auth store, caches and logs but used (relative to the
//! working directory) by the config file, installer, commands and skills, which splits the
//! user's files between two roots. A relative `XDG_DATA_HOME` is ignored. HOME must exist.

use codex_env::env_vars;

use super::{show, CheckDef};
use crate::facts::Facts;
use crate::report::CheckResult;

/// `env.paths`.
pub const PATHS: CheckDef = CheckDef {
    id: "env.paths",
    title: "Paths",
    about:
        "Where the plugin's config and data roots resolve, and whether XDG variables split them.",
    run,
};

fn run(f: &Facts) -> CheckResult {
    let p = match f.paths() {
        Ok(p) => p,
        Err(e) => {
            return CheckResult::fail(e)
                .fix("export HOME=/path/to/your/home (OpenCode and the plugin need it)");
        }
    };
    let mut warnings = Vec::new();
    let mut r = CheckResult::pass(format!(
        "config root {} ({})",
        show(&p.config_root.path),
        p.config_root.rule
    ));
    if p.relative_xdg_config {
        let val = f.env.get(env_vars::XDG_CONFIG_HOME).unwrap_or_default();
        warnings.push(format!(
            "XDG_CONFIG_HOME={val:?} is not absolute: the plugin splits its files between two roots"
        ));
        r = r
            .detail(format!(
                "{}: codex-accounts.json, cache/, logs/, quarantine/ (relative XDG_CONFIG_HOME ignored)",
                show(&p.config_root.path)
            ))
            .detail(format!(
                "{}: codex-config.jsonc, opencode.json (installer), commands/, skills/ (relative to the working directory {})",
                show(&p.config_root_loose.path),
                show(&p.cwd)
            ))
            .fix(format!(
                "export XDG_CONFIG_HOME={} (an absolute path), or unset it",
                shell_path(&p.cwd.join(val.trim()), p.home.as_deref())
            ));
    }
    if p.relative_xdg_data {
        let val = f.env.get(env_vars::XDG_DATA_HOME).unwrap_or_default();
        warnings.push(format!(
            "XDG_DATA_HOME={val:?} is not absolute: the plugin ignores it and uses {}",
            show(&p.data_root.path)
        ));
        r = r.fix(format!(
            "export XDG_DATA_HOME={} (an absolute path), or unset it",
            shell_path(&p.cwd.join(val.trim()), p.home.as_deref())
        ));
    }
    match &p.home {
        None => warnings.push("HOME is not set".to_string()),
        // Every path then depends on the directory OpenCode happens to start in.
        Some(h) if h.is_relative() => {
            warnings.push(format!(
                "HOME={} is not absolute: OpenCode and the plugin resolve it from whatever directory they start in",
                h.display()
            ));
            r = r.fix("export HOME=/absolute/path/to/your/home");
        }
        Some(h) if !h.is_dir() => {
            warnings.push(format!("HOME={} does not exist", show(h)));
            r = r.fix(format!(
                "mkdir -p {} or set HOME to your real home directory",
                show(h)
            ));
        }
        Some(_) => {}
    }
    r = r.detail(format!(
        "data root {} ({})",
        show(&p.data_root.path),
        p.data_root.rule
    ));
    // A root under a file (`XDG_CONFIG_HOME=/etc/passwd`): neither OpenCode nor the plugin
    // can read or write anything there.
    let mut blocked = Vec::new();
    for (name, root, var) in [
        ("config", &p.config_root, "XDG_CONFIG_HOME"),
        ("data", &p.data_root, "XDG_DATA_HOME"),
    ] {
        if let Some(file) = file_on_path(&root.path) {
            blocked.push(format!(
                "the {name} root {} cannot exist: {} is a file, not a folder",
                show(&root.path),
                show(&file)
            ));
            r = r.fix(format!(
                "Point {var} at a folder (or unset it), or move the file {} away",
                show(&file)
            ));
        }
    }
    if !blocked.is_empty() {
        let mut fail = CheckResult::fail(blocked.join("; ")).detail(format!(
            "config root {} ({})",
            show(&p.config_root.path),
            p.config_root.rule
        ));
        fail.details.extend(r.details);
        fail.fix = r.fix;
        return fail;
    }
    if warnings.is_empty() {
        r
    } else {
        let mut w = CheckResult::warn(warnings.join("; "));
        w.details = r.details;
        w.fix = r.fix;
        w.detail(format!(
            "config root {} ({})",
            show(&p.config_root.path),
            p.config_root.rule
        ))
    }
}

/// The first file among `path` and the folders above it, when `path` is not a folder: what
/// stands where a folder must be.
fn file_on_path(path: &std::path::Path) -> Option<std::path::PathBuf> {
    if path.is_dir() {
        return None;
    }
    path.ancestors()
        .find(|a| a.exists() && !a.is_dir())
        .map(std::path::Path::to_path_buf)
}

/// `path` as a shell word that means it in any POSIX shell: under the home folder as
/// `"$HOME/…"` (a `~` inside double quotes is not expanded, and the report shows the home
/// folder as `~`), else in double quotes.
fn shell_path(path: &std::path::Path, home: Option<&std::path::Path>) -> String {
    match home.and_then(|h| path.strip_prefix(h).ok()) {
        Some(rest) if rest.as_os_str().is_empty() => "\"$HOME\"".to_string(),
        Some(rest) => format!("\"$HOME/{}\"", rest.display()),
        None => format!("\"{}\"", path.display()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Found from the user's side: the report shows the home folder as `~`, and a `~` inside
    /// double quotes is not expanded by any shell.
    #[test]
    fn shell_paths_under_home_use_dollar_home() {
        let home = Path::new("/home/u");
        assert_eq!(
            shell_path(Path::new("/home/u/work/rel"), Some(home)),
            "\"$HOME/work/rel\""
        );
        assert_eq!(shell_path(Path::new("/home/u"), Some(home)), "\"$HOME\"");
        assert_eq!(shell_path(Path::new("/srv/x"), Some(home)), "\"/srv/x\"");
        assert_eq!(
            shell_path(Path::new("/home/u2/x"), Some(home)),
            "\"/home/u2/x\""
        );
    }
}
