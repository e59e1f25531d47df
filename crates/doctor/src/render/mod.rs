//! Renderers: the same redacted [`crate::report::Report`] as human text, JSON, GitHub
//! Actions annotations or JUnit XML.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;

/// `--format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Grouped text for people (the default).
    #[default]
    Human,
    /// The stable JSON report (`--json` is the same).
    Json,
    /// GitHub Actions workflow annotations (`::error`/`::warning`).
    Github,
    /// JUnit XML, one testcase per check.
    Junit,
}

/// Output style switches for the human renderer.
#[derive(Debug, Clone, Copy, Default)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// ASCII markers instead of ✓ ! ✗ -.
    pub ascii: bool,
    /// Show details of passing checks too.
    pub verbose: bool,
}

/// Decides colour: `NO_COLOR` (non-empty) wins, then `CLICOLOR_FORCE` (not `0`), then whether
/// stdout is a terminal.
pub fn color_enabled(env: &codex_env::EnvSnapshot, stdout_is_tty: bool) -> bool {
    if env.get("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    if env
        .get("CLICOLOR_FORCE")
        .is_some_and(|v| !v.is_empty() && v != "0")
    {
        return true;
    }
    stdout_is_tty
}

#[cfg(test)]
mod tests {
    use super::*;
    use codex_env::EnvSnapshot;

    #[test]
    fn colour_rules() {
        let e = EnvSnapshot::from_pairs([("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]);
        assert!(!color_enabled(&e, true));
        let e = EnvSnapshot::from_pairs([("CLICOLOR_FORCE", "1")]);
        assert!(color_enabled(&e, false));
        let e = EnvSnapshot::from_pairs([("CLICOLOR_FORCE", "0")]);
        assert!(!color_enabled(&e, false));
        assert!(color_enabled(&EnvSnapshot::default(), true));
    }
}
