//! `env.paths`, `opencode.install`, `install.*`, `debug.env`, `port.1455`, `process.opencode`,
//! `network.*`.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::{expect, Home};

#[test]
fn env_paths_pass_and_relative_xdg_warns_with_the_split() {
    let mut h = Home::healthy();
    expect(
        &h.check("env.paths"),
        "pass",
        &["config root", "default ~/.config/opencode"],
    );
    h.set("XDG_CONFIG_HOME", "cfg");
    let row = h.check("env.paths");
    expect(
        &row,
        "warn",
        &[
            "XDG_CONFIG_HOME=\\\"cfg\\\" is not absolute",
            "codex-accounts.json, cache/",
            "codex-config.jsonc, opencode.json",
            "work/cfg/opencode",
        ],
    );
    // The fix is a command that works as pasted: `$HOME`, not a `~` that double quotes
    // keep from expanding (found from the user's side).
    let fix = row["fix"][0].as_str().unwrap();
    assert!(
        fix.starts_with("export XDG_CONFIG_HOME=\"")
            && fix.contains("/work/cfg\" (an absolute path)")
            && !fix.contains("\"~"),
        "{fix}"
    );
    h.set("XDG_DATA_HOME", "data");
    let row = h.check("env.paths");
    expect(
        &row,
        "warn",
        &["XDG_DATA_HOME=\\\"data\\\" is not absolute"],
    );
    let fix = row["fix"][1].as_str().unwrap();
    assert!(
        fix.starts_with("export XDG_DATA_HOME=\"")
            && fix.contains("/work/data\"")
            && !fix.contains("\"~"),
        "{fix}"
    );
}

#[test]
fn env_paths_absolute_xdg_is_followed_everywhere() {
    let mut h = Home::healthy();
    let cfg = h.path("xdgcfg");
    let data = h.path("xdgdata");
    fs::create_dir_all(cfg.join("opencode")).unwrap();
    fs::rename(h.config_dir(), cfg.join("opencode")).unwrap();
    fs::rename(h.path(".local/share"), &data).unwrap();
    h.set("XDG_CONFIG_HOME", &cfg.display().to_string());
    h.set("XDG_DATA_HOME", &data.display().to_string());
    expect(
        &h.check("env.paths"),
        "pass",
        &["$XDG_CONFIG_HOME/opencode"],
    );
    expect(
        &h.check("auth.store"),
        "pass",
        &["xdgcfg/opencode/codex-accounts.json"],
    );
    expect(
        &h.check("auth.opencode"),
        "pass",
        &["xdgdata/opencode/auth.json"],
    );
}

#[test]
fn env_paths_home_missing() {
    let mut h = Home::empty();
    let gone = h.path("nowhere");
    h.set("HOME", &gone.display().to_string());
    expect(&h.check("env.paths"), "warn", &["does not exist"]);
    h.unset("HOME");
    expect(&h.check("env.paths"), "fail", &["HOME is not set"]);
    expect(
        &h.check("auth.store"),
        "skip",
        &["paths cannot be resolved"],
    );
}

fn fake_opencode(h: &Home, package_version: Option<&str>, script: &str) {
    let pkg = h.path("npm/lib/node_modules/opencode-ai");
    fs::create_dir_all(pkg.join("bin")).unwrap();
    if let Some(v) = package_version {
        fs::write(
            pkg.join("package.json"),
            format!("{{\"name\":\"opencode-ai\",\"version\":\"{v}\"}}"),
        )
        .unwrap();
    }
    let bin = pkg.join("bin/opencode");
    fs::write(&bin, script).unwrap();
    fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).unwrap();
    std::os::unix::fs::symlink(&bin, h.path("bin/opencode")).unwrap();
}

#[test]
fn opencode_missing_warns() {
    let h = Home::healthy();
    expect(
        &h.check("opencode.install"),
        "warn",
        &["no `opencode` on PATH", "npm install -g opencode-ai"],
    );
}

#[test]
fn opencode_version_from_package_json_without_running_it() {
    let h = Home::healthy();
    // The script would fail the test if run: it writes a marker.
    let marker = h.path("ran");
    fake_opencode(
        &h,
        Some("1.18.33"),
        &format!("#!/bin/sh\ntouch {}\n", marker.display()),
    );
    expect(
        &h.check("opencode.install"),
        "pass",
        &["opencode 1.18.33", "package.json"],
    );
    assert!(!marker.exists(), "opencode was started");
}

#[test]
fn opencode_version_from_command_when_no_package_json() {
    let mut h = Home::healthy();
    fake_opencode(&h, None, "#!/bin/sh\necho 0.9.1\n");
    h.set(
        "PATH",
        &format!("{}:/usr/bin:/bin", h.path("bin").display()),
    );
    expect(
        &h.check("opencode.install"),
        "pass",
        &["opencode 0.9.1", "opencode --version"],
    );
}

#[test]
fn a_native_binary_is_started_once_then_its_version_comes_from_the_cache() {
    let mut h = Home::healthy();
    let runs = h.path("runs");
    // A native binary alone on PATH (no package.json anywhere above it).
    let bin = h.path("bin/opencode");
    fs::write(
        &bin,
        format!("#!/bin/sh\necho x >> {}\necho 1.18.33\n", runs.display()),
    )
    .unwrap();
    fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).unwrap();
    h.set(
        "PATH",
        &format!("{}:/usr/bin:/bin", h.path("bin").display()),
    );
    let count = || {
        fs::read_to_string(&runs)
            .unwrap_or_default()
            .lines()
            .count()
    };
    expect(
        &h.check("opencode.install"),
        "pass",
        &["opencode 1.18.33", "opencode --version"],
    );
    assert_eq!(count(), 1);
    let cache = h.path(".cache/codex-doctor/opencode-version.json");
    assert!(cache.exists(), "the answer is remembered");
    expect(
        &h.check("opencode.install"),
        "pass",
        &["opencode 1.18.33", "the doctor's cache"],
    );
    assert_eq!(count(), 1, "the binary was not started again");
    // A changed binary (another size) is asked again; XDG_CACHE_HOME moves the cache.
    fs::write(
        &bin,
        format!(
            "#!/bin/sh\necho x >> {}\necho opencode 1.19.0\n",
            runs.display()
        ),
    )
    .unwrap();
    h.set("XDG_CACHE_HOME", &h.path("xdg-cache").display().to_string());
    expect(
        &h.check("opencode.install"),
        "pass",
        &["opencode 1.19.0", "opencode --version"],
    );
    assert_eq!(count(), 2);
    assert!(h
        .path("xdg-cache/codex-doctor/opencode-version.json")
        .exists());
}

#[test]
fn a_version_that_never_answers_is_abandoned_at_the_deadline() {
    let mut h = Home::healthy();
    let bin = h.path("bin/opencode");
    fs::write(&bin, "#!/bin/sh\nexec sleep 30\n").unwrap();
    fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).unwrap();
    h.set(
        "PATH",
        &format!("{}:/usr/bin:/bin", h.path("bin").display()),
    );
    expect(
        &h.check("opencode.install"),
        "pass",
        &["version unknown", "did not answer within 3 s"],
    );
    assert!(
        !h.path(".cache/codex-doctor/opencode-version.json").exists(),
        "no answer is not remembered"
    );
}

/// Found from the user's side: an `opencode` that fails or cannot run was "ok" with the
/// reason "did not answer within 3 s", a link to nothing was "not on PATH", a wrapper's
/// child outlived the deadline, and the probe left OpenCode's folders in the home.
#[test]
fn an_opencode_that_cannot_run_is_told_apart() {
    let mut h = Home::healthy();
    let bin = h.path("bin/opencode");
    h.set(
        "PATH",
        &format!("{}:/usr/bin:/bin", h.path("bin").display()),
    );
    fs::write(
        &bin,
        "#!/bin/sh\necho \"Error: something broke\" >&2\nexit 1\n",
    )
    .unwrap();
    fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).unwrap();
    expect(
        &h.check("opencode.install"),
        "warn",
        &[
            "does not run",
            "exited with status 1: Error: something broke",
            "Reinstall",
        ],
    );
    fs::write(&bin, b"\x7fELFgarbage").unwrap();
    expect(
        &h.check("opencode.install"),
        "warn",
        &["does not run", "cannot be executed"],
    );
    fs::remove_file(&bin).unwrap();
    std::os::unix::fs::symlink("/nonexistent/opencode", &bin).unwrap();
    expect(
        &h.check("opencode.install"),
        "warn",
        &[
            "is a symbolic link to /nonexistent/opencode, which does not exist",
            "rm ",
        ],
    );
    fs::remove_file(&bin).unwrap();
    // A wrapper whose child keeps the pipe open: the whole group goes at the deadline.
    let pidfile = h.path("child.pid");
    fs::write(
        &bin,
        format!(
            "#!/bin/sh\nsleep 37 &\necho $! > {}\nwait\n",
            pidfile.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).unwrap();
    expect(
        &h.check("opencode.install"),
        "pass",
        &["did not answer within 3 s"],
    );
    let pid = fs::read_to_string(&pidfile).unwrap().trim().to_string();
    let gone = (0..50).any(|_| {
        let alive =
            fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|st| !st.contains(") Z "));
        if alive {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        !alive
    });
    assert!(gone, "the wrapper's child {pid} outlived the probe");
    // What OpenCode creates when it starts goes to a scratch folder that is removed.
    fs::write(
        &bin,
        "#!/bin/sh\nmkdir -p \"$XDG_DATA_HOME/opencode/log\" \"$XDG_STATE_HOME/opencode\"\necho 1.2.3\n",
    )
    .unwrap();
    expect(&h.check("opencode.install"), "pass", &["opencode 1.2.3"]);
    assert!(!h.path(".local/share/opencode/log").exists());
    assert!(!h.path(".local/state/opencode").exists());
    assert!(!h.path(".cache/codex-doctor/opencode-probe").exists());
}

#[test]
fn install_files() {
    let h = Home::healthy();
    expect(
        &h.check("install.command"),
        "pass",
        &["create-personality.md present"],
    );
    expect(&h.check("install.skill"), "pass", &["SKILL.md present"]);
    h.remove(".config/opencode/commands");
    h.remove(".config/opencode/skills");
    expect(
        &h.check("install.command"),
        "warn",
        &["create-personality.md is missing"],
    );
    expect(&h.check("install.skill"), "warn", &["SKILL.md is missing"]);
}

#[test]
fn debug_pass_and_silently_ignored_values() {
    let mut h = Home::healthy();
    expect(&h.check("debug.env"), "pass", &["no debug features on"]);
    h.set("OPENCODE_OPENAI_MULTI_DEBUG", "true");
    h.set("CODEX_OAUTH_CALLBACK_TIMEOUT_MS", "5000");
    h.set("CODEX_OAUTH_HTTP_TIMEOUT_MS", "soon");
    h.set("OPENCODE_OPENAI_MULTI_HEADER_SNAPSHOTS", "enabled");
    let row = h.check("debug.env");
    expect(
        &row,
        "warn",
        &[
            "OPENCODE_OPENAI_MULTI_DEBUG=\\\"true\\\" does nothing",
            "export OPENCODE_OPENAI_MULTI_DEBUG=1",
            "CODEX_OAUTH_CALLBACK_TIMEOUT_MS=5000 is below its minimum 60000",
            "CODEX_OAUTH_HTTP_TIMEOUT_MS=\\\"soon\\\" is not a number",
            "OPENCODE_OPENAI_MULTI_HEADER_SNAPSHOTS=\\\"enabled\\\" is ignored",
        ],
    );
}

#[test]
fn debug_active_features_and_snapshot_bodies() {
    let mut h = Home::healthy();
    h.set("OPENCODE_OPENAI_MULTI_DEBUG", "1");
    h.write(
        ".config/opencode/logs/codex-plugin/live-headers.jsonl",
        "{}\n",
    );
    expect(
        &h.check("debug.env"),
        "pass",
        &["plugin debug logging", "log dir", "1 file(s)"],
    );
    h.set("OPENCODE_OPENAI_MULTI_HEADER_SNAPSHOTS", "1");
    h.set("OPENCODE_OPENAI_MULTI_HEADER_SNAPSHOT_BODIES", "on");
    expect(
        &h.check("debug.env"),
        "warn",
        &["prompts and tool output are written"],
    );
    h.set("OPENCODE_OPENAI_MULTI_SHAREABLE_DEBUG", "yes");
    // The fix names the variables that turned both on (found from the user's side: it
    // offered a file key, which cannot win over an environment variable).
    expect(
        &h.check("debug.env"),
        "warn",
        &[
            "shareable debug is also on",
            "unset OPENCODE_OPENAI_MULTI_HEADER_SNAPSHOTS (snapshots), or unset OPENCODE_OPENAI_MULTI_SHAREABLE_DEBUG",
        ],
    );
}

#[test]
fn port_free_then_busy_names_the_holder() {
    let h = Home::healthy();
    expect(&h.check("port.1455"), "pass", &["is free"]);
    let listener =
        std::net::TcpListener::bind(("127.0.0.1", h.port())).expect("bind the probe port");
    let row = h.check("port.1455");
    expect(
        &row,
        "fail",
        &["is taken on 127.0.0.1", "opencode auth login", "headless"],
    );
    assert!(
        row["summary"]
            .as_str()
            .unwrap()
            .contains(&std::process::id().to_string()),
        "holder named: {row:#}"
    );
    drop(listener);
}

/// Spawns `cmd`, retrying while the kernel says the script is busy (ETXTBSY): a child
/// forked by a sibling test thread while the script was being written holds a writable
/// descriptor to it until that child execs.
fn spawn_retrying_busy_text(cmd: &mut Command) -> std::process::Child {
    for _ in 0..50 {
        match cmd.spawn() {
            Err(e) if e.raw_os_error() == Some(26) => std::thread::sleep(Duration::from_millis(20)),
            other => return other.expect("spawn fake opencode"),
        }
    }
    cmd.spawn().expect("spawn fake opencode")
}

/// Whether `process.opencode` lists `pid`.
fn lists_pid(row: &serde_json::Value, pid: u32) -> bool {
    row["details"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d.as_str().unwrap().starts_with(&format!("pid {pid} (")))
}

#[test]
fn process_listing_and_stale_lock_while_running() {
    // The process table is the machine's: other OpenCode processes may come and go while
    // this runs (a developer's session, or a sibling test running `opencode --version`),
    // so this asserts on the fake one's pid, never on a count. The verdict for an empty
    // table is unit-tested in `checks::process`. The real process table, for once.
    let mut h = Home::healthy();
    h.set("CODEX_DOCTOR_PROC_ROOT", "/proc");
    let bin = h.path("bin/opencode");
    // `exec sleep` would rename the process; a shell loop keeps the name `opencode`.
    fs::write(
        &bin,
        "#!/bin/sh\ni=0\nwhile [ $i -lt 200 ]; do i=$((i+1)); sleep 0.1; done\n",
    )
    .unwrap();
    fs::set_permissions(&bin, fs::Permissions::from_mode(0o755)).unwrap();
    let mut child = spawn_retrying_busy_text(Command::new(&bin).stdout(Stdio::null()));
    let pid = child.id();
    std::thread::sleep(Duration::from_millis(100));
    let row = h.check("process.opencode");
    expect(&row, "pass", &["OpenCode process(es) running"]);
    assert!(lists_pid(&row, pid), "{row:#}");
    let d = h.path(".config/opencode/codex-accounts.json.lock.lock");
    fs::create_dir(&d).unwrap();
    codex_testkit::set_age(&d, 120);
    let row = h.check("process.opencode");
    expect(&row, "warn", &["running while a lock is stale"]);
    assert!(lists_pid(&row, pid), "{row:#}");
    assert!(
        row["details"].to_string().contains("stale lock "),
        "{row:#}"
    );
    let _ = child.kill();
    let _ = child.wait();
    fs::remove_dir(&d).unwrap();
    let row = h.check("process.opencode");
    assert_eq!(row["status"], "pass", "{row:#}");
    assert!(!lists_pid(&row, pid), "{row:#}");
}

#[test]
fn proxy_env_cases() {
    let mut h = Home::healthy();
    expect(
        &h.check("network.proxy-env"),
        "pass",
        &["no proxy variables set"],
    );
    h.set("HTTPS_PROXY", "http://user:pw@proxy.corp:3128");
    let row = h.check("network.proxy-env");
    expect(
        &row,
        "warn",
        &[
            "HTTPS_PROXY set but NO_PROXY does not cover 127.0.0.1 or localhost",
            "export NO_PROXY=\\\"127.0.0.1,localhost\\\"",
        ],
    );
    assert!(
        !row.to_string().contains("user:pw"),
        "proxy credentials never shown"
    );
    h.set("no_proxy", "localhost,127.0.0.1");
    expect(&h.check("network.proxy-env"), "pass", &["NO_PROXY covers"]);
}

/// A forward proxy on loopback that records each request line and refuses it.
fn refusing_proxy() -> (u16, std::sync::mpsc::Receiver<String>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut reader = BufReader::new(s.try_clone().expect("clone"));
            let mut first = String::new();
            let _ = reader.read_line(&mut first);
            let _ = tx.send(first.trim_end().to_string());
            let _ = s.write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
        }
    });
    (port, rx)
}

#[test]
fn online_reachability_goes_through_the_environment_s_proxy() {
    let (port, seen) = refusing_proxy();
    let mut h = Home::healthy();
    // Credentials in the variable never reach the report.
    h.set(
        "HTTPS_PROXY",
        &format!("http://user:pw-secret-1@127.0.0.1:{port}"),
    );
    h.set("NO_PROXY", "127.0.0.1,localhost");
    let run = h.run(&["--json", "--online", "--only", "network.reachability"]);
    let report = run.json();
    let row = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == "network.reachability")
        .expect("row")
        .clone();
    expect(
        &row,
        "fail",
        &[
            "auth.openai.com: no HTTPS answer through the proxy",
            "chatgpt.com: no HTTPS answer through the proxy",
        ],
    );
    assert!(
        row["details"].to_string().contains("HTTPS_PROXY"),
        "{row:#}"
    );
    assert!(!run.stdout.contains("pw-secret-1"), "{}", run.stdout);
    // The proxy was asked for both tunnels: nothing went out directly.
    let mut asked: Vec<String> = seen.try_iter().collect();
    asked.sort();
    assert_eq!(
        asked,
        [
            "CONNECT auth.openai.com:443 HTTP/1.1",
            "CONNECT chatgpt.com:443 HTTP/1.1"
        ]
    );
}

#[test]
fn reachability_is_skipped_offline() {
    let h = Home::healthy();
    expect(&h.check("network.reachability"), "skip", &["--online"]);
}
