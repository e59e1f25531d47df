//! `environment.json`: the machine and the plugin-related environment, secrets masked.
//!
//! OS, architecture, memory and CPU count (sysinfo), OpenCode and doctor versions, and the
//! variables codex-kit documents plus any other `OPENCODE_*`/`CODEX_*`/proxy variable. A
//! variable whose name contains TOKEN, SECRET, KEY, PASSWORD, AUTH, COOKIE or SESSION has its
//! value replaced (plain booleans and numbers are kept: they cannot be secrets); proxy URLs
//! lose their credentials. The whole document still goes through the redactor afterwards.

use std::collections::BTreeMap;

use codex_env::{env_vars, EnvSnapshot};
use serde_json::{json, Value};
use sysinfo::{CpuRefreshKind, MemoryRefreshKind, RefreshKind, System};

const SECRET_WORDS: [&str; 7] = [
    "TOKEN", "SECRET", "KEY", "PASSWORD", "AUTH", "COOKIE", "SESSION",
];

fn relevant(name: &str) -> bool {
    env_vars::lookup(name).is_some()
        || name.starts_with("OPENCODE_")
        || name.starts_with("CODEX_")
        || name.starts_with("XDG_")
        || name.to_ascii_uppercase().ends_with("_PROXY")
}

fn harmless(v: &str) -> bool {
    let t = v.trim().to_ascii_lowercase();
    t.is_empty()
        || t.parse::<f64>().is_ok()
        || matches!(t.as_str(), "true" | "false" | "yes" | "no" | "on" | "off")
}

/// Replaces `user:pass@` in a URL with `[redacted]@`, with or without a scheme
/// (`user:pw@10.0.0.1:3128` is a valid proxy value too).
pub(crate) fn mask_url_credentials(v: &str) -> String {
    let (scheme, rest) = match v.find("://") {
        Some(i) => (&v[..i + 3], &v[i + 3..]),
        None => ("", v),
    };
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..host_end].rfind('@') {
        Some(at) => format!("{scheme}{}{}", codex_scrub::REDACTED, &rest[at..]),
        None => v.to_string(),
    }
}

/// The value shown for variable `name`.
pub(crate) fn masked_value(name: &str, value: &str) -> String {
    let upper = name.to_ascii_uppercase();
    if SECRET_WORDS.iter().any(|w| upper.contains(w)) && !harmless(value) {
        return codex_scrub::REDACTED.to_string();
    }
    if upper.contains("PROXY") {
        return value
            .split(',')
            .map(mask_url_credentials)
            .collect::<Vec<_>>()
            .join(",");
    }
    value.to_string()
}

/// The environment document.
pub(crate) fn environment(
    env: &EnvSnapshot,
    opencode_version: Option<&str>,
    doctor_version: &str,
) -> Value {
    let sys = System::new_with_specifics(
        RefreshKind::nothing()
            .with_memory(MemoryRefreshKind::nothing().with_ram())
            .with_cpu(CpuRefreshKind::nothing()),
    );
    let vars: BTreeMap<String, String> = env
        .iter()
        .filter(|(k, _)| relevant(k))
        .map(|(k, v)| (k.to_string(), masked_value(k, v)))
        .collect();
    json!({
        "os": std::env::consts::OS,
        "os_version": System::long_os_version(),
        "kernel": System::kernel_version(),
        "arch": std::env::consts::ARCH,
        "memory_bytes": sys.total_memory(),
        "cpus": sys.cpus().len(),
        "opencode_version": opencode_version,
        "doctor_version": doctor_version,
        "env": vars,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking() {
        assert_eq!(masked_value("CODEX_AUTH_DEBUG", "1"), "1");
        assert_eq!(masked_value("MY_API_KEY", "sk-abc"), "[redacted]");
        assert_eq!(masked_value("OPENCODE_SESSION", "abc"), "[redacted]");
        assert_eq!(
            masked_value("HTTPS_PROXY", "http://bob:pw@proxy:8080,http://p2"),
            "http://[redacted]@proxy:8080,http://p2"
        );
        assert_eq!(
            masked_value("HTTP_PROXY", "bob:pw@10.0.0.1:3128"),
            "[redacted]@10.0.0.1:3128",
            "no scheme, still credentials"
        );
        assert_eq!(
            masked_value("ALL_PROXY", "socks5://u:p@h:1/x?y@z"),
            "socks5://[redacted]@h:1/x?y@z"
        );
        assert_eq!(masked_value("NO_PROXY", "localhost"), "localhost");
        let env = EnvSnapshot::from_pairs([
            ("OPENCODE_FOO_TOKEN", "t0k"),
            ("https_proxy", "http://u:p@h"),
            ("UNRELATED", "x"),
        ]);
        let v = environment(&env, Some("1.2.3"), "0.1.0");
        assert_eq!(v["env"]["OPENCODE_FOO_TOKEN"], "[redacted]");
        assert_eq!(v["env"]["https_proxy"], "http://[redacted]@h");
        assert!(v["env"].get("UNRELATED").is_none());
        assert!(v["cpus"].as_u64().is_some_and(|n| n >= 1));
    }
}
