//! `process.opencode`: which OpenCode processes are running?
//!
//! Running instances hold the plugin (and its locks) in memory. A stale lock while OpenCode
//! runs usually means a crashed write or a hung instance, so both are reported together.

use super::CheckDef;
use crate::facts::{Facts, ProcInfo};
use crate::report::CheckResult;

/// `process.opencode`.
pub const OPENCODE: CheckDef = CheckDef {
    id: "process.opencode",
    title: "Running OpenCode",
    about: "Running OpenCode processes, and whether one runs while a lock is stale.",
    run,
};

fn run(f: &Facts) -> CheckResult {
    let procs = f.processes();
    let stale: Vec<String> = f
        .locks()
        .iter()
        .filter(|l| {
            l.info
                .age(f.now)
                .is_some_and(|a| a.as_secs_f64() * 1000.0 > super::locks::STALE_MS)
        })
        .map(|l| l.info.path.display().to_string())
        .collect();
    judge(procs, &stale)
}

/// The verdict for the OpenCode processes found and the stale lock paths.
fn judge(procs: &[ProcInfo], stale: &[String]) -> CheckResult {
    let listing: Vec<String> = procs
        .iter()
        .map(|p| format!("pid {} ({})", p.pid, p.name))
        .collect();
    if procs.is_empty() {
        return CheckResult::pass("no OpenCode process is running");
    }
    if !stale.is_empty() {
        return CheckResult::warn(format!(
            "{} OpenCode process(es) running while a lock is stale",
            procs.len()
        ))
        .details(listing)
        .details(stale.iter().map(|s| format!("stale lock {s}")))
        .fix("Quit OpenCode (all windows), then rerun codex-doctor; proper-lockfile reclaims locks older than 10 s")
        .fix(format!(
            "If one hangs, stop it: kill {}",
            procs
                .iter()
                .map(|p| p.pid.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        ));
    }
    CheckResult::pass(format!("{} OpenCode process(es) running", procs.len())).details(listing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;

    fn proc(pid: u32) -> ProcInfo {
        ProcInfo {
            pid,
            name: "opencode".into(),
        }
    }

    #[test]
    fn no_process_passes_even_with_a_stale_lock() {
        let r = judge(&[], &["/x/codex-accounts.json.lock.lock".into()]);
        assert_eq!(r.status, Status::Pass);
        assert_eq!(r.summary, "no OpenCode process is running");
    }

    #[test]
    fn processes_are_counted_and_listed() {
        let r = judge(&[proc(7), proc(9)], &[]);
        assert_eq!(r.status, Status::Pass);
        assert_eq!(r.summary, "2 OpenCode process(es) running");
        assert_eq!(r.details, vec!["pid 7 (opencode)", "pid 9 (opencode)"]);
    }

    #[test]
    fn a_stale_lock_while_running_warns_with_both() {
        let r = judge(&[proc(7)], &["/x/a.lock".into()]);
        assert_eq!(r.status, Status::Warn);
        assert!(r.summary.contains("running while a lock is stale"));
        assert_eq!(r.details, vec!["pid 7 (opencode)", "stale lock /x/a.lock"]);
        // The pids are known: the command is complete (found from the user's side).
        assert!(r.fix.iter().any(|f| f.ends_with("kill 7")), "{:?}", r.fix);
    }
}
