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

fn classify(path: &Path) -> Result<Option<Value>, String> {
    match crate::model::read_store(path) {
        StoreRead::Missing => Ok(None),
        StoreRead::Unreadable { error, .. } => Err(error),
        StoreRead::NotJson { message, .. } => Err(format!("not valid JSON ({message})")),
        StoreRead::NotObject { found } => Err(format!("not a JSON object (found {found})")),
        StoreRead::Parsed(_) => {
            let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
            serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| e.to_string())
        }
    }
}

/// Reads the legacy plugin store `openai-codex-accounts.json`.
pub fn read_legacy_plugin_store(path: &Path) -> LegacySource {
    let v = match classify(path) {
        Ok(None) => return LegacySource::Missing,
        Ok(Some(v)) => v,
        Err(e) => return LegacySource::Unusable(e),
    };
    if v.get("openai").is_some_and(Value::is_object) {
        return single_from(&v);
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
    match classify(path) {
        Ok(None) => LegacySource::Missing,
        Ok(Some(v)) => single_from(&v),
        Err(e) => LegacySource::Unusable(e),
    }
}

/// The `type` of OpenCode's `openai` auth entry (`oauth`, `api`, …), if any.
pub fn opencode_openai_type(path: &Path) -> Result<Option<String>, String> {
    match classify(path)? {
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
