//! One secret-looking match a scan reports: what `scan` prints and what a dirty bundle's
//! self-scan carries in its error.

use serde::Serialize;

/// One secret-looking match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanFinding {
    /// The file (`bundle.zip!logs/x.jsonl` inside a zip).
    pub file: String,
    /// 1-based line; 0 for a finding in the file's (or entry's) name.
    pub line: u64,
    /// The detector (`jwt`, `email`, …).
    pub rule: String,
    /// Masked preview.
    pub preview: String,
}
