//! The proxy and another process writing the same store lose no update.
//!
//! The test binary runs itself as the other process (`child_writer`, ignored unless it is
//! given a store path), which upserts logins into the `codex` domain while the proxy, in
//! this process, writes cooldowns into the `native` domain as fast as its 429s come.

use std::process::Command;
use std::time::Duration;

use codex_redact::Secret;
use codex_store::{AuthStore, Domain, LoginTokens};
use serde_json::json;

use crate::support::*;

const STORE_VAR: &str = "CODEX_PROXY_TEST_WRITER_STORE";
const WRITES: usize = 40;

#[test]
#[ignore = "run by concurrent_writer_loses_no_update in a child process"]
fn child_writer() {
    let Ok(path) = std::env::var(STORE_VAR) else {
        return;
    };
    let store = AuthStore::new(path);
    for i in 0..WRITES {
        let access = jwt(&json!({
            "chatgpt_account_id": format!("acc_w{i}"),
            "email": format!("w{i}@example.com"),
            "plan": "plus",
        }));
        store
            .upsert_login(
                Domain::Codex,
                &LoginTokens {
                    access: Secret::new(access),
                    refresh: Secret::new(format!("rt_w{i}")),
                    id_token: None,
                    expires_in_secs: Some(3600.0),
                },
            )
            .expect("writer update");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writer_loses_no_update() {
    let home = Home::new();
    home.write_native(
        json!([
            account("acc_a", "a@example.com", "plus"),
            account("acc_b", "b@example.com", "plus"),
            account("acc_c", "c@example.com", "plus")
        ]),
        json!({}),
    );
    let mock = mock(|_, _| Reply::with_headers(429, &[("retry-after", "0")], json!({}))).await;
    let run = proxy(&home, &mock).await;
    let exe = std::env::current_exe().expect("test binary");
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "store_writer::child_writer",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(STORE_VAR, home.store_path())
        .spawn()
        .expect("spawn writer");
    let mut last_start = 0.0;
    for _ in 0..25 {
        last_start = now_ms();
        let r = post(&run, &opencode_body()).await;
        assert_eq!(r.status().as_u16(), 429);
    }
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .expect("join")
        .expect("wait");
    assert!(status.success(), "writer process failed");
    // One more round after the writer is done, so the last proxy write is known to be later.
    last_start = last_start.max(now_ms());
    assert_eq!(post(&run, &opencode_body()).await.status().as_u16(), 429);
    run.stop().await;

    let store = home.read_store();
    let codex = store["openai"]["codex"]["accounts"]
        .as_array()
        .expect("codex accounts");
    assert_eq!(
        codex.len(),
        WRITES,
        "every write of the other process survived"
    );
    for id in ["acc_a", "acc_b", "acc_c"] {
        let c = home.account(id)["cooldownUntil"]
            .as_f64()
            .expect("cooldown");
        assert!(
            c >= last_start,
            "{id}: the proxy's last cooldown survived ({c} < {last_start})"
        );
    }
    assert!(mock.responses().len() >= 26 * 3);
}
