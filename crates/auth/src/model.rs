//! `codex-accounts.json`, read leniently: the doctor's and the bundle's view (reference 4.1–4.4).
//!
//! [`read_store`] classifies the file (missing, unreadable, not JSON, not an object, parsed);
//! [`AccountsView`] exposes the `openai` entry as per-domain [`DomainView`]s: the domains when
//! present, otherwise the aggregate split by `authTypes`, otherwise the legacy single-account
//! shape (or a legacy v4 root). The records are the store's own [`Account`] type, normalized
//! for their domain by the same code as the store's strict read ([`crate::AuthState`]), so the
//! two reads see the same ids, emails, identity keys, flags and times; what is lenient here is
//! only that a wrong-typed field is left out and reported ([`AccountRecord::issues`]) where the
//! strict read refuses the file. Nothing here writes.

use std::fmt;
use std::io::ErrorKind;
use std::path::Path;

use codex_redact::MaskedDebug;
use serde_json::{Map, Value};

use crate::account::{
    Account, ShapeIssue, ACCESS, ACCOUNT_ID, EMAIL, EXPIRES, IDENTITY_KEY, PLAN, REFRESH,
};

/// The plugin's type names for wrong-typed fields (owned by `codex_js`).
pub use codex_js::type_name;

pub use crate::domain::Domain;

/// One account record as the store holds it: the stored object parsed into an [`Account`]
/// (a known field of the wrong type is left out, as the plugin's `typeof` tests skip it, and
/// reported in [`AccountRecord::issues`]), then normalized for its domain exactly as the
/// store's strict read normalizes it (claims hydration, identity key, `authTypes`). Derefs to
/// the [`Account`], so the doctor and the proxy ask the same type the same questions. `Debug`
/// masks identities and hides tokens.
#[derive(Clone, Default)]
pub struct AccountRecord {
    account: Account,
    stored_identity_key: Option<String>,
    issues: Vec<String>,
}

impl fmt::Debug for AccountRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccountRecord")
            .field("account", &self.account)
            .field(
                "stored_identity_key",
                &MaskedDebug::Key(self.stored_identity_key.as_deref()),
            )
            .field("issues", &self.issues)
            .finish()
    }
}

impl std::ops::Deref for AccountRecord {
    type Target = Account;
    fn deref(&self) -> &Account {
        &self.account
    }
}

/// A record taken as it is (not normalized again, no issues): a record the store's v4
/// migration built, or a login read from another tool's file.
impl From<Account> for AccountRecord {
    fn from(account: Account) -> Self {
        AccountRecord {
            stored_identity_key: account.string(IDENTITY_KEY).map(str::to_string),
            account,
            issues: Vec::new(),
        }
    }
}

/// `expected a number` → `expected number`: the doctor's wording for a wrong-typed field.
fn bare(expected: &str) -> &str {
    expected.split_once(' ').map_or(expected, |(_, w)| w)
}

fn issue_text(i: &ShapeIssue) -> String {
    format!("{}: expected {}, found {}", i.at, bare(i.expected), i.found)
}

impl AccountRecord {
    /// The record.
    pub fn account(&self) -> &Account {
        &self.account
    }

    /// `identityKey` as stored, before normalization.
    pub fn stored_identity_key(&self) -> Option<&str> {
        self.stored_identity_key.as_deref()
    }

    /// Fields with the wrong type (`accounts[0].expires: expected number, found string`).
    pub fn issues(&self) -> &[String] {
        &self.issues
    }

    /// Whether the record has the identity key the runtime selects it by (after claims
    /// hydration and synchronization, as the store computes it).
    pub fn has_identity(&self) -> bool {
        self.account.identity_key().is_some()
    }

    /// Every secret or identifying value in this record, for the redactor.
    pub fn sensitive_values(&self) -> SensitiveValues<'_> {
        SensitiveValues {
            tokens: [self.account.access(), self.account.refresh()]
                .into_iter()
                .flatten()
                .map(|s| s.expose().as_str())
                .collect(),
            emails: self.account.email().into_iter().collect(),
            account_ids: self.account.account_id().into_iter().collect(),
            identity_keys: [self.account.identity_key(), self.stored_identity_key()]
                .into_iter()
                .flatten()
                .collect(),
        }
    }

    /// The stored record, parsed leniently (not yet normalized).
    fn stored(v: &Value, at: &str) -> AccountRecord {
        let (account, issues) = Account::from_json_lenient(v, at);
        AccountRecord {
            stored_identity_key: account.string(IDENTITY_KEY).map(str::to_string),
            account,
            issues: issues.iter().map(issue_text).collect(),
        }
    }

    /// A copy normalized for `mode`, as the store's read leaves a record of that domain.
    fn normalized(&self, mode: Domain) -> AccountRecord {
        let mut r = self.clone();
        r.account.set_auth_types(&[mode]);
        r.account.normalize(Some(mode));
        r
    }
}

/// Borrowed secret and identifying values of a record. `Debug` shows only how many.
#[derive(Default)]
pub struct SensitiveValues<'a> {
    /// Access and refresh tokens.
    pub tokens: Vec<&'a str>,
    /// Emails.
    pub emails: Vec<&'a str>,
    /// Account ids.
    pub account_ids: Vec<&'a str>,
    /// Identity keys.
    pub identity_keys: Vec<&'a str>,
}

impl fmt::Debug for SensitiveValues<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SensitiveValues")
            .field("tokens", &self.tokens.len())
            .field("emails", &self.emails.len())
            .field("account_ids", &self.account_ids.len())
            .field("identity_keys", &self.identity_keys.len())
            .finish()
    }
}

/// One domain's accounts as the runtime sees them.
#[derive(Clone)]
pub struct DomainView {
    /// Which domain.
    pub domain: Domain,
    /// Where the records came from.
    pub source: DomainSource,
    /// `strategy` (domain's, else inherited from the top level).
    pub strategy: Option<String>,
    /// Records in file order.
    pub accounts: Vec<AccountRecord>,
    /// `activeIdentityKey` as stored.
    pub stored_active: Option<String>,
}

impl fmt::Debug for DomainView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DomainView")
            .field("domain", &self.domain)
            .field("source", &self.source)
            .field("strategy", &self.strategy)
            .field("accounts", &self.accounts)
            .field(
                "stored_active",
                &MaskedDebug::Key(self.stored_active.as_deref()),
            )
            .finish()
    }
}

/// How a domain view was derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DomainSource {
    /// `openai.native` / `openai.codex` object with an `accounts` array.
    Domain,
    /// Split from the aggregate `openai.accounts` (no domain present in the file).
    Aggregate,
    /// The legacy single-account shape (`openai.refresh` …).
    LegacySingle,
    /// The legacy v4 shape (`{version, accounts: [{refreshToken, …}], activeIndex}`), which the
    /// plugin migrates on read whatever the file's name.
    LegacyV4,
}

impl DomainView {
    /// The active key the plugin would use: the stored one if it names an enabled record,
    /// else the first enabled record with an identity key.
    pub fn effective_active(&self) -> Option<&str> {
        if let Some(k) = self.stored_active.as_deref() {
            if self
                .accounts
                .iter()
                .any(|a| a.is_enabled() && a.identity_key() == Some(k))
            {
                return Some(k);
            }
        }
        self.accounts
            .iter()
            .find(|a| a.is_enabled() && a.identity_key().is_some())
            .and_then(|a| a.identity_key())
    }

    /// Number of enabled records.
    pub fn enabled_count(&self) -> usize {
        self.accounts.iter().filter(|a| a.is_enabled()).count()
    }
}

/// The `openai` entry.
#[derive(Debug, Clone)]
pub struct OpenAiEntry {
    /// `openai.type` as stored.
    pub kind: Option<String>,
    /// `openai.strategy`.
    pub strategy: Option<String>,
    /// Per-domain views (absent domains omitted).
    pub domains: Vec<DomainView>,
    /// Problems with the entry's shape (wrong types), including record issues.
    pub issues: Vec<String>,
}

impl OpenAiEntry {
    /// `type == "oauth"`.
    pub fn is_oauth(&self) -> bool {
        self.kind.as_deref() == Some("oauth")
    }

    /// The view of one domain, if present.
    pub fn domain(&self, d: Domain) -> Option<&DomainView> {
        self.domains.iter().find(|v| v.domain == d)
    }

    /// All records of all domains.
    pub fn all_records(&self) -> impl Iterator<Item = &AccountRecord> {
        self.domains.iter().flat_map(|d| d.accounts.iter())
    }
}

/// `codex-accounts.json` as it is (the lenient read): not normalized, wrong-typed fields
/// reported in `issues`. The store's strict, normalizing read is [`crate::AuthState`].
#[derive(Debug, Clone)]
pub struct AccountsView {
    /// The `openai` entry, when it is an object.
    pub openai: Option<OpenAiEntry>,
    /// `openai` exists but is not an object.
    pub openai_wrong_type: Option<&'static str>,
    /// Root keys other than `openai` (dropped by the plugin at the next write).
    pub other_root_keys: Vec<String>,
}

/// The outcome of reading the store.
#[derive(Debug)]
pub enum StoreRead {
    /// The file does not exist.
    Missing,
    /// The file exists but cannot be read.
    Unreadable {
        /// The OS error, e.g. `Permission denied (os error 13)`.
        error: String,
        /// Its kind.
        kind: ErrorKind,
    },
    /// The content is not UTF-8 JSON.
    NotJson {
        /// Parser message (no content).
        message: String,
        /// 1-based line, 0 when unknown.
        line: usize,
        /// 1-based column, 0 when unknown.
        column: usize,
    },
    /// Valid JSON but not an object (the plugin quarantines it).
    NotObject {
        /// `array`, `string`, `null`, `number` or `boolean`.
        found: &'static str,
    },
    /// Parsed.
    Parsed(AccountsView),
}

/// The `openai` entry a legacy v4 file becomes: the store's migration, record for record.
fn legacy_v4(state: &crate::state::OauthState) -> OpenAiEntry {
    let domains = state
        .domains()
        .map(|(domain, dom)| DomainView {
            domain,
            source: DomainSource::LegacyV4,
            strategy: dom.strategy().map(str::to_string),
            accounts: dom
                .accounts()
                .iter()
                .cloned()
                .map(AccountRecord::from)
                .collect(),
            stored_active: dom.active().map(str::to_string),
        })
        .collect();
    OpenAiEntry {
        kind: Some("oauth".to_string()),
        strategy: None,
        domains,
        issues: Vec::new(),
    }
}

/// The record the legacy single-account shape becomes, built as the store's migration builds
/// it; fields of the wrong type are left out and reported.
fn legacy_single(o: &Map<String, Value>) -> AccountRecord {
    let stored = AccountRecord::stored(&Value::Object(o.clone()), "openai");
    let raw = &stored.account;
    let string = |k: &str| raw.string(k).map(str::to_string);
    let mut account = crate::state::single_account(
        string(ACCESS),
        string(REFRESH),
        o.get(EXPIRES)
            .filter(|v| v.is_number())
            .cloned()
            .unwrap_or(Value::Null),
        string(ACCOUNT_ID),
        string(EMAIL),
        string(PLAN),
    );
    account.normalize(Some(Domain::Native));
    AccountRecord { account, ..stored }
}

/// Reads and classifies a store file. Never modifies it.
pub fn read_store(path: &Path) -> StoreRead {
    let bytes = match codex_paths::read_file(path) {
        Ok(b) => b,
        Err(e) if e.kind() == ErrorKind::NotFound => return StoreRead::Missing,
        Err(e) => {
            return StoreRead::Unreadable {
                error: e.to_string(),
                kind: e.kind(),
            }
        }
    };
    parse_store_bytes(&bytes)
}

/// Classifies store content.
pub fn parse_store_bytes(bytes: &[u8]) -> StoreRead {
    match parse_store_value(bytes) {
        Ok(root) => StoreRead::Parsed(AccountsView::from_root(&root)),
        Err(read) => *read,
    }
}

/// Store content parsed to its root object, or how it is not one (never `Parsed`): for
/// callers that need the raw JSON as well as the records, without parsing twice.
pub fn parse_store_value(bytes: &[u8]) -> Result<Map<String, Value>, Box<StoreRead>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return Err(Box::new(StoreRead::NotJson {
                message: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
                line: 0,
                column: 0,
            }))
        }
    };
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        // A byte-order mark an editor put first: the plugin's `JSON.parse` refuses the file
        // as serde does, but the accounts behind it are intact.
        Err(_) if text.starts_with('\u{feff}') && serde_json::from_str::<Value>(&text[3..]).is_ok() => {
            return Err(Box::new(StoreRead::NotJson {
                message: "it starts with a byte-order mark (U+FEFF, added by an editor), which the plugin's JSON.parse refuses; the JSON after it is valid".into(),
                line: 0,
                column: 0,
            }))
        }
        Err(e) => {
            return Err(Box::new(StoreRead::NotJson {
                message: json_error_message(&e),
                line: e.line(),
                column: e.column(),
            }))
        }
    };
    match value {
        Value::Object(root) => Ok(root),
        other => Err(Box::new(StoreRead::NotObject {
            found: type_name(&other),
        })),
    }
}

/// Reads a store-shaped file to its root object (`Ok(None)` when it does not exist), with
/// the same errors as [`read_store`].
pub fn read_store_value(path: &Path) -> Result<Option<Map<String, Value>>, Box<StoreRead>> {
    match codex_paths::read_file(path) {
        Ok(bytes) => parse_store_value(&bytes).map(Some),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Box::new(StoreRead::Unreadable {
            error: e.to_string(),
            kind: e.kind(),
        })),
    }
}

/// A serde_json error message without its position suffix (positions are reported apart).
pub fn json_error_message(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

impl AccountsView {
    /// Interprets a root object.
    pub fn from_root(root: &Map<String, Value>) -> AccountsView {
        let other_root_keys = root.keys().filter(|k| *k != "openai").cloned().collect();
        if let Some(state) = crate::state::migrate_legacy_v4(root) {
            return AccountsView {
                openai: Some(legacy_v4(&state)),
                openai_wrong_type: None,
                other_root_keys,
            };
        }
        match root.get("openai") {
            None => AccountsView {
                openai: None,
                openai_wrong_type: None,
                other_root_keys,
            },
            Some(Value::Object(o)) => AccountsView {
                openai: Some(parse_openai(o)),
                openai_wrong_type: None,
                other_root_keys,
            },
            Some(other) => AccountsView {
                openai: None,
                openai_wrong_type: Some(type_name(other)),
                other_root_keys,
            },
        }
    }
}

fn opt_string(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_string)
}

/// The records of an `accounts` array as stored (parsed leniently, not normalized).
fn parse_records(arr: &[Value], at: &str) -> Vec<AccountRecord> {
    arr.iter()
        .enumerate()
        .map(|(i, v)| AccountRecord::stored(v, &format!("{at}[{i}]")))
        .collect()
}

fn parse_openai(o: &Map<String, Value>) -> OpenAiEntry {
    let kind = opt_string(o.get("type"));
    let strategy = opt_string(o.get("strategy"));
    let mut issues = Vec::new();
    let mut domains = Vec::new();

    for d in Domain::ALL {
        if let Some(Value::Object(dom)) = o.get(d.as_str()) {
            if let Some(Value::Array(arr)) = dom.get("accounts") {
                let at = format!("openai.{}.accounts", d.as_str());
                domains.push(DomainView {
                    domain: d,
                    source: DomainSource::Domain,
                    strategy: opt_string(dom.get("strategy")).or_else(|| strategy.clone()),
                    accounts: parse_records(arr, &at)
                        .iter()
                        .map(|r| r.normalized(d))
                        .collect(),
                    stored_active: opt_string(dom.get("activeIdentityKey")),
                });
            } else {
                issues.push(format!(
                    "openai.{}.accounts: expected array (the plugin ignores this domain)",
                    d.as_str()
                ));
            }
        } else if let Some(other) = o.get(d.as_str()) {
            issues.push(format!(
                "openai.{}: expected object, found {} (the plugin ignores it)",
                d.as_str(),
                type_name(other)
            ));
        }
    }

    if domains.is_empty() {
        match o.get("accounts") {
            Some(Value::Array(arr)) => {
                // Split the aggregate by authTypes (default native).
                let records = parse_records(arr, "openai.accounts");
                let active = opt_string(o.get("activeIdentityKey"));
                let mut native = Vec::new();
                let mut codex = Vec::new();
                for rec in &records {
                    // The store's split rule (`normalizeAccountAuthTypes`), on the record as is.
                    for mode in rec.auth_types() {
                        match mode {
                            Domain::Native => native.push(rec.normalized(mode)),
                            Domain::Codex => codex.push(rec.normalized(mode)),
                        }
                    }
                }
                domains.push(DomainView {
                    domain: Domain::Native,
                    source: DomainSource::Aggregate,
                    strategy: strategy.clone(),
                    accounts: native,
                    stored_active: active.clone(),
                });
                if !codex.is_empty() {
                    domains.push(DomainView {
                        domain: Domain::Codex,
                        source: DomainSource::Aggregate,
                        strategy: strategy.clone(),
                        accounts: codex,
                        stored_active: active,
                    });
                }
            }
            Some(other) => issues.push(format!(
                "openai.accounts: expected array, found {}",
                type_name(other)
            )),
            None => {
                if o.contains_key("refresh") || o.contains_key("access") {
                    let rec = legacy_single(o);
                    let active = rec.identity_key().map(str::to_string);
                    domains.push(DomainView {
                        domain: Domain::Native,
                        source: DomainSource::LegacySingle,
                        strategy: strategy.clone(),
                        accounts: vec![rec],
                        stored_active: active,
                    });
                }
            }
        }
    }
    for d in &domains {
        for a in &d.accounts {
            issues.extend(a.issues().iter().cloned());
        }
    }
    issues.dedup();
    OpenAiEntry {
        kind,
        strategy,
        domains,
        issues,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> AccountsView {
        match parse_store_bytes(s.as_bytes()) {
            StoreRead::Parsed(p) => p,
            other => panic!("not parsed: {other:?}"),
        }
    }

    #[test]
    fn debug_shows_no_identity_and_no_token() {
        let store = parse(
            r#"{"openai":{"type":"oauth","native":{"activeIdentityKey":"acc_123456|alice@corp.example|plus",
              "accounts":[{"accountId":"acc_123456","email":"alice@corp.example","plan":"plus",
                           "access":"at_secret","refresh":"rt_secret"}]}}}"#,
        );
        let d = format!("{store:?}");
        let view = store
            .openai
            .as_ref()
            .and_then(|o| o.domain(Domain::Native))
            .expect("native");
        let rec = &view.accounts[0];
        let values = rec.sensitive_values();
        let claims = crate::jwt::Claims {
            account_id: rec.account_id().map(str::to_string),
            email: rec.email().map(str::to_string),
            plan: None,
        };
        let d = format!("{d} {view:?} {rec:?} {values:?} {claims:?}");
        for leak in ["alice@", "acc_123456", "at_secret", "rt_secret"] {
            assert!(!d.contains(leak), "{leak} in {d}");
        }
        assert!(d.contains("a***@corp.example"), "{d}");
    }

    #[test]
    fn identity_fields_are_trimmed_as_javascript_trims() {
        // U+FEFF is trimmed by JavaScript (not by Rust's `str::trim`); U+0085 the reverse.
        let s = parse(
            "{\"openai\":{\"type\":\"oauth\",\"native\":{\"accounts\":[{\"accountId\":\"\u{feff}acc_1 \",\"email\":\" A@X.io\u{feff}\",\"plan\":\"Plus\u{85}\"}]}}}",
        );
        let o = s.openai.expect("openai");
        let rec = &o.domain(Domain::Native).expect("native").accounts[0];
        assert_eq!(rec.account_id(), Some("acc_1"));
        assert_eq!(rec.email(), Some("a@x.io"));
        assert_eq!(rec.plan(), Some("plus\u{85}"));
    }

    #[test]
    fn classify_bad_content() {
        assert!(matches!(
            parse_store_bytes(b"{ bad json"),
            StoreRead::NotJson { line: 1, .. }
        ));
        assert!(matches!(
            parse_store_bytes(b"[]"),
            StoreRead::NotObject { found: "array" }
        ));
        assert!(matches!(
            parse_store_bytes(b"\"oops\""),
            StoreRead::NotObject { found: "string" }
        ));
        assert!(matches!(
            parse_store_bytes(&[0xff, 0xfe]),
            StoreRead::NotJson { .. }
        ));
    }

    #[test]
    fn legacy_single_becomes_native_account() {
        let s = parse(
            r#"{"openai":{"type":"oauth","refresh":"rt_123","access":"at_123","expires":1700000000,"accountId":"acc_123","email":"user@example.com","plan":"plus"}}"#,
        );
        let o = s.openai.expect("openai");
        let native = o.domain(Domain::Native).expect("native");
        assert_eq!(native.source, DomainSource::LegacySingle);
        assert_eq!(native.accounts.len(), 1);
        assert_eq!(
            native.effective_active(),
            Some("acc_123|user@example.com|plus")
        );
        assert!(o.issues.is_empty(), "{:?}", o.issues);
    }

    #[test]
    fn aggregate_split_by_auth_types() {
        let s = parse(
            r#"{"openai":{"type":"oauth","accounts":[
              {"accountId":"a1","email":"a@x.io","plan":"plus","authTypes":["native","codex"]},
              {"accountId":"a2","email":"b@x.io","plan":"plus","authTypes":["codex"]},
              {"accountId":"a3","email":"c@x.io","plan":"plus"}]}}"#,
        );
        let o = s.openai.expect("openai");
        assert_eq!(o.domain(Domain::Native).map(|d| d.accounts.len()), Some(2));
        assert_eq!(o.domain(Domain::Codex).map(|d| d.accounts.len()), Some(2));
    }

    #[test]
    fn identityless_records_and_wrong_types() {
        let s = parse(
            r#"{"openai":{"type":"oauth","native":{"accounts":[
              {"email":"One@Example.com","plan":"plus","expires":"soon","enabled":"yes"}]}}}"#,
        );
        let o = s.openai.expect("openai");
        let rec = &o.domain(Domain::Native).expect("native").accounts[0];
        assert!(!rec.has_identity());
        assert_eq!(rec.email(), Some("one@example.com"));
        assert!(rec.is_enabled());
        assert_eq!(o.issues.len(), 2, "{:?}", o.issues);
        assert!(o.issues[0].contains("openai.native.accounts[0].expires"));
    }

    #[test]
    fn issues_keep_their_wording_and_order_whatever_the_file_order() {
        let s = parse(
            r#"{"openai":{"type":"oauth","native":{"accounts":[
              {"enabled":"yes","authTypes":"codex","expires":"soon","accountId":7,"plan":"plus"},
              "junk"]}}}"#,
        );
        let o = s.openai.expect("openai");
        assert_eq!(
            o.issues,
            [
                "openai.native.accounts[0].accountId: expected string, found number",
                "openai.native.accounts[0].expires: expected number, found string",
                "openai.native.accounts[0].enabled: expected boolean, found string",
                "openai.native.accounts[0].authTypes: expected array, found string",
                "openai.native.accounts[1]: expected object, found string",
            ]
        );
        let native = o.domain(Domain::Native).expect("native");
        // Left out, so enabled (`enabled !== false`), and the plan is still read.
        assert!(native.accounts[0].is_enabled());
        assert_eq!(native.accounts[0].plan(), Some("plus"));
        assert_eq!(native.accounts[0].expires(), None);
    }

    #[test]
    fn effective_active_skips_disabled() {
        let s = parse(
            r#"{"openai":{"type":"oauth","native":{"activeIdentityKey":"a|a@x.io|pro","accounts":[
              {"identityKey":"a|a@x.io|pro","accountId":"a","email":"a@x.io","plan":"pro","enabled":false},
              {"accountId":"acc_2","email":"two@example.com","plan":"pro"}]}}}"#,
        );
        let o = s.openai.expect("openai");
        assert_eq!(
            o.domain(Domain::Native).and_then(|d| d.effective_active()),
            Some("acc_2|two@example.com|pro")
        );
    }
}
