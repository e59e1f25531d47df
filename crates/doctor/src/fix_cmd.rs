//! `codex-doctor fix`: plan the repairs (`codex_fix`), show them, apply them when asked, and
//! re-run the affected checks to show before → after.
//!
//! Dry run by default: the plan is printed with a diff for every edit and nothing is written.
//! `--yes` (or a "y" at the terminal prompt) applies it through `codex_fix::engine`, which
//! backs up every file first; `--undo` restores the last run. Every string shown (diffs
//! included) goes through the report's redactor. Nothing here prints: [`run`] returns the
//! text and the exit code, and asks the binary's `confirm` callback before applying.
//! Exit codes: 0 nothing to fix or all applied, 1 something could not be fixed, 2 usage or
//! internal error.

use std::path::Path;
use std::time::{Duration, SystemTime};

use clap::Args;
use codex_env::{env_vars, EnvSnapshot};
use codex_fix::engine::{self, ApplyOptions};
use codex_fix::fixers::{self, Context, Unfixable};
use codex_fix::{render, Action, Fix, FixError, Plan};
use codex_redact::IdentityMode;
use serde_json::{json, Value};

use crate::facts::{FactOptions, Facts};
use crate::redaction::ReportRedactor;
use crate::report::Status;
use crate::runner::{self, Selection};
use crate::{checks, glob};

/// Version of the JSON `fix` prints (docs/schema/fix.schema.json).
pub const SCHEMA_VERSION: u32 = 1;

/// How long a store fix waits for the store's lock.
const LOCK_BUDGET: Duration = Duration::from_secs(12);

/// Flags of `fix`.
#[derive(Debug, Args, Clone, Default)]
pub struct FixArgs {
    /// Only fixes for checks whose id matches (globs: `plugin.*`); default all.
    #[arg(value_name = "CHECK-ID-GLOB")]
    pub checks: Vec<String>,
    /// Apply without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Print the plan (or the result) as JSON.
    #[arg(long)]
    pub json: bool,
    /// Restore the files the last `fix --yes` changed, byte for byte and with their modes.
    #[arg(long, conflicts_with_all = ["yes", "checks"])]
    pub undo: bool,
    /// Apply (or undo) store fixes even while OpenCode is running; undo even files changed
    /// since the run.
    #[arg(long)]
    pub force: bool,
}

/// What the binary prints and returns.
#[derive(Debug, Default)]
pub struct Outcome {
    /// For stdout.
    pub stdout: String,
    /// For stderr, one message per entry.
    pub stderr: Vec<String>,
    /// Exit code.
    pub code: u8,
}

impl Outcome {
    fn error(msg: impl Into<String>) -> Outcome {
        Outcome {
            stdout: String::new(),
            stderr: vec![format!("error: {}", msg.into())],
            code: 2,
        }
    }
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// Statuses of the given checks now.
fn statuses(env: &EnvSnapshot, cwd: &Path, ids: &[&'static str]) -> Vec<(&'static str, Status)> {
    if ids.is_empty() {
        return Vec::new();
    }
    let facts = Facts::new(env.clone(), cwd, FactOptions::default());
    let sel = Selection {
        only: ids.iter().map(|s| s.to_string()).collect(),
        skip: Vec::new(),
    };
    let redactor = ReportRedactor::shapes_only(IdentityMode::Masked);
    let report = runner::run(checks::ALL, &facts, &sel, &redactor, String::new());
    report
        .checks
        .iter()
        .filter(|r| ids.contains(&r.id))
        .map(|r| (r.id, r.status))
        .collect()
}

fn unfixable_lines(u: &[Unfixable], r: &ReportRedactor) -> String {
    let mut s = String::new();
    if !u.is_empty() {
        s.push_str("not fixed automatically:\n");
        for x in u {
            s.push_str(&format!("  [{}] {}\n", x.check_id, r.redact(&x.reason)));
        }
    }
    s
}

fn unfixable_json(u: &[Unfixable], r: &ReportRedactor) -> Value {
    Value::Array(
        u.iter()
            .map(|x| json!({"check_id": x.check_id, "reason": r.redact(&x.reason)}))
            .collect(),
    )
}

fn plan_json(plan: &Plan, r: &ReportRedactor, filter: render::LineFilter<'_>) -> Value {
    let mut v = Value::Array(
        plan.fixes
            .iter()
            .map(|f| render::fix_json(f, filter))
            .collect(),
    );
    redact_strings(&mut v, r);
    v
}

/// Every string in `v` redacted (keys are the program's own and stay).
fn redact_strings(v: &mut Value, r: &ReportRedactor) {
    match v {
        Value::String(s) => *s = r.redact(s),
        Value::Array(a) => a.iter_mut().for_each(|x| redact_strings(x, r)),
        Value::Object(m) => m.values_mut().for_each(|x| redact_strings(x, r)),
        _ => {}
    }
}

/// Who may hold the store's lock: proper-lockfile records no owner, so the running OpenCode
/// processes are the candidates.
fn holder_hint(running: &[String]) -> String {
    if running.is_empty() {
        "hint: no OpenCode process is running here; another codex-kit command, or OpenCode in another container sharing this folder, holds it. A lock is reclaimed 10 s after its holder stops refreshing it".to_string()
    } else {
        format!(
            "hint: the holder is likely one of the running OpenCode processes: {}",
            running.join(", ")
        )
    }
}

/// The cache files `cache.models` and `cache.files` flag, as the checks' own fix lines name
/// them (the checks own the rules; the plugin rebuilds every one of these files).
fn cache_fixes(facts: &Facts, plan: &Plan) -> Vec<Fix> {
    let Ok(paths) = facts.paths() else {
        return Vec::new();
    };
    let mut taken: Vec<std::path::PathBuf> = plan
        .fixes
        .iter()
        .flat_map(|f| {
            f.actions
                .iter()
                .flat_map(|a| a.paths().into_iter().cloned())
        })
        .collect();
    let mut remove = |path: std::path::PathBuf| -> Option<Action> {
        if !path.is_file() || taken.contains(&path) {
            return None;
        }
        taken.push(path.clone());
        Some(Action::Remove { path, dir: false })
    };
    let mut out = Vec::new();
    if (checks::cache::MODELS.run)(facts).status == Status::Warn {
        let actions: Vec<Action> = ["codex-models-cache.json", "codex-models-cache-meta.json"]
            .iter()
            .filter_map(|n| remove(paths.cache_file(n).path))
            .collect();
        if !actions.is_empty() {
            out.push(Fix {
                check_id: "cache.models",
                code: "cache.stale-models",
                summary: "remove the stale GitHub models snapshot and its meta (the plugin refetches both at the next model request)".into(),
                actions,
                touches_store: false,
            });
        }
    }
    for line in (checks::cache::FILES.run)(facts).fix {
        let Some(path) = line
            .strip_prefix("rm ")
            .or_else(|| line.strip_prefix(checks::cache::FIX_REMOVES))
            .and_then(|r| r.strip_suffix(" (the plugin rebuilds it)"))
        else {
            continue;
        };
        if let Some(a) = remove(std::path::PathBuf::from(path)) {
            out.push(Fix {
                check_id: "cache.files",
                code: "cache.bad-file",
                summary: format!("remove the unusable cache file {path} (the plugin rebuilds it)"),
                actions: vec![a],
                touches_store: false,
            });
        }
    }
    out
}

/// A path as the report shows it: the home folder as `~`, identities in folder names masked.
fn show_path(redactor: &ReportRedactor, p: &Path) -> String {
    redactor.redact(&p.display().to_string())
}

/// Runs `fix`. `confirm(plan_text)` is asked before applying without `--yes` (never with
/// `--json`): the binary shows the plan and asks on a terminal (`Some(answer)`), and returns
/// `None` elsewhere, which makes the run a dry run. `color` colours the diffs.
pub fn run(
    env: EnvSnapshot,
    cwd: &Path,
    args: &FixArgs,
    color: bool,
    confirm: &mut dyn FnMut(&str) -> Option<bool>,
) -> Outcome {
    let facts = Facts::new(env.clone(), cwd, FactOptions::default());
    let paths = match facts.paths() {
        Ok(p) => p.clone(),
        Err(e) => return Outcome::error(e),
    };
    let state = match engine::state_dir(&env) {
        Ok(s) => s,
        Err(e) => return Outcome::error(e.to_string()),
    };
    let store = paths.auth_store().path;
    let redactor = runner::build_redactor(&facts, IdentityMode::Masked);

    let running: Vec<String> = facts
        .processes()
        .iter()
        .map(|p| format!("pid {} ({})", p.pid, p.name))
        .collect();
    let pause_between = env
        .non_blank(env_vars::CODEX_DOCTOR_FIX_PAUSE_MS)
        .and_then(|v| v.parse::<u64>().ok())
        .map(Duration::from_millis);
    let opts = ApplyOptions {
        state_dir: state,
        store_path: store,
        opencode_running: running,
        force: args.force,
        lock_budget: LOCK_BUDGET,
        pause_between,
    };

    if args.undo {
        return match engine::undo(&opts) {
            Ok(u) => {
                let stdout = if args.json {
                    pretty(&json!({
                        "version": SCHEMA_VERSION,
                        "mode": "undone",
                        "run_id": u.run_id,
                        "restored": u.restored.iter().map(|p| show_path(&redactor, p)).collect::<Vec<_>>(),
                    }))
                } else {
                    let mut s = format!("undid fix run {}; restored:\n", u.run_id);
                    for p in &u.restored {
                        s.push_str(&format!("  {}\n", show_path(&redactor, p)));
                    }
                    s
                };
                Outcome {
                    stdout,
                    stderr: Vec::new(),
                    code: 0,
                }
            }
            Err(e @ FixError::NothingToUndo(_)) => Outcome {
                stdout: String::new(),
                stderr: vec![
                    format!("error: {}", redactor.redact(&e.to_string())),
                    "\nhint: runs already undone or rolled back are passed over; `codex-doctor fix` shows what would be repaired now".to_string(),
                ],
                code: 1,
            },
            Err(e) => Outcome {
                stdout: String::new(),
                stderr: vec![format!("error: {}", redactor.redact(&e.to_string()))],
                code: 1,
            },
        };
    }

    let mut stderr = Vec::new();
    for p in &args.checks {
        if !checks::ALL.iter().any(|c| glob::matches(p, c.id)) {
            // The pattern is shown redacted: it may be a token pasted in the wrong place.
            stderr.push(redactor.redact(&format!(
                "warning: pattern {p:?} matches no check id (see `codex-doctor explain --list`)"
            )));
        }
    }
    let selected =
        |id: &str| args.checks.is_empty() || args.checks.iter().any(|p| glob::matches(p, id));
    let ctx = Context {
        paths: &paths,
        env: &env,
        now: SystemTime::now(),
        opencode: facts.opencode_config(),
    };
    let mut found = fixers::find(&ctx);
    let extra = cache_fixes(&facts, &found.plan);
    found.plan.fixes.extend(extra);
    found.plan.retain(selected);
    found.unfixable.retain(|u| selected(u.check_id));
    let unfixable_code = if found.unfixable.is_empty() { 0 } else { 1 };
    let plan = found.plan;

    // File content in diffs goes through the same engine line by line (a line is judged
    // with its neighbours out of sight), then the whole rendering once more.
    let filter = |line: &str| redactor.redact(line);
    let plan_text = redactor.redact(&render::plan(&plan, color, &filter));
    let notes = unfixable_lines(&found.unfixable, &redactor);
    if plan.is_empty() {
        let stdout = if args.json {
            pretty(&json!({
                "version": SCHEMA_VERSION, "mode": "plan", "fixes": [],
                "unfixable": unfixable_json(&found.unfixable, &redactor),
            }))
        } else {
            format!("{plan_text}{notes}")
        };
        return Outcome {
            stdout,
            stderr,
            code: unfixable_code,
        };
    }

    let asked = if args.yes || args.json {
        None
    } else {
        confirm(&format!("{plan_text}{notes}"))
    };
    let apply = args.yes || asked == Some(true);
    if !apply {
        let stdout = if args.json {
            pretty(&json!({
                "version": SCHEMA_VERSION, "mode": "plan",
                "fixes": plan_json(&plan, &redactor, &filter),
                "unfixable": unfixable_json(&found.unfixable, &redactor),
            }))
        } else if asked.is_some() {
            "nothing was written\n".to_string()
        } else {
            format!("{plan_text}{notes}dry run: nothing was written; run `codex-doctor fix --yes` to apply\n")
        };
        return Outcome {
            stdout,
            stderr,
            code: unfixable_code,
        };
    }

    // While OpenCode runs, the fixes that touch the store wait (unless --force); the others
    // are applied (found from the user's side: one store fix held back every fix).
    let mut plan = plan;
    if !opts.force && !opts.opencode_running.is_empty() && plan.touches_store() {
        let (store, rest): (Vec<_>, Vec<_>) =
            plan.fixes.iter().cloned().partition(|f| f.touches_store);
        if !rest.is_empty() {
            stderr.push(format!(
                "note: OpenCode is running ({}): the fixes that touch the auth store were held back ({}); quit OpenCode and run `codex-doctor fix` again for them, or pass --force",
                opts.opencode_running.join(", "),
                store.iter().map(|f| f.code).collect::<Vec<_>>().join(", ")
            ));
            plan.fixes = rest;
        }
    }
    let ids = plan.check_ids();
    let before = statuses(&env, cwd, &ids);
    let applied = engine::apply(&plan, &opts);
    let after = statuses(&env, cwd, &ids);
    let changes: Vec<Value> = ids
        .iter()
        .map(|id| {
            let b = before
                .iter()
                .find(|(i, _)| i == id)
                .map(|(_, s)| s.as_str());
            let a = after.iter().find(|(i, _)| i == id).map(|(_, s)| s.as_str());
            json!({"id": id, "before": b, "after": a})
        })
        .collect();
    let still_bad = after.iter().any(|(_, s)| *s != Status::Pass);
    let (code, head, run_id, error) = match &applied {
        Ok(a) => (
            if still_bad { 1 } else { unfixable_code },
            format!(
                "applied {} change(s); backups and manifest in {} (undo: codex-doctor fix --undo)\n",
                a.actions,
                show_path(&redactor, &a.run_dir)
            ),
            Some(a.run_id.clone()),
            None,
        ),
        Err(e) => {
            let msg = redactor.redact(&e.to_string());
            (1, String::new(), None, Some(msg))
        }
    };
    if let Some(e) = &error {
        stderr.push(format!("error: {e}"));
    }
    if let Err(FixError::Lock(codex_fix::error::LockError::Held { .. })) = &applied {
        stderr.push(holder_hint(&opts.opencode_running));
    }
    let stdout = if args.json {
        pretty(&json!({
            "version": SCHEMA_VERSION,
            "mode": if applied.is_ok() { "applied" } else { "failed" },
            "run_id": run_id,
            "error": error,
            "fixes": plan_json(&plan, &redactor, &filter),
            "checks": changes,
            "unfixable": unfixable_json(&found.unfixable, &redactor),
        }))
    } else {
        let mut s = if args.yes { plan_text } else { String::new() };
        s.push_str(&head);
        for c in &changes {
            s.push_str(&format!(
                "  {}: {} -> {}\n",
                c["id"].as_str().unwrap_or_default(),
                c["before"].as_str().unwrap_or("?"),
                c["after"].as_str().unwrap_or("?")
            ));
        }
        s.push_str(&notes);
        s
    };
    Outcome {
        stdout,
        stderr,
        code,
    }
}
