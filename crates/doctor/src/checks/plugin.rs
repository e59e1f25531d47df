//! `plugin.registered`: does OpenCode load `@iam-brain/opencode-codex-auth`?
//!
//! Looks at `<root>/opencode.json`, `<root>/opencode.jsonc` and `$OPENCODE_CONFIG`. Any
//! specifier whose npm name is the plugin's (with or without `@version`/`@tag`) or a
//! `file://` URL to it counts (reference 3.1). The installer parses `opencode.json` as strict
//! JSON and quarantines it otherwise, so comments or trailing commas there are flagged even
//! though OpenCode itself accepts them.

use std::path::Path;

use codex_config::jsonc;
use serde_json::Value;

use super::{show, CheckDef};
use crate::facts::Facts;
use crate::report::CheckResult;

/// The plugin's npm package name.
pub const PLUGIN_NAME: &str = "@iam-brain/opencode-codex-auth";
/// The specifier the installer writes.
pub const DEFAULT_SPECIFIER: &str = "@iam-brain/opencode-codex-auth@latest";

/// `plugin.registered`.
pub const REGISTERED: CheckDef = CheckDef {
    id: "plugin.registered",
    title: "Plugin registration",
    about:
        "Whether an OpenCode config registers @iam-brain/opencode-codex-auth (once) in `plugin`.",
    run,
};

/// npm package name of a specifier (`@scope/name@1.2.3` → `@scope/name`).
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

/// Whether a specifier registers this plugin.
pub fn is_ours(spec: &str) -> bool {
    let s = spec.trim();
    if s.starts_with("file://") {
        return s.contains("opencode-codex-auth");
    }
    package_name(s) == PLUGIN_NAME
}

/// Whether a specifier is another OpenAI/ChatGPT OAuth plugin that conflicts with this one.
pub fn is_other_oauth_plugin(spec: &str) -> bool {
    if is_ours(spec) {
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

/// Removes trailing commas outside strings (what OpenCode's JSONC parser tolerates).
fn strip_trailing_commas(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut in_str = false;
    let mut esc = false;
    for (i, ch) in s.char_indices() {
        if in_str {
            out.push(ch);
            if esc {
                esc = false;
            } else if ch == '\\' {
                esc = true;
            } else if ch == '"' {
                in_str = false;
            }
            continue;
        }
        if ch == '"' {
            in_str = true;
        } else if ch == ',' {
            let next = b[i + 1..].iter().find(|c| !c.is_ascii_whitespace());
            if matches!(next, Some(b']') | Some(b'}')) {
                out.push(' ');
                continue;
            }
        }
        out.push(ch);
    }
    out
}

/// How an OpenCode config file parsed.
#[derive(Debug)]
pub(crate) enum Parsed {
    Strict(Value),
    Lenient(Value),
    Broken {
        message: String,
        line: usize,
        column: usize,
    },
}

pub(crate) fn parse_config(text: &str) -> Parsed {
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        return Parsed::Strict(v);
    }
    let blanked = strip_trailing_commas(&jsonc::blank_comments(text));
    match serde_json::from_str::<Value>(&blanked) {
        Ok(v) => Parsed::Lenient(v),
        Err(e) => Parsed::Broken {
            message: codex_auth::model::json_error_message(&e),
            line: e.line(),
            column: e.column(),
        },
    }
}

/// An OpenCode config file OpenCode reads.
pub(crate) struct Source {
    /// `opencode.json`, `opencode.jsonc` or `$OPENCODE_CONFIG`.
    pub label: String,
    /// Where.
    pub path: std::path::PathBuf,
    /// Whether the plugin's installer parses it as strict JSON.
    pub strict_required: bool,
}

/// The OpenCode config files, in OpenCode's order (later ones override earlier ones).
pub(crate) fn opencode_sources(
    p: &codex_paths::Paths,
    env: &codex_env::EnvSnapshot,
) -> Vec<Source> {
    let mut sources = vec![
        Source {
            label: "opencode.json".into(),
            path: p.opencode_json().path,
            strict_required: true,
        },
        Source {
            label: "opencode.jsonc".into(),
            path: p.opencode_jsonc().path,
            strict_required: false,
        },
    ];
    if let Some(e) = p.opencode_config_env(env) {
        if !sources.iter().any(|s| s.path == e.path) {
            sources.push(Source {
                label: "$OPENCODE_CONFIG".into(),
                path: e.path,
                strict_required: false,
            });
        }
    }
    sources
}

fn run(f: &Facts) -> CheckResult {
    let p = match f.paths() {
        Ok(p) => p,
        Err(e) => return super::no_paths(&e),
    };
    let sources = opencode_sources(p, &f.env);

    let mut fails: Vec<String> = Vec::new();
    let mut warns: Vec<String> = Vec::new();
    let mut fixes: Vec<String> = Vec::new();
    let mut details: Vec<String> = Vec::new();
    let mut ours: Vec<(String, String)> = Vec::new();
    let mut others: Vec<(String, String)> = Vec::new();
    let mut any_file = false;

    for s in &sources {
        if !s.path.exists() {
            details.push(format!("{} ({}): not present", show(&s.path), s.label));
            continue;
        }
        any_file = true;
        let text = match read_text(&s.path) {
            Ok(t) => t,
            Err(e) => {
                fails.push(format!("{} cannot be read: {e}", show(&s.path)));
                fixes.push(format!("chmod u+r {}", show(&s.path)));
                continue;
            }
        };
        let value = match parse_config(&text) {
            Parsed::Strict(v) => v,
            Parsed::Lenient(v) => {
                if s.strict_required {
                    warns.push(format!(
                        "{} has comments or trailing commas: the plugin's installer parses it as strict JSON and will move it to quarantine/",
                        show(&s.path)
                    ));
                    fixes.push(format!(
                        "Remove the comments and trailing commas from {} (or move it to opencode.jsonc)",
                        show(&s.path)
                    ));
                }
                v
            }
            Parsed::Broken {
                message,
                line,
                column,
            } => {
                fails.push(format!(
                    "{} is not valid JSON: {message} at line {line}, column {column}",
                    show(&s.path)
                ));
                fixes.push(format!(
                    "Fix the syntax error at {}:{line}:{column}",
                    show(&s.path)
                ));
                continue;
            }
        };
        let entries: Vec<String> = match value.get("plugin") {
            None => Vec::new(),
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(Value::as_str)
                .filter(|x| !x.trim().is_empty())
                .map(str::to_string)
                .collect(),
            Some(Value::String(x)) if !x.trim().is_empty() => {
                warns.push(format!(
                    "`plugin` in {} is a string, not an array (the installer rewrites it)",
                    show(&s.path)
                ));
                fixes.push(format!(
                    "In {}, write \"plugin\": [{:?}]",
                    show(&s.path),
                    x.trim()
                ));
                vec![x.clone()]
            }
            Some(other) => {
                warns.push(format!(
                    "`plugin` in {} is {}, not an array: OpenCode ignores it",
                    show(&s.path),
                    codex_auth::model::type_name(other)
                ));
                Vec::new()
            }
        };
        for e in &entries {
            if is_ours(e) {
                ours.push((show(&s.path), e.clone()));
            } else if is_other_oauth_plugin(e) {
                others.push((show(&s.path), e.clone()));
            }
        }
        details.push(format!(
            "{} ({}): plugin = [{}]",
            show(&s.path),
            s.label,
            entries
                .iter()
                .map(|e| format!("{e:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }

    if ours.len() > 1 {
        warns.push(format!(
            "the plugin is registered {} times ({}): several installs write the same files concurrently",
            ours.len(),
            ours.iter().map(|(f, e)| format!("{e:?} in {f}")).collect::<Vec<_>>().join(", ")
        ));
        fixes.push(format!(
            "Keep exactly one entry (\"{DEFAULT_SPECIFIER}\") across your OpenCode configs"
        ));
    }
    if !others.is_empty() {
        warns.push(format!(
            "another OpenAI OAuth plugin is registered beside it: {}",
            others
                .iter()
                .map(|(f, e)| format!("{e:?} in {f}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        fixes.push(
            "Remove the other OpenAI OAuth plugin from `plugin`: both intercept OpenAI requests"
                .to_string(),
        );
    }
    if ours.is_empty() {
        let target = p.opencode_json().path;
        let msg = if any_file {
            "no OpenCode config registers @iam-brain/opencode-codex-auth".to_string()
        } else {
            format!("no OpenCode config found ({} is missing)", show(&target))
        };
        fails.insert(0, msg);
        fixes.push(format!(
            "Run `npx -y {DEFAULT_SPECIFIER} install`, or add \"{DEFAULT_SPECIFIER}\" to the \"plugin\" array of {}",
            show(&target)
        ));
    }

    let pass = || {
        ours.first()
            .map(|(file, spec)| format!("registered as {spec:?} in {file}"))
            .unwrap_or_default()
    };
    super::verdict(fails, warns, pass, details, fixes)
}

pub(crate) fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    String::from_utf8(bytes)
        .map_err(|e| format!("not UTF-8 (byte {})", e.utf8_error().valid_up_to()))
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

    #[test]
    fn lenient_parse_accepts_comments_and_trailing_commas() {
        assert!(matches!(
            parse_config("{\"a\": [1,2,],}"),
            Parsed::Lenient(_)
        ));
        assert!(matches!(
            parse_config("// c\n{\"a\": 1}"),
            Parsed::Lenient(_)
        ));
        assert!(matches!(parse_config("{\"a\": \",]\"}"), Parsed::Strict(_)));
        match parse_config("{\n  \"plugin\": [\n  \"x\"\n  \"y\"]\n}") {
            Parsed::Broken { line, .. } => assert_eq!(line, 4),
            other => panic!("{other:?}"),
        }
    }
}
