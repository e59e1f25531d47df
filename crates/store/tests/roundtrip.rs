//! Every fixture, read and written back, is byte-identical to what the plugin would write
//! (the `*.expected.json` files were derived by hand from reference 4.1–4.6).

use std::fs;
use std::path::Path;

use codex_store::{AuthStore, WriteOutcome};

const FIXTURES: [&str; 5] = [
    "auth-single",
    "auth-multi",
    "two-domains",
    "legacy-v4",
    "claims-aggregate",
];

fn fixture(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn fixtures_rewrite_to_the_plugins_bytes() {
    for name in FIXTURES {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("codex-accounts.json");
        fs::write(&path, fixture(&format!("{name}.json"))).expect("write");
        let store = AuthStore::new(&path);
        assert_eq!(
            store.rewrite_normalized().expect(name),
            WriteOutcome::Written,
            "{name}"
        );
        let got = String::from_utf8(fs::read(&path).expect("read")).expect("utf8");
        let want = String::from_utf8(fixture(&format!("{name}.expected.json"))).expect("utf8");
        assert_eq!(got, want, "{name}");
        // Like the plugin's saveAuthStorage, a save that changes nothing writes nothing.
        let out = store.update(|_| Ok(())).expect(name);
        assert_eq!(out.outcome, WriteOutcome::Unchanged, "{name}");
        // A re-read can reorder keys the plugin created as `undefined` during migration
        // (legacy v4: `identityKey` moves to the end of a fingerprinted aggregate record),
        // exactly as the plugin's next normalization would; after that it is a fixed point.
        store.rewrite_normalized().expect(name);
        assert_eq!(
            store.rewrite_normalized().expect(name),
            WriteOutcome::Unchanged,
            "{name}"
        );
    }
}

#[test]
fn a_no_op_save_does_not_touch_a_raw_fixture() {
    // saveAuthStorage compares normalized-before with normalized-after: a raw (unnormalized)
    // file is not rewritten by an update that changes nothing.
    for name in FIXTURES {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("codex-accounts.json");
        let raw = fixture(&format!("{name}.json"));
        fs::write(&path, &raw).expect("write");
        let store = AuthStore::new(&path);
        let out = store.update(|_| Ok(())).expect(name);
        assert_eq!(out.outcome, WriteOutcome::Unchanged, "{name}");
        assert_eq!(fs::read(&path).expect("read"), raw, "{name}");
    }
}

#[test]
fn other_file_names_keep_their_root_keys() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("auth.json");
    fs::write(
        &path,
        r#"{"google":{"type":"api","key":"k"},"openai":{"type":"oauth","refresh":"rt","access":"at","expires":5},"z":[]}"#,
    )
    .expect("write");
    AuthStore::new(&path).rewrite_normalized().expect("rewrite");
    let v = crate::common::read_json(&path);
    let keys: Vec<&String> = v.as_object().expect("object").keys().collect();
    assert_eq!(keys, ["google", "openai", "z"]);
    assert_eq!(v["openai"]["native"]["accounts"][0]["refresh"], "rt");
}
