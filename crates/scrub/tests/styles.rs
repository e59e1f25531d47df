//! The engine's two output styles: masks for the report, pseudonyms for the bundle. The
//! same detectors run in both; only what a match is replaced with differs.

use codex_scrub::{IdentityMode, KnownValues, Mode, Options, Pseudonymizer, Scrubber};

const TOKEN: &str = "rt_Planted9Refresh7Token";
const EMAIL: &str = "planted.person@example.org";
const ACCOUNT: &str = "acc_planted4711";
const IDENT: &str = "acc_planted4711|planted.person@example.org|plus";
const COOKIE: &str = "cookie9value8planted";
const QUERY: &str = "qs7secret3planted";
const OPAQUE: &str = "Zq8vN2mX7pL4kR9tW3yB6cD1fG5hJ0sA";

fn known() -> KnownValues {
    KnownValues {
        tokens: vec![TOKEN.into()],
        emails: vec![EMAIL.into()],
        account_ids: vec![ACCOUNT.into()],
        identity_keys: vec![IDENT.into()],
        ..KnownValues::default()
    }
}

fn engine(p: Pseudonymizer, gate: bool) -> Scrubber {
    let options = Options {
        home: Some("/home/planted".into()),
        keep_unvetted: !gate,
        ..Options::default()
    };
    Scrubber::new(&known(), &options, p)
}

fn lines() -> Vec<String> {
    vec![
        format!("account {EMAIL} ({ACCOUNT}) refresh {TOKEN} failed"),
        format!("+        \"identityKey\": \"{IDENT}\","),
        format!("+        \"email\": \"{EMAIL}\","),
        format!("+        \"accountId\": \"{ACCOUNT}\","),
        format!("Cookie: session={COOKIE}"),
        format!("GET https://example.com/cb?access_token={QUERY}&x=1"),
        format!("{{\"refresh\": \"{TOKEN}\", \"note\": \"id {OPAQUE}\"}}"),
        "check auth.store: 2 account(s), model gpt-5.1-codex, status 429".into(),
    ]
}

fn secrets() -> [&'static str; 7] {
    [TOKEN, EMAIL, ACCOUNT, IDENT, COOKIE, QUERY, OPAQUE]
}

#[test]
fn the_mask_style_masks_identities_and_removes_secrets() {
    let s = engine(Pseudonymizer::masking(IdentityMode::Masked), false);
    for line in lines() {
        let (out, _) = s.redact_text(&line, Mode::Lines);
        for secret in secrets() {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        assert!(!out.contains("could not be redacted"), "{out}");
        // Masked text reads the same to the engine again.
        assert_eq!(s.redact_text(&out, Mode::Lines).0, out, "{line}");
    }
    let (out, _) = s.redact_text(&lines()[0], Mode::Lines);
    assert_eq!(
        out,
        "account p***@example.org (***4711) refresh [redacted] failed"
    );
    let (out, _) = s.redact_text(&lines()[1], Mode::Lines);
    assert_eq!(
        out,
        "+        \"identityKey\": \"***4711|p***@example.org|plus\","
    );
    // Ordinary report text is left as it is.
    let (out, _) = s.redact_text(&lines()[7], Mode::Lines);
    assert_eq!(out, lines()[7]);
}

#[test]
fn the_mask_style_shows_identities_when_asked_but_never_tokens() {
    let s = engine(Pseudonymizer::masking(IdentityMode::Shown), false);
    let (out, _) = s.redact_text(&lines()[0], Mode::Lines);
    assert_eq!(
        out,
        format!("account {EMAIL} ({ACCOUNT}) refresh [redacted] failed")
    );
    let (out, _) = s.redact_text(&format!("email={EMAIL}&x"), Mode::Lines);
    assert_eq!(out, format!("email={EMAIL}&x"));
    for line in &lines()[4..7] {
        let (out, _) = s.redact_text(line, Mode::Lines);
        for secret in [TOKEN, COOKIE, QUERY, OPAQUE] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
    }
}

#[test]
fn the_pseudonym_style_replaces_the_same_values_with_pseudonyms() {
    let p = Pseudonymizer::with_key(&[9; 32]);
    let email = p.pseudonym(codex_scrub::Kind::Email, EMAIL.as_bytes());
    let s = engine(p, true);
    let (out, _) = s.redact_text(&lines()[0], Mode::Lines);
    assert!(out.contains(&email), "{out}");
    for line in lines() {
        let (out, _) = s.redact_text(&line, Mode::Lines);
        for secret in secrets() {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
        assert!(!out.contains("***"), "{out}");
    }
}
