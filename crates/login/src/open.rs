//! Opening the system browser (reference 9.3): only for URLs on `https://auth.openai.com`,
//! with `open` (macOS), `rundll32.exe url.dll,FileProtocolHandler` (Windows) or `xdg-open`
//! (others), waiting at most 5 s for the opener. The caller decides whether to try at all
//! (`--no-browser`, `OPENCODE_NO_BROWSER=1`).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long the opener may take.
pub const OPEN_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether `url` may be opened automatically.
pub fn may_open(url: &str) -> bool {
    url.starts_with("https://auth.openai.com/")
}

/// Tries to open `url`; `false` when it is not allowed or the opener failed or hung.
pub fn open_browser(url: &str) -> bool {
    if !may_open(url) {
        return false;
    }
    let mut cmd = if cfg!(target_os = "macos") {
        let mut c = Command::new("open");
        c.arg(url);
        c
    } else if cfg!(windows) {
        let mut c = Command::new("rundll32.exe");
        c.args(["url.dll,FileProtocolHandler", url]);
        c
    } else {
        let mut c = Command::new("xdg-open");
        c.arg(url);
        c
    };
    let Ok(mut child) = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    else {
        return false;
    };
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.success(),
            Ok(None) if start.elapsed() < OPEN_TIMEOUT => {
                std::thread::sleep(Duration::from_millis(50))
            }
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_real_issuer_is_opened() {
        assert!(may_open("https://auth.openai.com/oauth/authorize?x=1"));
        assert!(!may_open("https://auth.openai.com.evil.example/"));
        assert!(!may_open("http://127.0.0.1:9/oauth/authorize"));
        assert!(!open_browser("http://127.0.0.1:9/oauth/authorize"));
    }
}
