//! The bundle reads every structured file the plugin and OpenCode write through its kind's
//! schema: a home with canaries in every string field of every kind (including unknown
//! keys, nested arrays and keys) bundles with no canary left, while the fields a
//! maintainer needs keep their exact values. The store and `auth.json` are never included.

use serde_json::{json, Value};

use crate::bundle::unzip;
use crate::common::Home;

const LOGS: &str = ".config/opencode/logs/codex-plugin";
const CACHE: &str = ".config/opencode/cache";

/// Canary `i` in a shape secrets come in (opaque, email, name with spaces, token with
/// `+/=`, URL with a query secret).
fn c(i: usize) -> String {
    let tag = format!("cnryk{i:02}");
    match i % 5 {
        0 => format!("{tag}Zq8vN2mX7pL4kR9tW3y"),
        1 => format!("{tag}.person@example.org"),
        2 => format!("Ann {tag} Lee"),
        3 => format!("sk-{tag}+x/y=="),
        _ => format!("https://chatgpt.com/x?ticket={tag}"),
    }
}

fn line(v: &Value) -> String {
    format!("{v}\n")
}

fn home() -> Home {
    let h = Home::healthy();
    h.write(
        &format!("{LOGS}/live-headers.jsonl"),
        &line(&json!({"timestamp": "2025-01-01T00:00:01.000Z", "stage": "outbound-response",
            "status": 429, "headers": {"x-codex-primary-used-percent": "100", "x-trace": c(1), c(2): "v"},
            "meta": {"note": c(3), "list": [[c(4)], {"deep": c(5)}]}, c(6): c(7)})),
    );
    h.write(
        &format!("{LOGS}/2025-01-01T00-00-00-000Z-4242-abcd1234-response-1-outbound-response.json"),
        &serde_json::to_string_pretty(&json!({"timestamp": "2025-01-01T00:00:02.000Z",
            "stage": "outbound-response", "status": 401, "statusText": "Unauthorized",
            "headers": {"www-authenticate": c(8), "content-type": "application/json"},
            "meta": {"reason": c(9), "extra": [c(10), {"k": c(11)}]}}))
        .unwrap(),
    );
    h.write(
        &format!("{LOGS}/shareable-debug.jsonl"),
        &line(&json!({"seq": 3, "timestamp": "2025-01-01T00:00:05.000Z", "event": "fetch_attempt_response",
            "model": "gpt-5.1-codex", "status": 503, "endpoint": "/backend-api/codex/responses",
            "selectedIdentity": c(12), "errorName": c(13), "unknown": [c(14)]})),
    );
    h.write(
        &format!("{LOGS}/shareable-debug-state/segments/segment-0000000000000001.jsonl"),
        &line(&json!({"seq": 1, "event": "rotation_decision", "decision": "switch", "session": c(15), "x": c(16)})),
    );
    h.write(
        &format!("{LOGS}/shareable-debug-state/incident-state.json"),
        &json!({"version": 1, "triggerSeq": 9, "open": {"file": c(17), "who": c(18)}}).to_string(),
    );
    h.write(
        &format!("{LOGS}/oauth-lifecycle.log"),
        &[
            json!({"ts": "2025-01-01T00:00:06.000Z", "pid": 4242, "event": "token_exchange_error",
            "meta": {"status": 400, "code": "invalid_grant", "stateTail": c(19), "url": c(20)}}),
            // The meta the plugin's OAuth server writes (v1.10.0), messages with canaries in
            // them: the messages are free text, judged word by word.
            json!({"ts": "2025-01-01T00:00:07.000Z", "pid": 4242, "event": "server_started",
            "meta": {"port": 1455, "host": "localhost", "redirectUri": "http://localhost:1455/auth/callback"}}),
            json!({"ts": "2025-01-01T00:00:08.000Z", "pid": 4242, "event": "server_listen_attempt_failed",
            "meta": {"port": 1455, "host": "127.0.0.1", "error": "listen EADDRINUSE: address already in use 127.0.0.1:1455"}}),
            json!({"ts": "2025-01-01T00:00:09.000Z", "pid": 4242, "event": "callback_wait_rejected",
            "meta": {"authMode": "native", "error": "OAuth callback timeout - authorization took too long"}}),
            json!({"ts": "2025-01-01T00:00:10.000Z", "pid": 4242, "event": "token_exchange_error",
            "meta": {"error": format!("Token exchange failed for {} with {} ({})", c(47), c(48), c(51))}}),
            json!({"ts": "2025-01-01T00:00:11.000Z", "pid": 4242, "event": "callback_error",
            "meta": {"reason": format!("access_denied: {} {}", c(49), c(50))}}),
        ]
        .iter()
        .map(line)
        .collect::<String>(),
    );
    h.write(
        &format!("{LOGS}/other.json"),
        &json!({"event": "custom_event", "status": 500, "payload": {"text": c(21)}, "ids": [c(22)]}).to_string(),
    );
    // Copies of the store and of auth.json where logs live: other files than the real ones
    // (which are never included), so they go through the store's and the generic schema.
    h.write_json(
        &format!("{LOGS}/backup/codex-accounts.json"),
        &json!({"openai": {"type": "oauth", "accounts": [{"accountId": c(40), "email": c(41),
            "access": c(42), "refresh": c(43), "plan": "plus", "enabled": true}]}}),
    );
    h.write_json(
        &format!("{LOGS}/backup/auth.json"),
        &json!({"openai": {"type": "oauth", "refresh": c(44), "access": c(45)}, "acme": {"key": c(46)}}),
    );
    h.write_json(
        &format!("{CACHE}/codex-client-version.json"),
        &json!({"version": "0.144.0", "fetchedAt": 1_700_000_000_000u64, "by": c(23)}),
    );
    h.write_json(
        &format!("{CACHE}/codex-models-cache-meta.json"),
        &json!({"etag": c(24), "tag": "rust-v0.144.0", "lastChecked": 1, "url": c(25)}),
    );
    h.write_json(
        &format!("{CACHE}/codex-snapshots.json"),
        &json!({c(26): {"updatedAt": 5, "modelFamily": "codex", "credits": {"balance": c(27)},
            "limits": [{"name": c(28), "leftPct": 75}]}}),
    );
    h.write_json(
        &format!("{CACHE}/codex-session-affinity.json"),
        &json!({"version": 1, "native": {"seenSessionKeys": {c(29): 1}, "stickyBySessionKey": {c(30): c(31)}}}),
    );
    h.write(
        ".config/opencode/opencode.json",
        &serde_json::to_string_pretty(&json!({"$schema": "https://opencode.ai/config.json",
            "plugin": ["@iam-brain/opencode-codex-auth@latest", c(35)], "username": c(33),
            "provider": {"acme": {"options": {"apiKey": c(34), "baseURL": c(32), "headers": {"X-Key": c(36)}}}},
            "mcp": {"srv": {"environment": {"TOKEN": c(37)}}}}))
        .unwrap(),
    );
    h.write(
        ".config/opencode/codex-config.jsonc",
        &format!(
            "{{\n  // {}\n  \"runtime\": {{\"mode\": \"native\", \"rotationStrategy\": \"sticky\", \"x\": \"{}\"}},\n  \"debug\": false\n}}\n",
            c(38),
            c(39)
        ),
    );
    h
}

fn entry<'a>(files: &'a std::collections::BTreeMap<String, Vec<u8>>, suffix: &str) -> &'a [u8] {
    let m: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let path = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["source"].as_str().is_some_and(|s| s.ends_with(suffix)))
        .and_then(|f| f["path"].as_str())
        .unwrap_or_else(|| panic!("no entry from {suffix}: {}", m["files"]));
    &files[path]
}

fn doc(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(bytes)))
}

#[test]
fn every_file_kind_goes_through_its_schema() {
    let h = home();
    let out = h.root().join("kinds.zip");
    let run = h.run(&["bundle", "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    let files = unzip(&out);
    for (name, bytes) in &files {
        let text = format!("{name}\n{}", String::from_utf8_lossy(bytes)).to_ascii_lowercase();
        for i in 0..52 {
            let tag = format!("cnryk{i:02}");
            assert!(!text.contains(&tag), "{tag} survived in {name}:\n{text}");
        }
        // Never the store or auth.json under their names (entry names are generated).
        assert!(
            !name.contains("codex-accounts") && !name.ends_with("auth.json"),
            "{name}"
        );
        assert!(
            !text.contains("rt_acc_healthy"),
            "{name} holds a store token"
        );
    }
    let live = doc(entry(&files, "live-headers.jsonl"));
    assert_eq!(live["status"], 429);
    assert_eq!(live["stage"], "outbound-response");
    assert_eq!(live["timestamp"], "2025-01-01T00:00:01.000Z");
    assert_eq!(live["headers"]["x-codex-primary-used-percent"], "100");
    assert!(
        live["headers"].get("x-trace").is_some(),
        "header names stay: {live}"
    );
    let resp = doc(entry(&files, "-response-1-outbound-response.json"));
    assert_eq!(resp["status"], 401);
    assert_eq!(resp["statusText"], "Unauthorized");
    assert_eq!(resp["headers"]["content-type"], "application/json");
    assert!(resp["headers"].get("www-authenticate").is_some(), "{resp}");
    let sh = doc(entry(&files, "shareable-debug.jsonl"));
    assert_eq!(sh["event"], "fetch_attempt_response");
    assert_eq!(sh["model"], "gpt-5.1-codex");
    assert_eq!(sh["status"], 503);
    assert_eq!(sh["seq"], 3);
    assert_eq!(sh["endpoint"], "/backend-api/codex/responses");
    assert!(
        sh["selectedIdentity"]
            .as_str()
            .unwrap()
            .starts_with("ident_"),
        "{sh}"
    );
    let seg = doc(entry(&files, "segment-0000000000000001.jsonl"));
    assert_eq!(seg["event"], "rotation_decision");
    assert_eq!(seg["decision"], "switch");
    assert!(
        seg["session"].as_str().unwrap().starts_with("sess_"),
        "{seg}"
    );
    let state = doc(entry(&files, "incident-state.json"));
    assert_eq!(state["triggerSeq"], 9);
    let oauth: Vec<Value> = String::from_utf8_lossy(entry(&files, "oauth-lifecycle.log"))
        .lines()
        .map(|l| doc(l.as_bytes()))
        .collect();
    assert_eq!(oauth[0]["event"], "token_exchange_error");
    assert_eq!(oauth[0]["meta"]["code"], "invalid_grant");
    assert_eq!(oauth[0]["meta"]["status"], 400);
    assert_eq!(oauth[1]["meta"]["host"], "localhost");
    assert_eq!(
        oauth[1]["meta"]["redirectUri"],
        "http://localhost:1455/auth/callback"
    );
    assert_eq!(
        oauth[2]["meta"]["error"],
        "listen EADDRINUSE: address already in use 127.0.0.1:1455"
    );
    assert_eq!(oauth[3]["meta"]["authMode"], "native");
    assert_eq!(
        oauth[3]["meta"]["error"],
        "OAuth callback timeout - authorization took too long"
    );
    // A message with any word that is not the software's (a name, a key, an address) goes
    // whole.
    for (i, key) in [(4, "error"), (5, "reason")] {
        let told = oauth[i]["meta"][key].as_str().unwrap();
        assert!(told.starts_with("<string:"), "{told}");
    }
    // An unknown file's name is pseudonymized; the manifest names the schema that read it.
    let m: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let other = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["note"]
                .as_str()
                .is_some_and(|n| n.contains("generic-json"))
        })
        .map(|f| doc(&files[f["path"].as_str().unwrap()]))
        .find(|d| d.get("event").is_some())
        .unwrap();
    assert_eq!(other["event"], "custom_event");
    assert_eq!(other["status"], 500);
    let cv = doc(&files["cache/codex-client-version.json"]);
    assert_eq!(cv["version"], "0.144.0");
    assert_eq!(cv["fetchedAt"], 1_700_000_000_000u64);
    let meta = doc(&files["cache/codex-models-cache-meta.json"]);
    assert_eq!(meta["tag"], "rust-v0.144.0");
    let snaps = doc(&files["cache/codex-snapshots.json"]);
    let (k, snap) = snaps.as_object().unwrap().iter().next().unwrap();
    assert!(k.starts_with("ident_"), "{snaps}");
    assert_eq!(snap["modelFamily"], "codex");
    assert_eq!(snap["limits"][0]["leftPct"], 75);
    let oc = doc(&files["config/opencode.json"]);
    assert_eq!(oc["plugin"][0], "@iam-brain/opencode-codex-auth@latest");
    assert_eq!(oc["$schema"], "https://opencode.ai/config.json");
    let cfg = doc(&files["config/codex-config.jsonc"]);
    assert_eq!(cfg["runtime"]["mode"], "native");
    assert_eq!(cfg["runtime"]["rotationStrategy"], "sticky");
    assert_eq!(cfg["debug"], false);
    // The manifest says which schema read a file.
    let m: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let notes = m["files"].to_string();
    for kind in [
        "plugin-config",
        "opencode-config",
        "quota-snapshots",
        "request-snapshot",
    ] {
        assert!(
            notes.contains(&format!("read by the {kind} schema")),
            "{kind}: {notes}"
        );
    }
    let scan = h.run(&["scan", out.to_str().unwrap()]);
    assert_eq!(scan.code, 0, "{}\n{}", scan.stdout, scan.stderr);
}

/// A `.jsonl` of no known kind is read line by line through the strict generic schema: a key
/// that is data (a person's name) becomes a pseudonym, a value a placeholder, while the
/// event name a maintainer needs stays. (Red-team finding: such a file skipped the schema.)
#[test]
fn a_jsonl_of_no_known_kind_goes_through_the_generic_schema() {
    let h = home();
    h.write(
        ".config/opencode/logs/codex-plugin/other.jsonl",
        "{\"event\":\"fetch_attempt_response\",\"Alice Cnrykname\":1,\"note\":\"plain words cnrykvalue\"}\n",
    );
    let out = h.root().join("generic.zip");
    let run = h.run(&["bundle", "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
    let files = unzip(&out);
    for (name, bytes) in &files {
        let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
        assert!(
            !text.contains("cnrykname") && !text.contains("alice") && !text.contains("cnrykvalue"),
            "{name}: {text}"
        );
    }
    // File names are pseudonyms: find the entry by its content.
    let line = files
        .iter()
        .filter(|(name, _)| name.ends_with(".jsonl"))
        .filter_map(|(_, bytes)| serde_json::from_slice::<Value>(bytes).ok())
        .find(|v| v.get("note").is_some() && v["event"] == "fetch_attempt_response")
        .expect("the generic .jsonl line, read as JSON");
    assert_eq!(line.as_object().map(|o| o.len()), Some(3), "{line}");
}
