//! Every secret and identifying value the doctor can read from the user's files.
//!
//! Tokens, emails, account ids and identity keys come from `codex-accounts.json`, the legacy
//! plugin store and OpenCode's `auth.json` (parsed with `codex-auth`, so claims hydrated from
//! access tokens count too), plus every string under a secret-looking key anywhere in those
//! files (other providers' API keys in `auth.json`, id tokens). Session keys and identity keys
//! come from the affinity and snapshot caches. The result feeds the redactor, which then finds
//! these values wherever and however they appear.

use std::path::Path;

use codex_auth::legacy::{legacy_plugin_store_from, opencode_auth_from, read_source, LegacySource};
use codex_auth::model::{AccountRecord, AccountsView};
use codex_env::{env_vars, EnvSnapshot};
use codex_paths::Paths;
use codex_scrub::rules::{classify_key, Action, KeySite};
use codex_scrub::schema::{replaced_strings, FileKind};
use codex_scrub::{Kind, KnownValues};
use serde_json::Value;

/// Files bigger than this are not parsed for known values.
const MAX_PARSE: u64 = 64 * 1024 * 1024;

fn add_record(k: &mut KnownValues, rec: &AccountRecord) {
    let v = rec.sensitive_values();
    k.tokens.extend(v.tokens.iter().map(|s| s.to_string()));
    k.emails.extend(v.emails.iter().map(|s| s.to_string()));
    k.account_ids
        .extend(v.account_ids.iter().map(|s| s.to_string()));
    k.identity_keys
        .extend(v.identity_keys.iter().map(|s| s.to_string()));
}

/// Reads a JSON file when it exists and is small enough.
pub fn read_json(path: &Path) -> Option<Value> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_PARSE {
        return None;
    }
    let bytes = codex_paths::read_file(path).ok()?;
    serde_json::from_slice(&bytes).ok()
}

fn looks_like_email(s: &str) -> bool {
    match s.trim().split_once('@') {
        Some((l, d)) => !l.is_empty() && d.contains('.') && !d.contains(' ') && !l.contains(' '),
        None => false,
    }
}

/// Adds every string under a secret-looking key (and every email) in `v`.
pub fn collect_json(k: &mut KnownValues, v: &Value) {
    match v {
        Value::Object(m) => {
            for (key, val) in m {
                collect_entry(k, key, val);
            }
        }
        Value::Array(a) => {
            for x in a {
                collect_json(k, x);
            }
        }
        Value::String(s) if looks_like_email(s) => k.emails.push(s.trim().to_string()),
        _ => {}
    }
}

fn collect_entry(k: &mut KnownValues, key: &str, val: &Value) {
    if let Value::String(s) = val {
        classify_string(k, key, s);
    } else {
        collect_json(k, val);
    }
}

fn classify_string(k: &mut KnownValues, key: &str, s: &str) {
    let lower = key.to_ascii_lowercase();
    let class = classify_key(&lower, KeySite::Json, false);
    match class.map(|c| c.action) {
        Some(Action::Pseudonym(Kind::Email)) => k.emails.push(s.to_string()),
        Some(Action::Pseudonym(Kind::Account)) => k.account_ids.push(s.to_string()),
        Some(Action::Pseudonym(Kind::Identity)) => k.identity_keys.push(s.to_string()),
        Some(Action::Pseudonym(Kind::Session)) => k.session_ids.push(s.to_string()),
        Some(Action::KeepScheme) => {
            let cred = s.split_once(' ').map_or(s, |(_, c)| c);
            k.tokens.push(cred.trim().to_string());
        }
        Some(_) => k.tokens.push(s.to_string()),
        None => {
            if matches!(lower.as_str(), "access" | "refresh" | "key" | "id" | "jwt") {
                k.tokens.push(s.to_string());
            } else if looks_like_email(s) {
                k.emails.push(s.trim().to_string());
            }
        }
    }
}

fn add_legacy(k: &mut KnownValues, src: LegacySource) {
    if let LegacySource::Usable { records, .. } = src {
        for r in &records {
            add_record(k, r);
        }
    }
}

/// Every known value from the user's auth files and caches.
pub fn known_values(paths: &Paths) -> KnownValues {
    let mut k = KnownValues::default();
    // Each auth file is read and parsed once: its records (claims hydrated from tokens) and
    // every string under a secret-looking key both come from the same JSON.
    let store = paths.auth_store().path;
    if let Ok(Some(Value::Object(root))) = read_source(&store) {
        for r in AccountsView::from_root(&root)
            .openai
            .iter()
            .flat_map(|o| o.all_records())
        {
            add_record(&mut k, r);
        }
        for (key, val) in &root {
            collect_entry(&mut k, key, val);
        }
    }
    let legacy = paths.legacy_store().path;
    let mut sources = vec![(legacy, true)];
    sources.extend(
        paths
            .opencode_auth_files()
            .into_iter()
            .map(|f| (f.path, false)),
    );
    for (path, is_legacy) in sources {
        let read = read_source(&path);
        let v = read.as_ref().map(Option::as_ref).map_err(String::clone);
        add_legacy(
            &mut k,
            if is_legacy {
                legacy_plugin_store_from(v)
            } else {
                opencode_auth_from(v)
            },
        );
        if let Ok(Some(v)) = &read {
            collect_json(&mut k, v);
        }
    }
    if let Some(Value::Object(aff)) =
        read_json(&paths.cache_file("codex-session-affinity.json").path)
    {
        for mode in aff.values().filter_map(Value::as_object) {
            for map in mode.values().filter_map(Value::as_object) {
                for (session, v) in map {
                    k.session_ids.push(session.clone());
                    if let Value::String(ident) = v {
                        k.identity_keys.push(ident.clone());
                    }
                }
            }
        }
    }
    if let Some(Value::Object(snaps)) = read_json(&paths.cache_file("codex-snapshots.json").path) {
        k.identity_keys.extend(snaps.keys().cloned());
    }
    for list in [
        &mut k.tokens,
        &mut k.emails,
        &mut k.account_ids,
        &mut k.identity_keys,
        &mut k.session_ids,
    ] {
        list.retain(|s| !s.trim().is_empty());
        list.sort();
        list.dedup();
    }
    // Cache shard names carry a hash of the account id (reference 1.3).
    k.aliases = k
        .account_ids
        .iter()
        .map(|id| (codex_paths::account_hash(id), Kind::Account, id.clone()))
        .collect();
    k
}

/// Adds what the doctor's report may quote of the user's config and cache files and what
/// their schemas replace: an invalid enum value (`found string ("…")`), a custom model slug,
/// an unknown config key, a plan, a client version. The schema replaces each in its own
/// file; as a known value it is replaced in the report (and anywhere else) too. Values in a
/// catalogue ([`codex_scrub::catalog::anywhere`]), numbers and values shorter than 6 bytes
/// are not added (they are public words, and would cost every other file its copies).
pub fn add_echoes(k: &mut KnownValues, paths: &Paths, env: &EnvSnapshot) {
    let mut add = |s: &str| {
        let s = s.trim();
        // The value, and the slug after a provider (`openai/<slug>` is quoted as `<slug>`).
        let slug = s.split_once('/').map(|(_, rest)| rest);
        for v in std::iter::once(s).chain(slug) {
            let public = codex_scrub::catalog::anywhere(v)
                || v.bytes().all(|c| c.is_ascii_digit() || c == b'.');
            if v.len() >= 6 && !public && !k.tokens.iter().any(|t| t == v) {
                k.tokens.push(v.to_string());
            }
        }
    };
    let load = codex_config::load::load(paths, env);
    for c in &load.candidates {
        let Some(v) = read_jsonc(&c.file.path) else {
            continue;
        };
        for s in replaced_strings(FileKind::PluginConfig, &v) {
            add(&s);
        }
        // `runtime.spoofMode` is quoted whole and as its last key.
        for path in codex_config::validate::unknown_keys(&v) {
            add(&path);
            if let Some((_, last)) = path.rsplit_once('.') {
                add(last);
            }
        }
    }
    let mut opencode = vec![paths.opencode_json().path, paths.opencode_jsonc().path];
    if let Some(p) = env.non_blank(env_vars::OPENCODE_CONFIG) {
        opencode.push(paths.cwd.join(p));
    }
    let docs = opencode
        .into_iter()
        .map(|p| (FileKind::OpencodeConfig, p))
        .chain([
            (
                FileKind::ClientVersion,
                paths.cache_file("codex-client-version.json").path,
            ),
            (
                FileKind::CatalogMeta,
                paths.cache_file("codex-models-cache-meta.json").path,
            ),
            (FileKind::AccountStore, paths.auth_store().path),
        ]);
    for (kind, path) in docs {
        if let Some(v) = read_jsonc(&path) {
            for s in replaced_strings(kind, &v) {
                add(&s);
            }
        }
    }
}

/// A JSON or JSONC file (comments stripped) when it exists and is small enough.
fn read_jsonc(path: &Path) -> Option<Value> {
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_PARSE {
        return None;
    }
    let text = codex_paths::read_file_to_string(path).ok()?;
    serde_json::from_str(&codex_config::strip_comments(&text)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_json_walk_finds_secrets_under_any_key() {
        let mut k = KnownValues::default();
        let v: Value = serde_json::json!({
            "openai": {"type": "oauth", "refresh": "rt_x", "access": "at_y", "accountId": "acc_1"},
            "anthropic": {"type": "api", "key": "sk-ant-zzz"},
            "other": {"headers": {"Authorization": "Bearer tok_1"}, "contact": "bob@example.org"}
        });
        collect_json(&mut k, &v);
        assert!(k.tokens.contains(&"rt_x".to_string()));
        assert!(k.tokens.contains(&"sk-ant-zzz".to_string()));
        assert!(k.tokens.contains(&"tok_1".to_string()));
        assert_eq!(k.account_ids, vec!["acc_1".to_string()]);
        assert_eq!(k.emails, vec!["bob@example.org".to_string()]);
    }
}
