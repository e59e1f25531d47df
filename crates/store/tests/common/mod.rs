//! Shared helpers: temp stores, JWTs, fixed clocks, and re-running this test binary as a
//! child process with a role (the cross-process tests need real processes).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use codex_store::{AuthStore, LockOptions, StoreOptions};
use serde_json::Value;

/// Environment variable naming the child role.
pub const CHILD_ROLE: &str = "CODEX_STORE_TEST_CHILD";

/// Options with a fixed clock.
pub fn opts_at(now: u64) -> StoreOptions {
    StoreOptions::default().with_clock(Arc::new(move || now))
}

/// Options with a short lock budget (tests that expect a held lock).
pub fn quick_lock() -> LockOptions {
    LockOptions::default().with_budget(Duration::from_millis(300))
}

/// `<tmp>/opencode/codex-accounts.json` with `content` written (if any).
pub fn store_with(tmp: &Path, content: Option<&str>) -> AuthStore {
    let path = tmp.join("opencode").join("codex-accounts.json");
    if let Some(c) = content {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, c).expect("write");
    }
    AuthStore::new(path)
}

/// The shared test support (`codex-testkit`): JWTs, JSON files, directory listings.
pub use codex_testkit::{jwt_raw, names, read_json};

/// A command re-running this test binary as a child with `role`.
pub fn child(role: &str) -> Command {
    let exe = std::env::current_exe().expect("current_exe");
    let mut c = Command::new(exe);
    c.args([
        "--exact",
        "child::child_entry",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(CHILD_ROLE, role);
    c
}

/// A store JSON with one native account and `lastUsed` as a counter.
pub fn counter_store(last_used: u64) -> String {
    format!(
        r#"{{"openai":{{"type":"oauth","native":{{"accounts":[{{"accountId":"acc_1","email":"a@example.com","plan":"plus","refresh":"rt_1","access":"at_1","expires":1,"lastUsed":{last_used}}}]}}}}}}"#
    )
}

/// `lastUsed` of the first native account.
pub fn counter_of(v: &Value) -> u64 {
    v["openai"]["native"]["accounts"][0]["lastUsed"]
        .as_u64()
        .expect("lastUsed")
}
