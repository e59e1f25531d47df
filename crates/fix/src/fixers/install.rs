//! `install.command` and `install.skill`: the files the plugin writes at every start when they
//! are missing (reference 3.4): `commands/create-personality.md`,
//! `skills/personality-builder/SKILL.md` and its `references/personality-patterns.md`.
//!
//! The content under `crates/fix/templates/` is the plugin's own (opencode-codex-auth v1.10.0,
//! `lib/personality-command.ts` and `lib/personality-skill.ts`), byte for byte, so the files
//! are exactly what the plugin would have written. Like the plugin, an existing file is never
//! overwritten; new files get mode 0600.

use std::path::Path;

use super::{push, Context, Files, Found};
use crate::plan::Fix;

/// `commands/create-personality.md`, as the plugin writes it.
pub const COMMAND_TEMPLATE: &str = include_str!("../../templates/create-personality.md");
/// `skills/personality-builder/SKILL.md`, as the plugin writes it.
pub const SKILL_TEMPLATE: &str = include_str!("../../templates/SKILL.md");
/// `skills/personality-builder/references/personality-patterns.md`, as the plugin writes it.
pub const PATTERNS_TEMPLATE: &str = include_str!("../../templates/personality-patterns.md");

fn create_missing(
    files: &mut Files,
    found: &mut Found,
    check_id: &'static str,
    wanted: &[(&Path, &str)],
) {
    let mut actions = Vec::new();
    let mut names = Vec::new();
    for (path, content) in wanted {
        if std::fs::symlink_metadata(path).is_ok() {
            continue;
        }
        if let Some(a) = files.write(path, content.to_string(), 0o600) {
            actions.push(a);
            names.push(path.display().to_string());
        }
    }
    push(
        found,
        Fix {
            check_id,
            code: "install.write",
            summary: format!("write the plugin's {} (missing)", names.join(" and ")),
            actions,
            touches_store: false,
        },
    );
}

pub(super) fn fixes(ctx: &Context<'_>, files: &mut Files, found: &mut Found) {
    let p = ctx.paths;
    let command = p.personality_command().path;
    create_missing(
        files,
        found,
        "install.command",
        &[(&command, COMMAND_TEMPLATE)],
    );
    let skill = p.personality_skill().path;
    let reference = p.personality_skill_reference().path;
    // The reference alone does not fail the check; it is written together with SKILL.md.
    if std::fs::symlink_metadata(&skill).is_err() {
        create_missing(
            files,
            found,
            "install.skill",
            &[(&skill, SKILL_TEMPLATE), (&reference, PATTERNS_TEMPLATE)],
        );
    }
}
