//! Reading `codex-accounts.json` without building a `serde_json::Value` tree first: the read
//! half of every locked update.
//!
//! The general reader parses the whole file into a `Value` and then interprets it
//! ([`AuthState::from_root`](crate::state::AuthState)). For the usual shape,
//! `{"openai": {"type": "oauth", …}}` with a `native` and/or `codex` domain, this module
//! deserializes straight into the typed records instead, and only *validates* what the state
//! does not keep: the aggregate `openai.accounts` (regenerated on every write, about half the
//! file) and keys the plugin ignores. Validation goes through the same `deserialize_any`
//! calls as building a `Value`, so exactly the same texts are accepted and rejected (nesting
//! limit, lone surrogate escapes, numbers out of range); repeated keys keep their first place
//! and their last value, as in a parsed object. Anything else — another shape, a field of
//! the wrong type, invalid JSON — gives `None`, and the caller takes the general path, which
//! produces the exact result, error or quarantine. [`AuthState::parse`] lives here, trying
//! this path first, so the state module never depends on this one.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::account::ShapeIssue;
use crate::account::{key_of, Account, Key};
use crate::state::{AuthState, DomainState, FormatError, OauthState, OpenAi};

/// The state of a `codex-accounts.json` text of the usual shape; `None` for anything the
/// general reader must handle.
pub(crate) fn parse_accounts_file(text: &str) -> Option<AuthState> {
    let mut de = serde_json::Deserializer::from_str(text);
    let oauth = Root.deserialize(&mut de).ok()?;
    de.end().ok()?;
    Some(AuthState {
        openai: OpenAi::Oauth(Box::new(oauth)),
        root: None,
    })
}

impl AuthState {
    /// The state of a `codex-accounts.json` text of the usual shape, read straight into the
    /// records; `None` for anything the general reader ([`AuthState::from_root`]) must handle.
    pub fn parse_usual(text: &str) -> Option<Self> {
        parse_accounts_file(text)
    }

    /// Parses file content (as the plugin would read it). `openai_only` is true for
    /// `codex-accounts.json`.
    pub fn parse(text: &str, openai_only: bool) -> Result<Self, FormatError> {
        if openai_only {
            if let Some(state) = parse_accounts_file(text) {
                return Ok(state);
            }
        }
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(root)) => {
                Self::from_root(root, openai_only).map_err(FormatError::Shape)
            }
            Ok(other) => Err(FormatError::Shape(ShapeIssue {
                at: "(root)".into(),
                expected: "an object",
                found: crate::json::type_name(&other),
            })),
            Err(e) => Err(FormatError::NotJson(e.to_string())),
        }
    }
}

/// "Not the usual shape": the caller falls back to the general reader.
fn other<E: de::Error>() -> E {
    E::custom("not the usual shape")
}

/// An object key; known field names are not allocated.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
        Ok(key_of(v))
    }
}

/// Any JSON value, checked exactly as `Value` parsing would check it, and dropped.
struct Validate;

impl<'de> DeserializeSeed<'de> for Validate {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Validate {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Validate)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key_seed(Validate)?.is_some() {
            map.next_value_seed(Validate)?;
        }
        Ok(())
    }
}

/// The root object: only `openai` is kept (the file name drops every other root key).
struct Root;

impl<'de> DeserializeSeed<'de> for Root {
    type Value = OauthState;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<OauthState, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Root {
    type Value = OauthState;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OauthState, A::Error> {
        let mut openai = None;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if key == "openai" {
                openai = Some(map.next_value_seed(Oauth)?);
            } else {
                map.next_value_seed(Validate)?;
            }
        }
        openai.ok_or_else(other)
    }
}

/// `openai`: an OAuth entry with at least one domain (the only shape taken here).
struct Oauth;

impl<'de> DeserializeSeed<'de> for Oauth {
    type Value = OauthState;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<OauthState, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Oauth {
    type Value = OauthState;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an OAuth entry with domains")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OauthState, A::Error> {
        let mut oauth = false;
        let mut strategy = None;
        let mut native = None;
        let mut codex = None;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key.as_ref() {
                "type" => oauth = map.next_value::<Value>()?.as_str() == Some("oauth"),
                "strategy" => strategy = Some(map.next_value::<Value>()?),
                "native" => native = map.next_value_seed(Domain)?,
                "codex" => codex = map.next_value_seed(Domain)?,
                // The aggregate (rebuilt from the domains) and anything else.
                _ => map.next_value_seed(Validate)?,
            }
        }
        if !oauth || (native.is_none() && codex.is_none()) {
            return Err(other());
        }
        Ok(OauthState::from_domains(strategy, native, codex))
    }
}

/// `openai.native` / `openai.codex`: `null` (absent) or an object with an `accounts` array.
struct Domain;

impl<'de> DeserializeSeed<'de> for Domain {
    type Value = Option<DomainState>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Domain {
    type Value = Option<DomainState>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a domain")
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut strategy = None;
        let mut accounts = None;
        let mut active = None;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match key.as_ref() {
                "strategy" => strategy = Some(map.next_value::<Value>()?),
                "accounts" => accounts = Some(map.next_value_seed(Records)?),
                "activeIdentityKey" => {
                    active = match map.next_value::<Value>()? {
                        Value::String(s) => Some(s),
                        _ => None,
                    }
                }
                _ => map.next_value_seed(Validate)?,
            }
        }
        Ok(Some(DomainState {
            strategy,
            accounts: accounts.ok_or_else(other)?,
            active,
        }))
    }
}

/// An `accounts` array.
struct Records;

impl<'de> DeserializeSeed<'de> for Records {
    type Value = Vec<Account>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Account>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Records {
    type Value = Vec<Account>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Account>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(a) = seq.next_element_seed(Record)? {
            out.push(a);
        }
        Ok(out)
    }
}

/// One record: fields in order, values as `Value` (tokens moved into secrets).
struct Record;

impl<'de> DeserializeSeed<'de> for Record {
    type Value = Account;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Account, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Record {
    type Value = Account;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a record")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Account, A::Error> {
        let mut a = Account::with_capacity(map.size_hint().unwrap_or(8));
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let v: Value = map.next_value()?;
            a.insert_parsed(key, v).map_err(|_| other())?;
        }
        Ok(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The general path: a `Value`, then `AuthState::from_root`.
    fn general(text: &str) -> Option<AuthState> {
        match serde_json::from_str::<Value>(text).ok()? {
            Value::Object(root) => AuthState::from_root(root, true).ok(),
            _ => None,
        }
    }

    fn record(i: usize) -> String {
        format!(
            r#"{{"accountId":"acc_{i}","email":"U{i}@Example.com","plan":"plus","refresh":"rt_{i}","access":"at_{i}","expires":1700000000000,"lastUsed":{i}}}"#
        )
    }

    #[test]
    fn agrees_with_the_general_reader_or_declines() {
        // The store's round-trip fixtures.
        let fixtures =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../store/tests/fixtures");
        let mut texts: Vec<String> = std::fs::read_dir(&fixtures)
            .expect("fixtures")
            .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("read"))
            .collect();
        let (r0, r1, r2) = (record(0), record(1), record(2));
        texts.extend([
            format!(r#"{{"openai":{{"type":"oauth","native":{{"accounts":[{r0},{r1}]}},"codex":{{"accounts":[{r2}]}}}}}}"#),
            // Repeated keys: first place, last value, at every level.
            format!(r#"{{"openai":{{"type":"api"}},"x":1,"openai":{{"type":"x","native":{{"accounts":[],"accounts":[{r0}],"activeIdentityKey":"a","activeIdentityKey":7}},"type":"oauth","strategy":1,"strategy":"hybrid"}}}}"#),
            r#"{"openai":{"type":"oauth","native":{"accounts":[{"email":"a@b.c","x":1,"email":"D@E.F","2":{"1":[]},"0":null}]},"codex":null}}"#.to_string(),
            r#"{"openai":{"type":"oauth","native":null,"codex":{"strategy":null,"accounts":[{"refresh":null,"access":"","enabled":false,"authTypes":["x"]}]}}}"#.to_string(),
            // Aggregate-only, legacy and raw shapes: declined, read by the general path.
            format!(r#"{{"openai":{{"type":"oauth","accounts":[{r0}]}}}}"#),
            r#"{"openai":{"type":"oauth","refresh":"rt","access":"at","expires":5}}"#.to_string(),
            r#"{"openai":{"type":"api","key":"k"}}"#.to_string(),
            r#"{"version":4,"accounts":[{"refreshToken":"rt"}]}"#.to_string(),
            r#"{"openai":{"type":"oauth","native":{"accounts":[]}},"openai":null}"#.to_string(),
            r#"{"openai":{"type":"oauth","native":{"accounts":[{"expires":"soon"}]}}}"#.to_string(),
            r#"{"openai":{"type":"oauth","native":{"accounts":[{"expires":"soon","expires":3}]}}}"#.to_string(),
            r#"{"openai":{"type":"oauth","native":{"strategy":"x"}}}"#.to_string(),
            r#"{"openai":{"type":"oauth","native":{"accounts":[]},"codex":5}}"#.to_string(),
            // Invalid for the general reader inside the parts the direct one only validates.
            format!(r#"{{"openai":{{"type":"oauth","accounts":[{}{}],"native":{{"accounts":[]}}}}}}"#, "[".repeat(200), "]".repeat(200)),
            r#"{"openai":{"type":"oauth","accounts":["\ud800"],"native":{"accounts":[]}}}"#.to_string(),
            r#"{"z":1e400,"openai":{"type":"oauth","native":{"accounts":[]}}}"#.to_string(),
            r#"{"openai":{"type":"oauth","native":{"accounts":[]},"\udc00":1}}"#.to_string(),
            r#"{"openai":{"type":"oauth","native":{"accounts":[]}}} x"#.to_string(),
            r#"{"openai":{"type":"oauth","native":{"accounts":[]}}"#.to_string(),
            "[]".to_string(),
        ]);
        let mut taken = 0;
        for text in &texts {
            let want = general(text);
            if let Some(got) = parse_accounts_file(text) {
                taken += 1;
                assert_eq!(Some(&got), want.as_ref(), "{text}");
                assert_eq!(got.to_file_string(), want.expect("state").to_file_string());
            }
        }
        assert!(
            taken >= 8,
            "the direct reader must take the usual shapes ({taken})"
        );
    }
}
