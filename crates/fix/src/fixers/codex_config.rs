//! `config.resolved`: a `codex-config` file the plugin ignores whole because it does not parse.
//!
//! The plugin strips comments and then `JSON.parse`s (reference 2.1), so comments are fine and
//! a trailing comma is fatal. Trailing commas are removed in the text (comments stay); when
//! that is not enough, the file is parsed with `json5` and rewritten as 2-space JSON. Either
//! way the result must parse with the plugin's own rule (`codex_config::load::parse_jsonc`).

use codex_config::load::{self, CandidateOutcome};
use serde_json::Value;

use super::{push, Context, Files, Found};
use crate::plan::Fix;
use crate::textedit;

const CHECK: &str = "config.resolved";

pub(super) fn fixes(ctx: &Context<'_>, files: &mut Files, found: &mut Found) {
    let loaded = load::load(ctx.paths, ctx.env);
    for c in &loaded.candidates {
        if !matches!(c.outcome, CandidateOutcome::ParseError { .. }) {
            continue;
        }
        let path = &c.file.path;
        let Some(text) = files.text(path) else {
            continue;
        };
        let show = path.display();
        let commas = textedit::remove_trailing_commas(&text);
        let (code, summary, after) = if load::parse_jsonc(&commas).is_ok() {
            (
                "config.trailing-commas",
                format!("remove the trailing commas the plugin's JSON.parse rejects from {show} (comments stay)"),
                commas,
            )
        } else {
            match json5::from_str::<Value>(&text) {
                Ok(v) => match serde_json::to_string_pretty(&v) {
                    Ok(s) => (
                        "config.reformat",
                        format!("rewrite {show} as plain JSON (it only parses as JSON5; comments are lost)"),
                        s + "\n",
                    ),
                    Err(_) => continue,
                },
                Err(e) => {
                    found.unfixable(
                        CHECK,
                        format!("{show} does not parse even as JSON5 ({e}); repair it by hand"),
                    );
                    continue;
                }
            }
        };
        if let Some(action) = files.write(path, after, 0o600) {
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
