//! `codex-runtime accounts …` end to end: a temp HOME, a cleared environment, the real binary.

use std::fs;
use std::path::Path;

use assert_cmd::cargo::cargo_bin;
use assert_cmd::Command;
use codex_store::lock::FileLock;
use codex_store::LockOptions;
use codex_testkit::{Run, TempHome};
use serde_json::Value;

/// A [`TempHome`] whose runs of the binary fail the test if a token reaches the output.
struct Home {
    tmp: TempHome,
}

impl std::ops::Deref for Home {
    type Target = TempHome;
    fn deref(&self) -> &TempHome {
        &self.tmp
    }
}

const TOKENS: [&str; 4] = ["at_secret_1", "rt_secret_1", "rt_secret_2", "rt_secret_3"];

const STORE: &str = r#"{"openai":{"type":"oauth",
  "native":{"activeIdentityKey":"acc_1|one@example.com|plus","accounts":[
    {"accountId":"acc_1","email":"one@example.com","plan":"plus","refresh":"rt_secret_1","access":"at_secret_1","expires":99999999999999,"cooldownUntil":99999999999999},
    {"accountId":"acc_2","email":"two@example.com","plan":"pro","refresh":"rt_secret_2","enabled":false}]},
  "codex":{"accounts":[{"accountId":"acc_3","email":"three@example.com","plan":"team","refresh":"rt_secret_3"}]}}}"#;

impl Home {
    fn new() -> Self {
        Home {
            tmp: TempHome::new(),
        }
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let run = codex_testkit::run(
            self.command(cargo_bin("codex-runtime"))
                .envs(env.iter().copied())
                .args(args),
        );
        run.assert_hides(&TOKENS);
        run
    }
}

#[test]
fn list_text_and_json() {
    let h = Home::new();
    h.write_store_text(STORE);
    let r = h.run(&["accounts", "list"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines[0].starts_with("codex-accounts.json: ") && lines[0].ends_with("(mode: native)"));
    assert!(lines[1].starts_with("#  ACCOUNT"), "{}", r.stdout);
    assert!(
        lines[2].starts_with("1  o***@example.com        plus  native"),
        "{}",
        r.stdout
    );
    assert!(
        lines[2].contains(" yes ") && lines[2].contains("in "),
        "{}",
        r.stdout
    );
    // two@ and three@ mask alike: each gets its stable tag.
    let tag2 = codex_runtime::labels::identity_tag("acc_2|two@example.com|pro");
    let tag3 = codex_runtime::labels::identity_tag("acc_3|three@example.com|team");
    assert_ne!(tag2, tag3);
    assert!(
        lines[3].starts_with(&format!("2  t***@example.com ~{tag2}  pro")),
        "{}",
        r.stdout
    );
    assert!(
        lines[4].starts_with(&format!("3  t***@example.com ~{tag3}  team  codex")),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("one@example.com"), "emails are masked");

    let r = h.run(&["accounts", "list", "--json"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(v["schemaVersion"], 1);
    assert_eq!(v["mode"], "native");
    let a = v["accounts"].as_array().expect("accounts");
    assert_eq!(a.len(), 3);
    assert_eq!(a[0]["index"], 1);
    assert_eq!(a[0]["label"], "o***@example.com (plus)");
    assert_eq!(a[0]["active"], true);
    assert_eq!(a[0]["identity"], true);
    assert!(a[0]["cooldownLeftMs"].as_f64().is_some_and(|x| x > 0.0));
    assert!(a[0]["expiresInMs"].as_f64().is_some_and(|x| x > 0.0));
    assert_eq!(a[1]["enabled"], false);
    assert_eq!(a[2]["domains"], serde_json::json!(["codex"]));
}

#[test]
fn list_shows_the_last_known_quota_of_each_account() {
    let h = Home::new();
    h.write_store_text(STORE);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    std::fs::create_dir_all(h.config_dir().join("cache")).unwrap();
    std::fs::write(
        h.config_dir().join("cache/codex-snapshots.json"),
        serde_json::json!({
            "acc_1|one@example.com|plus": {"updatedAt": now - 60_000, "modelFamily": "codex",
                "limits": [{"name": "requests", "leftPct": 75, "resetsAt": now + 3_600_000},
                           {"name": "tokens", "leftPct": 30}]},
            "acc_2|two@example.com|pro": {"updatedAt": now - 7_200_000, "modelFamily": "codex",
                "limits": [{"name": "requests", "leftPct": 0}]},
            "someone|else@example.com|plus": {"limits": [{"name": "requests", "leftPct": 1}]}
        })
        .to_string(),
    )
    .unwrap();
    let r = h.run(&["accounts", "list"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(lines[1].contains("LEFT 5H/WEEK"), "{}", r.stdout);
    assert!(lines[2].contains(" 75%/30% "), "{}", r.stdout);
    assert!(lines[3].contains(" 0%/- (2h 0m ago) "), "{}", r.stdout);
    assert!(lines[4].contains(" - "), "no snapshot: {}", r.stdout);
    assert!(!r.stdout.contains("else@example.com"));

    let r = h.run(&["accounts", "list", "--json"], &[]);
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    let a = v["accounts"].as_array().expect("accounts");
    assert_eq!(a[0]["quota"]["fiveHour"]["leftPct"], 75);
    assert_eq!(a[0]["quota"]["fiveHour"]["resetsAt"], now + 3_600_000);
    assert_eq!(a[0]["quota"]["weekly"]["leftPct"], 30);
    assert_eq!(a[0]["quota"]["weekly"]["resetsAt"], serde_json::Value::Null);
    assert_eq!(a[1]["quota"]["weekly"], serde_json::Value::Null);
    assert_eq!(a[2]["quota"], serde_json::Value::Null);

    // A malformed snapshots file is no reason to fail the listing.
    std::fs::write(
        h.config_dir().join("cache/codex-snapshots.json"),
        "{not json",
    )
    .unwrap();
    let r = h.run(&["accounts", "list"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.lines().nth(2).unwrap().contains(" - "));
}

#[test]
fn mode_comes_from_env_then_config_file() {
    let h = Home::new();
    h.write_store_text(STORE);
    let mode = |env: &[(&str, &str)]| -> String {
        let r = h.run(&["accounts", "list", "--json"], env);
        let v: Value = serde_json::from_str(&r.stdout).expect("json");
        v["mode"].as_str().expect("mode").to_string()
    };
    assert_eq!(mode(&[]), "native");
    assert_eq!(mode(&[("OPENCODE_OPENAI_MULTI_MODE", "codex")]), "codex");
    fs::write(
        h.config_dir().join("codex-config.jsonc"),
        r#"{ // comment
      "runtime": { "mode": "codex" } }"#,
    )
    .expect("write");
    assert_eq!(mode(&[]), "codex");
    assert_eq!(mode(&[("OPENCODE_OPENAI_MULTI_MODE", "native")]), "native");
    let r = h.run(
        &["accounts", "list", "--json"],
        &[("OPENCODE_OPENAI_MULTI_MODE", "codex")],
    );
    let v: Value = serde_json::from_str(&r.stdout).expect("json");
    assert_eq!(
        v["accounts"][2]["active"], true,
        "codex domain's active account"
    );
}

#[test]
fn use_enable_disable_remove() {
    let h = Home::new();
    h.write_store_text(STORE);
    let r = h.run(&["accounts", "use", "2"], &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("Target account is disabled: #2"),
        "{}",
        r.stderr
    );

    // two@ and three@ both mask to t***@example.com: messages carry their tags.
    let two = format!(
        "t***@example.com ~{} (pro)",
        codex_runtime::labels::identity_tag("acc_2|two@example.com|pro")
    );
    let r = h.run(&["accounts", "enable", "2"], &[]);
    assert_eq!(
        (r.code, r.stdout.clone()),
        (0, format!("Updated #2: {two} -> enabled\n"))
    );
    let r = h.run(&["accounts", "use", "2"], &[]);
    assert_eq!(
        (r.code, r.stdout.clone()),
        (0, format!("Switched to #2: {two}\n"))
    );
    assert_eq!(
        h.read_store()["openai"]["native"]["activeIdentityKey"],
        "acc_2|two@example.com|pro"
    );

    let r = h.run(&["accounts", "disable", "2"], &[]);
    assert_eq!(r.stdout, format!("Updated #2: {two} -> disabled\n"));
    assert_eq!(
        h.read_store()["openai"]["native"]["activeIdentityKey"],
        "acc_1|one@example.com|plus"
    );
    let r = h.run(&["accounts", "disable", "2"], &[]);
    assert!(r.stdout.contains("already disabled"), "{}", r.stdout);

    let before = fs::read(h.store_path()).expect("read");
    let r = h.run(&["accounts", "remove", "3"], &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("Refusing to remove account"),
        "{}",
        r.stderr
    );
    assert_eq!(fs::read(h.store_path()).expect("read"), before);

    let r = h.run(&["accounts", "remove", "3", "--yes"], &[]);
    let three = codex_runtime::labels::identity_tag("acc_3|three@example.com|team");
    assert_eq!(
        (r.code, r.stdout.clone()),
        (0, format!("Removed #3: t***@example.com ~{three} (team)\n"))
    );
    assert_eq!(
        h.read_store()["openai"]["codex"]["accounts"],
        serde_json::json!([])
    );

    let r = h.run(&["accounts", "use", "7"], &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.starts_with("error: Invalid account index: #7"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("hint: "), "{}", r.stderr);
}

#[test]
fn transfer_imports_legacy_accounts_once() {
    let h = Home::new();
    fs::create_dir_all(h.config_dir()).expect("mkdir");
    fs::write(
        h.config_dir().join("openai-codex-accounts.json"),
        r#"{"version":4,"activeIndex":0,"accounts":[
          {"refreshToken":"rt_secret_1","accountId":"acc_1","email":"one@example.com","plan":"plus"},
          {"refreshToken":"rt_secret_2","accountId":"acc_2","email":"two@example.com","plan":"pro"}]}"#,
    )
    .expect("write");
    let r = h.run(&["accounts", "list"], &[]);
    assert!(
        r.stdout.contains("No Codex accounts configured."),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("accounts transfer"), "{}", r.stdout);

    let r = h.run(&["accounts", "transfer"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("Transfer complete: imported 2 account(s)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("#1 o***@example.com (plus) [native]"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("openai-codex-accounts.json: used, 2 new account(s)"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(".local/share/opencode/auth.json: not found"),
        "{}",
        r.stdout
    );
    assert_eq!(
        h.read_store()["openai"]["accounts"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    let r = h.run(&["accounts", "transfer"], &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("already exists and is authoritative"),
        "{}",
        r.stderr
    );
    let r = h.run(&["accounts", "transfer", "--merge"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("imported 0 account(s)"), "{}", r.stdout);
}

#[test]
fn nothing_to_transfer_creates_no_store() {
    let h = Home::new();
    let r = h.run(&["accounts", "transfer"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("Nothing to transfer"), "{}", r.stdout);
    assert!(!h.store_path().exists());
}

#[test]
fn a_held_lock_names_the_directory_and_age() {
    let h = Home::new();
    h.write_store_text(STORE);
    let lock = FileLock::acquire(&h.store_path(), &LockOptions::default()).expect("lock");
    let r = h.run(&["accounts", "--lock-timeout", "0.3", "disable", "1"], &[]);
    assert_eq!(r.code, 1);
    let dir = Path::new(&h.store_path()).with_file_name("codex-accounts.json.lock.lock");
    let dir = fs::canonicalize(dir).expect("lock dir");
    assert!(
        r.stderr.contains(&dir.display().to_string()),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("has been held for") || r.stderr.contains("last refreshed"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--lock-timeout"), "{}", r.stderr);
    lock.release().expect("release");
    let r = h.run(&["accounts", "disable", "1"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
}

#[test]
fn a_corrupt_store_names_the_quarantine_path() {
    let h = Home::new();
    h.write_store_text("{ not json");
    let r = h.run(&["accounts", "list"], &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("Corrupt auth storage JSON at"),
        "{}",
        r.stderr
    );
    let q = h.config_dir().join("quarantine");
    let names: Vec<String> = fs::read_dir(&q)
        .expect("quarantine")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1);
    assert!(
        r.stderr.contains(&q.join(&names[0]).display().to_string()),
        "{}",
        r.stderr
    );
    let r = h.run(&["accounts", "list"], &[]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("No Codex accounts configured."));
}

#[test]
fn missing_home_is_a_clear_error() {
    let out = Command::cargo_bin("codex-runtime")
        .expect("binary")
        .env_clear()
        .args(["accounts", "list"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HOME is not set"));
}

/// Found from the user's side: one field of the wrong type (`"expires": "123"`, a hand
/// edit) made `accounts list` refuse the whole store, while the plugin reads such a field as
/// absent. The list now reads it as absent and says so; a write still refuses, and the file
/// is untouched.
#[test]
fn a_field_of_the_wrong_type_is_listed_as_absent_and_writes_still_refuse() {
    let h = Home::new();
    let bad = STORE.replace("\"expires\":99999999999999", "\"expires\":\"123\"");
    h.write_store_text(&bad);
    let before = fs::read(h.store_path()).unwrap();
    let r = h.run(&["accounts", "list"], &[]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("o***@example.com"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("note: read as absent, as the plugin does (wrong type): openai.native.accounts[0].expires (string, should be a number)"),
        "{}",
        r.stdout
    );
    let j = h.run(&["accounts", "list", "--json"], &[]);
    let v: Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(v["ignoredFields"].as_array().map(Vec::len), Some(1), "{v}");
    let w = h.run(&["accounts", "disable", "1"], &[]);
    assert_eq!(w.code, 1, "{}", w.stderr);
    assert!(
        w.stderr.contains("should be a number but is"),
        "{}",
        w.stderr
    );
    assert_eq!(fs::read(h.store_path()).unwrap(), before);
}
