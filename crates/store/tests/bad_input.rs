//! Bad input: wrong types, a huge file, non-UTF-8 bytes, a read-only directory, a symlinked
//! store. Each gets a clear error and no data is lost.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::Stdio;

use codex_store::{AuthStore, StoreError};

use crate::common::{child, counter_store, names, store_with};

fn unchanged_after(store: &AuthStore, bytes: &[u8]) {
    assert_eq!(
        fs::read(store.path()).expect("read"),
        bytes,
        "file untouched"
    );
    assert!(
        names(&store.path().parent().expect("dir").join("quarantine")).is_empty(),
        "nothing quarantined"
    );
}

#[test]
fn wrong_types_in_records() {
    let cases = [
        (
            r#"{"openai":{"type":"oauth","native":{"accounts":[{"refresh":"rt","expires":"soon"}]}}}"#,
            "openai.native.accounts[0].expires",
        ),
        (
            r#"{"openai":{"type":"oauth","native":{"accounts":[{"email":42}]}}}"#,
            "openai.native.accounts[0].email",
        ),
        (
            r#"{"openai":{"type":"oauth","codex":{"accounts":[{"enabled":"yes"}]}}}"#,
            "openai.codex.accounts[0].enabled",
        ),
        (
            r#"{"openai":{"type":"oauth","accounts":[{"authTypes":"native"}]}}"#,
            "openai.accounts[0].authTypes",
        ),
        (
            r#"{"openai":{"type":"oauth","native":{"accounts":[7]}}}"#,
            "openai.native.accounts[0]",
        ),
        (
            r#"{"openai":{"type":"oauth","refresh":"r","access":"a","expires":1,"email":["x"]}}"#,
            "openai.email",
        ),
    ];
    for (content, at) in cases {
        let tmp = tempfile::tempdir().expect("tempdir");
        let store = store_with(tmp.path(), Some(content));
        let err = store.load().expect_err(at);
        assert!(
            matches!(err, StoreError::InvalidShape { .. }),
            "{at}: {err}"
        );
        let msg = err.to_string();
        assert!(msg.contains(&format!("`{at}`")), "{msg}");
        assert!(msg.contains("nothing was written"), "{msg}");
        let err = store.update(|_| Ok(())).expect_err(at);
        assert!(
            matches!(err, StoreError::InvalidShape { .. }),
            "{at}: {err}"
        );
        unchanged_after(&store, content.as_bytes());
    }
}

#[test]
fn unrecognized_oauth_shapes_are_preserved_not_edited() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let content = r#"{"openai":{"type":"oauth","native":{"accounts":{}}}}"#;
    let store = store_with(tmp.path(), Some(content));
    assert!(store.load().is_ok());
    let err = store.switch_active(1).expect_err("not editable");
    assert!(matches!(err, StoreError::NotOauth { .. }), "{err}");
    assert!(err.to_string().contains("does not recognize"), "{err}");
    unchanged_after(&store, content.as_bytes());
}

#[test]
fn fifty_megabytes_is_refused_untouched() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut content = String::from(r#"{"openai":{"type":"oauth","accounts":[]},"pad":""#);
    content.push_str(&"x".repeat(50 * 1024 * 1024));
    content.push_str("\"}");
    let store = store_with(tmp.path(), Some(&content));
    let err = store.load().expect_err("too large");
    assert!(matches!(err, StoreError::TooLarge { .. }), "{err}");
    assert!(err.to_string().contains("bytes, over the"), "{err}");
    assert!(store.switch_active(1).is_err());
    assert_eq!(
        fs::metadata(store.path()).expect("meta").len(),
        content.len() as u64
    );
    assert!(names(&tmp.path().join("opencode/quarantine")).is_empty());
}

#[test]
fn non_utf8_inside_valid_json_is_refused_untouched() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut bytes = br#"{"openai":{"type":"oauth","native":{"accounts":[{"email":"a"#.to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe]);
    bytes.extend_from_slice(br#"@x.io"}]}}}"#);
    let path = tmp.path().join("opencode/codex-accounts.json");
    fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
    fs::write(&path, &bytes).expect("write");
    let store = AuthStore::new(&path);
    let err = store.load().expect_err("not utf-8");
    assert!(
        matches!(err, StoreError::NotUtf8 { offset: 59, .. }),
        "{err}"
    );
    assert!(store.update(|_| Ok(())).is_err());
    unchanged_after(&store, &bytes);
}

#[test]
fn binary_garbage_is_quarantined_byte_for_byte() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let path = tmp.path().join("opencode/codex-accounts.json");
    fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
    fs::write(&path, &bytes).expect("write");
    let err = AuthStore::new(&path).load().expect_err("corrupt");
    let StoreError::Corrupt { quarantined, .. } = err else {
        panic!("expected Corrupt, got {err}");
    };
    assert_eq!(fs::read(quarantined).expect("read"), bytes, "no data lost");
}

#[test]
fn symlinked_store_is_read_but_never_replaced() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let real = tmp.path().join("dotfiles/codex-accounts.json");
    fs::create_dir_all(real.parent().expect("dir")).expect("mkdir");
    let content = counter_store(3);
    fs::write(&real, &content).expect("write");
    let link = tmp.path().join("opencode/codex-accounts.json");
    fs::create_dir_all(link.parent().expect("dir")).expect("mkdir");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let store = AuthStore::new(&link);
    assert_eq!(
        store.rows().expect("rows").len(),
        1,
        "reading through the link works"
    );
    let err = store.set_enabled(1, false).expect_err("symlink");
    assert!(matches!(err, StoreError::Symlink { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("symbolic link") && msg.contains("dotfiles"),
        "{msg}"
    );
    assert!(fs::symlink_metadata(&link)
        .expect("meta")
        .file_type()
        .is_symlink());
    assert_eq!(fs::read_to_string(&real).expect("read"), content);
}

/// The uid we run as (the owner of a file we just created).
fn euid(dir: &std::path::Path) -> u32 {
    let probe = dir.join(".uid-probe");
    fs::write(&probe, b"").expect("probe");
    let uid = fs::metadata(&probe).expect("meta").uid();
    let _ = fs::remove_file(probe);
    uid
}

#[test]
fn read_only_directory_gives_a_clear_error() {
    use std::os::unix::process::CommandExt;
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = store_with(tmp.path(), Some(&counter_store(1)));
    let dir = store.path().parent().expect("dir").to_path_buf();
    let before = fs::read(store.path()).expect("read");
    let as_root = euid(tmp.path()) == 0;
    // Root ignores directory permissions: run the writer as `nobody` in that case.
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
    fs::set_permissions(store.path(), fs::Permissions::from_mode(0o644)).expect("chmod");
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o555)).expect("chmod");
    let message = if as_root {
        let out = child("readonly-update")
            .env("CODEX_STORE_TEST_PATH", store.path())
            .uid(65534)
            .gid(65534)
            .stderr(Stdio::piped())
            .output();
        match out {
            Ok(out) => String::from_utf8_lossy(&out.stdout)
                .lines()
                .find_map(|l| l.split_once("RESULT: ").map(|(_, r)| r.to_string()))
                .unwrap_or_else(|| panic!("no result: {}", String::from_utf8_lossy(&out.stderr))),
            Err(e) => {
                #[allow(clippy::print_stderr)]
                {
                    eprintln!(
                        "SKIPPED read-only directory check: cannot run a child as nobody: {e}"
                    );
                }
                fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).expect("chmod");
                return;
            }
        }
    } else {
        match store.set_enabled(1, false) {
            Ok(_) => "ok".to_string(),
            Err(e) => e.to_string(),
        }
    };
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).expect("chmod");
    assert!(message.contains("Permission denied"), "{message}");
    assert!(
        message.contains(&dir.display().to_string()),
        "names the path: {message}"
    );
    assert_eq!(
        fs::read(store.path()).expect("read"),
        before,
        "no data lost"
    );
}

#[test]
fn a_named_pipe_in_the_stores_place_is_refused_at_once_and_left_alone() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = store_with(tmp.path(), None);
    fs::create_dir_all(store.path().parent().expect("dir")).expect("dir");
    let made = std::process::Command::new("mkfifo")
        .arg(store.path())
        .status()
        .expect("mkfifo");
    assert!(made.success());
    // With no writer, opening or reading it would never return.
    let err = store.load().expect_err("not a file");
    assert!(err.to_string().contains("named pipe"), "{err}");
    assert!(store.switch_active(1).is_err());
    use std::os::unix::fs::FileTypeExt;
    assert!(fs::symlink_metadata(store.path())
        .expect("meta")
        .file_type()
        .is_fifo());
    assert!(names(&tmp.path().join("opencode/quarantine")).is_empty());
}
