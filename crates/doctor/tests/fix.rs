//! `codex-doctor fix`: for every fixer, a home with the problem; the dry run writes nothing
//! and shows the diff; `--yes` makes the check pass and leaves unrelated bytes alone;
//! `--undo` restores every byte and mode. Plus a SIGKILL half-way through a multi-file fix,
//! and a store fix against a real proper-lockfile holder.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use sha2::{Digest, Sha256};

use codex_testkit::node::LockWorker;
use codex_testkit::set_age;

use crate::common::Home;

/// Every path under the home except the doctor's own state: (sha256 or "dir", mode). The
/// mtime of a directory is left out: an atomic replace inside it changes it.
fn snapshot(h: &Home) -> BTreeMap<PathBuf, (String, u32)> {
    fn walk(dir: &Path, skip: &Path, out: &mut BTreeMap<PathBuf, (String, u32)>) {
        let Ok(rd) = fs::read_dir(dir) else { return };
        for e in rd.filter_map(Result::ok) {
            let p = e.path();
            if p.starts_with(skip) {
                continue;
            }
            let m = fs::symlink_metadata(&p).unwrap();
            let mode = m.mode() & 0o7777;
            if m.is_dir() {
                out.insert(p.clone(), ("dir".to_string(), mode));
                walk(&p, skip, out);
            } else {
                let hash = format!("{:x}", Sha256::digest(fs::read(&p).unwrap()));
                out.insert(p, (hash, mode));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&h.home(), &h.path(".local/state"), &mut out);
    out
}

fn status(h: &Home, id: &str) -> String {
    h.check(id)["status"].as_str().unwrap().to_string()
}

/// Dry run (nothing written, diff shown), `--yes` (check passes), `--undo` (all restored).
/// Returns the home as `--yes` left it, for more asserts, via `after`.
#[track_caller]
/// Every `access`/`refresh`/`key` string in the home's store and OpenCode's `auth.json`
/// (the default paths), at any depth: what no `fix` output may show.
fn tokens_of(h: &Home) -> Vec<String> {
    fn walk(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m {
                    match (k.as_str(), v) {
                        (
                            "access" | "refresh" | "key" | "accessToken" | "refreshToken",
                            serde_json::Value::String(t),
                        ) if t.len() >= 8 => out.push(t.clone()),
                        _ => walk(v, out),
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    for rel in [
        ".config/opencode/codex-accounts.json",
        ".local/share/opencode/auth.json",
    ] {
        let parsed = fs::read(h.path(rel)).map(|b| serde_json::from_slice(&b));
        if let Ok(Ok(v)) = parsed {
            walk(&v, &mut out);
        }
    }
    out
}

fn round_trip(h: &Home, glob: &str, check: &str, in_plan: &[&str], after: impl Fn(&Home)) {
    let before = snapshot(h);
    let tokens = tokens_of(h);
    let hides = |out: &str| {
        for t in &tokens {
            assert!(
                !out.contains(t.as_str()),
                "a token reached fix's output:\n{out}"
            );
        }
    };
    let runs =
        || fs::read_dir(h.path(".local/state/codex-kit/doctor/fix")).map_or(0, |rd| rd.count());
    let runs_before = runs();
    assert_ne!(
        status(h, check),
        "pass",
        "{check} should flag the problem first"
    );

    let dry = h.run(&["fix", glob]);
    assert_eq!(dry.code, 0, "{dry:?}");
    for n in in_plan {
        assert!(
            dry.stdout.contains(n),
            "{n:?} not in the plan:\n{}",
            dry.stdout
        );
    }
    assert!(
        dry.stdout.contains("dry run: nothing was written"),
        "{}",
        dry.stdout
    );
    assert_eq!(snapshot(h), before, "the dry run changed files");
    assert_eq!(runs(), runs_before, "the dry run wrote state");
    hides(&dry.stdout);
    hides(&dry.stderr);

    let yes = h.run(&["fix", "--yes", glob]);
    assert_eq!(yes.code, 0, "{yes:?}");
    hides(&yes.stdout);
    hides(&yes.stderr);
    assert!(yes.stdout.contains(&format!("{check}: ")), "{}", yes.stdout);
    assert!(yes.stdout.contains("-> pass"), "{}", yes.stdout);
    let home = h.path("").display().to_string();
    let home = home.trim_end_matches('/');
    assert!(
        yes.stdout
            .contains("backups and manifest in ~/.local/state/codex-kit/doctor/fix/"),
        "{}",
        yes.stdout
    );
    assert_eq!(status(h, check), "pass", "{}", h.check(check));
    after(h);

    // Nothing left to fix for that check.
    let again = h.run(&["fix", glob]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(
        again.stdout.starts_with("nothing to fix"),
        "{}",
        again.stdout
    );

    let undo = h.run(&["fix", "--undo"]);
    assert_eq!(undo.code, 0, "{undo:?}");
    assert!(undo.stdout.starts_with("undid fix run"), "{}", undo.stdout);
    for out in [&yes.stdout, &undo.stdout] {
        assert!(!out.contains(home), "the home path is shown as ~:\n{out}");
    }
    assert_eq!(
        snapshot(h),
        before,
        "undo did not restore everything exactly"
    );
    let second = h.run(&["fix", "--undo"]);
    assert_eq!(second.code, 1, "{second:?}");
    assert!(
        second.stderr.contains("no fix run to undo"),
        "{}",
        second.stderr
    );
    // The home is shown as `~`, and a hint follows (found from the user's side).
    assert!(
        !second.stderr.contains(&h.home().display().to_string()),
        "{}",
        second.stderr
    );
    assert!(second.stderr.contains("hint: "), "{}", second.stderr);
}

const JSONC_WITHOUT_PLUGIN: &str = r#"{
  // my settings
  "$schema": "https://opencode.ai/config.json",
  "theme": "tokyonight", /* keep */
  "provider": {
    "anthropic": { "options": { "timeout": 600000 } },
  },
  "plugin": [
    "opencode-wakatime", // time tracking
    "@other/plugin@1.0.0"
  ],
  "model": "openai/gpt-5",
}
"#;

#[test]
fn the_plugin_is_added_to_the_config_in_effect_keeping_comments_and_order() {
    let h = Home::healthy();
    h.remove(".config/opencode/opencode.json");
    h.write(".config/opencode/opencode.jsonc", JSONC_WITHOUT_PLUGIN);
    round_trip(
        &h,
        "plugin.*",
        "plugin.registered",
        &[
            "plugin.add",
            "+    \"@iam-brain/opencode-codex-auth@latest\"",
        ],
        |h| {
            let text = fs::read_to_string(h.path(".config/opencode/opencode.jsonc")).unwrap();
            let expected = JSONC_WITHOUT_PLUGIN.replace(
                "    \"@other/plugin@1.0.0\"\n",
                "    \"@other/plugin@1.0.0\",\n    \"@iam-brain/opencode-codex-auth@latest\"\n",
            );
            assert_eq!(text, expected);
            assert!(!h.path(".config/opencode/opencode.json").exists());
        },
    );
}

#[test]
fn an_opencode_json_linked_by_a_dotfile_manager_is_edited_where_it_lives() {
    let h = Home::healthy();
    h.remove(".config/opencode/opencode.json");
    h.write("dotfiles/opencode/opencode.jsonc", JSONC_WITHOUT_PLUGIN);
    let link = h.path(".config/opencode/opencode.jsonc");
    std::os::unix::fs::symlink(h.path("dotfiles/opencode/opencode.jsonc"), &link).unwrap();
    round_trip(&h, "plugin.*", "plugin.registered", &["plugin.add"], |h| {
        let link = h.path(".config/opencode/opencode.jsonc");
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink(),
            "the link was replaced by a file"
        );
        let text = fs::read_to_string(h.path("dotfiles/opencode/opencode.jsonc")).unwrap();
        assert!(
            text.contains("\"@iam-brain/opencode-codex-auth@latest\""),
            "{text}"
        );
        assert!(text.contains("// my settings"), "{text}");
    });
    // Undo restored the file behind the link, and the link is still there.
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        fs::read_to_string(h.path("dotfiles/opencode/opencode.jsonc")).unwrap(),
        JSONC_WITHOUT_PLUGIN
    );
}

#[test]
fn a_missing_opencode_json_is_created_as_the_installer_would() {
    let h = Home::healthy();
    h.remove(".config/opencode/opencode.json");
    round_trip(
        &h,
        "plugin.registered",
        "plugin.registered",
        &["create ", "--- /dev/null"],
        |h| {
            let p = h.path(".config/opencode/opencode.json");
            assert_eq!(
            fs::read_to_string(&p).unwrap(),
            "{\n  \"$schema\": \"https://opencode.ai/config.json\",\n  \"plugin\": [\n    \"@iam-brain/opencode-codex-auth@latest\"\n  ]\n}\n"
        );
            assert_eq!(fs::metadata(&p).unwrap().mode() & 0o777, 0o600);
        },
    );
}

/// OpenCode's merged view decides: the global `opencode.jsonc` replaces `opencode.json`'s
/// list, the project's `@latest` overrides the global `@1.2.0` of the same package, so the
/// entry OpenCode loads (the project's) stays, the conflicting plugin goes, the global
/// `@1.2.0` stays for every other project (removing it would unregister the plugin there),
/// and the hidden `opencode.json` is not touched.
#[test]
fn duplicate_and_conflicting_registrations_keep_exactly_one() {
    let h = Home::healthy();
    h.write(
        ".config/opencode/opencode.json",
        "{\n  \"plugin\": [\"@iam-brain/opencode-codex-auth@latest\", \"opencode-wakatime\"],\n  \"theme\": \"x\"\n}\n",
    );
    h.write(
        ".config/opencode/opencode.jsonc",
        "{\n  // second layer\n  \"plugin\": [\n    \"@iam-brain/opencode-codex-auth@1.2.0\",\n    \"opencode-openai-codex-auth@4.0.0\",\n    \"opencode-notify\"\n  ]\n}\n",
    );
    let project = h.cwd.join("opencode.json");
    let project_text = "{\n  \"plugin\": [\"@iam-brain/opencode-codex-auth@latest\"]\n}\n";
    fs::write(&project, project_text).unwrap();
    let json_before = fs::read(h.path(".config/opencode/opencode.json")).unwrap();
    round_trip(
        &h,
        "plugin.*",
        "plugin.registered",
        &["plugin.conflict"],
        |h| {
            assert_eq!(
                fs::read(h.path(".config/opencode/opencode.json")).unwrap(),
                json_before,
                "the hidden global file is untouched"
            );
            assert_eq!(
                fs::read_to_string(h.path(".config/opencode/opencode.jsonc")).unwrap(),
                "{\n  // second layer\n  \"plugin\": [\n    \"@iam-brain/opencode-codex-auth@1.2.0\",\n    \"opencode-notify\"\n  ]\n}\n"
            );
        },
    );
    assert_eq!(
        fs::read_to_string(&project).unwrap(),
        project_text,
        "the entry OpenCode loads stays where it is"
    );
}

#[test]
fn comments_and_trailing_commas_in_opencode_json_become_strict_json() {
    let h = Home::healthy();
    h.write(
        ".config/opencode/opencode.json",
        "{\n  // installer-hostile\n  \"plugin\": [\"@iam-brain/opencode-codex-auth@latest\",],\n  \"provider\": {\"openai\": {\"models\": {}}},\n}\n",
    );
    round_trip(
        &h,
        "plugin.registered",
        "plugin.registered",
        &["plugin.strict-json", "-  // installer-hostile"],
        |h| {
            let text = fs::read_to_string(h.path(".config/opencode/opencode.json")).unwrap();
            assert_eq!(
            text,
            "{\n  \"plugin\": [\"@iam-brain/opencode-codex-auth@latest\"],\n  \"provider\": {\"openai\": {\"models\": {}}}\n}\n"
        );
            serde_json::from_str::<serde_json::Value>(&text).expect("strict JSON");
        },
    );
}

#[test]
fn a_json5_only_opencode_json_is_rewritten_as_json() {
    let h = Home::healthy();
    h.write(
        ".config/opencode/opencode.json",
        "{plugin: ['@iam-brain/opencode-codex-auth@latest'], theme: 'x'}\n",
    );
    round_trip(
        &h,
        "plugin.registered",
        "plugin.registered",
        &["plugin.reformat"],
        |h| {
            let text = fs::read_to_string(h.path(".config/opencode/opencode.json")).unwrap();
            assert_eq!(
            text,
            "{\n  \"plugin\": [\n    \"@iam-brain/opencode-codex-auth@latest\"\n  ],\n  \"theme\": \"x\"\n}\n"
        );
        },
    );
}

const CODEX_CONFIG_TRAILING: &str = "{\n  // runtime settings\n  \"runtime\": {\n    \"mode\": \"native\", // or codex\n  },\n  \"quiet\": false,\n}\n";

#[test]
fn a_trailing_comma_in_codex_config_is_removed_and_comments_stay() {
    let h = Home::healthy();
    h.write(".config/opencode/codex-config.jsonc", CODEX_CONFIG_TRAILING);
    round_trip(
        &h,
        "config.*",
        "config.resolved",
        &["config.trailing-commas"],
        |h| {
            assert_eq!(
            fs::read_to_string(h.path(".config/opencode/codex-config.jsonc")).unwrap(),
            "{\n  // runtime settings\n  \"runtime\": {\n    \"mode\": \"native\" // or codex\n  },\n  \"quiet\": false\n}\n"
        );
        },
    );
}

#[test]
fn credential_files_wider_than_0600_are_made_private() {
    let h = Home::healthy();
    h.chmod(".config/opencode/codex-accounts.json", 0o644);
    h.chmod(".local/share/opencode/auth.json", 0o640);
    let store = fs::read(h.path(".config/opencode/codex-accounts.json")).unwrap();
    round_trip(
        &h,
        "auth.store",
        "auth.store",
        &["chmod 0644 -> 0600"],
        |h| {
            let p = h.path(".config/opencode/codex-accounts.json");
            assert_eq!(fs::metadata(&p).unwrap().mode() & 0o777, 0o600);
            assert_eq!(fs::read(&p).unwrap(), store, "content untouched");
            // Not selected: auth.json keeps its mode.
            let a = h.path(".local/share/opencode/auth.json");
            assert_eq!(fs::metadata(a).unwrap().mode() & 0o777, 0o640);
        },
    );
    round_trip(
        &h,
        "auth.opencode",
        "auth.opencode",
        &["chmod 0640 -> 0600"],
        |_| {},
    );
}

/// A store fix with OpenCode running is refused, names the process and changes nothing;
/// `--force` applies it. The process table is this home's own (`CODEX_DOCTOR_PROC_ROOT`).
#[test]
fn store_fixes_refuse_while_opencode_runs_unless_forced() {
    let h = Home::healthy();
    h.chmod(".config/opencode/codex-accounts.json", 0o644);
    h.fake_process(424242, "opencode");
    let before = snapshot(&h);
    let run = h.run(&["fix", "auth.store", "--yes"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("OpenCode is running (pid 424242 (opencode))"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--force"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert_eq!(snapshot(&h), before, "nothing was written");
    // With fixes of other files in the same run, those are applied and only the store's
    // wait (found from the user's side: one store fix held back every fix).
    h.write(
        ".config/opencode/opencode.json",
        "{\n  // c\n  \"plugin\": [\"@iam-brain/opencode-codex-auth@latest\"]\n}\n",
    );
    let run = h.run(&["fix", "--yes"]);
    assert!(
        run.stderr.contains("were held back (perms.private)"),
        "{}",
        run.stderr
    );
    let text = fs::read_to_string(h.path(".config/opencode/opencode.json")).unwrap();
    assert!(!text.contains("// c"), "the config fix was applied: {text}");
    let p = h.path(".config/opencode/codex-accounts.json");
    assert_eq!(
        fs::metadata(&p).unwrap().mode() & 0o777,
        0o644,
        "the store waited"
    );
    let run = h.run(&["fix", "auth.store", "--yes", "--force"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(fs::metadata(p).unwrap().mode() & 0o777, 0o600);
}

#[test]
fn stale_locks_and_abandoned_temp_files_are_removed_and_come_back_on_undo() {
    let h = Home::healthy();
    let store_lock = h.path(".config/opencode/codex-accounts.json.lock.lock");
    fs::create_dir(&store_lock).unwrap();
    set_age(&store_lock, 60);
    let cache_lock = h.path(".config/opencode/cache.lock");
    fs::create_dir(&cache_lock).unwrap();
    set_age(&cache_lock, 30);
    let old_ms = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
        - 3_600_000;
    let stamp = codex_store::atomic::base36(old_ms);
    let tmp = format!(
        ".config/opencode/codex-accounts.json.tmp.{stamp}.0d3c1f4e-8a2b-4c6d-9e0f-123456789abc"
    );
    h.write(&tmp, "{\"half\":");
    set_age(&h.path(&tmp), 3600);
    round_trip(
        &h,
        "auth.lock",
        "auth.lock",
        &["remove empty directory", "cache.lock", "remove ", ".tmp."],
        |h| {
            assert!(!store_lock.exists() && !cache_lock.exists());
            assert!(!h.path(&tmp).exists());
        },
    );
    // Undo brought the lock directories back as stale as they were.
    for d in [&store_lock, &cache_lock] {
        let age = SystemTime::now()
            .duration_since(fs::metadata(d).unwrap().modified().unwrap())
            .unwrap();
        assert!(age >= Duration::from_secs(29), "{}: {age:?}", d.display());
    }
}

#[test]
fn fresh_temp_files_and_fallback_locks_are_left_alone_with_the_reason() {
    let h = Home::healthy();
    h.write(
        ".config/opencode/codex-accounts.json.tmp.zzzzzzzz.0d3c1f4e-8a2b-4c6d-9e0f-123456789abc",
        "{}",
    );
    let fallback = h.path(".config/opencode/codex-accounts.json.lock.lock");
    fs::create_dir(&fallback).unwrap();
    fs::write(fallback.join(".owner"), "123").unwrap();
    set_age(&fallback, 60);
    let before = snapshot(&h);
    let run = h.run(&["fix", "--yes", "auth.lock"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("not fixed automatically"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("fallback lock"), "{}", run.stdout);
    assert!(
        run.stdout.contains("may belong to a write in progress"),
        "{}",
        run.stdout
    );
    assert_eq!(snapshot(&h), before);
}

#[test]
fn json_prints_the_plan_with_diffs_and_the_result_with_before_and_after() {
    let h = Home::healthy();
    h.remove(".config/opencode/opencode.json");
    h.chmod(".config/opencode/codex-accounts.json", 0o644);
    let plan = h.run(&["fix", "--json"]).json();
    assert_eq!(plan["version"], 1);
    assert_eq!(plan["mode"], "plan");
    let fixes = plan["fixes"].as_array().unwrap();
    let add = fixes.iter().find(|f| f["code"] == "plugin.add").unwrap();
    assert_eq!(add["check_id"], "plugin.registered");
    assert_eq!(add["actions"][0]["kind"], "create");
    assert!(add["actions"][0]["diff"]
        .as_str()
        .unwrap()
        .contains("+    \"@iam-brain/opencode-codex-auth@latest\""));
    let chmod = fixes.iter().find(|f| f["code"] == "perms.private").unwrap();
    assert_eq!(chmod["touches_store"], true);
    assert_eq!(chmod["actions"][0]["from"], 0o644);
    assert!(!h.path(".local/state").exists());

    conforms(&plan);

    let done = h.run(&["fix", "--json", "--yes"]);
    assert_eq!(done.code, 0, "{done:?}");
    let done = done.json();
    assert_eq!(done["mode"], "applied");
    assert!(done["run_id"].as_str().is_some());
    let checks = done["checks"].as_array().unwrap();
    let reg = checks
        .iter()
        .find(|c| c["id"] == "plugin.registered")
        .unwrap();
    assert_eq!(
        (reg["before"].as_str(), reg["after"].as_str()),
        (Some("fail"), Some("pass"))
    );
    conforms(&done);
    let st = checks.iter().find(|c| c["id"] == "auth.store").unwrap();
    let undone = h.run(&["fix", "--undo", "--json"]).json();
    conforms(&undone);
    assert_eq!(undone["mode"], "undone");
    assert_eq!(undone["run_id"], done["run_id"]);
    let restored = undone["restored"].as_array().unwrap();
    assert!(!restored.is_empty());
    // Paths are shown as the report shows them: the home folder as `~`.
    assert!(
        restored
            .iter()
            .all(|p| p.as_str().unwrap().starts_with("~/.config/opencode/")),
        "{restored:?}"
    );
    assert_eq!(
        (st["before"].as_str(), st["after"].as_str()),
        (Some("warn"), Some("pass"))
    );
}

/// The output uses only the fields docs/schema/fix.schema.json declares, with their required
/// ones.
#[track_caller]
fn conforms(out: &serde_json::Value) {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../../docs/schema/fix.schema.json")).unwrap();
    let keys_ok = |v: &serde_json::Value, def: &serde_json::Value| {
        for k in v.as_object().unwrap().keys() {
            assert!(
                def["properties"].get(k).is_some(),
                "{k} not in the schema: {v}"
            );
        }
        for r in def["required"].as_array().unwrap() {
            assert!(v.get(r.as_str().unwrap()).is_some(), "{r} missing: {v}");
        }
    };
    keys_ok(out, &schema);
    for f in out["fixes"].as_array().into_iter().flatten() {
        keys_ok(f, &schema["$defs"]["fix"]);
        let codes = schema["$defs"]["fix"]["properties"]["code"]["enum"]
            .as_array()
            .unwrap();
        assert!(codes.contains(&f["code"]), "{f}");
        for a in f["actions"].as_array().unwrap() {
            let variant = schema["$defs"]["action"]["oneOf"]
                .as_array()
                .unwrap()
                .iter()
                .find(|v| v["properties"]["kind"]["const"] == a["kind"])
                .unwrap_or_else(|| panic!("unknown kind: {a}"));
            let mut v = variant.clone();
            v["required"].as_array_mut().unwrap().push("kind".into());
            keys_ok(a, &v);
        }
    }
}

#[test]
fn the_state_folder_follows_xdg_state_home() {
    let mut h = Home::healthy();
    h.chmod(".local/share/opencode/auth.json", 0o644);
    let state = h.root().join("state");
    h.set("XDG_STATE_HOME", state.to_str().unwrap());
    let run = h.run(&["fix", "--yes"]);
    assert_eq!(run.code, 0, "{run:?}");
    let runs: Vec<_> = fs::read_dir(state.join("codex-kit/doctor/fix"))
        .unwrap()
        .collect();
    assert_eq!(runs.len(), 1);
    let dir = runs[0].as_ref().unwrap().path();
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["state"], "applied");
    assert_eq!(manifest["entries"][0]["before"]["kind"], "file");
    assert_eq!(manifest["entries"][0]["before"]["mode"], 0o644);
}

#[test]
fn sigkill_half_way_leaves_whole_files_and_undo_still_restores_them() {
    let mut h = Home::healthy();
    let oc = h.path(".config/opencode/opencode.json");
    let cc = h.path(".config/opencode/codex-config.jsonc");
    let auth = h.path(".local/share/opencode/auth.json");
    h.write(
        ".config/opencode/opencode.json",
        "{\n  // c\n  \"plugin\": [\"@iam-brain/opencode-codex-auth@latest\",],\n}\n",
    );
    h.write(".config/opencode/codex-config.jsonc", CODEX_CONFIG_TRAILING);
    h.chmod(".local/share/opencode/auth.json", 0o644);
    let before = snapshot(&h);
    let old_oc = fs::read(&oc).unwrap();
    let new_oc = b"{\n  \"plugin\": [\"@iam-brain/opencode-codex-auth@latest\"]\n}\n".to_vec();
    let old_cc = fs::read(&cc).unwrap();

    h.set("CODEX_DOCTOR_FIX_PAUSE_MS", "5000");
    let mut child = Command::new(env!("CARGO_BIN_EXE_codex-doctor"))
        .args(["fix", "--yes"])
        .env_clear()
        .envs(h.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(&h.cwd)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while fs::read(&oc).unwrap() == old_oc {
        assert!(Instant::now() < deadline, "the first action never happened");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the fix finished before the kill"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    assert_eq!(
        fs::read(&oc).unwrap(),
        new_oc,
        "the first file is wholly new"
    );
    assert_eq!(
        fs::read(&cc).unwrap(),
        old_cc,
        "the second file is wholly old"
    );
    assert_eq!(fs::metadata(&auth).unwrap().mode() & 0o777, 0o644);
    let temps: Vec<_> = fs::read_dir(h.config_dir())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp."))
        .collect();
    assert!(temps.is_empty(), "{temps:?}");

    h.unset("CODEX_DOCTOR_FIX_PAUSE_MS");
    let undo = h.run(&["fix", "--undo"]);
    assert_eq!(undo.code, 0, "{undo:?}");
    assert_eq!(snapshot(&h), before);
}

#[test]
fn a_store_fix_waits_for_a_real_proper_lockfile_holder_or_names_its_lock() {
    let Some(node) = LockWorker::find("fix lock interop") else {
        return;
    };
    let h = Home::healthy();
    h.chmod(".config/opencode/codex-accounts.json", 0o644);
    let store = h.path(".config/opencode/codex-accounts.json");

    // A holder that lets go after 2 s: the fix waits, then applies.
    let (mut holder, line) = node.start(&["hold", store.to_str().unwrap(), "2000"]);
    assert_eq!(line, "locked");
    let start = Instant::now();
    let run = h.run(&["fix", "--yes", "auth.store"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        start.elapsed() >= Duration::from_millis(500),
        "it did not wait for the lock"
    );
    assert_eq!(fs::metadata(&store).unwrap().mode() & 0o777, 0o600);
    holder.wait().unwrap();

    // A holder that never lets go: the fix gives up, names the lock and changes nothing.
    assert_eq!(h.run(&["fix", "--undo"]).code, 0);
    let (mut holder, line) = node.start(&["hold-forever", store.to_str().unwrap()]);
    assert_eq!(line, "locked");
    let run = h.run(&["fix", "--yes", "--json", "auth.store"]);
    holder.kill().unwrap();
    holder.wait().unwrap();
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr.contains("locked by another process"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("codex-accounts.json.lock.lock"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("hint: no OpenCode process is running here"),
        "{}",
        run.stderr
    );
    let out = run.json();
    conforms(&out);
    assert_eq!(out["mode"], "failed");
    assert!(out["error"]
        .as_str()
        .unwrap()
        .contains("locked by another process"));
    let st = &out["checks"][0];
    assert_eq!(
        (st["before"].as_str(), st["after"].as_str()),
        (Some("warn"), Some("warn"))
    );
    assert_eq!(fs::metadata(&store).unwrap().mode() & 0o777, 0o644);
}

#[test]
fn unknown_globs_warn_and_undo_conflicts_with_yes() {
    let h = Home::healthy();
    let run = h.run(&["fix", "nope.*"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("matches no check id"), "{}", run.stderr);
    assert!(run.stdout.starts_with("nothing to fix"), "{}", run.stdout);
    let bad = h.run(&["fix", "--undo", "--yes"]);
    assert_eq!(bad.code, 2, "{bad:?}");
}

#[test]
fn undo_keeps_edits_made_after_the_run_unless_forced() {
    let h = Home::healthy();
    h.write(".config/opencode/codex-config.jsonc", CODEX_CONFIG_TRAILING);
    assert_eq!(h.run(&["fix", "--yes", "config.*"]).code, 0);
    h.write(".config/opencode/codex-config.jsonc", "{\"quiet\": true}\n");
    let undo = h.run(&["fix", "--undo"]);
    assert_eq!(undo.code, 1, "{undo:?}");
    assert!(
        undo.stderr.contains("changed after the fix run"),
        "{}",
        undo.stderr
    );
    assert!(
        undo.stderr.contains("codex-config.jsonc"),
        "{}",
        undo.stderr
    );
    assert_eq!(
        fs::read_to_string(h.path(".config/opencode/codex-config.jsonc")).unwrap(),
        "{\"quiet\": true}\n"
    );
    let forced = h.run(&["fix", "--undo", "--force"]);
    assert_eq!(forced.code, 0, "{forced:?}");
    assert_eq!(
        fs::read_to_string(h.path(".config/opencode/codex-config.jsonc")).unwrap(),
        CODEX_CONFIG_TRAILING
    );
}

#[test]
fn missing_command_and_skill_files_get_the_plugins_own_content() {
    let h = Home::healthy();
    h.remove(".config/opencode/commands");
    h.remove(".config/opencode/skills");
    round_trip(
        &h,
        "install.command",
        "install.command",
        &["create ", "+$ARGUMENTS"],
        |h| {
            let p = h.path(".config/opencode/commands/create-personality.md");
            assert_eq!(
                fs::read_to_string(&p).unwrap(),
                codex_fix::fixers::COMMAND_TEMPLATE
            );
            assert!(codex_fix::fixers::COMMAND_TEMPLATE.starts_with(
            "---\ndescription: Build a custom coding personality and save it with the create-personality tool.\n---\n"
        ));
            assert_eq!(fs::metadata(&p).unwrap().mode() & 0o777, 0o600);
        },
    );
    round_trip(
        &h,
        "install.skill",
        "install.skill",
        &["+name: personality-builder"],
        |h| {
            let dir = h.path(".config/opencode/skills/personality-builder");
            assert_eq!(
                fs::read_to_string(dir.join("SKILL.md")).unwrap(),
                codex_fix::fixers::SKILL_TEMPLATE
            );
            assert_eq!(
                fs::read_to_string(dir.join("references/personality-patterns.md")).unwrap(),
                codex_fix::fixers::PATTERNS_TEMPLATE
            );
        },
    );
}

#[test]
fn an_existing_command_file_is_never_overwritten() {
    let h = Home::healthy();
    let run = h.run(&["fix", "install.*"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.starts_with("nothing to fix"), "{}", run.stdout);
}

#[test]
fn stale_model_snapshots_and_unusable_cache_files_are_removed() {
    let h = Home::healthy();
    h.write(
        ".config/opencode/cache/codex-models-cache-meta.json",
        "{\"tag\": \"rust-v0.100.0\", \"lastChecked\": 1, \"url\": \"https://raw.githubusercontent.com/openai/codex/rust-v0.100.0/codex-rs/core/models.json\"}\n",
    );
    h.write(
        ".config/opencode/cache/codex-auth-models-abc123.json",
        "{\"models\": 1}\n",
    );
    let catalog = fs::read(h.path(".config/opencode/cache/codex-client-version.json")).unwrap();
    round_trip(
        &h,
        "cache.models",
        "cache.models",
        &["remove ", "codex-models-cache-meta.json"],
        |h| {
            assert!(!h
                .path(".config/opencode/cache/codex-models-cache.json")
                .exists());
            assert!(!h
                .path(".config/opencode/cache/codex-models-cache-meta.json")
                .exists());
            assert_eq!(
                fs::read(h.path(".config/opencode/cache/codex-client-version.json")).unwrap(),
                catalog
            );
            assert!(h
                .path(".config/opencode/cache/codex-auth-models-abc123.json")
                .exists());
        },
    );
    round_trip(
        &h,
        "cache.files",
        "cache.files",
        &["codex-auth-models-abc123.json"],
        |h| {
            assert!(!h
                .path(".config/opencode/cache/codex-auth-models-abc123.json")
                .exists());
            assert!(h
                .path(".config/opencode/cache/codex-snapshots.json")
                .exists());
        },
    );
}

#[test]
fn a_corrupt_store_gets_its_newest_readable_quarantined_copy_back() {
    let h = Home::healthy();
    let good = fs::read(h.path(".config/opencode/codex-accounts.json")).unwrap();
    h.write_bytes(
        ".config/opencode/quarantine/codex-accounts.json.1700000000000.quarantine.json",
        &good,
    );
    // Newer, but not readable as a store: skipped.
    h.write(
        ".config/opencode/quarantine/codex-accounts.json.1800000000000.quarantine.json",
        "{\"openai\": ",
    );
    // Newer and readable, but without accounts: putting it back would make an empty store
    // authoritative (found from the user's side). Skipped too.
    h.write(
        ".config/opencode/quarantine/codex-accounts.json.1750000000000.quarantine.json",
        "{\"openai\": {\"type\": \"oauth\", \"native\": {\"accounts\": []}}}",
    );
    h.write(
        ".config/opencode/codex-accounts.json",
        "{\"openai\": {\"type\": \"oauth\",",
    );
    round_trip(
        &h,
        "auth.store",
        "auth.store",
        &["store.restore-quarantine", "1700000000000"],
        |h| {
            assert_eq!(
                fs::read(h.path(".config/opencode/codex-accounts.json")).unwrap(),
                good
            );
            assert!(h
                .path(
                    ".config/opencode/quarantine/codex-accounts.json.1700000000000.quarantine.json"
                )
                .exists());
        },
    );
}

#[test]
fn a_missing_store_is_created_by_the_stores_own_legacy_transfer() {
    let h = Home::healthy();
    h.remove(".config/opencode/codex-accounts.json");
    let dry = h.run(&["fix", "auth.legacy"]);
    assert!(
        !dry.stdout.contains("rt_opencode_own_refresh")
            && !dry.stdout.contains("at_opencode_own_access"),
        "tokens in the plan:\n{}",
        dry.stdout
    );
    round_trip(
        &h,
        "auth.legacy",
        "auth.legacy",
        &["store.transfer", "--- /dev/null"],
        |h| {
            let p = h.path(".config/opencode/codex-accounts.json");
            let v: serde_json::Value =
                serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap();
            assert!(v.to_string().contains("rt_opencode_own_refresh"), "{v}");
            assert_eq!(fs::metadata(&p).unwrap().mode() & 0o777, 0o600);
            assert_eq!(status(h, "auth.store"), "pass");
        },
    );
}

#[test]
fn identity_keys_the_plugin_derives_are_written_and_underivable_ones_are_listed() {
    let mut with_key = crate::common::account("acc_k1", "kim@example.com", "plus");
    with_key.as_object_mut().unwrap().remove("identityKey");
    let h = Home::healthy_with(vec![with_key]);
    let store = h.path(".config/opencode/codex-accounts.json");
    let before = fs::read_to_string(&store).unwrap();
    assert!(!before.contains("\"identityKey\": \"acc_k1|"));
    // The check passes (the store derives the key when it loads) and says the fix exists.
    let row = h.check("auth.identity");
    assert_eq!(row["status"], "pass");
    let summary = row["summary"].as_str().unwrap();
    assert!(
        summary.contains("1 derived when the store loads"),
        "{summary}"
    );
    assert!(summary.contains("codex-doctor fix"), "{summary}");
    let dry = h.run(&["fix", "auth.identity"]);
    assert_eq!(dry.code, 0, "{dry:?}");
    assert!(dry.stdout.contains("store.identity-key"), "{}", dry.stdout);
    assert!(
        dry.stdout.contains("+        \"identityKey\": "),
        "{}",
        dry.stdout
    );
    assert_eq!(fs::read_to_string(&store).unwrap(), before);

    let yes = h.run(&["fix", "--yes", "auth.identity"]);
    assert_eq!(yes.code, 0, "{yes:?}");
    let after: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&store).unwrap()).unwrap();
    assert_eq!(
        after["openai"]["native"]["accounts"][0]["identityKey"],
        "acc_k1|kim@example.com|plus"
    );
    let row = h.check("auth.identity");
    assert_eq!(row["status"], "pass");
    assert_eq!(row["summary"], "all 1 account(s) have an identity key");
    assert_eq!(h.run(&["fix", "--undo"]).code, 0);
    assert_eq!(fs::read_to_string(&store).unwrap(), before);

    // Without an email anywhere, no key can be built: listed, nothing written.
    let mut bare = crate::common::account("acc_k2", "x@example.com", "plus");
    let o = bare.as_object_mut().unwrap();
    o.remove("identityKey");
    o.remove("email");
    let h = Home::healthy_with(vec![bare]);
    let run = h.run(&["fix", "auth.identity"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("log in again"), "{}", run.stdout);
}

/// Runs `codex-doctor fix ARGS` with stdin and stdout on a terminal (util-linux `script`),
/// typing `answer`; `None` when `script` is not installed.
#[allow(clippy::print_stderr)]
fn on_terminal(h: &Home, args: &str, answer: &str) -> Option<String> {
    use std::io::Write;
    let Ok(script) = which::which("script") else {
        eprintln!("SKIPPED terminal prompt test: util-linux `script` is not installed");
        return None;
    };
    let cmd = format!("{} fix {args}", env!("CARGO_BIN_EXE_codex-doctor"));
    let mut child = Command::new(script)
        .args(["-qec", &cmd, "/dev/null"])
        .env_clear()
        .envs(h.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env("NO_COLOR", "1")
        .current_dir(&h.cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answer.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Some(String::from_utf8_lossy(&out.stdout).replace('\r', ""))
}

#[test]
fn on_a_terminal_the_plan_is_applied_only_after_a_yes() {
    let h = Home::healthy();
    h.remove(".config/opencode/opencode.json");
    let Some(no) = on_terminal(&h, "plugin.registered", "n\n") else {
        return;
    };
    assert!(no.contains("Apply these fixes? [y/N]"), "{no}");
    assert!(no.contains("nothing was written"), "{no}");
    assert!(!h.path(".config/opencode/opencode.json").exists());
    let yes = on_terminal(&h, "plugin.registered", "y\n").unwrap();
    assert!(yes.contains("plugin.registered: fail -> pass"), "{yes}");
    assert!(h.path(".config/opencode/opencode.json").exists());
}

#[test]
fn secrets_in_the_context_of_a_diff_are_not_shown() {
    let h = Home::healthy();
    h.write(
        ".config/opencode/opencode.json",
        "{\n  \"provider\": {\n    \"acme\": { \"options\": { \"apiKey\": \"acme-live-7Qk2p9ZxW4\" } }\n  },\n  \"plugin\": [\"opencode-wakatime\"]\n}\n",
    );
    for args in [&["fix"][..], &["fix", "--json"][..]] {
        let run = h.run(args);
        assert_eq!(run.code, 0, "{run:?}");
        assert!(run.stdout.contains("plugin.add"), "{}", run.stdout);
        assert!(run.stdout.contains("apiKey"), "{}", run.stdout);
        assert!(
            !run.stdout.contains("acme-live-7Qk2p9ZxW4"),
            "{}",
            run.stdout
        );
    }
    // What is written is the real content, of course.
    assert_eq!(h.run(&["fix", "--yes", "plugin.*"]).code, 0);
    let text = fs::read_to_string(h.path(".config/opencode/opencode.json")).unwrap();
    assert!(text.contains("acme-live-7Qk2p9ZxW4"));
}

#[test]
fn an_unreadable_config_is_left_alone_and_nothing_is_created_beside_it() {
    let h = Home::healthy();
    h.write_bytes(
        ".config/opencode/opencode.json",
        b"{\"plugin\": [\"\xff\"]}\n",
    );
    let before = snapshot(&h);
    let run = h.run(&["fix", "--yes", "plugin.*"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("cannot be read as UTF-8"),
        "{}",
        run.stdout
    );
    assert_eq!(snapshot(&h), before);
}

#[test]
fn a_plugin_string_becomes_an_array_in_place() {
    let h = Home::healthy();
    h.write(
        ".config/opencode/opencode.json",
        "{\n  \"plugin\": \"@iam-brain/opencode-codex-auth@latest\",\n  \"theme\": \"x\"\n}\n",
    );
    round_trip(
        &h,
        "plugin.registered",
        "plugin.registered",
        &["plugin.array"],
        |h| {
            assert_eq!(
            fs::read_to_string(h.path(".config/opencode/opencode.json")).unwrap(),
            "{\n  \"plugin\": [\"@iam-brain/opencode-codex-auth@latest\"],\n  \"theme\": \"x\"\n}\n"
        );
        },
    );
}

#[test]
fn an_env_substitution_outside_a_string_is_not_called_broken_or_rewritten() {
    // OpenCode substitutes `{env:NAME}` before it parses, so this file loads; the raw text is
    // not JSON, and a rewrite would expand or drop the substitution.
    let text = "{\n  \"plugin\": [\"@iam-brain/opencode-codex-auth@latest\"],\n  \"server\": {\"port\": {env:OC_PORT}}\n}\n";
    for (file, strict) in [("opencode.jsonc", false), ("opencode.json", true)] {
        let mut h = Home::healthy();
        h.env.push(("OC_PORT".into(), "4096".into()));
        if !strict {
            h.write(
                ".config/opencode/opencode.json",
                "{\"$schema\": \"https://opencode.ai/config.json\"}\n",
            );
        }
        h.write(&format!(".config/opencode/{file}"), text);
        let before = snapshot(&h);
        let run = h.run(&["fix", "--yes", "plugin.*"]);
        assert!(
            !run.stdout.contains("does not parse"),
            "{file}: {}",
            run.stdout
        );
        assert_eq!(
            run.stdout.contains("uses {env:…} outside a string"),
            strict,
            "{file}: only the installer's strict read is named: {}",
            run.stdout
        );
        assert_eq!(
            fs::read_to_string(h.path(&format!(".config/opencode/{file}"))).unwrap(),
            text,
            "{file} is left as written"
        );
        assert_eq!(snapshot(&h), before, "{file}: nothing written");
    }
}

/// Found from the user's side: with `@latest` in the global config and a `file://` copy in
/// one project, `fix` emptied the global list and kept the project's entry, so every other
/// project lost the plugin. The global registration stays; the project's copy goes.
#[test]
fn loaded_twice_keeps_the_global_registration() {
    let h = Home::healthy();
    let global = "{\n  \"plugin\": [\"@iam-brain/opencode-codex-auth@latest\"]\n}\n";
    h.write(".config/opencode/opencode.json", global);
    fs::write(
        h.cwd.join("opencode.json"),
        "{\n  \"plugin\": [\"file:///opt/opencode-codex-auth/dist\", \"opencode-notify\"]\n}\n",
    )
    .unwrap();
    round_trip(
        &h,
        "plugin.*",
        "plugin.registered",
        &["plugin.dedupe"],
        |h| {
            assert_eq!(
                fs::read_to_string(h.path(".config/opencode/opencode.json")).unwrap(),
                global,
                "the global registration stays"
            );
            assert_eq!(
                fs::read_to_string(h.cwd.join("opencode.json")).unwrap(),
                "{\n  \"plugin\": [\"opencode-notify\"]\n}\n"
            );
        },
    );
}
