//! Reference 15, items 49–52: quarantine naming, permissions and retention.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use codex_store::quarantine::{list, quarantine_file};

use crate::common::names;

#[test]
fn case_49_name_content_mode_and_source_removed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let src = tmp.path().join("auth.json");
    fs::write(&src, "{broken").expect("write");
    let q = quarantine_file(&src, &tmp.path().join("q"), 123, 5).expect("quarantine");
    assert_eq!(
        q.file_name().and_then(|n| n.to_str()),
        Some("auth.json.123.quarantine.json")
    );
    assert_eq!(fs::read_to_string(&q).expect("read"), "{broken");
    assert_eq!(
        fs::metadata(&q).expect("meta").permissions().mode() & 0o777,
        0o600
    );
    assert!(!src.exists());
}

fn quarantine_many(keep: usize, stamps: &[u64]) -> Vec<String> {
    let tmp = tempfile::tempdir().expect("tempdir");
    let qdir = tmp.path().join("q");
    for ts in stamps {
        let src = tmp.path().join("auth.json");
        fs::write(&src, ts.to_string()).expect("write");
        quarantine_file(&src, &qdir, *ts, keep).expect("quarantine");
    }
    assert_eq!(list(&qdir, "auth.json").len(), names(&qdir).len());
    list(&qdir, "auth.json")
        .iter()
        .filter_map(|p| p.file_name().and_then(|n| n.to_str()).map(str::to_string))
        .collect()
}

#[test]
fn case_50_newest_five_are_kept() {
    let stamps: Vec<u64> = (1001..=1010).collect();
    let kept = quarantine_many(5, &stamps);
    assert_eq!(kept.len(), 5);
    assert_eq!(kept[0], "auth.json.1006.quarantine.json");
    assert_eq!(kept[4], "auth.json.1010.quarantine.json");
}

#[test]
fn case_51_keep_one() {
    assert_eq!(
        quarantine_many(1, &[1001, 1002, 1003]),
        ["auth.json.1003.quarantine.json"]
    );
}

#[test]
fn case_52_numeric_not_lexicographic() {
    assert_eq!(
        quarantine_many(1, &[9, 10]),
        ["auth.json.10.quarantine.json"]
    );
}

#[test]
fn same_millisecond_never_overwrites() {
    let kept = quarantine_many(5, &[7, 7, 7]);
    assert_eq!(
        kept,
        [
            "auth.json.7.quarantine.json",
            "auth.json.8.quarantine.json",
            "auth.json.9.quarantine.json"
        ]
    );
}
