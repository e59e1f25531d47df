//! `cache.models` and `cache.files`: the plugin's caches under `<config root>/cache`.
//!
//! The shared GitHub models snapshot is refreshed only by version comparison (reference 10.2):
//! when the meta's tag is older than the client version in `codex-client-version.json`
//! (default 0.144.0) or the snapshot is invalid, the plugin refetches; if that keeps failing
//! the user sees stale models. `cache.files` checks the shape of every cache file and finds
//! quota snapshots whose identity key matches no account.

use codex_auth::model::StoreRead;
use serde_json::Value;

use super::{show, CheckDef};
use crate::facts::{Facts, JsonRead};
use crate::report::CheckResult;

/// `cache.models`.
pub const MODELS: CheckDef = CheckDef {
    id: "cache.models",
    title: "Models cache",
    about: "The shared GitHub models snapshot and its meta are valid and not older than the client version.",
    run: run_models,
};

/// `cache.files`.
pub const FILES: CheckDef = CheckDef {
    id: "cache.files",
    title: "Cache files",
    about: "Every cache file parses and has the right shape; quota snapshots match an account.",
    run: run_files,
};

/// The client version the plugin assumes without a cache.
pub const DEFAULT_CLIENT_VERSION: &str = "0.144.0";

/// Parses the first `\d+.\d+.\d+` in `s`.
pub fn semver(s: &str) -> Option<(u64, u64, u64)> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let rest = &s[i..];
            let mut nums = Vec::new();
            let mut cur = String::new();
            let mut end = 0;
            for (j, c) in rest.char_indices() {
                if c.is_ascii_digit() {
                    cur.push(c);
                    end = j + 1;
                } else if c == '.' && !cur.is_empty() && nums.len() < 2 {
                    nums.push(cur.clone());
                    cur.clear();
                } else {
                    break;
                }
            }
            if nums.len() == 2 && !cur.is_empty() {
                nums.push(cur);
                let p: Vec<u64> = nums.iter().filter_map(|n| n.parse().ok()).collect();
                if p.len() == 3 {
                    return Some((p[0], p[1], p[2]));
                }
            }
            i += end.max(1);
        } else {
            i += 1;
        }
    }
    None
}

fn is_catalog(name: &str) -> bool {
    name != "codex-models-cache-meta.json"
        && (name.starts_with("codex-models-cache") || name.starts_with("codex-auth-models-"))
}

fn valid_models(v: &Value) -> usize {
    v.get("models")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter(|m| {
                    m.get("slug")
                        .and_then(Value::as_str)
                        .is_some_and(|s| !s.trim().is_empty())
                })
                .count()
        })
        .unwrap_or(0)
}

fn run_models(f: &Facts) -> CheckResult {
    let p = match f.paths() {
        Ok(p) => p,
        Err(e) => return super::no_paths(&e),
    };
    let version_path = p.cache_file("codex-client-version.json").path;
    let meta_path = p.cache_file("codex-models-cache-meta.json").path;
    let snap_path = p.cache_file("codex-models-cache.json").path;
    let missing = |name: &str| f.cache_read(name) == JsonRead::Missing;
    if missing("codex-client-version.json")
        && missing("codex-models-cache-meta.json")
        && missing("codex-models-cache.json")
    {
        return CheckResult::skip("no model cache yet (written at the first model request)");
    }
    let mut warns = Vec::new();
    let mut details = Vec::new();

    let client = match f.cache_read("codex-client-version.json") {
        JsonRead::Ok(v) => match v.get("version").and_then(Value::as_str) {
            Some(ver) => {
                let age = v
                    .get("fetchedAt")
                    .and_then(Value::as_f64)
                    .map(|t| f.now_ms - t)
                    .unwrap_or(f64::INFINITY);
                details.push(format!(
                    "client version {ver} (fetched {} ago; refreshed hourly)",
                    if age.is_finite() {
                        codex_timefmt::human_ms(age)
                    } else {
                        "never".into()
                    }
                ));
                ver.to_string()
            }
            None => {
                warns.push(format!(
                    "{} has no `version`: the plugin assumes {DEFAULT_CLIENT_VERSION}",
                    show(&version_path)
                ));
                DEFAULT_CLIENT_VERSION.to_string()
            }
        },
        JsonRead::Missing => {
            details.push(format!(
                "no codex-client-version.json; client version {DEFAULT_CLIENT_VERSION} (default)"
            ));
            DEFAULT_CLIENT_VERSION.to_string()
        }
        JsonRead::Bad(e) => {
            warns.push(format!("{} {e}", show(&version_path)));
            DEFAULT_CLIENT_VERSION.to_string()
        }
    };
    let target = semver(&client);

    let meta_tag = match f.cache_read("codex-models-cache-meta.json") {
        JsonRead::Ok(v) => {
            let tag = v
                .get("tag")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| {
                    v.get("version")
                        .and_then(Value::as_str)
                        .map(|x| format!("rust-v{x}"))
                });
            let url = v.get("url").and_then(Value::as_str);
            match (tag.filter(|t| semver(t).is_some()), url) {
                (Some(t), Some(_)) => Some(t),
                _ => {
                    warns.push(format!(
                        "{} has no usable `tag` or `url`: the plugin treats it as absent and refetches",
                        show(&meta_path)
                    ));
                    None
                }
            }
        }
        JsonRead::Missing => None,
        JsonRead::Bad(e) => {
            warns.push(format!("{} {e}", show(&meta_path)));
            None
        }
    };

    let snapshot_models = match f.cache_read("codex-models-cache.json") {
        JsonRead::Ok(v) => {
            let source_ok = v.get("source").and_then(Value::as_str) == Some("github");
            let fetched_ok = v.get("fetchedAt").is_some_and(Value::is_number);
            let n = valid_models(&v);
            if source_ok && fetched_ok && n > 0 {
                Some(n)
            } else {
                warns.push(format!(
                    "{} is invalid (needs source \"github\", numeric fetchedAt and at least one model with a slug)",
                    show(&snap_path)
                ));
                None
            }
        }
        JsonRead::Missing => None,
        JsonRead::Bad(e) => {
            warns.push(format!("{} {e}", show(&snap_path)));
            None
        }
    };

    match (&meta_tag, target) {
        (Some(tag), Some(t)) => {
            if semver(tag).is_some_and(|m| m < t) {
                warns.push(format!(
                    "the models snapshot is stale: meta tag {tag} is older than client version {client}"
                ));
            } else {
                details.push(format!(
                    "meta tag {tag} is current for client version {client}"
                ));
            }
        }
        (None, _) if meta_path.exists() => {}
        (None, _) => details.push("no models meta yet".to_string()),
        _ => {}
    }
    if let Some(n) = snapshot_models {
        details.push(format!("shared snapshot holds {n} model(s)"));
    }

    if warns.is_empty() {
        let summary = match (&meta_tag, snapshot_models) {
            (Some(tag), Some(n)) => format!("GitHub snapshot {tag}: {n} model(s), current"),
            _ => "model caches valid".to_string(),
        };
        return CheckResult::pass(summary).details(details);
    }
    CheckResult::warn(warns.join("; "))
        .details(details)
        .fix(format!(
            "rm {} {}",
            show(&snap_path),
            show(&meta_path)
        ))
        .fix("Then run one model request (e.g. `opencode run \"hi\"`) so the plugin repopulates them")
}

fn shape_error(name: &str, v: &Value) -> Option<String> {
    let obj = match v.as_object() {
        Some(o) => o,
        None => {
            return Some(format!(
                "expected an object, found {}",
                codex_auth::model::type_name(v)
            ))
        }
    };
    if name == "codex-client-version.json" {
        return (!obj.get("version").is_some_and(Value::is_string))
            .then(|| "missing string `version`".to_string());
    }
    if name == "codex-models-cache-meta.json" {
        return None;
    }
    if name.starts_with("codex-models-cache") || name.starts_with("codex-auth-models-") {
        if !obj.get("fetchedAt").is_some_and(Value::is_number) {
            return Some("missing numeric `fetchedAt`".into());
        }
        if !obj.get("models").is_some_and(Value::is_array) {
            return Some("missing `models` array".into());
        }
        return None;
    }
    if name == "codex-snapshots.json" {
        let bad: Vec<&str> = obj
            .iter()
            .filter(|(_, s)| {
                !s.get("updatedAt").is_some_and(Value::is_number)
                    || !s.get("limits").is_some_and(Value::is_array)
            })
            .map(|(k, _)| k.as_str())
            .collect();
        return (!bad.is_empty()).then(|| {
            format!(
                "{} snapshot(s) without numeric `updatedAt` and `limits` array",
                bad.len()
            )
        });
    }
    if name == "codex-session-affinity.json" {
        if obj.get("version").and_then(Value::as_f64) != Some(1.0) {
            return Some("`version` is not 1 (the plugin treats the file as empty)".into());
        }
        for mode in ["native", "codex"] {
            if let Some(sec) = obj.get(mode) {
                if !sec.is_object() {
                    return Some(format!("`{mode}` is not an object"));
                }
            }
        }
        return None;
    }
    None
}

fn run_files(f: &Facts) -> CheckResult {
    let p = match f.paths() {
        Ok(p) => p,
        Err(e) => return super::no_paths(&e),
    };
    let dir = p.cache_dir().path;
    let Some(names) = f.cache_names() else {
        return CheckResult::skip(format!("{} does not exist yet", show(&dir)));
    };
    let mut warns = Vec::new();
    let mut details = Vec::new();
    let mut fixes = Vec::new();
    let known_keys: Option<Vec<String>> = match f.store() {
        Some(StoreRead::Parsed(s)) => Some(
            s.openai
                .iter()
                .flat_map(|o| o.all_records())
                .filter_map(|r| r.identity_key().map(str::to_string))
                .collect(),
        ),
        _ => None,
    };
    for name in &names {
        let path = dir.join(name);
        if name.starts_with("codex-prompts-cache") {
            details.push(format!("{name}: legacy, deleted at the next plugin start"));
            continue;
        }
        if is_catalog(name) && f.catalog_shape_ok(name) {
            details.push(format!("{name}: ok"));
            continue;
        }
        match f.cache_read(name) {
            JsonRead::Missing => {}
            JsonRead::Bad(e) => {
                warns.push(format!("{name} {e}"));
                fixes.push(remove_fix(name, &path));
            }
            JsonRead::Ok(v) => {
                if let Some(e) = shape_error(name, &v) {
                    warns.push(format!("{name}: {e}"));
                    fixes.push(remove_fix(name, &path));
                } else {
                    details.push(format!("{name}: ok"));
                }
                if name == "codex-snapshots.json" {
                    if let (Some(keys), Some(obj)) = (&known_keys, v.as_object()) {
                        // Orphan keys belong to no known account, so no redactor knows them
                        // (a masked key would still show the mail domain, in the bundle too):
                        // only their plans are named.
                        let orphans: Vec<&str> = obj
                            .keys()
                            .filter(|k| !keys.iter().any(|x| x == *k))
                            .map(|k| {
                                k.rsplit('|')
                                    .next()
                                    .filter(|p| !p.contains('@'))
                                    .unwrap_or("?")
                            })
                            .collect();
                        if !orphans.is_empty() {
                            warns.push(format!(
                                "codex-snapshots.json has {} snapshot(s) for no current account (plans: {})",
                                orphans.len(),
                                orphans.join(", ")
                            ));
                            fixes.push("Harmless; to clean up, quit OpenCode and remove those keys from codex-snapshots.json".to_string());
                        }
                    }
                }
            }
        }
    }
    if names.is_empty() {
        return CheckResult::pass(format!("{} holds no cache files yet", show(&dir)));
    }
    if warns.is_empty() {
        return CheckResult::pass(format!("{} cache file(s) valid", names.len())).details(details);
    }
    fixes.dedup();
    CheckResult::warn(warns.join("; "))
        .details(details)
        .fixes(fixes)
}

/// The start of the fix line for a file `codex-doctor fix` removes (`crate::fix_cmd` reads
/// the path after it).
pub(crate) const FIX_REMOVES: &str = "Run `codex-doctor fix 'cache.*'`, which removes ";

/// How to remove a cache file the plugin rebuilds. A per-account catalog's name carries a
/// hash the report masks (it names the account), so an `rm` of the shown name would miss:
/// `codex-doctor fix` knows the real name (found from the user's side).
fn remove_fix(name: &str, path: &std::path::Path) -> String {
    if name.starts_with("codex-auth-models-") || name.starts_with("codex-models-cache-") {
        format!("{FIX_REMOVES}{} (the plugin rebuilds it)", show(path))
    } else {
        format!("rm {} (the plugin rebuilds it)", show(path))
    }
}

#[cfg(test)]
mod tests {
    use super::semver;

    #[test]
    fn semver_extraction() {
        assert_eq!(semver("rust-v0.144.0"), Some((0, 144, 0)));
        assert_eq!(semver("0.98.0"), Some((0, 98, 0)));
        assert_eq!(semver("v1.2"), None);
        assert_eq!(semver("x 1.2 and 3.4.5"), Some((3, 4, 5)));
    }
}
