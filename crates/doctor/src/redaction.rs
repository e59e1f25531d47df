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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::FactOptions;
    use crate::render::{self, Style};
    use crate::runner::{self, Selection};
    use codex_env::EnvSnapshot;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    /// Where a secret is planted: a field of the store, of OpenCode's `auth.json`, of the
    /// legacy store, of the session-affinity cache, or a config value a check echoes.
    const FIELDS: usize = 12;

    fn write(root: &std::path::Path, rel: &str, v: &Value) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, serde_json::to_string_pretty(v).expect("json")).expect("write");
    }

    /// A home with `secret` in field `field`; the secret is what the report must not show.
    fn plant(root: &std::path::Path, field: usize, secret: &str) -> String {
        let mut acct = json!({
            "accountId": "acc_fixture0001", "email": "fixture.user@example.com", "plan": "plus",
            "authTypes": ["native"], "enabled": true, "expires": 4_102_444_800_000.0f64,
            "access": "at_fixture_access_value", "refresh": "rt_fixture_refresh_value",
        });
        let shown = match field {
            0 => {
                acct["access"] = json!(secret);
                secret.to_string()
            }
            1 => {
                acct["refresh"] = json!(secret);
                secret.to_string()
            }
            2 => {
                acct["accountId"] = json!(secret);
                secret.to_string()
            }
            3 => {
                acct["email"] = json!(format!("{secret}@example.org"));
                secret.to_string()
            }
            4 => {
                acct["note"] = json!(secret);
                secret.to_string()
            }
            _ => secret.to_string(),
        };
        let key = format!(
            "{}|{}|plus",
            acct["accountId"].as_str().unwrap_or_default(),
            acct["email"].as_str().unwrap_or_default()
        );
        acct["identityKey"] = json!(key);
        let store = json!({"openai": {"type": "oauth", "strategy": "sticky",
            "accounts": [acct.clone()], "activeIdentityKey": key,
            "native": {"strategy": "sticky", "accounts": [acct], "activeIdentityKey": key}}});
        write(root, ".config/opencode/codex-accounts.json", &store);
        let mut auth = json!({"openai": {"type": "oauth", "refresh": "rt_oc_refresh_value",
            "access": "at_oc_access_value", "expires": 1}});
        let mut opencode = json!({"plugin": ["@iam-brain/opencode-codex-auth@latest"]});
        let mut config = json!({"runtime": {"mode": "native"}});
        match field {
            5 => auth["acme"] = json!({"type": "api", "key": secret}),
            6 => auth["openai"]["refresh"] = json!(secret),
            7 => write(
                root,
                ".config/opencode/openai-codex-accounts.json",
                &json!({"version": 4, "accounts": [{"refreshToken": secret}]}),
            ),
            8 => write(
                root,
                ".config/opencode/cache/codex-session-affinity.json",
                &json!({"version": 1, "native": {"seenSessionKeys": {secret: 1}}}),
            ),
            // Config values the report echoes: no file knows them, their shape gives them
            // away (a long run of letters and digits).
            9 => opencode["plugin"] = json!(["@iam-brain/opencode-codex-auth@latest", secret]),
            10 => config["runtime"]["mode"] = json!(secret),
            _ => {
                opencode["provider"] = json!({"acme": {"options": {"apiKey": secret, "baseURL": format!("https://x.example.com/v1?key={secret}")}}})
            }
        }
        write(root, ".local/share/opencode/auth.json", &auth);
        write(root, ".config/opencode/opencode.json", &opencode);
        write(root, ".config/opencode/codex-config.jsonc", &config);
        shown
    }

    fn report_of(home: &std::path::Path, mode: IdentityMode) -> String {
        let env = EnvSnapshot::from_pairs([("HOME", home.to_str().expect("utf-8"))]);
        let facts = crate::facts::Facts::new(env, home, FactOptions::default());
        let redactor = ReportRedactor::for_facts(&facts, mode);
        let sel = Selection {
            only: vec![],
            skip: vec!["process.*".into(), "port.*".into(), "runtime.*".into()],
        };
        let report = runner::run(crate::checks::ALL, &facts, &sel, &redactor, String::new());
        let human = render::human::render(
            &report,
            Style {
                color: false,
                ascii: false,
                verbose: true,
            },
        );
        format!("{human}\n{}", render::json::render(&report))
    }

    /// The echo channels the property test plants into are real: the value is shown, in
    /// place, with the secret replaced.
    #[test]
    fn echoed_config_values_are_shown_with_the_secret_replaced() {
        let secret = "abcdEFGH1234ZZZZyyyyXXXX99998888";
        let tmp = tempfile::tempdir().expect("tempdir");
        plant(tmp.path(), 10, secret);
        let text = report_of(tmp.path(), IdentityMode::Masked);
        assert!(!text.contains(secret), "{text}");
        assert!(text.contains("runtime.mode: expected"), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
        let tmp = tempfile::tempdir().expect("tempdir");
        plant(tmp.path(), 3, secret);
        let text = report_of(tmp.path(), IdentityMode::Masked);
        assert!(!text.contains(secret), "{text}");
        assert!(text.contains("a***@example.org"), "{text}");
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// A random secret planted in any store, auth or config field never reaches the
        /// report, human or JSON (identities masked; tokens also with identities shown).
        #[test]
        fn a_planted_secret_never_reaches_the_report(
            secret in "[a-z]{4}[A-Z]{4}[0-9]{4}[A-Za-z0-9]{20,28}",
            field in 0..FIELDS,
            shown in any::<bool>(),
        ) {
            let tmp = tempfile::tempdir().expect("tempdir");
            let needle = plant(tmp.path(), field, &secret);
            // Identities shown on request: only fields that are not identities count then.
            let identity_field = matches!(field, 2 | 3);
            let mode = if shown && !identity_field { IdentityMode::Shown } else { IdentityMode::Masked };
            let text = report_of(tmp.path(), mode);
            prop_assert!(
                !text.to_ascii_lowercase().contains(&needle.to_ascii_lowercase()),
                "field {} leaked into the report:\n{}", field, text
            );
        }
    }
}
