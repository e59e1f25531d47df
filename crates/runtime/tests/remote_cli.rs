//! `accounts refresh`, `accounts quota` and the account labels, end to end: the real binary
//! against one loopback server acting as the OAuth token endpoint and the Codex usage
//! endpoint; the store and the snapshots file are read back afterwards.

use std::sync::{Arc, Mutex};

use assert_cmd::cargo::cargo_bin;
use codex_store::{AuthState, Domain};
use codex_testkit::{Run, TempHome};
use serde_json::{json, Value};

use crate::login_cli::read_canonical_store;
use crate::loopback::{access_token, id_token, now_ms, Loopback, Request, Response};

const SECRETS: [&str; 4] = ["rt_alice", "rt_bob", "rt_alice_2", "eyJ"];

fn run(home: &TempHome, args: &[&str]) -> Run {
    let r = codex_testkit::run(home.command(cargo_bin("codex-runtime")).args(args));
    r.assert_hides(&SECRETS);
    r
}

/// Alice: expired token, in both domains with the same refresh token. Bob: valid token.
fn write_store(home: &TempHome, alice_lease: Option<u64>) {
    let now = now_ms();
    let mut alice = json!({"accountId": "acc_a", "email": "alice@example.com", "plan": "plus",
        "refresh": "rt_alice", "access": access_token("acc_a", "old"), "expires": now - 1000});
    if let Some(l) = alice_lease {
        alice["refreshLeaseUntil"] = json!(l);
    }
    let bob = json!({"accountId": "acc_b", "email": "bob@example.com", "plan": "pro",
        "refresh": "rt_bob", "access": access_token("acc_b", "bob"), "expires": now + 3_600_000});
    let v = json!({"openai": {"type": "oauth",
        "native": {"accounts": [alice.clone(), bob]},
        "codex": {"accounts": [alice]}}});
    home.write_store_text(&v.to_string());
}

fn record(state: &AuthState, d: Domain, key: &str) -> codex_store::Account {
    state
        .oauth()
        .and_then(|s| s.domain(d))
        .and_then(|dom| {
            dom.accounts()
                .iter()
                .find(|a| a.identity_key() == Some(key))
                .cloned()
        })
        .expect("record")
}

const ALICE: &str = "acc_a|alice@example.com|plus";
const BOB: &str = "acc_b|bob@example.com|pro";

/// Token endpoint: rt_alice rotates to rt_alice_2; rt_bob is dead. Usage endpoint: answers
/// for the bearer tokens it knows, and records problems.
fn backend() -> (Loopback, Arc<Mutex<Vec<String>>>) {
    let problems = Arc::new(Mutex::new(Vec::new()));
    let p = Arc::clone(&problems);
    let server = Loopback::start(move |r: &Request| {
        let mut problems = p.lock().expect("lock");
        match r.path.as_str() {
            "/oauth/token" => {
                let f = r.form();
                let keys: Vec<&str> = f.iter().map(|(k, _)| k.as_str()).collect();
                if keys != ["grant_type", "refresh_token", "client_id"]
                    || f[0].1 != "refresh_token"
                    || f[2].1 != "app_EMoamEEZ73f0CkXaXp7hrann"
                {
                    problems.push(format!("refresh form {keys:?}"));
                }
                match f.get(1).map(|(_, v)| v.as_str()) {
                    Some("rt_alice") => Response::json(
                        200,
                        &json!({"access_token": access_token("acc_a", "new"),
                                "id_token": id_token("acc_a", "alice@example.com", "plus"),
                                "refresh_token": "rt_alice_2", "expires_in": 7200}),
                    ),
                    Some("rt_bob") => Response::json(
                        400,
                        &json!({"error": "invalid_grant", "error_description": "gone"}),
                    ),
                    other => {
                        problems.push(format!("unexpected refresh token {other:?}"));
                        Response::json(400, &json!({"error": "invalid_request"}))
                    }
                }
            }
            "/backend-api/wham/usage" => {
                let auth = r.headers.get("authorization").cloned().unwrap_or_default();
                let id = r
                    .headers
                    .get("chatgpt-account-id")
                    .cloned()
                    .unwrap_or_default();
                let (used5, usedw) = if auth == format!("Bearer {}", access_token("acc_a", "new"))
                    && id == "acc_a"
                {
                    (25, 70)
                } else if auth == format!("Bearer {}", access_token("acc_b", "bob"))
                    && id == "acc_b"
                {
                    (100, 40)
                } else {
                    problems.push(format!("usage credentials for {id}"));
                    return Response::json(401, &json!({}));
                };
                Response::json(
                    200,
                    &json!({"rate_limit": {
                        "primary_window": {"used_percent": used5, "reset_at": 1_900_000_000u64},
                        "secondary_window": {"used_percent": usedw, "reset_at": 1_901_000_000u64}},
                      "credits": {"has_credits": true, "unlimited": false, "balance": "12.5"}}),
                )
            }
            _ => Response::json(404, &json!({})),
        }
    });
    (server, problems)
}

#[test]
fn refresh_all_rotates_once_copies_to_the_twin_and_disables_a_dead_token() {
    let home = TempHome::new();
    write_store(&home, None);
    let (srv, problems) = backend();
    let r = run(
        &home,
        &["accounts", "refresh", "--all", "--issuer", &srv.base()],
    );
    assert_eq!(
        r.code, 1,
        "a failed account fails the command\n{}",
        r.stdout
    );
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", r.stdout);
    assert!(
        lines[0]
            .starts_with("#1 a***@example.com (plus) [native]: refreshed; token expires in 1h 59m"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with(
            "#1 a***@example.com (plus) [codex]: updated with the tokens just refreshed"
        ),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("#2 b***@example.com (pro) [native]: Token refresh failed (invalid_grant); the account is disabled"),
        "{}",
        lines[2]
    );
    assert!(r.stderr.contains("some accounts failed"), "{}", r.stderr);
    assert_eq!(*problems.lock().expect("lock"), Vec::<String>::new());
    assert_eq!(
        srv.count("/oauth/token"),
        2,
        "the twin record is not refreshed again"
    );

    let state = read_canonical_store(&home);
    for d in [Domain::Native, Domain::Codex] {
        let a = record(&state, d, ALICE);
        assert_eq!(a.refresh().map(|s| s.expose().as_str()), Some("rt_alice_2"));
        assert_eq!(
            a.access().map(|s| s.expose().clone()),
            Some(access_token("acc_a", "new"))
        );
        assert!(a.refresh_lease_until().is_none());
        assert!(a.expires().expect("expires") > now_ms() as f64 + 7_000_000.0);
    }
    let b = record(&state, Domain::Native, BOB);
    assert!(!b.is_enabled(), "a terminal failure disables the account");
    assert!(b.refresh_lease_until().is_none());
}

#[test]
fn refresh_respects_another_process_lease() {
    let home = TempHome::new();
    write_store(&home, Some(now_ms() + 600_000));
    let (srv, _) = backend();
    let r = run(
        &home,
        &["accounts", "refresh", "1", "--issuer", &srv.base()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("[native]: skipped: disabled, or another process is refreshing it"),
        "{}",
        r.stdout
    );
    assert_eq!(srv.count("/oauth/token"), 0);
    let r = run(&home, &["accounts", "refresh", "--issuer", &srv.base()]);
    assert_eq!(r.code, 2, "an index or --all is required");
    let r = run(
        &home,
        &["accounts", "refresh", "9", "--issuer", &srv.base()],
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("Invalid account number: 9"),
        "{}",
        r.stderr
    );
}

#[test]
fn quota_refreshes_an_expired_token_shows_windows_and_writes_snapshots() {
    let home = TempHome::new();
    write_store(&home, None);
    let (srv, problems) = backend();
    let upstream = format!("{}/backend-api/codex", srv.base());
    let r = run(
        &home,
        &[
            "accounts",
            "quota",
            "--all",
            "--json",
            "--issuer",
            &srv.base(),
            "--upstream",
            &upstream,
        ],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_eq!(*problems.lock().expect("lock"), Vec::<String>::new());
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["schemaVersion"], 1);
    let a = &v["accounts"][0];
    assert_eq!(a["label"], "a***@example.com (plus)");
    assert_eq!(a["refreshed"], true);
    assert_eq!(
        a["fiveHour"],
        json!({"usedPct": 25, "leftPct": 75, "resetsAt": 1_900_000_000_000u64})
    );
    assert_eq!(
        a["weekly"],
        json!({"usedPct": 70, "leftPct": 30, "resetsAt": 1_901_000_000_000u64})
    );
    assert_eq!(
        a["credits"],
        json!({"hasCredits": true, "unlimited": false, "balance": "12.5"})
    );
    assert_eq!(v["accounts"][1]["fiveHour"]["leftPct"], 0);
    assert_eq!(a["cooldownUntil"], Value::Null);
    assert_eq!(
        v["accounts"][1]["cooldownUntil"], 1_900_000_000_000u64,
        "an exhausted window rests the account until it resets"
    );
    let bob = record(&read_canonical_store(&home), Domain::Native, BOB);
    assert_eq!(bob.cooldown_until(), Some(1_900_000_000_000.0));
    assert_eq!(
        srv.count("/oauth/token"),
        1,
        "only the expired token is refreshed"
    );

    let snaps: Value = serde_json::from_str(
        &std::fs::read_to_string(home.config_dir().join("cache/codex-snapshots.json"))
            .expect("snapshots"),
    )
    .expect("json");
    let s = &snaps[ALICE];
    assert_eq!(s["modelFamily"], "codex");
    assert_eq!(
        s["limits"],
        json!([{"name": "requests", "leftPct": 75, "resetsAt": 1_900_000_000_000u64},
               {"name": "tokens", "leftPct": 30, "resetsAt": 1_901_000_000_000u64}])
    );
    assert_eq!(s["credits"]["balance"], "12.5");
    assert!(snaps[BOB].is_object());

    // The text form, and `accounts list` now shows the snapshot.
    let r = run(
        &home,
        &[
            "accounts",
            "quota",
            "2",
            "--issuer",
            &srv.base(),
            "--upstream",
            &upstream,
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.starts_with("#2 b***@example.com (pro)\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("  5h      100% used, 0% left, resets in "),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("(2030-03-17T17:46:40Z)"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("  weekly  40% used, 60% left, resets in "),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("  credits balance 12.5\n"),
        "{}",
        r.stdout
    );
    let r = run(&home, &["accounts", "list"]);
    assert!(r.stdout.contains("75%/30%"), "{}", r.stdout);
}

#[test]
fn masked_labels_tell_same_domain_accounts_apart_and_identities_show_on_request() {
    let home = TempHome::new();
    let v = json!({"openai": {"type": "oauth", "native": {"accounts": [
        {"accountId": "acc_1", "email": "john@example.com", "plan": "plus", "refresh": "rt_alice"},
        {"accountId": "acc_2", "email": "jane@example.com", "plan": "plus", "refresh": "rt_bob"},
        {"accountId": "acc_3", "email": "kim@example.com", "plan": "plus", "refresh": "rt_alice_2"}]}}});
    home.write_store_text(&v.to_string());
    let r = run(&home, &["accounts", "list"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let label = |line: &str| line.split("  ").nth(1).unwrap_or_default().to_string();
    let lines: Vec<&str> = r.stdout.lines().collect();
    let (l1, l2, l3) = (label(lines[2]), label(lines[3]), label(lines[4]));
    assert!(
        l1.starts_with("j***@example.com ~") && l2.starts_with("j***@example.com ~"),
        "{}",
        r.stdout
    );
    assert_ne!(l1, l2, "the two j*** accounts read differently");
    assert_eq!(l3, "k***@example.com", "a unique label gets no tag");
    assert!(!r.stdout.contains("john") && !r.stdout.contains("jane"));
    // Stable across runs.
    let again = run(&home, &["accounts", "list"]);
    assert_eq!(again.stdout, r.stdout);
    let j = run(&home, &["accounts", "list", "--json"]);
    let v: Value = serde_json::from_str(&j.stdout).expect("json");
    assert_eq!(v["accounts"][0]["label"], format!("{l1} (plus)"));
    assert!(v["accounts"][0].get("email").is_none());

    let r = run(&home, &["accounts", "list", "--show-identities"]);
    assert!(
        r.stdout.contains("john@example.com") && r.stdout.contains("jane@example.com"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("acc_1|john@example.com|plus"),
        "{}",
        r.stdout
    );
    let j = run(&home, &["accounts", "list", "--json", "--show-identities"]);
    let v: Value = serde_json::from_str(&j.stdout).expect("json");
    assert_eq!(v["accounts"][1]["email"], "jane@example.com");
    assert_eq!(v["accounts"][1]["accountId"], "acc_2");
    assert_eq!(
        v["accounts"][1]["identityKey"],
        "acc_2|jane@example.com|plus"
    );
}
