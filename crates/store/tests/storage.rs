//! Reference 15, items 19–42: storage, migration, transfer, normalization.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use codex_store::gitignore::MANAGED_ENTRIES;
use codex_store::quarantine::entry_timestamp;
use codex_store::{
    should_offer_legacy_transfer, AuthState, AuthStore, Domain, StoreError, StoreOptions,
    WriteOutcome,
};
use serde_json::Value;

use crate::common::{jwt_raw, names, opts_at, read_json, store_with};

fn corrupt_at(
    path: &std::path::Path,
    content: &str,
    opts: StoreOptions,
) -> (StoreError, AuthStore) {
    fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    fs::write(path, content).expect("write");
    let store = AuthStore::with_options(path, opts);
    (store.load().expect_err("corrupt"), store)
}

#[test]
fn case_19_bad_json_is_quarantined_with_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("auth.json");
    let (err, _) = corrupt_at(&path, "{ bad json", StoreOptions::default());
    let msg = err.to_string();
    assert!(msg.contains("Corrupt auth storage JSON"), "{msg}");
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    let q = names(&tmp.path().join("quarantine"));
    assert_eq!(q.len(), 1, "{q:?}");
    assert!(entry_timestamp("auth.json", &q[0]).is_some(), "{q:?}");
    assert!(
        msg.contains(&q[0]),
        "the error names the quarantined file: {msg}"
    );
    assert!(!path.exists(), "original moved away");
    let qfile = tmp.path().join("quarantine").join(&q[0]);
    assert_eq!(fs::read_to_string(&qfile).expect("read"), "{ bad json");
    let mode = fs::metadata(tmp.path().join("quarantine"))
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700);
}

#[test]
fn case_20_custom_quarantine_dir_and_clock() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("auth.json");
    let qdir = tmp.path().join("elsewhere/q");
    let opts = opts_at(12345).with_quarantine_dir(&qdir);
    let (err, _) = corrupt_at(&path, "{ bad json", opts);
    assert!(
        err.to_string().contains("auth.json.12345.quarantine.json"),
        "{err}"
    );
    assert_eq!(names(&qdir), ["auth.json.12345.quarantine.json"]);
}

#[test]
fn case_21_save_on_corrupt_file_quarantines_and_writes_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("codex-accounts.json");
    fs::write(&path, "{ nope").expect("write");
    let store = AuthStore::new(&path);
    let mut ran = false;
    let err = store
        .update(|_| {
            ran = true;
            Ok(())
        })
        .expect_err("corrupt");
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err}");
    assert!(!ran, "the edit never runs on corrupt content");
    assert!(!path.exists(), "nothing written");
    assert_eq!(names(&tmp.path().join("quarantine")).len(), 1);
    // The next read sees a missing file: empty state.
    assert_eq!(store.load().expect("load").to_file_string(), "{}\n");
}

#[test]
fn case_22_non_objects_are_corrupt() {
    for content in ["[]", "\"oops\"", "null", "42"] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("auth.json");
        let (err, _) = corrupt_at(&path, content, StoreOptions::default());
        assert!(
            matches!(err, StoreError::Corrupt { .. }),
            "{content}: {err}"
        );
        assert_eq!(names(&tmp.path().join("quarantine")).len(), 1, "{content}");
    }
}

#[test]
fn case_23_missing_file_is_empty_and_a_save_creates_the_directory() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = store_with(tmp.path(), None);
    assert_eq!(store.load().expect("load").to_file_string(), "{}\n");
    let out = store.update(|_| Ok(())).expect("update");
    assert_eq!(out.outcome, WriteOutcome::Unchanged);
    assert!(store.path().parent().expect("parent").is_dir());
    assert!(!store.path().exists(), "a no-op save writes no file");
}

fn accounts(v: &Value) -> &Vec<Value> {
    v["openai"]["accounts"].as_array().expect("accounts")
}

#[test]
fn case_24_single_legacy_fixture() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let fixture = fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/auth-single.json"),
    )
    .expect("fixture");
    let store = store_with(tmp.path(), Some(&fixture));
    let v = store.load().expect("load").to_value();
    let acc = accounts(&v);
    assert_eq!(acc.len(), 1);
    assert_eq!(acc[0]["enabled"], true);
    assert_eq!(acc[0]["identityKey"], "acc_123|user@example.com|plus");
    assert_eq!(
        v["openai"]["activeIdentityKey"],
        "acc_123|user@example.com|plus"
    );
}

struct Legacy {
    _tmp: tempfile::TempDir,
    store: AuthStore,
    v4: PathBuf,
    provider: PathBuf,
}

fn legacy_env() -> Legacy {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = store_with(tmp.path(), None);
    let v4 = tmp.path().join("opencode/openai-codex-accounts.json");
    let provider = tmp.path().join("data/opencode/auth.json");
    fs::create_dir_all(v4.parent().expect("p")).expect("mkdir");
    fs::create_dir_all(provider.parent().expect("p")).expect("mkdir");
    Legacy {
        _tmp: tmp,
        store,
        v4,
        provider,
    }
}

#[test]
fn case_25_legacy_v4_transfer() {
    let l = legacy_env();
    fs::write(
        &l.v4,
        r#"{"version":4,"activeIndex":1,"accounts":[
          {"refreshToken":"rt_1","accountId":"acc_1","email":"one@example.com","plan":"plus","lastUsed":111},
          {"refreshToken":"rt_2","accountId":"acc_2","email":"two@example.com","plan":"pro","enabled":false,"coolingDownUntil":9999}]}"#,
    )
    .expect("write");
    assert_eq!(
        l.store.load().expect("load").to_file_string(),
        "{}\n",
        "no implicit import"
    );
    let report = l
        .store
        .transfer(std::slice::from_ref(&l.v4), false)
        .expect("transfer");
    assert_eq!(report.imported, 2);
    assert_eq!(report.sources_used, 1);
    let v = read_json(l.store.path());
    let native = v["openai"]["native"]["accounts"]
        .as_array()
        .expect("native");
    assert_eq!(native[0]["expires"], 0);
    assert_eq!(native[0]["lastUsed"], 111);
    assert_eq!(native[1]["enabled"], false);
    assert_eq!(native[1]["cooldownUntil"], 9999);
    assert_eq!(
        v["openai"]["activeIdentityKey"],
        "acc_1|one@example.com|plus"
    );
    assert_eq!(
        v["openai"]["native"]["activeIdentityKey"],
        "acc_1|one@example.com|plus"
    );
}

fn provider_auth(access: &str, refresh: &str) -> String {
    format!(
        r#"{{"google":{{"type":"api","key":"g"}},"openai":{{"type":"oauth","refresh":"{refresh}","access":"{access}","expires":1700000000000}},"opencode":{{"type":"api","key":"o"}}}}"#
    )
}

#[test]
fn case_26_provider_auth_only() {
    let l = legacy_env();
    let access = jwt_raw(r#"{"chatgpt_account_id":"acc_p","email":"p@example.com","plan":"plus"}"#);
    fs::write(&l.provider, provider_auth(&access, "rt_p")).expect("write");
    let report = l
        .store
        .transfer(&[l.v4.clone(), l.provider.clone()], false)
        .expect("transfer");
    assert_eq!(report.imported, 1);
    assert_eq!(report.sources_used, 1);
}

#[test]
fn case_27_corrupt_v4_is_skipped() {
    let l = legacy_env();
    fs::write(&l.v4, "{ not json").expect("write");
    let access = jwt_raw(r#"{"chatgpt_account_id":"acc_p","email":"p@example.com","plan":"plus"}"#);
    fs::write(&l.provider, provider_auth(&access, "rt_p")).expect("write");
    let report = l
        .store
        .transfer(&[l.v4.clone(), l.provider.clone()], false)
        .expect("transfer");
    assert_eq!((report.sources_used, report.imported), (1, 1));
    assert!(l.v4.exists(), "legacy sources are never quarantined");
    assert!(matches!(
        report.sources[0].status,
        codex_store::SourceStatus::Skipped(_)
    ));
}

#[test]
fn case_28_refresh_only_record_merges_with_provider_identity() {
    let l = legacy_env();
    fs::write(
        &l.v4,
        r#"{"version":4,"accounts":[{"refreshToken":"rt_shared"}]}"#,
    )
    .expect("write");
    let access =
        jwt_raw(r#"{"chatgpt_account_id":"acc_shared","email":"one@example.com","plan":"plus"}"#);
    fs::write(&l.provider, provider_auth(&access, "rt_shared")).expect("write");
    let report = l
        .store
        .transfer(&[l.v4.clone(), l.provider.clone()], false)
        .expect("transfer");
    assert_eq!((report.sources_used, report.imported), (2, 1));
    assert_eq!(report.imported_rows.len(), 1);
    assert_eq!(
        report.imported_rows[0].1.identity_key,
        "acc_shared|one@example.com|plus"
    );
    let v = read_json(l.store.path());
    let native = v["openai"]["native"]["accounts"]
        .as_array()
        .expect("native");
    assert_eq!(native.len(), 1);
    assert_eq!(native[0]["refresh"], "rt_shared");
    assert_eq!(native[0]["identityKey"], "acc_shared|one@example.com|plus");
}

#[test]
fn case_29_single_legacy_identity_from_claims() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let access = jwt_raw(
        r#"{"https://api.openai.com/auth":{"chatgpt_account_id":"acc_claims","chatgpt_plan_type":"team"},"https://api.openai.com/profile":{"email":"ClaimsUser@example.com"}}"#,
    );
    let store = store_with(
        tmp.path(),
        Some(&format!(
            r#"{{"openai":{{"type":"oauth","refresh":"rt","access":"{access}","expires":1}}}}"#
        )),
    );
    let v = store.load().expect("load").to_value();
    assert_eq!(
        accounts(&v)[0]["identityKey"],
        "acc_claims|claimsuser@example.com|team"
    );
}

#[test]
fn case_30_multi_record_identity_from_claims() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let access = jwt_raw(
        r#"{"chatgpt_account_id":"acc_multi","email":"MultiUser@example.com","plan":"pro"}"#,
    );
    let store = store_with(
        tmp.path(),
        Some(&format!(
            r#"{{"openai":{{"type":"oauth","accounts":[{{"access":"{access}","refresh":"rt","expires":1}}]}}}}"#
        )),
    );
    let v = store.load().expect("load").to_value();
    assert_eq!(
        accounts(&v)[0]["identityKey"],
        "acc_multi|multiuser@example.com|pro"
    );
    assert_eq!(
        v["openai"]["native"]["accounts"][0]["email"],
        "multiuser@example.com"
    );
}

#[test]
fn case_31_transfer_keeps_only_openai() {
    let l = legacy_env();
    let access = jwt_raw(r#"{"chatgpt_account_id":"acc_p","email":"p@example.com","plan":"plus"}"#);
    fs::write(&l.provider, provider_auth(&access, "rt_p")).expect("write");
    l.store
        .transfer(std::slice::from_ref(&l.provider), false)
        .expect("transfer");
    let v = read_json(l.store.path());
    let keys: Vec<&String> = v.as_object().expect("obj").keys().collect();
    assert_eq!(keys, ["openai"]);
    let provider = read_json(&l.provider);
    assert!(provider.get("google").is_some(), "sources are not modified");
}

#[test]
fn case_32_transfer_is_offered_only_without_a_store() {
    let l = legacy_env();
    assert!(!should_offer_legacy_transfer(
        &l.store,
        &[l.v4.clone(), l.provider.clone()]
    ));
    fs::write(
        &l.v4,
        r#"{"version":4,"accounts":[{"refreshToken":"rt_1"}]}"#,
    )
    .expect("write");
    assert!(should_offer_legacy_transfer(
        &l.store,
        std::slice::from_ref(&l.v4)
    ));
    let access = jwt_raw(r#"{"email":"p@example.com"}"#);
    fs::write(&l.provider, provider_auth(&access, "rt_p")).expect("write");
    assert!(should_offer_legacy_transfer(
        &l.store,
        std::slice::from_ref(&l.provider)
    ));
    fs::write(
        l.store.path(),
        r#"{"openai":{"type":"oauth","accounts":[]}}"#,
    )
    .expect("write");
    assert!(!should_offer_legacy_transfer(
        &l.store,
        &[l.v4.clone(), l.provider.clone()]
    ));
    let err = l
        .store
        .transfer(std::slice::from_ref(&l.v4), false)
        .expect_err("exists");
    assert!(matches!(err, StoreError::StoreExists { .. }), "{err}");
}

#[test]
fn case_33_existing_empty_store_is_authoritative() {
    let l = legacy_env();
    fs::write(
        &l.v4,
        r#"{"version":4,"accounts":[{"refreshToken":"rt_1"}]}"#,
    )
    .expect("write");
    fs::write(
        l.store.path(),
        r#"{"openai":{"type":"oauth","accounts":[]}}"#,
    )
    .expect("write");
    assert_eq!(l.store.rows().expect("rows").len(), 0);
    let v = l.store.load().expect("load").to_value();
    assert_eq!(accounts(&v).len(), 0);
    // The legacy account is neither loaded nor offered for import.
    assert!(!codex_store::should_offer_legacy_transfer(
        &l.store,
        std::slice::from_ref(&l.v4)
    ));
}

#[test]
fn case_34_saving_the_multi_fixture() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = store_with(tmp.path(), None);
    let fixture = fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/auth-multi.json"),
    )
    .expect("fixture");
    let out = store
        .update(|state| {
            *state = AuthState::parse(&fixture, true).expect("the fixture parses");
            Ok(())
        })
        .expect("update");
    assert_eq!(out.outcome, WriteOutcome::Written);
    let mode = fs::metadata(store.path())
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let leftovers: Vec<String> = names(tmp.path().join("opencode").as_path())
        .into_iter()
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let v = read_json(store.path());
    assert_eq!(accounts(&v).len(), 1);
    assert_eq!(
        v["openai"]["native"]["accounts"].as_array().map(Vec::len),
        Some(1)
    );
    assert_eq!(
        v["openai"]["native"]["activeIdentityKey"],
        "acc_123|user@example.com|plus"
    );
    assert_eq!(v["openai"]["strategy"], "round_robin");
    assert_eq!(v["openai"]["native"]["strategy"], "round_robin");
}

#[test]
fn case_35_strategy_on_a_single_legacy_file() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = store_with(
        tmp.path(),
        Some(
            r#"{"openai":{"type":"oauth","refresh":"rt","access":"at","expires":1,"accountId":"a","email":"e@x.io","plan":"p"}}"#,
        ),
    );
    store
        .update_oauth(|s| {
            s.set_default_strategy("round_robin");
            Ok(())
        })
        .expect("update");
    let v = read_json(store.path());
    assert_eq!(v["openai"]["strategy"], "round_robin");
    assert_eq!(v["openai"]["native"]["strategy"], "round_robin");
    assert_eq!(accounts(&v).len(), 1);
}

#[test]
fn case_36_identityless_records_merge_deterministically() {
    let text = r#"{"openai":{"type":"oauth",
      "native":{"accounts":[{"accountId":"acc_x","email":"x@example.com","refresh":"rt_n"}]},
      "codex":{"accounts":[{"accountId":"acc_x","email":"x@example.com","refresh":"rt_c"}]}}}"#;
    let a = AuthState::parse(text, true).expect("parse");
    let again = AuthState::parse(&a.to_file_string(), true).expect("parse");
    assert_eq!(a.to_file_string(), again.to_file_string());
    let v = a.to_value();
    let acc = accounts(&v);
    assert_eq!(acc.len(), 1);
    assert!(acc[0]["identityKey"]
        .as_str()
        .expect("key")
        .starts_with("legacy|"));
    assert_eq!(acc[0]["authTypes"], serde_json::json!(["native", "codex"]));
    assert!(v["openai"]["native"]["accounts"][0]
        .get("identityKey")
        .is_none());
}

#[test]
fn case_37_enabled_in_either_domain() {
    let text = r#"{"openai":{"type":"oauth",
      "native":{"accounts":[{"accountId":"a","email":"a@x.io","plan":"pro","refresh":"r1"}]},
      "codex":{"accounts":[{"accountId":"a","email":"a@x.io","plan":"pro","refresh":"r2","enabled":false}]}}}"#;
    let v = AuthState::parse(text, true).expect("parse").to_value();
    assert_eq!(accounts(&v)[0]["enabled"], true);
    assert_eq!(
        accounts(&v)[0]["authTypes"],
        serde_json::json!(["native", "codex"])
    );
}

#[test]
fn case_38_fresher_copy_wins() {
    let access = jwt_raw(r#"{"chatgpt_account_id":"acc_c","email":"c@example.com","plan":"plus"}"#);
    let text = format!(
        r#"{{"openai":{{"type":"oauth",
      "native":{{"accounts":[{{"access":"{access}","refresh":"rt_native","expires":1000}}]}},
      "codex":{{"accounts":[{{"access":"{access}","refresh":"rt_codex","expires":2000,"enabled":false}}]}}}}}}"#
    );
    let v = AuthState::parse(&text, true).expect("parse").to_value();
    let acc = accounts(&v);
    assert_eq!(acc.len(), 1);
    assert_eq!(acc[0]["refresh"], "rt_codex");
    assert_eq!(acc[0]["expires"], 2000);
    assert_eq!(acc[0]["enabled"], true);
    assert_eq!(acc[0]["authTypes"], serde_json::json!(["native", "codex"]));
}

#[test]
fn case_39_disabled_or_missing_active_is_replaced() {
    let text = r#"{"openai":{"type":"oauth","native":{"activeIdentityKey":"missing|identity|key","accounts":[
      {"accountId":"acc_1","email":"one@example.com","plan":"pro","enabled":false},
      {"accountId":"acc_2","email":"two@example.com","plan":"pro"}]}}}"#;
    let v = AuthState::parse(text, true).expect("parse").to_value();
    assert_eq!(
        v["openai"]["activeIdentityKey"],
        "acc_2|two@example.com|pro"
    );
    assert_eq!(
        v["openai"]["native"]["activeIdentityKey"],
        "acc_2|two@example.com|pro"
    );
    let text = r#"{"openai":{"type":"oauth","native":{"activeIdentityKey":"acc_1|one@example.com|pro","accounts":[
      {"accountId":"acc_1","email":"one@example.com","plan":"pro","enabled":false},
      {"accountId":"acc_2","email":"two@example.com","plan":"pro"}]}}}"#;
    let v = AuthState::parse(text, true).expect("parse").to_value();
    assert_eq!(
        v["openai"]["native"]["activeIdentityKey"],
        "acc_2|two@example.com|pro"
    );
}

#[test]
fn case_40_legacy_fingerprints_for_missing_account_ids() {
    let text = r#"{"openai":{"type":"oauth","native":{"accounts":[
      {"email":"one@example.com","plan":"plus","refresh":"r1"},
      {"email":"two@example.com","plan":"plus","refresh":"r2"},
      {"email":"two@example.com","plan":"plus","refresh":"r3"}]},
      "codex":{"accounts":[{"email":"two@example.com","plan":"plus","refresh":"r4"}]}}}"#;
    let v = AuthState::parse(text, true).expect("parse").to_value();
    let keys: Vec<&str> = accounts(&v)
        .iter()
        .filter_map(|a| a["identityKey"].as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "legacy|_|one%40example.com|plus",
            "legacy|_|two%40example.com|plus"
        ],
        "same fingerprint records merge across and within domains"
    );
}

#[test]
fn identityless_records_with_one_fingerprint_share_one_row() {
    // A blank plan and a missing plan fingerprint alike (`_`), so the plugin's merge folds
    // both native records into one aggregate row.
    let text = r#"{"openai":{"type":"oauth","native":{"accounts":[
      {"email":"a@x.io","refresh":"r1"},
      {"email":"a@x.io","plan":"   ","refresh":"r2","identityKey":""}]}}}"#;
    let v = AuthState::parse(text, true).expect("parse").to_value();
    let keys: Vec<&str> = accounts(&v)
        .iter()
        .filter_map(|a| a["identityKey"].as_str())
        .collect();
    assert_eq!(keys, ["legacy|_|a%40x.io|_"], "{keys:?}");
}

#[test]
fn case_41_gitignore_is_maintained() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("opencode");
    fs::create_dir_all(&dir).expect("mkdir");
    fs::write(dir.join(".gitignore"), "my-notes.txt\nquarantine/\n").expect("write");
    let store = store_with(
        tmp.path(),
        Some(r#"{"openai":{"type":"oauth","accounts":[]}}"#),
    );
    store
        .update_oauth(|s| {
            s.set_default_strategy("hybrid");
            Ok(())
        })
        .expect("update");
    let g = fs::read_to_string(dir.join(".gitignore")).expect("read");
    assert!(g.starts_with("my-notes.txt\n"));
    for e in MANAGED_ENTRIES {
        assert_eq!(g.lines().filter(|l| l.trim() == e).count(), 1, "{e}: {g}");
    }
}

#[test]
fn case_42_cooldown_only_on_enabled_accounts() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = store_with(
        tmp.path(),
        Some(
            r#"{"openai":{"type":"oauth","native":{"accounts":[
          {"accountId":"a","email":"a@x.io","plan":"pro","refresh":"r1"},
          {"accountId":"b","email":"b@x.io","plan":"pro","refresh":"r2","enabled":false}]}}}"#,
        ),
    );
    assert!(store
        .set_cooldown(Domain::Native, "a|a@x.io|pro", 5000.0)
        .expect("cooldown"));
    assert!(!store
        .set_cooldown(Domain::Native, "b|b@x.io|pro", 5000.0)
        .expect("cooldown"));
    let v = read_json(store.path());
    assert_eq!(v["openai"]["native"]["accounts"][0]["cooldownUntil"], 5000);
    assert!(v["openai"]["native"]["accounts"][1]
        .get("cooldownUntil")
        .is_none());
}
