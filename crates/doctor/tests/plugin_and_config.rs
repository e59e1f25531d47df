//! `plugin.registered` and `config.resolved`.

use crate::common::{expect, Home};

#[test]
fn plugin_pass_with_installer_layout_and_plugin_fixture() {
    let h = Home::healthy();
    h.write(
        ".config/opencode/opencode.json",
        &crate::common::plugin_fixture("opencode.json"),
    );
    expect(
        &h.check("plugin.registered"),
        "pass",
        &["@iam-brain/opencode-codex-auth@latest"],
    );
}

#[test]
fn plugin_missing_config_fails_with_install_command() {
    let h = Home::healthy();
    h.remove(".config/opencode/opencode.json");
    expect(
        &h.check("plugin.registered"),
        "fail",
        &[
            "no OpenCode config found",
            "npx -y @iam-brain/opencode-codex-auth@latest install",
        ],
    );
}

#[test]
fn plugin_not_listed_fails() {
    let h = Home::healthy();
    h.write(
        ".config/opencode/opencode.json",
        r#"{"plugin": ["opencode-wakatime"], "model": "openai/gpt-5"}"#,
    );
    expect(
        &h.check("plugin.registered"),
        "fail",
        &["no OpenCode config layer registers"],
    );
}

#[test]
fn plugin_invalid_json_fails_with_line_and_column() {
    let h = Home::healthy();
    h.write(
        ".config/opencode/opencode.json",
        "{\n  \"plugin\": [\n    \"@iam-brain/opencode-codex-auth\"\n    \"x\"\n  ]\n}\n",
    );
    expect(
        &h.check("plugin.registered"),
        "fail",
        &["is not valid JSON", "line 4, column 5"],
    );
}

#[test]
fn plugin_comments_or_trailing_commas_warn_about_the_installer() {
    let h = Home::healthy();
    h.write(
        ".config/opencode/opencode.json",
        "{\n  // mine\n  \"plugin\": [\"@iam-brain/opencode-codex-auth@1.10.0\",],\n}\n",
    );
    expect(
        &h.check("plugin.registered"),
        "warn",
        &["comments or trailing commas", "quarantine"],
    );
}

#[test]
fn plugin_as_string_warns() {
    let h = Home::healthy();
    h.write(
        ".config/opencode/opencode.json",
        r#"{"plugin": "@iam-brain/opencode-codex-auth"}"#,
    );
    // OpenCode only reads arrays: a string registers nothing.
    expect(
        &h.check("plugin.registered"),
        "fail",
        &["no OpenCode config layer registers", "is a string"],
    );
}

#[test]
fn plugin_registered_twice_warns() {
    let h = Home::healthy();
    // An npm entry and a file:// URL are two plugins to OpenCode: both load.
    let checkout = h.path("src/opencode-codex-auth/dist");
    std::fs::create_dir_all(&checkout).unwrap();
    h.write_work(
        "opencode.jsonc",
        &format!(
            "// project\n{{\"plugin\": [\"file://{}\"]}}\n",
            checkout.display()
        ),
    );
    expect(
        &h.check("plugin.registered"),
        "warn",
        &["OpenCode loads the plugin 2 times"],
    );
}

#[test]
fn a_global_opencode_jsonc_plugin_list_replaces_the_opencode_json_one() {
    // OpenCode merges its three global files with arrays replaced, so the registration in
    // opencode.json is hidden by opencode.jsonc's own `plugin` list.
    let h = Home::healthy();
    h.write(
        ".config/opencode/opencode.jsonc",
        "// global\n{\"plugin\": [\"opencode-wakatime\"]}\n",
    );
    // The file that holds the registration is named, with its entries, and the fix goes
    // to the file whose list wins (found from the user's side: it showed `plugin = []` and
    // told to add the plugin where it already was).
    let r = h.check("plugin.registered");
    expect(
        &r,
        "fail",
        &[
            "registers @iam-brain/opencode-codex-auth, but the `plugin` list of",
            "opencode.jsonc replaces it",
            "hidden: the `plugin` list of",
        ],
    );
    let text = r.to_string();
    assert!(
        text.contains(
            "Add \\\"@iam-brain/opencode-codex-auth@latest\\\" to the \\\"plugin\\\" array of"
        ) && text.contains("opencode.jsonc (the installer"),
        "{text}"
    );
}

#[test]
fn plugin_via_opencode_config_env_counts() {
    let mut h = Home::healthy();
    h.remove(".config/opencode/opencode.json");
    h.write(
        "elsewhere/oc.json",
        r#"{"plugin": ["@iam-brain/opencode-codex-auth@latest"]}"#,
    );
    let p = h.path("elsewhere/oc.json").display().to_string();
    h.set("OPENCODE_CONFIG", &p);
    expect(&h.check("plugin.registered"), "pass", &["oc.json"]);
}

#[test]
fn plugin_beside_another_oauth_plugin_warns() {
    let h = Home::healthy();
    h.write(".config/opencode/opencode.json", r#"{"plugin": ["@iam-brain/opencode-codex-auth@latest", "opencode-openai-codex-auth@4.1.0"]}"#);
    expect(
        &h.check("plugin.registered"),
        "warn",
        &["another OpenAI OAuth plugin", "opencode-openai-codex-auth"],
    );
}

#[test]
fn config_pass_names_the_file_in_effect() {
    let h = Home::healthy();
    expect(
        &h.check("config.resolved"),
        "pass",
        &["codex-config.jsonc in effect", "mode native"],
    );
}

#[test]
fn config_none_warns_refresh_off() {
    let h = Home::healthy();
    h.remove(".config/opencode/codex-config.jsonc");
    expect(
        &h.check("config.resolved"),
        "warn",
        &[
            "no codex-config file in effect; defaults and env are in force",
            "so proactive token refresh is off",
        ],
    );
    // The env can turn it on without a file: then the summary does not claim it is off.
    let mut h = h;
    h.set("OPENCODE_OPENAI_MULTI_PROACTIVE_REFRESH", "1");
    let row = h.check("config.resolved");
    expect(&row, "warn", &["defaults and env are in force"]);
    assert!(
        !row["summary"].as_str().unwrap().contains("refresh is off"),
        "{row:#}"
    );
}

#[test]
fn config_explicit_missing_fails() {
    let mut h = Home::healthy();
    h.set(
        "OPENCODE_OPENAI_MULTI_CONFIG_PATH",
        "/nonexistent/codex.jsonc",
    );
    expect(
        &h.check("config.resolved"),
        "fail",
        &["/nonexistent/codex.jsonc", "does not exist"],
    );
}

#[test]
fn config_wrong_type_fails_listing_the_plugins_issue() {
    let h = Home::healthy();
    h.write(
        ".config/opencode/codex-config.jsonc",
        "{\n  // c\n  \"runtime\": { \"rotationStrategy\": 123 }\n}\n",
    );
    let row = h.check("config.resolved");
    expect(
        &row,
        "fail",
        &[
            "fails the plugin's validation",
            "ignores the whole file",
            "runtime.rotationStrategy: expected",
        ],
    );
}

#[test]
fn config_parse_error_gives_position_and_falls_back_to_legacy() {
    let h = Home::healthy();
    h.write(
        ".config/opencode/codex-config.jsonc",
        "{\n  \"quiet\": true,\n}\n",
    );
    h.write(".config/opencode/codex-config.json", "{\"quiet\": false}\n");
    let row = h.check("config.resolved");
    expect(
        &row,
        "fail",
        &[
            "does not parse",
            "line 3, column 1",
            "instead",
            "codex-config.json in effect",
        ],
    );
    // The position is said once (found from the user's side: "(line 3, column 1) at line
    // 3, column 1").
    let summary = row["summary"].as_str().unwrap();
    assert_eq!(summary.matches("line 3, column 1").count(), 1, "{summary}");
}

#[test]
fn config_both_names_warn_legacy_quarantine() {
    let h = Home::healthy();
    h.write(".config/opencode/codex-config.json", "{\"quiet\": false}\n");
    expect(
        &h.check("config.resolved"),
        "warn",
        &[
            "both codex-config.jsonc and codex-config.json",
            "quarantine",
        ],
    );
}

#[test]
fn config_deprecated_legacy_and_unknown_keys_warn() {
    let h = Home::healthy();
    h.write(
        ".config/opencode/codex-config.jsonc",
        "{\"personality\": \"x\", \"global\": {\"reasoningSummaries\": true}, \"runtime\": {\"rotationStrategyy\": \"sticky\"}}",
    );
    let row = h.check("config.resolved");
    expect(
        &row,
        "warn",
        &[
            "Deprecated config key(s)",
            "global.reasoningSummaries",
            "legacy keys are ignored: personality",
            "unknown keys",
            "rotationStrategyy",
        ],
    );
}

#[test]
fn config_lists_env_overrides_and_invalid_env() {
    let mut h = Home::healthy();
    h.set("OPENCODE_OPENAI_MULTI_ROTATION_STRATEGY", "round_robin");
    h.set("OPENCODE_OPENAI_MULTI_MODE", "collab");
    let row = h.check("config.resolved");
    expect(
        &row,
        "warn",
        &[
            "OPENCODE_OPENAI_MULTI_ROTATION_STRATEGY=round_robin",
            "OPENCODE_OPENAI_MULTI_MODE=\\\"collab\\\" is ignored",
            "rotation round_robin",
        ],
    );
}

#[test]
fn config_codex_mode_changes_the_accounts_domain() {
    let mut h = Home::healthy();
    h.set("OPENCODE_OPENAI_MULTI_MODE", "codex");
    expect(
        &h.check("auth.accounts"),
        "fail",
        &["no codex accounts", "no_accounts_configured"],
    );
}

#[test]
fn a_utf16_opencode_json_is_named_as_such_and_the_fix_is_to_save_it_as_utf8() {
    let h = Home::healthy();
    // What a Windows editor's "Unicode" writes: a byte-order mark, then UTF-16LE.
    let mut bytes = vec![0xFF, 0xFE];
    for u in r#"{"plugin":["@iam-brain/opencode-codex-auth"]}"#.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    h.write_bytes(".config/opencode/opencode.json", &bytes);
    let row = h.check("plugin.registered");
    expect(&row, "fail", &["UTF-16", "Save", "as UTF-8", "not read"]);
    assert!(
        !row["fix"].to_string().contains("chmod"),
        "a permission fix for an encoding problem: {row:#}"
    );
    // Other bytes that are not UTF-8: the offset is named.
    h.write_bytes(".config/opencode/opencode.json", b"{\"plugin\":[\"\xe9\"]}");
    expect(
        &h.check("plugin.registered"),
        "fail",
        &["not UTF-8 (byte 12)", "Save"],
    );
}

#[test]
fn a_config_root_under_a_file_fails_env_paths_and_names_the_file_once() {
    let mut h = Home::healthy();
    h.write("not-a-folder", "x");
    let file = h.home().join("not-a-folder").display().to_string();
    h.set("XDG_CONFIG_HOME", &file);
    let env = h.check("env.paths");
    expect(
        &env,
        "fail",
        &[
            "is a file, not a folder",
            "Point XDG_CONFIG_HOME at a folder",
        ],
    );
    let plugin = h.check("plugin.registered");
    expect(&plugin, "fail", &["is a file, not a folder", "not read"]);
    let fixes = plugin["fix"].to_string();
    assert_eq!(
        fixes.matches("expects a folder").count(),
        1,
        "one fix for the three layers of one folder: {plugin:#}"
    );
    assert!(!fixes.contains("chmod"), "{plugin:#}");
}

#[test]
fn a_dangling_opencode_json_link_is_named_with_its_target() {
    let h = Home::healthy();
    let link = h.home().join(".config/opencode/opencode.json");
    std::fs::remove_file(&link).expect("remove");
    std::os::unix::fs::symlink("/nix/store/gone-home-manager-files/opencode.json", &link)
        .expect("symlink");
    expect(
        &h.check("plugin.registered"),
        "fail",
        &[
            "symbolic link to /nix/store/gone-home-manager-files/opencode.json, which does not exist",
            "Point the link at an existing file",
        ],
    );
}

#[test]
fn a_utf16_codex_config_gets_the_encoding_fix_not_chmod() {
    let h = Home::healthy();
    let mut bytes = vec![0xFF, 0xFE];
    for u in "{}".encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    h.write_bytes(".config/opencode/codex-config.jsonc", &bytes);
    let row = h.check("config.resolved");
    expect(&row, "fail", &["cannot be read", "as UTF-8", "UTF-16"]);
    assert!(!row["fix"].to_string().contains("chmod"), "{row:#}");
}

#[test]
fn an_opencode_config_naming_a_missing_file_warns() {
    let mut h = Home::healthy();
    let missing = h
        .home()
        .join("dotfiles/opencode.json")
        .display()
        .to_string();
    h.set("OPENCODE_CONFIG", &missing);
    expect(
        &h.check("plugin.registered"),
        "warn",
        &[
            "OPENCODE_CONFIG names",
            "which does not exist",
            "point OPENCODE_CONFIG at your config file",
        ],
    );
}

#[test]
fn a_relative_home_warns_in_env_paths() {
    let mut h = Home::healthy();
    h.set("HOME", "relative/home");
    expect(
        &h.check("env.paths"),
        "warn",
        &[
            // The value itself is the home path, which the report shows as `~`.
            "HOME=~ is not absolute",
            "export HOME=/absolute/path",
        ],
    );
}

/// Found from the user's side: the README's bridge setup failed `plugin.registered` with a
/// fix that added the plugin beside the bridge, and `auth.opencode` asked for a login the
/// bridge does not need.
#[test]
fn the_codex_kit_bridge_stands_for_the_plugin() {
    let h = Home::healthy();
    h.remove(".local/share/opencode/auth.json");
    h.write(
        ".config/opencode/opencode.json",
        r#"{"plugin": ["file:///opt/codex-kit/crates/runtime/opencode-bridge"]}"#,
    );
    expect(
        &h.check("plugin.registered"),
        "pass",
        &["codex-kit bridge is registered", "the plugin is not needed"],
    );
    expect(
        &h.check("auth.opencode"),
        "pass",
        &["not needed", "codex-kit bridge"],
    );
    let fix = h.run(&["fix", "plugin.*"]);
    assert!(
        !fix.stdout.contains("plugin.add") && !fix.stdout.contains("opencode-codex-auth"),
        "fix must not add the plugin beside the bridge:\n{}",
        fix.stdout
    );
    // Both registered: they claim the same provider.
    h.write(
        ".config/opencode/opencode.json",
        r#"{"plugin": ["file:///opt/codex-kit/crates/runtime/opencode-bridge", "@iam-brain/opencode-codex-auth@latest"]}"#,
    );
    expect(
        &h.check("plugin.registered"),
        "warn",
        &["both the codex-kit bridge", "Keep one"],
    );
    // With the plugin alone, auth.json is needed again, and the accounts in the store are
    // named as the reason it is easy to miss.
    h.write(
        ".config/opencode/opencode.json",
        r#"{"plugin": ["@iam-brain/opencode-codex-auth@latest"]}"#,
    );
    expect(
        &h.check("auth.opencode"),
        "fail",
        &[
            "is missing",
            "OpenCode still asks the plugin only when",
            "bridge",
        ],
    );
}

/// Found from the user's side: `opencode.json` saved "UTF-8 with BOM" was reported as not
/// valid JSON and the plugin as not registered, while OpenCode reads it.
#[test]
fn a_byte_order_mark_in_opencode_json_is_named_with_its_fix() {
    let h = Home::healthy();
    h.write(
        ".config/opencode/opencode.json",
        "\u{feff}{\"plugin\": [\"@iam-brain/opencode-codex-auth@latest\"]}\n",
    );
    let r = h.check("plugin.registered");
    expect(
        &r,
        "warn",
        &[
            "starts with a byte-order mark",
            "will move it to quarantine",
        ],
    );
    assert!(
        r.to_string()
            .contains("sed -i '1s/^\\\\xEF\\\\xBB\\\\xBF//'"),
        "{r}"
    );
}

/// Found from the user's side: a `file://` registration was judged by its spelling: a fork in
/// a folder named otherwise failed as "not registered", and a path to nothing passed.
#[test]
fn file_registrations_are_judged_by_what_is_there() {
    let h = Home::healthy();
    let fork = h.path("src/fork");
    std::fs::create_dir_all(fork.join("dist")).unwrap();
    std::fs::write(
        fork.join("package.json"),
        r#"{"name":"@iam-brain/opencode-codex-auth","version":"1.10.0"}"#,
    )
    .unwrap();
    std::fs::write(fork.join("dist/index.js"), "export default {}\n").unwrap();
    h.write(
        ".config/opencode/opencode.json",
        &format!(r#"{{"plugin": ["file://{}/dist"]}}"#, fork.display()),
    );
    expect(&h.check("plugin.registered"), "pass", &["registered as"]);
    h.write(
        ".config/opencode/opencode.json",
        r#"{"plugin": ["file:///nonexistent/opencode-codex-auth/dist"]}"#,
    );
    expect(
        &h.check("plugin.registered"),
        "fail",
        &[
            "which does not exist",
            "OpenCode cannot load the plugin",
            "npm run build",
        ],
    );
}

/// Found from the user's side: the plugin's name typed with capitals was called "another
/// OpenAI OAuth plugin".
#[test]
fn the_plugins_name_with_capitals_is_a_typo_not_another_plugin() {
    let h = Home::healthy();
    h.write(
        ".config/opencode/opencode.json",
        r#"{"plugin": ["@iam-brain/OpenCode-Codex-Auth@latest"]}"#,
    );
    let r = h.check("plugin.registered");
    expect(
        &r,
        "fail",
        &["the plugin's name with capitals", "write it in lower case"],
    );
    assert!(
        !r.to_string().contains("another OpenAI OAuth plugin"),
        "{r}"
    );
}
