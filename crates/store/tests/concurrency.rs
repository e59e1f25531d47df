//! Eight processes, 200 locked read-modify-write increments each, on one store: no update
//! is lost, and the file parses at every moment (the parent reads it unlocked throughout).

use std::process::Stdio;
use std::time::Duration;

use codex_store::AuthStore;

use crate::common::{child, counter_of, counter_store, read_json, store_with};

const PROCESSES: u64 = 8;
const INCREMENTS: u64 = 200;

#[test]
fn eight_processes_lose_no_update() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = store_with(tmp.path(), Some(&counter_store(0)));
    let mut children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            child("increment")
                .env("CODEX_STORE_TEST_PATH", store.path())
                .env("CODEX_STORE_TEST_COUNT", INCREMENTS.to_string())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();

    // Read without the lock while they run, like the plugin's request path.
    let reader = AuthStore::new(store.path());
    let mut reads = 0u64;
    let mut last = 0;
    while children
        .iter_mut()
        .any(|c| matches!(c.try_wait(), Ok(None)))
    {
        let state = reader.load().expect("the file parses at every moment");
        let v: serde_json::Value = serde_json::from_str(&state.to_file_string()).expect("json");
        let n = counter_of(&v);
        assert!(n >= last, "counter went backwards: {n} < {last}");
        last = n;
        reads += 1;
        std::thread::sleep(Duration::from_millis(2));
    }
    for c in children {
        let out = c.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "child failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(counter_of(&read_json(store.path())), PROCESSES * INCREMENTS);
    assert!(reads > 0);
    assert!(!store.lock_dir().exists(), "every lock was released");
    let leftovers: Vec<String> = crate::common::names(store.path().parent().expect("dir"))
        .into_iter()
        .filter(|n| n.contains(".tmp."))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
