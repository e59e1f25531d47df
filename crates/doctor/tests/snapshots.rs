//! Golden renders of the human output (no colour) for a healthy and a broken home.

use serde_json::json;

use crate::common::{account, Home};

#[test]
fn healthy_home_human_output() {
    let h = Home::healthy();
    let run = h.run(&["--skip", "process.*"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!("healthy", h.scrub(&run.stdout));
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
    insta::assert_snapshot!("broken", h.scrub(&run.stdout));
}
