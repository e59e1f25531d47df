//! `codex-doctor paths`: every resolved path, the rule that decided it, and whether it exists.

use serde::Serialize;

use codex_config::opencode::LayerState;

use crate::facts::Facts;

/// One resolved path.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PathRow {
    /// What it is.
    pub name: String,
    /// The path.
    pub path: String,
    /// The env var or rule that decided it.
    pub rule: String,
    /// Whether it exists.
    pub exists: bool,
}

/// Every path the plugin uses, in a stable order.
pub fn rows(facts: &Facts) -> Result<Vec<PathRow>, String> {
    let p = facts.paths()?;
    let mut out: Vec<PathRow> = Vec::new();
    fn row(name: &str, r: codex_paths::Resolved) -> PathRow {
        PathRow {
            name: name.to_string(),
            exists: r.path.exists(),
            path: r.path.display().to_string(),
            rule: r.rule,
        }
    }
    out.push(row("config root", p.config_root.clone()));
    if p.config_root_loose.path != p.config_root.path {
        out.push(row("config root (loose rule)", p.config_root_loose.clone()));
    }
    out.push(row("data root", p.data_root.clone()));
    if let Some(oc) = facts.opencode_config() {
        out.push(PathRow {
            name: "OpenCode project dir".into(),
            exists: oc.dir.exists(),
            path: oc.dir.display().to_string(),
            rule: match &oc.worktree {
                Some(w) => format!(
                    "--dir or the working directory; project files are looked for up to the git worktree root {}",
                    w.display()
                ),
                None => "--dir or the working directory; not in a git worktree, so project files are looked for up to /".into(),
            },
        });
        for (i, layer) in oc.layers.iter().enumerate() {
            let rule = format!(
                "OpenCode config layer {} of {} ({}; later layers override earlier ones)",
                i + 1,
                oc.layers.len(),
                layer.kind.as_str()
            );
            match &layer.path {
                Some(path) => out.push(PathRow {
                    name: format!("OpenCode config: {}", layer.kind.as_str()),
                    exists: layer.state != LayerState::Missing,
                    path: path.display().to_string(),
                    rule,
                }),
                None => out.push(PathRow {
                    name: format!("OpenCode config: {}", layer.kind.as_str()),
                    exists: true,
                    path: "(inline JSON in the environment)".into(),
                    rule,
                }),
            }
        }
    }
    if let Some(load) = facts.config() {
        match load.effective_candidate() {
            Some(c) => out.push(row("effective codex-config", c.file.clone())),
            None => out.push(PathRow {
                name: "effective codex-config".into(),
                path: "(none: defaults and env only)".into(),
                rule: match &load.explicit {
                    Some(e) => format!("{} names a missing file", e.rule),
                    None => "no codex-config.jsonc or codex-config.json".into(),
                },
                exists: false,
            }),
        }
    }
    if let Some(e) = p.explicit_config(&facts.env) {
        out.push(row("explicit codex-config", e));
    }
    out.push(row("codex-config.jsonc", p.codex_config_jsonc()));
    out.push(row("codex-config.json (legacy)", p.codex_config_json()));
    let store = p.auth_store();
    let lock = codex_paths::lock_dir_of(&store.path);
    out.push(row("auth store", store));
    out.push(PathRow {
        name: "auth store lock dir".into(),
        exists: lock.exists(),
        path: lock.display().to_string(),
        rule: "<realpath(codex-accounts.json.lock)>.lock (proper-lockfile)".into(),
    });
    out.push(row("legacy store", p.legacy_store()));
    for (i, f) in p.opencode_auth_files().into_iter().enumerate() {
        let name = if i == 0 {
            "OpenCode auth.json"
        } else {
            "OpenCode auth.json (fallback)"
        };
        out.push(row(name, f));
    }
    out.push(row("cache dir", p.cache_dir()));
    for name in [
        "codex-client-version.json",
        "codex-models-cache.json",
        "codex-models-cache-meta.json",
        "codex-snapshots.json",
        "codex-session-affinity.json",
    ] {
        out.push(row(&format!("cache: {name}"), p.cache_file(name)));
    }
    out.push(row("cache lock dir", p.cache_lock_dir()));
    out.push(row("log dir", p.log_dir()));
    for q in p.quarantine_dirs() {
        out.push(row("quarantine dir", q));
    }
    out.push(row("/create-personality command", p.personality_command()));
    out.push(row("personality-builder skill", p.personality_skill()));
    out.push(row(".gitignore", p.gitignore()));
    out.push(row("OpenCode session dir", p.session_dir()));
    if let Some(f) = crate::facts::doctor_version_cache(&facts.env) {
        out.push(PathRow {
            name: "doctor cache: opencode-version.json".into(),
            exists: f.exists(),
            path: f.display().to_string(),
            rule: "$XDG_CACHE_HOME/codex-doctor when absolute, else ~/.cache/codex-doctor (the doctor's own file)".into(),
        });
    }
    Ok(out)
}

/// Renders rows as an aligned table.
pub fn render_text(rows: &[PathRow]) -> String {
    let w = rows.iter().map(|r| r.name.len()).max().unwrap_or(10);
    let mut s = String::new();
    for r in rows {
        s.push_str(&format!(
            "{:<w$}  {}{}\n{:<w$}    ↳ {}\n",
            r.name,
            r.path,
            if r.exists { "" } else { "  (missing)" },
            "",
            r.rule
        ));
    }
    s
}
