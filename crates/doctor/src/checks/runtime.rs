//! `runtime.proxy`: is OpenCode set up to go through a local codex-runtime proxy, and does
//! that setup work?
//!
//! A provider in an OpenCode config whose `options.baseURL` is plain `http://` on a loopback
//! host is a local proxy (the snippet `codex-runtime opencode-config` prints). For each one:
//! the built-in `openai` id is refused by the plugin for an `http://` base URL; OpenCode
//! posts to `<baseURL>/responses`, so the path must be `/v1` (or empty); `GET /healthz` must
//! answer `ok` (codex-runtime is running there, and not something else); the models `model`
//! and `small_model` name under the provider must be listed in its `models` (OpenCode never
//! asks a custom provider for its model list and refuses unlisted ones); a provider nothing
//! points at is unused. The probe is a loopback connection only, made once.

use serde_json::Value;

use super::CheckDef;
use crate::facts::{Facts, LocalProbe};
use crate::loopback::loopback_addrs;
use crate::report::CheckResult;

/// `runtime.proxy`.
pub const PROXY: CheckDef = CheckDef {
    id: "runtime.proxy",
    title: "codex-runtime proxy",
    about: "Whether an OpenCode provider pointing at a local codex-runtime proxy is usable: id, base URL, the proxy answering, models listed.",
    run,
};

/// A provider pointing at a loopback `http://` base URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalProvider {
    /// The provider id (`codex-kit`).
    pub id: String,
    /// The config file defining it.
    pub file: String,
    /// `options.baseURL` as written.
    pub base_url: String,
    /// Host (`127.0.0.1`, `localhost`, `[::1]`).
    pub host: String,
    /// Port (80 when the URL names none).
    pub port: u16,
    /// Path after the authority, without a trailing slash.
    pub path: String,
    /// Model ids listed under `models`.
    pub models: Vec<String>,
    /// `npm` package.
    pub npm: Option<String>,
}

/// Splits `http://host[:port][/path]`; `None` for anything else.
pub fn split_http_url(url: &str) -> Option<(String, u16, String)> {
    let rest = url.trim().strip_prefix("http://")?;
    let (authority, path) = match rest.find(['/', '?', '#']) {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if authority.contains('@') || authority.is_empty() {
        return None;
    }
    let (host, port) = if let Some(end) = authority.strip_prefix('[').and_then(|a| a.find(']')) {
        let host = &authority[..end + 2];
        let port = authority[end + 2..].strip_prefix(':');
        (host, port)
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let port = match port {
        Some(p) => p.parse().ok()?,
        None => 80,
    };
    let path = path
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .trim_end_matches('/');
    Some((host.to_string(), port, path.to_string()))
}

/// The loopback providers of one parsed config.
pub fn local_providers(config: &Value, file: &str) -> Vec<LocalProvider> {
    let Some(providers) = config.get("provider").and_then(Value::as_object) else {
        return Vec::new();
    };
    providers
        .iter()
        .filter_map(|(id, p)| {
            let base = p.get("options")?.get("baseURL")?.as_str()?;
            let (host, port, path) = split_http_url(base)?;
            if loopback_addrs(&host, port).is_empty() {
                return None;
            }
            Some(LocalProvider {
                id: id.clone(),
                file: file.to_string(),
                base_url: base.to_string(),
                host,
                port,
                path,
                models: p
                    .get("models")
                    .and_then(Value::as_object)
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default(),
                npm: p.get("npm").and_then(Value::as_str).map(str::to_string),
            })
        })
        .collect()
}

/// The loopback providers and the `model`/`small_model` references of OpenCode's merged
/// config, each naming the layer that set it.
pub fn configured(f: &Facts) -> Result<(Vec<LocalProvider>, Vec<ModelRef>), String> {
    f.paths()?;
    let Some(oc) = f.opencode_config() else {
        return Ok((Vec::new(), Vec::new()));
    };
    let place = |path: &[&str]| {
        oc.origin(path)
            .map(|l| l.place())
            .unwrap_or_else(|| "(merged config)".to_string())
    };
    let mut providers = local_providers(&oc.merged, "");
    for lp in &mut providers {
        lp.file = place(&["provider", &lp.id, "options", "baseURL"]);
    }
    let refs = ["model", "small_model"]
        .into_iter()
        .filter_map(|k| {
            oc.merged
                .get(k)
                .and_then(Value::as_str)
                .map(|v| (k, v.to_string(), place(&[k])))
        })
        .collect();
    Ok((providers, refs))
}

/// `(key, "provider/model", file)`.
pub type ModelRef = (&'static str, String, String);

fn run(f: &Facts) -> CheckResult {
    let (providers, refs) = match configured(f) {
        Ok(c) => c,
        Err(e) => return super::no_paths(&e),
    };
    if providers.is_empty() {
        return CheckResult::skip(
            "no OpenCode provider points at a local proxy (optional: `codex-runtime opencode-config` prints one)",
        );
    }

    let mut fails: Vec<String> = Vec::new();
    let mut warns: Vec<String> = Vec::new();
    let mut fixes: Vec<String> = Vec::new();
    let mut details: Vec<String> = Vec::new();
    for lp in &providers {
        let listen = format!("{}:{}", lp.host, lp.port);
        // What `codex-runtime serve --listen` accepts: an IP address, not `localhost`.
        let listen_arg = if lp.host.eq_ignore_ascii_case("localhost") {
            format!("127.0.0.1:{}", lp.port)
        } else {
            listen.clone()
        };
        details.push(format!(
            "provider `{}` in {}: baseURL {}, npm {}, {} model(s) listed",
            lp.id,
            lp.file,
            lp.base_url,
            lp.npm.as_deref().unwrap_or("(none)"),
            lp.models.len()
        ));
        if lp.id == "openai" {
            fails.push(format!(
                "provider `openai` in {} points at {}: the plugin blocks the built-in openai provider from plain http:// base URLs",
                lp.file, lp.base_url
            ));
            fixes.push("Give the proxy its own provider id: paste the output of `codex-runtime opencode-config` (provider `codex-kit`) and remove the baseURL from `openai`".into());
        }
        if !(lp.path.is_empty() || lp.path == "/v1") {
            warns.push(format!(
                "provider `{}` has baseURL {}: OpenCode posts to <baseURL>/responses, which codex-runtime serves at /v1/responses",
                lp.id, lp.base_url
            ));
            fixes.push(format!(
                "Set `options.baseURL` of `{}` to http://{listen}/v1",
                lp.id
            ));
        }
        match f.local_http(&lp.host, lp.port) {
            LocalProbe::Runtime => details.push(format!("http://{listen}/healthz answered ok")),
            LocalProbe::Refused => {
                warns.push(format!(
                    "nothing listens at {listen} (provider `{}`): OpenCode's requests will fail to connect",
                    lp.id
                ));
                fixes.push(format!(
                    "Start the proxy: `codex-runtime serve --listen {listen_arg}`"
                ));
            }
            LocalProbe::Other(status) => {
                warns.push(format!(
                    "{listen} answers, but not as codex-runtime does (GET /healthz: {status})"
                ));
                fixes.push(format!(
                    "Stop whatever listens on port {}, or run `codex-runtime serve --listen 127.0.0.1:<free port>` and update the baseURL (`codex-runtime opencode-config --listen …`)",
                    lp.port
                ));
            }
            LocalProbe::Failed(e) => {
                warns.push(format!(
                    "could not ask {listen} whether codex-runtime runs: {e}"
                ));
            }
        }
        let mine: Vec<&(&str, String, String)> = refs
            .iter()
            .filter(|(_, v, _)| v.split_once('/').is_some_and(|(prov, _)| prov == lp.id))
            .collect();
        for (k, v, file) in &mine {
            let model = v.split_once('/').map_or("", |(_, m)| m);
            if !lp.models.iter().any(|m| m == model) {
                fails.push(format!(
                    "`{k}` in {file} is {v:?}, but `{model}` is not listed under provider `{}`.models: OpenCode refuses it",
                    lp.id
                ));
                fixes.push(format!(
                    "List \"{model}\" under `provider.{}.models` (or regenerate the block with `codex-runtime opencode-config --model {model}`)",
                    lp.id
                ));
            }
        }
        if mine.is_empty() {
            warns.push(format!(
                "provider `{}` is defined but neither `model` nor `small_model` uses it",
                lp.id
            ));
            fixes.push(format!(
                "Set \"model\" and \"small_model\" to \"{}/<model>\" so both of OpenCode's requests go through the proxy",
                lp.id
            ));
        } else if mine.len() == 1 {
            let (k, _, _) = mine[0];
            let other = if *k == "model" {
                "small_model"
            } else {
                "model"
            };
            warns.push(format!(
                "only `{k}` uses provider `{}`: requests for `{other}` (OpenCode's title request, or the turn) bypass the proxy",
                lp.id
            ));
            fixes.push(format!("Set \"{other}\" to \"{}/<model>\" too", lp.id));
        }
    }

    let pass = || {
        let names: Vec<String> = providers
            .iter()
            .map(|lp| format!("`{}` → {}", lp.id, lp.base_url))
            .collect();
        format!(
            "{}: codex-runtime answers, and model and small_model are listed",
            names.join(", ")
        )
    };
    super::verdict(fails, warns, pass, details, fixes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn base_urls_split() {
        assert_eq!(
            split_http_url("http://127.0.0.1:11455/v1/"),
            Some(("127.0.0.1".into(), 11455, "/v1".into()))
        );
        assert_eq!(
            split_http_url("http://[::1]:8080/v1?x=1"),
            Some(("[::1]".into(), 8080, "/v1".into()))
        );
        assert_eq!(
            split_http_url("http://localhost"),
            Some(("localhost".into(), 80, String::new()))
        );
        assert_eq!(split_http_url("https://127.0.0.1/v1"), None);
        assert_eq!(split_http_url("http://u:p@127.0.0.1/v1"), None);
        assert_eq!(split_http_url("http://127.0.0.1:notaport/v1"), None);
    }

    #[test]
    fn only_loopback_http_providers_count() {
        let cfg = json!({"provider": {
            "codex-kit": {"npm": "@ai-sdk/openai", "options": {"baseURL": "http://127.0.0.1:11455/v1"},
                           "models": {"gpt-5.4": {}}},
            "remote": {"options": {"baseURL": "http://10.0.0.2:8080/v1"}},
            "tls": {"options": {"baseURL": "https://127.0.0.1/v1"}},
            "none": {"options": {}}
        }});
        let found = local_providers(&cfg, "opencode.json");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, "codex-kit");
        assert_eq!(found[0].models, ["gpt-5.4"]);
        assert_eq!(found[0].npm.as_deref(), Some("@ai-sdk/openai"));
    }
}
