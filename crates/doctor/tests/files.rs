//! `auth.lock`, `auth.quarantine`, `cache.models`, `cache.files`.

use std::fs;

use serde_json::json;

use codex_testkit::set_age;

use crate::common::{expect, Home};

#[test]
fn lock_targets_are_never_flagged() {
    let h = Home::healthy();
    h.write(".config/opencode/cache/codex-snapshots.json.lock", "");
    expect(
        &h.check("auth.lock"),
        "pass",
        &["no stale or fallback locks"],
    );
}

#[test]
fn fresh_lock_dir_is_reported_as_held_not_stale() {
    let h = Home::healthy();
    fs::create_dir(h.path(".config/opencode/codex-accounts.json.lock.lock")).unwrap();
    let row = h.check("auth.lock");
    expect(&row, "pass", &[]);
    assert!(row["details"].to_string().contains("held right now"));
}

#[test]
fn stale_lock_dir_warns() {
    let h = Home::healthy();
    let d = h.path(".config/opencode/codex-accounts.json.lock.lock");
    fs::create_dir(&d).unwrap();
    set_age(&d, 60);
    expect(
        &h.check("auth.lock"),
        "warn",
        &["stale lock", "codex-accounts.json", "rmdir"],
    );
}

/// Found from the user's side: a stale lock folder with a file in it was said to be not
/// empty, and the fix was `rmdir`, which refuses it.
#[test]
fn a_stale_lock_with_something_in_it_gets_rm_r() {
    let h = Home::healthy();
    let d = h.path(".config/opencode/cache.lock");
    fs::create_dir(&d).unwrap();
    fs::write(d.join("junk"), "x").unwrap();
    set_age(&d, 60);
    let row = h.check("auth.lock");
    expect(&row, "warn", &["is not empty (junk)", "rm -r"]);
    assert!(!row["fix"].to_string().contains("rmdir"), "{row}");
}

#[test]
fn stale_cache_locks_are_covered_too() {
    let h = Home::healthy();
    let snap = h.path(".config/opencode/cache/codex-snapshots.json.lock.lock");
    fs::create_dir(&snap).unwrap();
    set_age(&snap, 30);
    let cache = h.path(".config/opencode/cache.lock");
    fs::create_dir(&cache).unwrap();
    set_age(&cache, 30);
    let row = h.check("auth.lock");
    expect(
        &row,
        "warn",
        &["codex-snapshots.json", "cache/ (model catalog shards)"],
    );
}

#[test]
fn fallback_lock_with_owner_fails_and_is_left_alone() {
    let h = Home::healthy();
    let d = h.path(".config/opencode/codex-accounts.json.lock.lock");
    fs::create_dir(&d).unwrap();
    fs::write(d.join(".owner"), "8c1d0e5e-uuid").unwrap();
    expect(
        &h.check("auth.lock"),
        "fail",
        &["fallback lock", "never reclaimed", "rm -r"],
    );
    assert!(d.join(".owner").exists());
}

#[test]
fn leftover_tmp_files_warn() {
    let h = Home::healthy();
    h.write(".config/opencode/codex-accounts.json.tmp.lq3k2m1.7f9c", "{");
    expect(
        &h.check("auth.lock"),
        "warn",
        &[
            "1 leftover temp file(s)",
            "codex-accounts.json.tmp.lq3k2m1.7f9c",
        ],
    );
}

#[test]
fn quarantine_lists_newest_first_with_recovery() {
    let h = Home::healthy();
    expect(
        &h.check("auth.quarantine"),
        "pass",
        &["no quarantined files"],
    );
    h.write(
        ".config/opencode/quarantine/codex-accounts.json.1700000000000.quarantine.json",
        "{bad",
    );
    h.write(
        ".config/opencode/quarantine/codex-accounts.json.1710000000000.quarantine.json",
        "[]",
    );
    let row = h.check("auth.quarantine");
    // The store is there and valid: no `cp` over it (found from the user's side).
    expect(
        &row,
        "warn",
        &[
            "2 quarantined file(s)",
            "exists and is valid JSON now",
            "codex-accounts.json.1710000000000.quarantine.json",
            "opencode auth login",
        ],
    );
    assert!(!row["fix"].to_string().contains("cp "), "{row}");
    let details = row["details"].as_array().unwrap();
    assert!(
        details[0].as_str().unwrap().contains("1710000000000"),
        "newest first: {details:?}"
    );
    assert!(details[0].as_str().unwrap().contains("2024-03-09"));
    // Without a readable store, putting the copy back is the fix.
    h.remove(".config/opencode/codex-accounts.json");
    expect(&h.check("auth.quarantine"), "warn", &["cp ", "put it back"]);
}

/// Found from the user's side: a quarantined `opencode.json` got the store's advice (`cp`
/// over the valid current file, re-authenticate).
#[test]
fn a_quarantined_opencode_json_gets_its_own_advice() {
    let h = Home::healthy();
    h.write(
        ".config/opencode/quarantine/opencode.json.1733290000001.quarantine.json",
        "{ // comment\n \"plugin\": [\"@iam-brain/opencode-codex-auth@latest\"] }",
    );
    let row = h.check("auth.quarantine");
    expect(
        &row,
        "warn",
        &[
            "newest from opencode.json",
            "not strict JSON",
            "opencode.jsonc",
        ],
    );
    let fix = row["fix"].to_string();
    assert!(
        !fix.contains("opencode auth login") && !fix.contains("cp "),
        "{fix}"
    );
}

#[test]
fn quarantine_beside_relative_xdg_root_is_found() {
    let mut h = Home::healthy();
    h.set("XDG_CONFIG_HOME", "rel");
    h.write(
        "../work/rel/opencode/quarantine/opencode.json.5.quarantine.json",
        "{",
    );
    expect(&h.check("auth.quarantine"), "warn", &["from opencode.json"]);
}

#[test]
fn models_cache_skip_pass_stale_invalid() {
    let h = Home::empty();
    expect(&h.check("cache.models"), "skip", &["no model cache yet"]);
    let h = Home::healthy();
    expect(
        &h.check("cache.models"),
        "pass",
        &["rust-v0.144.0", "current"],
    );
    h.write_json(
        ".config/opencode/cache/codex-client-version.json",
        &json!({"version": "0.150.1", "fetchedAt": 1}),
    );
    expect(
        &h.check("cache.models"),
        "warn",
        &[
            "stale",
            "rust-v0.144.0 is older than client version 0.150.1",
            "rm ",
        ],
    );
    h.write_json(
        ".config/opencode/cache/codex-client-version.json",
        &json!({"version": "0.144.0", "fetchedAt": 1}),
    );
    h.write_json(
        ".config/opencode/cache/codex-models-cache.json",
        &json!({"fetchedAt": 1, "source": "api", "models": []}),
    );
    expect(&h.check("cache.models"), "warn", &["is invalid"]);
    h.write_json(
        ".config/opencode/cache/codex-models-cache-meta.json",
        &json!({"lastChecked": 1}),
    );
    expect(
        &h.check("cache.models"),
        "warn",
        &["no usable `tag` or `url`"],
    );
}

#[test]
fn legacy_meta_version_is_accepted() {
    let h = Home::healthy();
    h.write_json(".config/opencode/cache/codex-models-cache-meta.json", &json!({"version": "0.144.0", "lastChecked": 1, "url": "https://raw.githubusercontent.com/x"}));
    expect(&h.check("cache.models"), "pass", &["rust-v0.144.0"]);
}

#[test]
fn cache_files_shapes_and_orphan_snapshots() {
    let h = Home::healthy();
    expect(&h.check("cache.files"), "pass", &["cache file(s) valid"]);
    h.write(
        ".config/opencode/cache/codex-session-affinity.json",
        "not-json",
    );
    h.write_json(
        ".config/opencode/cache/codex-auth-models-0123456789abcdef.json",
        &json!({"models": []}),
    );
    let row = h.check("cache.files");
    expect(
        &row,
        "warn",
        &[
            "codex-session-affinity.json is not valid JSON",
            "codex-auth-models-0123456789abcdef.json: missing numeric `fetchedAt`",
            // A per-account catalog's shown name may be masked: the fix is `fix`'s, which
            // knows the real one (found from the user's side: an `rm` of a masked name).
            "codex-doctor fix 'cache.*'",
        ],
    );
    let h = Home::healthy();
    h.write_json(
        ".config/opencode/cache/codex-snapshots.json",
        &json!({"acc_gone|gone@example.com|plus": {"updatedAt": 1, "modelFamily": "codex", "limits": []}}),
    );
    let row = h.check("cache.files");
    expect(
        &row,
        "warn",
        &["1 snapshot(s) for no current account (plans: plus)"],
    );
    let shown = row.to_string();
    assert!(
        !shown.contains("gone@") && !shown.contains("example.com"),
        "{shown}"
    );
    assert!(
        !shown.contains("acc_gone") && !shown.contains("_gone"),
        "{shown}"
    );
}

/// Found from the user's side: a folder where the store's lock file goes passed `auth.lock`,
/// while every store write fails on it.
#[test]
fn a_folder_in_place_of_the_store_lock_file_fails() {
    let h = Home::healthy();
    let target = h.path(".config/opencode/codex-accounts.json.lock");
    let _ = fs::remove_file(&target);
    fs::create_dir(&target).unwrap();
    expect(
        &h.check("auth.lock"),
        "fail",
        &["codex-accounts.json.lock is a folder", "rmdir"],
    );
}
