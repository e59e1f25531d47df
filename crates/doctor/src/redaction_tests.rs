//! The report's redaction end to end: homes with a secret planted in a store, `auth.json`,
//! legacy-store, affinity or echoed config field, run through every check and both renders;
//! the secret never shows. Beside the modules it drives (runner, render, redaction), so none
//! of them imports another back.

use crate::facts::FactOptions;
use crate::redaction::ReportRedactor;
use crate::render::{self, Style};
use crate::runner::{self, Selection};
use codex_env::EnvSnapshot;
use codex_redact::IdentityMode;
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

    /// The same for a short, word-like secret that no shape rule catches: in a file the
    /// doctor knows (store, auth, legacy store, affinity) it is a known value. (Echoed config
    /// values, fields 9 to 11, are caught by shape only: see docs/checks.md.)
    #[test]
    fn a_short_secret_in_a_known_file_never_reaches_the_report(
        secret in "[a-z]{6,9}[0-9]{2,4}[a-z]{2,4}",
        field in 0..9usize,
    ) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let needle = plant(tmp.path(), field, &secret);
        let text = report_of(tmp.path(), IdentityMode::Masked);
        prop_assert!(
            !text.to_ascii_lowercase().contains(&needle.to_ascii_lowercase()),
            "field {} leaked into the report:\n{}", field, text
        );
    }
}
