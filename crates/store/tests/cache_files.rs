//! The cache companions: `codex-snapshots.json` (7.8) and `codex-session-affinity.json`
//! (6.4, reference 15 item 104), with the store's lock and write rules.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use codex_store::affinity::{session_file_exists, AffinityStore, ModeAffinity};
use codex_store::lock::FileLock;
use codex_store::snapshots::SnapshotStore;
use codex_store::{Domain, LockOptions, WriteOutcome};
use serde_json::json;

use crate::common::{names, read_json};

#[test]
fn snapshots_round_trip_and_skip_unchanged() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("cache/codex-snapshots.json");
    let store = SnapshotStore::new(&path);
    assert!(store.load().expect("load").is_empty());
    let snap = json!({"updatedAt": 1, "modelFamily": "codex",
        "limits": [{"name": "requests", "leftPct": 75, "resetsAt": 1_710_000_000_000u64}],
        "credits": {"hasCredits": true, "unlimited": false, "balance": "12.5"}});
    let out = store
        .update(|m| {
            m.insert("acc|a@x.io|plus".into(), snap.clone());
        })
        .expect("update");
    assert_eq!(out.outcome, WriteOutcome::Written);
    assert_eq!(
        fs::metadata(&path).expect("meta").permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(store.load().expect("load")["acc|a@x.io|plus"], snap);
    let out = store
        .update(|m| {
            m.insert("acc|a@x.io|plus".into(), snap.clone());
        })
        .expect("update");
    assert_eq!(out.outcome, WriteOutcome::Unchanged);
    // A no-op on a missing file creates nothing.
    let other = SnapshotStore::new(tmp.path().join("cache/none.json"));
    assert_eq!(
        other.update(|_| ()).expect("update").outcome,
        WriteOutcome::Unchanged
    );
    assert!(!other.path().exists());
}

#[test]
fn malformed_snapshots_read_empty_and_are_quarantined_before_overwrite() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("codex-snapshots.json");
    fs::write(&path, "[1,2]").expect("write");
    let store = SnapshotStore::new(&path);
    assert!(store.load().expect("load").is_empty());
    store
        .update(|m| {
            m.insert("k".into(), json!({}));
        })
        .expect("update");
    assert_eq!(read_json(&path), json!({"k": {}}));
    assert_eq!(names(&tmp.path().join("quarantine")).len(), 1);
}

#[test]
fn case_104_affinity_round_trip_cap_and_malformed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("cache/codex-session-affinity.json");
    let store = AffinityStore::new(&path);
    store
        .update(|f| {
            let m = f.mode_mut(Domain::Codex);
            for i in 0..210u32 {
                m.record_seen(&format!("ses_{i}"), f64::from(1000 + i));
                m.assign_sticky(&format!("ses_{i}"), "acc|a@x.io|plus");
            }
        })
        .expect("update");
    assert_eq!(
        fs::metadata(&path).expect("meta").permissions().mode() & 0o777,
        0o600
    );
    let v = read_json(&path);
    assert_eq!(v["version"], 1);
    assert!(v.get("native").is_none(), "empty modes are omitted");
    let seen = v["codex"]["seenSessionKeys"].as_object().expect("seen");
    assert_eq!(seen.len(), 200);
    assert!(seen.get("ses_9").is_none() && seen.get("ses_10").is_some());
    assert_eq!(
        v["codex"]["stickyBySessionKey"]
            .as_object()
            .map(|m| m.len()),
        Some(200)
    );
    assert_eq!(v["codex"]["hybridBySessionKey"], json!({}));
    let loaded = store.load().expect("load");
    assert_eq!(loaded.mode(Domain::Codex).seen.len(), 200);
    assert!(loaded.mode(Domain::Native).is_empty());

    fs::write(&path, "not-json").expect("write");
    assert!(store.load().expect("load").mode(Domain::Codex).is_empty());
}

#[test]
fn case_104_sanitizing_drops_bad_entries() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("a.json");
    fs::write(
        &path,
        r#"{"version":1,"extra":true,"native":{"seenSessionKeys":{" ":1,"a":2.7,"b":"x","c":1},"stickyBySessionKey":{"a":"k","b":5}}}"#,
    )
    .expect("write");
    let f = AffinityStore::new(&path).load().expect("load");
    assert_eq!(
        f.native.seen,
        [("c".to_string(), 1.0), ("a".to_string(), 2.0)]
    );
    assert_eq!(f.native.sticky, [("a".to_string(), "k".to_string())]);
}

#[test]
fn case_104_prune_with_grace() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let sessions = tmp.path().join("storage/session");
    fs::create_dir_all(&sessions).expect("mkdir");
    fs::write(sessions.join("alive.json"), "{}").expect("write");
    let mut m = ModeAffinity::default();
    m.record_seen("alive", 10.0);
    m.record_seen("recent", 1000.0);
    m.record_seen("old", 10.0);
    m.assign_sticky("old", "k");
    m.assign_hybrid("../escape", "k");
    let removed = m.prune(|k| session_file_exists(&sessions, k), 1200.0, 500.0);
    assert_eq!(removed, 1);
    let keys: Vec<&str> = m.seen.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["alive", "recent"]);
    assert!(m.sticky.is_empty() && m.hybrid.is_empty());
}

#[test]
fn case_104_a_held_lock_delays_the_write() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("cache/codex-session-affinity.json");
    let held = FileLock::acquire(&path, &LockOptions::default()).expect("lock");
    let p2 = path.clone();
    let writer = std::thread::spawn(move || {
        let outcome = AffinityStore::new(&p2)
            .update(|f| f.native.record_seen("s", 1.0))
            .map(|u| u.outcome);
        (outcome, Instant::now())
    });
    std::thread::sleep(Duration::from_millis(400));
    assert!(!path.exists(), "the writer waits for the lock");
    let released = Instant::now();
    held.release().expect("release");
    let (outcome, finished) = writer.join().expect("join");
    assert_eq!(outcome.expect("update"), WriteOutcome::Written);
    assert!(
        finished >= released,
        "the write finished {:?} before the release",
        released - finished
    );
    assert_eq!(read_json(&path)["native"]["seenSessionKeys"]["s"], 1);
}
