//! Interop with the real proper-lockfile 4.x (the plugin's locker), driven by
//! `tests/node/lock-worker.js`. Needs `node` and `tests/node/install.sh` having installed
//! proper-lockfile; without node the tests are skipped loudly, and without the package they
//! fail under CI (`CI` set) and are skipped loudly otherwise.

#![allow(clippy::print_stderr)]

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use codex_store::lock::FileLock;
use codex_store::{AuthStore, Domain, LockError, LockOptions, StoreError};
use codex_testkit::node::LockWorker;

use crate::common::{counter_of, counter_store, quick_lock, read_json, store_with};

fn node() -> Option<LockWorker> {
    LockWorker::find("proper-lockfile interop")
}

fn increment(store: &AuthStore) -> Result<(), StoreError> {
    store.update_oauth(|s| {
        if let Some(a) = s
            .domain_mut(Domain::Native)
            .and_then(|d| d.accounts_mut().first_mut())
        {
            let n = a.last_used().unwrap_or(0.0);
            a.set_last_used(n + 1.0);
        }
        Ok(())
    })?;
    Ok(())
}

#[test]
fn race_with_a_node_writer_loses_nothing() {
    let Some(node) = node() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = store_with(tmp.path(), Some(&counter_store(0)));
    let path = store.path().to_string_lossy().into_owned();
    let n = 150;
    let worker = node
        .command(&["increment", &path, &n.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn node");
    for _ in 0..n {
        increment(&store).expect("rust increment");
    }
    let out = worker.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "node: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(counter_of(&read_json(store.path())), 2 * n);
    // Our reader accepts what proper-lockfile's side wrote, and the lock is free.
    assert!(store.load().is_ok());
    assert!(!store.lock_dir().exists());
}

#[test]
fn each_side_sees_the_others_lock() {
    let Some(node) = node() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = store_with(tmp.path(), Some(&counter_store(0)));
    let path = store.path().to_string_lossy().into_owned();

    // Node holds: we wait, then report the lock directory.
    let (mut holder, line) = node.start(&["hold", &path, "1500"]);
    assert_eq!(line, "locked");
    let opts = LockOptions::default().with_budget(Duration::from_millis(300));
    let err = FileLock::acquire(store.path(), &opts).expect_err("held by node");
    let msg = err.to_string();
    assert!(matches!(err, LockError::Held { .. }), "{msg}");
    assert!(msg.contains("codex-accounts.json.lock.lock"), "{msg}");
    // With a budget longer than the hold, we get it once node releases.
    let lock = FileLock::acquire(store.path(), &LockOptions::default()).expect("after release");
    assert!(holder.wait().expect("wait").success());

    // We hold: node's check() sees it and lock() with no retries fails with ELOCKED.
    assert_eq!(node.run(&["check", &path]), "locked");
    assert_eq!(node.run(&["try", &path]), "ELOCKED");
    lock.release().expect("release");
    assert_eq!(node.run(&["check", &path]), "unlocked");
    assert_eq!(node.run(&["try", &path]), "acquired");
}

#[test]
fn stale_lock_of_a_killed_node_process_is_reclaimed_after_10s() {
    let Some(node) = node() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = store_with(tmp.path(), Some(&counter_store(0)));
    let path = store.path().to_string_lossy().into_owned();
    let (mut holder, line) = node.start(&["hold-forever", &path]);
    assert_eq!(line, "locked");
    holder.kill().expect("SIGKILL");
    let _ = holder.wait();
    let killed = Instant::now();
    assert!(store.lock_dir().is_dir(), "the dead process left its lock");

    // Fresh: still held.
    let err = FileLock::acquire(store.path(), &quick_lock()).expect_err("still fresh");
    assert!(matches!(err, LockError::Held { .. }), "{err}");

    // Our default budget outlasts the 10 s stale threshold: the lock is reclaimed.
    let opts = LockOptions::default().with_budget(Duration::from_secs(20));
    let s2 = AuthStore::with_options(
        store.path(),
        codex_store::StoreOptions::default().with_lock(opts),
    );
    increment(&s2).expect("increment after reclaim");
    let waited = killed.elapsed();
    assert!(
        waited >= Duration::from_secs(8),
        "reclaimed too early: {waited:?}"
    );
    assert!(waited < Duration::from_secs(20), "took {waited:?}");
    assert_eq!(counter_of(&read_json(store.path())), 1);
    assert!(!Path::new(&store.lock_dir()).exists());
}

#[test]
fn the_catalog_directory_lock_is_the_one_proper_lockfile_takes() {
    let Some(node) = node() else { return };
    let tmp = tempfile::tempdir().expect("tempdir");
    let cache = tmp.path().join("cache");
    std::fs::create_dir_all(&cache).expect("cache dir");
    let dir = cache.to_string_lossy().into_owned();

    // Node holds the directory lock (withLockedDirectory): we see `cache.lock` and wait.
    let (mut holder, line) = node.start(&["hold-dir", &dir, "1500"]);
    assert_eq!(line, "locked");
    assert!(tmp.path().join("cache.lock").is_dir());
    let opts = LockOptions::default().with_budget(Duration::from_millis(300));
    let err = FileLock::acquire_dir(&cache, &opts).expect_err("held by node");
    assert!(matches!(err, LockError::Held { .. }), "{err}");
    assert!(err.to_string().contains("cache.lock"), "{err}");
    let lock = FileLock::acquire_dir(&cache, &LockOptions::default()).expect("after release");
    assert!(holder.wait().expect("wait").success());
    assert_eq!(lock.lock_dir(), tmp.path().join("cache.lock"));

    // We hold: node sees it.
    assert_eq!(node.run(&["check-dir", &dir]), "locked");
    assert_eq!(node.run(&["try-dir", &dir]), "ELOCKED");
    lock.release().expect("release");
    assert_eq!(node.run(&["check-dir", &dir]), "unlocked");
    assert_eq!(node.run(&["try-dir", &dir]), "acquired");
    assert!(!tmp.path().join("cache.lock").exists());
    // No target file is created beside the directory.
    assert!(!tmp.path().join("cache.lock.lock").exists());
}
