//! `plugin.registered`: does OpenCode load `@iam-brain/opencode-codex-auth`?
//!
//! Reads OpenCode's merged config for the directory OpenCode runs in (`--dir`): every layer
//! OpenCode reads (global files, `$OPENCODE_CONFIG`, project files, `.opencode` folders,
//! `$OPENCODE_CONFIG_CONTENT`, the managed dir; see `codex_config::opencode`) and the plugin
//! list OpenCode keeps after its de-duplication. Any specifier whose npm name is the plugin's
//! (with or without `@version`/`@tag`) or a `file://` URL to it counts (reference 3.1), and
//! the result names the layer it came from. The installer parses the global `opencode.json`
//! as strict JSON and quarantines it otherwise, so comments or trailing commas there are
//! flagged even though OpenCode itself accepts them.

use codex_config::opencode::{plugin_spec, Layer, LayerKind, LayerState, PluginEntry, ReadProblem};
use serde_json::Value;

use super::{problem, show, CheckDef, Problem};
use crate::facts::Facts;
use crate::report::CheckResult;

pub use codex_config::opencode::{
    is_bridge, is_miscased_ours, is_other_oauth_plugin, is_ours, package_name, DEFAULT_SPECIFIER,
    PLUGIN_NAME,
};

/// `plugin.registered`.
pub const REGISTERED: CheckDef = CheckDef {
    id: "plugin.registered",
    title: "Plugin registration",
    about:
        "Whether an OpenCode config registers @iam-brain/opencode-codex-auth (once) in `plugin`.",
    run,
};

/// The fix for a config file (shown as `place`) that cannot be read, by the cause.
pub(crate) fn read_problem_fix(e: &ReadProblem, place: &str) -> String {
    match e {
        ReadProblem::Permission(_) => format!("chmod u+r {place}"),
        ReadProblem::NotUtf8 { utf16: true, .. } => format!(
            "Save {place} as UTF-8 (your editor saved it as UTF-16, \"Unicode\"; OpenCode and the plugin read UTF-8 only)"
        ),
        ReadProblem::NotUtf8 { at, .. } => format!(
            "Save {place} as UTF-8 (byte {at} is not UTF-8; OpenCode and the plugin read UTF-8 only)"
        ),
        ReadProblem::ParentNotAFolder(file) => format!(
            "{} is a file where OpenCode expects a folder: point $XDG_CONFIG_HOME (or $OPENCODE_CONFIG_DIR) at a folder, or unset it",
            file.as_deref()
                .map_or_else(|| format!("A folder above {place}"), |f| f.display().to_string())
        ),
        ReadProblem::IsAFolder => {
            format!("{place} is a folder: move it away so that a config file can be read there")
        }
        ReadProblem::NotAFile => format!(
            "{place} is a named pipe, socket or device: move it away and put the config file there"
        ),
        ReadProblem::DanglingLink(target) => format!(
            "Point the link at an existing file (ln -sf /path/to/the/real/file {place}), restore {}, or remove the link",
            target.display()
        ),
        ReadProblem::Other(_) => format!("Check that {place} is a readable file on a healthy disk"),
    }
}

/// The problems of one layer's file (unreadable, broken, not an object, comments in the
/// installer's strict `opencode.json`, a `plugin` that is not an array).
pub(crate) fn layer_problems(
    layer: &Layer,
    installer_file: &std::path::Path,
    fails: &mut Vec<String>,
    warns: &mut Vec<String>,
    fixes: &mut Vec<String>,
) {
    let place = layer.place();
    match &layer.state {
        // A file named by `$OPENCODE_CONFIG` that is not there: OpenCode goes on without it,
        // so whatever the user put in it (often the plugin) is silently not loaded.
        LayerState::Missing if layer.kind == LayerKind::Custom => {
            warns.push(format!(
                "OPENCODE_CONFIG names {place}, which does not exist: OpenCode starts without it"
            ));
            fixes.push(format!(
                "Create {place}, or point OPENCODE_CONFIG at your config file (or unset it)"
            ));
        }
        LayerState::Missing => {}
        LayerState::Unreadable(e) => {
            fails.push(format!("{place} cannot be read: {e}"));
            let fix = read_problem_fix(e, &place);
            // Layers of one folder share a cause (a file where the folder should be).
            if !fixes.contains(&fix) {
                fixes.push(fix);
            }
        }
        LayerState::Broken {
            message,
            line,
            column,
        } => {
            let effect = if layer.kind == LayerKind::Global {
                "OpenCode ignores every global config file while it is broken"
            } else {
                "OpenCode refuses to start"
            };
            fails.push(format!(
                "{place} is not valid JSON: {message} at line {line}, column {column} ({effect})"
            ));
            fixes.push(format!("Fix the syntax error at {place}:{line}:{column}"));
        }
        LayerState::NotAnObject => {
            fails.push(format!("{place} is not a JSON object"));
            fixes.push(format!("Make {place} an object: {{ \"plugin\": [...] }}"));
        }
        LayerState::Loaded { value, strict } => {
            let bom = layer.path.as_deref().is_some_and(starts_with_bom);
            if !strict && bom && layer.path.as_deref() == Some(installer_file) {
                warns.push(format!(
                    "{place} starts with a byte-order mark (an editor saved it as \"UTF-8 with BOM\"): OpenCode reads it, but the plugin's installer parses it as strict JSON and will move it to quarantine/"
                ));
                fixes.push(format!("sed -i '1s/^\\xEF\\xBB\\xBF//' {place}"));
            } else if !strict && layer.path.as_deref() == Some(installer_file) {
                warns.push(format!(
                    "{place} has comments or trailing commas: the plugin's installer parses it as strict JSON and will move it to quarantine/"
                ));
                fixes.push(format!(
                    "Remove the comments and trailing commas from {place} (or move it to opencode.jsonc)"
                ));
            }
            match value.get("plugin") {
                None | Some(Value::Array(_)) => {}
                Some(Value::String(x)) if !x.trim().is_empty() => {
                    warns.push(format!(
                        "`plugin` in {place} is a string, not an array (OpenCode expects an array; the installer rewrites it)"
                    ));
                    fixes.push(format!("In {place}, write \"plugin\": [{:?}]", x.trim()));
                }
                Some(other) => {
                    warns.push(format!(
                        "`plugin` in {place} is {}, not an array: OpenCode ignores it",
                        codex_auth::model::type_name(other)
                    ));
                }
            }
        }
    }
}

fn run(f: &Facts) -> CheckResult {
    let p = match f.paths() {
        Ok(p) => p,
        Err(e) => return super::no_paths(&e),
    };
    let Some(oc) = f.opencode_config() else {
        return super::no_paths("unknown");
    };
    let installer_file = p.opencode_json().path;

    let mut fails: Vec<String> = Vec::new();
    let mut warns: Vec<String> = Vec::new();
    let mut fixes: Vec<String> = Vec::new();
    let mut details: Vec<String> = Vec::new();
    // A global file that registers the plugin in a list another global file replaces.
    let mut hidden_registration: Option<(String, String)> = None;

    for (i, layer) in oc.layers.iter().enumerate() {
        layer_problems(layer, &installer_file, &mut fails, &mut warns, &mut fixes);
        match &layer.state {
            LayerState::Missing => continue,
            LayerState::Loaded { .. } => {}
            // What could not be read lists no plugins: say so rather than `plugin = []`.
            _ => {
                details.push(format!("{}: not read", layer.label()));
                continue;
            }
        }
        let specs: Vec<String> = oc
            .plugin_entries
            .iter()
            .filter(|e| e.layer == i)
            .map(|e| format!("{:?}", e.spec))
            .collect();
        // A global file whose `plugin` list a later global file replaces: its own entries,
        // marked as hidden (the merged view holds none of them).
        if let Some((own, by)) = hidden_global_list(oc, i) {
            if own.iter().any(|spec| is_ours(spec)) {
                hidden_registration = Some((layer.place(), by.clone()));
            }
            details.push(format!(
                "{}: plugin = [{}], hidden: the `plugin` list of {by} replaces it",
                layer.label(),
                own.iter()
                    .map(|x| format!("{x:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            continue;
        }
        details.push(format!(
            "{}: plugin = [{}]",
            layer.label(),
            specs.join(", ")
        ));
    }
    let loaded: Vec<&PluginEntry> = oc.plugins.iter().filter(|e| is_ours(&e.spec)).collect();
    let listed: Vec<&PluginEntry> = oc
        .plugin_entries
        .iter()
        .filter(|e| is_ours(&e.spec))
        .collect();
    let at = |e: &PluginEntry| oc.layers.get(e.layer).map(Layer::place).unwrap_or_default();

    let mut problems: Vec<Problem> = Vec::new();
    if loaded.len() > 1 {
        problems.push(problem("loaded-twice", format!(
            "OpenCode loads the plugin {} times ({}): several copies write the same files concurrently",
            loaded.len(),
            loaded.iter().map(|e| format!("{:?} from {}", e.spec, at(e))).collect::<Vec<_>>().join(", ")
        )));
        fixes.push(format!(
            "Keep exactly one entry (\"{DEFAULT_SPECIFIER}\") across your OpenCode configs"
        ));
    }
    if let Some(winner) = loaded.last() {
        for e in &listed {
            if !loaded.iter().any(|l| l == e) {
                details.push(format!(
                    "{:?} in {} is overridden by {:?} from {} (OpenCode keeps the last entry of a package)",
                    e.spec,
                    at(e),
                    winner.spec,
                    at(winner)
                ));
            }
        }
    }
    let others: Vec<&PluginEntry> = oc
        .plugins
        .iter()
        .filter(|e| is_other_oauth_plugin(&e.spec))
        .collect();
    if !others.is_empty() {
        problems.push(problem(
            "conflicting-plugin",
            format!(
                "another OpenAI OAuth plugin is registered beside it: {}",
                others
                    .iter()
                    .map(|e| format!("{:?} in {}", e.spec, at(e)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
        fixes.push(
            "Remove the other OpenAI OAuth plugin from `plugin`: both intercept OpenAI requests"
                .to_string(),
        );
    }
    // A `file://` registration whose path is gone (a moved checkout, a `dist/` never
    // built): OpenCode cannot import it, whatever its name says.
    let mut missing_targets: Vec<Problem> = Vec::new();
    for e in &loaded {
        if let Some(path) = e.spec.trim().strip_prefix("file://") {
            if std::fs::metadata(path).is_err() {
                missing_targets.push(problem(
                    "missing-target",
                    format!(
                        "{:?} in {} points at {path}, which does not exist: OpenCode cannot load the plugin from there",
                        e.spec,
                        at(e)
                    ),
                ));
                fixes.push(format!(
                    "Build or check out the plugin at {path} (npm run build makes dist/), or register \"{DEFAULT_SPECIFIER}\" instead in {}",
                    at(e)
                ));
            }
        }
    }
    // codex-kit's bridge replaces the plugin: codex-runtime serves the `openai` provider.
    let bridges: Vec<&PluginEntry> = oc.plugins.iter().filter(|e| is_bridge(&e.spec)).collect();
    if let (Some(bridge), false) = (bridges.first(), loaded.is_empty()) {
        problems.push(problem(
            "bridge-and-plugin",
            format!(
                "both the codex-kit bridge ({:?} from {}) and the plugin are registered: both claim the openai provider, and the bridge's runtime wins every request",
                bridge.spec,
                at(bridge)
            ),
        ));
        fixes.push(format!(
            "Keep one: remove {:?} from {} to let the plugin serve OpenCode, or remove \"{PLUGIN_NAME}\" to use the bridge",
            bridge.spec,
            at(bridge)
        ));
    }
    let mut fails_p: Vec<Problem> = fails.into_iter().map(Problem::from).collect();
    fails_p.extend(missing_targets);
    let mut warns_p: Vec<Problem> = warns.into_iter().map(Problem::from).collect();
    warns_p.extend(problems);
    if let (Some(bridge), true) = (bridges.first(), loaded.is_empty()) {
        let summary = format!(
            "the codex-kit bridge is registered ({:?} in {}): codex-runtime serves the openai provider, the plugin is not needed",
            bridge.spec,
            at(bridge)
        );
        return super::verdict(fails_p, warns_p, || summary.clone(), details, fixes);
    }
    if loaded.is_empty() {
        let any_file = oc.layers.iter().any(|l| l.state != LayerState::Missing);
        let msg = if any_file {
            format!("no OpenCode config layer registers {PLUGIN_NAME}")
        } else {
            format!(
                "no OpenCode config found ({} is missing)",
                show(&installer_file)
            )
        };
        let miscased = oc.plugins.iter().find(|e| is_miscased_ours(&e.spec));
        match &hidden_registration {
            None if miscased.is_some() => {
                let e = miscased
                    .map(|e| (e.spec.clone(), at(e)))
                    .unwrap_or_default();
                fails_p.insert(
                    0,
                    problem(
                        "missing",
                        format!(
                            "{:?} in {} is the plugin's name with capitals: npm names are lower case, so OpenCode cannot install it",
                            e.0, e.1
                        ),
                    ),
                );
                fixes.push(format!(
                    "In {}, write it in lower case: \"{DEFAULT_SPECIFIER}\"",
                    e.1
                ));
            }
            Some((holder, by)) => {
                fails_p.insert(
                    0,
                    problem(
                        "missing",
                        format!(
                            "{holder} registers {PLUGIN_NAME}, but the `plugin` list of {by} replaces it (OpenCode's global files replace arrays, they do not join them)"
                        ),
                    ),
                );
                fixes.push(format!(
                    "Add \"{DEFAULT_SPECIFIER}\" to the \"plugin\" array of {by} (the installer edits only opencode.json, so it cannot help here), or move that file's other entries into {holder} and delete its \"plugin\" key"
                ));
            }
            None => {
                fails_p.insert(0, problem("missing", msg));
                fixes.push(format!(
                    "Run `npx -y {DEFAULT_SPECIFIER} install`, or add \"{DEFAULT_SPECIFIER}\" to the \"plugin\" array of {}",
                    show(&installer_file)
                ));
            }
        }
    }

    let pass = || {
        loaded
            .first()
            .map(|e| format!("registered as {:?} in {}", e.spec, at(e)))
            .unwrap_or_default()
    };
    super::verdict(fails_p, warns_p, pass, details, fixes)
}

/// Whether the file at `path` starts with a UTF-8 byte-order mark.
fn starts_with_bom(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 3];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && head == [0xEF, 0xBB, 0xBF]
}

/// For a global layer at `i` with its own `plugin` list that a later global layer's list
/// replaces: that list's specifiers and the replacing file (shown).
fn hidden_global_list(
    oc: &codex_config::opencode::OpencodeConfig,
    i: usize,
) -> Option<(Vec<String>, String)> {
    let layer = oc.layers.get(i)?;
    if layer.kind != LayerKind::Global {
        return None;
    }
    let list = layer.value()?.get("plugin")?.as_array()?;
    let by = oc.layers[i + 1..]
        .iter()
        .rev()
        .filter(|l| l.kind == LayerKind::Global)
        .find(|l| l.value().is_some_and(|v| v.get("plugin").is_some()))?;
    let base = layer.path.as_deref().and_then(std::path::Path::parent);
    let own = list.iter().filter_map(|e| plugin_spec(e, base)).collect();
    Some((own, by.place()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specifiers() {
        assert!(is_ours("@iam-brain/opencode-codex-auth"));
        assert!(is_ours("@iam-brain/opencode-codex-auth@latest"));
        assert!(is_ours(" @iam-brain/opencode-codex-auth@1.10.0 "));
        assert!(is_ours("file:///home/u/src/opencode-codex-auth/dist"));
        assert!(!is_ours("@iam-brain/opencode-codex-auth-extra"));
        assert!(!is_ours("opencode-openai-codex-auth"));
        assert!(is_other_oauth_plugin("opencode-openai-codex-auth@4.0.0"));
        assert!(!is_other_oauth_plugin("opencode-wakatime"));
    }
}
