//! OpenCode's merged config: every layer OpenCode reads, in OpenCode's order, seen by
//! `plugin.registered`, `runtime.proxy` and `codex-doctor paths`.

use serde_json::json;

use crate::common::{expect, Home};

fn row_of(report: &serde_json::Value, id: &str) -> serde_json::Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .cloned()
        .unwrap()
}

const OURS_LATEST: &str = "@iam-brain/opencode-codex-auth@latest";

/// A healthy home whose global config registers nothing.
fn home_without_global_registration() -> Home {
    let h = Home::healthy();
    h.write(".config/opencode/opencode.json", r#"{"plugin": []}"#);
    h
}

#[test]
fn a_project_config_registering_the_plugin_passes_and_names_the_file() {
    let h = home_without_global_registration();
    h.write_work(
        "opencode.json",
        &format!(r#"{{"plugin": ["{OURS_LATEST}"]}}"#),
    );
    let row = h.check("plugin.registered");
    let project = h.cwd.join("opencode.json").display().to_string();
    expect(&row, "pass", &[OURS_LATEST, &project]);
}

#[test]
fn a_project_config_is_found_from_a_subdirectory_given_with_dir() {
    let h = home_without_global_registration();
    h.write_work(
        "opencode.jsonc",
        &format!("// project\n{{\"plugin\": [\"{OURS_LATEST}\",]}}"),
    );
    std::fs::create_dir_all(h.cwd.join("src/deep")).unwrap();
    let run = h.run(&["--json", "--only", "plugin.registered", "--dir", "src/deep"]);
    let row = row_of(&run.json(), "plugin.registered");
    expect(&row, "pass", &["opencode.jsonc"]);
    // Without the project, the same home fails.
    let other = tempfile::tempdir().unwrap();
    let run = h.run(&[
        "--json",
        "--only",
        "plugin.registered",
        "--dir",
        other.path().to_str().unwrap(),
    ]);
    assert_eq!(
        row_of(&run.json(), "plugin.registered")["status"],
        "fail",
        "{}",
        run.stdout
    );
}

#[test]
fn the_project_entry_overrides_the_global_one_of_the_same_package() {
    let h = Home::healthy();
    h.write(
        ".config/opencode/opencode.json",
        r#"{"plugin": ["@iam-brain/opencode-codex-auth@1.9.0"]}"#,
    );
    h.write_work(
        "opencode.json",
        &format!(r#"{{"plugin": ["{OURS_LATEST}"]}}"#),
    );
    let row = h.check("plugin.registered");
    expect(
        &row,
        "pass",
        &[
            &format!("registered as \\\"{OURS_LATEST}\\\""),
            "is overridden by",
            "OpenCode keeps the last entry of a package",
        ],
    );
}

#[test]
fn opencode_config_content_overrides_global_and_project() {
    let mut h = Home::healthy();
    h.write_work(
        "opencode.json",
        r#"{"plugin": ["@iam-brain/opencode-codex-auth@1.9.0"]}"#,
    );
    h.set(
        "OPENCODE_CONFIG_CONTENT",
        r#"{"plugin": ["@iam-brain/opencode-codex-auth@1.10.0"]}"#,
    );
    let row = h.check("plugin.registered");
    expect(
        &row,
        "pass",
        &["registered as \\\"@iam-brain/opencode-codex-auth@1.10.0\\\" in $OPENCODE_CONFIG_CONTENT"],
    );
}

#[test]
fn a_dot_opencode_folder_registers_the_plugin() {
    let h = home_without_global_registration();
    h.write_work(
        ".opencode/opencode.jsonc",
        &format!(r#"{{"plugin": [["{OURS_LATEST}", {{}}]]}}"#),
    );
    let row = h.check("plugin.registered");
    let file = h.cwd.join(".opencode/opencode.jsonc").display().to_string();
    expect(&row, "pass", &[&file]);
}

#[test]
fn project_config_disabled_hides_the_project_registration() {
    let mut h = home_without_global_registration();
    h.write_work(
        "opencode.json",
        &format!(r#"{{"plugin": ["{OURS_LATEST}"]}}"#),
    );
    h.set("OPENCODE_DISABLE_PROJECT_CONFIG", "true");
    expect(
        &h.check("plugin.registered"),
        "fail",
        &["no OpenCode config layer registers"],
    );
}

#[test]
fn a_broken_project_config_fails_naming_the_file_and_line() {
    let h = Home::healthy();
    h.write_work("opencode.json", "{\n  \"model\": \"a\"\n  \"x\": 1\n}\n");
    expect(
        &h.check("plugin.registered"),
        "fail",
        &["line 3", "OpenCode refuses to start"],
    );
}

/// A global config with a local provider and models, as `codex-runtime opencode-config`
/// writes it.
fn with_local_provider(h: &Home) {
    h.write_json(
        ".config/opencode/opencode.json",
        &json!({
            "plugin": [OURS_LATEST],
            "provider": {"codex-kit": {
                "npm": "@ai-sdk/openai",
                "options": {"baseURL": "http://127.0.0.1:9/v1"},
                "models": {"gpt-5.4": {}, "gpt-5.4-mini": {}}
            }},
            "model": "codex-kit/gpt-5.4",
            "small_model": "codex-kit/gpt-5.4-mini"
        }),
    );
}

#[test]
fn the_project_model_overrides_the_global_one_and_is_named() {
    let h = Home::healthy();
    with_local_provider(&h);
    h.write_work("opencode.json", r#"{"model": "codex-kit/gpt-9"}"#);
    let project = h.cwd.join("opencode.json").display().to_string();
    expect(
        &h.check("runtime.proxy"),
        "fail",
        &[&format!("`model` in {project} is \\\"codex-kit/gpt-9\\\"")],
    );
}

#[test]
fn opencode_config_content_model_overrides_both() {
    let mut h = Home::healthy();
    with_local_provider(&h);
    h.write_work("opencode.json", r#"{"model": "codex-kit/gpt-9"}"#);
    h.set("OPENCODE_CONFIG_CONTENT", r#"{"model": "codex-kit/gpt-7"}"#);
    let row = h.check("runtime.proxy");
    expect(
        &row,
        "fail",
        &["`model` in $OPENCODE_CONFIG_CONTENT is \\\"codex-kit/gpt-7\\\""],
    );
    assert!(!row.to_string().contains("gpt-9"), "{row:#}");
}

#[test]
fn paths_lists_every_layer_in_order() {
    let mut h = Home::healthy();
    h.write_work("opencode.json", "{}");
    h.write_work(".opencode/opencode.json", "{}");
    h.set("OPENCODE_CONFIG_CONTENT", "{}");
    let run = h.run(&["paths", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let names: Vec<String> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .filter(|n| n.starts_with("OpenCode config"))
        .collect();
    assert_eq!(
        names,
        vec![
            "OpenCode config: global",
            "OpenCode config: global",
            "OpenCode config: global",
            "OpenCode config: project",
            "OpenCode config: config dir",
            "OpenCode config: config dir",
            "OpenCode config: OPENCODE_CONFIG_CONTENT",
        ]
    );
    let text = h.run(&["paths"]).stdout;
    assert!(
        text.contains("OpenCode config layer 4 of 7 (project"),
        "{text}"
    );
}

#[test]
fn a_missing_dir_is_a_usage_error() {
    let h = Home::healthy();
    let run = h.run(&["--dir", "no/such/dir"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("error: --dir no/such/dir is not a directory")
            && run.stderr.contains("\n\nhint: "),
        "{}",
        run.stderr
    );
}
