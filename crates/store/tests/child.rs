//! Child-process roles. The cross-process tests re-run this test binary with
//! `--exact child::child_entry` and `CODEX_STORE_TEST_CHILD=<role>`; without that variable
//! the entry point does nothing.

#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::time::Duration;

use codex_redact::Secret;
use codex_store::{AuthStore, Domain, StoreError};

use crate::common::{counter_of, CHILD_ROLE};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} not set"))
}

fn env_u64(name: &str) -> u64 {
    env(name)
        .parse()
        .unwrap_or_else(|_| panic!("{name} is not a number"))
}

#[test]
fn child_entry() {
    let Ok(role) = std::env::var(CHILD_ROLE) else {
        return;
    };
    match role.as_str() {
        "increment" => increment(),
        "crash-writer" => crash_writer(),
        "readonly-update" => readonly_update(),
        other => panic!("unknown child role {other}"),
    }
}

/// Token written with version `i` (its length varies so that a torn write would show).
pub fn token_for(i: u64) -> String {
    format!("tok-{i}-{}", "x".repeat((i as usize * 37) % 3000))
}

fn bump(store: &AuthStore, set: impl Fn(u64) -> u64) -> Result<u64, StoreError> {
    Ok(store
        .update_oauth(|s| {
            let dom = s
                .domain_mut(Domain::Native)
                .ok_or(StoreError::NotConfigured {
                    path: PathBuf::from("native"),
                })?;
            let a = dom
                .accounts_mut()
                .first_mut()
                .ok_or(StoreError::NotConfigured {
                    path: PathBuf::from("account"),
                })?;
            let next = set(a.last_used().unwrap_or(0.0) as u64);
            a.set_last_used(next as f64);
            a.set_access(Secret::new(token_for(next)));
            Ok(next)
        })?
        .value)
}

/// `CODEX_STORE_TEST_PATH`, `CODEX_STORE_TEST_COUNT`: locked increments of `lastUsed`; the
/// file must parse (unlocked) after every step. The lock is unfair (the holder may take it
/// again at once), so a loaded machine can make one process wait long: it gets a minute,
/// not the default 12 s, since the test is about lost updates, not waiting time.
fn increment() {
    let store = AuthStore::with_options(
        env("CODEX_STORE_TEST_PATH"),
        codex_store::StoreOptions::default()
            .with_lock(codex_store::LockOptions::default().with_budget(Duration::from_secs(60))),
    );
    let n = env_u64("CODEX_STORE_TEST_COUNT");
    let mut last = 0;
    for _ in 0..n {
        let v = bump(&store, |x| x + 1).unwrap_or_else(|e| panic!("update failed: {e}"));
        assert!(v > last, "counter went backwards: {v} after {last}");
        last = v;
        let seen = store
            .load()
            .unwrap_or_else(|e| panic!("file did not parse: {e}"));
        let text = seen.to_file_string();
        let value: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}"));
        assert!(counter_of(&value) >= v);
    }
}

/// `CODEX_STORE_TEST_PATH`, `CODEX_STORE_TEST_START`, `CODEX_STORE_TEST_END`: writes
/// versions START..=END (the parent kills us at a random point). `READY` on stdout once
/// started, so the parent's random delay measures writing time, not process start-up.
fn crash_writer() {
    use std::io::Write;
    let store = AuthStore::new(env("CODEX_STORE_TEST_PATH"));
    let mut out = std::io::stdout();
    let _ = writeln!(out, "\nREADY");
    let _ = out.flush();
    for i in env_u64("CODEX_STORE_TEST_START")..=env_u64("CODEX_STORE_TEST_END") {
        bump(&store, |_| i).unwrap_or_else(|e| panic!("update failed: {e}"));
    }
}

/// `CODEX_STORE_TEST_PATH`: one update, whose error is printed as `RESULT: <message>`.
fn readonly_update() {
    let store = AuthStore::with_options(
        env("CODEX_STORE_TEST_PATH"),
        codex_store::StoreOptions::default().with_lock(crate::common::quick_lock()),
    );
    match bump(&store, |x| x + 1) {
        Ok(v) => println!("\nRESULT: ok {v}"),
        Err(e) => println!("\nRESULT: {e}"),
    }
}
