//! The report's redactor: the `codex-scrub` engine in its mask style.
//!
//! The report, `fix`'s plans and the bundle's copy of the report go through the same engine
//! as the bundle and `scan` (rules, shapes, keys, every known value in every encoding); only
//! the output style differs. The report is read by the user on their own terminal, so
//! identities are masked (`u***@example.com`, `***a1b2`) rather than pseudonymized (or
//! shown, with `--show-identities`), tokens become `[redacted]`, the home folder becomes `~`,
//! and the allowlist gate does not run: check names, statuses, paths, codes, counts and
//! model slugs stay readable.

use codex_redact::IdentityMode;
use codex_scrub::{KnownValues, Mode, Options, Pseudonymizer, Scrubber};

use crate::facts::Facts;

/// Redacts every string of a report.
pub struct ReportRedactor {
    scrubber: Scrubber,
}

impl std::fmt::Debug for ReportRedactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReportRedactor").finish_non_exhaustive()
    }
}

impl ReportRedactor {
    /// A redactor that knows `known` (identities left out when they are shown) and replaces
    /// `home` with `~`.
    pub fn new(known: &KnownValues, home: Option<String>, mode: IdentityMode) -> ReportRedactor {
        let mut known = known.clone();
        known.tokens.retain(|t| credential_like(t));
        let options = Options {
            drop_bodies: false,
            home,
            user: None,
            // The user's own terminal: secrets go, ordinary values stay.
            keep_unvetted: true,
        };
        ReportRedactor {
            scrubber: Scrubber::new(&known, &options, Pseudonymizer::masking(mode)),
        }
    }

    /// A redactor that knows no values (secret shapes and keys only).
    pub fn shapes_only(mode: IdentityMode) -> ReportRedactor {
        ReportRedactor::new(&KnownValues::default(), None, mode)
    }

    /// A redactor that knows every token and identity in the user's auth files and caches:
    /// the same values the bundle's engine knows (`codex_bundle::known`).
    pub fn for_facts(facts: &Facts, mode: IdentityMode) -> ReportRedactor {
        let Ok(paths) = facts.paths() else {
            return ReportRedactor::shapes_only(mode);
        };
        let known = codex_bundle::known::known_values(paths);
        let home = paths.home.as_ref().map(|h| h.display().to_string());
        ReportRedactor::new(&known, home, mode)
    }

    /// `text` with every secret replaced and every identity masked.
    pub fn redact(&self, text: &str) -> String {
        self.scrubber.redact_text(text, Mode::Lines).0
    }
}

/// Whether a known token is worth replacing wherever it appears in report text. The bundle
/// replaces every value found under a secret-looking key; the report keeps words that are
/// not credentials: OpenCode's well-known providers store an environment variable's *name*
/// under `key` (`OPENAI_API_KEY`), and a bare scheme (`Bearer`) can stand under
/// `authorization`. The engine itself skips values under 6 characters.
fn credential_like(t: &str) -> bool {
    let t = t.trim();
    let env_name = t.contains('_')
        && t.starts_with(|c: char| c.is_ascii_uppercase())
        && t.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    let scheme = ["bearer", "basic", "token", "digest"]
        .iter()
        .any(|w| t.eq_ignore_ascii_case(w));
    !env_name && !scheme
}
