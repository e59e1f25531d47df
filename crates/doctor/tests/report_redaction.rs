//! One engine for the report and the bundle: the same planted secrets (a token, an email,
//! an account id, a cookie, a URL query secret, an opaque id of no known shape) are absent
//! from the report (human and `--json`) and from the bundle, while the report keeps what
//! makes it useful (check ids, statuses, paths under `~`, codes, counts).

use serde_json::json;

use crate::bundle::unzip;
use crate::common::{account, Home};

const EMAIL: &str = "pia.planted@example.org";
const ACCOUNT: &str = "acc_planted4711";
const TOKEN: &str = "rt_acc_planted4711_secret_refresh_token";
const COOKIE: &str = "ck9Planted8CookieValue";
const QUERY: &str = "qs7Planted3QueryValue";
/// No detector knows this shape; the report's engine catches it as an opaque run.
const OPAQUE: &str = "Zq8vN2mX7pL4kR9tW3yB6cD1fG5hJ0sAe";

fn planted_home() -> Home {
    let h = Home::healthy_with(vec![account(ACCOUNT, EMAIL, "plus")]);
    // The plugin check echoes the plugin array and the config check the bad value: both
    // carry planted secrets.
    h.write_json(
        ".config/opencode/opencode.json",
        &json!({"plugin": [
            "opencode-wakatime",
            format!("https://plugins.example.com/p.tgz?access_token={QUERY}"),
            format!("Cookie: session={COOKIE}"),
            EMAIL,
            ACCOUNT,
            TOKEN,
            OPAQUE,
        ]}),
    );
    h.write(
        ".config/opencode/codex-config.jsonc",
        &format!("{{\"runtime\": {{\"mode\": \"{OPAQUE}\"}}, \"debug\": \"{EMAIL}\"}}\n"),
    );
    h
}

fn assert_clean(what: &str, text: &str) {
    for secret in [EMAIL, ACCOUNT, TOKEN, COOKIE, QUERY, OPAQUE] {
        assert!(
            !text
                .to_ascii_lowercase()
                .contains(&secret.to_ascii_lowercase()),
            "{secret} in {what}:\n{text}"
        );
    }
}

#[test]
fn planted_secrets_reach_neither_the_report_nor_the_bundle() {
    let h = planted_home();
    let human = h.run(&["-v", "--skip", "process.*"]);
    let json = h.run(&["--json", "-v", "--skip", "process.*"]);
    assert_clean("the human report", &human.stdout);
    assert_clean("the JSON report", &json.stdout);
    // Still useful: ids, statuses, paths under ~, codes, counts, the masked account.
    assert!(
        human.stdout.contains("plugin.registered") && human.stdout.contains("config.resolved"),
        "{}",
        human.stdout
    );
    assert!(
        human
            .stdout
            .contains("~/.config/opencode/codex-config.jsonc fails the plugin's validation"),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("p***@example.org"),
        "{}",
        human.stdout
    );
    assert!(
        human.stdout.contains("opencode-wakatime"),
        "{}",
        human.stdout
    );
    // The echoed plugin array is there, with its secrets replaced in place.
    assert!(
        human.stdout.contains("p.tgz?access_token=[redacted]")
            && human.stdout.contains("\"p***@example.org\", \"***4711\""),
        "{}",
        human.stdout
    );
    let report = json.json();
    let row = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "plugin.registered")
        .unwrap();
    assert_eq!(row["status"], "fail");
    assert_eq!(row["findings"][0]["code"], "plugin.registered.missing");

    let out = h.root().join("planted.zip");
    let run = h.run(&["bundle", "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    for (name, bytes) in unzip(&out) {
        assert_clean(&format!("bundle entry {name}"), &name);
        assert_clean(
            &format!("bundle entry {name}"),
            &String::from_utf8_lossy(&bytes),
        );
    }
}
