//! `codex-doctor bundle`: the canary corpus (every planted secret is gone, context stays),
//! pseudonyms, output file rules, and bad input (symlinks out, binary and huge logs,
//! unreadable files, no log dir), and the capture of a running codex-runtime.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::{json, Value};

use codex_testkit::set_age;

use crate::common::{expect, jwt, now_ms, real_proxy, stop_proxy, Home, Run, FAR};

#[path = "bundle_corpus.rs"]
mod corpus;

/// The planted secrets. Every one must be absent from the unzipped bundle, in any case.
pub struct Canaries {
    pub secrets: Vec<String>,
}

pub const EMAIL: &str = "carol.canary@example.com";
pub const ACCOUNT_ID: &str = "acc_canary_0f1e2d";
pub const REFRESH: &str = "rt_CANARY/ref+resh_9a8b7c6d5e4f";
pub const ACCESS_PLAIN: &str = "at_CANARYaccessplain_77aa88bb";
pub const SESSION: &str = "ses_CANARYsess0123456789abcd";

fn identity() -> String {
    format!("{ACCOUNT_ID}|{EMAIL}|plus")
}

fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A home whose logs, snapshots, config, caches and env hold known secrets in every form.
pub fn canary_home() -> (Home, Canaries) {
    let access_jwt = jwt(&json!({
        "email": EMAIL,
        "https://api.openai.com/auth": {"chatgpt_account_id": ACCOUNT_ID, "chatgpt_plan_type": "plus"},
        "exp": 4_102_444_800u64
    }));
    let mut h = Home::healthy_with(vec![json!({
        "identityKey": identity(),
        "accountId": ACCOUNT_ID,
        "email": EMAIL,
        "plan": "plus",
        "authTypes": ["native"],
        "enabled": true,
        "access": access_jwt,
        "refresh": REFRESH,
        "expires": FAR
    })]);
    // OpenCode's auth.json with another provider's API key, and a legacy store.
    let anthropic = "sk-ant-api03-CANARYanthropic0123456789";
    h.write_json(
        ".local/share/opencode/auth.json",
        &json!({
            "openai": {"type": "oauth", "refresh": "rt_CANARYopencodeown_1122", "access": ACCESS_PLAIN, "expires": FAR},
            "anthropic": {"type": "api", "key": anthropic}
        }),
    );
    h.write_json(
        ".config/opencode/openai-codex-accounts.json",
        &json!({"version": 4, "accounts": [{"refreshToken": "rt_CANARYlegacy_334455", "email": "dave.legacy@example.net"}]}),
    );
    // Config: a provider API key and a header in opencode.json; a token in a JSONC comment.
    h.write(
        ".config/opencode/opencode.json",
        &serde_json::to_string_pretty(&json!({
            "plugin": ["@iam-brain/opencode-codex-auth@latest"],
            "provider": {"custom": {"options": {"apiKey": "sk-CANARYproviderkey0123456789", "headers": {"Authorization": "Bearer CANARYhdr.tok-998877"}}}}
        }))
        .expect("json"),
    );
    let cfg = fs::read_to_string(h.path(".config/opencode/codex-config.jsonc")).expect("cfg");
    h.write(
        ".config/opencode/codex-config.jsonc",
        &format!("// my refresh_token=CANARYcfgcomment55 do not share\n{cfg}"),
    );
    // Caches: snapshots keyed by identity key, affinity keyed by session key.
    let now = now_ms();
    h.write_json(
        ".config/opencode/cache/codex-snapshots.json",
        &json!({identity(): {"updatedAt": now, "modelFamily": "codex", "limits": [{"name": "requests", "leftPct": 75}]}}),
    );
    h.write_json(
        ".config/opencode/cache/codex-session-affinity.json",
        &json!({"version": 1, "native": {"seenSessionKeys": {SESSION: now}, "stickyBySessionKey": {SESSION: identity()}}}),
    );
    let hash = codex_paths::account_hash(ACCOUNT_ID);
    h.write_json(
        &format!(".config/opencode/cache/codex-auth-models-{hash}.json"),
        &json!({"fetchedAt": now, "models": [{"slug": "gpt-5.1-codex", "description": "x"}]}),
    );
    // Quarantine: listed, never included.
    h.write(
        ".config/opencode/quarantine/codex-accounts.json.1700000000000.quarantine.json",
        "{\"refresh\":\"rt_CANARYquarantined_000\"}",
    );

    // Logs in every form.
    let logs = ".config/opencode/logs/codex-plugin";
    let jwt_tok = jwt(&json!({"email": EMAIL, "sub": "CANARYjwtsub"}));
    let free_jwt = jwt(&json!({"sub": "CANARYfreejwt", "iat": 1}));
    let upper_jwt_header = format!("AUTHORIZATION: BEARER {}", "CANARYUPPERbearer_0099");
    let b64_email = URL_SAFE_NO_PAD.encode(format!("x:{EMAIL}:y"));
    let b64_refresh = STANDARD.encode(format!("token={REFRESH};"));
    let live = [
        json!({"timestamp": "2025-01-01T00:00:00.000Z", "runId": "2025-01-01T00-00-00-000Z-4242-abcd1234", "requestId": "req-1", "stage": "outbound-attempt", "method": "POST",
            "url": format!("https://chatgpt.com/backend-api/codex/responses?code=CANARYqcode1A&state=CANARYqstate2B&prompt_cache_key=CANARYqpck3C"),
            "headers": {"authorization": format!("Bearer {jwt_tok}"), "chatgpt-account-id": ACCOUNT_ID, "session_id": SESSION,
                "cookie": "__Secure-next-auth.session-token=CANARYcookieval1; _puid=user-CANARYpuid0123456789abc",
                "x-api-key": "CANARYxapikey77", "x-forwarded-for": "203.0.113.77", "user-agent": "opencode/1.2.3"},
            "prompt_cache_key": "CANARYpckfield44", "meta": {"identityKey": identity(), "selectionSessionKey": SESSION, "attempt": 1}}),
        json!({"timestamp": "2025-01-01T00:00:01.000Z", "stage": "outbound-response", "status": 429, "statusText": "Too Many Requests",
            "headers": {"set-cookie": "__cf_bm=CANARYcfbm55; Path=/", "x-request-id": "req-abc"}}),
    ];
    let mut live_text = String::new();
    for l in &live {
        live_text.push_str(&l.to_string());
        live_text.push('\n');
    }
    h.write(&format!("{logs}/live-headers.jsonl"), &live_text);

    let snapshot = json!({
        "timestamp": "2025-01-01T00:00:00.000Z", "runId": "run-1", "requestId": "req-1", "stage": "before-auth", "method": "POST",
        "url": "https://chatgpt.com/backend-api/codex/responses",
        "headers": {"authorization": format!("Bearer {}", ACCESS_PLAIN), "chatgpt-account-id": ACCOUNT_ID},
        "body": {"model": "gpt-5.1-codex", "prompt_cache_key": "CANARYbodypck66", "input": [{"role": "user", "content": "CANARYPROMPT please fix my code"}],
                 "tools": [{"output": "CANARYTOOLOUTPUT"}]},
        "meta": {"accountLabel": EMAIL, "sessionKey": SESSION}
    });
    h.write(
        &format!("{logs}/2025-01-01T00-00-00-000Z-4242-abcd1234-request-1-before-auth.json"),
        &serde_json::to_string_pretty(&snapshot).expect("json"),
    );

    let oauth = [
        json!({"ts": "2025-01-01T00:00:02.000Z", "pid": 4242, "event": "token_exchange_start",
            "meta": {"deep": {"deeper": {"refresh_token": "CANARYdeeprt_5566", "list": [{"id_token": "CANARYidtok_7788"}]}},
                     "body": "grant_type=authorization_code&code=CANARYformcode9z&code_verifier=CANARYverifier0a&redirect_uri=http%3A%2F%2Flocalhost%3A1455"}}),
        json!({"ts": "2025-01-01T00:00:03.000Z", "pid": 4242, "event": "token_exchange_success", "meta": {"ms": 812, "status": 200}}),
        json!({"ts": "2025-01-01T00:00:04.000Z", "pid": 4242, "event": "callback_hit",
            "meta": {"url": "http://localhost:1455/auth/callback?code=CANARYcbcode7Q&state=CANARYcbstate8R"}}),
    ];
    let mut oauth_text = String::new();
    for l in &oauth {
        oauth_text.push_str(&l.to_string());
        oauth_text.push('\n');
    }
    // JSON-escaped and split forms, URL-encoded, base64, upper case, free text.
    let escaped_email = EMAIL
        .replace('@', "\\u0040")
        .replace("canary", "can\\u0061ry");
    oauth_text.push_str(&format!(
        "{{\"event\":\"note\",\"meta\":\"login for {escaped_email} with {}\"}}\n",
        REFRESH.replace('/', "\\/")
    ));
    oauth_text.push_str(&format!(
        "{{\"event\":\"note\",\"meta\":\"{{\\\"access_token\\\":\\\"CANARYnestedat_1\\\",\\\"email\\\":\\\"{}\\\"}}\"}}\n",
        EMAIL.replace('@', "\\\\u0040")
    ));
    oauth_text.push_str(&format!(
        "redirect to /cb?login_hint={}&rt={}\n",
        pct(EMAIL),
        pct(REFRESH)
    ));
    oauth_text.push_str(&format!("blob {b64_email} and {b64_refresh}\n"));
    oauth_text.push_str(&format!("{upper_jwt_header}\n"));
    oauth_text.push_str(&format!("pasted token {free_jwt} here\n"));
    oauth_text.push_str("retried the call with bearer CANARYfreebearer77 and got 401\n");
    oauth_text
        .push_str("reply-to: Erin.Stranger+ops@Example.ORG cc erin.stranger%2Bops%40example.org\n");
    oauth_text.push_str(&format!(
        "user {} logged in; Authorization: Basic {} sk-proj-CANARYopenaikey0123456789 rt_CANARYshape0123456789 sess-CANARYsesskey0123456789ab\n",
        EMAIL.to_uppercase(),
        STANDARD.encode("carol:CANARYbasicpw")
    ));
    oauth_text.push_str(&format!(
        "identity {} home {} user canaryuser\n",
        identity().to_uppercase(),
        h.home().display()
    ));
    h.write(&format!("{logs}/oauth-lifecycle.log"), &oauth_text);

    let shareable = [
        json!({"seq": 1, "timestamp": "2025-01-01T00:00:05.000Z", "event": "fetch_attempt_response", "status": 429, "endpoint": "/backend-api/codex/responses", "waitMs": 1500, "selectedIdentity": "ident_1a2b3c4d"}),
        json!({"seq": 2, "timestamp": "2025-01-01T00:00:06.000Z", "event": "rotation_decision", "decision": "switch", "durationMs": 37}),
    ];
    let mut sh = String::new();
    for l in &shareable {
        sh.push_str(&l.to_string());
        sh.push('\n');
    }
    h.write(&format!("{logs}/shareable-debug.jsonl"), &sh);

    h.set("USER", "canaryuser");
    h.set("OPENCODE_OPENAI_MULTI_FOO_TOKEN", "CANARYenvtoken42");
    h.set(
        "HTTPS_PROXY",
        "http://canaryuser:CANARYproxypw@proxy.local:3128",
    );

    let secrets: Vec<String> = [
        EMAIL,
        "carol.canary",
        ACCOUNT_ID,
        REFRESH,
        "CANARY/ref+resh",
        ACCESS_PLAIN,
        SESSION,
        "CANARYsess0123456789abcd",
        anthropic,
        "rt_CANARYopencodeown_1122",
        "rt_CANARYlegacy_334455",
        "dave.legacy@example.net",
        "sk-CANARYproviderkey0123456789",
        "CANARYhdr.tok-998877",
        "CANARYcfgcomment55",
        "rt_CANARYquarantined_000",
        "CANARYqcode1A",
        "CANARYqstate2B",
        "CANARYqpck3C",
        "CANARYcookieval1",
        "CANARYpuid0123456789abc",
        "CANARYxapikey77",
        "203.0.113.77",
        "CANARYpckfield44",
        "CANARYcfbm55",
        "CANARYbodypck66",
        "CANARYPROMPT",
        "CANARYTOOLOUTPUT",
        "CANARYdeeprt_5566",
        "CANARYidtok_7788",
        "CANARYformcode9z",
        "CANARYverifier0a",
        "CANARYcbcode7Q",
        "CANARYcbstate8R",
        "CANARYnestedat_1",
        "CANARYUPPERbearer_0099",
        "CANARYopenaikey0123456789",
        "CANARYshape0123456789",
        "CANARYsesskey0123456789ab",
        "CANARYenvtoken42",
        "CANARYproxypw",
        "canaryuser",
        &b64_email,
        &STANDARD.encode("carol:CANARYbasicpw"),
        &access_jwt,
        &jwt_tok,
        &free_jwt,
        "erin.stranger",
        "CANARYfreebearer77",
        &hash,
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([
        pct(EMAIL),
        pct(REFRESH),
        h.home().display().to_string(),
        h.root().display().to_string(),
    ])
    .collect();
    (h, Canaries { secrets })
}

/// Unzips every entry: name → bytes.
pub fn unzip(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let f = fs::File::open(path).expect("open zip");
    let mut z = zip::ZipArchive::new(f).expect("zip");
    let mut out = BTreeMap::new();
    for i in 0..z.len() {
        let mut e = z.by_index(i).expect("entry");
        let mut buf = Vec::new();
        e.read_to_end(&mut buf).expect("read entry");
        out.insert(e.name().to_string(), buf);
    }
    out
}

fn bundle(h: &Home, extra: &[&str]) -> (Run, PathBuf) {
    let out = h.root().join(format!("b-{}.zip", extra.len()));
    let _ = fs::remove_file(&out);
    let mut args = vec!["bundle", "-o", out.to_str().expect("utf8")];
    args.extend_from_slice(extra);
    let run = h.run(&args);
    (run, out)
}

/// The entry whose manifest `source` ends with `suffix` (log entry names are generated).
fn by_source<'a>(files: &'a BTreeMap<String, Vec<u8>>, suffix: &str) -> &'a [u8] {
    let m: Value = serde_json::from_slice(&files["manifest.json"]).expect("manifest");
    let path = m["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["source"].as_str().is_some_and(|s| s.ends_with(suffix)))
        .and_then(|f| f["path"].as_str())
        .unwrap_or_else(|| panic!("no entry from {suffix}: {}", m["files"]));
    &files[path]
}

fn all_text(files: &BTreeMap<String, Vec<u8>>) -> String {
    files
        .iter()
        .map(|(n, b)| format!("=== {n}\n{}\n", String::from_utf8_lossy(b)))
        .collect()
}

#[test]
fn the_canary_bundle_holds_no_secret_and_keeps_the_context() {
    let (h, canaries) = canary_home();
    let (run, out) = bundle(&h, &[]);
    assert_eq!(
        run.code, 0,
        "stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    let files = unzip(&out);
    let text = all_text(&files);
    let lower = text.to_lowercase();
    for s in &canaries.secrets {
        assert!(
            !lower.contains(&s.to_lowercase()),
            "secret {s:?} leaked into the bundle:\n{}",
            text.lines()
                .filter(|l| l.to_lowercase().contains(&s.to_lowercase()))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }
    // The context survives.
    for ctx in [
        "fetch_attempt_response",
        "rotation_decision",
        "token_exchange_success",
        "callback_hit",
        "\"status\":429",
        "\"waitMs\":1500",
        "\"durationMs\":37",
        "\"ms\":812",
        "Too Many Requests",
        "outbound-attempt",
        "before-auth",
        "gpt-5.1-codex",
        "opencode/1.2.3",
        "2025-01-01T00:00:05.000Z",
        "ident_1a2b3c4d",
        "[omitted: request body]",
        "Bearer [redacted]",
    ] {
        assert!(
            text.contains(ctx),
            "context {ctx:?} missing from the bundle:\n{text}"
        );
    }
    for name in [
        "report.json",
        "report.txt",
        "manifest.json",
        "README.txt",
        "environment.json",
        "config/codex-config.jsonc",
        "config/opencode.json",
        "auth/accounts-summary.json",
        "cache/codex-client-version.json",
        "cache/codex-models-cache-meta.json",
        "cache/codex-models-cache.json",
        "cache/codex-snapshots.json",
        "cache/codex-session-affinity.json",
    ] {
        assert!(
            files.contains_key(name),
            "{name} missing; have {:?}",
            files.keys()
        );
    }
    // Log entries have generated names; the manifest maps them to their sources, with the
    // run id of a snapshot's name pseudonymized.
    for source in [
        "logs/codex-plugin/live-headers.jsonl",
        "logs/codex-plugin/oauth-lifecycle.log",
        "logs/codex-plugin/shareable-debug.jsonl",
        "-request-1-before-auth.json",
    ] {
        by_source(&files, source);
    }
    for name in files.keys().filter(|n| n.starts_with("logs/")) {
        let stem = name
            .trim_start_matches("logs/")
            .split('.')
            .next()
            .unwrap_or("");
        assert!(
            stem.len() == 3 && stem.bytes().all(|b| b.is_ascii_digit()),
            "log entry names are generated: {name}"
        );
    }
    for name in files.keys() {
        assert!(
            !name.contains("codex-accounts")
                && name.rsplit('/').next() != Some("auth.json")
                && !name.contains("quarantine"),
            "{name} must never be bundled"
        );
    }
    // Redacted JSON stays JSON.
    for (n, b) in &files {
        if n.ends_with(".json") && !n.starts_with("config/") {
            serde_json::from_slice::<Value>(b).unwrap_or_else(|e| {
                panic!("{n} is not JSON ({e}):\n{}", String::from_utf8_lossy(b))
            });
        }
        if n.ends_with(".jsonl") {
            for l in String::from_utf8_lossy(b).lines() {
                serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("{n}: {l} ({e})"));
            }
        }
    }
    // Summary line and file mode.
    assert!(
        run.stdout.contains(&out.display().to_string()),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("files,") && run.stdout.contains("redactions"),
        "{}",
        run.stdout
    );
    let mode = fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // The manifest lists what was left out, and the redactions by rule.
    let m: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let excluded = m["excluded"].to_string();
    for e in [
        "codex-accounts.json",
        "openai-codex-accounts.json",
        "auth.json",
        "codex-accounts.json.1700000000000.quarantine.json",
    ] {
        assert!(
            excluded.contains(e),
            "{e} not listed as excluded: {excluded}"
        );
    }
    let by_rule = &m["redactions"]["by_rule"];
    for rule in [
        "jwt",
        "email",
        "known-token",
        "header",
        "cookie",
        "body-dropped",
        "home-path",
        "user-name",
    ] {
        let n = by_rule
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule"] == rule)
            .and_then(|r| r["count"].as_u64());
        assert!(n.is_some_and(|n| n > 0), "no {rule} redactions: {by_rule}");
    }
    let listed: Vec<&str> = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    for (n, b) in &files {
        if n == "manifest.json" {
            continue;
        }
        let entry = m["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == n.as_str());
        let entry = entry.unwrap_or_else(|| panic!("{n} not in the manifest: {listed:?}"));
        assert_eq!(entry["bytes_after"], b.len() as u64, "{n}");
        use sha2::Digest;
        let sha: String = sha2::Sha256::digest(b)
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect();
        assert_eq!(entry["sha256"], sha, "{n}");
    }
    // The account summary never holds tokens but says what is there.
    let summary: Value = serde_json::from_slice(&files["auth/accounts-summary.json"]).unwrap();
    let a = &summary["accounts"][0];
    assert_eq!(a["has_refresh"], true);
    assert_eq!(a["identity_present"], true);
    assert!(a["account"].as_str().unwrap().starts_with("ident_"));
    // The bundle scans clean, and the canary home's logs do not.
    let scan = h.run(&["scan", out.to_str().unwrap()]);
    assert_eq!(scan.code, 0, "{}\n{}", scan.stdout, scan.stderr);
    assert!(scan.stdout.contains("clean"), "{}", scan.stdout);
}

#[test]
fn one_email_gets_one_pseudonym_per_bundle_and_new_ones_next_time() {
    let (h, _) = canary_home();
    let (run, out) = bundle(&h, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = unzip(&out);
    let summary: Value = serde_json::from_slice(&files["auth/accounts-summary.json"]).unwrap();
    let email = summary["accounts"][0]["email"]
        .as_str()
        .unwrap()
        .to_string();
    let ident = summary["accounts"][0]["identity_key"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(email.starts_with("email_") && email.len() == 14, "{email}");
    let report = String::from_utf8_lossy(&files["report.txt"]).into_owned();
    let oauth = String::from_utf8_lossy(by_source(&files, "oauth-lifecycle.log")).into_owned();
    let snaps = String::from_utf8_lossy(&files["cache/codex-snapshots.json"]).into_owned();
    assert!(report.contains(&email), "{report}");
    assert!(oauth.contains(&email), "{oauth}");
    assert!(snaps.contains(&ident), "{snaps}");
    let live = String::from_utf8_lossy(by_source(&files, "live-headers.jsonl")).into_owned();
    let affinity =
        String::from_utf8_lossy(&files["cache/codex-session-affinity.json"]).into_owned();
    let sess = affinity
        .split('"')
        .find(|s| s.starts_with("sess_"))
        .unwrap_or_else(|| panic!("no session pseudonym in {affinity}"))
        .to_string();
    assert!(
        live.contains(&sess),
        "session pseudonym {sess} not in {live}"
    );

    let (run2, out2) = bundle(&h, &["--force"]);
    assert_eq!(run2.code, 0, "{}", run2.stderr);
    let files2 = unzip(&out2);
    let summary2: Value = serde_json::from_slice(&files2["auth/accounts-summary.json"]).unwrap();
    assert_ne!(summary2["accounts"][0]["email"].as_str().unwrap(), email);
}

#[test]
fn output_rules_default_name_no_overwrite_force_and_json() {
    let h = Home::healthy();
    let run = h.run(&["bundle"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let path = run.stdout.lines().next().unwrap().to_string();
    let name = Path::new(&path)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        name.starts_with("codex-doctor-bundle-")
            && name.ends_with("Z.zip")
            && name.len() == "codex-doctor-bundle-20250101T000000Z.zip".len(),
        "{name}"
    );
    assert_eq!(Path::new(&path).parent().unwrap(), h.cwd);

    let target = h.cwd.join("mine.zip");
    fs::write(&target, "keep me").unwrap();
    let run = h.run(&["bundle", "-o", "mine.zip"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("already exists") && run.stderr.contains("--force"),
        "{}",
        run.stderr
    );
    assert_eq!(fs::read_to_string(&target).unwrap(), "keep me");
    let run = h.run(&["bundle", "-o", "mine.zip", "--force", "--json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let m = run.json();
    assert_eq!(m["schema"], 1);
    assert!(m["files"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["path"] == "report.json"));
    assert!(unzip(&target).contains_key("manifest.json"));
    // No temp files are left behind.
    let leftovers: Vec<_> = fs::read_dir(&h.cwd)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let bad = h.run(&["bundle", "--since", "3 fortnights"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--since"), "{}", bad.stderr);
    let bad = h.run(&["bundle", "--max-bytes", "lots"]);
    assert_eq!(bad.code, 2);
    // A zero window would keep no log: refused, with what to do instead.
    for zero in ["0", "0s", "0h0m"] {
        let bad = h.run(&["bundle", "--since", zero]);
        assert_eq!(bad.code, 2, "{zero}: {}", bad.stderr);
        assert!(bad.stderr.contains("every log"), "{}", bad.stderr);
        assert!(bad.stderr.contains("omit --since"), "{}", bad.stderr);
    }
}

#[test]
fn logs_newest_first_within_since_and_max_bytes_with_a_cut_marker() {
    let h = Home::healthy();
    let logs = ".config/opencode/logs/codex-plugin";
    let line = "{\"event\":\"fetch_attempt_response\",\"status\":200,\"n\":0000000000}\n";
    h.write(&format!("{logs}/old.jsonl"), &line.repeat(10));
    h.write(&format!("{logs}/big.jsonl"), &line.repeat(2000));
    h.write(&format!("{logs}/new.jsonl"), &line.repeat(10));
    h.write(
        &format!("{logs}/shareable-debug-state/segments/segment-0000000000000001.jsonl"),
        line,
    );
    set_age(&h.path(&format!("{logs}/old.jsonl")), 3 * 86_400);
    set_age(&h.path(&format!("{logs}/big.jsonl")), 3600);
    set_age(&h.path(&format!("{logs}/new.jsonl")), 60);
    set_age(
        &h.path(&format!(
            "{logs}/shareable-debug-state/segments/segment-0000000000000001.jsonl"
        )),
        120,
    );

    let (run, out) = bundle(&h, &["--since", "2d", "--max-bytes", "20K"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = unzip(&out);
    // Newest first: new (1 min), the segment (2 min), big (1 h, cut); old is past --since.
    let keys: Vec<&String> = files.keys().filter(|k| k.starts_with("logs/")).collect();
    assert_eq!(
        keys,
        ["logs/001.jsonl", "logs/002.jsonl", "logs/003.jsonl"],
        "{keys:?}"
    );
    let segment = "logs/codex-plugin/shareable-debug-state/segments/segment-0000000000000001.jsonl";
    assert_eq!(
        by_source(&files, segment),
        files["logs/002.jsonl"].as_slice()
    );
    let big = String::from_utf8_lossy(&files["logs/003.jsonl"]).into_owned();
    assert!(
        big.starts_with("[codex-doctor bundle: the oldest part of this file"),
        "{}",
        &big[..200]
    );
    let log_bytes: usize = files
        .iter()
        .filter(|(n, _)| n.starts_with("logs/"))
        .map(|(_, b)| b.len())
        .sum();
    assert!(log_bytes <= 20 * 1024, "{log_bytes}");
    // Every kept line is whole.
    for l in big.lines().skip(1) {
        assert_eq!(format!("{l}\n"), line);
    }
    let m: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let excluded = m["excluded"].to_string();
    assert!(excluded.contains("older than --since"), "{excluded}");
    let order: Vec<&str> = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["path"].as_str())
        .filter(|p| p.starts_with("logs/"))
        .collect();
    assert_eq!(order[0], "logs/001.jsonl", "{order:?}");
    // Known plugin names are shown; others are pseudonyms.
    let sources = m["files"].to_string();
    assert!(sources.contains(segment), "{sources}");
    assert!(
        !sources.contains("new.jsonl") && !sources.contains("big.jsonl"),
        "{sources}"
    );
}

#[test]
fn bad_input_is_listed_not_followed_and_not_fatal() {
    let h = Home::healthy();
    let logs = ".config/opencode/logs/codex-plugin";
    h.write(&format!("{logs}/ok.jsonl"), "{\"event\":\"ok\"}\n");
    // A symlink out of the roots, and a symlinked folder.
    let outside = h.root().join("outside");
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("secret.log"), "CANARYoutside_secret\n").unwrap();
    std::os::unix::fs::symlink(
        outside.join("secret.log"),
        h.path(&format!("{logs}/evil.log")),
    )
    .unwrap();
    std::os::unix::fs::symlink(&outside, h.path(&format!("{logs}/evil-dir"))).unwrap();
    // A binary file.
    h.write_bytes(&format!("{logs}/core.bin"), &[0u8, 1, 2, 3, 0, 0, 7]);
    // An unreadable file (root can still read it; then it is simply included).
    h.write(&format!("{logs}/locked.log"), "{\"event\":\"locked\"}\n");
    h.chmod(&format!("{logs}/locked.log"), 0o000);
    let locked_readable = fs::read(h.path(&format!("{logs}/locked.log"))).is_ok();
    // A 2 GB sparse log with text at both ends.
    let huge = h.path(&format!("{logs}/huge.log"));
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = fs::File::create(&huge).unwrap();
        f.write_all(b"{\"event\":\"start\"}\n").unwrap();
        f.set_len(2 * 1024 * 1024 * 1024).unwrap();
        f.seek(SeekFrom::End(-64)).unwrap();
        f.write_all(b"\n{\"event\":\"end\"}\n").unwrap();
    }
    set_age(&huge, 1);

    // An unreadable file fails the run (exit 2, nothing written) unless --force.
    if !locked_readable {
        let (run, out) = bundle(&h, &["--max-bytes", "1M"]);
        assert_eq!(run.code, 2, "{}\n{}", run.stdout, run.stderr);
        assert!(
            run.stderr.contains("could not be read") && run.stderr.contains("--force"),
            "{}",
            run.stderr
        );
        assert!(!out.exists());
    }
    let started = Instant::now();
    let (run, out) = bundle(&h, &["--max-bytes", "1M", "--force"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    let files = unzip(&out);
    let text = all_text(&files);
    assert!(!text.contains("CANARYoutside_secret"));
    let total: usize = files.values().map(Vec::len).sum();
    assert!(total < 4 * 1024 * 1024, "{total}");
    let m: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let excluded = m["excluded"].as_array().unwrap();
    // Names are pseudonymized in the manifest: find the refusals by their reasons.
    let has = |what: &str| {
        excluded
            .iter()
            .any(|e| e["reason"].as_str().is_some_and(|r| r.contains(what)))
    };
    assert!(has("symlink pointing outside"), "{excluded:?}");
    assert!(has("symlinked folder (not followed)"), "{excluded:?}");
    assert!(has("binary"), "{excluded:?}");
    assert!(
        !excluded
            .iter()
            .any(|e| e.to_string().contains("evil") || e.to_string().contains("core.bin")),
        "file names are pseudonymized: {excluded:?}"
    );
    // Every refusal is on the terminal too.
    assert!(
        run.stderr.contains("symlink pointing outside") && run.stderr.contains("binary"),
        "{}",
        run.stderr
    );
    // The huge file is cut to the budget or left out as binary; never read whole.
    let logs_bytes: usize = files
        .iter()
        .filter(|(n, _)| n.starts_with("logs/"))
        .map(|(_, b)| b.len())
        .sum();
    assert!(logs_bytes <= 1024 * 1024, "{logs_bytes}");
    if !locked_readable {
        assert!(has("unreadable"), "{excluded:?}");
    }
    h.chmod(&format!("{logs}/locked.log"), 0o600);
}

#[test]
fn no_log_dir_and_no_store_still_bundle() {
    let h = Home::empty();
    let (run, out) = bundle(&h, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = unzip(&out);
    assert!(!files.keys().any(|k| k.starts_with("logs/")));
    let summary: Value = serde_json::from_slice(&files["auth/accounts-summary.json"]).unwrap();
    assert_eq!(summary["store"], "missing");
}

/// Red team, round 5: a folder in the quarantine folder named after a person reached the
/// report's summary as a bare word (`newest from zorvel-bramblewick`), which the gate keeps.
#[test]
fn a_quarantined_entry_named_after_a_person_is_named_by_its_path() {
    let h = Home::healthy();
    h.write(
        ".config/opencode/quarantine/zorvel-bramblewick/codex-accounts.json",
        "{}\n",
    );
    let (run, out) = bundle(&h, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = all_text(&unzip(&out));
    assert!(!text.contains("bramblewick"), "{text}");
    assert!(
        text.contains("quarantined file(s); newest from ~/"),
        "{text}"
    );
}

#[test]
fn include_bodies_keeps_bodies_but_still_redacts_them() {
    let (h, _) = canary_home();
    let (run, out) = bundle(&h, &["--include-bodies"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = unzip(&out);
    let snap =
        String::from_utf8_lossy(by_source(&files, "-request-1-before-auth.json")).into_owned();
    // The body's structure, keys and safe values stay; its text (the prompt) does not: the
    // allowlist gate keeps free text only under message-like keys.
    assert!(!snap.contains("[omitted: request body]"), "{snap}");
    assert!(snap.contains("\"role\": \"user\""), "{snap}");
    assert!(snap.contains("\"model\": \"gpt-5.1-codex\""), "{snap}");
    assert!(snap.contains("\"content\": \"<string:31>\""), "{snap}");
    assert!(!snap.contains("CANARYPROMPT"), "{snap}");
    assert!(!snap.contains("CANARYbodypck66"), "{snap}");
    assert!(snap.contains("pck_"), "{snap}");
}

/// An OpenCode config with a `codex-kit` provider at `port`.
fn with_local_provider(h: &Home, port: u16) {
    h.write_json(
        ".config/opencode/opencode.json",
        &serde_json::json!({
            "plugin": ["@iam-brain/opencode-codex-auth@latest"],
            "provider": {"codex-kit": {"npm": "@ai-sdk/openai",
                "options": {"baseURL": format!("http://127.0.0.1:{port}/v1"), "apiKey": "x"},
                "models": {"gpt-5.4": {}}}},
            "model": "codex-kit/gpt-5.4",
            "small_model": "codex-kit/gpt-5.4"
        }),
    );
}

#[test]
fn a_running_codex_runtime_is_captured_without_account_labels() {
    let mut h = Home::healthy();
    let (rt, proxy, port) = real_proxy(&h, None);
    with_local_provider(&h, port);
    expect(&h.check("runtime.proxy"), "pass", &["codex-kit"]);
    let (run, out) = bundle(&h, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = unzip(&out);
    let status = String::from_utf8_lossy(&files["runtime/001/status.json"]).into_owned();
    let v: Value = serde_json::from_str(&status).expect("status json");
    let account = &v["accounts"][0];
    assert!(
        account.get("label").is_none(),
        "labels are dropped: {status}"
    );
    assert!(
        account["metricsLabel"]
            .as_str()
            .is_some_and(|l| l.starts_with("acct_")),
        "{status}"
    );
    assert_eq!(account["state"], "ok", "{status}");
    assert!(!status.contains("example.com"), "no mail domain: {status}");
    let metrics = String::from_utf8_lossy(&files["runtime/001/metrics.txt"]).into_owned();
    assert!(
        metrics.contains("# TYPE codex_proxy_requests_total counter"),
        "{metrics}"
    );
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let entry = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "runtime/001/status.json")
        .cloned()
        .expect("listed");
    let note = entry["note"].as_str().unwrap();
    assert!(
        note.contains("what codex-runtime at http://127.0.0.1:"),
        "{note}"
    );
    assert!(
        !note.contains("codex-kit"),
        "provider ids are the user's names: {note}"
    );
    stop_proxy((rt, proxy));

    // With a client key, the proxy answers /status only to it; without the key in the
    // environment the capture is listed as left out, with the reason.
    let (rt, proxy, port) = real_proxy(&h, Some("sekret-client-key"));
    with_local_provider(&h, port);
    let (run, out) = bundle(&h, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = unzip(&out);
    assert!(!files.contains_key("runtime/001/status.json"));
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let left_out = manifest["excluded"].to_string();
    assert!(
        left_out.contains("/status needs the client key"),
        "{left_out}"
    );
    assert!(left_out.contains("\"root\":\"runtime\""), "{left_out}");

    h.set("CODEX_RUNTIME_CLIENT_KEY", "sekret-client-key");
    let (run, out) = bundle(&h, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = unzip(&out);
    assert!(files.contains_key("runtime/001/status.json"));
    assert!(files.contains_key("runtime/001/metrics.txt"));
    assert!(
        !all_text(&files).contains("sekret-client-key"),
        "the key itself never reaches the bundle"
    );
    stop_proxy((rt, proxy));
}

#[test]
fn no_local_provider_means_no_runtime_entries() {
    let h = Home::healthy();
    let (run, out) = bundle(&h, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!unzip(&out).keys().any(|k| k.starts_with("runtime/")));
}

/// `(id, status)` of every check row in a doctor JSON report.
fn check_rows(report: &Value) -> Vec<(String, String)> {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            (
                c["id"].as_str().expect("id").to_string(),
                c["status"].as_str().expect("status").to_string(),
            )
        })
        .collect()
}

/// A healthy home and a failing one: the bundle keeps what a maintainer needs: every check
/// id and status, the summaries, and the error codes, statuses, model slugs, timestamps,
/// event names and header names of the logs.
#[test]
fn a_bundle_stays_useful_for_healthy_and_failing_homes() {
    let logs = ".config/opencode/logs/codex-plugin";
    let failing = {
        let h = Home::empty();
        h.write(".config/opencode/codex-accounts.json", "{ not json");
        h
    };
    for (label, h) in [("healthy", Home::healthy()), ("failing", failing)] {
        h.write(
            &format!("{logs}/live-headers.jsonl"),
            "{\"timestamp\":\"2025-01-01T00:00:01.000Z\",\"stage\":\"outbound-response\",\"status\":429,\"statusText\":\"Too Many Requests\",\"headers\":{\"x-codex-primary-used-percent\":\"100\",\"retry-after\":\"12\"},\"error\":{\"code\":\"usage_limit_reached\",\"message\":\"The usage limit has been reached\"}}\n",
        );
        h.write(
            &format!("{logs}/oauth-lifecycle.log"),
            "2025-01-01T00:00:02.000Z refresh failed: invalid_grant (status 400) after 1200ms\n",
        );
        h.write(
            &format!("{logs}/shareable-debug.jsonl"),
            "{\"seq\":1,\"timestamp\":\"2025-01-01T00:00:05.000Z\",\"event\":\"fetch_attempt_response\",\"model\":\"gpt-5.1-codex\",\"status\":503,\"waitMs\":1500}\n\
             {\"seq\":2,\"event\":\"rotation_decision\",\"decision\":\"keep\",\"counters\":{\"eligible\":3,\"cooling\":0},\"selectedIndex\":0,\"durationMs\":96.31585726239595}\n",
        );
        let direct = h.run(&["--json"]).json();
        let (run, out) = bundle(&h, &[]);
        assert_eq!(run.code, 0, "{label}: {}", run.stderr);
        let files = unzip(&out);
        let report: Value = serde_json::from_slice(&files["report.json"]).expect("report");
        assert_eq!(check_rows(&report), check_rows(&direct), "{label}");
        // The counts stay counts (`"pass": 9` is no password).
        assert_eq!(report["summary"], direct["summary"], "{label}");
        let statuses: Vec<String> = check_rows(&report).into_iter().map(|r| r.1).collect();
        if label == "failing" {
            assert!(statuses.iter().any(|s| s == "fail"), "{statuses:?}");
        }
        // Summaries survive (home shown as ~); a few may lose an unknown name.
        let summaries = |r: &Value| -> Vec<String> {
            r["checks"]
                .as_array()
                .expect("checks")
                .iter()
                .map(|c| c["summary"].as_str().unwrap_or("").to_string())
                .collect()
        };
        let home = h.home().display().to_string();
        let same = summaries(&report)
            .iter()
            .zip(summaries(&direct))
            .filter(|(a, b)| **a == b.replace(&home, "~"))
            .count();
        assert!(
            same * 10 >= summaries(&direct).len() * 9,
            "{label}: only {same} of {} summaries kept:\n{:#?}",
            summaries(&direct).len(),
            summaries(&report)
        );
        let text = all_text(&files);
        for needle in [
            "usage_limit_reached",
            "\"status\":429",
            "Too Many Requests",
            "x-codex-primary-used-percent",
            "retry-after",
            "2025-01-01T00:00:01.000Z",
            "invalid_grant (status 400) after 1200ms",
            "fetch_attempt_response",
            "\"model\":\"gpt-5.1-codex\"",
            "\"status\":503",
            "\"waitMs\":1500",
            // A duration as JavaScript writes a double (found bundling 200 MB of logs: it
            // became a bare `<string:17>`, and the line was no JSON; the schema's parse then
            // changed its last digit, until serde_json rounds floats exactly).
            "\"durationMs\":96.31585726239595",
        ] {
            assert!(text.contains(needle), "{label}: {needle:?} missing");
        }
        // Every line of a JSON Lines entry is still JSON.
        for (name, bytes) in files.iter().filter(|(n, _)| n.ends_with(".jsonl")) {
            for line in String::from_utf8_lossy(bytes).lines() {
                assert!(
                    serde_json::from_str::<Value>(line).is_ok(),
                    "{label}: {name}: no JSON: {line}"
                );
            }
        }
        // Found from the user's side: every finding code became `[redacted]` (read as an
        // OAuth code), the summary's relative times and paths became placeholders, and
        // report.txt lost the paths after `auth.store`.
        let codes = |r: &Value| -> Vec<String> {
            r["checks"]
                .as_array()
                .expect("checks")
                .iter()
                .flat_map(|c| c["findings"].as_array().cloned().unwrap_or_default())
                .map(|f| f["code"].as_str().unwrap_or("").to_string())
                .collect()
        };
        assert_eq!(codes(&report), codes(&direct), "{label}: finding codes");
        if label == "healthy" {
            let summary: Value =
                serde_json::from_slice(&files["auth/accounts-summary.json"]).expect("summary");
            let first = &summary["accounts"][0];
            // The healthy home's token expires in the future; it has no last use.
            let expires = first["access_expires"].as_str().unwrap_or("");
            assert!(
                expires.starts_with("in ") && !expires.contains("<string:"),
                "{expires:?}"
            );
            assert!(first["last_used"].is_null(), "{first}");
            assert!(
                text.contains("~/.local/share/opencode/auth.json"),
                "the legacy source's path"
            );
            let readme = String::from_utf8_lossy(&files["README.txt"]).into_owned();
            assert!(
                readme.contains("for each account its pseudonym, domain, plan"),
                "{readme}"
            );
        }
    }
}

/// The relative times of the accounts summary stay (a healthy home's accounts were used
/// and expire at known times).
#[test]
fn the_accounts_summary_keeps_its_relative_times() {
    let h = Home::healthy();
    let (run, out) = bundle(&h, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = unzip(&out);
    let text = String::from_utf8_lossy(&files["auth/accounts-summary.json"]).into_owned();
    assert!(!text.contains("<string:"), "{text}");
    assert!(text.contains("\"access_expires\": \"in "), "{text}");
}

#[test]
fn output_to_a_folder_a_missing_folder_or_a_special_file() {
    let h = Home::healthy();
    // A folder: the default name inside it.
    fs::create_dir(h.cwd.join("out")).unwrap();
    let run = h.run(&["bundle", "-o", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written = Path::new(run.stdout.lines().next().unwrap()).to_path_buf();
    assert_eq!(written.parent().unwrap(), h.cwd.join("out"));
    assert!(written
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("codex-doctor-bundle-"));
    assert!(unzip(&written).contains_key("manifest.json"));
    // A folder that does not exist: named, and nothing is left behind.
    let run = h.run(&["bundle", "-o", "nowhere/b.zip"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("the folder")
            && run.stderr.contains("nowhere")
            && run.stderr.contains("does not exist"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains(".b.zip."),
        "the temp file's name: {}",
        run.stderr
    );
    // A named pipe (or a device) is never replaced, even with --force.
    let fifo = h.cwd.join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let run = h.run(&["bundle", "-o", "pipe", "--force"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    use std::os::unix::fs::FileTypeExt;
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    // Nor is a link to one, or to a device (found from the user's side: `-o /dev/stdout
    // --force` replaced the system's link with the zip).
    for (name, target) in [("to-pipe", fifo.clone()), ("to-null", "/dev/null".into())] {
        let link = h.cwd.join(name);
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let run = h.run(&["bundle", "-o", name, "--force"]);
        assert_eq!(run.code, 2, "{name}: {}", run.stderr);
        assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
    }
    // A link to a regular file is replaced by the zip, as a regular file is.
    fs::write(h.cwd.join("old.zip"), "x").unwrap();
    std::os::unix::fs::symlink(h.cwd.join("old.zip"), h.cwd.join("to-file")).unwrap();
    let run = h.run(&["bundle", "-o", "to-file", "--force"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}
