//! `plugin.registered`: OpenCode config syntax the installer rejects, the plugin missing from
//! `plugin`, duplicate registrations and conflicting OAuth plugins (reference 3.1–3.2).
//!
//! Edits are made in the text (see `textedit`), so comments, formatting, key order and every
//! other plugin stay as they were. A config that even a lenient read cannot parse is parsed
//! with `json5` and rewritten as 2-space JSON (the diff shows what that changes).

use ::codex_config::opencode::{plugin_spec, LayerKind, OpencodeConfig, PluginEntry};
use serde_json::Value;

use super::{push, Context, Files, Found};
use crate::plan::Fix;
use crate::textedit;

use ::codex_config::opencode::{is_bridge, is_other_oauth_plugin, is_ours, DEFAULT_SPECIFIER};

/// OpenCode's config schema URL, written into a new `opencode.json`.
const SCHEMA_URL: &str = "https://opencode.ai/config.json";
const CHECK: &str = "plugin.registered";

struct Source {
    path: std::path::PathBuf,
    /// The installer parses it with `JSON.parse`.
    strict: bool,
}

fn sources(ctx: &Context<'_>) -> Vec<Source> {
    let p = ctx.paths;
    let mut out = vec![
        Source {
            path: p.opencode_json().path,
            strict: true,
        },
        Source {
            path: p.opencode_jsonc().path,
            strict: false,
        },
    ];
    if let Some(e) = p.opencode_config_env(ctx.env) {
        if !out.iter().any(|s| s.path == e.path) {
            out.push(Source {
                path: e.path,
                strict: false,
            });
        }
    }
    out
}

/// OpenCode's lenient read of the text as written (comments and trailing commas allowed).
pub(crate) fn parse_lenient(text: &str) -> Option<Value> {
    ::codex_config::opencode::parse_lenient(text)
        .ok()
        .map(|(v, _)| v)
}

fn pretty(v: &Value) -> Option<String> {
    serde_json::to_string_pretty(v).ok().map(|s| s + "\n")
}

fn string_literal(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Syntax the installer (strict sources) or OpenCode (all sources) cannot read.
fn syntax(ctx: &Context<'_>, files: &mut Files, found: &mut Found) {
    for s in sources(ctx) {
        let Some(text) = files.text(&s.path) else {
            continue;
        };
        if serde_json::from_str::<Value>(&text).is_ok() {
            continue;
        }
        let show = s.path.display();
        let (code, summary, after) = match parse_lenient(&text) {
            Some(_) if !s.strict => continue,
            Some(value) => {
                let cleaned = textedit::remove_trailing_commas(&textedit::remove_comments(&text));
                let after = match serde_json::from_str::<Value>(&cleaned) {
                    Ok(v) if v == value => Some(cleaned),
                    _ => pretty(&value),
                };
                (
                    "plugin.strict-json",
                    format!("remove the comments and trailing commas the installer's JSON.parse rejects from {show}"),
                    after,
                )
            }
            // `{env:NAME}` outside a string: OpenCode substitutes it before parsing, and a
            // rewrite would have to drop or expand it.
            None if text.contains("{env:")
                && matches!(
                    ::codex_config::opencode::parse_text(&text, ctx.env),
                    ::codex_config::opencode::LayerState::Loaded { .. }
                ) =>
            {
                if s.strict {
                    found.unfixable(
                        CHECK,
                        format!("{show} uses {{env:…}} outside a string, which OpenCode substitutes but the plugin installer's JSON.parse cannot read; quote it or edit the file by hand"),
                    );
                }
                continue;
            }
            None => match json5::from_str::<Value>(&text) {
                Ok(value) => (
                    "plugin.reformat",
                    format!("rewrite {show} as plain JSON (it only parses as JSON5)"),
                    pretty(&value),
                ),
                Err(e) => {
                    found.unfixable(
                        CHECK,
                        format!("{show} does not parse even leniently ({e}); repair it by hand"),
                    );
                    continue;
                }
            },
        };
        let Some(after) = after else { continue };
        if let Some(action) = files.write(&s.path, after, 0o600) {
            push(
                found,
                Fix {
                    check_id: CHECK,
                    code,
                    summary,
                    actions: vec![action],
                    touches_store: false,
                },
            );
        }
    }
}

/// `"plugin": "<spec>"` (a string, which the installer rewrites): made a one-item array.
fn string_to_array(ctx: &Context<'_>, files: &mut Files, found: &mut Found) {
    for s in sources(ctx) {
        let Some(text) = files.text(&s.path) else {
            continue;
        };
        let Some(Value::Object(obj)) = parse_lenient(&text) else {
            continue;
        };
        let Some(Value::String(spec)) = obj.get("plugin") else {
            continue;
        };
        if spec.trim().is_empty() {
            continue;
        }
        let blanked = textedit::blank(&text);
        let Some((_, _, members)) = textedit::top_object(&blanked) else {
            continue;
        };
        let Some(m) = members.iter().rev().find(|m| m.key == "plugin") else {
            continue;
        };
        let after = format!(
            "{}[{}]{}",
            &text[..m.value_start],
            &text[m.value_start..m.value_end],
            &text[m.value_end..]
        );
        if let Some(action) = files.write(&s.path, after, 0o600) {
            push(
                found,
                Fix {
                    check_id: CHECK,
                    code: "plugin.array",
                    summary: format!("make `plugin` in {} an array", s.path.display()),
                    actions: vec![action],
                    touches_store: false,
                },
            );
        }
    }
}

/// Items of the top-level `plugin` array of `text`: `(index, string)`.
fn plugin_items(text: &str) -> Vec<(usize, String)> {
    let Some(Value::Object(m)) = parse_lenient(text) else {
        return Vec::new();
    };
    match m.get("plugin") {
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.as_str().map(|s| (i, s.to_string())))
            .collect(),
        _ => Vec::new(),
    }
}

/// `text` without item `idx` of its top-level `plugin` array.
fn without_item(text: &str, idx: usize) -> Option<String> {
    let blanked = textedit::blank(text);
    let (_, _, members) = textedit::top_object(&blanked)?;
    let m = members.iter().rev().find(|m| m.key == "plugin")?;
    Some(textedit::remove_item(text, m.value_start, m.value_end, idx))
}

/// The layer files of OpenCode's merged config that hold `plugin` entries, with the entries
/// to take out of each; entries in a layer without a file (`$OPENCODE_CONFIG_CONTENT`) or in
/// a plugin file cannot be edited and are reported.
fn drop_entries(
    oc: &OpencodeConfig,
    drop: &[&PluginEntry],
    found: &mut Found,
) -> Vec<(std::path::PathBuf, Vec<String>)> {
    let mut by_file: Vec<(std::path::PathBuf, Vec<String>)> = Vec::new();
    for e in drop {
        let Some(layer) = oc.layers.get(e.layer) else {
            continue;
        };
        match (&layer.path, layer.kind) {
            (Some(path), kind) if kind != LayerKind::PluginFile => {
                match by_file.iter_mut().find(|(p, _)| p == path) {
                    Some((_, specs)) => specs.push(e.spec.clone()),
                    None => by_file.push((path.clone(), vec![e.spec.clone()])),
                }
            }
            _ => found.unfixable(
                CHECK,
                format!(
                    "{:?} comes from {}, which fix does not edit; remove it there",
                    e.spec,
                    layer.label()
                ),
            ),
        }
    }
    by_file
}

/// Duplicate registrations of this plugin and other OpenAI OAuth plugins, as OpenCode loads
/// them (the merged view). Of the copies OpenCode loads, the one in the broadest layer is
/// kept (the global config first, then `$OPENCODE_CONFIG`, then the rest; the first of
/// equals): a repair run in one project never takes the registration out of the global
/// config that every other project relies on. Every other entry of this plugin in a layer
/// as narrow as the kept one or narrower, and every conflicting plugin, is taken out of the
/// file that lists it; an entry of a broader layer that the kept one overrides stays
/// (OpenCode loads the package once, and other projects still need it).
fn duplicates(ctx: &Context<'_>, files: &mut Files, found: &mut Found) {
    let Some(oc) = ctx.opencode else {
        return;
    };
    let listed: Vec<&PluginEntry> = oc
        .plugin_entries
        .iter()
        .filter(|e| is_ours(&e.spec))
        .collect();
    let breadth = |e: &PluginEntry| match oc.layers.get(e.layer).map(|l| l.kind) {
        Some(LayerKind::Global) => 0,
        Some(LayerKind::Custom) => 1,
        _ => 2,
    };
    let keep = oc
        .plugins
        .iter()
        .filter(|e| is_ours(&e.spec))
        .min_by_key(|e| breadth(e));
    let mut drop: Vec<&PluginEntry> = listed
        .iter()
        .copied()
        .filter(|e| Some(*e) != keep && keep.is_none_or(|k| breadth(e) >= breadth(k)))
        .collect();
    let conflicting: Vec<&PluginEntry> = oc
        .plugin_entries
        .iter()
        .filter(|e| is_other_oauth_plugin(&e.spec))
        .collect();
    drop.extend(conflicting.iter().copied());
    for (path, specs) in drop_entries(oc, &drop, found) {
        let Some(mut text) = files.text(&path) else {
            continue;
        };
        let base = path.parent().map(std::path::Path::to_path_buf);
        let mut dropped = Vec::new();
        let mut removed = Vec::new();
        // Last first, so earlier indexes stay valid; the kept entry stays where it is.
        for (i, raw) in plugin_items(&text).iter().rev() {
            let spec = plugin_spec(&Value::String(raw.clone()), base.as_deref());
            let Some(spec) = spec else { continue };
            let is_kept = keep.is_some_and(|k| {
                oc.layers.get(k.layer).and_then(|l| l.path.as_ref()) == Some(&path)
                    && k.spec == spec
                    && !removed.contains(&spec)
            });
            if is_kept {
                removed.push(spec);
                continue;
            }
            if specs.contains(&spec) {
                if let Some(t) = without_item(&text, *i) {
                    text = t;
                    dropped.push(raw.clone());
                }
            }
        }
        if dropped.is_empty() {
            continue;
        }
        let ours: Vec<&String> = dropped.iter().filter(|x| is_ours(x)).collect();
        let others: Vec<&String> = dropped.iter().filter(|x| !is_ours(x)).collect();
        let show = path.display();
        let (code, summary) = match (ours.is_empty(), others.is_empty()) {
            (false, true) => (
                "plugin.dedupe",
                format!("keep one registration of the plugin: remove {ours:?} from {show}"),
            ),
            (true, _) => (
                "plugin.conflict",
                format!("remove the conflicting OpenAI OAuth plugin(s) {others:?} from {show}"),
            ),
            (false, false) => (
                "plugin.dedupe",
                format!("remove the duplicate {ours:?} and the conflicting {others:?} from {show}"),
            ),
        };
        if let Some(action) = files.write(&path, text, 0o600) {
            push(
                found,
                Fix {
                    check_id: CHECK,
                    code,
                    summary,
                    actions: vec![action],
                    touches_store: false,
                },
            );
        }
    }
}

/// The global config file a new registration goes into: the one whose `plugin` array is in
/// effect (the global files replace each other's arrays), else the last global file present,
/// else `opencode.json`, which the plugin's installer creates.
fn registration_target(ctx: &Context<'_>) -> std::path::PathBuf {
    let globals: Vec<&::codex_config::opencode::Layer> = ctx
        .opencode
        .map(|oc| {
            oc.layers
                .iter()
                .filter(|l| l.kind == LayerKind::Global)
                .collect()
        })
        .unwrap_or_default();
    let with_plugin = globals
        .iter()
        .rev()
        .find(|l| l.value().is_some_and(|v| v.get("plugin").is_some()));
    let present = globals
        .iter()
        .rev()
        .find(|l| l.state != ::codex_config::opencode::LayerState::Missing);
    with_plugin
        .or(present)
        .and_then(|l| l.path.clone())
        .unwrap_or_else(|| ctx.paths.opencode_json().path)
}

/// The plugin in no config OpenCode reads: add it to the global file in effect (or create
/// `opencode.json` as the installer does).
fn register(ctx: &Context<'_>, files: &mut Files, found: &mut Found) {
    // OpenCode's merged view as the files stand, or a file an earlier fix of this run
    // rewrites into one OpenCode can read (a json5-only file, a `plugin` string).
    // codex-kit's bridge replaces the plugin: adding the plugin beside it would make both
    // claim the `openai` provider.
    let registered = ctx.opencode.is_some_and(|oc| {
        oc.plugins
            .iter()
            .any(|e| is_ours(&e.spec) || is_bridge(&e.spec))
    }) || sources(ctx)
        .iter()
        .filter(|s| files.changed(&s.path))
        .filter_map(|s| files.text(&s.path))
        .any(|t| plugin_items(&t).iter().any(|(_, x)| is_ours(x)));
    if registered {
        return;
    }
    let path = registration_target(ctx);
    let text = files.text(&path);
    if text.is_none() && std::fs::symlink_metadata(&path).is_ok() {
        found.unfixable(
            CHECK,
            format!(
                "{} exists but cannot be read as UTF-8 text; the plugin was not added anywhere",
                path.display()
            ),
        );
        return;
    }
    let spec = string_literal(DEFAULT_SPECIFIER);
    let after = match text {
        None => format!(
            "{{\n  \"$schema\": {},\n  \"plugin\": [\n    {spec}\n  ]\n}}\n",
            string_literal(SCHEMA_URL)
        ),
        Some(text) => {
            let blanked = textedit::blank(&text);
            let Some((_, _, members)) = textedit::top_object(&blanked) else {
                found.unfixable(
                    CHECK,
                    format!(
                        "{} is not a JSON object OpenCode can read; the plugin cannot be added to it",
                        path.display()
                    ),
                );
                return;
            };
            let Some(value) = parse_lenient(&text) else {
                found.unfixable(
                    CHECK,
                    format!(
                        "{} does not parse; the plugin cannot be added to it",
                        path.display()
                    ),
                );
                return;
            };
            match members.iter().rev().find(|m| m.key == "plugin") {
                Some(m) => match value.get("plugin") {
                    Some(Value::Array(_)) => {
                        textedit::append_item(&text, m.value_start, m.value_end, &spec)
                    }
                    Some(Value::String(x)) if !x.trim().is_empty() => format!(
                        "{}[{}, {spec}]{}",
                        &text[..m.value_start],
                        string_literal(x),
                        &text[m.value_end..]
                    ),
                    _ => format!("{}[{spec}]{}", &text[..m.value_start], &text[m.value_end..]),
                },
                None => match textedit::add_member(&text, "plugin", &format!("[{spec}]")) {
                    Some(t) => t,
                    None => return,
                },
            }
        }
    };
    let summary = format!(
        "add {DEFAULT_SPECIFIER:?} to the plugin array of {}",
        path.display()
    );
    if let Some(action) = files.write(&path, after, 0o600) {
        push(
            found,
            Fix {
                check_id: CHECK,
                code: "plugin.add",
                summary,
                actions: vec![action],
                touches_store: false,
            },
        );
    }
}

pub(super) fn fixes(ctx: &Context<'_>, files: &mut Files, found: &mut Found) {
    syntax(ctx, files, found);
    string_to_array(ctx, files, found);
    duplicates(ctx, files, found);
    register(ctx, files, found);
}
