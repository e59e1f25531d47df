//! The content of `codex-accounts.json`: parsing, migration, normalization, serialization.
//!
//! The `native` and `codex` domains are the truth ([`OauthState`]); the aggregate
//! `openai.accounts` / `openai.activeIdentityKey` is regenerated from them on every write,
//! exactly as the plugin's `normalizeOpenAIOAuthState` does (reference 4.3): records are
//! merged by identity key (or by `legacy|…` fingerprint, with `|dup:n` suffixes), the copy
//! with the larger `expires` wins the fields it defines, `authTypes` is the union and
//! `enabled` is true if either copy is enabled. Legacy single-account and legacy v4 shapes are
//! migrated on read (4.3, 4.6). For `codex-accounts.json` every root key other than `openai`
//! is dropped; other file names keep theirs. Output is `JSON.stringify(v, null, 2) + "\n"`.

use codex_redact::MaskedDebug;
use std::borrow::Cow;
use std::collections::HashMap;

use crate::domain::Domain;
use crate::jwt;
use serde_json::{Map, Value};

use crate::account::{
    normalize_auth_types, Account, ShapeIssue, ACCESS, ACCOUNT_ID, AUTH_TYPES, COOLDOWN_UNTIL,
    EMAIL, ENABLED, EXPIRES, IDENTITY_KEY, LAST_USED, PLAN, REFRESH,
};
use crate::identity::legacy_fingerprint;
use crate::json::{
    to_js_pretty, truthy, type_name, write_string, write_value, Compare, Pretty, Text,
};

/// Why a text is not a `codex-accounts.json` (or cache file) the plugin could use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// A field with a type the plugin cannot handle.
    #[error("{}: expected {}, found {}", .0.at, .0.expected, .0.found)]
    Shape(ShapeIssue),
    /// Not JSON at all.
    #[error("not valid JSON: {0}")]
    NotJson(String),
}

/// The file name whose root is reduced to `openai` on every write.
pub const CODEX_ACCOUNTS_FILE: &str = "codex-accounts.json";

/// One domain (`openai.native` or `openai.codex`). `Debug` masks the active key (the
/// records mask their own identities).
#[derive(Clone, Default, PartialEq)]
pub struct DomainState {
    pub(crate) strategy: Option<Value>,
    pub(crate) accounts: Vec<Account>,
    pub(crate) active: Option<String>,
}

impl std::fmt::Debug for DomainState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DomainState")
            .field("strategy", &self.strategy)
            .field("accounts", &self.accounts)
            .field("active", &MaskedDebug::Key(self.active.as_deref()))
            .finish()
    }
}

impl DomainState {
    /// Records in file order.
    pub fn accounts(&self) -> &[Account] {
        &self.accounts
    }

    /// Records, mutable. The next normalization re-derives identity keys and the active key.
    pub fn accounts_mut(&mut self) -> &mut Vec<Account> {
        &mut self.accounts
    }

    /// `activeIdentityKey`.
    pub fn active(&self) -> Option<&str> {
        self.active.as_deref()
    }

    /// Sets `activeIdentityKey` (kept only if it names an enabled record).
    pub fn set_active(&mut self, key: Option<String>) {
        self.active = key;
    }

    /// `strategy`, when it is a string.
    pub fn strategy(&self) -> Option<&str> {
        self.strategy.as_ref().and_then(Value::as_str)
    }

    /// Index of the enabled-or-not record whose identity key is `key`.
    pub fn position(&self, key: &str) -> Option<usize> {
        self.accounts
            .iter()
            .position(|a| a.identity_key() == Some(key))
    }

    fn health(&mut self, mode: Domain) {
        for a in &mut self.accounts {
            a.normalize(Some(mode));
        }
        let keep = self.active.as_deref().is_some_and(|k| {
            !k.is_empty()
                && self
                    .accounts
                    .iter()
                    .any(|a| a.string(IDENTITY_KEY) == Some(k) && a.is_enabled())
        });
        if !keep {
            self.active = self
                .accounts
                .iter()
                .find(|a| a.is_enabled() && a.identity_key().is_some())
                .and_then(|a| a.identity_key().map(str::to_string));
        }
    }

    /// Writes [`DomainState::to_json`]'s text at nesting `level`.
    fn write_pretty(&self, out: &mut impl Text, level: usize) {
        let mut obj = Pretty::object(level);
        if let Some(s) = &self.strategy {
            obj.key(out, "strategy");
            write_value(out, s, obj.inner());
        }
        obj.key(out, "accounts");
        write_accounts(out, &self.accounts, obj.inner());
        if let Some(a) = &self.active {
            obj.key(out, "activeIdentityKey");
            write_string(out, a);
        }
        obj.end(out);
    }

    fn to_json(&self) -> Value {
        let mut m = Map::new();
        if let Some(s) = &self.strategy {
            m.insert("strategy".into(), s.clone());
        }
        m.insert(
            "accounts".into(),
            Value::Array(self.accounts.iter().map(Account::to_json).collect()),
        );
        if let Some(a) = &self.active {
            m.insert("activeIdentityKey".into(), Value::String(a.clone()));
        }
        Value::Object(m)
    }
}

/// Merged records in first-seen order, with an index by merge key.
#[derive(Default)]
struct Bucket<'a> {
    records: Vec<Account>,
    index: HashMap<Cow<'a, str>, usize>,
}

/// The aggregate view the plugin writes to `openai.accounts`. `Debug` masks the active key.
#[derive(Clone, Default)]
pub struct Aggregate {
    /// `strategy` = native's ?? codex's.
    pub strategy: Option<Value>,
    /// Merged records, identity-keyed first, then fingerprinted ones.
    pub accounts: Vec<Account>,
    /// Aggregate `activeIdentityKey`.
    pub active: Option<String>,
}

impl std::fmt::Debug for Aggregate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Aggregate")
            .field("strategy", &self.strategy)
            .field("accounts", &self.accounts)
            .field("active", &MaskedDebug::Key(self.active.as_deref()))
            .finish()
    }
}

/// The normalized OAuth entry: the two domains plus the in-memory top-level `strategy`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OauthState {
    pub(crate) strategy: Option<Value>,
    pub(crate) native: Option<DomainState>,
    pub(crate) codex: Option<DomainState>,
}

fn nullish_or<'a>(a: Option<&'a Value>, b: Option<&'a Value>) -> Option<&'a Value> {
    match a {
        Some(v) if !v.is_null() => Some(v),
        _ => b,
    }
}

impl OauthState {
    /// A fresh state with an empty `native` domain (`ensureMultiOauthState`).
    pub fn empty() -> Self {
        let mut s = OauthState {
            strategy: None,
            native: Some(DomainState::default()),
            codex: None,
        };
        s.normalize();
        s
    }

    /// The state read from a file with domains (`openai.strategy` and the domains as read).
    pub(crate) fn from_domains(
        strategy: Option<Value>,
        native: Option<DomainState>,
        codex: Option<DomainState>,
    ) -> Self {
        let mut s = OauthState {
            strategy,
            native,
            codex,
        };
        s.normalize();
        s
    }

    /// One domain.
    pub fn domain(&self, d: Domain) -> Option<&DomainState> {
        match d {
            Domain::Native => self.native.as_ref(),
            Domain::Codex => self.codex.as_ref(),
        }
    }

    /// One domain, mutable.
    pub fn domain_mut(&mut self, d: Domain) -> Option<&mut DomainState> {
        match d {
            Domain::Native => self.native.as_mut(),
            Domain::Codex => self.codex.as_mut(),
        }
    }

    /// `ensureOpenAIOAuthDomain`: the domain, created (inheriting the merged strategy) when
    /// missing.
    pub fn ensure_domain(&mut self, d: Domain) -> &mut DomainState {
        self.normalize();
        let strategy = self.strategy.clone();
        let slot = match d {
            Domain::Native => &mut self.native,
            Domain::Codex => &mut self.codex,
        };
        if slot.is_none() {
            *slot = Some(DomainState {
                strategy,
                accounts: Vec::new(),
                active: None,
            });
            self.normalize();
        }
        let slot = match d {
            Domain::Native => &mut self.native,
            Domain::Codex => &mut self.codex,
        };
        slot.get_or_insert_with(DomainState::default)
    }

    /// Present domains in the plugin's order.
    pub fn domains(&self) -> impl Iterator<Item = (Domain, &DomainState)> {
        Domain::ALL
            .into_iter()
            .filter_map(move |d| self.domain(d).map(|s| (d, s)))
    }

    /// Sets the top-level `strategy`; domains without one inherit it at normalization.
    pub fn set_default_strategy(&mut self, strategy: &str) {
        self.strategy = Some(Value::String(strategy.to_string()));
    }

    /// `normalizeOpenAIOAuthState` over the domains: strategy inheritance, record
    /// normalization, active-key health. The top-level strategy becomes the merged one.
    pub fn normalize(&mut self) {
        let top = self.strategy.clone();
        for (d, slot) in [
            (Domain::Native, &mut self.native),
            (Domain::Codex, &mut self.codex),
        ] {
            if let Some(dom) = slot {
                if dom.strategy.is_none() && top.is_some() {
                    dom.strategy = top.clone();
                }
                dom.health(d);
            }
        }
        self.strategy = self.merged_strategy();
    }

    fn merged_strategy(&self) -> Option<Value> {
        nullish_or(
            self.native.as_ref().and_then(|d| d.strategy.as_ref()),
            self.codex.as_ref().and_then(|d| d.strategy.as_ref()),
        )
        .cloned()
    }

    /// `mergeDomainAccounts`: the aggregate view.
    pub fn aggregate(&self) -> Aggregate {
        // Records merge into the bucket of their identity key, or of their fingerprint when
        // they have none.
        let mut buckets: [Bucket; 2] = Default::default();
        for (mode, dom) in self.domains() {
            for account in &dom.accounts {
                let (key, Bucket { records, index }) = match account.identity_key() {
                    Some(k) => (Cow::Borrowed(k), &mut buckets[0]),
                    None => (
                        Cow::Owned(legacy_fingerprint(
                            account.string(ACCOUNT_ID),
                            account.string(EMAIL),
                            account.string(PLAN),
                        )),
                        &mut buckets[1],
                    ),
                };
                match index.get(&key) {
                    None => {
                        let mut copy = account.clone();
                        copy.set_auth_types(&[mode]);
                        index.insert(key, records.len());
                        records.push(copy);
                    }
                    Some(&i) => {
                        let existing = &mut records[i];
                        let mut types = existing.auth_types();
                        types.push(mode);
                        let types =
                            normalize_auth_types(Some(&crate::account::auth_types_value(&types)));
                        let prefer_incoming = account.expires().unwrap_or(f64::NEG_INFINITY)
                            > existing.expires().unwrap_or(f64::NEG_INFINITY);
                        let enabled = existing.is_enabled() || account.is_enabled();
                        let (primary, mut merged) = if prefer_incoming {
                            (account.clone(), existing.clone())
                        } else {
                            (existing.clone(), account.clone())
                        };
                        merged.spread(&primary);
                        merged.set_auth_types(&types);
                        merged.set_enabled(enabled);
                        *existing = merged;
                    }
                }
            }
        }
        let [by_identity, by_fingerprint] = buckets;
        let mut accounts = by_identity.records;
        accounts.extend(by_fingerprint.records);
        let mut seen: Vec<(String, usize)> = Vec::new();
        for a in &mut accounts {
            a.normalize(None);
            if a.truthy(IDENTITY_KEY) {
                continue;
            }
            let fp = legacy_fingerprint(a.string(ACCOUNT_ID), a.string(EMAIL), a.string(PLAN));
            let n = match seen.iter_mut().find(|(k, _)| *k == fp) {
                Some((_, n)) => {
                    *n += 1;
                    *n
                }
                None => {
                    seen.push((fp.clone(), 1));
                    1
                }
            };
            let key = if n > 1 { format!("{fp}|dup:{n}") } else { fp };
            a.set_identity_key(&key);
        }
        let enabled_with = |k: &str| {
            accounts
                .iter()
                .any(|a| a.string(IDENTITY_KEY) == Some(k) && a.is_enabled())
        };
        let native_active = self.native.as_ref().and_then(|d| d.active.as_deref());
        let codex_active = self.codex.as_ref().and_then(|d| d.active.as_deref());
        let active = match (native_active, codex_active) {
            (Some(k), _) if enabled_with(k) => Some(k.to_string()),
            (_, Some(k)) if enabled_with(k) => Some(k.to_string()),
            _ => accounts
                .iter()
                .find(|a| a.is_enabled() && a.truthy(IDENTITY_KEY))
                .and_then(|a| a.string(IDENTITY_KEY).map(str::to_string)),
        };
        Aggregate {
            strategy: self.merged_strategy(),
            accounts,
            active,
        }
    }

    /// The `openai` object as the plugin writes it.
    pub(crate) fn to_json(&self) -> Value {
        let agg = self.aggregate();
        let mut m = Map::new();
        m.insert("type".into(), Value::String("oauth".into()));
        if let Some(s) = agg.strategy {
            m.insert("strategy".into(), s);
        }
        m.insert(
            "accounts".into(),
            Value::Array(agg.accounts.iter().map(Account::to_json).collect()),
        );
        if let Some(a) = agg.active {
            m.insert("activeIdentityKey".into(), Value::String(a));
        }
        if let Some(d) = &self.native {
            m.insert("native".into(), d.to_json());
        }
        if let Some(d) = &self.codex {
            m.insert("codex".into(), d.to_json());
        }
        Value::Object(m)
    }

    /// Writes the first part of [`OauthState::to_json`]'s text at nesting `level`: the
    /// object's opening and the members before the domains (the aggregate view).
    fn write_head(&self, out: &mut impl Text, level: usize) {
        let agg = self.aggregate();
        let mut obj = Pretty::object(level);
        obj.key(out, "type");
        write_string(out, "oauth");
        if let Some(s) = &agg.strategy {
            obj.key(out, "strategy");
            write_value(out, s, obj.inner());
        }
        obj.key(out, "accounts");
        write_accounts(out, &agg.accounts, obj.inner());
        if let Some(a) = &agg.active {
            obj.key(out, "activeIdentityKey");
            write_string(out, a);
        }
    }

    /// Writes the rest: the domains and the closing brace (the object has members: `type`).
    fn write_tail(&self, out: &mut impl Text, level: usize) {
        let mut obj = Pretty::continued_object(level);
        for (name, dom) in [("native", &self.native), ("codex", &self.codex)] {
            if let Some(d) = dom {
                obj.key(out, name);
                d.write_pretty(out, obj.inner());
            }
        }
        obj.end(out);
    }

    /// Whether some domain record has a non-blank refresh token (`hasUsableOpenAIOAuth`).
    pub fn has_usable_oauth(&self) -> bool {
        self.domains()
            .any(|(_, d)| d.accounts.iter().any(Account::has_refresh))
    }
}

/// What the `openai` root key holds.
#[derive(Clone, PartialEq)]
pub enum OpenAi {
    /// No (truthy) `openai` key.
    Absent,
    /// An OAuth entry this crate understands.
    Oauth(Box<OauthState>),
    /// Something else (an API-key entry, an unrecognized shape): preserved verbatim.
    Raw(Value),
}

impl std::fmt::Debug for OpenAi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OpenAi::Absent => f.write_str("Absent"),
            OpenAi::Oauth(s) => f.debug_tuple("Oauth").field(s).finish(),
            // An unrecognized entry may hold an API key: show its type only.
            OpenAi::Raw(v) => write!(f, "Raw(<{}>)", type_name(v)),
        }
    }
}

/// A parsed store file.
#[derive(Clone, PartialEq)]
pub struct AuthState {
    pub(crate) openai: OpenAi,
    /// Root for files other than `codex-accounts.json` (order and extra keys kept).
    pub(crate) root: Option<Map<String, Value>>,
}

impl std::fmt::Debug for AuthState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthState")
            .field("openai", &self.openai)
            // Other root keys (other providers' credentials) are shown by name only.
            .field(
                "root_keys",
                &self.root.as_ref().map(|r| r.keys().collect::<Vec<_>>()),
            )
            .finish()
    }
}

impl AuthState {
    /// An empty file (`{}`).
    pub fn empty(openai_only: bool) -> Self {
        AuthState {
            openai: OpenAi::Absent,
            root: if openai_only { None } else { Some(Map::new()) },
        }
    }

    /// The `openai` entry.
    pub fn openai(&self) -> &OpenAi {
        &self.openai
    }

    /// The `openai` entry, mutable (the store creates an empty OAuth entry in it).
    pub fn openai_mut(&mut self) -> &mut OpenAi {
        &mut self.openai
    }

    /// The `openai` entry, taken out.
    pub fn into_openai(self) -> OpenAi {
        self.openai
    }

    /// The OAuth state, if the file has one.
    pub fn oauth(&self) -> Option<&OauthState> {
        match &self.openai {
            OpenAi::Oauth(s) => Some(s),
            _ => None,
        }
    }

    /// The OAuth state, mutable.
    pub fn oauth_mut(&mut self) -> Option<&mut OauthState> {
        match &mut self.openai {
            OpenAi::Oauth(s) => Some(s),
            _ => None,
        }
    }

    /// Interprets a parsed root object. `openai_only` is true for `codex-accounts.json`.
    pub fn from_root(mut root: Map<String, Value>, openai_only: bool) -> Result<Self, ShapeIssue> {
        if let Some(state) = migrate_legacy_v4(&root) {
            // The migrated file is `{openai}` whatever the name.
            return Ok(AuthState {
                openai: OpenAi::Oauth(Box::new(state)),
                root: if openai_only { None } else { Some(Map::new()) },
            });
        }
        if !openai_only {
            // The root is kept as read (the entry keeps its place), so parse a copy.
            let openai = match root.get("openai") {
                Some(v) if truthy(Some(v)) => parse_openai(v.clone())?,
                _ => OpenAi::Absent,
            };
            return Ok(AuthState {
                openai,
                root: Some(root),
            });
        }
        let openai = match root.remove("openai") {
            Some(v) if truthy(Some(&v)) => parse_openai(v)?,
            _ => OpenAi::Absent,
        };
        Ok(AuthState { openai, root: None })
    }

    /// Normalizes the OAuth state (the plugin does this before every save).
    pub fn normalize(&mut self) {
        if let OpenAi::Oauth(s) = &mut self.openai {
            s.normalize();
        }
    }

    /// The root value as the plugin would write it.
    pub fn to_value(&self) -> Value {
        let openai = match &self.openai {
            OpenAi::Absent => None,
            OpenAi::Oauth(s) => Some(s.to_json()),
            OpenAi::Raw(v) => Some(v.clone()),
        };
        let mut out = Map::new();
        match &self.root {
            None => {
                if let Some(o) = openai {
                    out.insert("openai".into(), o);
                }
            }
            Some(root) => {
                for (k, v) in root {
                    if k == "openai" {
                        match &openai {
                            Some(o) => out.insert(k.clone(), o.clone()),
                            None => out.insert(k.clone(), v.clone()),
                        };
                    } else {
                        out.insert(k.clone(), v.clone());
                    }
                }
                if let (Some(o), false) = (openai, root.contains_key("openai")) {
                    out.insert("openai".into(), o);
                }
            }
        }
        Value::Object(out)
    }

    /// The file text: `JSON.stringify(value, null, 2) + "\n"`.
    pub fn to_file_string(&self) -> String {
        let mut out = String::new();
        self.write_file(&mut out);
        out
    }

    /// Writes the file text to `out`. For `codex-accounts.json` (the hot path) the text is
    /// written straight from the typed state; it is byte for byte
    /// `to_js_pretty(&self.to_value())`, which other files (whose extra root keys keep their
    /// places) still go through.
    pub(crate) fn write_file(&self, out: &mut impl Text) {
        if self.write_head(out) {
            self.write_tail(out);
        }
    }

    /// Writes the file text to `out` and returns where its second part begins (see
    /// [`AuthState::writes`]), if it has one.
    pub fn write_file_split(&self, out: &mut String) -> Option<usize> {
        if !self.write_head(out) {
            return None;
        }
        let at = out.len();
        self.write_tail(out);
        Some(at)
    }

    /// Whether this state's file text is exactly `text`, which another state's
    /// [`AuthState::write_file_split`] wrote and split at `split`.
    ///
    /// An OAuth entry's text has two parts: the aggregate view, then the domains it is
    /// derived from. Equal texts split at the same place (the first `native` or `codex`
    /// member of `openai`), so the domains are compared first: when they differ, as after
    /// most edits, the answer is known without deriving this state's aggregate.
    pub fn writes(&self, text: &str, split: Option<usize>) -> bool {
        let parts = split.and_then(|at| text.split_at_checked(at));
        if let (Some((head, tail)), None, OpenAi::Oauth(_)) = (parts, &self.root, &self.openai) {
            let mut rest = Compare::new(tail);
            self.write_tail(&mut rest);
            if !rest.matched() {
                return false;
            }
            let mut first = Compare::new(head);
            return self.write_head(&mut first) && first.matched();
        }
        let mut all = Compare::new(text);
        self.write_file(&mut all);
        all.matched()
    }

    /// Writes the file text up to an OAuth entry's domains, or all of it for any other
    /// content. True when [`AuthState::write_tail`] must follow.
    fn write_head(&self, out: &mut impl Text) -> bool {
        if self.root.is_some() {
            out.push_str(&to_js_pretty(&self.to_value()));
            return false;
        }
        let mut obj = Pretty::object(0);
        match &self.openai {
            OpenAi::Absent => {}
            OpenAi::Oauth(s) => {
                obj.key(out, "openai");
                s.write_head(out, obj.inner());
                return true;
            }
            OpenAi::Raw(v) => {
                obj.key(out, "openai");
                write_value(out, v, obj.inner());
            }
        }
        obj.end(out);
        out.push('\n');
        false
    }

    /// Writes the rest of an OAuth entry's file text: its domains and the closing braces.
    fn write_tail(&self, out: &mut impl Text) {
        if let OpenAi::Oauth(s) = &self.openai {
            s.write_tail(out, 1);
            Pretty::continued_object(0).end(out);
            out.push('\n');
        }
    }
}

fn write_accounts(out: &mut impl Text, accounts: &[Account], level: usize) {
    let mut arr = Pretty::array(level);
    for a in accounts {
        if !out.open() {
            // A comparison already failed: the rest cannot change the outcome.
            break;
        }
        arr.item(out);
        a.write_pretty(out, arr.inner());
    }
    arr.end(out);
}

fn parse_openai(v: Value) -> Result<OpenAi, ShapeIssue> {
    let o = match v {
        Value::Object(o) => o,
        other => return Ok(OpenAi::Raw(other)),
    };
    if o.get("type").and_then(Value::as_str) != Some("oauth") {
        return Ok(OpenAi::Raw(Value::Object(o)));
    }
    let is_domain = |k: &str| {
        o.get(k)
            .and_then(Value::as_object)
            .is_some_and(|d| d.get("accounts").is_some_and(Value::is_array))
    };
    let multi =
        o.get("accounts").is_some_and(Value::is_array) || is_domain("native") || is_domain("codex");
    if multi {
        return parse_multi(o).map(|s| OpenAi::Oauth(Box::new(s)));
    }
    let legacy = o.get("refresh").is_some_and(Value::is_string)
        && o.get("access").is_some_and(Value::is_string)
        && o.get("expires").is_some_and(Value::is_number);
    if legacy {
        return migrate_single(&o).map(|s| OpenAi::Oauth(Box::new(s)));
    }
    Ok(OpenAi::Raw(Value::Object(o)))
}

/// Parses the domain `name`, taking it out of `o` (whose values are not needed afterwards).
fn parse_domain(o: &mut Map<String, Value>, name: &str) -> Result<Option<DomainState>, ShapeIssue> {
    let at = || format!("openai.{name}");
    let mut d = match o.remove(name) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Object(d)) => d,
        Some(raw) => {
            return Err(ShapeIssue {
                at: at(),
                expected: "an object with an `accounts` array",
                found: type_name(&raw),
            })
        }
    };
    let accounts = parse_records(d.remove("accounts"), || format!("{}.accounts", at()))?;
    Ok(Some(DomainState {
        strategy: d.remove("strategy"),
        accounts,
        active: match d.remove("activeIdentityKey") {
            Some(Value::String(s)) => Some(s),
            _ => None,
        },
    }))
}

/// The records of an `accounts` array named `at` in errors.
fn parse_records(
    items: Option<Value>,
    at: impl Fn() -> String,
) -> Result<Vec<Account>, ShapeIssue> {
    match items {
        Some(Value::Array(items)) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| Account::from_json(item, || format!("{}[{i}]", at())))
            .collect(),
        other => Err(ShapeIssue {
            at: at(),
            expected: "an array",
            found: other.as_ref().map_or("missing", type_name),
        }),
    }
}

fn parse_multi(mut o: Map<String, Value>) -> Result<OauthState, ShapeIssue> {
    let native = parse_domain(&mut o, "native")?;
    let codex = parse_domain(&mut o, "codex")?;
    let strategy = o.remove("strategy");
    if native.is_some() || codex.is_some() {
        return Ok(OauthState::from_domains(strategy, native, codex));
    }
    let items = match o.remove("accounts") {
        Some(items @ Value::Array(_)) => items,
        _ => return Ok(OauthState::empty()),
    };
    let records = parse_records(Some(items), || "openai.accounts".to_string())?;
    let active = match o.remove("activeIdentityKey") {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    Ok(split_aggregate(records, strategy, active))
}

/// `splitAccountsByAuthMode` + normalization: an aggregate-only file becomes domains.
fn split_aggregate(
    records: Vec<Account>,
    strategy: Option<Value>,
    active: Option<String>,
) -> OauthState {
    let mut native = Vec::new();
    let mut codex = Vec::new();
    for r in records {
        for mode in r.auth_types() {
            let mut clone = r.clone();
            clone.set_auth_types(&[mode]);
            clone.normalize(Some(mode));
            match mode {
                Domain::Native => native.push(clone),
                Domain::Codex => codex.push(clone),
            }
        }
    }
    let codex = if codex.is_empty() {
        None
    } else {
        Some(DomainState {
            strategy: strategy.clone(),
            accounts: codex,
            active: active.clone(),
        })
    };
    let mut s = OauthState {
        strategy: strategy.clone(),
        native: Some(DomainState {
            strategy,
            accounts: native,
            active,
        }),
        codex,
    };
    s.normalize();
    s
}

fn claims_of(access: Option<&str>) -> jwt::Claims {
    access
        .filter(|a| !a.is_empty())
        .and_then(jwt::claims)
        .unwrap_or_default()
}

fn string_field(o: &Map<String, Value>, key: &str) -> Result<Option<String>, ShapeIssue> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(ShapeIssue {
            at: format!("openai.{key}"),
            expected: "a string",
            found: type_name(other),
        }),
    }
}

/// The record the legacy single-account shape's fields become (enabled, native, identity
/// key from the fields, missing identity fields from the access token's claims). Shared by
/// the strict read and the lenient one.
pub(crate) fn single_account(
    access: Option<String>,
    refresh: Option<String>,
    expires: Value,
    account_id: Option<String>,
    email: Option<String>,
    plan: Option<String>,
) -> Account {
    let claims = claims_of(access.as_deref());
    let or_claim =
        |stored: Option<String>, claim: Option<String>| stored.filter(|s| !s.is_empty()).or(claim);
    let account_id = or_claim(account_id, claims.account_id);
    let email = or_claim(email, claims.email);
    let plan = or_claim(plan, claims.plan);
    let mut a = Account::new();
    a.push_string(ACCESS, access);
    a.push_string(REFRESH, refresh);
    a.push_json(EXPIRES, expires);
    a.push_string(ACCOUNT_ID, account_id);
    a.push_string(EMAIL, email);
    a.push_string(PLAN, plan);
    a.set_auth_types(&[Domain::Native]);
    a.set_enabled(true);
    a.ensure_identity_key();
    a
}

/// The legacy single-account shape `{type, refresh, access, expires, accountId?, email?, plan?}`.
fn migrate_single(o: &Map<String, Value>) -> Result<OauthState, ShapeIssue> {
    let access = string_field(o, ACCESS)?;
    let account_id = string_field(o, ACCOUNT_ID)?;
    let email = string_field(o, EMAIL)?;
    let plan = string_field(o, PLAN)?;
    let a = single_account(
        access,
        string_field(o, REFRESH)?,
        o.get(EXPIRES).cloned().unwrap_or(Value::Null),
        account_id,
        email,
        plan,
    );
    let active = a.identity_key().map(str::to_string);
    let mut s = OauthState {
        strategy: None,
        native: Some(DomainState {
            strategy: None,
            accounts: vec![a],
            active,
        }),
        codex: None,
    };
    s.normalize();
    Ok(s)
}

/// Legacy v4 (`{version, accounts:[{refreshToken,…}], activeIndex}`), when the root has no
/// object `openai` and a non-empty `accounts` array with at least one usable entry.
pub(crate) fn migrate_legacy_v4(root: &Map<String, Value>) -> Option<OauthState> {
    if root.get("openai").is_some_and(Value::is_object) {
        return None;
    }
    let items = root.get("accounts")?.as_array()?;
    let num = |e: &Map<String, Value>, k: &str| e.get(k).filter(|v| v.is_number()).cloned();
    let string =
        |e: &Map<String, Value>, k: &str| e.get(k).and_then(Value::as_str).map(str::to_string);
    let mut mapped = Vec::new();
    for item in items {
        let Some(e) = item.as_object() else {
            continue;
        };
        let refresh = match e
            .get("refreshToken")
            .and_then(Value::as_str)
            .map(codex_js::trim)
        {
            Some(r) if !r.is_empty() => r.to_string(),
            _ => continue,
        };
        let access = string(e, "accessToken").or_else(|| string(e, "access"));
        let claims = claims_of(access.as_deref());
        let mut a = Account::new();
        a.push_string(REFRESH, Some(refresh));
        a.push_string(ACCESS, access);
        a.push_json(
            EXPIRES,
            num(e, "expiresAt")
                .or_else(|| num(e, "expires"))
                .unwrap_or(Value::from(0)),
        );
        a.push_string(ACCOUNT_ID, string(e, ACCOUNT_ID).or(claims.account_id));
        a.push_string(EMAIL, string(e, EMAIL).or(claims.email));
        a.push_string(PLAN, string(e, PLAN).or(claims.plan));
        a.set_auth_types(&normalize_auth_types(e.get(AUTH_TYPES)));
        a.push_json(
            ENABLED,
            Value::Bool(e.get(ENABLED).and_then(Value::as_bool).unwrap_or(true)),
        );
        a.ensure_identity_key();
        if let Some(v) = num(e, LAST_USED) {
            a.push_json(LAST_USED, v);
        }
        if let Some(v) = num(e, COOLDOWN_UNTIL).or_else(|| num(e, "coolingDownUntil")) {
            a.push_json(COOLDOWN_UNTIL, v);
        }
        mapped.push(a);
    }
    if mapped.is_empty() {
        return None;
    }
    let index = match root.get("activeIndex").and_then(Value::as_f64) {
        Some(f) => f.floor(),
        None => 0.0,
    };
    let safe = if index >= 0.0 && (index as usize) < mapped.len() {
        index as usize
    } else {
        0
    };
    let active = mapped
        .get(safe)
        .and_then(|a| a.identity_key().map(str::to_string));
    Some(split_aggregate(mapped, None, active))
}

/// Whether `name` is `codex-accounts.json` (root reduced to `openai`).
pub fn is_openai_only(path: &std::path::Path) -> bool {
    path.file_name().is_some_and(|n| n == CODEX_ACCOUNTS_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The typed writer must produce exactly the bytes of the value-based reference path.
    fn assert_writers_agree(text: &str) {
        let mut state = AuthState::parse(text, true).expect(text);
        for _ in 0..2 {
            assert_eq!(
                state.to_file_string(),
                to_js_pretty(&state.to_value()),
                "{text}"
            );
            state.normalize();
        }
    }

    #[test]
    fn typed_writer_matches_the_value_writer() {
        let odd = r#""0":"zero","10":[1,{"3":{},"b":[]}],"2":null,"-1":true,"01":false,"x":{"9":1,"a":{"k":[[],{}]}},"n":[0,-0.0,1.5,-2.25,1e21,1.5e-7,12345678901234567890,-9007199254740993,9007199254740991,1e300],"s":"q\"b\\s\n\t\r\u0001\u001f\u007f é 😀""#;
        let cases = [
            "{}".to_string(),
            r#"{"openai":null}"#.to_string(),
            r#"{"openai":{"type":"api","key":"k","3":[1,{"2":2}]}}"#.to_string(),
            r#"{"openai":{"type":"oauth","refresh":"rt","access":"at","expires":5}}"#.to_string(),
            r#"{"openai":{"type":"oauth","accounts":[]}}"#.to_string(),
            r#"{"openai":{"type":"oauth","strategy":{"7":1},"native":{"accounts":[]},"codex":{"strategy":null,"accounts":[]}}}"#.to_string(),
            format!(
                r#"{{"openai":{{"type":"oauth","strategy":3,"native":{{"strategy":"sticky","accounts":[{{{odd},"refresh":"r1","access":"a1","email":"A@B.C","plan":"Plus","accountId":" id "}},{{"refresh":"r2","enabled":false,"expires":1.5}}],"activeIdentityKey":"nope"}},"codex":{{"accounts":[{{"email":"a@b.c","plan":"plus","accountId":"id","refresh":"r3","expires":9,"authTypes":["codex","native","x"]}},{{{odd}}}]}}}}}}"#
            ),
            r#"{"version":4,"accounts":[{"refreshToken":"rt","email":"e@x.y","authTypes":["codex"]},{"refreshToken":"r2","enabled":false}],"activeIndex":1}"#.to_string(),
        ];
        for text in &cases {
            assert_writers_agree(text);
        }
    }

    #[test]
    fn strings_escape_like_serde_json() {
        // serde_json escapes exactly as JSON.stringify does (see `json`), so it is an oracle
        // for the word-at-a-time scanner: every special byte at every offset and alignment.
        let specials = [
            '"', '\\', '\n', '\u{0}', '\u{8}', '\u{c}', '\u{1f}', '\u{7f}', 'é', '😀',
        ];
        for len in 0..40 {
            for at in 0..len {
                for c in specials {
                    let mut s: String = "x".repeat(len);
                    s.replace_range(at..at + 1, &c.to_string());
                    let mut out = String::new();
                    crate::json::write_string(&mut out, &s);
                    assert_eq!(out, serde_json::to_string(&s).expect("json"), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn writes_agrees_with_comparing_whole_texts() {
        let rec = |extra: &str| {
            format!(r#"{{"refresh":"r",{extra}"email":"e@x.y","plan":"plus","identityKey":"k"}}"#)
        };
        let codex = r#""codex":{"accounts":[{"identityKey":"k","accountId":"id9","expires":5}]}"#;
        let texts = [
            // Same domain texts, different aggregates: `accountId` is an `undefined` key in
            // the native record, at a different place in each, and the codex copy fills it.
            format!(
                r#"{{"openai":{{"type":"oauth","native":{{"accounts":[{}]}},{codex}}}}}"#,
                rec(r#""accountId":"","#)
            ),
            format!(
                r#"{{"openai":{{"type":"oauth","native":{{"accounts":[{}]}},{codex}}}}}"#,
                rec("")
            ),
            format!(
                r#"{{"openai":{{"type":"oauth","native":{{"accounts":[{}]}}}}}}"#,
                rec(r#""lastUsed":1,"#)
            ),
            format!(
                r#"{{"openai":{{"type":"oauth","native":{{"accounts":[{}]}}}}}}"#,
                rec(r#""lastUsed":2,"#)
            ),
            r#"{"openai":{"type":"oauth","strategy":"hybrid","native":{"accounts":[]}}}"#
                .to_string(),
            r#"{"openai":{"type":"oauth","native":{"accounts":[]}}}"#.to_string(),
            r#"{"openai":{"type":"api","key":"k"}}"#.to_string(),
            "{}".to_string(),
        ];
        let states: Vec<AuthState> = texts
            .iter()
            .map(|t| AuthState::parse(t, true).expect(t))
            .collect();
        let mut same_domains_other_head = 0;
        for a in &states {
            for b in &states {
                let mut text = String::new();
                let split = b.write_file_split(&mut text);
                let want = a.to_file_string() == text;
                assert_eq!(a.writes(&text, split), want, "{a:?} vs {b:?}");
                if let (Some(at), Some(mine)) = (split, a.write_file_split(&mut String::new())) {
                    let mine_text = a.to_file_string();
                    if !want && mine_text[mine..] == text[at..] {
                        same_domains_other_head += 1;
                    }
                }
            }
        }
        assert!(
            same_domains_other_head > 0,
            "the head comparison must be exercised"
        );
        // A split that is not on a character boundary falls back to the whole comparison.
        let state = AuthState::parse(
            r#"{"openai":{"type":"oauth","native":{"accounts":[{"email":"é@x.y"}]}}}"#,
            true,
        )
        .expect("state");
        let text = state.to_file_string();
        let inside = text.find('é').expect("é") + 1;
        assert!(state.writes(&text, Some(inside)));
        assert!(!state.writes(&text[..text.len() - 1], Some(inside)));
    }
}
