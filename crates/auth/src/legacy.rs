//! Legacy sources a transfer would import from (reference 4.6).
//!
//! `openai-codex-accounts.json` (v4: `{version, accounts:[{refreshToken,…}], activeIndex}`)
//! and OpenCode's `auth.json` (only its `openai` entry, single-account shape). The doctor only
//! needs to know whether a source is readable and how many usable accounts it holds.

use std::path::Path;

use serde_json::Value;

use crate::model::{AccountRecord, StoreRead};

/// What a legacy source holds.
#[derive(Debug)]
pub enum LegacySource {
    /// The file does not exist.
    Missing,
    /// The file exists but cannot be read or parsed (a transfer skips it silently).
    Unusable(String),
    /// Readable; `accounts` usable accounts (non-blank refresh token).
    Usable {
        /// Accounts with a refresh token.
        accounts: usize,
        /// Tokens and identities inside, for the redactor.
        records: Vec<AccountRecord>,
    },
}

/// The file's JSON (`Ok(None)` when it does not exist), parsed once; errors as a transfer
/// would describe them.
pub fn read_source(path: &Path) -> Result<Option<Value>, String> {
    match crate::model::read_store_value(path).map_err(|e| *e) {
        Ok(v) => Ok(v.map(Value::Object)),
        Err(StoreRead::Unreadable { error, .. }) => Err(error),
        Err(StoreRead::NotJson { message, .. }) => Err(format!("not valid JSON ({message})")),
        Err(StoreRead::NotObject { found }) => Err(format!("not a JSON object (found {found})")),
        Err(StoreRead::Missing) => Ok(None),
        Err(StoreRead::Parsed(_)) => Err("not a JSON object".to_string()),
    }
}

/// What [`read_source`] gave, as a legacy plugin store.
pub fn legacy_plugin_store_from(read: Result<Option<&Value>, String>) -> LegacySource {
    match read {
        Ok(None) => LegacySource::Missing,
        Ok(Some(v)) => legacy_store_value(v),
        Err(e) => LegacySource::Unusable(e),
    }
}

/// What [`read_source`] gave, as OpenCode's `auth.json`.
pub fn opencode_auth_from(read: Result<Option<&Value>, String>) -> LegacySource {
    match read {
        Ok(None) => LegacySource::Missing,
        Ok(Some(v)) => single_from(v),
        Err(e) => LegacySource::Unusable(e),
    }
}

/// Reads the legacy plugin store `openai-codex-accounts.json`.
pub fn read_legacy_plugin_store(path: &Path) -> LegacySource {
    let read = read_source(path);
    legacy_plugin_store_from(read.as_ref().map(Option::as_ref).map_err(String::clone))
}

fn legacy_store_value(v: &Value) -> LegacySource {
    if v.get("openai").is_some_and(Value::is_object) {
        return single_from(v);
    }
    let Some(arr) = v.get("accounts").and_then(Value::as_array) else {
        return LegacySource::Unusable("no `accounts` array".to_string());
    };
    let records: Vec<AccountRecord> = arr
        .iter()
        .filter_map(|e| {
            let rt = codex_js::trim(e.get("refreshToken")?.as_str()?);
            if rt.is_empty() {
                return None;
            }
            let mut m = serde_json::Map::new();
            m.insert("refresh".into(), Value::String(rt.to_string()));
            if let Some(a) = e.get("accessToken").or_else(|| e.get("access")) {
                m.insert("access".into(), a.clone());
            }
            for k in ["accountId", "email", "plan"] {
                if let Some(x) = e.get(k) {
                    m.insert(k.into(), x.clone());
                }
            }
            let store = crate::model::AccountsView::from_root(
                &serde_json::json!({"openai": {"type": "oauth", "accounts": [Value::Object(m)]}})
                    .as_object()?
                    .clone(),
            );
            store
                .openai?
                .domains
                .into_iter()
                .next()?
                .accounts
                .into_iter()
                .next()
        })
        .collect();
    LegacySource::Usable {
        accounts: records.len(),
        records,
    }
}

fn single_from(v: &Value) -> LegacySource {
    let Some(root) = v.as_object() else {
        return LegacySource::Unusable("not a JSON object".to_string());
    };
    let store = crate::model::AccountsView::from_root(root);
    let records: Vec<AccountRecord> = store
        .openai
        .filter(|o| o.is_oauth())
        .map(|o| o.all_records().cloned().collect())
        .unwrap_or_default();
    LegacySource::Usable {
        accounts: records.iter().filter(|r| r.has_refresh()).count(),
        records,
    }
}

/// Reads OpenCode's `auth.json` (only the `openai` entry matters).
pub fn read_opencode_auth(path: &Path) -> LegacySource {
    let read = read_source(path);
    opencode_auth_from(read.as_ref().map(Option::as_ref).map_err(String::clone))
}

/// The `type` of OpenCode's `openai` auth entry (`oauth`, `api`, …), if any.
pub fn opencode_openai_type(path: &Path) -> Result<Option<String>, String> {
    match read_source(path)? {
        None => Ok(None),
        Some(v) => Ok(v
            .get("openai")
            .and_then(|o| o.get("type"))
            .and_then(Value::as_str)
            .map(str::to_string)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v4_store_counts_accounts_with_refresh() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("openai-codex-accounts.json");
        std::fs::write(
            &p,
            r#"{"version":4,"activeIndex":1,"accounts":[{"refreshToken":"rt_1","email":"a@b.io"},{"refreshToken":"  "},{"refreshToken":"rt_2","enabled":false}]}"#,
        )
        .expect("write");
        match read_legacy_plugin_store(&p) {
            LegacySource::Usable { accounts, .. } => assert_eq!(accounts, 2),
            other => panic!("{other:?}"),
        }
        std::fs::write(&p, "{nope").expect("write");
        assert!(matches!(
            read_legacy_plugin_store(&p),
            LegacySource::Unusable(_)
        ));
    }
}
