//! JSON rendering of the report (schema in `docs/json-report.md`).

use crate::report::Report;

/// Pretty JSON with a trailing newline.
pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report)
        .unwrap_or_else(|e| format!("{{\"schema\":1,\"error\":\"cannot serialize report: {e}\"}}"));
    s.push('\n');
    s
}
