//! `codex-doctor scan`: files, folders and zips; exit 1 on findings; masked previews.

use std::fs;
use std::io::Write;

use crate::bundle::{canary_home, unzip};
use crate::common::{account, Home};
use serde_json::json;

#[test]
fn scan_reports_every_match_with_file_line_rule_and_a_masked_preview() {
    let (h, canaries) = canary_home();
    let logs = h.path(".config/opencode/logs/codex-plugin");
    let run = h.run(&["scan", logs.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    for rule in [
        "jwt",
        "email",
        "known-token",
        "header",
        "cookie",
        "url-query",
        "bearer",
        "openai-key",
    ] {
        assert!(
            run.stdout.contains(&format!(": {rule}: ")),
            "no {rule} finding:\n{}",
            run.stdout
        );
    }
    assert!(
        run.stdout.contains("oauth-lifecycle.log:1: "),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("do not post"), "{}", run.stdout);
    for s in &canaries.secrets {
        // File names in the output are the user's own paths; values never appear.
        if s.len() > 8 && !s.starts_with('/') {
            assert!(
                !run.stdout.contains(s.as_str()),
                "scan output shows {s:?}:\n{}",
                run.stdout
            );
        }
    }
    let json = h.run(&["scan", "--json", logs.to_str().unwrap()]);
    assert_eq!(json.code, 1);
    let v = json.json();
    let f = &v["findings"][0];
    assert!(
        f["file"].is_string()
            && f["line"].is_u64()
            && f["rule"].is_string()
            && f["preview"].is_string(),
        "{v:#}"
    );
}

#[test]
fn scan_of_clean_text_and_zips() {
    let h = Home::healthy();
    let clean = h.root().join("notes.txt");
    fs::write(
        &clean,
        "status 429 after 1500 ms\nevent rotation_decision\n",
    )
    .unwrap();
    let run = h.run(&["scan", clean.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("clean"), "{}", run.stdout);

    // A zip with one leaky entry.
    let zpath = h.root().join("attachment.zip");
    {
        let f = fs::File::create(&zpath).unwrap();
        let mut z = zip::ZipWriter::new(f);
        let o = zip::write::SimpleFileOptions::default();
        z.start_file("ok.txt", o).unwrap();
        z.write_all(b"nothing here\n").unwrap();
        z.start_file("dir/leak.json", o).unwrap();
        z.write_all(b"{\n  \"refresh_token\": \"abcdef123456\"\n}\n")
            .unwrap();
        z.finish().unwrap();
    }
    let run = h.run(&["scan", zpath.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout
            .contains("attachment.zip!dir/leak.json:2: json-key: "),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("abcdef123456"));

    // Binary files are skipped with a note and exit 2 (nothing can be vouched for); a
    // missing path is an error.
    let bin = h.root().join("blob.bin");
    fs::write(&bin, [0u8, 159, 146, 150]).unwrap();
    let run = h.run(&["scan", bin.to_str().unwrap()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("skipped") && run.stderr.contains("binary"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("not vouched for") && !run.stdout.contains("clean"),
        "what was not read is not called clean: {}",
        run.stdout
    );
    // A named pipe given by name is not opened (with no writer the read would never end);
    // one inside a folder is skipped too.
    let folder = h.root().join("with-a-pipe");
    fs::create_dir(&folder).unwrap();
    fs::write(folder.join("notes.txt"), "all fine here\n").unwrap();
    let pipe = folder.join("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap();
    assert!(made.success());
    let run = h.run(&["scan", pipe.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("not a regular file"), "{}", run.stderr);
    let run = h.run(&["scan", folder.to_str().unwrap()]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stdout.contains("not vouched for"), "{}", run.stdout);
    let run = h.run(&["scan", "/nonexistent/codex-doctor-test"]);
    assert_eq!(run.code, 2);
    let run = h.run(&["scan"]);
    assert_eq!(run.code, 2);
}

#[test]
fn scan_knows_the_users_own_tokens() {
    // A refresh token with no recognisable shape (no `rt_` prefix, lower-case words): only
    // the store's own values can flag it.
    let mut a = account("acc_healthy1", "alice@example.com", "plus");
    a["refresh"] = json!("tulip-mango-harbor-violet");
    let h = Home::healthy_with(vec![a]);
    let f = h.root().join("pasted.txt");
    fs::write(&f, "see tulip-mango-harbor-violet here\n").unwrap();
    let run = h.run(&["scan", f.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("known-token"), "{}", run.stdout);
    assert!(
        !run.stdout.contains("tulip-mango"),
        "the finding does not print the token: {}",
        run.stdout
    );

    // The same text is clean for someone whose store does not hold it.
    let other = Home::healthy();
    let run = other.run(&["scan", f.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn a_bundle_unzipped_into_a_folder_scans_clean() {
    let (h, _) = canary_home();
    let out = h.root().join("b.zip");
    let run = h.run(&["bundle", "-o", out.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let dir = h.root().join("unzipped");
    for (name, bytes) in unzip(&out) {
        let p = dir.join(name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
    }
    let run = h.run(&["scan", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}

/// Found from the user's side: values the allowlist could not vouch for were all called
/// "secret-looking", so a stock config read as leaking secrets. The summary tells the two
/// apart (the exit code stays 1 for both).
#[test]
fn the_summary_tells_recognised_secrets_from_unvetted_values() {
    let h = Home::healthy();
    let dir = h.path("scan-summary");
    fs::create_dir_all(&dir).unwrap();
    let odd = dir.join("odd.json");
    fs::write(&odd, "{\"zorvq\": \"Zq81kXv93LmQpRt\"}\n").unwrap();
    let run = h.run(&["scan", odd.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("not known to be safe") && !run.stdout.contains("secret-looking"),
        "{}",
        run.stdout
    );
    let mixed = dir.join("mixed.log");
    fs::write(&mixed, "mail jane.doe@example.com\nid Zq81kXv93LmQpRt\n").unwrap();
    let run = h.run(&["scan", mixed.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("secret-looking value(s) and"),
        "{}",
        run.stdout
    );
}
