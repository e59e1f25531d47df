//! Golden renders of the human output (no colour) for a healthy and a broken home.

use serde_json::json;

use crate::common::{account, Home};

/// Pins the snapshot directory so insta never depends on locating the workspace root.
fn assert_golden(name: &str, text: String) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(format!("tests__snapshots__{name}"), text));
}

#[test]
fn healthy_home_human_output() {
    let h = Home::healthy();
    let run = h.run(&["--skip", "process.*"]);
    assert_eq!(run.code, 0);
    assert_golden("healthy", h.scrub(&run.stdout));
}

#[test]
fn broken_home_human_output() {
    let mut a = account("acc_broken1", "dave@example.com", "plus");
    a["enabled"] = json!(false);
    let h = Home::healthy_with(vec![a]);
    h.write(
        ".config/opencode/opencode.json",
        "{\"plugin\": [\"opencode-wakatime\"]}\n",
    );
    h.write(
        ".config/opencode/codex-config.jsonc",
        "{\"runtime\": {\"mode\": \"turbo\"}}\n",
    );
    h.chmod(".config/opencode/codex-accounts.json", 0o644);
    h.remove(".config/opencode/skills");
    h.write(
        ".config/opencode/quarantine/opencode.json.1700000000000.quarantine.json",
        "{",
    );
    let run = h.run(&["--ascii", "--skip", "process.*"]);
    assert_eq!(run.code, 1);
    assert_golden("broken", h.scrub(&run.stdout));
}
