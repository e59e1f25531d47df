//! A writer killed with SIGKILL at random points during 500 writes never leaves a file that
//! fails to parse, and the content is always a complete old or new version.

use std::process::Stdio;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use codex_store::AuthStore;

use crate::child::token_for;
use crate::common::{child, counter_of, counter_store, store_with};

const WRITES: u64 = 500;

#[test]
fn sigkill_mid_write_leaves_old_or_new_content() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = store_with(tmp.path(), Some(&counter_store(0)));
    let mut seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(7)
        | 1;
    let mut rand = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let mut last = 0;
    let mut kills = 0;
    for _round in 0..400 {
        if last >= WRITES {
            break;
        }
        let mut c = child("crash-writer")
            .env("CODEX_STORE_TEST_PATH", store.path())
            .env("CODEX_STORE_TEST_START", (last + 1).to_string())
            .env("CODEX_STORE_TEST_END", WRITES.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(5 + rand(45)));
        if c.kill().is_ok() {
            kills += 1;
        }
        let _ = c.wait();
        // The writer is dead: its lock (if it held one) can go at once instead of after 10 s.
        let _ = std::fs::remove_dir(store.lock_dir());

        let state = AuthStore::new(store.path())
            .load()
            .expect("the file always parses");
        let v: serde_json::Value = serde_json::from_str(&state.to_file_string()).expect("json");
        let n = counter_of(&v);
        assert!(n >= last, "went back from {last} to {n}");
        let token = v["openai"]["native"]["accounts"][0]["access"]
            .as_str()
            .expect("access");
        if n > 0 {
            assert_eq!(token, token_for(n), "content is exactly version {n}");
        }
        last = n;
    }
    assert_eq!(last, WRITES, "all writes eventually landed ({kills} kills)");
    assert!(
        kills > 5,
        "the writer was killed mid-run several times ({kills})"
    );
}
