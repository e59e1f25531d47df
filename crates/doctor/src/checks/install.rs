//! `install.command` and `install.skill`: the files the plugin writes at every start-up.
//!
//! `commands/create-personality.md` and `skills/personality-builder/SKILL.md` (loose config
//! root) are written only when missing. Their absence means the plugin has not started since
//! install, or cannot write to the config root.

use super::{show, CheckDef};
use crate::facts::Facts;
use crate::report::CheckResult;

/// `install.command`.
pub const COMMAND: CheckDef = CheckDef {
    id: "install.command",
    title: "/create-personality command",
    about: "The plugin installs commands/create-personality.md at start-up.",
    run: run_command,
};

/// `install.skill`.
pub const SKILL: CheckDef = CheckDef {
    id: "install.skill",
    title: "personality-builder skill",
    about: "The plugin installs skills/personality-builder/SKILL.md at start-up.",
    run: run_skill,
};

fn missing_fix(r: CheckResult) -> CheckResult {
    r.fix("Start OpenCode once with the plugin registered (it writes the file), or run `npx -y @iam-brain/opencode-codex-auth@latest install`")
}

fn run_command(f: &Facts) -> CheckResult {
    let p = match f.paths() {
        Ok(p) => p,
        Err(e) => return super::no_paths(&e),
    };
    let file = p.personality_command();
    if file.path.is_file() {
        CheckResult::pass(format!("{} present", show(&file.path)))
    } else {
        missing_fix(CheckResult::warn(format!(
            "{} is missing",
            show(&file.path)
        )))
    }
}

fn run_skill(f: &Facts) -> CheckResult {
    let p = match f.paths() {
        Ok(p) => p,
        Err(e) => return super::no_paths(&e),
    };
    let file = p.personality_skill();
    if !file.path.is_file() {
        return missing_fix(CheckResult::warn(format!(
            "{} is missing",
            show(&file.path)
        )));
    }
    let reference = p.personality_skill_reference();
    let r = CheckResult::pass(format!("{} present", show(&file.path)));
    if reference.path.is_file() {
        r
    } else {
        r.detail(format!(
            "{} is missing (rewritten at the next start)",
            show(&reference.path)
        ))
    }
}
