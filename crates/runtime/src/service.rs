//! `codex-runtime service install|uninstall|status`: `serve` as a per-user service.
//!
//! On Linux the service is a systemd user unit (`$XDG_CONFIG_HOME/systemd/user`, else
//! `~/.config/systemd/user`, `codex-runtime.service`); on macOS a launchd agent
//! (`~/Library/LaunchAgents/dev.codex-kit.runtime.plist`, logs in `~/Library/Logs`). The file
//! is rendered here as a pure function of the binary's path and the `serve` arguments, so it
//! can be golden-tested on any platform (`--target`). Installing writes the file (0644,
//! through a temp file and a rename) and asks the service manager to load and start it;
//! uninstalling stops it and removes the file; status compares the file with what install
//! would write now and asks the manager whether it runs. A file that codex-runtime did not
//! write (no marker line) is never overwritten or removed. No secret goes into the file:
//! `serve` on loopback needs none, and a client key belongs in `--client-key-file`.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use codex_env::{env_vars, EnvSnapshot};

use crate::error::RuntimeError;

/// The first line of every file this module writes; what makes a file ours.
pub(crate) const MARKER: &str = "Written by `codex-runtime service install`";

/// The launchd label (and the plist's base name).
pub(crate) const LAUNCHD_LABEL: &str = "dev.codex-kit.runtime";

/// The systemd unit's name.
pub(crate) const SYSTEMD_UNIT: &str = "codex-runtime.service";

/// Which service manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// A systemd user unit (Linux).
    Systemd,
    /// A launchd agent (macOS).
    Launchd,
}

impl Target {
    /// The manager of the platform this binary was built for.
    pub fn native() -> Option<Target> {
        if cfg!(target_os = "macos") {
            Some(Target::Launchd)
        } else if cfg!(target_os = "linux") {
            Some(Target::Systemd)
        } else {
            None
        }
    }

    /// The manager's command-line tool.
    pub fn tool(self) -> &'static str {
        match self {
            Target::Systemd => "systemctl",
            Target::Launchd => "launchctl",
        }
    }
}

/// What the service runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Spec {
    /// The `codex-runtime` binary.
    pub exe: PathBuf,
    /// The arguments after the binary (`serve …`).
    pub args: Vec<String>,
}

/// Where the service file goes.
pub(crate) fn file_path(target: Target, env: &EnvSnapshot) -> Result<PathBuf, RuntimeError> {
    let home = env
        .non_blank(env_vars::HOME)
        .map(PathBuf::from)
        .ok_or_else(|| {
            RuntimeError::user("HOME is not set, so there is no per-user service directory")
        })?;
    Ok(match target {
        Target::Systemd => {
            let config = env
                .non_blank(env_vars::XDG_CONFIG_HOME)
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .unwrap_or_else(|| home.join(".config"));
            config.join("systemd/user").join(SYSTEMD_UNIT)
        }
        Target::Launchd => home
            .join("Library/LaunchAgents")
            .join(format!("{LAUNCHD_LABEL}.plist")),
    })
}

/// The service file's text.
pub(crate) fn render(target: Target, spec: &Spec, home: &Path) -> String {
    match target {
        Target::Systemd => render_systemd(spec),
        Target::Launchd => render_launchd(spec, home),
    }
}

/// One `ExecStart` word, quoted for systemd: `"…"` with `\` and `"` escaped, `%` and `$`
/// doubled so neither specifiers nor variables are expanded.
fn systemd_word(w: &str) -> String {
    let mut out = String::with_capacity(w.len() + 2);
    out.push('"');
    for c in w.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '%' => out.push_str("%%"),
            '$' => out.push_str("$$"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn render_systemd(spec: &Spec) -> String {
    let exec: Vec<String> = std::iter::once(spec.exe.to_string_lossy().into_owned())
        .chain(spec.args.iter().cloned())
        .map(|w| systemd_word(&w))
        .collect();
    format!(
        "# {MARKER}; `codex-runtime service uninstall` removes it.\n\
         [Unit]\n\
         Description=codex-runtime: rotating proxy from OpenCode to the Codex backend\n\
         Documentation=https://github.com/codex-kit/codex-kit/blob/main/docs/proxy.md\n\
         After=network-online.target\n\
         Wants=network-online.target\n\
         StartLimitIntervalSec=60\n\
         StartLimitBurst=5\n\
         \n\
         [Service]\n\
         Type=simple\n\
         ExecStart={}\n\
         Restart=on-failure\n\
         RestartSec=2\n\
         TimeoutStopSec=35\n\
         KillSignal=SIGTERM\n\
         UMask=0077\n\
         NoNewPrivileges=yes\n\
         PrivateTmp=yes\n\
         \n\
         [Install]\n\
         WantedBy=default.target\n",
        exec.join(" ")
    )
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn render_launchd(spec: &Spec, home: &Path) -> String {
    let mut args = format!(
        "    <string>{}</string>\n",
        xml(&spec.exe.to_string_lossy())
    );
    for a in &spec.args {
        args.push_str(&format!("    <string>{}</string>\n", xml(a)));
    }
    let log = xml(&home
        .join("Library/Logs/codex-runtime.log")
        .to_string_lossy());
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!-- {MARKER}; `codex-runtime service uninstall` removes it. -->\n\
         <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
         <plist version=\"1.0\">\n\
         <dict>\n\
         \x20 <key>Label</key>\n\
         \x20 <string>{LAUNCHD_LABEL}</string>\n\
         \x20 <key>ProgramArguments</key>\n\
         \x20 <array>\n\
         {args}\
         \x20 </array>\n\
         \x20 <key>RunAtLoad</key>\n\
         \x20 <true/>\n\
         \x20 <key>KeepAlive</key>\n\
         \x20 <dict>\n\
         \x20   <key>SuccessfulExit</key>\n\
         \x20   <false/>\n\
         \x20 </dict>\n\
         \x20 <key>ThrottleInterval</key>\n\
         \x20 <integer>10</integer>\n\
         \x20 <key>ExitTimeOut</key>\n\
         \x20 <integer>35</integer>\n\
         \x20 <key>Umask</key>\n\
         \x20 <integer>63</integer>\n\
         \x20 <key>ProcessType</key>\n\
         \x20 <string>Background</string>\n\
         \x20 <key>StandardOutPath</key>\n\
         \x20 <string>{log}</string>\n\
         \x20 <key>StandardErrorPath</key>\n\
         \x20 <string>{log}</string>\n\
         </dict>\n\
         </plist>\n"
    )
}

/// A service-manager command, as run (or as the user should run it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ManagerCall {
    /// The words.
    pub argv: Vec<String>,
    /// Its outcome: `None` when the tool is not on `PATH`, else whether it exited 0 and
    /// its first line of output.
    pub outcome: Option<(bool, String)>,
    /// Its whole output (stdout, else stderr); empty when it did not run.
    pub output: String,
}

impl ManagerCall {
    /// The command as one line.
    pub(crate) fn line(&self) -> String {
        self.argv.join(" ")
    }
}

/// What `install`, `uninstall` or `status` found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Report {
    /// The manager.
    pub target: Target,
    /// The service file.
    pub path: PathBuf,
    /// One line per fact or change.
    pub lines: Vec<String>,
    /// The manager commands, in order.
    pub calls: Vec<ManagerCall>,
}

/// Runs `tool args…` found on `PATH` (from `env`), with a cleared stdin.
/// What to do where `systemctl --user` has no user manager to talk to (WSL without systemd,
/// a container, an SSH session of a user without lingering).
const NO_USER_MANAGER: &str = "this session has no systemd user manager (systemctl --user cannot reach it): on WSL, add `systemd=true` under `[boot]` in /etc/wsl.conf and run `wsl --shutdown`; over SSH or on a server, run `sudo loginctl enable-linger $USER` and log in again; without systemd, run `codex-runtime serve` yourself (in tmux or a terminal)";

/// Whether `systemctl --user` failed because there is no user manager or bus to reach.
fn no_user_manager(output: &str) -> bool {
    [
        "Failed to connect to bus",
        "Failed to connect to user scope bus",
        "No medium found",
        "$DBUS_SESSION_BUS_ADDRESS",
        "XDG_RUNTIME_DIR",
        "System has not been booted with systemd",
    ]
    .iter()
    .any(|m| output.contains(m))
}

fn call(env: &EnvSnapshot, tool: &str, args: &[&str]) -> ManagerCall {
    let argv: Vec<String> = std::iter::once(tool)
        .chain(args.iter().copied())
        .map(str::to_string)
        .collect();
    let path = env.get(env_vars::PATH).unwrap_or_default();
    let exe = std::env::split_paths(path)
        .map(|d| d.join(tool))
        .find(|p| p.is_file());
    let Some(exe) = exe else {
        return ManagerCall {
            argv,
            outcome: None,
            output: String::new(),
        };
    };
    let (outcome, output) = Command::new(exe)
        .args(args)
        .stdin(std::process::Stdio::null())
        .output()
        .map(|o| {
            let text = if o.stdout.is_empty() {
                &o.stderr
            } else {
                &o.stdout
            };
            let text = String::from_utf8_lossy(text).into_owned();
            let first = text.lines().next().unwrap_or_default().trim().to_string();
            ((o.status.success(), first), text)
        })
        .unwrap_or_else(|e| ((false, e.to_string()), String::new()));
    ManagerCall {
        argv,
        outcome: Some(outcome),
        output,
    }
}

/// launchd's per-user domain, `gui/<uid>`.
fn gui_domain() -> String {
    format!("gui/{}", rustix::process::getuid().as_raw())
}

fn ours(text: &str) -> bool {
    text.lines().take(3).any(|l| l.contains(MARKER))
}

/// `serve` arguments as `status` shows them: a client key given on the command line (which
/// `install` refuses, but a hand-made or older file may hold) is masked.
fn shown_args(args: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len());
    let mut key_next = false;
    for a in args {
        if key_next {
            out.push("***".to_string());
            key_next = false;
        } else if a == "--client-key" {
            out.push(a.clone());
            key_next = true;
        } else if a.starts_with("--client-key=") {
            out.push("--client-key=***".to_string());
        } else {
            out.push(a.clone());
        }
    }
    out
}

/// The words a file this module wrote starts: the binary, then its arguments (systemd's
/// `ExecStart` words or launchd's `ProgramArguments` strings, unquoted). `None` when the text
/// does not have the shape [`render`] writes.
fn installed_words(target: Target, text: &str) -> Option<Vec<String>> {
    match target {
        Target::Systemd => {
            let line = text.lines().find_map(|l| l.strip_prefix("ExecStart="))?;
            systemd_words(line)
        }
        Target::Launchd => {
            let rest = text.split_once("<key>ProgramArguments</key>")?.1;
            let array = rest.split_once("<array>")?.1.split_once("</array>")?.0;
            // Strings may hold newlines: scan tags, not lines.
            let mut words = Vec::new();
            let mut rest = array.trim_start();
            while !rest.is_empty() {
                let (word, after) = rest.strip_prefix("<string>")?.split_once("</string>")?;
                words.push(unxml(word));
                rest = after.trim_start();
            }
            Some(words)
        }
    }
}

/// The inverse of [`systemd_word`] over a whole `ExecStart` line.
fn systemd_words(line: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        match chars.next() {
            None => return Some(words),
            Some('"') => {}
            Some(_) => return None,
        }
        let mut w = String::new();
        loop {
            match chars.next()? {
                '"' => break,
                '\\' => match chars.next()? {
                    'n' => w.push('\n'),
                    c => w.push(c),
                },
                c @ ('%' | '$') => {
                    if chars.next()? != c {
                        return None;
                    }
                    w.push(c);
                }
                c => w.push(c),
            }
        }
        words.push(w);
    }
}

fn unxml(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Writes `text` to `path` through a temp file and a rename, mode 0644.
fn write_file(path: &Path, text: &str) -> Result<(), RuntimeError> {
    use std::os::unix::fs::OpenOptionsExt;
    let dir = path
        .parent()
        .ok_or_else(|| RuntimeError::user(format!("{} has no parent directory", path.display())))?;
    fs::create_dir_all(dir)
        .map_err(|e| RuntimeError::user(format!("cannot create {}: {e}", dir.display())))?;
    let tmp = dir.join(format!(
        ".{}.tmp.{}",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        std::process::id()
    ));
    let write = || -> std::io::Result<()> {
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o644)
            .open(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&tmp);
        RuntimeError::user(format!("cannot write {}: {e}", path.display()))
    })
}

/// Reads the existing service file: `Ok(None)` when missing.
fn existing(path: &Path) -> Result<Option<String>, RuntimeError> {
    match fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(RuntimeError::user(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

fn not_ours(path: &Path) -> RuntimeError {
    RuntimeError::user(format!(
        "{} exists and was not written by codex-runtime; it is left as it is",
        path.display()
    ))
    .hint("move it away yourself, or pass --force to replace it")
}

fn home_of(env: &EnvSnapshot) -> PathBuf {
    env.non_blank(env_vars::HOME)
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// Writes the service file and loads and starts it (unless `start` is false).
pub(crate) fn install(
    target: Target,
    spec: &Spec,
    env: &EnvSnapshot,
    force: bool,
    start: bool,
) -> Result<Report, RuntimeError> {
    let path = file_path(target, env)?;
    let text = render(target, spec, &home_of(env));
    let mut lines = Vec::new();
    match existing(&path)? {
        Some(old) if !ours(&old) && !force => return Err(not_ours(&path)),
        Some(old) if old == text => lines.push(format!("{} is up to date", path.display())),
        Some(_) => {
            write_file(&path, &text)?;
            lines.push(format!("updated {}", path.display()));
        }
        None => {
            write_file(&path, &text)?;
            lines.push(format!("wrote {}", path.display()));
        }
    }
    if target == Target::Launchd {
        let logs = home_of(env).join("Library/Logs");
        fs::create_dir_all(&logs)
            .map_err(|e| RuntimeError::user(format!("cannot create {}: {e}", logs.display())))?;
    }
    let mut calls = Vec::new();
    if start {
        let plist = path.to_string_lossy().into_owned();
        let domain = gui_domain();
        let service = format!("{domain}/{LAUNCHD_LABEL}");
        let steps: Vec<Vec<&str>> = match target {
            Target::Systemd => vec![
                vec!["--user", "daemon-reload"],
                vec!["--user", "enable", SYSTEMD_UNIT],
                vec!["--user", "restart", SYSTEMD_UNIT],
            ],
            // bootout first so a changed plist is reloaded; it fails harmlessly when absent.
            Target::Launchd => vec![
                vec!["bootout", &service],
                vec!["bootstrap", &domain, &plist],
            ],
        };
        for (i, args) in steps.iter().enumerate() {
            let c = call(env, target.tool(), args);
            let missing = c.outcome.is_none();
            let failed = matches!(c.outcome, Some((false, _)));
            calls.push(c);
            if missing {
                break;
            }
            let tolerated = target == Target::Launchd && i == 0;
            if failed && !tolerated {
                let last = calls.last().cloned();
                let detail = last
                    .as_ref()
                    .and_then(|c| c.outcome.as_ref())
                    .map(|(_, l)| l.clone())
                    .unwrap_or_default();
                let hint = if target == Target::Systemd && no_user_manager(&detail) {
                    NO_USER_MANAGER.to_string()
                } else {
                    format!(
                        "run `codex-runtime service status`, and see the manager's log ({})",
                        match target {
                            Target::Systemd => "journalctl --user -u codex-runtime",
                            Target::Launchd => "~/Library/Logs/codex-runtime.log",
                        }
                    )
                };
                return Err(RuntimeError::user(format!(
                    "the service file is written, but `{}` failed: {detail}",
                    last.map(|c| c.line()).unwrap_or_default()
                ))
                .hint(hint));
            }
        }
        if calls.iter().any(|c| c.outcome.is_none()) {
            lines.push(format!(
                "{} was not found on PATH, so the service was not started; run: {}",
                target.tool(),
                steps
                    .iter()
                    .map(|a| format!("{} {}", target.tool(), a.join(" ")))
                    .collect::<Vec<_>>()
                    .join(" && ")
            ));
        } else {
            lines.push(format!("started {}", service_name(target)));
        }
    }
    Ok(Report {
        target,
        path,
        lines,
        calls,
    })
}

fn service_name(target: Target) -> &'static str {
    match target {
        Target::Systemd => SYSTEMD_UNIT,
        Target::Launchd => LAUNCHD_LABEL,
    }
}

/// Stops and unloads the service and removes its file.
pub(crate) fn uninstall(
    target: Target,
    env: &EnvSnapshot,
    force: bool,
) -> Result<Report, RuntimeError> {
    let path = file_path(target, env)?;
    let mut lines = Vec::new();
    let mut calls = Vec::new();
    let old = existing(&path)?;
    if let Some(old) = &old {
        if !ours(old) && !force {
            return Err(not_ours(&path));
        }
    }
    let domain = gui_domain();
    let service = format!("{domain}/{LAUNCHD_LABEL}");
    let steps: Vec<Vec<&str>> = match target {
        Target::Systemd => vec![vec!["--user", "disable", "--now", SYSTEMD_UNIT]],
        Target::Launchd => vec![vec!["bootout", &service]],
    };
    for args in &steps {
        calls.push(call(env, target.tool(), args));
    }
    match old {
        Some(_) => {
            fs::remove_file(&path).map_err(|e| {
                RuntimeError::user(format!("cannot remove {}: {e}", path.display()))
            })?;
            lines.push(format!("removed {}", path.display()));
        }
        None => lines.push(format!("{} was not installed", path.display())),
    }
    if target == Target::Systemd {
        calls.push(call(env, target.tool(), &["--user", "daemon-reload"]));
    }
    Ok(Report {
        target,
        path,
        lines,
        calls,
    })
}

/// Whether the file is there and current, and whether the manager runs the service. With
/// `args_given` the file is compared with what `install` would write for `spec`; without,
/// only its binary is compared, and the `serve` options it was installed with are shown.
pub(crate) fn status(
    target: Target,
    spec: &Spec,
    args_given: bool,
    env: &EnvSnapshot,
) -> Result<(Report, bool), RuntimeError> {
    let path = file_path(target, env)?;
    let home = home_of(env);
    let mut lines = Vec::new();
    let mut healthy = true;
    match existing(&path)? {
        None => {
            healthy = false;
            lines.push(format!(
                "not installed ({} does not exist); run `codex-runtime service install`",
                path.display()
            ));
        }
        Some(t) if !ours(&t) => {
            healthy = false;
            lines.push(format!(
                "{} exists but was not written by codex-runtime",
                path.display()
            ));
        }
        Some(t) => {
            let installed = installed_words(target, &t);
            let same_exe = installed
                .as_ref()
                .and_then(|w| w.first())
                .is_some_and(|e| Path::new(e) == spec.exe);
            let want = match (&installed, args_given) {
                (Some(words), false) if same_exe => render(
                    target,
                    &Spec {
                        exe: spec.exe.clone(),
                        args: words[1..].to_vec(),
                    },
                    &home,
                ),
                _ => render(target, spec, &home),
            };
            if t == want {
                lines.push(format!("installed: {}", path.display()));
                if let Some(words) = installed.filter(|_| !args_given) {
                    lines.push(format!("runs: {}", shown_args(&words[1..]).join(" ")));
                }
            } else {
                healthy = false;
                let why = if !same_exe {
                    "another binary path"
                } else if args_given {
                    "other serve options, or an older template"
                } else {
                    "an older template"
                };
                lines.push(format!(
                    "{} differs from what install would write now ({why}); run `codex-runtime service install` to update it",
                    path.display()
                ));
            }
        }
    }
    let c = match target {
        Target::Systemd => call(env, "systemctl", &["--user", "is-active", SYSTEMD_UNIT]),
        Target::Launchd => call(
            env,
            "launchctl",
            &["print", &format!("{}/{LAUNCHD_LABEL}", gui_domain())],
        ),
    };
    match &c.outcome {
        None => lines.push(format!(
            "{} not found on PATH: cannot tell whether it runs",
            target.tool()
        )),
        Some((true, first)) if target == Target::Systemd => {
            lines.push(format!("running ({first})"))
        }
        Some((true, _)) => {
            // `launchctl print` succeeds for any loaded job; its `state` says whether it runs.
            let field = |name: &str| {
                c.output.lines().find_map(|l| {
                    let (k, v) = l.trim().split_once(" = ")?;
                    (k == name).then(|| v.trim().to_string())
                })
            };
            match (field("state"), field("pid")) {
                (Some(s), Some(pid)) if s == "running" => {
                    lines.push(format!("running (pid {pid})"))
                }
                (Some(s), None) if s == "running" => lines.push("running".to_string()),
                (Some(s), _) => {
                    healthy = false;
                    lines.push(format!(
                        "loaded but not running (state = {s}); see ~/Library/Logs/codex-runtime.log"
                    ));
                }
                (None, _) => {
                    healthy = false;
                    lines.push(
                        "loaded, but launchctl print shows no state: cannot tell whether it runs"
                            .to_string(),
                    );
                }
            }
        }
        Some((false, first)) => {
            healthy = false;
            lines.push(format!("not running ({first})"));
            if target == Target::Systemd && no_user_manager(&c.output) {
                lines.push(NO_USER_MANAGER.to_string());
            }
        }
    }
    Ok((
        Report {
            target,
            path,
            lines,
            calls: vec![c],
        },
        healthy,
    ))
}

/// The report as text: one line per fact, then the manager commands that ran.
pub(crate) fn render_report(r: &Report) -> String {
    let mut out = String::new();
    for l in &r.lines {
        out.push_str(l);
        out.push('\n');
    }
    for c in &r.calls {
        let result = match &c.outcome {
            None => "not found".to_string(),
            Some((true, _)) => "ok".to_string(),
            Some((false, first)) if first.is_empty() => "failed".to_string(),
            Some((false, first)) => format!("failed: {first}"),
        };
        out.push_str(&format!("  $ {}  ({result})\n", c.line()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn systemd_words_are_quoted_against_specifiers_and_variables() {
        assert_eq!(systemd_word("a b"), "\"a b\"");
        assert_eq!(systemd_word("50%$HOME\"\\"), "\"50%%$$HOME\\\"\\\\\"");
    }

    #[test]
    fn a_client_key_in_the_installed_arguments_is_masked() {
        let args: Vec<String> = ["serve", "--client-key", "k-123", "--client-key=k-456", "-v"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            shown_args(&args),
            ["serve", "--client-key", "***", "--client-key=***", "-v"]
        );
    }

    #[test]
    fn installed_words_invert_both_renderings() {
        let words = [
            "/opt/a&b/<codex runtime>",
            "serve",
            "--client-key-file",
            "/k/50%$HOME \"q\" \\x\nnext",
            "",
        ];
        let spec = Spec {
            exe: PathBuf::from(words[0]),
            args: words[1..].iter().map(|w| w.to_string()).collect(),
        };
        for target in [Target::Systemd, Target::Launchd] {
            let text = render(target, &spec, Path::new("/Users/x"));
            assert_eq!(
                installed_words(target, &text),
                Some(words.iter().map(|w| w.to_string()).collect()),
                "{target:?}"
            );
        }
        assert_eq!(systemd_words("\"a\" b"), None, "unquoted word");
        assert_eq!(systemd_words("\"50%\""), None, "a lone % is not ours");
        assert_eq!(installed_words(Target::Launchd, "<plist></plist>"), None);
    }

    #[test]
    fn plist_strings_are_escaped() {
        let spec = Spec {
            exe: PathBuf::from("/opt/a&b/<codex-runtime>"),
            args: vec!["serve".into()],
        };
        let t = render(Target::Launchd, &spec, Path::new("/Users/x"));
        assert!(
            t.contains("<string>/opt/a&amp;b/&lt;codex-runtime&gt;</string>"),
            "{t}"
        );
    }

    #[test]
    fn only_marked_files_are_ours() {
        let spec = Spec {
            exe: PathBuf::from("/bin/codex-runtime"),
            args: vec![],
        };
        assert!(ours(&render(Target::Systemd, &spec, Path::new("/h"))));
        assert!(ours(&render(Target::Launchd, &spec, Path::new("/h"))));
        assert!(!ours("[Unit]\nDescription=mine\n"));
    }
}
