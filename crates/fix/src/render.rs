//! Plans as text: a unified diff (via `similar`) for every edit or new file, one plain line
//! for every removal, move and permission change. Colour is optional and the text reads the
//! same without it. JSON forms for `--json` live here too. Every line of file content shown
//! (changed or context) goes through the caller's [`LineFilter`] (the doctor passes its
//! secret scrubber), so a diff cannot show a value the report would hide.

use std::path::Path;

use owo_colors::OwoColorize;
use serde_json::{json, Value};
use similar::{ChangeTag, TextDiff};

use crate::plan::{Action, Fix, Plan};

/// Rewrites one line of file content before it is shown (redaction).
pub type LineFilter<'a> = &'a dyn Fn(&str) -> String;

/// A filter that shows lines as they are (tests, trusted content).
pub fn verbatim(line: &str) -> String {
    line.to_string()
}

/// Lines of context around each change.
const CONTEXT: usize = 3;

fn paint(color: bool, text: &str, f: impl Fn(&str) -> String) -> String {
    if color {
        f(text)
    } else {
        text.to_string()
    }
}

/// A unified diff of `before` → `after` for `path` (`before` = `None` for a new file).
pub fn diff(
    path: &Path,
    before: Option<&[u8]>,
    after: &[u8],
    color: bool,
    filter: LineFilter<'_>,
) -> String {
    let old = before.map(String::from_utf8_lossy).unwrap_or_default();
    let new = String::from_utf8_lossy(after);
    let text = TextDiff::from_lines(old.as_ref(), new.as_ref());
    let shown = path.display().to_string();
    let from = if before.is_some() {
        format!("--- {shown}")
    } else {
        "--- /dev/null".to_string()
    };
    let mut out = String::new();
    out.push_str(&paint(color, &from, |s| s.bold().to_string()));
    out.push('\n');
    out.push_str(&paint(color, &format!("+++ {shown}"), |s| {
        s.bold().to_string()
    }));
    out.push('\n');
    for hunk in text.unified_diff().context_radius(CONTEXT).iter_hunks() {
        out.push_str(&paint(color, &hunk.header().to_string(), |s| {
            s.cyan().to_string()
        }));
        out.push('\n');
        for change in hunk.iter_changes() {
            let (sign, tag) = match change.tag() {
                ChangeTag::Delete => ('-', Some(false)),
                ChangeTag::Insert => ('+', Some(true)),
                ChangeTag::Equal => (' ', None),
            };
            let value = change.value();
            let line = format!(
                "{sign}{}",
                filter(value.strip_suffix('\n').unwrap_or(value))
            );
            out.push_str(&match tag {
                Some(true) => paint(color, &line, |s| s.green().to_string()),
                Some(false) => paint(color, &line, |s| s.red().to_string()),
                None => line,
            });
            out.push('\n');
            if change.missing_newline() {
                out.push_str("\\ No newline at end of file\n");
            }
        }
    }
    out
}

/// One action as text: a diff, or one line.
pub fn action(a: &Action, color: bool, filter: LineFilter<'_>) -> String {
    match a {
        Action::Edit {
            path,
            before,
            after,
        } => diff(path, Some(before), after, color, filter),
        Action::Create {
            path,
            content,
            mode,
        } => format!(
            "create {} (mode {mode:04o})\n{}",
            path.display(),
            diff(path, None, content, color, filter)
        ),
        Action::Remove { path, dir: true } => {
            format!("remove empty directory {}\n", path.display())
        }
        Action::Remove { path, dir: false } => format!("remove {}\n", path.display()),
        Action::Move { from, to } => format!("move {} -> {}\n", from.display(), to.display()),
        Action::Chmod { path, from, to } => {
            format!("chmod {from:04o} -> {to:04o} {}\n", path.display())
        }
    }
}

/// The header line of a fix.
pub fn fix_header(f: &Fix, color: bool) -> String {
    let id = paint(color, &format!("[{}]", f.check_id), |s| {
        s.bold().to_string()
    });
    let store = if f.touches_store {
        " (auth store: taken under its lock)"
    } else {
        ""
    };
    format!("{id} {}: {}{store}\n", f.code, f.summary)
}

/// The whole plan as text, or a line saying there is nothing to fix.
pub fn plan(p: &Plan, color: bool, filter: LineFilter<'_>) -> String {
    if p.is_empty() {
        return "nothing to fix\n".to_string();
    }
    let mut out = String::new();
    for f in &p.fixes {
        out.push_str(&fix_header(f, color));
        for a in &f.actions {
            for line in action(a, color, filter).lines() {
                out.push_str("  ");
                out.push_str(line);
                out.push('\n');
            }
        }
        out.push('\n');
    }
    out
}

/// One action as JSON (see docs/schema/fix.schema.json).
pub fn action_json(a: &Action, filter: LineFilter<'_>) -> Value {
    let mut v = serde_json::to_value(a).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        match a {
            Action::Edit {
                path,
                before,
                after,
            } => {
                m.insert(
                    "diff".into(),
                    json!(diff(path, Some(before), after, false, filter)),
                );
            }
            Action::Create { path, content, .. } => {
                m.insert(
                    "diff".into(),
                    json!(diff(path, None, content, false, filter)),
                );
            }
            _ => {}
        }
    }
    v
}

/// One fix as JSON.
pub fn fix_json(f: &Fix, filter: LineFilter<'_>) -> Value {
    json!({
        "check_id": f.check_id,
        "code": f.code,
        "summary": f.summary,
        "touches_store": f.touches_store,
        "actions": f.actions.iter().map(|a| action_json(a, filter)).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn an_edit_renders_as_a_unified_diff_without_colour() {
        let a = Action::Edit {
            path: PathBuf::from("/h/opencode.json"),
            before: b"{\n  \"a\": 1,\n}\n".to_vec(),
            after: b"{\n  \"a\": 1\n}\n".to_vec(),
        };
        let text = action(&a, false, &verbatim);
        assert_eq!(
            text,
            "--- /h/opencode.json\n+++ /h/opencode.json\n@@ -1,3 +1,3 @@\n {\n-  \"a\": 1,\n+  \"a\": 1\n }\n"
        );
        assert!(action(&a, true, &verbatim).contains("\u{1b}["));
    }

    #[test]
    fn moves_chmods_and_removals_are_one_line() {
        let c = Action::Chmod {
            path: PathBuf::from("/h/a.json"),
            from: 0o644,
            to: 0o600,
        };
        assert_eq!(
            action(&c, false, &verbatim),
            "chmod 0644 -> 0600 /h/a.json\n"
        );
        let r = Action::Remove {
            path: PathBuf::from("/h/x.lock"),
            dir: true,
        };
        assert_eq!(
            action(&r, false, &verbatim),
            "remove empty directory /h/x.lock\n"
        );
        let new = Action::Create {
            path: PathBuf::from("/h/n"),
            content: b"x".to_vec(),
            mode: 0o600,
        };
        let shout = |l: &str| l.to_uppercase();
        assert!(action(&new, false, &shout).contains("+X\n"));
        assert!(action(&new, false, &verbatim).contains(
            "--- /dev/null\n+++ /h/n\n@@ -0,0 +1 @@\n+x\n\\ No newline at end of file\n"
        ));
    }
}
