//! `manifest.json`: every file in the bundle with its origin, sizes, hash and redaction
//! counts, and every file left out with the reason.

use std::collections::BTreeMap;

use codex_scrub::Counts;
use serde::Serialize;

/// The manifest document (schema 1).
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    /// Schema version.
    pub schema: u32,
    /// The tool that wrote the bundle.
    pub tool: Tool,
    /// When (RFC 3339 UTC).
    pub generated_at: String,
    /// The options in force.
    pub options: ManifestOptions,
    /// The roots, home shown as `~`.
    pub roots: BTreeMap<&'static str, String>,
    /// Files in the zip (the manifest itself excepted), in zip order.
    pub files: Vec<FileEntry>,
    /// Files left out, with the reason.
    pub excluded: Vec<Excluded>,
    /// Redactions over the whole bundle.
    pub redactions: Redactions,
    /// Totals.
    pub totals: Totals,
}

/// Tool name and version.
#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    /// `codex-doctor`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// Options as given.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestOptions {
    /// `--since`, in seconds (`null`: all logs).
    pub since_seconds: Option<u64>,
    /// `--max-bytes`.
    pub max_bytes: u64,
    /// `--include-bodies`.
    pub include_bodies: bool,
}

/// One file in the zip.
#[derive(Debug, Clone, Serialize)]
pub struct FileEntry {
    /// Path inside the zip.
    pub path: String,
    /// Where it came from, relative to its root (`null` for generated files).
    pub source: Option<String>,
    /// `config`, `data` or `generated`.
    pub root: &'static str,
    /// Size of the original (or of the generated text before redaction).
    pub bytes_before: u64,
    /// Size in the zip (uncompressed).
    pub bytes_after: u64,
    /// SHA-256 of the bytes in the zip.
    pub sha256: String,
    /// Redactions by rule (a list, so rule names such as `cookie` are never JSON keys that
    /// the redactor itself would treat as secret).
    pub redactions: Vec<RuleCount>,
    /// Anything worth knowing (summarized, cut, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One file left out.
#[derive(Debug, Clone, Serialize)]
pub struct Excluded {
    /// Its path relative to its root.
    pub source: String,
    /// `config`, `data` or `outside`.
    pub root: &'static str,
    /// Why.
    pub reason: String,
    /// Size, when known.
    pub bytes: Option<u64>,
    /// Modification time (RFC 3339), when known.
    pub modified: Option<String>,
}

impl Excluded {
    /// Left out because it could not be read (not by choice).
    pub fn is_unreadable(&self) -> bool {
        self.reason.starts_with("unreadable")
    }

    /// The line the terminal shows for it.
    pub fn terminal_line(&self) -> String {
        format!("left out {}:{}: {}", self.root, self.source, self.reason)
    }
}

/// Redaction counts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Redactions {
    /// All rules together.
    pub total: u64,
    /// By rule name.
    pub by_rule: Vec<RuleCount>,
}

/// How often one rule fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCount {
    /// The rule (`email`, `jwt`, …).
    pub rule: &'static str,
    /// Matches replaced.
    pub count: u64,
}

/// Totals over the files in the zip.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    /// Files (the manifest included).
    pub files: u64,
    /// Bytes before redaction.
    pub bytes_before: u64,
    /// Bytes in the zip (uncompressed).
    pub bytes_after: u64,
}

/// Counts as a list of rule and count.
pub fn counts_map(c: &Counts) -> Vec<RuleCount> {
    c.nonzero()
        .map(|(r, n)| RuleCount {
            rule: r.as_str(),
            count: n,
        })
        .collect()
}
