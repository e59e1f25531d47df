//! `--format github`: GitHub Actions workflow commands, one annotation per problem.
//!
//! Each finding of a failed check becomes `::error`, of a warning `::warning` (`::error` with
//! `--strict`, which fails the run the same way); passing and skipped checks print nothing.
//! The title is the finding's stable code; the message is the finding, then the check's fix
//! steps. Values are escaped as the runner
//! expects (`%`, CR and LF in messages; also `:` and `,` in properties), so a message cannot
//! start a second command.

use crate::report::{Report, Status};

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Renders the annotations and a final `::notice` with the counts.
pub fn render(report: &Report, strict: bool) -> String {
    let mut out = String::new();
    for r in &report.checks {
        for f in &r.findings {
            let level = match f.severity {
                Status::Fail => "error",
                Status::Warn if strict => "error",
                Status::Warn => "warning",
                Status::Pass | Status::Skip => continue,
            };
            let mut msg = f.message.clone();
            for (i, fix) in r.fix.iter().enumerate() {
                msg.push_str(&format!("\nfix {}: {fix}", i + 1));
            }
            out.push_str(&format!(
                "::{level} title={}::{}\n",
                escape_property(&format!("codex-doctor {}", f.code)),
                escape_data(&msg)
            ));
        }
    }
    let s = report.summary;
    out.push_str(&format!(
        "::notice title=codex-doctor::{} failed, {} warned, {} passed, {} skipped\n",
        s.fail, s.warn, s.pass, s.skip
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_cannot_inject_commands() {
        assert_eq!(escape_data("a\n::error::x%"), "a%0A::error::x%25");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
