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

use codex_auth::jwt;
use codex_auth::model::Domain;
use serde_json::{Map, Value};

use crate::account::{
    normalize_auth_types, Account, ShapeIssue, ACCESS, ACCOUNT_ID, AUTH_TYPES, COOLDOWN_UNTIL,
    EMAIL, ENABLED, EXPIRES, IDENTITY_KEY, LAST_USED, PLAN, REFRESH,
};
use crate::identity::legacy_fingerprint;
use crate::json::{to_js_pretty, truthy, type_name};

/// The file name whose root is reduced to `openai` on every write.
pub const CODEX_ACCOUNTS_FILE: &str = "codex-accounts.json";

/// One domain (`openai.native` or `openai.codex`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DomainState {
    pub(crate) strategy: Option<Value>,
    pub(crate) accounts: Vec<Account>,
    pub(crate) active: Option<String>,
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

/// The aggregate view the plugin writes to `openai.accounts`.
#[derive(Debug, Clone, Default)]
pub struct Aggregate {
    /// `strategy` = native's ?? codex's.
    pub strategy: Option<Value>,
    /// Merged records, identity-keyed first, then fingerprinted ones.
    pub accounts: Vec<Account>,
    /// Aggregate `activeIdentityKey`.
    pub active: Option<String>,
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
        let mut by_identity: Vec<(String, Account)> = Vec::new();
        let mut by_fingerprint: Vec<(String, Account)> = Vec::new();
        for (mode, dom) in self.domains() {
            for account in &dom.accounts {
                let (key, bucket) = match account.identity_key() {
                    Some(k) => (k.to_string(), &mut by_identity),
                    None => (
                        legacy_fingerprint(
                            account.string(ACCOUNT_ID),
                            account.string(EMAIL),
                            account.string(PLAN),
                        ),
                        &mut by_fingerprint,
                    ),
                };
                match bucket.iter_mut().find(|(k, _)| *k == key) {
                    None => {
                        let mut copy = account.clone();
                        copy.set_auth_types(&[mode]);
                        bucket.push((key, copy));
                    }
                    Some((_, existing)) => {
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
        let mut accounts: Vec<Account> = by_identity
            .into_iter()
            .chain(by_fingerprint)
            .map(|(_, a)| a)
            .collect();
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
    pub(crate) fn from_root(
        root: &Map<String, Value>,
        openai_only: bool,
    ) -> Result<Self, ShapeIssue> {
        if let Some(state) = migrate_legacy_v4(root) {
            // The migrated file is `{openai}` whatever the name.
            return Ok(AuthState {
                openai: OpenAi::Oauth(Box::new(state)),
                root: if openai_only { None } else { Some(Map::new()) },
            });
        }
        let openai = match root.get("openai") {
            Some(v) if truthy(Some(v)) => parse_openai(v)?,
            _ => OpenAi::Absent,
        };
        Ok(AuthState {
            openai,
            root: if openai_only {
                None
            } else {
                Some(root.clone())
            },
        })
    }

    /// Parses file content (as the plugin would read it). `openai_only` is true for
    /// `codex-accounts.json`. Errors name `<input>` as the path.
    pub fn parse(text: &str, openai_only: bool) -> Result<Self, crate::error::StoreError> {
        let input = std::path::PathBuf::from("<input>");
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(root)) => Self::from_root(&root, openai_only).map_err(|i| {
                crate::error::StoreError::InvalidShape {
                    path: input,
                    at: i.at,
                    expected: i.expected,
                    found: i.found,
                }
            }),
            Ok(other) => Err(crate::error::StoreError::InvalidShape {
                path: input,
                at: "(root)".into(),
                expected: "an object",
                found: type_name(&other),
            }),
            Err(e) => Err(crate::error::StoreError::Unsupported {
                path: input,
                detail: e.to_string(),
            }),
        }
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
        to_js_pretty(&self.to_value())
    }
}

fn parse_openai(v: &Value) -> Result<OpenAi, ShapeIssue> {
    let Value::Object(o) = v else {
        return Ok(OpenAi::Raw(v.clone()));
    };
    if o.get("type").and_then(Value::as_str) != Some("oauth") {
        return Ok(OpenAi::Raw(v.clone()));
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
        return migrate_single(o).map(|s| OpenAi::Oauth(Box::new(s)));
    }
    Ok(OpenAi::Raw(v.clone()))
}

fn parse_domain(o: &Map<String, Value>, name: &str) -> Result<Option<DomainState>, ShapeIssue> {
    let raw = match o.get(name) {
        None | Some(Value::Null) => return Ok(None),
        Some(raw) => raw,
    };
    let at = format!("openai.{name}");
    let Value::Object(d) = raw else {
        return Err(ShapeIssue {
            at,
            expected: "an object with an `accounts` array",
            found: type_name(raw),
        });
    };
    let accounts = match d.get("accounts") {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| Account::from_json(item, &format!("{at}.accounts[{i}]")))
            .collect::<Result<Vec<_>, _>>()?,
        other => {
            return Err(ShapeIssue {
                at: format!("{at}.accounts"),
                expected: "an array",
                found: other.map_or("missing", type_name),
            })
        }
    };
    Ok(Some(DomainState {
        strategy: d.get("strategy").cloned(),
        accounts,
        active: d
            .get("activeIdentityKey")
            .and_then(Value::as_str)
            .map(str::to_string),
    }))
}

fn parse_multi(o: &Map<String, Value>) -> Result<OauthState, ShapeIssue> {
    let native = parse_domain(o, "native")?;
    let codex = parse_domain(o, "codex")?;
    let strategy = o.get("strategy").cloned();
    if native.is_some() || codex.is_some() {
        let mut s = OauthState {
            strategy,
            native,
            codex,
        };
        s.normalize();
        return Ok(s);
    }
    let items = match o.get("accounts") {
        Some(Value::Array(items)) => items,
        _ => return Ok(OauthState::empty()),
    };
    let records = items
        .iter()
        .enumerate()
        .map(|(i, item)| Account::from_json(item, &format!("openai.accounts[{i}]")))
        .collect::<Result<Vec<_>, _>>()?;
    let active = o
        .get("activeIdentityKey")
        .and_then(Value::as_str)
        .map(str::to_string);
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

/// The legacy single-account shape `{type, refresh, access, expires, accountId?, email?, plan?}`.
fn migrate_single(o: &Map<String, Value>) -> Result<OauthState, ShapeIssue> {
    let access = string_field(o, ACCESS)?;
    let claims = claims_of(access.as_deref());
    let or_claim =
        |stored: Option<String>, claim: Option<String>| stored.filter(|s| !s.is_empty()).or(claim);
    let account_id = or_claim(string_field(o, ACCOUNT_ID)?, claims.account_id);
    let email = or_claim(string_field(o, EMAIL)?, claims.email);
    let plan = or_claim(string_field(o, PLAN)?, claims.plan);
    let mut a = Account::new();
    a.push_string(ACCESS, access);
    a.push_string(REFRESH, string_field(o, REFRESH)?);
    a.push_json(EXPIRES, o.get(EXPIRES).cloned().unwrap_or(Value::Null));
    a.push_string(ACCOUNT_ID, account_id);
    a.push_string(EMAIL, email);
    a.push_string(PLAN, plan);
    a.set_auth_types(&[Domain::Native]);
    a.set_enabled(true);
    a.ensure_identity_key();
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
            .map(crate::identity::js_trim)
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
