//! `auth.store`, `auth.opencode`, `auth.accounts`, `auth.identity`, `auth.legacy`.

use serde_json::json;

use crate::common::{account, expect, jwt, now_ms, plugin_fixture, store_with, Home};

const STORE: &str = ".config/opencode/codex-accounts.json";
const OC_AUTH: &str = ".local/share/opencode/auth.json";

#[test]
fn store_pass_counts_accounts_per_domain() {
    let h = Home::healthy_with(vec![
        account("acc_a1", "a@example.com", "plus"),
        account("acc_b2", "b@example.com", "pro"),
    ]);
    expect(
        &h.check("auth.store"),
        "pass",
        &["native: 2 account(s), 2 enabled"],
    );
}

#[test]
fn store_plugin_fixtures_are_understood() {
    let h = Home::healthy();
    h.write(STORE, &plugin_fixture("auth-single.json"));
    expect(
        &h.check("auth.store"),
        "pass",
        &["native: 1 account(s)", "legacy single-account shape"],
    );
    expect(&h.check("auth.identity"), "pass", &["all 1 account(s)"]);
    h.write(STORE, &plugin_fixture("auth-multi.json"));
    expect(
        &h.check("auth.store"),
        "pass",
        &["native: 1 account(s), 1 enabled"],
    );
    // The fixture's access token expired in 1970: refreshed on use, not an error.
    expect(
        &h.check("auth.accounts"),
        "pass",
        &["1 native account(s), 1 enabled, 1 eligible now"],
    );
}

#[test]
fn store_missing_fails_and_offers_transfer_from_legacy() {
    let h = Home::healthy();
    h.remove(STORE);
    let row = h.check("auth.store");
    expect(
        &row,
        "fail",
        &[
            "codex-accounts.json is missing",
            "Transfer OpenAI accounts",
            "auth.json (1 account(s))",
        ],
    );
    expect(
        &h.check("auth.legacy"),
        "warn",
        &["legacy sources hold 1 account(s)", "transfer is offered"],
    );
    h.remove(OC_AUTH);
    expect(&h.check("auth.store"), "fail", &["opencode auth login"]);
    expect(&h.check("auth.legacy"), "pass", &["no legacy sources"]);
}

#[test]
fn the_login_to_pick_fits_where_the_doctor_runs() {
    // A desktop session: the browser flow.
    let h = Home::healthy();
    h.remove(STORE);
    h.remove(OC_AUTH);
    for id in ["auth.store", "auth.opencode"] {
        expect(&h.check(id), "fail", &["ChatGPT Pro/Plus (browser)"]);
    }
    // In a container, over SSH or without a display the redirect cannot come back: the
    // device flow, pointing at login.environment.
    for (var, value) in [
        ("CODEX_DOCTOR_CONTAINER", "container=podman"),
        ("SSH_CONNECTION", "198.51.100.7 5000 198.51.100.9 22"),
        ("DISPLAY", ""),
    ] {
        let mut h = Home::healthy();
        h.remove(STORE);
        h.remove(OC_AUTH);
        h.set(var, value);
        for id in ["auth.store", "auth.opencode"] {
            let row = h.check(id);
            expect(
                &row,
                "fail",
                &["ChatGPT Pro/Plus (headless)", "login.environment"],
            );
            assert!(!row.to_string().contains("(browser)"), "{var}: {row}");
        }
    }
}

#[test]
fn legacy_v4_store_is_counted() {
    let h = Home::healthy();
    h.remove(STORE);
    h.write(
        ".config/opencode/openai-codex-accounts.json",
        &json!({"version": 4, "activeIndex": 1, "accounts": [{"refreshToken": "rt_v4_one"}, {"refreshToken": "rt_v4_two", "enabled": false, "coolingDownUntil": 9999}]}).to_string(),
    );
    expect(&h.check("auth.legacy"), "warn", &["hold 3 account(s)"]);
}

#[test]
fn store_unreadable_fails_with_mode_and_owner() {
    let h = Home::healthy();
    h.remove(STORE);
    std::fs::create_dir_all(h.path(STORE)).unwrap();
    expect(
        &h.check("auth.store"),
        "fail",
        &["cannot be read", "mode 0", "owner uid"],
    );
}

#[test]
fn store_not_json_fails_naming_quarantine_and_keeps_the_file() {
    let h = Home::healthy();
    h.write(STORE, "{ bad json");
    expect(
        &h.check("auth.store"),
        "fail",
        &["is not valid JSON", "line 1", "quarantine"],
    );
    assert_eq!(
        std::fs::read_to_string(h.path(STORE)).unwrap(),
        "{ bad json",
        "the doctor never touches it"
    );
    assert!(!h.path(".config/opencode/quarantine").exists());
    h.write(STORE, "[]");
    expect(
        &h.check("auth.store"),
        "fail",
        &["holds a JSON array, not an object"],
    );
    h.write_bytes(STORE, &[0xff, 0xfe, b'{']);
    expect(&h.check("auth.store"), "fail", &["invalid UTF-8"]);
}

#[test]
fn store_without_openai_oauth_fails() {
    let h = Home::healthy();
    h.write(STORE, r#"{"other": {}}"#);
    expect(&h.check("auth.store"), "fail", &["no `openai` entry"]);
    h.write(
        STORE,
        r#"{"openai": {"type": "api", "key": "sk-proj-aaaaaaaaaaaaaaaaaaaaaaaa"}}"#,
    );
    let row = h.check("auth.store");
    expect(&row, "fail", &["not \\\"oauth\\\""]);
    assert!(!row.to_string().contains("sk-proj-aaaa"));
}

#[test]
fn store_readable_by_others_warns_with_chmod() {
    let h = Home::healthy();
    h.chmod(STORE, 0o644);
    expect(
        &h.check("auth.store"),
        "warn",
        &["readable by group or others (0644)", "chmod 600"],
    );
}

#[test]
fn store_wrong_field_types_warn_without_panicking() {
    let mut bad = account("acc_bad1", "bad@example.com", "plus");
    bad["expires"] = json!("tomorrow");
    bad["enabled"] = json!("yes");
    bad["accountId"] = json!(42);
    let h = Home::healthy_with(vec![bad]);
    let row = h.check("auth.store");
    expect(
        &row,
        "warn",
        &[
            "wrong type",
            "openai.native.accounts[0].expires: expected number, found string",
            "accountId: expected string, found number",
        ],
    );
}

#[test]
fn opencode_auth_cases() {
    let h = Home::healthy();
    expect(&h.check("auth.opencode"), "pass", &["openai OAuth entry"]);
    h.chmod(OC_AUTH, 0o640);
    expect(
        &h.check("auth.opencode"),
        "warn",
        &["readable by group or others"],
    );
    h.write(OC_AUTH, r#"{"anthropic": {"type": "oauth"}}"#);
    expect(
        &h.check("auth.opencode"),
        "fail",
        &["no `openai` entry", "OpenAI API key is missing"],
    );
    // An API key entry: OpenCode still asks the plugin, which serves from its own store
    // (found from the user's side: this failed although the plugin works).
    h.write(OC_AUTH, r#"{"openai": {"type": "api", "key": "x"}}"#);
    expect(
        &h.check("auth.opencode"),
        "warn",
        &["of type \\\"api\\\"", "the plugin still serves"],
    );
    h.write(OC_AUTH, "{nope");
    expect(
        &h.check("auth.opencode"),
        "fail",
        &["cannot be used", "not valid JSON"],
    );
    h.remove(OC_AUTH);
    expect(&h.check("auth.opencode"), "fail", &["is missing"]);
    // Without the plugin's accounts the key entry bypasses it.
    h.remove(".config/opencode/codex-accounts.json");
    h.write(OC_AUTH, r#"{"openai": {"type": "api", "key": "x"}}"#);
    expect(
        &h.check("auth.opencode"),
        "fail",
        &["of type \\\"api\\\"", "bypassed"],
    );
}

#[test]
fn accounts_all_disabled_fails() {
    let mut a = account("acc_off1", "off@example.com", "plus");
    a["enabled"] = json!(false);
    let h = Home::healthy_with(vec![a]);
    expect(
        &h.check("auth.accounts"),
        "fail",
        &["are disabled", "no_enabled_accounts"],
    );
}

#[test]
fn accounts_all_cooling_warns_with_time_left() {
    let mut a = account("acc_c1", "c1@example.com", "plus");
    a["cooldownUntil"] = json!(now_ms() + 90_000.0);
    let mut b = account("acc_c2", "c2@example.com", "plus");
    b["refreshLeaseUntil"] = json!(now_ms() + 20_000.0);
    let h = Home::healthy_with(vec![a, b]);
    let row = h.check("auth.accounts");
    expect(
        &row,
        "warn",
        &[
            "every enabled account is cooling down",
            "all_accounts_cooling_down",
        ],
    );
    let s = row["summary"].as_str().unwrap();
    assert!(s.contains("for 1") || s.contains("for 2"), "{s}");
}

#[test]
fn accounts_stuck_lease_missing_refresh_disabled_active_duplicates() {
    let mut a = account("acc_d1", "d1@example.com", "plus");
    a["enabled"] = json!(false);
    let mut b = account("acc_d2", "d2@example.com", "plus");
    b["refreshLeaseUntil"] = json!(now_ms() + 10.0 * 60_000.0);
    let mut c = account("acc_d3", "d3@example.com", "plus");
    c.as_object_mut().unwrap().remove("refresh");
    let d = account("acc_d3", "d3@example.com", "plus");
    let h = Home::healthy_with(vec![a, b, c, d]);
    let row = h.check("auth.accounts");
    expect(
        &row,
        "warn",
        &[
            "stuck",
            "has no refresh token",
            "the active account",
            "is disabled",
            "identity keys repeat",
        ],
    );
}

#[test]
fn accounts_active_key_missing_warns() {
    let mut store = store_with(vec![account("acc_e1", "e1@example.com", "plus")]);
    store["openai"]["native"]["activeIdentityKey"] = json!("gone|x@example.com|plus");
    let h = Home::healthy();
    h.write_json(STORE, &store);
    expect(&h.check("auth.accounts"), "warn", &["names no account"]);
}

#[test]
fn accounts_skip_when_store_unusable() {
    let h = Home::healthy();
    h.remove(STORE);
    expect(&h.check("auth.accounts"), "skip", &["see auth.store"]);
    expect(&h.check("auth.identity"), "skip", &["see auth.store"]);
}

#[test]
fn identity_missing_warns_and_claims_hydrate() {
    let token = jwt(
        &json!({"https://api.openai.com/auth": {"chatgpt_account_id": "acc_claims", "chatgpt_plan_type": "team"}, "https://api.openai.com/profile": {"email": "ClaimsUser@example.com"}}),
    );
    let hydrated =
        json!({"access": token, "refresh": "rt_claims_refresh", "expires": 1, "enabled": true});
    let no_id = json!({"email": "one@example.com", "plan": "plus", "refresh": "rt_no_identity", "enabled": true});
    let h = Home::healthy();
    h.write_json(
        STORE,
        &json!({"openai": {"type": "oauth", "native": {"accounts": [hydrated, no_id]}}}),
    );
    let row = h.check("auth.identity");
    expect(
        &row,
        "warn",
        &[
            "1 account(s) without a usable identityKey",
            "missing accountId",
            "opencode auth login",
        ],
    );
    assert!(
        !row.to_string().contains("one@example.com"),
        "email masked: {row}"
    );
    let id_row = h.check("auth.accounts");
    assert!(id_row.to_string().contains("[identity-missing]"));
}

#[test]
fn a_store_that_is_a_folder_or_a_dangling_link_gets_its_own_fix() {
    let h = Home::healthy();
    let store = h.home().join(".config/opencode/codex-accounts.json");
    std::fs::remove_file(&store).expect("remove");
    std::fs::create_dir(&store).expect("folder");
    let row = h.check("auth.store");
    expect(
        &row,
        "fail",
        &["cannot be read", "is a folder: move it away"],
    );
    assert!(!row["fix"].to_string().contains("chmod"), "{row:#}");
    std::fs::remove_dir(&store).expect("rmdir");
    std::os::unix::fs::symlink("/mnt/old-disk/codex-accounts.json", &store).expect("symlink");
    expect(
        &h.check("auth.store"),
        "fail",
        &[
            "symbolic link to /mnt/old-disk/codex-accounts.json, which does not exist",
            "Restore",
        ],
    );
}

#[test]
fn a_store_with_a_byte_order_mark_is_named_and_the_fix_keeps_the_accounts() {
    let h = Home::healthy();
    let store = h.home().join(".config/opencode/codex-accounts.json");
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend(std::fs::read(&store).expect("store"));
    std::fs::write(&store, &bytes).expect("write");
    let row = h.check("auth.store");
    expect(
        &row,
        "fail",
        &["byte-order mark", "Remove the byte-order mark now: sed -i"],
    );
    // The command given works: the file parses again.
    let fix = row["fix"][0].as_str().expect("fix");
    let cmd = fix.split_once("now: ").expect("command").1;
    let cmd = cmd.replace("~/", &format!("{}/", h.home().display()));
    let ran = std::process::Command::new("sh")
        .args(["-c", &cmd])
        .status()
        .expect("sh");
    assert!(ran.success(), "{cmd}");
    expect(&h.check("auth.store"), "pass", &[]);
}

#[test]
fn a_named_pipe_in_place_of_the_store_or_a_config_is_named_not_waited_on() {
    let h = Home::healthy();
    for rel in [
        ".config/opencode/codex-accounts.json",
        ".config/opencode/opencode.json",
        ".config/opencode/codex-config.jsonc",
        ".local/share/opencode/auth.json",
    ] {
        let p = h.home().join(rel);
        let _ = std::fs::remove_file(&p);
        let made = std::process::Command::new("mkfifo")
            .arg(&p)
            .status()
            .expect("mkfifo");
        assert!(made.success());
    }
    // Each read would block forever on a pipe with no writer: the whole run ends, and each
    // check names the pipe.
    assert_eq!(h.run(&["--json"]).code, 1);
    for id in [
        "auth.store",
        "plugin.registered",
        "config.resolved",
        "auth.opencode",
    ] {
        expect(&h.check(id), "fail", &["named pipe"]);
    }
    expect(&h.check("auth.store"), "fail", &["move it away"]);
    expect(
        &h.check("plugin.registered"),
        "fail",
        &["move it away and put the config file there"],
    );
}

/// Found from the user's side: with the store missing and a readable quarantined copy, the
/// advice was a transfer (which makes a new store authoritative and loses the copy's accounts).
#[test]
fn a_missing_store_with_a_good_quarantined_copy_says_to_put_it_back_first() {
    let h = Home::healthy();
    let store = ".config/opencode/codex-accounts.json";
    let good = std::fs::read(h.path(store)).unwrap();
    h.remove(store);
    h.write_bytes(
        ".config/opencode/quarantine/codex-accounts.json.1796350000000.quarantine.json",
        &good,
    );
    let row = h.check("auth.store");
    expect(
        &row,
        "fail",
        &[
            "is missing",
            "quarantine holds a readable copy",
            "Put it back first",
        ],
    );
    assert!(
        row["fix"][0]
            .as_str()
            .unwrap()
            .starts_with("Put it back first"),
        "{row}"
    );
}
