//! The report: one flat row per check under a schema version (see `docs/json-report.md`).
//!
//! `Status` is a closed enum so a row cannot be half-passed; `CheckResult` is what a check
//! returns (without timing); `Row` adds the id, group, title and duration; `Report` is the
//! stable JSON document. Every string in a `Report` has already been through the redactor.

use serde::Serialize;

/// JSON schema version of the report.
pub(crate) const SCHEMA_VERSION: u32 = 1;

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Nothing wrong.
    Pass,
    /// Did not apply (with a reason).
    Skip,
    /// Something to look at; does not fail the run unless `--strict`.
    Warn,
    /// Broken; fails the run.
    Fail,
}

impl Status {
    /// Severity order used for group headers: fail > warn > pass > skip.
    pub fn severity(self) -> u8 {
        match self {
            Status::Skip => 0,
            Status::Pass => 1,
            Status::Warn => 2,
            Status::Fail => 3,
        }
    }

    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Skip => "skip",
            Status::Warn => "warn",
            Status::Fail => "fail",
        }
    }
}

/// What a check returns.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    /// Outcome.
    pub status: Status,
    /// One line.
    pub summary: String,
    /// Supporting facts, one per line.
    pub details: Vec<String>,
    /// Fix steps, in order; exact commands or file paths.
    pub fix: Vec<String>,
    /// The individual problems behind a `warn`/`fail` summary, each with the code the check
    /// gave it (empty: the runner uses the check id).
    pub findings: Vec<Finding>,
}

/// One problem a check found.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Finding {
    /// Stable code: the check id, or `<check id>.<kind>` where the check names the kind
    /// (`plugin.registered.missing`). `docs/checks.md` lists the named ones.
    pub code: String,
    /// `warn` or `fail`.
    pub severity: Status,
    /// The problem, one line.
    pub message: String,
}

impl CheckResult {
    fn new(status: Status, summary: impl Into<String>) -> Self {
        CheckResult {
            status,
            summary: summary.into(),
            details: Vec::new(),
            fix: Vec::new(),
            findings: Vec::new(),
        }
    }

    /// A passing result.
    pub fn pass(summary: impl Into<String>) -> Self {
        Self::new(Status::Pass, summary)
    }

    /// A warning.
    pub fn warn(summary: impl Into<String>) -> Self {
        Self::new(Status::Warn, summary)
    }

    /// A failure.
    pub fn fail(summary: impl Into<String>) -> Self {
        Self::new(Status::Fail, summary)
    }

    /// A skipped check, with the reason.
    pub fn skip(reason: impl Into<String>) -> Self {
        Self::new(Status::Skip, reason)
    }

    /// Adds a detail line.
    pub fn detail(mut self, line: impl Into<String>) -> Self {
        self.details.push(line.into());
        self
    }

    /// Adds detail lines.
    pub fn details<I, S>(mut self, lines: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.details.extend(lines.into_iter().map(Into::into));
        self
    }

    /// Adds a fix step.
    pub fn fix(mut self, step: impl Into<String>) -> Self {
        self.fix.push(step.into());
        self
    }

    /// Adds fix steps.
    pub fn fixes<I, S>(mut self, steps: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.fix.extend(steps.into_iter().map(Into::into));
        self
    }
}

/// One row of the report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Row {
    /// Stable check id (`auth.identity`).
    pub id: &'static str,
    /// Group (the id's prefix).
    pub group: &'static str,
    /// Outcome.
    pub status: Status,
    /// Short title.
    pub title: &'static str,
    /// One line.
    pub summary: String,
    /// Supporting facts.
    pub details: Vec<String>,
    /// Fix steps.
    pub fix: Vec<String>,
    /// Every problem behind a `warn`/`fail`, each with a stable code (empty otherwise).
    pub findings: Vec<Finding>,
    /// Wall time of the check in milliseconds.
    pub duration_ms: f64,
}

/// Name and version of the tool.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Tool {
    /// `codex-doctor`.
    pub name: &'static str,
    /// Crate version.
    pub version: &'static str,
}

/// Counts per status.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Passed.
    pub pass: usize,
    /// Warnings.
    pub warn: usize,
    /// Failures.
    pub fail: usize,
    /// Skipped.
    pub skip: usize,
}

/// The summary of a check `--only`/`--skip` left out (a `skip` row).
pub(crate) const NOT_SELECTED: &str = "not selected (--only/--skip)";

impl Row {
    /// Whether `--only`/`--skip` left this check out (it did not run).
    pub fn not_selected(&self) -> bool {
        self.status == Status::Skip && self.summary == NOT_SELECTED
    }
}

/// The whole report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    /// Schema version.
    pub schema: u32,
    /// Tool name and version.
    pub tool: Tool,
    /// RFC 3339 UTC timestamp.
    pub generated_at: String,
    /// Rows in stable order.
    pub checks: Vec<Row>,
    /// Counts.
    pub summary: Summary,
}

impl Report {
    /// Builds a report from rows, computing the summary.
    pub fn new(generated_at: String, checks: Vec<Row>) -> Report {
        let mut summary = Summary::default();
        for r in &checks {
            match r.status {
                Status::Pass => summary.pass += 1,
                Status::Warn => summary.warn += 1,
                Status::Fail => summary.fail += 1,
                Status::Skip => summary.skip += 1,
            }
        }
        Report {
            schema: SCHEMA_VERSION,
            tool: Tool {
                name: "codex-doctor",
                version: env!("CARGO_PKG_VERSION"),
            },
            generated_at,
            checks,
            summary,
        }
    }

    /// Exit code: 1 when a check failed (or warned, with `strict`), else 0.
    pub fn exit_code(&self, strict: bool) -> u8 {
        if self.summary.fail > 0 || (strict && self.summary.warn > 0) {
            1
        } else {
            0
        }
    }
}
