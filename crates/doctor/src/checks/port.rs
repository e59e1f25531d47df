//! `port.1455`: can the plugin bind its OAuth callback port?
//!
//! Login binds 1455 on localhost and does not retry on "address in use", so a busy port makes
//! `opencode auth login` fail. The probe binds 127.0.0.1 and ::1 itself and releases them at
//! once; on Linux the holder is named from `/proc/net/tcp*` and `/proc/<pid>/fd`.

use std::fs;

use super::CheckDef;
use crate::facts::{Facts, PortState};
use crate::report::CheckResult;

/// `port.1455`.
pub const LOGIN_PORT: CheckDef = CheckDef {
    id: "port.1455",
    title: "Login callback port",
    about: "Whether the OAuth callback port 1455 is free on 127.0.0.1 and ::1.",
    run,
};

fn run(f: &Facts) -> CheckResult {
    let port = f.options.login_port;
    match f.port() {
        PortState::Free { probed } => CheckResult::pass(format!("port {port} is free"))
            .detail(format!("probed {}", probed.join(", "))),
        PortState::Busy { addrs, holders } => {
            let who = if holders.is_empty() {
                "a process the OS does not name (another user's, or in another namespace)"
                    .to_string()
            } else {
                holders.join(", ")
            };
            let mut r = CheckResult::fail(format!(
                "port {port} is taken on {} by {who}; `opencode auth login` will fail",
                addrs.join(" and ")
            ));
            r = r.fix("Finish or cancel the other login flow (another OpenCode or Codex CLI `auth login`), then retry");
            if let Some(pid) = holders.first().and_then(|h| h.split_whitespace().next()) {
                r = r.fix(format!("Or stop the holder: kill {pid}"));
            } else {
                r = r.fix(format!("Find the holder with `ss -ltnp 'sport = :{port}'` or `lsof -iTCP:{port} -sTCP:LISTEN`"));
            }
            r.fix("Or log in without the callback server: `opencode auth login` and choose \"ChatGPT Pro/Plus (headless)\"")
        }
        PortState::Unknown(e) => CheckResult::warn(format!("could not probe port {port}: {e}")),
    }
}

/// Names the processes listening on `port` (`"1234 node"`), where `/proc` tells.
pub fn holders(port: u16) -> Vec<String> {
    let mut inodes = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            if cols.len() < 10 {
                continue;
            }
            let local_port = cols[1]
                .rsplit(':')
                .next()
                .and_then(|h| u16::from_str_radix(h, 16).ok());
            // State 0A = LISTEN.
            if local_port == Some(port) && cols[3] == "0A" {
                inodes.push(format!("socket:[{}]", cols[9]));
            }
        }
    }
    if inodes.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let Ok(procs) = fs::read_dir("/proc") else {
        return out;
    };
    for p in procs.filter_map(Result::ok) {
        let name = p.file_name().to_string_lossy().into_owned();
        let Ok(pid) = name.parse::<u32>() else {
            continue;
        };
        let Ok(fds) = fs::read_dir(p.path().join("fd")) else {
            continue;
        };
        let holds = fds.filter_map(Result::ok).any(|fd| {
            fs::read_link(fd.path())
                .map(|l| inodes.iter().any(|i| l.as_os_str() == i.as_str()))
                .unwrap_or(false)
        });
        if holds {
            let comm = fs::read_to_string(p.path().join("comm")).unwrap_or_default();
            out.push(format!("{pid} {}", comm.trim()));
        }
    }
    out.sort();
    out.dedup();
    out
}
