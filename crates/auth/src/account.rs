//! One account record, with JavaScript object semantics and secrets kept secret.
//!
//! The plugin manipulates records as plain JavaScript objects: keys keep their insertion
//! order, assigning `undefined` keeps a key (omitted when serialized) and object spread copies
//! such keys too. Reproducing the file byte for byte needs the same model, so [`Account`] is
//! an ordered list of `(key, slot)` pairs where a slot is JSON, "undefined", or a token held
//! in [`Secret`] from the moment it is parsed (`access`, `refresh`): `{:?}` of a record never
//! shows a token. Typed accessors give the fields' meaning (reference 4.1); `Account::normalize`
//! is the plugin's `normalizeAccountRecord` (claims hydration, identity key, `authTypes`).

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use crate::domain::Domain;
use crate::jwt;
use codex_redact::{MaskedDebug, Secret};
use serde_json::{Map, Value};

use crate::identity::{build_identity_key, normalize_lower, synchronize_identity_key};
use crate::json::{self, type_name, write_string, write_value, Pretty, Text};

/// `identityKey`.
pub const IDENTITY_KEY: &str = "identityKey";
/// `accountId`.
pub const ACCOUNT_ID: &str = "accountId";
/// `email`.
pub const EMAIL: &str = "email";
/// `plan`.
pub const PLAN: &str = "plan";
/// `authTypes`.
pub const AUTH_TYPES: &str = "authTypes";
/// `enabled`.
pub const ENABLED: &str = "enabled";
/// `access` (secret).
pub const ACCESS: &str = "access";
/// `refresh` (secret).
pub const REFRESH: &str = "refresh";
/// `expires`.
pub const EXPIRES: &str = "expires";
/// `refreshLeaseUntil`.
pub const REFRESH_LEASE_UNTIL: &str = "refreshLeaseUntil";
/// `cooldownUntil`.
pub const COOLDOWN_UNTIL: &str = "cooldownUntil";
/// `lastUsed`.
pub const LAST_USED: &str = "lastUsed";

const SECRET_KEYS: [&str; 2] = [ACCESS, REFRESH];
/// Every field name this crate reads or writes: records store these without allocating. The
/// order is the one the lenient read reports wrong-typed fields in (identity, tokens, times,
/// flags), whatever their order in the file.
const KNOWN_KEYS: [&str; 12] = [
    IDENTITY_KEY,
    ACCOUNT_ID,
    EMAIL,
    PLAN,
    ACCESS,
    REFRESH,
    EXPIRES,
    REFRESH_LEASE_UNTIL,
    COOLDOWN_UNTIL,
    LAST_USED,
    ENABLED,
    AUTH_TYPES,
];
const STRING_KEYS: [&str; 6] = [IDENTITY_KEY, ACCOUNT_ID, EMAIL, PLAN, ACCESS, REFRESH];
const NUMBER_KEYS: [&str; 4] = [EXPIRES, REFRESH_LEASE_UNTIL, COOLDOWN_UNTIL, LAST_USED];

/// A field value.
#[derive(Clone, PartialEq)]
pub(crate) enum Slot {
    /// The key exists with the value `undefined` (not serialized).
    Undefined,
    /// A JSON value.
    Json(Value),
    /// A token. Shared, because tokens never change in place and every aggregate record
    /// is a copy of a domain record: copying a record must not copy kilobytes of JWT.
    Secret(Arc<Secret<String>>),
}

/// A field name: a known name is a `&'static str`, so copying a record does not allocate.
pub(crate) type Key = Cow<'static, str>;

/// The slot of a field read from a file: tokens become secrets; a known field of the wrong
/// type is refused with what it should have been.
fn parsed_slot(key: &str, v: Value) -> Result<Slot, (&'static str, Value)> {
    let expected = if STRING_KEYS.contains(&key) {
        Some(("a string", matches!(v, Value::String(_) | Value::Null)))
    } else if NUMBER_KEYS.contains(&key) {
        Some(("a number", matches!(v, Value::Number(_) | Value::Null)))
    } else if key == ENABLED {
        Some(("a boolean", matches!(v, Value::Bool(_) | Value::Null)))
    } else if key == AUTH_TYPES {
        Some(("an array", matches!(v, Value::Array(_) | Value::Null)))
    } else {
        None
    };
    if let Some((expected, false)) = expected {
        return Err((expected, v));
    }
    Ok(match v {
        Value::String(s) if SECRET_KEYS.contains(&key) => Slot::Secret(Arc::new(Secret::new(s))),
        other => Slot::Json(other),
    })
}

/// The key for a field name (known names are not allocated).
pub(crate) fn key_of(name: &str) -> Key {
    match KNOWN_KEYS.iter().find(|k| **k == name) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(name.to_string()),
    }
}

fn owned_key(name: String) -> Key {
    match KNOWN_KEYS.iter().find(|k| **k == name) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(name),
    }
}

/// A field whose JSON type the plugin cannot handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeIssue {
    /// Where (`openai.native.accounts[0].expires`).
    pub at: String,
    /// What it should be (`a number`).
    pub expected: &'static str,
    /// What it is (a `codex_js::type_name`).
    pub found: &'static str,
}

/// One account record (domain or aggregate).
#[derive(Clone, Default, PartialEq)]
pub struct Account {
    entries: Vec<(Key, Slot)>,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_map();
        for (k, v) in &self.entries {
            match v {
                Slot::Undefined => d.entry(k, &"undefined"),
                Slot::Secret(s) => d.entry(k, s),
                // Identities are masked, as everywhere a person might see them.
                Slot::Json(Value::String(v)) if k == EMAIL => {
                    d.entry(k, &MaskedDebug::Email(Some(v)))
                }
                Slot::Json(Value::String(v)) if k == ACCOUNT_ID => {
                    d.entry(k, &MaskedDebug::Id(Some(v)))
                }
                Slot::Json(Value::String(v)) if k == IDENTITY_KEY => {
                    d.entry(k, &MaskedDebug::Key(Some(v)))
                }
                Slot::Json(v)
                    if STRING_KEYS.contains(&k.as_ref())
                        || NUMBER_KEYS.contains(&k.as_ref())
                        || k == ENABLED
                        || k == AUTH_TYPES =>
                {
                    d.entry(k, v)
                }
                // Unknown keys may hold anything: show only the type.
                Slot::Json(v) => d.entry(k, &format_args!("<{}>", type_name(v))),
            };
        }
        d.finish()
    }
}

/// Whether `normalize_lower` leaves `s` as it is, by a cheap sufficient test: non-empty,
/// printable ASCII without spaces or capitals (other strings take the general path).
fn is_plain_lower(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_graphic() && !b.is_ascii_uppercase())
}

fn slot_truthy(s: Option<&Slot>) -> bool {
    match s {
        None | Some(Slot::Undefined) => false,
        Some(Slot::Secret(x)) => !x.expose().is_empty(),
        Some(Slot::Json(v)) => json::truthy(Some(v)),
    }
}

/// `normalizeAccountAuthTypes`: known values, deduplicated, native first; `[native]` if none.
pub(crate) fn normalize_auth_types(v: Option<&Value>) -> Vec<Domain> {
    let mut native = false;
    let mut codex = false;
    match v {
        Some(Value::Array(items)) => {
            for item in items {
                match item.as_str() {
                    Some("native") => native = true,
                    Some("codex") => codex = true,
                    _ => {}
                }
            }
        }
        _ => native = true,
    }
    if !native && !codex {
        native = true;
    }
    let mut out = Vec::new();
    if native {
        out.push(Domain::Native);
    }
    if codex {
        out.push(Domain::Codex);
    }
    out
}

pub(crate) fn auth_types_value(types: &[Domain]) -> Value {
    Value::Array(
        types
            .iter()
            .map(|d| Value::String(d.as_str().to_string()))
            .collect(),
    )
}

impl Account {
    /// An empty record.
    pub fn new() -> Self {
        Account::default()
    }

    /// An empty record with room for `n` fields.
    pub(crate) fn with_capacity(n: usize) -> Self {
        Account {
            entries: Vec::with_capacity(n),
        }
    }

    /// Parses a JSON object, checking the types of the known fields (`null` is accepted
    /// everywhere, as the plugin treats it like a missing value). `at` names the record in
    /// errors; it is only called when there is one.
    pub(crate) fn from_json(v: Value, at: impl Fn() -> String) -> Result<Self, ShapeIssue> {
        let Value::Object(obj) = v else {
            return Err(ShapeIssue {
                at: at(),
                expected: "an object",
                found: type_name(&v),
            });
        };
        let mut entries = Vec::with_capacity(obj.len());
        for (k, v) in obj {
            match parsed_slot(&k, v) {
                Ok(slot) => entries.push((owned_key(k), slot)),
                Err((expected, v)) => {
                    return Err(ShapeIssue {
                        at: format!("{}.{k}", at()),
                        expected,
                        found: type_name(&v),
                    })
                }
            }
        }
        Ok(Account { entries })
    }

    /// Parses a JSON value the lenient way the doctor reads a file: a known field of the wrong
    /// type is left out (the plugin's `typeof` tests skip it) and reported, in the order of
    /// [`KNOWN_KEYS`]; a value that is not an object is an empty record and one issue.
    pub(crate) fn from_json_lenient(v: &Value, at: &str) -> (Self, Vec<ShapeIssue>) {
        let Value::Object(obj) = v else {
            let issue = ShapeIssue {
                at: at.to_string(),
                expected: "an object",
                found: type_name(v),
            };
            return (Account::new(), vec![issue]);
        };
        let mut entries = Vec::with_capacity(obj.len());
        let mut issues = Vec::new();
        for (k, v) in obj {
            match parsed_slot(k, v.clone()) {
                Ok(slot) => entries.push((key_of(k), slot)),
                Err((expected, v)) => issues.push((
                    KNOWN_KEYS.iter().position(|o| o == k),
                    ShapeIssue {
                        at: format!("{at}.{k}"),
                        expected,
                        found: type_name(&v),
                    },
                )),
            }
        }
        issues.sort_by_key(|(order, _)| *order);
        (
            Account { entries },
            issues.into_iter().map(|(_, i)| i).collect(),
        )
    }

    /// Sets a field read from a file, like inserting into a parsed JSON object (a repeated
    /// key keeps its first place and takes the last value). Fails, giving the value back,
    /// when a known field has the wrong type.
    pub(crate) fn insert_parsed(
        &mut self,
        key: Key,
        v: Value,
    ) -> Result<(), (&'static str, Value)> {
        let slot = parsed_slot(&key, v)?;
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some((_, old)) => *old = slot,
            None => self.entries.push((key, slot)),
        }
        Ok(())
    }

    /// The record as JSON (tokens exposed: serialization only).
    pub(crate) fn to_json(&self) -> Value {
        let mut m = Map::new();
        for (k, v) in &self.entries {
            match v {
                Slot::Undefined => {}
                Slot::Json(j) => {
                    m.insert(k.to_string(), j.clone());
                }
                Slot::Secret(s) => {
                    m.insert(k.to_string(), Value::String(s.expose().clone()));
                }
            }
        }
        Value::Object(m)
    }

    /// Writes the record like `JSON.stringify` at nesting `level` (the bytes of
    /// [`Account::to_json`] through [`json::to_js_pretty`], without building the value).
    pub(crate) fn write_pretty(&self, out: &mut impl Text, level: usize) {
        let mut obj = Pretty::object(level);
        let mut member = |k: &str, v: &Slot| match v {
            Slot::Undefined => {}
            Slot::Json(j) => {
                obj.key(out, k);
                write_value(out, j, obj.inner());
            }
            Slot::Secret(s) => {
                obj.key(out, k);
                write_string(out, s.expose());
            }
        };
        if self.entries.iter().any(|(k, _)| codex_js::may_be_index(k)) {
            codex_js::in_js_order(self.entries.iter(), |(k, _)| k, |(k, v)| member(k, v));
        } else {
            self.entries.iter().for_each(|(k, v)| member(k, v));
        }
        obj.end(out);
    }

    pub(crate) fn slot(&self, key: &str) -> Option<&Slot> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub(crate) fn set_slot(&mut self, key: &str, slot: Slot) {
        match self.entries.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => *v = slot,
            None => self.entries.push((key_of(key), slot)),
        }
    }

    /// `delete record[key]`.
    pub(crate) fn delete(&mut self, key: &str) {
        self.entries.retain(|(k, _)| k != key);
    }

    /// Object spread: `{...self, ...other}` applied in place.
    pub(crate) fn spread(&mut self, other: &Account) {
        for (k, v) in &other.entries {
            self.set_slot(k, v.clone());
        }
    }

    /// Keys in order (including ones holding `undefined`).
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_ref())
    }

    pub(crate) fn truthy(&self, key: &str) -> bool {
        slot_truthy(self.slot(key))
    }

    /// A string field (tokens included: crate-internal).
    pub(crate) fn string(&self, key: &str) -> Option<&str> {
        match self.slot(key)? {
            Slot::Json(Value::String(s)) => Some(s),
            Slot::Secret(s) => Some(s.expose()),
            _ => None,
        }
    }

    fn set_string(&mut self, key: &str, v: Option<String>) {
        let slot = match v {
            None => Slot::Undefined,
            Some(s) if SECRET_KEYS.contains(&key) => Slot::Secret(Arc::new(Secret::new(s))),
            Some(s) => Slot::Json(Value::String(s)),
        };
        self.set_slot(key, slot);
    }

    fn number(&self, key: &str) -> Option<f64> {
        match self.slot(key)? {
            Slot::Json(Value::Number(n)) => n.as_f64(),
            _ => None,
        }
    }

    fn set_number(&mut self, key: &str, v: f64) {
        self.set_slot(key, Slot::Json(json::number(v)));
    }

    fn secret(&self, key: &str) -> Option<&Secret<String>> {
        match self.slot(key)? {
            Slot::Secret(s) => Some(s.as_ref()),
            _ => None,
        }
    }

    /// `identityKey` when it is a non-empty string.
    pub fn identity_key(&self) -> Option<&str> {
        self.string(IDENTITY_KEY).filter(|s| !s.is_empty())
    }

    /// `accountId` when it is a non-empty string.
    pub fn account_id(&self) -> Option<&str> {
        self.string(ACCOUNT_ID).filter(|s| !s.is_empty())
    }

    /// `email` when it is a non-empty string.
    pub fn email(&self) -> Option<&str> {
        self.string(EMAIL).filter(|s| !s.is_empty())
    }

    /// `plan` when it is a non-empty string.
    pub fn plan(&self) -> Option<&str> {
        self.string(PLAN).filter(|s| !s.is_empty())
    }

    /// `enabled !== false`.
    pub fn is_enabled(&self) -> bool {
        !matches!(self.slot(ENABLED), Some(Slot::Json(Value::Bool(false))))
    }

    /// The access token.
    pub fn access(&self) -> Option<&Secret<String>> {
        self.secret(ACCESS)
    }

    /// The refresh token.
    pub fn refresh(&self) -> Option<&Secret<String>> {
        self.secret(REFRESH)
    }

    /// Whether a non-blank refresh token is present.
    pub fn has_refresh(&self) -> bool {
        self.refresh()
            .is_some_and(|r| !codex_js::trim(r.expose()).is_empty())
    }

    /// `expires` (epoch ms).
    pub fn expires(&self) -> Option<f64> {
        self.number(EXPIRES)
    }

    /// `refreshLeaseUntil` (epoch ms).
    pub fn refresh_lease_until(&self) -> Option<f64> {
        self.number(REFRESH_LEASE_UNTIL)
    }

    /// `cooldownUntil` (epoch ms).
    pub fn cooldown_until(&self) -> Option<f64> {
        self.number(COOLDOWN_UNTIL)
    }

    /// `lastUsed` (epoch ms).
    pub fn last_used(&self) -> Option<f64> {
        self.number(LAST_USED)
    }

    /// `authTypes`, normalized.
    pub fn auth_types(&self) -> Vec<Domain> {
        match self.slot(AUTH_TYPES) {
            Some(Slot::Json(v)) => normalize_auth_types(Some(v)),
            _ => normalize_auth_types(None),
        }
    }

    /// The strict `accountId|email|plan` key its fields make, if complete.
    pub fn strict_identity(&self) -> Option<String> {
        build_identity_key(
            self.string(ACCOUNT_ID),
            self.string(EMAIL),
            self.string(PLAN),
        )
    }

    /// Eligible for selection at `now` (reference 6.1).
    pub fn is_eligible(&self, now_ms: f64) -> bool {
        self.is_enabled()
            && !self.cooldown_until().is_some_and(|c| c > now_ms)
            && !self.refresh_lease_until().is_some_and(|l| l > now_ms)
    }

    /// Sets `enabled`.
    pub fn set_enabled(&mut self, enabled: bool) {
        self.set_slot(ENABLED, Slot::Json(Value::Bool(enabled)));
    }

    /// Sets the access token.
    pub fn set_access(&mut self, token: Secret<String>) {
        self.set_slot(ACCESS, Slot::Secret(Arc::new(token)));
    }

    /// Sets the refresh token.
    pub fn set_refresh(&mut self, token: Secret<String>) {
        self.set_slot(REFRESH, Slot::Secret(Arc::new(token)));
    }

    /// Sets `expires`.
    pub fn set_expires(&mut self, ms: f64) {
        self.set_number(EXPIRES, ms);
    }

    /// Sets `cooldownUntil`.
    pub fn set_cooldown_until(&mut self, ms: f64) {
        self.set_number(COOLDOWN_UNTIL, ms);
    }

    /// Sets `refreshLeaseUntil`.
    pub fn set_refresh_lease_until(&mut self, ms: f64) {
        self.set_number(REFRESH_LEASE_UNTIL, ms);
    }

    /// Sets `lastUsed`.
    pub fn set_last_used(&mut self, ms: f64) {
        self.set_number(LAST_USED, ms);
    }

    /// Sets `accountId` (as given; normalization trims it).
    pub fn set_account_id(&mut self, v: &str) {
        self.set_string(ACCOUNT_ID, Some(v.to_string()));
    }

    /// Sets `email` (normalization lowercases it).
    pub fn set_email(&mut self, v: &str) {
        self.set_string(EMAIL, Some(v.to_string()));
    }

    /// Sets `plan` (normalization lowercases it).
    pub fn set_plan(&mut self, v: &str) {
        self.set_string(PLAN, Some(v.to_string()));
    }

    /// Sets `identityKey`.
    pub fn set_identity_key(&mut self, v: &str) {
        self.set_string(IDENTITY_KEY, Some(v.to_string()));
    }

    /// Sets `authTypes`.
    pub fn set_auth_types(&mut self, types: &[Domain]) {
        let same = match self.slot(AUTH_TYPES) {
            Some(Slot::Json(Value::Array(items))) => {
                items.len() == types.len()
                    && items
                        .iter()
                        .zip(types)
                        .all(|(v, d)| v.as_str() == Some(d.as_str()))
            }
            _ => false,
        };
        if !same {
            self.set_slot(AUTH_TYPES, Slot::Json(auth_types_value(types)));
        }
    }

    /// Removes a field (`delete record.field`).
    pub fn remove_field(&mut self, key: &str) {
        self.delete(key);
    }

    /// The plugin's `normalizeAccountRecord`: fill missing `accountId`/`email`/`plan` from the
    /// access token's claims, lowercase email and plan, trim the account id, synchronize the
    /// identity key, and set `authTypes` to `[mode]` (or normalize it without a mode).
    ///
    /// Records are normalized several times per save (on read, before writing, and as
    /// aggregate copies), so steps that would store a value equal to the current one are
    /// skipped; the result is the same.
    pub(crate) fn normalize(&mut self, mode: Option<Domain>) {
        let missing = |a: &Self| !a.truthy(ACCOUNT_ID) || !a.truthy(EMAIL) || !a.truthy(PLAN);
        // Claims only fill missing fields: decode the JWT only when one is missing.
        if missing(self) {
            let claims = match self.string(ACCESS) {
                Some(a) if !a.is_empty() => jwt::claims(a).unwrap_or_default(),
                _ => jwt::Claims::default(),
            };
            if !self.truthy(ACCOUNT_ID) {
                self.set_string(ACCOUNT_ID, claims.account_id);
            }
            if !self.truthy(EMAIL) {
                self.set_string(EMAIL, claims.email);
            }
            if !self.truthy(PLAN) {
                self.set_string(PLAN, claims.plan);
            }
        }
        self.normalize_lower_field(EMAIL);
        self.normalize_lower_field(PLAN);
        if self.truthy(ACCOUNT_ID) {
            match self.string(ACCOUNT_ID) {
                Some(id) if codex_js::trim(id).len() == id.len() => {}
                other => {
                    let trimmed = other.map(|s| codex_js::trim(s).to_string());
                    self.set_string(ACCOUNT_ID, trimmed);
                }
            }
        }
        self.synchronize_identity();
        match mode {
            Some(m) => self.set_auth_types(&[m]),
            None => {
                let types = self.auth_types();
                self.set_auth_types(&types);
            }
        }
    }

    /// `normalizeEmail` / `normalizePlan` applied to the field `key` in place.
    fn normalize_lower_field(&mut self, key: &str) {
        if matches!(self.slot(key), Some(Slot::Json(Value::String(s))) if is_plain_lower(s)) {
            return;
        }
        let v = normalize_lower(self.string(key).filter(|s| !s.is_empty()));
        self.set_string(key, v);
    }

    /// Whether the identity key is already `accountId|email|plan` of normalized fields, in
    /// which case `synchronizeIdentityKey` keeps it (checked without building the key).
    fn identity_is_current(&self) -> bool {
        let (Some(Slot::Json(Value::String(email))), Some(Slot::Json(Value::String(plan)))) =
            (self.slot(EMAIL), self.slot(PLAN))
        else {
            return false;
        };
        let (Some(id), Some(key)) = (self.string(ACCOUNT_ID), self.string(IDENTITY_KEY)) else {
            return false;
        };
        let id = codex_js::trim(id);
        !id.is_empty()
            && is_plain_lower(email)
            && is_plain_lower(plan)
            && key
                .strip_prefix(id)
                .and_then(|r| r.strip_prefix('|'))
                .and_then(|r| r.strip_prefix(email.as_str()))
                .and_then(|r| r.strip_prefix('|'))
                == Some(plan.as_str())
    }

    /// `synchronizeIdentityKey`.
    pub(crate) fn synchronize_identity(&mut self) {
        if self.identity_is_current() {
            return;
        }
        // Without a strict identity, synchronizeIdentityKey returns the current key: no change.
        let current = self.string(IDENTITY_KEY).filter(|s| !s.is_empty());
        let next = synchronize_identity_key(
            current,
            self.string(ACCOUNT_ID),
            self.string(EMAIL),
            self.string(PLAN),
        );
        if next.as_deref() != current {
            self.set_string(IDENTITY_KEY, next);
        }
    }

    /// `ensureIdentityKey`: set the strict key (or `undefined`) when the key is falsy.
    pub(crate) fn ensure_identity_key(&mut self) {
        if !self.truthy(IDENTITY_KEY) {
            let k = self.strict_identity();
            self.set_string(IDENTITY_KEY, k);
        }
    }

    /// Builds a record from pairs in order (crate-internal constructor for migrations).
    pub(crate) fn push_string(&mut self, key: &str, v: Option<String>) {
        self.set_string(key, v);
    }

    pub(crate) fn push_json(&mut self, key: &str, v: Value) {
        self.set_slot(key, Slot::Json(v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn debug_never_shows_tokens() {
        let a = Account::from_json(
            json!({"access": "at_secret", "refresh": "rt_secret", "email": "a@b.c", "x": "other"}),
            || "r".to_string(),
        )
        .expect("parse");
        let s = format!("{a:?} {a:#?}");
        assert!(!s.contains("at_secret") && !s.contains("rt_secret"), "{s}");
        assert!(!s.contains("other"), "{s}");
        assert!(s.contains("[redacted]"), "{s}");
    }

    #[test]
    fn wrong_types_are_reported_with_their_path() {
        let e = Account::from_json(json!({"expires": "soon"}), || {
            "openai.native.accounts[0]".to_string()
        })
        .expect_err("shape");
        assert_eq!(e.at, "openai.native.accounts[0].expires");
        assert_eq!((e.expected, e.found), ("a number", "string"));
        assert!(
            Account::from_json(json!({"enabled": null, "email": null}), || "r".to_string()).is_ok()
        );
        assert!(Account::from_json(json!([1]), || "r".to_string()).is_err());
    }

    #[test]
    fn spread_keeps_positions_and_copies_undefined() {
        let mut a = Account::from_json(json!({"a": 1, "email": "x@y.z", "b": 2}), || {
            "r".to_string()
        })
        .expect("a");
        let mut b = Account::new();
        b.push_string(EMAIL, None);
        b.push_json("c", json!(3));
        a.spread(&b);
        assert_eq!(a.keys().collect::<Vec<_>>(), ["a", "email", "b", "c"]);
        assert_eq!(a.to_json(), json!({"a": 1, "b": 2, "c": 3}));
    }

    #[test]
    fn normalize_orders_new_keys_like_the_plugin() {
        let mut a = Account::from_json(
            json!({"refresh": "rt", "email": " One@Example.COM "}),
            || "r".to_string(),
        )
        .expect("a");
        a.normalize(Some(Domain::Codex));
        assert_eq!(
            a.keys().collect::<Vec<_>>(),
            ["refresh", "email", "accountId", "plan", "authTypes"]
        );
        assert_eq!(
            a.to_json(),
            json!({"refresh": "rt", "email": "one@example.com", "authTypes": ["codex"]})
        );
    }

    /// `normalize` as it was written before it learned to skip no-op steps: the reference.
    fn normalize_reference(a: &mut Account, mode: Option<Domain>) {
        let claims = match a.string(ACCESS) {
            Some(t) if !t.is_empty() => jwt::claims(t).unwrap_or_default(),
            _ => jwt::Claims::default(),
        };
        if !a.truthy(ACCOUNT_ID) {
            a.set_string(ACCOUNT_ID, claims.account_id);
        }
        if !a.truthy(EMAIL) {
            a.set_string(EMAIL, claims.email);
        }
        if !a.truthy(PLAN) {
            a.set_string(PLAN, claims.plan);
        }
        let email = normalize_lower(a.string(EMAIL).filter(|s| !s.is_empty()));
        a.set_string(EMAIL, email);
        let plan = normalize_lower(a.string(PLAN).filter(|s| !s.is_empty()));
        a.set_string(PLAN, plan);
        if a.truthy(ACCOUNT_ID) {
            let trimmed = a.string(ACCOUNT_ID).map(|s| codex_js::trim(s).to_string());
            a.set_string(ACCOUNT_ID, trimmed);
        }
        if a.strict_identity().is_some() {
            let current = a.string(IDENTITY_KEY).filter(|s| !s.is_empty());
            let next = synchronize_identity_key(
                current,
                a.string(ACCOUNT_ID),
                a.string(EMAIL),
                a.string(PLAN),
            );
            if next.as_deref() != current {
                a.set_string(IDENTITY_KEY, next);
            }
        }
        let types = match mode {
            Some(m) => vec![m],
            None => a.auth_types(),
        };
        a.set_slot(AUTH_TYPES, Slot::Json(auth_types_value(&types)));
    }

    #[test]
    fn normalize_matches_the_reference_on_a_grid_of_records() {
        use base64::Engine;
        let jwt = |payload: &str| {
            let p = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload);
            format!("eyJhbGciOiJub25lIn0.{p}.sig")
        };
        let full = jwt(r#"{"chatgpt_account_id":"acc_j","email":"J@X.y","plan":"Team"}"#);
        let partial = jwt(r#"{"email":"k@x.y"}"#);
        let ids = [
            None,
            Some(json!(null)),
            Some(json!("")),
            Some(json!(" id1 ")),
            Some(json!("id1")),
        ];
        let emails = [
            None,
            Some(json!("")),
            Some(json!(" A@B.c ")),
            Some(json!("a@b.c")),
            Some(json!("\u{feff}É@x.y")),
        ];
        let plans = [
            None,
            Some(json!("Plus")),
            Some(json!("plus")),
            Some(json!(" ")),
        ];
        let keys = [
            None,
            Some(json!("")),
            Some(json!("id1|a@b.c|plus")),
            Some(json!("legacy|x|y|z")),
            Some(json!("custom")),
        ];
        let access = [
            None,
            Some(json!("")),
            Some(json!(full)),
            Some(json!(partial)),
        ];
        let types = [
            None,
            Some(json!(["codex"])),
            Some(json!(["x", "native", "codex"])),
        ];
        let modes = [None, Some(Domain::Native), Some(Domain::Codex)];
        let mut n = 0;
        for id in &ids {
            for email in &emails {
                for plan in &plans {
                    for key in &keys {
                        for at in &access {
                            for ty in &types {
                                let mut obj = serde_json::Map::new();
                                obj.insert("refresh".into(), json!("rt"));
                                for (k, v) in [
                                    (ACCESS, at),
                                    (ACCOUNT_ID, id),
                                    (EMAIL, email),
                                    (PLAN, plan),
                                    (IDENTITY_KEY, key),
                                    (AUTH_TYPES, ty),
                                ] {
                                    if let Some(v) = v {
                                        obj.insert(k.into(), v.clone());
                                    }
                                }
                                let a = Account::from_json(Value::Object(obj), String::new)
                                    .expect("record");
                                for mode in modes {
                                    let (mut got, mut want) = (a.clone(), a.clone());
                                    got.normalize(mode);
                                    normalize_reference(&mut want, mode);
                                    assert_eq!(got, want, "{a:?} {mode:?}");
                                    // And again, as the store normalizes records repeatedly.
                                    got.normalize(mode);
                                    normalize_reference(&mut want, mode);
                                    assert_eq!(got, want, "{a:?} {mode:?} (twice)");
                                    n += 1;
                                }
                            }
                        }
                    }
                }
            }
        }
        assert_eq!(n, 5 * 5 * 4 * 5 * 4 * 3 * 3);
    }
}
