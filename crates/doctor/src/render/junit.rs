//! `--format junit`: a JUnit XML report, one `<testcase>` per check, grouped in one
//! `<testsuite>` per check group, for CI systems that display test results.
//!
//! A failed check is a `<failure>`; a warning is a `<failure type="warning">` with `--strict`
//! and otherwise passes with the warning in `<system-out>`; a skipped check is `<skipped>`.
//! The failure text holds the details and fix steps. Everything is XML-escaped.

use crate::report::{Report, Row, Status};

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => {}
            c => out.push(c),
        }
    }
    out
}

fn body(r: &Row) -> String {
    let mut lines: Vec<String> = r.details.iter().map(|d| format!("- {d}")).collect();
    lines.extend(
        r.fix
            .iter()
            .enumerate()
            .map(|(i, f)| format!("fix {}: {f}", i + 1)),
    );
    xml(&lines.join("\n"))
}

fn is_failure(r: &Row, strict: bool) -> bool {
    r.status == Status::Fail || (strict && r.status == Status::Warn)
}

/// Renders the report as JUnit XML.
pub fn render(report: &Report, strict: bool) -> String {
    let mut groups: Vec<(&str, Vec<&Row>)> = Vec::new();
    for r in &report.checks {
        match groups.iter_mut().find(|(g, _)| *g == r.group) {
            Some((_, rows)) => rows.push(r),
            None => groups.push((r.group, vec![r])),
        }
    }
    let failures = report
        .checks
        .iter()
        .filter(|r| is_failure(r, strict))
        .count();
    let skipped = report.summary.skip;
    let total_s: f64 = report.checks.iter().map(|r| r.duration_ms).sum::<f64>() / 1000.0;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"codex-doctor\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{total_s:.6}\" timestamp=\"{}\">\n",
        report.checks.len(),
        xml(&report.generated_at)
    ));
    for (group, rows) in groups {
        let f = rows.iter().filter(|r| is_failure(r, strict)).count();
        let s = rows.iter().filter(|r| r.status == Status::Skip).count();
        let t: f64 = rows.iter().map(|r| r.duration_ms).sum::<f64>() / 1000.0;
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{f}\" errors=\"0\" skipped=\"{s}\" time=\"{t:.6}\">\n",
            xml(group),
            rows.len()
        ));
        for r in rows {
            out.push_str(&format!(
                "    <testcase classname=\"codex-doctor.{}\" name=\"{}\" time=\"{:.6}\"",
                xml(r.group),
                xml(r.id),
                r.duration_ms / 1000.0
            ));
            match r.status {
                Status::Pass => out.push_str("/>\n"),
                Status::Skip => out.push_str(&format!(
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>\n",
                    xml(&r.summary)
                )),
                Status::Fail => out.push_str(&format!(
                    ">\n      <failure type=\"fail\" message=\"{}\">{}</failure>\n    </testcase>\n",
                    xml(&r.summary),
                    body(r)
                )),
                Status::Warn if strict => out.push_str(&format!(
                    ">\n      <failure type=\"warning\" message=\"{}\">{}</failure>\n    </testcase>\n",
                    xml(&r.summary),
                    body(r)
                )),
                Status::Warn => out.push_str(&format!(
                    ">\n      <system-out>warning: {}\n{}</system-out>\n    </testcase>\n",
                    xml(&r.summary),
                    body(r)
                )),
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            xml("<a href=\"x\">&'\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"
        );
    }
}
