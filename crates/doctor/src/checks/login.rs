//! `login.environment`: can the browser login (`opencode auth login` → "ChatGPT Pro/Plus
//! (browser)") finish here, and if not, what exactly to do instead?
//!
//! The browser flow opens `auth.openai.com` in a browser and waits for the redirect to
//! `http://localhost:1455/auth/callback` on the machine running OpenCode (reference 9.3). That
//! redirect only arrives when the browser runs on the same machine (or reaches it through a
//! forwarded port): over SSH it needs `ssh -L 1455:localhost:1455`; inside a container the
//! callback binds the container's own loopback, which a browser outside cannot reach; with no
//! display and no opener there is no browser to open. The device ("headless") flow needs none
//! of this. The facts (`crate::probes::login_env`) say where the doctor runs.

use super::{problem, CheckDef, Problem};
use crate::facts::{Facts, LoginEnv};
use crate::report::CheckResult;

/// `login.environment`.
pub(super) const ENVIRONMENT: CheckDef = CheckDef {
    id: "login.environment",
    title: "Login environment",
    about: "Whether the browser login can finish where OpenCode runs (SSH, WSL, container, no display), and the exact alternative.",
    run,
};

const DEVICE: &str = "Or use the device flow, which works anywhere: `opencode auth login` → \"ChatGPT Pro/Plus (headless)\", then enter the code at https://auth.openai.com/codex/device";

fn run(f: &Facts) -> CheckResult {
    judge(f.login_env(), f.options.login_port)
}

/// The verdict for one login environment.
pub(crate) fn judge(e: &LoginEnv, port: u16) -> CheckResult {
    let mut warns: Vec<Problem> = Vec::new();
    let mut fixes: Vec<String> = Vec::new();
    let mut details: Vec<String> = Vec::new();
    if let Some(server) = &e.ssh {
        warns.push(problem("ssh", format!(
            "this is an SSH session: the browser on your own machine is redirected to localhost:{port}, which reaches this host only through a forwarded port"
        )));
        let target = match server {
            Some((addr, ssh_port)) if ssh_port != "22" => format!("-p {ssh_port} <user>@{addr}"),
            Some((addr, _)) => format!("<user>@{addr}"),
            None => "<user>@<this host>".to_string(),
        };
        fixes.push(format!(
            "Reconnect with the callback port forwarded: `ssh -L {port}:localhost:{port} {target}`, run `opencode auth login` there and open the printed URL in your local browser"
        ));
    }
    if let Some(how) = &e.container {
        warns.push(problem("container", format!(
            "this looks like a container ({how}): the login callback binds the container's own localhost:{port}, which a browser outside cannot reach (publishing the port does not help: it listens on loopback only)"
        )));
    }
    if e.ssh.is_none() && e.container.is_none() {
        if e.wsl {
            details.push(
                "WSL: the browser opens in Windows; WSL 2 forwards localhost to Linux".into(),
            );
            if e.opener.is_none() {
                warns.push(problem("wsl-no-opener", "WSL without `wslview` or `xdg-open` on PATH: the login URL cannot be opened automatically"));
                fixes.push("Install wslu (`sudo apt install wslu`, provides wslview) or open the printed URL in a Windows browser yourself".into());
            }
        } else if !e.display && !cfg!(target_os = "macos") {
            warns.push(problem("headless", "no DISPLAY or WAYLAND_DISPLAY: no browser can open on this machine, so the browser login cannot finish here"));
        } else if e.opener.is_none() {
            warns.push(problem(
                "no-opener",
                "no `xdg-open` on PATH: the login URL will not open automatically",
            ));
            fixes.push(
                "Install xdg-utils, or open the printed URL in a browser on this machine yourself"
                    .into(),
            );
        }
    }
    if e.no_browser {
        details
            .push("OPENCODE_NO_BROWSER=1: the plugin prints the URL instead of opening it".into());
    }
    if let Some(o) = &e.opener {
        details.push(format!("browser opener on PATH: {o}"));
    }
    if warns.is_empty() {
        let mut r =
            CheckResult::pass("the browser login can finish here (local session with a display)");
        r.details = details;
        return r;
    }
    // Alone, it is the fix, not an alternative to one.
    let device = if fixes.is_empty() {
        format!("Use{}", DEVICE.trim_start_matches("Or use"))
    } else {
        DEVICE.to_string()
    };
    fixes.push(device);
    super::verdict(Vec::<Problem>::new(), warns, String::new, details, fixes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Status;

    fn local() -> LoginEnv {
        LoginEnv {
            display: true,
            opener: Some("xdg-open".into()),
            ..LoginEnv::default()
        }
    }

    #[test]
    fn a_local_desktop_passes() {
        assert_eq!(judge(&local(), 1455).status, Status::Pass);
    }

    #[test]
    fn ssh_names_the_exact_forward_and_the_device_flow() {
        let e = LoginEnv {
            ssh: Some(Some(("10.0.0.5".into(), "2222".into()))),
            ..local()
        };
        let r = judge(&e, 1455);
        assert_eq!(r.status, Status::Warn);
        assert!(r.fix[0].contains("ssh -L 1455:localhost:1455 -p 2222 <user>@10.0.0.5"));
        assert!(r.fix.last().is_some_and(|f| f.contains("headless")));
    }

    #[test]
    fn wsl_without_an_opener_and_a_headless_box_warn() {
        let wsl = LoginEnv {
            wsl: true,
            ..LoginEnv::default()
        };
        let r = judge(&wsl, 1455);
        assert_eq!(r.status, Status::Warn);
        assert!(r.fix.iter().any(|f| f.contains("wslu")));
        let wsl_ok = LoginEnv {
            wsl: true,
            opener: Some("wslview".into()),
            ..LoginEnv::default()
        };
        assert_eq!(judge(&wsl_ok, 1455).status, Status::Pass);
        let headless = LoginEnv::default();
        assert!(judge(&headless, 1455).summary.contains("no DISPLAY"));
        let container = LoginEnv {
            container: Some("/.dockerenv exists".into()),
            ..local()
        };
        let r = judge(&container, 1455);
        assert!(r.summary.contains("container"));
        // Found from the user's side: the only fix began with "Or".
        assert_eq!(r.fix.len(), 1);
        assert!(r.fix[0].starts_with("Use the device flow"), "{:?}", r.fix);
    }
}
