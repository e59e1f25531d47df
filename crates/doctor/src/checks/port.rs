//! `port.1455`: can the plugin bind its OAuth callback port?
//!
//! Login binds 1455 on localhost and does not retry on "address in use", so a busy port makes
//! `opencode auth login` fail. The probe binds 127.0.0.1 and ::1 itself and releases them at
//! once; on Linux the holder is named from `/proc/net/tcp*` and `/proc/<pid>/fd` (the probe
//! is `crate::probes::port_holders`, run by the facts).

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
