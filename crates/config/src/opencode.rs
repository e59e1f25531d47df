//! OpenCode's own config (`opencode.json` and friends), merged the way OpenCode merges it.
//!
//! The plugin's registration, the providers and the models OpenCode uses all live in OpenCode's
//! config, which OpenCode assembles from several layers. This module replays that assembly
//! read-only (OpenCode itself writes `$schema`, `.gitignore` and `package.json` files while
//! loading; this never does) and remembers, for every value, the layer that set it last, so a
//! check can say "`model` comes from `/repo/opencode.json`".
//!
//! The order follows OpenCode [`FOLLOWS_OPENCODE`] (`Config.loadInstanceState`), lowest
//! precedence first; `docs/checks.md` documents it for users:
//!
//! 1. the global config dir (`$XDG_CONFIG_HOME/opencode` or `~/.config/opencode`):
//!    `config.json`, then `opencode.json`, then `opencode.jsonc`. These three are merged among
//!    themselves first with arrays *replaced*, so a `plugin` array in `opencode.json` hides the
//!    one in `config.json`;
//! 2. the file `$OPENCODE_CONFIG`;
//! 3. project files (unless `OPENCODE_DISABLE_PROJECT_CONFIG`): `opencode.jsonc` and
//!    `opencode.json` found walking up from the directory to the git worktree root (the
//!    directory holding `.git`; `/` outside a repository), outermost directory first, and in
//!    one directory `opencode.json` before `opencode.jsonc`;
//! 4. config directories: every `.opencode` folder walking up from the directory to the
//!    worktree root (*nearest first*, so an outer folder overrides an inner one),
//!    `~/.opencode`, then `$OPENCODE_CONFIG_DIR`; each contributes `opencode.json` then
//!    `opencode.jsonc`, and every one of them (and the global dir) contributes
//!    `{plugin,plugins}/*.{ts,js}` files as `file://` plugins;
//! 5. `$OPENCODE_CONFIG_CONTENT` (inline JSON);
//! 6. the managed dir (`/etc/opencode`, or `$OPENCODE_TEST_MANAGED_CONFIG_DIR`):
//!    `opencode.json` then `opencode.jsonc`.
//!
//! Objects merge deeply and any other value replaces the earlier one. Two keys differ:
//! `plugin` lists are concatenated across layers and then de-duplicated by package name
//! (a `file://` URL by the whole URL), the *last* occurrence winning; `instructions` are
//! concatenated without duplicates. Text is JSONC with trailing commas allowed; `{env:NAME}`
//! is replaced by the variable's value (empty when unset) before parsing, as OpenCode does.
//! Remote (`.well-known`) and organisation configs need the network and are not replayed.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use codex_env::{env_vars, EnvSnapshot};
use serde_json::{Map, Value};

use crate::jsonc;

/// The OpenCode release whose loading order this module follows.
pub const FOLLOWS_OPENCODE: &str = "1.18.33";

/// The managed config directory on Linux (macOS uses `/Library/Application Support/opencode`).
pub const MANAGED_DIR: &str = "/etc/opencode";

/// Where a layer sits in OpenCode's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LayerKind {
    /// A file of the global config dir.
    Global,
    /// `$OPENCODE_CONFIG`.
    Custom,
    /// A project file found walking up from the directory.
    Project,
    /// A file in a `.opencode` folder (or `$OPENCODE_CONFIG_DIR`).
    ConfigDir,
    /// A `{plugin,plugins}/*.{ts,js}` file of a config directory.
    PluginFile,
    /// `$OPENCODE_CONFIG_CONTENT`.
    Content,
    /// A file of the managed dir.
    Managed,
}

impl LayerKind {
    /// A short stable name (`global`, `OPENCODE_CONFIG`, `project`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            LayerKind::Global => "global",
            LayerKind::Custom => "OPENCODE_CONFIG",
            LayerKind::Project => "project",
            LayerKind::ConfigDir => "config dir",
            LayerKind::PluginFile => "plugin file",
            LayerKind::Content => "OPENCODE_CONFIG_CONTENT",
            LayerKind::Managed => "managed",
        }
    }
}

/// What reading a layer gave. `Debug` shows a loaded value's top-level keys only: values may
/// be secrets (a provider's `apiKey`, after `{env:…}` substitution).
#[derive(Clone, PartialEq)]
pub enum LayerState {
    /// The file does not exist (OpenCode skips it).
    Missing,
    /// Parsed. `strict` is true when the text is plain JSON (no comments, no trailing commas).
    Loaded {
        /// The parsed value (after `{env:…}` substitution).
        value: Value,
        /// Plain JSON.
        strict: bool,
    },
    /// Exists but cannot be read.
    Unreadable(ReadProblem),
    /// Not valid JSONC (OpenCode refuses to start, or ignores the global files).
    Broken {
        /// The parser's message.
        message: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// Parsed, but the top level is not an object.
    NotAnObject,
}

/// Why a config layer's file cannot be read, so that the fix named is the right one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadProblem {
    /// Reading it is not permitted (the fix is its mode or owner).
    Permission(String),
    /// Its bytes are not UTF-8: `utf16` when it starts with a UTF-16 byte-order mark (a
    /// Windows editor's "Unicode"); `at` is the first byte that is not UTF-8.
    NotUtf8 {
        /// Starts with a UTF-16 byte-order mark.
        utf16: bool,
        /// The offset of the first byte that is not UTF-8.
        at: usize,
    },
    /// A folder on its path is a file (`$XDG_CONFIG_HOME` or `$OPENCODE_CONFIG_DIR` naming a
    /// file, say): the first such file on the path, when it can be told.
    ParentNotAFolder(Option<std::path::PathBuf>),
    /// The path is a folder, not a file.
    IsAFolder,
    /// The path is a named pipe, a socket or a device (never read: a pipe with no writer
    /// would block forever).
    NotAFile,
    /// The path is a symbolic link to something that does not exist (a dotfile manager's
    /// link whose target moved or was collected): OpenCode sees no file there.
    DanglingLink(std::path::PathBuf),
    /// Any other I/O error.
    Other(String),
}

impl std::fmt::Display for ReadProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadProblem::Permission(e) | ReadProblem::Other(e) => f.write_str(e),
            ReadProblem::NotUtf8 { utf16: true, .. } => f.write_str(
                "it is UTF-16 text (it starts with a UTF-16 byte-order mark), not UTF-8",
            ),
            ReadProblem::NotUtf8 { at, .. } => write!(f, "not UTF-8 (byte {at})"),
            ReadProblem::ParentNotAFolder(Some(file)) => {
                write!(f, "{} is a file, not a folder", file.display())
            }
            ReadProblem::ParentNotAFolder(None) => f.write_str("a folder on its path is a file"),
            ReadProblem::IsAFolder => f.write_str("it is a folder, not a file"),
            ReadProblem::NotAFile => f.write_str(codex_paths::NOT_A_FILE),
            ReadProblem::DanglingLink(target) => write!(
                f,
                "it is a symbolic link to {}, which does not exist",
                target.display()
            ),
        }
    }
}

impl ReadProblem {
    /// The problem of text that is not UTF-8.
    pub(crate) fn of_utf8(e: &std::string::FromUtf8Error) -> ReadProblem {
        let bytes = e.as_bytes();
        ReadProblem::NotUtf8 {
            utf16: bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]),
            at: e.utf8_error().valid_up_to(),
        }
    }

    /// The problem of a failed read of `path` (not `NotFound`, which callers treat as absent).
    pub(crate) fn of_io(e: &std::io::Error, path: &Path) -> ReadProblem {
        match e.kind() {
            std::io::ErrorKind::PermissionDenied => ReadProblem::Permission(e.to_string()),
            std::io::ErrorKind::NotADirectory => ReadProblem::ParentNotAFolder(
                path.ancestors()
                    .skip(1)
                    .find(|a| a.is_file())
                    .map(Path::to_path_buf),
            ),
            std::io::ErrorKind::IsADirectory => ReadProblem::IsAFolder,
            std::io::ErrorKind::InvalidInput => ReadProblem::NotAFile,
            _ if path.is_dir() => ReadProblem::IsAFolder,
            _ => ReadProblem::Other(e.to_string()),
        }
    }
}

/// One layer of OpenCode's config.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// Its place in the order.
    pub kind: LayerKind,
    /// The file, or `None` for `$OPENCODE_CONFIG_CONTENT`.
    pub path: Option<PathBuf>,
    /// What reading it gave.
    pub state: LayerState,
}

impl Layer {
    /// `path (kind)` or the variable name, for messages.
    pub fn label(&self) -> String {
        match &self.path {
            Some(p) => format!("{} ({})", p.display(), self.kind.as_str()),
            None => format!("${}", self.kind.as_str()),
        }
    }

    /// The file path or the variable name (no kind), for short messages.
    pub fn place(&self) -> String {
        match &self.path {
            Some(p) => p.display().to_string(),
            None => format!("${}", self.kind.as_str()),
        }
    }

    /// The parsed value, when loaded.
    pub fn value(&self) -> Option<&Value> {
        match &self.state {
            LayerState::Loaded { value, .. } => Some(value),
            _ => None,
        }
    }
}

/// One `plugin` entry and the layer it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginEntry {
    /// The specifier as OpenCode keeps it (relative paths resolved to `file://` URLs).
    pub spec: String,
    /// Index into [`OpencodeConfig::layers`].
    pub layer: usize,
}

/// Everything the loader needs, decided before any file is read. `Debug` shows the length
/// of `$OPENCODE_CONFIG_CONTENT`, never its text.
#[derive(Clone, PartialEq, Eq)]
pub struct Inputs {
    /// The directory OpenCode runs in (`--dir`, default the working directory).
    pub dir: PathBuf,
    /// The global config dir.
    pub global_dir: PathBuf,
    /// The home directory (for `~/.opencode`).
    pub home: Option<PathBuf>,
    /// `$OPENCODE_CONFIG`, resolved against the working directory.
    pub custom: Option<PathBuf>,
    /// `$OPENCODE_CONFIG_DIR`.
    pub config_dir: Option<PathBuf>,
    /// `$OPENCODE_CONFIG_CONTENT`.
    pub content: Option<String>,
    /// `OPENCODE_DISABLE_PROJECT_CONFIG` is `true`/`1`.
    pub disable_project: bool,
    /// The managed dir.
    pub managed_dir: PathBuf,
}

/// A value's top-level keys, for `Debug` output that must not show values.
struct KeysOnly<'a>(&'a Value);

impl std::fmt::Debug for KeysOnly<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Value::Object(m) => f.debug_set().entries(m.keys()).finish(),
            _ => f.write_str("<not an object>"),
        }
    }
}

impl std::fmt::Debug for LayerState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LayerState::Missing => f.write_str("Missing"),
            LayerState::Loaded { value, strict } => f
                .debug_struct("Loaded")
                .field("keys", &KeysOnly(value))
                .field("strict", strict)
                .finish(),
            LayerState::Unreadable(e) => f.debug_tuple("Unreadable").field(e).finish(),
            LayerState::Broken {
                message,
                line,
                column,
            } => f
                .debug_struct("Broken")
                .field("message", message)
                .field("line", line)
                .field("column", column)
                .finish(),
            LayerState::NotAnObject => f.write_str("NotAnObject"),
        }
    }
}

impl std::fmt::Debug for Inputs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inputs")
            .field("dir", &self.dir)
            .field("global_dir", &self.global_dir)
            .field("home", &self.home)
            .field("custom", &self.custom)
            .field("config_dir", &self.config_dir)
            .field(
                "content",
                &self
                    .content
                    .as_ref()
                    .map(|c| format!("<{} bytes>", c.len())),
            )
            .field("disable_project", &self.disable_project)
            .field("managed_dir", &self.managed_dir)
            .finish()
    }
}

impl std::fmt::Debug for OpencodeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpencodeConfig")
            .field("dir", &self.dir)
            .field("worktree", &self.worktree)
            .field("layers", &self.layers)
            .field("merged", &KeysOnly(&self.merged))
            .field("plugins", &self.plugins)
            .finish_non_exhaustive()
    }
}

impl Inputs {
    /// Reads OpenCode's variables from `env`. `global_dir` is the config root by the loose
    /// rule (OpenCode accepts a relative `XDG_CONFIG_HOME`); `cwd` resolves relative variables.
    pub fn from_env(env: &EnvSnapshot, global_dir: &Path, cwd: &Path, dir: &Path) -> Inputs {
        let truthy = |name: &str| {
            env.get(name)
                .map(|v| v.to_ascii_lowercase())
                .is_some_and(|v| v == "true" || v == "1")
        };
        Inputs {
            dir: cwd.join(dir),
            global_dir: global_dir.to_path_buf(),
            home: env.non_blank(env_vars::HOME).map(PathBuf::from),
            custom: env
                .non_blank(env_vars::OPENCODE_CONFIG)
                .map(|p| cwd.join(p)),
            config_dir: env
                .non_blank(env_vars::OPENCODE_CONFIG_DIR)
                .map(|p| cwd.join(p)),
            content: env
                .get(env_vars::OPENCODE_CONFIG_CONTENT)
                .filter(|c| !c.is_empty())
                .map(str::to_string),
            disable_project: truthy(env_vars::OPENCODE_DISABLE_PROJECT_CONFIG),
            managed_dir: env
                .non_blank(env_vars::OPENCODE_TEST_MANAGED_CONFIG_DIR)
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(MANAGED_DIR)),
        }
    }
}

/// OpenCode's config, layer by layer and merged. `Debug` shows the merged value's top-level
/// keys only.
#[derive(Clone, PartialEq)]
pub struct OpencodeConfig {
    /// The directory OpenCode would run in.
    pub dir: PathBuf,
    /// Where the project walk stops: the git worktree root, or `None` outside a repository
    /// (OpenCode then walks up to `/`).
    pub worktree: Option<PathBuf>,
    /// Every layer considered, in merge order (lowest precedence first).
    pub layers: Vec<Layer>,
    /// The merged value (`plugin` holds the de-duplicated specifiers).
    pub merged: Value,
    /// Every `plugin` entry of every layer, in merge order, before de-duplication.
    pub plugin_entries: Vec<PluginEntry>,
    /// The entries OpenCode loads: de-duplicated, the last occurrence of a name winning.
    pub plugins: Vec<PluginEntry>,
    origins: BTreeMap<Vec<String>, usize>,
}

impl OpencodeConfig {
    /// The layer that last set the value at `path` (object keys), if any.
    pub fn origin(&self, path: &[&str]) -> Option<&Layer> {
        let key: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        self.origins.get(&key).and_then(|i| self.layers.get(*i))
    }

    /// The merged value at `path`.
    pub fn get(&self, path: &[&str]) -> Option<&Value> {
        path.iter().try_fold(&self.merged, |v, k| v.get(*k))
    }
}

/// The plugin's npm package name.
pub const PLUGIN_NAME: &str = "@iam-brain/opencode-codex-auth";
/// The specifier the plugin's installer writes (reference 3.1).
pub const DEFAULT_SPECIFIER: &str = "@iam-brain/opencode-codex-auth@latest";

/// Whether a specifier registers the plugin: its npm name with or without `@version`/`@tag`,
/// or a `file://` URL to it (reference 3.1). The doctor's check and `fix` both ask this.
pub fn is_ours(spec: &str) -> bool {
    let s = spec.trim();
    if let Some(path) = s.strip_prefix("file://") {
        // A checkout named otherwise (a fork, `~/src/codex-auth`) is told by its package.
        return s.contains("opencode-codex-auth")
            || local_package_name(Path::new(path)).as_deref() == Some(PLUGIN_NAME);
    }
    package_name(s) == PLUGIN_NAME
}

/// The `name` of the `package.json` at a local plugin path or above it (the path may be the
/// package folder, its `dist/`, or a file in it; at most three folders up).
pub fn local_package_name(path: &Path) -> Option<String> {
    let start = if path.is_file() { path.parent()? } else { path };
    start.ancestors().take(3).find_map(|dir| {
        let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
        let v: Value = serde_json::from_str(&text).ok()?;
        v.get("name").and_then(Value::as_str).map(str::to_string)
    })
}

/// Whether a specifier is the plugin's npm name written with capitals
/// (`@iam-brain/OpenCode-Codex-Auth`): npm names are lower case, so OpenCode cannot install
/// it; a typo of this plugin, not another one.
pub fn is_miscased_ours(spec: &str) -> bool {
    let s = spec.trim();
    let name = package_name(s);
    !s.starts_with("file://") && name != PLUGIN_NAME && name.eq_ignore_ascii_case(PLUGIN_NAME)
}

/// The npm name of codex-kit's OpenCode bridge (`crates/runtime/opencode-bridge`).
pub const BRIDGE_NAME: &str = "@codex-kit/opencode-bridge";

/// Whether a specifier registers codex-kit's bridge, which replaces the plugin (it makes
/// `codex-runtime serve` the `openai` provider's backend): its npm name, or a `file://` URL
/// to its folder or its `index.js` (`…/opencode-bridge`, the Nix package's
/// `…/share/codex-kit/opencode-bridge`).
pub fn is_bridge(spec: &str) -> bool {
    let s = spec.trim();
    if let Some(path) = s.strip_prefix("file://") {
        let trimmed = path.trim_end_matches('/');
        let trimmed = trimmed.strip_suffix("/index.js").unwrap_or(trimmed);
        return trimmed.rsplit('/').next() == Some("opencode-bridge")
            || local_package_name(Path::new(path)).as_deref() == Some(BRIDGE_NAME);
    }
    package_name(s) == BRIDGE_NAME
}

/// Whether a specifier is another OpenAI/ChatGPT OAuth plugin that conflicts with this one.
pub fn is_other_oauth_plugin(spec: &str) -> bool {
    if is_ours(spec) || is_bridge(spec) || is_miscased_ours(spec) {
        return false;
    }
    let name = package_name(spec).to_ascii_lowercase();
    let base = name.rsplit('/').next().unwrap_or(&name);
    [
        "codex-auth",
        "openai-auth",
        "openai-oauth",
        "chatgpt-auth",
        "chatgpt-oauth",
    ]
    .iter()
    .any(|m| base.contains(m))
}

/// npm package name of a specifier (`@scope/name@1.2.3` → `@scope/name`, `name@tag` → `name`).
pub fn package_name(spec: &str) -> &str {
    let spec = spec.trim();
    let spec = spec.strip_prefix("npm:").unwrap_or(spec);
    if let Some(rest) = spec.strip_prefix('@') {
        match rest.find('@') {
            Some(i) => &spec[..i + 1],
            None => spec,
        }
    } else {
        spec.split('@').next().unwrap_or(spec)
    }
}

/// The key OpenCode de-duplicates plugins by: the URL of a `file://` specifier, else the
/// package name.
pub fn plugin_key(spec: &str) -> &str {
    if spec.starts_with("file://") {
        spec
    } else {
        package_name(spec)
    }
}

/// The git worktree root above `dir` (the nearest directory holding `.git`).
pub fn worktree_of(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Directories from `start` up to and including `stop` (or the filesystem root).
fn walk_up<'a>(start: &'a Path, stop: Option<&'a Path>) -> impl Iterator<Item = &'a Path> {
    let mut done = false;
    start.ancestors().take_while(move |d| {
        if done {
            return false;
        }
        if Some(*d) == stop {
            done = true;
        }
        true
    })
}

/// Loads every layer and merges them. Reads files only; never writes.
pub fn load(inputs: &Inputs, env: &EnvSnapshot) -> OpencodeConfig {
    let mut layers: Vec<Layer> = Vec::new();
    let file = |kind: LayerKind, path: PathBuf| Layer {
        state: read_layer(&path, env),
        kind,
        path: Some(path),
    };
    for name in ["config.json", "opencode.json", "opencode.jsonc"] {
        layers.push(file(LayerKind::Global, inputs.global_dir.join(name)));
    }
    if let Some(c) = &inputs.custom {
        layers.push(file(LayerKind::Custom, c.clone()));
    }
    let worktree = worktree_of(&inputs.dir);
    if !inputs.disable_project {
        let dirs: Vec<&Path> = walk_up(&inputs.dir, worktree.as_deref()).collect();
        for d in dirs.iter().rev() {
            for name in ["opencode.json", "opencode.jsonc"] {
                let p = d.join(name);
                if p.exists() {
                    layers.push(file(LayerKind::Project, p));
                }
            }
        }
    }
    let mut config_dirs: Vec<PathBuf> = vec![inputs.global_dir.clone()];
    if !inputs.disable_project {
        for d in walk_up(&inputs.dir, worktree.as_deref()) {
            let dot = d.join(".opencode");
            if dot.exists() {
                config_dirs.push(dot);
            }
        }
    }
    if let Some(h) = &inputs.home {
        let dot = h.join(".opencode");
        if dot.exists() {
            config_dirs.push(dot);
        }
    }
    if let Some(c) = &inputs.config_dir {
        config_dirs.push(c.clone());
    }
    let mut seen: Vec<PathBuf> = Vec::new();
    for d in config_dirs {
        if seen.contains(&d) {
            continue;
        }
        seen.push(d.clone());
        if d.ends_with(".opencode") || inputs.config_dir.as_ref() == Some(&d) {
            for name in ["opencode.json", "opencode.jsonc"] {
                layers.push(file(LayerKind::ConfigDir, d.join(name)));
            }
        }
        for f in plugin_files(&d) {
            let url = file_url(&f);
            layers.push(Layer {
                kind: LayerKind::PluginFile,
                path: Some(f),
                state: LayerState::Loaded {
                    value: serde_json::json!({ "plugin": [url] }),
                    strict: true,
                },
            });
        }
    }
    if let Some(text) = &inputs.content {
        layers.push(Layer {
            kind: LayerKind::Content,
            path: None,
            state: parse_text(text, env),
        });
    }
    if inputs.managed_dir.is_dir() {
        for name in ["opencode.json", "opencode.jsonc"] {
            layers.push(file(LayerKind::Managed, inputs.managed_dir.join(name)));
        }
    }
    merge_layers(inputs.dir.clone(), worktree, layers)
}

fn merge_layers(dir: PathBuf, worktree: Option<PathBuf>, layers: Vec<Layer>) -> OpencodeConfig {
    let mut merged = Value::Object(Map::new());
    let mut origins: BTreeMap<Vec<String>, usize> = BTreeMap::new();
    let mut entries: Vec<PluginEntry> = Vec::new();
    // The global files merge among themselves with arrays replaced, plugin included.
    let mut global_plugins: Option<(usize, Vec<String>)> = None;
    for (i, layer) in layers.iter().enumerate() {
        let Some(value) = layer.value() else {
            continue;
        };
        let Some(obj) = value.as_object() else {
            continue;
        };
        let base = layer.path.as_deref().and_then(Path::parent);
        let specs: Vec<String> = match obj.get("plugin") {
            Some(Value::Array(a)) => a.iter().filter_map(|e| plugin_spec(e, base)).collect(),
            _ => Vec::new(),
        };
        if layer.kind == LayerKind::Global {
            if obj.contains_key("plugin") {
                global_plugins = Some((i, specs));
            }
        } else {
            if let Some((gi, g)) = global_plugins.take() {
                entries.extend(g.into_iter().map(|spec| PluginEntry { spec, layer: gi }));
            }
            entries.extend(specs.into_iter().map(|spec| PluginEntry { spec, layer: i }));
        }
        let concat_instructions = layer.kind != LayerKind::Global;
        merge_into(
            &mut merged,
            obj,
            &mut Vec::new(),
            i,
            &mut origins,
            concat_instructions,
        );
    }
    if let Some((gi, g)) = global_plugins.take() {
        entries.extend(g.into_iter().map(|spec| PluginEntry { spec, layer: gi }));
    }
    let plugins = dedupe(&entries);
    if let Value::Object(m) = &mut merged {
        m.insert(
            "plugin".into(),
            Value::Array(
                plugins
                    .iter()
                    .map(|e| Value::String(e.spec.clone()))
                    .collect(),
            ),
        );
    }
    OpencodeConfig {
        dir,
        worktree,
        layers,
        merged,
        plugin_entries: entries,
        plugins,
        origins,
    }
}

/// Later entries win; the survivors keep their relative order.
fn dedupe(entries: &[PluginEntry]) -> Vec<PluginEntry> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out: Vec<PluginEntry> = Vec::new();
    for e in entries.iter().rev() {
        let key = plugin_key(&e.spec);
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        out.push(e.clone());
    }
    out.reverse();
    out
}

/// The specifier of one `plugin` element: a string or `[spec, options]`. Relative and
/// absolute paths become `file://` URLs resolved against the config file's directory.
/// The specifier OpenCode keeps for one `plugin` element (a string or `[spec, options]`) of a
/// file in `base`: relative and absolute paths become `file://` URLs.
pub fn plugin_spec(v: &Value, base: Option<&Path>) -> Option<String> {
    let s = match v {
        Value::String(s) => s.as_str(),
        Value::Array(a) => a.first()?.as_str()?,
        _ => return None,
    };
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let is_path = s.starts_with("./") || s.starts_with("../") || s.starts_with('/');
    if is_path {
        let p = match base {
            Some(b) => b.join(s),
            None => PathBuf::from(s),
        };
        return Some(file_url(&normalize(&p)));
    }
    Some(s.to_string())
}

/// Removes `.` and `..` components without touching the disk.
fn normalize(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn file_url(p: &Path) -> String {
    format!("file://{}", p.display())
}

/// `{plugin,plugins}/*.{ts,js}` under a config directory, sorted.
fn plugin_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for sub in ["plugin", "plugins"] {
        let Ok(rd) = fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in rd.filter_map(Result::ok) {
            let p = e.path();
            let ext = p.extension().and_then(|x| x.to_str()).unwrap_or_default();
            if (ext == "ts" || ext == "js") && p.is_file() {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn merge_into(
    target: &mut Value,
    src: &Map<String, Value>,
    path: &mut Vec<String>,
    layer: usize,
    origins: &mut BTreeMap<Vec<String>, usize>,
    concat_instructions: bool,
) {
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(t) = target else {
        return;
    };
    for (k, v) in src {
        if path.is_empty() && k == "plugin" {
            continue;
        }
        path.push(k.clone());
        origins.insert(path.clone(), layer);
        let top_instructions = path.len() == 1 && k == "instructions" && concat_instructions;
        match (t.get_mut(k), v) {
            (Some(existing @ Value::Object(_)), Value::Object(vo)) => {
                merge_into(existing, vo, path, layer, origins, concat_instructions);
            }
            (Some(Value::Array(old)), Value::Array(new)) if top_instructions => {
                for x in new {
                    if !old.contains(x) {
                        old.push(x.clone());
                    }
                }
            }
            (_, Value::Object(vo)) => {
                clear_below(origins, path);
                origins.insert(path.clone(), layer);
                let mut fresh = Value::Object(Map::new());
                merge_into(&mut fresh, vo, path, layer, origins, concat_instructions);
                t.insert(k.clone(), fresh);
            }
            (_, other) => {
                clear_below(origins, path);
                origins.insert(path.clone(), layer);
                t.insert(k.clone(), other.clone());
            }
        }
        path.pop();
    }
}

fn clear_below(origins: &mut BTreeMap<Vec<String>, usize>, path: &[String]) {
    origins.retain(|k, _| !(k.len() > path.len() && k.starts_with(path)));
}

fn read_layer(path: &Path, env: &EnvSnapshot) -> LayerState {
    match codex_paths::read_file(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => parse_text(&text, env),
            Err(e) => LayerState::Unreadable(ReadProblem::of_utf8(&e)),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match dangling_target(path) {
            Some(target) => LayerState::Unreadable(ReadProblem::DanglingLink(target)),
            None => LayerState::Missing,
        },
        Err(e) => LayerState::Unreadable(ReadProblem::of_io(&e, path)),
    }
}

/// Where `path` points when it is a symbolic link whose target does not exist.
pub fn dangling_target(path: &Path) -> Option<PathBuf> {
    let meta = fs::symlink_metadata(path).ok()?;
    if !meta.file_type().is_symlink() || path.exists() {
        return None;
    }
    fs::read_link(path).ok()
}

/// Replaces `{env:NAME}` with the variable's value (empty when unset), as OpenCode does.
fn substitute_env(text: &str, env: &EnvSnapshot) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("{env:") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 5..];
        match after.find('}') {
            Some(j) if j > 0 => {
                out.push_str(env.get(&after[..j]).unwrap_or(""));
                rest = &after[j + 1..];
            }
            _ => {
                out.push_str("{env:");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// OpenCode's lenient read of config text as written (no `{env:}` substitution): JSON, or
/// JSONC with comments and trailing commas. The value, and whether plain `JSON.parse` (the
/// plugin installer's read) would accept the text too; else serde_json's error on the
/// comment- and comma-blanked text, whose positions are the original's lines and characters.
pub fn parse_lenient(text: &str) -> Result<(Value, bool), serde_json::Error> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => Ok((v, true)),
        Err(_) => {
            let blanked = jsonc::blank_trailing_commas(&jsonc::blank_comments(text));
            serde_json::from_str::<Value>(&blanked).map(|v| (v, false))
        }
    }
}

/// Parses OpenCode config text as OpenCode does: `{env:NAME}` substituted, then
/// [`parse_lenient`].
pub fn parse_text(text: &str, env: &EnvSnapshot) -> LayerState {
    // A byte-order mark (a Windows editor's) is skipped, as OpenCode does; the installer's
    // `JSON.parse` fails on it, so the file does not count as strict JSON.
    let (text, bom) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    let substituted;
    let text = if text.contains("{env:") {
        substituted = substitute_env(text, env);
        substituted.as_str()
    } else {
        text
    };
    match parse_lenient(text) {
        Ok((value, strict)) if value.is_object() => LayerState::Loaded {
            value,
            strict: strict && !bom,
        },
        Ok(_) => LayerState::NotAnObject,
        Err(e) => LayerState::Broken {
            message: codex_auth::model::json_error_message(&e),
            line: e.line(),
            column: e.column(),
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_layer_that_cannot_be_read_says_why() {
        let t = codex_testkit::TempHome::new();
        let env = EnvSnapshot::from_pairs([("HOME", "/nowhere")]);
        let state = |p: &Path| read_layer(p, &env);
        let utf16 = t.write("a/utf16.json", [0xFF, 0xFE, b'{', 0, b'}', 0]);
        assert_eq!(
            state(&utf16),
            LayerState::Unreadable(ReadProblem::NotUtf8 { utf16: true, at: 0 })
        );
        let latin1 = t.write("a/latin1.json", b"{\"x\":\"\xe9\"}");
        assert_eq!(
            state(&latin1),
            LayerState::Unreadable(ReadProblem::NotUtf8 {
                utf16: false,
                at: 6
            })
        );
        let file = t.write("a/file", "x");
        assert_eq!(
            state(&file.join("opencode.json")),
            LayerState::Unreadable(ReadProblem::ParentNotAFolder(Some(file.clone())))
        );
        assert_eq!(
            state(&file.join("deeper/opencode.json")),
            LayerState::Unreadable(ReadProblem::ParentNotAFolder(Some(file)))
        );
        let folder = t.path("a");
        assert_eq!(
            state(&folder),
            LayerState::Unreadable(ReadProblem::IsAFolder)
        );
        assert_eq!(state(&t.path("a/none.json")), LayerState::Missing);
        let pipe = t.path("a/pipe.json");
        let made = std::process::Command::new("mkfifo")
            .arg(&pipe)
            .status()
            .unwrap();
        assert!(made.success());
        assert_eq!(state(&pipe), LayerState::Unreadable(ReadProblem::NotAFile));
        let link = t.path("a/linked.json");
        std::os::unix::fs::symlink("/nonexistent/opencode.json", &link).unwrap();
        assert_eq!(
            state(&link),
            LayerState::Unreadable(ReadProblem::DanglingLink(
                "/nonexistent/opencode.json".into()
            ))
        );
        // A link to a file that exists is read through.
        let good = t.path("a/good.json");
        std::os::unix::fs::symlink(&latin1, &good).unwrap();
        assert!(matches!(
            state(&good),
            LayerState::Unreadable(ReadProblem::NotUtf8 { .. })
        ));
        assert!(ReadProblem::IsAFolder.to_string().contains("folder"));
    }

    #[test]
    fn which_specifiers_are_the_plugin_and_which_conflict() {
        for spec in [
            "@iam-brain/opencode-codex-auth",
            "@iam-brain/opencode-codex-auth@latest",
            " @iam-brain/opencode-codex-auth@1.10.0 ",
            "npm:@iam-brain/opencode-codex-auth@next",
            "file:///home/u/src/opencode-codex-auth/dist",
        ] {
            assert!(is_ours(spec), "{spec:?}");
            assert!(!is_other_oauth_plugin(spec), "{spec:?}");
        }
        for spec in ["opencode-openai-codex-auth@4.0.0", "opencode-chatgpt-oauth"] {
            assert!(!is_ours(spec) && is_other_oauth_plugin(spec), "{spec:?}");
        }
        for spec in [
            "@iam-brain/opencode-codex-auth-extra",
            "opencode-wakatime",
            "",
        ] {
            assert!(!is_ours(spec), "{spec:?}");
        }
        assert!(!is_other_oauth_plugin("opencode-wakatime"));
        for spec in [
            "file:///home/u/codex-kit/crates/runtime/opencode-bridge",
            "file:///home/u/codex-kit/crates/runtime/opencode-bridge/",
            "file:///home/u/codex-kit/crates/runtime/opencode-bridge/index.js",
            "file:///nix/store/abc-codex-kit/share/codex-kit/opencode-bridge",
            "@codex-kit/opencode-bridge",
            "@codex-kit/opencode-bridge@0.1.0",
        ] {
            assert!(is_bridge(spec) && !is_ours(spec), "{spec:?}");
            assert!(!is_other_oauth_plugin(spec), "{spec:?}");
        }
        for spec in [
            "file:///home/u/opencode-bridge-fork/x",
            "opencode-bridge",
            "@acme/opencode-bridge",
        ] {
            assert!(!is_bridge(spec), "{spec:?}");
        }
        assert_eq!(package_name("npm:@a/b@1"), "@a/b");
        assert_eq!(DEFAULT_SPECIFIER, format!("{PLUGIN_NAME}@latest"));
    }
    use serde_json::json;

    fn layer(kind: LayerKind, path: &str, value: Value) -> Layer {
        Layer {
            kind,
            path: Some(PathBuf::from(path)),
            state: LayerState::Loaded {
                value,
                strict: true,
            },
        }
    }

    #[test]
    fn debug_output_shows_keys_never_values() {
        let secret = "sk-debugcanary-0123456789abcdef";
        let c = merge_layers(
            PathBuf::from("/p"),
            None,
            vec![layer(
                LayerKind::Global,
                "/g/opencode.json",
                json!({"provider": {"acme": {"options": {"apiKey": secret}}}}),
            )],
        );
        let shown = format!("{c:?}");
        assert!(!shown.contains(secret), "{shown}");
        assert!(shown.contains("provider"), "keys stay: {shown}");
        let inputs = Inputs {
            dir: PathBuf::from("/p"),
            global_dir: PathBuf::from("/g"),
            home: None,
            custom: None,
            config_dir: None,
            content: Some(format!("{{\"apiKey\":\"{secret}\"}}")),
            disable_project: false,
            managed_dir: PathBuf::from("/m"),
        };
        let shown = format!("{inputs:?}");
        assert!(!shown.contains(secret), "{shown}");
        assert!(shown.contains("bytes>"), "{shown}");
    }

    #[test]
    fn plugin_lists_concatenate_and_the_last_name_wins() {
        let c = merge_layers(
            PathBuf::from("/p"),
            None,
            vec![
                layer(
                    LayerKind::Global,
                    "/g/config.json",
                    json!({"plugin": ["g1"]}),
                ),
                layer(
                    LayerKind::Global,
                    "/g/opencode.json",
                    json!({"plugin": ["a@1", "g2"]}),
                ),
                layer(
                    LayerKind::Project,
                    "/p/opencode.json",
                    json!({"plugin": ["b", ["a@2", {"x": 1}]]}),
                ),
            ],
        );
        let specs: Vec<&str> = c.plugins.iter().map(|e| e.spec.as_str()).collect();
        assert_eq!(specs, vec!["g2", "b", "a@2"]);
        assert_eq!(c.plugins[2].layer, 2);
        assert_eq!(c.merged["plugin"], json!(["g2", "b", "a@2"]));
    }

    #[test]
    fn objects_merge_deeply_and_origins_follow_the_last_writer() {
        let c = merge_layers(
            PathBuf::from("/p"),
            None,
            vec![
                layer(
                    LayerKind::Global,
                    "/g/opencode.json",
                    json!({"model": "a/x", "provider": {"openai": {"options": {"x": 1}}}}),
                ),
                layer(
                    LayerKind::Project,
                    "/p/opencode.json",
                    json!({"model": "a/y", "provider": {"openai": {"options": {"y": 2}}}}),
                ),
            ],
        );
        assert_eq!(
            c.merged["provider"]["openai"]["options"],
            json!({"x": 1, "y": 2})
        );
        assert_eq!(c.origin(&["model"]).unwrap().kind, LayerKind::Project);
        assert_eq!(
            c.origin(&["provider", "openai", "options", "x"])
                .unwrap()
                .kind,
            LayerKind::Global
        );
    }

    #[test]
    fn relative_plugin_paths_become_file_urls() {
        assert_eq!(
            plugin_spec(&json!("./plugins/x.js"), Some(Path::new("/p/.opencode"))).as_deref(),
            Some("file:///p/.opencode/plugins/x.js")
        );
        assert_eq!(
            plugin_spec(&json!(["n@1", {}]), None).as_deref(),
            Some("n@1")
        );
        assert_eq!(plugin_key("@s/n@1.2"), "@s/n");
    }

    #[test]
    fn env_placeholders_are_replaced() {
        let env = EnvSnapshot::from_pairs([("M", "openai/gpt-5")]);
        match parse_text("{\"model\": \"{env:M}\", \"x\": \"{env:NOPE}\",}", &env) {
            LayerState::Loaded { value, strict } => {
                assert!(!strict);
                assert_eq!(value, json!({"model": "openai/gpt-5", "x": ""}));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn broken_text_names_the_line() {
        let env = EnvSnapshot::from_pairs(Vec::<(String, String)>::new());
        match parse_text("{\n  \"plugin\": [\n  \"x\"\n  \"y\"]\n}", &env) {
            LayerState::Broken { line, .. } => assert_eq!(line, 4),
            other => panic!("{other:?}"),
        }
    }
}
