//! `codex-runtime service install|uninstall|status`, through the real binary in a temp home.
//!
//! `systemctl` and `launchctl` are stand-in scripts on `PATH` that record their arguments and
//! answer like the real tools, so the tests see exactly which manager commands run. The
//! service files are compared with golden texts.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin;
use codex_testkit::{run, Run, TempHome};

/// A temp home with a `bin/` on `PATH` holding recording stand-ins for the managers.
struct Home {
    home: TempHome,
}

impl Home {
    fn new() -> Home {
        let home = TempHome::new();
        fs::create_dir_all(home.path("bin")).unwrap();
        Home { home }
    }

    /// Installs a stand-in `tool` that logs `tool args…` and exits with `code`, printing
    /// `first` for `is-active`.
    fn tool(&self, tool: &str, code: i32, first: &str) {
        let log = self.home.root().join("manager.log");
        let script = format!(
            "#!/bin/sh\necho \"{tool} $*\" >> '{}'\necho '{first}'\nexit {code}\n",
            log.display()
        );
        self.home.write_script(&format!("bin/{tool}"), &script);
    }

    fn log(&self) -> Vec<String> {
        fs::read_to_string(self.home.root().join("manager.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn run(&self, args: &[&str]) -> Run {
        run(self
            .home
            .command(cargo_bin("codex-runtime"))
            .env("PATH", self.home.path("bin"))
            .args(args))
    }

    fn unit(&self) -> PathBuf {
        self.home.path(".config/systemd/user/codex-runtime.service")
    }

    fn plist(&self) -> PathBuf {
        self.home
            .path("Library/LaunchAgents/dev.codex-kit.runtime.plist")
    }
}

const EXE: &str = "/opt/codex kit/bin/codex-runtime";

const UNIT: &str = r#"# Written by `codex-runtime service install`; `codex-runtime service uninstall` removes it.
[Unit]
Description=codex-runtime: rotating proxy from OpenCode to the Codex backend
Documentation=https://github.com/codex-kit/codex-kit/blob/main/docs/proxy.md
After=network-online.target
Wants=network-online.target
StartLimitIntervalSec=60
StartLimitBurst=5

[Service]
Type=simple
ExecStart="/opt/codex kit/bin/codex-runtime" "serve" "--listen" "127.0.0.1:11455" "--client-key-file" "/k/50%$HOME"
Restart=on-failure
RestartSec=2
TimeoutStopSec=35
KillSignal=SIGTERM
UMask=0077
NoNewPrivileges=yes
PrivateTmp=yes

[Install]
WantedBy=default.target
"#;

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn systemd_install_writes_the_golden_unit_and_starts_it() {
    let h = Home::new();
    h.tool("systemctl", 0, "active");
    let out = h.run(&[
        "service",
        "install",
        "--target",
        "systemd",
        "--exe",
        EXE,
        "--",
        "--client-key-file",
        "/k/50%$HOME",
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    // The key file does not exist: said at install time, not found in the journal later.
    assert!(
        out.stdout
            .contains("warning: the client key file /k/50%$HOME cannot be read"),
        "{}",
        out.stdout
    );
    // `%` and `$` are doubled so systemd expands neither.
    let want = UNIT.replace("/k/50%$HOME", "/k/50%%$$HOME");
    assert_eq!(fs::read_to_string(h.unit()).unwrap(), want);
    assert_eq!(mode(&h.unit()), 0o644);
    assert_eq!(
        h.log(),
        [
            "systemctl --user daemon-reload",
            "systemctl --user enable codex-runtime.service",
            "systemctl --user restart codex-runtime.service",
        ]
    );
    assert!(
        out.stdout.contains("started codex-runtime.service"),
        "{}",
        out.stdout
    );

    // Installing again changes nothing on disk and says so.
    let again = h.run(&[
        "service",
        "install",
        "--target",
        "systemd",
        "--exe",
        EXE,
        "--no-start",
        "--",
        "--client-key-file",
        "/k/50%$HOME",
    ]);
    assert_eq!(again.code, 0, "{again:?}");
    assert!(again.stdout.contains("is up to date"), "{}", again.stdout);
}

#[test]
fn systemd_unit_follows_an_absolute_xdg_config_home() {
    let h = Home::new();
    h.tool("systemctl", 0, "active");
    let xdg = h.home.root().join("xdg");
    let mut cmd = h.home.command(cargo_bin("codex-runtime"));
    cmd.env("XDG_CONFIG_HOME", &xdg)
        .env("PATH", h.home.path("bin"))
        .args([
            "service",
            "install",
            "--target",
            "systemd",
            "--exe",
            EXE,
            "--no-start",
        ]);
    let out = run(&mut cmd);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(xdg.join("systemd/user/codex-runtime.service").is_file());
    assert!(h.log().is_empty(), "--no-start runs no manager command");
}

#[test]
fn status_uninstall_and_a_stale_unit() {
    let h = Home::new();
    h.tool("systemctl", 0, "active");
    assert_eq!(
        h.run(&["service", "install", "--target", "systemd", "--exe", EXE])
            .code,
        0
    );

    let st = h.run(&["service", "status", "--target", "systemd", "--exe", EXE]);
    assert_eq!(st.code, 0, "{st:?}");
    assert!(st.stdout.contains("installed: "), "{}", st.stdout);
    assert!(st.stdout.contains("running (active)"), "{}", st.stdout);

    // Another binary path: the unit on disk is stale and status fails, naming the fix.
    let st = h.run(&[
        "service",
        "status",
        "--target",
        "systemd",
        "--exe",
        "/other/codex-runtime",
    ]);
    assert_eq!(st.code, 1, "{st:?}");
    assert!(
        st.stdout
            .contains("differs from what install would write now"),
        "{}",
        st.stdout
    );

    // Not running: status fails.
    h.tool("systemctl", 3, "inactive");
    let st = h.run(&["service", "status", "--target", "systemd", "--exe", EXE]);
    assert_eq!(st.code, 1, "{st:?}");
    assert!(
        st.stdout.contains("not running (inactive)"),
        "{}",
        st.stdout
    );

    h.tool("systemctl", 0, "");
    let un = h.run(&["service", "uninstall", "--target", "systemd"]);
    assert_eq!(un.code, 0, "{un:?}");
    assert!(!h.unit().exists());
    let log = h.log();
    assert!(
        log.contains(&"systemctl --user disable --now codex-runtime.service".to_string()),
        "{log:?}"
    );
    assert_eq!(
        log.last().map(String::as_str),
        Some("systemctl --user daemon-reload")
    );

    let st = h.run(&["service", "status", "--target", "systemd", "--exe", EXE]);
    assert_eq!(st.code, 1);
    assert!(st.stdout.contains("not installed"), "{}", st.stdout);
}

#[test]
fn a_unit_codex_runtime_did_not_write_is_left_alone() {
    let h = Home::new();
    h.tool("systemctl", 0, "active");
    fs::create_dir_all(h.unit().parent().unwrap()).unwrap();
    fs::write(h.unit(), "[Unit]\nDescription=my own\n").unwrap();
    let out = h.run(&["service", "install", "--target", "systemd", "--exe", EXE]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stderr.contains("was not written by codex-runtime"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("--force"), "{}", out.stderr);
    assert_eq!(
        fs::read_to_string(h.unit()).unwrap(),
        "[Unit]\nDescription=my own\n"
    );
    let out = h.run(&["service", "uninstall", "--target", "systemd"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(h.unit().exists());
    assert!(
        h.log().is_empty(),
        "nothing was asked of the manager: {:?}",
        h.log()
    );
}

#[test]
fn a_failing_manager_is_an_error_with_the_log_to_read() {
    let h = Home::new();
    h.tool("systemctl", 1, "Access denied");
    let out = h.run(&["service", "install", "--target", "systemd", "--exe", EXE]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(out.stderr.contains("Access denied"), "{}", out.stderr);
    assert!(
        out.stderr.contains("journalctl --user -u codex-runtime"),
        "{}",
        out.stderr
    );
    assert!(h.unit().is_file(), "the unit stays written");
}

/// WSL without systemd, a container, an SSH session without lingering: `systemctl --user`
/// has no manager to reach, and its log is not the place to look.
#[test]
fn no_user_manager_is_named_with_the_ways_out() {
    for message in [
        "Failed to connect to bus: No medium found",
        "Failed to connect to user scope bus via local transport: $DBUS_SESSION_BUS_ADDRESS and $XDG_RUNTIME_DIR not defined",
        "System has not been booted with systemd as init system (PID 1).",
    ] {
        let h = Home::new();
        h.tool("systemctl", 1, message);
        let out = h.run(&["service", "install", "--target", "systemd", "--exe", EXE]);
        assert_eq!(out.code, 1, "{out:?}");
        for want in ["no systemd user manager", "loginctl enable-linger", "/etc/wsl.conf", "codex-runtime serve"] {
            assert!(out.stderr.contains(want), "{want}: {}", out.stderr);
        }
        assert!(!out.stderr.contains("journalctl"), "{}", out.stderr);
        assert!(h.unit().is_file(), "the unit stays written");

        let st = h.run(&["service", "status", "--target", "systemd", "--exe", EXE]);
        assert_eq!(st.code, 1, "{st:?}");
        assert!(st.stdout.contains("no systemd user manager"), "{st:?}");
    }
}

#[test]
fn a_client_key_on_the_command_line_is_refused_and_nothing_is_written() {
    let h = Home::new();
    for key_arg in [
        &["--client-key", "ck_servicecanary"][..],
        &["--client-key=ck_servicecanary"][..],
    ] {
        let mut args = vec![
            "service", "install", "--target", "systemd", "--exe", EXE, "--",
        ];
        args.extend_from_slice(key_arg);
        let out = h.run(&args);
        assert_eq!(out.code, 1, "{out:?}");
        assert!(out.stderr.contains("--client-key-file"), "{}", out.stderr);
        assert!(!out.stderr.contains("ck_servicecanary"), "{}", out.stderr);
        assert!(!h.unit().exists(), "no unit file holds the key");
    }
}

#[test]
fn without_the_manager_the_file_is_written_and_the_commands_are_named() {
    let h = Home::new();
    let out = h.run(&["service", "install", "--target", "systemd", "--exe", EXE]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(h.unit().is_file());
    assert!(
        out.stdout.contains("systemctl was not found on PATH")
            && out.stdout.contains(
                "systemctl --user daemon-reload && systemctl --user enable codex-runtime.service"
            ),
        "{}",
        out.stdout
    );
}

#[test]
fn launchd_agent_is_golden_and_bootstrapped() {
    let h = Home::new();
    h.tool("launchctl", 0, "");
    let out = h.run(&[
        "service",
        "install",
        "--target",
        "launchd",
        "--exe",
        "/Applications/A&B/codex-runtime",
        "--listen",
        "127.0.0.1:11500",
    ]);
    assert_eq!(out.code, 0, "{out:?}");
    let home = h.home.home();
    let want = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by `codex-runtime service install`; `codex-runtime service uninstall` removes it. -->
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>dev.codex-kit.runtime</string>
  <key>ProgramArguments</key>
  <array>
    <string>/Applications/A&amp;B/codex-runtime</string>
    <string>serve</string>
    <string>--listen</string>
    <string>127.0.0.1:11500</string>
  </array>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <dict>
    <key>SuccessfulExit</key>
    <false/>
  </dict>
  <key>ThrottleInterval</key>
  <integer>10</integer>
  <key>ExitTimeOut</key>
  <integer>35</integer>
  <key>Umask</key>
  <integer>63</integer>
  <key>ProcessType</key>
  <string>Background</string>
  <key>StandardOutPath</key>
  <string>{home}/Library/Logs/codex-runtime.log</string>
  <key>StandardErrorPath</key>
  <string>{home}/Library/Logs/codex-runtime.log</string>
</dict>
</plist>
"#,
        home = home.display()
    );
    assert_eq!(fs::read_to_string(h.plist()).unwrap(), want);
    assert!(home.join("Library/Logs").is_dir());
    let log = h.log();
    assert_eq!(log.len(), 2, "{log:?}");
    assert!(
        log[0].starts_with("launchctl bootout gui/") && log[0].ends_with("/dev.codex-kit.runtime"),
        "{log:?}"
    );
    assert!(
        log[1].starts_with("launchctl bootstrap gui/")
            && log[1].ends_with("dev.codex-kit.runtime.plist"),
        "{log:?}"
    );

    let un = h.run(&["service", "uninstall", "--target", "launchd"]);
    assert_eq!(un.code, 0, "{un:?}");
    assert!(!h.plist().exists());
}

#[test]
fn status_without_options_shows_the_installed_ones_and_with_options_compares_them() {
    let h = Home::new();
    h.tool("systemctl", 0, "active");
    let inst = h.run(&[
        "service",
        "install",
        "--target",
        "systemd",
        "--exe",
        EXE,
        "--listen",
        "127.0.0.1:11500",
        "--",
        "--client-key-file",
        "/k/50%$HOME \"q\"",
    ]);
    assert_eq!(inst.code, 0, "{inst:?}");

    // No options: the unit is current, and the options it runs with are shown.
    let st = h.run(&["service", "status", "--target", "systemd", "--exe", EXE]);
    assert_eq!(st.code, 0, "{st:?}");
    assert!(st.stdout.contains("installed: "), "{}", st.stdout);
    assert!(
        st.stdout
            .contains("runs: serve --listen 127.0.0.1:11500 --client-key-file /k/50%$HOME \"q\""),
        "{}",
        st.stdout
    );

    // The same options: current. Other options: stale, and status says so.
    let same = h.run(&[
        "service",
        "status",
        "--target",
        "systemd",
        "--exe",
        EXE,
        "--listen",
        "127.0.0.1:11500",
        "--",
        "--client-key-file",
        "/k/50%$HOME \"q\"",
    ]);
    assert_eq!(same.code, 0, "{same:?}");
    let other = h.run(&[
        "service",
        "status",
        "--target",
        "systemd",
        "--exe",
        EXE,
        "--listen",
        "127.0.0.1:11600",
    ]);
    assert_eq!(other.code, 1, "{other:?}");
    assert!(
        other.stdout.contains("other serve options"),
        "{}",
        other.stdout
    );

    // A unit whose template is not what install writes now is stale even without options.
    let text = fs::read_to_string(h.unit()).unwrap();
    fs::write(h.unit(), text.replace("RestartSec=2", "RestartSec=9")).unwrap();
    let st = h.run(&["service", "status", "--target", "systemd", "--exe", EXE]);
    assert_eq!(st.code, 1, "{st:?}");
    assert!(st.stdout.contains("an older template"), "{}", st.stdout);
}

#[test]
fn launchd_status_tells_loaded_from_running() {
    let h = Home::new();
    h.tool("launchctl", 0, "");
    let exe = "/Applications/A&B/codex-runtime";
    let inst = h.run(&[
        "service",
        "install",
        "--target",
        "launchd",
        "--exe",
        exe,
        "--",
        "--client-key-file",
        "/k/<key>",
    ]);
    assert_eq!(inst.code, 0, "{inst:?}");

    // `launchctl print` of a running job.
    h.tool(
        "launchctl",
        0,
        "gui/501/dev.codex-kit.runtime = {\n\tactive count = 1\n\tstate = running\n\tpid = 4242\n}",
    );
    let st = h.run(&["service", "status", "--target", "launchd", "--exe", exe]);
    assert_eq!(st.code, 0, "{st:?}");
    assert!(st.stdout.contains("running (pid 4242)"), "{}", st.stdout);
    assert!(
        st.stdout
            .contains("runs: serve --listen 127.0.0.1:11455 --client-key-file /k/<key>"),
        "{}",
        st.stdout
    );

    // Loaded, but it exited (launchctl print still succeeds).
    h.tool(
        "launchctl",
        0,
        "gui/501/dev.codex-kit.runtime = {\n\tstate = not running\n\tlast exit code = 1\n}",
    );
    let st = h.run(&["service", "status", "--target", "launchd", "--exe", exe]);
    assert_eq!(st.code, 1, "{st:?}");
    assert!(
        st.stdout
            .contains("loaded but not running (state = not running)"),
        "{}",
        st.stdout
    );
}
