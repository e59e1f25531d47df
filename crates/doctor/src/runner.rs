//! The runner: selects checks, runs them concurrently, catches panics, redacts, times.
//!
//! Every registered check appears exactly once in the report, in registry order: checks left
//! out by `--only`/`--skip` become `skip` rows saying so. A check that panics becomes a `fail`
//! row naming the crash (message redacted) and the run goes on. Redaction happens here, once,
//! on every string of every row (through [`ReportRedactor`], the one engine in its mask
//! style), so the human and JSON renderers cannot differ in what they reveal.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use codex_redact::IdentityMode;

use crate::checks::{self, CheckDef};
use crate::error::DoctorError;
use crate::facts::Facts;
use crate::glob;
use crate::redaction::ReportRedactor;
use crate::report::{CheckResult, Report, Row};

/// Which checks to run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// `--only` patterns (empty = all).
    pub only: Vec<String>,
    /// `--skip` patterns.
    pub skip: Vec<String>,
}

impl Selection {
    /// Whether a check id is selected.
    pub fn selects(&self, id: &str) -> bool {
        (self.only.is_empty() || self.only.iter().any(|p| glob::matches(p, id)))
            && !self.skip.iter().any(|p| glob::matches(p, id))
    }

    /// Patterns that match no check id (a likely typo).
    pub fn unmatched_patterns(&self) -> Vec<String> {
        self.only
            .iter()
            .chain(self.skip.iter())
            .filter(|p| !checks::ALL.iter().any(|c| glob::matches(p, c.id)))
            .cloned()
            .collect()
    }

    /// Refuses patterns that match no check id (a typo would otherwise select nothing and
    /// pass, even with `--strict`), naming the closest ids.
    pub fn validate(&self) -> Result<(), DoctorError> {
        let unmatched = self.unmatched_patterns();
        let Some(first) = unmatched.first() else {
            // Every pattern matches, but together they may leave nothing to run
            // (`--only 'auth.*' --skip 'auth.*'`): as silent a pass as a typo.
            if !checks::ALL.iter().any(|c| self.selects(c.id)) {
                return Err(DoctorError::usage(
                    "--skip leaves none of the checks --only selects: nothing would run",
                )
                .hint("narrow --skip or widen --only; `codex-doctor explain --list` lists every check id"));
            }
            return Ok(());
        };
        let list = unmatched
            .iter()
            .map(|p| format!("{p:?}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut e = DoctorError::usage(format!("--only/--skip pattern {list} matches no check id"));
        let near = closest_ids(first);
        if !near.is_empty() {
            e = e.hint(format!("closest check ids: {}", near.join(", ")));
        }
        Err(e.hint("`codex-doctor explain --list` lists every check id"))
    }
}

/// The check ids (and `group.*` patterns) closest to a pattern, best first, at most 3.
pub fn closest_ids(pattern: &str) -> Vec<String> {
    let bare = pattern.trim().trim_end_matches(".*").trim_matches('*');
    let mut candidates: Vec<String> = checks::ALL.iter().map(|c| c.id.to_string()).collect();
    for c in checks::ALL {
        let g = format!("{}.*", c.group());
        if !candidates.contains(&g) {
            candidates.push(g);
        }
    }
    let rule = crate::closest::Rule {
        take: 3,
        bounded: true,
        substring: false,
    };
    crate::closest::nearest(
        bare,
        candidates
            .into_iter()
            .map(|c| (c.trim_end_matches(".*").to_string(), c)),
        rule,
    )
}

/// The report's redactor for `facts` (see [`ReportRedactor::for_facts`]).
pub fn build_redactor(facts: &Facts, mode: IdentityMode) -> ReportRedactor {
    ReportRedactor::for_facts(facts, mode)
}

fn redact_result(r: &ReportRedactor, mut res: CheckResult) -> CheckResult {
    res.summary = r.redact(&res.summary);
    res.details = res.details.iter().map(|d| r.redact(d)).collect();
    res.fix = res.fix.iter().map(|d| r.redact(d)).collect();
    for f in &mut res.findings {
        f.message = r.redact(&f.message);
    }
    res
}

fn run_one(def: &CheckDef, facts: &Facts) -> (CheckResult, f64) {
    let start = Instant::now();
    let res = match catch_unwind(AssertUnwindSafe(|| (def.run)(facts))) {
        Ok(r) => r,
        // The panic's message may carry anything the check held: it is never shown, as
        // `codex_redact::panic` never shows a binary's.
        Err(_) => CheckResult::fail(format!("the check itself crashed ({})", def.id))
        .fix("Please report this at https://github.com/codex-kit/codex-kit/issues with `codex-doctor --json` output"),
    };
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    (res, (ms * 1000.0).round() / 1000.0)
}

/// Gives every finding a stable code: `<id>.<kind>` where the check named the kind, else the
/// check id; a `warn`/`fail` without findings gets one from its summary.
fn with_codes(id: &str, mut res: CheckResult) -> CheckResult {
    use crate::report::{Finding, Status};
    if !matches!(res.status, Status::Warn | Status::Fail) {
        res.findings.clear();
        return res;
    }
    if res.findings.is_empty() {
        res.findings.push(Finding {
            code: String::new(),
            severity: res.status,
            message: res.summary.clone(),
        });
    }
    for f in &mut res.findings {
        f.code = if f.code.is_empty() {
            id.to_string()
        } else {
            format!("{id}.{}", f.code)
        };
    }
    res
}

/// Runs the given checks (normally [`checks::ALL`]) and builds the redacted report.
pub fn run(
    defs: &[CheckDef],
    facts: &Facts,
    selection: &Selection,
    redactor: &ReportRedactor,
    generated_at: String,
) -> Report {
    run_inner(
        defs,
        facts,
        selection,
        Redaction::Ready(redactor),
        generated_at,
    )
}

/// [`run`] with the report's redactor for `facts` ([`build_redactor`]) built on a thread of
/// its own while the checks run (reading the auth files and compiling every known value in
/// every encoding takes about as long as the checks).
pub fn run_redacted(
    defs: &[CheckDef],
    facts: &Facts,
    selection: &Selection,
    mode: IdentityMode,
    generated_at: String,
) -> Report {
    run_inner(defs, facts, selection, Redaction::Build(mode), generated_at)
}

/// The redactor of a run: given, or built alongside the checks.
enum Redaction<'a> {
    Ready(&'a ReportRedactor),
    Build(IdentityMode),
}

fn run_inner(
    defs: &[CheckDef],
    facts: &Facts,
    selection: &Selection,
    redaction: Redaction<'_>,
    generated_at: String,
) -> Report {
    let slots: Vec<Mutex<Option<(CheckResult, f64)>>> =
        defs.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4);
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(def) = defs.get(i) else { break };
        let outcome = if selection.selects(def.id) {
            run_one(def, facts)
        } else {
            (CheckResult::skip(crate::report::NOT_SELECTED), 0.0)
        };
        if let Ok(mut slot) = slots[i].lock() {
            *slot = Some(outcome);
        }
    };
    let built = std::thread::scope(|s| {
        let builder = match redaction {
            Redaction::Build(mode) => Some(s.spawn(move || build_redactor(facts, mode))),
            Redaction::Ready(_) => None,
        };
        for _ in 1..workers {
            s.spawn(work);
        }
        work();
        // A builder that panicked ends the run as it would have without the thread.
        builder.map(|b| b.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
    });
    let owned;
    let redactor = match redaction {
        Redaction::Ready(r) => r,
        Redaction::Build(mode) => {
            owned = built.unwrap_or_else(|| ReportRedactor::shapes_only(mode));
            &owned
        }
    };
    let outcomes: Vec<(&CheckDef, CheckResult, f64)> = defs
        .iter()
        .zip(slots)
        .map(|(def, slot)| {
            let (res, ms) = slot.into_inner().ok().flatten().unwrap_or_else(|| {
                (
                    CheckResult::fail("the check did not run (internal error)"),
                    0.0,
                )
            });
            (def, res, ms)
        })
        .collect();
    // The results are redacted on every worker, each a run of rows, in order.
    let per = outcomes.len().div_ceil(workers).max(1);
    let mut parts: Vec<Vec<(&CheckDef, CheckResult, f64)>> = Vec::new();
    let mut rest = outcomes.into_iter().peekable();
    while rest.peek().is_some() {
        parts.push(rest.by_ref().take(per).collect());
    }
    let redact_part = |part: Vec<(&CheckDef, CheckResult, f64)>| -> Vec<Row> {
        part.into_iter()
            .map(|(def, res, ms)| {
                let res = redact_result(redactor, with_codes(def.id, res));
                Row {
                    id: def.id,
                    group: def.group(),
                    status: res.status,
                    title: def.title,
                    summary: res.summary,
                    details: res.details,
                    fix: res.fix,
                    findings: res.findings,
                    duration_ms: ms,
                }
            })
            .collect()
    };
    let rows = std::thread::scope(|s| {
        let mut parts = parts.into_iter();
        let first = parts.next();
        let others: Vec<_> = parts.map(|p| s.spawn(move || redact_part(p))).collect();
        let mut rows = first.map(redact_part).unwrap_or_default();
        for h in others {
            rows.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        rows
    });
    Report::new(generated_at, rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::FactOptions;
    use codex_env::EnvSnapshot;

    fn boom(_: &Facts) -> CheckResult {
        panic!("token rt_leaky_refresh_value exploded for bob@example.com")
    }

    fn fine(_: &Facts) -> CheckResult {
        CheckResult::pass("ok")
    }

    const DEFS: &[CheckDef] = &[
        CheckDef {
            id: "t.boom",
            title: "boom",
            about: "",
            run: boom,
        },
        CheckDef {
            id: "t.fine",
            title: "fine",
            about: "",
            run: fine,
        },
        CheckDef {
            id: "u.other",
            title: "other",
            about: "",
            run: fine,
        },
    ];

    #[test]
    fn a_panicking_check_becomes_a_redacted_fail_row_and_the_run_goes_on() {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let facts = Facts::new(
            EnvSnapshot::from_pairs([("HOME", "/nonexistent-home")]),
            std::path::Path::new("/"),
            FactOptions::default(),
        );
        let known = codex_scrub::KnownValues {
            tokens: vec!["rt_leaky_refresh_value".into()],
            ..Default::default()
        };
        let redactor = ReportRedactor::new(&known, None, IdentityMode::Masked);
        let sel = Selection {
            only: vec!["t.*".into()],
            skip: vec![],
        };
        let report = run(DEFS, &facts, &sel, &redactor, "now".into());
        std::panic::set_hook(prev);
        assert_eq!(report.checks.len(), 3);
        let b = &report.checks[0];
        assert_eq!(b.status, crate::report::Status::Fail);
        assert!(
            b.summary.starts_with("the check itself crashed"),
            "{}",
            b.summary
        );
        assert!(
            !b.summary.contains("rt_leaky_refresh_value"),
            "{}",
            b.summary
        );
        assert!(!b.summary.contains("bob@example.com"), "{}", b.summary);
        assert!(
            !b.summary.contains("exploded"),
            "no part of the payload: {}",
            b.summary
        );
        assert_eq!(report.checks[1].status, crate::report::Status::Pass);
        assert_eq!(report.checks[2].status, crate::report::Status::Skip);
        assert_eq!(report.exit_code(false), 1);
    }

    #[test]
    fn the_redactor_knows_what_the_bundle_knows() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let home = tmp.path();
        let cfg = home.join(".config/opencode");
        std::fs::create_dir_all(&cfg).expect("mkdir");
        let acct = serde_json::json!({
            "identityKey": "acc_q1|q@example.com|plus", "accountId": "acc_q1",
            "email": "q@example.com", "plan": "plus", "authTypes": ["native"], "enabled": true,
            "access": "at_store_access_value", "refresh": "rt_store_refresh_value", "expires": 1
        });
        let store = serde_json::json!({"openai": {"type": "oauth", "accounts": [acct],
            "native": {"accounts": [acct]}}});
        std::fs::write(cfg.join("codex-accounts.json"), store.to_string()).expect("store");
        let data = home.join(".local/share/opencode");
        std::fs::create_dir_all(&data).expect("mkdir");
        // Another provider's key in OpenCode's own auth file: no shape rule knows it.
        std::fs::write(
            data.join("auth.json"),
            r#"{"acme": {"type": "api", "key": "acme-key-7f3k2p9q"},
                "wk": {"type": "wellknown", "key": "OPENAI_API_KEY", "token": "wk-tok-55aa66bb"},
                "odd": {"type": "oauth", "authorization": "Bearer"}}"#,
        )
        .expect("auth.json");
        let facts = Facts::new(
            EnvSnapshot::from_pairs([("HOME", home.to_str().expect("utf-8"))]),
            home,
            FactOptions::default(),
        );
        let r = build_redactor(&facts, IdentityMode::Masked);
        let out = r.redact(
            "a rt_store_refresh_value b acme-key-7f3k2p9q c q@example.com d acc_q1|q@example.com|plus e wk-tok-55aa66bb",
        );
        for secret in [
            "rt_store_refresh_value",
            "acme-key-7f3k2p9q",
            "q@example.com",
            "acc_q1|",
            "wk-tok-55aa66bb",
        ] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        assert!(out.starts_with("a ") && out.contains(" b ") && out.contains(" c "));
        // Names and scheme words from the same file are not credentials: text keeps them.
        let out = r.redact("set OPENAI_API_KEY; scheme Bearer");
        assert!(
            out.contains("set OPENAI_API_KEY;") && out.contains("Bearer"),
            "{out}"
        );
    }
}
