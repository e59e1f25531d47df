//! Human rendering: grouped rows with ✓ ! ✗ - markers, fixes indented under problems, and a
//! one-line summary. Group headers take the colour of their worst check. Without colour the
//! text reads the same (markers carry the meaning).

use owo_colors::OwoColorize;

use super::Style;
use crate::report::{Report, Row, Status};

/// Human name of a group.
pub fn group_title(group: &str) -> &str {
    match group {
        "env" => "Environment",
        "opencode" => "OpenCode",
        "plugin" => "Plugin",
        "config" => "Config",
        "auth" => "Auth",
        "cache" => "Cache",
        "install" => "Install",
        "debug" => "Debug",
        "port" => "Port",
        "login" => "Login",
        "process" => "Processes",
        "network" => "Network",
        "runtime" => "Runtime proxy",
        other => other,
    }
}

fn marker(status: Status, style: Style) -> &'static str {
    match (status, style.ascii) {
        (Status::Pass, false) => "✓",
        (Status::Warn, false) => "!",
        (Status::Fail, false) => "✗",
        (Status::Skip, false) => "-",
        (Status::Pass, true) => "[ok]",
        (Status::Warn, true) => "[!!]",
        (Status::Fail, true) => "[XX]",
        (Status::Skip, true) => "[--]",
    }
}

fn paint(text: &str, status: Status, style: Style) -> String {
    if !style.color {
        return text.to_string();
    }
    match status {
        Status::Pass => text.green().to_string(),
        Status::Warn => text.yellow().to_string(),
        Status::Fail => text.red().to_string(),
        Status::Skip => text.dimmed().to_string(),
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The closing summary line: `2 problems, 1 warning (14 ok, 3 skipped)`, and `; 16 not
/// selected` when `--only`/`--skip` left checks out (those are not counted as skipped).
pub fn summary_line(report: &Report) -> String {
    let s = report.summary;
    let left_out = report.checks.iter().filter(|r| r.not_selected()).count();
    let mut tail = format!(
        "({} ok, {} skipped)",
        s.pass,
        s.skip.saturating_sub(left_out)
    );
    if left_out > 0 {
        tail.push_str(&format!("; {left_out} not selected"));
    }
    match (s.fail, s.warn) {
        (0, 0) => format!("No problems found {tail}"),
        (f, 0) => format!("{} {tail}", plural(f, "problem", "problems")),
        (0, w) => format!("{} {tail}", plural(w, "warning", "warnings")),
        (f, w) => format!(
            "{}, {} {tail}",
            plural(f, "problem", "problems"),
            plural(w, "warning", "warnings")
        ),
    }
}

fn row_lines(row: &Row, width: usize, style: Style, out: &mut String) {
    let m = marker(row.status, style);
    let id = format!("{:<width$}", row.id);
    out.push_str(&format!(
        "  {} {}  {}\n",
        paint(m, row.status, style),
        if style.color {
            id.bold().to_string()
        } else {
            id
        },
        row.summary
    ));
    let show_details = match row.status {
        Status::Warn | Status::Fail => true,
        Status::Pass => style.verbose,
        Status::Skip => false,
    };
    let indent = " ".repeat(width + 5 + if style.ascii { 4 } else { 1 });
    if show_details {
        let bullet = if style.ascii { "-" } else { "·" };
        for d in &row.details {
            let line = format!("{indent}{bullet} {d}");
            out.push_str(&if style.color {
                line.dimmed().to_string()
            } else {
                line
            });
            out.push('\n');
        }
    }
    if matches!(row.status, Status::Warn | Status::Fail) || style.verbose {
        let n = row.fix.len();
        for (i, f) in row.fix.iter().enumerate() {
            let label = if n > 1 {
                format!("fix {}:", i + 1)
            } else {
                "fix:".to_string()
            };
            let label = if style.color {
                label.cyan().to_string()
            } else {
                label
            };
            out.push_str(&format!("{indent}{label} {f}\n"));
        }
    }
}

/// Renders the report for a person. Checks `--only`/`--skip` left out are not listed (the
/// closing line counts them); the JSON report keeps their rows.
pub fn render(report: &Report, style: Style) -> String {
    let mut out = String::new();
    let checks: Vec<&Row> = report.checks.iter().filter(|r| !r.not_selected()).collect();
    let width = checks.iter().map(|r| r.id.len()).max().unwrap_or(10);
    let mut i = 0;
    while i < checks.len() {
        let group = checks[i].group;
        let end = checks[i..]
            .iter()
            .position(|r| r.group != group)
            .map(|p| i + p)
            .unwrap_or(checks.len());
        let rows = &checks[i..end];
        let worst = rows
            .iter()
            .map(|r| r.status)
            .max_by_key(|s| s.severity())
            .unwrap_or(Status::Skip);
        let title = group_title(group);
        let header = if style.color {
            paint(title, worst, style).bold().to_string()
        } else {
            title.to_string()
        };
        out.push_str(&header);
        out.push('\n');
        for r in rows {
            row_lines(r, width, style, &mut out);
        }
        out.push('\n');
        i = end;
    }
    let line = summary_line(report);
    let status = if report.summary.fail > 0 {
        Status::Fail
    } else if report.summary.warn > 0 {
        Status::Warn
    } else {
        Status::Pass
    };
    out.push_str(&paint(&line, status, style));
    out.push('\n');
    out
}
