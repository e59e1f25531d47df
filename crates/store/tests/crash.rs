//! A writer killed with SIGKILL at random points during 500 writes never leaves a file that
//! fails to parse, and the content is always a complete old or new version.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
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
    for _round in 0..150 {
        if last >= WRITES {
            break;
        }
        let mut c = writer(&store, last);
        // Wait for the writer to be running, so the random delay is spent writing.
        let mut lines = BufReader::new(c.stdout.take().expect("stdout")).lines();
        let ready = lines.any(|l| l.is_ok_and(|l| l == "READY"));
        assert!(ready, "the writer started");
        std::thread::sleep(Duration::from_millis(1 + rand(30)));
        if c.kill().is_ok() {
            kills += 1;
        }
        let _ = c.wait();
        // The writer is dead: its lock (if it held one) can go at once instead of after 10 s.
        let _ = std::fs::remove_dir(store.lock_dir());
        last = check_version(&store, last);
    }
    // However slow the machine was, the rest is written without interruption: the kills
    // above must not have left anything that stops later writes.
    if last < WRITES {
        let status = writer(&store, last).wait().expect("wait");
        assert!(status.success(), "the last writer finished");
        last = check_version(&store, last);
    }
    assert_eq!(last, WRITES, "all writes landed ({kills} kills)");
    assert!(
        kills > 5,
        "the writer was killed mid-run several times ({kills})"
    );
}

/// A crash writer for versions after `last`.
fn writer(store: &AuthStore, last: u64) -> Child {
    child("crash-writer")
        .env("CODEX_STORE_TEST_PATH", store.path())
        .env("CODEX_STORE_TEST_START", (last + 1).to_string())
        .env("CODEX_STORE_TEST_END", WRITES.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn")
}

/// The file parses, holds exactly one complete version, and did not go back from `last`.
fn check_version(store: &AuthStore, last: u64) -> u64 {
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
    n
}
