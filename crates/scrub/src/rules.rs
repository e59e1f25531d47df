//! The rule catalogue: stable rule names and the key tables of the plugin.
//!
//! [`Rule`] names every detector; its kebab-case name is what the manifest counts and what
//! `scan` reports. [`classify_key`] decides, for a JSON key, a `k=v` key, a URL query
//! parameter or a header name, whether its value is secret and what replaces it. The tables
//! are the plugin's own (reference 11.2 and 11.4, compared case-insensitively), widened where
//! the issue asks for more (emails, identity keys, session ids, prompt cache keys).

use crate::pseudonym::Kind;

/// Every detector, with a stable kebab-case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// A header whose name the plugin redacts (reference 11.4), as a JSON key or a text line.
    Header,
    /// A JSON body key of reference 11.4 (any depth).
    JsonKey,
    /// A meta key of reference 11.2 / 11.4 (name equal to or containing a secret word).
    MetaKey,
    /// A `key=value` pair of the non-JSON body rule (reference 11.4).
    KeyValue,
    /// A URL query parameter (reference 11.4).
    UrlQuery,
    /// A three-part JWT (`eyJ…`).
    Jwt,
    /// A base64url-encoded JSON object (`eyJ…`) that is not a full JWT.
    EncodedJson,
    /// `Bearer <credential>`.
    Bearer,
    /// `Basic <base64>`.
    Basic,
    /// `sk-…` / `sess-…` OpenAI-style keys.
    OpenaiKey,
    /// Refresh-token shapes (`rt_…`, `v1.…`).
    RefreshToken,
    /// A long high-entropy run of base64url characters.
    OpaqueToken,
    /// Cookie headers and well-known auth cookies.
    Cookie,
    /// Email addresses (also `%40` and `\u0040` forms).
    Email,
    /// ChatGPT account and user ids.
    AccountId,
    /// Identity keys `accountId|email|plan` and `legacy|…` fingerprints.
    IdentityKey,
    /// Session ids.
    SessionId,
    /// `prompt_cache_key` values.
    PromptCacheKey,
    /// The user's home directory (becomes `~`).
    HomePath,
    /// The user's login name (becomes `<user>`).
    UserName,
    /// A token the caller knows (from the auth store, legacy stores, OpenCode's `auth.json`).
    KnownToken,
    /// An email the caller knows.
    KnownEmail,
    /// An account id the caller knows.
    KnownAccountId,
    /// An identity key the caller knows.
    KnownIdentityKey,
    /// A phone number in prose (`+1 415 555 0134`, `(415) 555-0134`).
    Phone,
    /// A US social security number (`078-05-1120`).
    Ssn,
    /// A payment card number (13 to 19 digits passing the Luhn check).
    CardNumber,
    /// A bank account number (IBAN) passing its mod-97 check, whole or in groups of four.
    Iban,
    /// A person's name after a cue word (`name: Jane Doe`, `Hi Jane,`, `from Jane Doe`).
    PersonName,
    /// A common given name and a surname without a cue (`Jane Doe`, `jane.doe`, `jane-doe`).
    FullName,
    /// A host on the local network or a personal device name (`jane-mbp.local`,
    /// `Janes-MacBook-Pro`).
    PrivateHost,
    /// A credential told in a sentence (`my password is sunshine`, `passphrase: …`).
    ToldCredential,
    /// A street address or a position (`42 Elm Street`, `48.85837,2.294481`).
    StreetAddress,
    /// An account name on a code host (`github.com/<owner>/…`).
    CodeHostOwner,
    /// User name and password in a URL's authority (`https://user:pass@host`).
    UrlUserinfo,
    /// A request body dropped from a snapshot (`--include-bodies` keeps it).
    BodyDropped,
    /// Anything the allowlist gate ([`crate::gate`]) could not vouch for.
    Unvetted,
}

impl Rule {
    /// Every rule, in catalogue order.
    pub const ALL: [Rule; 37] = [
        Rule::Header,
        Rule::JsonKey,
        Rule::MetaKey,
        Rule::KeyValue,
        Rule::UrlQuery,
        Rule::Jwt,
        Rule::EncodedJson,
        Rule::Bearer,
        Rule::Basic,
        Rule::OpenaiKey,
        Rule::RefreshToken,
        Rule::OpaqueToken,
        Rule::Cookie,
        Rule::Email,
        Rule::AccountId,
        Rule::IdentityKey,
        Rule::SessionId,
        Rule::PromptCacheKey,
        Rule::HomePath,
        Rule::UserName,
        Rule::KnownToken,
        Rule::KnownEmail,
        Rule::KnownAccountId,
        Rule::KnownIdentityKey,
        Rule::Phone,
        Rule::Ssn,
        Rule::CardNumber,
        Rule::Iban,
        Rule::PersonName,
        Rule::FullName,
        Rule::PrivateHost,
        Rule::ToldCredential,
        Rule::StreetAddress,
        Rule::CodeHostOwner,
        Rule::UrlUserinfo,
        Rule::BodyDropped,
        Rule::Unvetted,
    ];

    /// The stable name (`json-key`, `jwt`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::Header => "header",
            Rule::JsonKey => "json-key",
            Rule::MetaKey => "meta-key",
            Rule::KeyValue => "key-value",
            Rule::UrlQuery => "url-query",
            Rule::Jwt => "jwt",
            Rule::EncodedJson => "encoded-json",
            Rule::Bearer => "bearer",
            Rule::Basic => "basic",
            Rule::OpenaiKey => "openai-key",
            Rule::RefreshToken => "refresh-token",
            Rule::OpaqueToken => "opaque-token",
            Rule::Cookie => "cookie",
            Rule::Email => "email",
            Rule::AccountId => "account-id",
            Rule::IdentityKey => "identity-key",
            Rule::SessionId => "session-id",
            Rule::PromptCacheKey => "prompt-cache-key",
            Rule::HomePath => "home-path",
            Rule::UserName => "user-name",
            Rule::KnownToken => "known-token",
            Rule::KnownEmail => "known-email",
            Rule::KnownAccountId => "known-account-id",
            Rule::KnownIdentityKey => "known-identity-key",
            Rule::Phone => "phone",
            Rule::Ssn => "ssn",
            Rule::CardNumber => "card-number",
            Rule::Iban => "iban",
            Rule::PersonName => "person-name",
            Rule::FullName => "full-name",
            Rule::PrivateHost => "private-host",
            Rule::ToldCredential => "told-credential",
            Rule::StreetAddress => "street-address",
            Rule::CodeHostOwner => "code-host-owner",
            Rule::UrlUserinfo => "url-userinfo",
            Rule::BodyDropped => "body-dropped",
            Rule::Unvetted => "unvetted",
        }
    }

    /// Index into [`Rule::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What replaces a secret value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// `[redacted]`.
    Redact,
    /// A pseudonym of this kind, computed from the value.
    Pseudonym(Kind),
    /// Keep the first word (the auth scheme) and redact the rest: `Bearer [redacted]`.
    KeepScheme,
    /// Drop a request body: `[omitted: request body]`.
    Omit,
}

/// How a key's value is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyClass {
    /// The rule to count.
    pub rule: Rule,
    /// What replaces the value.
    pub action: Action,
    /// Exact-name keys redact every scalar; keys matched by a substring keep numbers and
    /// booleans (`input_tokens: 12` is a count, not a token).
    pub numbers_too: bool,
    /// `code` and `state`: keep plain snake_case identifiers and numbers (`"code":
    /// "rate_limit_exceeded"` is context; an OAuth code is not snake_case).
    pub keep_identifiers: bool,
}

const fn class(rule: Rule, action: Action, numbers_too: bool) -> KeyClass {
    KeyClass {
        rule,
        action,
        numbers_too,
        keep_identifiers: false,
    }
}

/// Where a key was found; it decides which table applies first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySite {
    /// A JSON (or JS object) key.
    Json,
    /// `key=value` in free text or a form body.
    KeyValue,
    /// A URL query parameter (`?key=` / `&key=`).
    Query,
    /// A `Name: value` header line.
    HeaderLine,
}

use std::collections::HashMap;
use std::sync::OnceLock;

/// An exact key: its rule (mapped to the site when `by_site`), action and scalar policy.
#[derive(Clone, Copy)]
struct Exact {
    rule: Rule,
    by_site: bool,
    action: Action,
    keep_identifiers: bool,
}

const fn exact(rule: Rule, by_site: bool, action: Action) -> Exact {
    Exact {
        rule,
        by_site,
        action,
        keep_identifiers: false,
    }
}

/// Keys matched exactly (lowercased), in groups that share a rule and an action.
const EXACT_GROUPS: &[(&[&str], Exact)] = &[
    (
        &[
            "identitykey",
            "identity_key",
            "selectionselectedidentitykey",
            "selectionactiveidentitykey",
        ],
        exact(Rule::MetaKey, true, Action::Pseudonym(Kind::Identity)),
    ),
    (
        &[
            "session-id",
            "session_id",
            "sessionid",
            "x-session-id",
            "sessionkey",
            "session_key",
            "selectionsessionkey",
        ],
        exact(Rule::Header, true, Action::Pseudonym(Kind::Session)),
    ),
    (
        &[
            "chatgpt-account-id",
            "chatgpt_account_id",
            "chatgptaccountid",
            "account_id",
            "accountid",
            "account-id",
        ],
        exact(Rule::JsonKey, true, Action::Pseudonym(Kind::Account)),
    ),
    (
        &["prompt_cache_key", "promptcachekey", "prompt-cache-key"],
        exact(
            Rule::PromptCacheKey,
            false,
            Action::Pseudonym(Kind::PromptCacheKey),
        ),
    ),
    (
        &["selectionattemptkey", "attemptkey", "attempt_key"],
        exact(Rule::MetaKey, true, Action::Pseudonym(Kind::Attempt)),
    ),
    (
        &[
            "email",
            "e-mail",
            "email_address",
            "emailaddress",
            "user_email",
            "useremail",
        ],
        exact(Rule::Email, false, Action::Pseudonym(Kind::Email)),
    ),
    (
        &[
            "authorization",
            "proxy-authorization",
            "proxy_authorization",
        ],
        exact(Rule::Header, true, Action::KeepScheme),
    ),
    (
        &["code", "state"],
        Exact {
            keep_identifiers: true,
            ..exact(Rule::JsonKey, true, Action::Redact)
        },
    ),
    // Reference 11.4 body keys and their camelCase forms (compared lowercased).
    (
        &[
            "access_token",
            "refresh_token",
            "id_token",
            "authorization_code",
            "auth_code",
            "code_verifier",
            "pkce_verifier",
            "verifier",
            "api_key",
            "apikey",
            "client_secret",
            "clientsecret",
            "authorizationcode",
            "codeverifier",
            "accesstoken",
            "refreshtoken",
            "idtoken",
            "accountlabel",
            "account_label",
            "password",
            "passwd",
            "secret",
            "token",
            // Key material named without a credential word (red team, round 7).
            "private_key",
            "privatekey",
            "private-key",
            "signing_key",
            "signingkey",
            "encryption_key",
            "encryptionkey",
            "master_key",
            "masterkey",
        ],
        exact(Rule::JsonKey, true, Action::Redact),
    ),
    (
        &["cookie", "set-cookie", "set_cookie"],
        exact(Rule::Cookie, false, Action::Redact),
    ),
    // Beyond the plugin's rules (red team, round 3): keys that name a one-time code or a
    // personal number, whose value is often a JSON number (`{"otp": 482913}`,
    // `"cvv": 123`), which every other key keeps.
    (
        &[
            "pin",
            "pin_code",
            "pincode",
            "passcode",
            "otp",
            "otp_code",
            "totp",
            "mfa_code",
            "2fa_code",
            "verification_code",
            "verificationcode",
            "security_code",
            "securitycode",
            "one_time_code",
            "cvv",
            "cvv2",
            "cvc",
            "ssn",
            "social_security_number",
            "dob",
            "date_of_birth",
            "dateofbirth",
            "birth_date",
            "birthdate",
            "account_number",
            "accountnumber",
            "routing_number",
            "card_number",
            "cardnumber",
            "iban",
            "phone",
            "phone_number",
            "phonenumber",
            "msisdn",
            "tax_id",
        ],
        exact(Rule::JsonKey, true, Action::Redact),
    ),
    // Reference 11.4 header names.
    (
        &[
            "forwarded",
            "x-forwarded-for",
            "x-forwarded-proto",
            "x-forwarded-host",
            "x-forwarded-port",
            "x-api-key",
            "api-key",
            "x-openai-api-key",
            "openai-api-key",
            "x-anthropic-api-key",
            "x-real-ip",
            "true-client-ip",
            "cf-connecting-ip",
            "x-client-ip",
        ],
        exact(Rule::Header, true, Action::Redact),
    ),
];

fn exact_table() -> &'static HashMap<&'static str, Exact> {
    static TABLE: OnceLock<HashMap<&'static str, Exact>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut m = HashMap::new();
        for (keys, e) in EXACT_GROUPS {
            for k in *keys {
                let previous = m.insert(*k, *e);
                debug_assert!(previous.is_none(), "{k} is in two groups");
            }
        }
        m
    })
}

/// Substrings that make a key secret (header 11.4, meta 11.2/11.4, URL query 11.4).
const WORDS: [&str; 19] = [
    "identitykey",
    "identity_key",
    "session",
    "cookie",
    "accountlabel",
    "email",
    "token",
    "secret",
    "password",
    "passwd",
    "authorization",
    "api-key",
    "api_key",
    "apikey",
    "pkce",
    "verifier",
    "auth_code",
    "credential",
    "auth",
];

/// Bit `i` set when `WORDS[i]` occurs in `key`.
fn words_in(key: &[u8]) -> u32 {
    let mut found = 0u32;
    for i in 0..key.len() {
        let first = key[i];
        if !matches!(first, b'i' | b's' | b'c' | b'a' | b'e' | b't' | b'p' | b'v') {
            continue;
        }
        for (w, word) in WORDS.iter().enumerate() {
            let word = word.as_bytes();
            if word[0] == first && key.len() - i >= word.len() && &key[i..i + word.len()] == word {
                found |= 1 << w;
            }
        }
    }
    found
}

fn has(found: u32, word: &str) -> bool {
    WORDS
        .iter()
        .position(|w| *w == word)
        .is_some_and(|i| found & (1 << i) != 0)
}

/// Classifies a key (already ASCII-lowercased). `None` means the value is not secret.
pub fn classify_key(key: &str, site: KeySite, drop_bodies: bool) -> Option<KeyClass> {
    let rule_for_site = |json_rule: Rule| match site {
        KeySite::Json => json_rule,
        KeySite::KeyValue => Rule::KeyValue,
        KeySite::Query => Rule::UrlQuery,
        KeySite::HeaderLine => Rule::Header,
    };
    if key.is_empty() || key.len() > 80 {
        return None;
    }
    // Pseudonyms inside a key (`email_1a2b3c4d=…`, `x.email_1a2b3c4d_=…` after an email used
    // in a form key was replaced) name nothing secret; their words must not classify the
    // value, so they are cut out before the key's words are looked at.
    let stripped = crate::pseudonym::strip_pseudonyms(key);
    let key: &str = &stripped;
    if key.is_empty() || !key.bytes().any(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    if drop_bodies && site == KeySite::Json && key == "body" {
        return Some(class(Rule::BodyDropped, Action::Omit, true));
    }
    // URL query parameters that sign or key a request (`?sig=…`, `?key=…`, S3 and GCS
    // presigned URLs): secrets there, ordinary words elsewhere (found from the user's side:
    // they survived in the report's plugin list).
    if site == KeySite::Query
        && matches!(
            key,
            "sig"
                | "signature"
                | "key"
                | "x-amz-signature"
                | "x-amz-credential"
                | "x-goog-signature"
                | "x-goog-credential"
        )
    {
        return Some(class(Rule::UrlQuery, Action::Redact, true));
    }
    if let Some(e) = exact_table().get(key) {
        let rule = if e.by_site {
            rule_for_site(e.rule)
        } else {
            e.rule
        };
        return Some(KeyClass {
            rule,
            action: e.action,
            numbers_too: true,
            keep_identifiers: e.keep_identifiers,
        });
    }
    let found = words_in(key.as_bytes());
    // Keys whose value is a secret even as a JSON number (`"PGPASSWORD": 5094189`,
    // `"VAULT_PIN": 4821`, `"otpCode": 482913`; red team, round 8).
    let numeric = numeric_secret_key(key)
        || [
            "password",
            "passwd",
            "secret",
            "api_key",
            "apikey",
            "api-key",
            "credential",
        ]
        .iter()
        .any(|w| has(found, w));
    if found == 0 {
        return numeric.then(|| class(rule_for_site(Rule::MetaKey), Action::Redact, true));
    }
    if has(found, "identitykey") || has(found, "identity_key") {
        return Some(class(
            rule_for_site(Rule::MetaKey),
            Action::Pseudonym(Kind::Identity),
            false,
        ));
    }
    if has(found, "session") {
        return Some(class(
            rule_for_site(Rule::MetaKey),
            Action::Pseudonym(Kind::Session),
            false,
        ));
    }
    if has(found, "cookie") {
        return Some(class(Rule::Cookie, Action::Redact, false));
    }
    if has(found, "accountlabel") {
        return Some(class(rule_for_site(Rule::MetaKey), Action::Redact, false));
    }
    if has(found, "email") {
        return Some(class(Rule::Email, Action::Pseudonym(Kind::Email), false));
    }
    let auth_bit = 1u32 << (WORDS.len() - 1);
    if found & !auth_bit != 0 || numeric {
        return Some(class(rule_for_site(Rule::MetaKey), Action::Redact, numeric));
    }
    // The header table's bare `auth` substring applies to header-shaped names (`x-auth-foo`),
    // not to camelCase JSON fields such as `authMode`.
    if site == KeySite::HeaderLine || key.contains('-') || key == "auth" {
        return Some(class(rule_for_site(Rule::Header), Action::Redact, false));
    }
    None
}

/// Whether a key (lower case) names a password, PIN, one-time code or personal number
/// whose value is secret even as a number: a part (between `_`, `-`, `.`) that is one of
/// them (`db_pass`, `vault_pin`, `smtp_pass`), a joined spelling (`otpcode`, `mfacode`,
/// `adminpassword` is a `password` word already), a `code` after what it verifies
/// (`sms_code`, `recovery_code`), or an account, passport or social security number.
fn numeric_secret_key(key: &str) -> bool {
    const PARTS: &[&str] = &[
        "pass",
        "pin",
        "otp",
        "mfa",
        "totp",
        "cvv",
        "cvc",
        "ssn",
        "passcode",
        "passport",
        "passphrase",
        "pincode",
        "otpcode",
        "mfacode",
        "smscode",
        "authcode",
        "2fa",
    ];
    const CODE_OF: &[&str] = &[
        "sms",
        "otp",
        "mfa",
        "recovery",
        "verification",
        "auth",
        "2fa",
        "login",
        "backup",
        "security",
        "one_time",
        "onetime",
        "totp",
    ];
    // `pwd` is also the shell's working directory; a bare `pass` is a count (a test run's
    // or the doctor's own summary: `"pass": 9`).
    if matches!(key, "pwd" | "oldpwd" | "pass") {
        return false;
    }
    let parts: Vec<&str> = key
        .split(['_', '-', '.', ' '])
        .filter(|p| !p.is_empty())
        .collect();
    // `vault_token: 5094189` (a count is plural: `max_tokens`, `input_tokens`).
    parts.last().is_some_and(|p| *p == "token")
        || parts.iter().any(|p| PARTS.contains(p))
        || [
            "otpcode", "mfacode", "smscode", "passcode", "pincode", "pwd",
        ]
        .iter()
        .any(|e| parts.last().is_some_and(|p| p.ends_with(e)))
        || parts
            .windows(2)
            .any(|w| w[1] == "code" && CODE_OF.contains(&w[0]))
        || parts.first().is_some_and(|p| p.starts_with("ssn"))
        || parts
            .windows(2)
            .any(|w| w[0] == "account" && matches!(w[1], "no" | "num" | "number"))
        || ["accountno", "accountnumber"]
            .iter()
            .any(|e| key.ends_with(e))
}

/// Memoized [`classify_key`] for one file (keys repeat on every line of a log).
#[derive(Default)]
pub struct KeyCache {
    maps: [HashMap<Vec<u8>, Option<KeyClass>, crate::bytes::FnvBuild>; 4],
    /// Short keys looked up lately, by site and a slot from their length and end bytes:
    /// answered with one comparison before the maps (allocated on first use).
    recent: Vec<RecentKey>,
}

/// A key of at most [`RECENT_KEY`] bytes and its class.
#[derive(Clone, Copy)]
struct RecentKey {
    len: u8,
    key: [u8; RECENT_KEY],
    class: Option<KeyClass>,
}

/// The longest key [`KeyCache`] keeps among its recent ones.
const RECENT_KEY: usize = 24;

/// Recent keys per site.
const RECENT_SLOTS: usize = 64;

impl KeyCache {
    /// Classifies `key` (lowercased bytes), from the cache when seen before.
    pub fn classify(&mut self, key: &[u8], site: KeySite, drop_bodies: bool) -> Option<KeyClass> {
        let (Some(&first), Some(&last)) = (key.first(), key.last()) else {
            return self.classify_mapped(key, site, drop_bodies);
        };
        if key.len() > RECENT_KEY {
            return self.classify_mapped(key, site, drop_bodies);
        }
        if self.recent.is_empty() {
            let empty = RecentKey {
                len: 0,
                key: [0; RECENT_KEY],
                class: None,
            };
            self.recent = vec![empty; 4 * RECENT_SLOTS];
        }
        let hash = usize::from(first) * 7 + usize::from(last) * 3 + key.len();
        let slot = site as usize * RECENT_SLOTS + hash % RECENT_SLOTS;
        let r = &self.recent[slot];
        if usize::from(r.len) == key.len() && r.key[..key.len()] == *key {
            return r.class;
        }
        let class = self.classify_mapped(key, site, drop_bodies);
        let mut r = RecentKey {
            len: key.len() as u8,
            key: [0; RECENT_KEY],
            class,
        };
        r.key[..key.len()].copy_from_slice(key);
        self.recent[slot] = r;
        class
    }

    /// [`Self::classify`] through the maps.
    fn classify_mapped(
        &mut self,
        key: &[u8],
        site: KeySite,
        drop_bodies: bool,
    ) -> Option<KeyClass> {
        let map = &mut self.maps[site as usize];
        if let Some(c) = map.get(key) {
            return *c;
        }
        let c = std::str::from_utf8(key)
            .ok()
            .and_then(|k| classify_key(k, site, drop_bodies));
        if map.len() >= 4096 {
            map.clear();
        }
        map.insert(key.to_vec(), c);
        c
    }
}

/// The placeholders redaction writes (see `span::Repl` and the engine).
pub const MARKERS: [&[u8]; 4] = [
    b"[redacted]",
    b"[omitted: request body]",
    b"[omitted: line could not be redacted]",
    b"%5Bredacted%5D",
];

/// The length of the whole placeholder `v` begins with, if any.
fn marker_len(v: &[u8]) -> Option<usize> {
    if let Some(rest) = v.strip_prefix(b"<string:") {
        let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits > 0 && rest.get(digits) == Some(&b'>') {
            return Some(8 + digits + 1);
        }
    }
    MARKERS.iter().find(|m| v.starts_with(m)).map(|m| m.len())
}

fn word_like(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c >= 0x80 || b"_-.@%+/~".contains(&c)
}

/// Whether `v` begins with a whole placeholder that nothing word-like continues
/// (`[redacted]&…`, `[redacted]"`); `[omittedSECRET` and `[redacted]SECRET` do not.
pub fn starts_with_marker(v: &[u8]) -> bool {
    marker_len(v).is_some_and(|n| v.get(n).is_none_or(|&c| !word_like(c)))
}

/// Whether nothing but placeholders, punctuation and whitespace is left in `v`: a value
/// that holds a placeholder and anything else (`[redacted]; cf_clearance=SECRET`) still
/// carries something to redact.
pub(crate) fn only_markers(v: &[u8]) -> bool {
    let mut i = 0;
    let mut any = false;
    while i < v.len() {
        if let Some(n) = marker_len(&v[i..]) {
            any = true;
            i += n;
        } else if v[i].is_ascii_alphanumeric() || v[i] >= 0x80 {
            return false;
        } else {
            i += 1;
        }
    }
    any
}

/// Whether a value is already a redaction marker or a pseudonym (never redacted twice and
/// never reported by `scan`).
pub fn is_marker(value: &[u8]) -> bool {
    let v = value;
    if v.is_empty() {
        return true;
    }
    if only_markers(v) || v == b"~" || v == b"<user>" {
        return true;
    }
    crate::pseudonym::looks_like_pseudonym(v) || crate::pseudonym::looks_like_mask(v)
}

/// Cookies that carry a session or a credential, matched as `name=value` anywhere.
pub const AUTH_COOKIES: [&str; 8] = [
    "__secure-next-auth.session-token",
    "__secure-next-auth.callback-url",
    "_puid",
    "__cf_bm",
    "cf_clearance",
    "oai-did",
    "_cfuvid",
    "oai-sc",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_query_parameters_are_secret_in_urls_only() {
        for key in [
            "sig",
            "signature",
            "key",
            "x-amz-signature",
            "x-goog-credential",
        ] {
            assert!(classify_key(key, KeySite::Query, false).is_some(), "{key}");
        }
        assert!(classify_key("key", KeySite::Json, false).is_none());
        assert!(classify_key("sig", KeySite::KeyValue, false).is_none());
    }

    /// Red team, round 8: numbers under compound credential names.
    #[test]
    fn numbers_under_compound_credential_names_go() {
        for key in [
            "pgpassword",
            "vault_token",
            "db_password",
            "adminpassword",
            "db_pass",
            "smtp_pass",
            "acme_api_key",
            "vault_pin",
            "otpcode",
            "mfacode",
            "sms_code",
            "recovery_code",
            "passport_number",
            "account_no",
            "ssnlast4",
            "db_pwd",
        ] {
            let c = classify_key(key, KeySite::Json, false);
            assert!(c.is_some_and(|c| c.numbers_too), "{key}: {c:?}");
        }
        for key in [
            "input_tokens",
            "max_tokens",
            "bypass",
            "passes",
            "pinned",
            "mapping",
            "pwd",
            "oldpwd",
            "pass",
            "status",
        ] {
            let c = classify_key(key, KeySite::Json, false);
            assert!(!c.is_some_and(|c| c.numbers_too), "{key}: {c:?}");
        }
    }

    /// Found by the red team (round 3): a one-time code or a personal number under its key
    /// goes when it is a JSON number too.
    #[test]
    fn one_time_codes_and_personal_numbers_go_as_numbers_too() {
        for key in [
            "otp",
            "pin",
            "cvv",
            "ssn",
            "verification_code",
            "phone_number",
            "dob",
        ] {
            let c = classify_key(key, KeySite::Json, true).expect(key);
            assert!(c.numbers_too, "{key}");
            assert_eq!(c.action, Action::Redact, "{key}");
        }
        for key in ["pinned", "option", "phones_count", "input_tokens_count"] {
            let c = classify_key(key, KeySite::Json, true);
            assert!(c.is_none_or(|c| !c.numbers_too), "{key}");
        }
    }

    #[test]
    fn rule_names_are_unique_and_indexed() {
        let mut names: Vec<&str> = Rule::ALL.iter().map(|r| r.as_str()).collect();
        for (i, r) in Rule::ALL.iter().enumerate() {
            assert_eq!(r.index(), i);
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Rule::ALL.len());
    }

    #[test]
    fn plugin_tables() {
        for k in [
            "access_token",
            "refresh_token",
            "id_token",
            "authorization",
            "prompt_cache_key",
            "authorization_code",
            "auth_code",
            "code_verifier",
            "pkce_verifier",
            "verifier",
            "state",
            "code",
            "api_key",
            "apikey",
            "client_secret",
            "clientsecret",
            "authorizationcode",
            "codeverifier",
            "accesstoken",
            "refreshtoken",
            "idtoken",
            "session-id",
            "session_id",
            "sessionid",
            "chatgpt-account-id",
            "chatgpt_account_id",
            "account_id",
            "accountid",
        ] {
            assert!(classify_key(k, KeySite::Json, true).is_some(), "{k}");
        }
        for k in [
            "cookie",
            "set-cookie",
            "proxy-authorization",
            "forwarded",
            "x-forwarded-for",
            "x-api-key",
            "x-real-ip",
            "cf-connecting-ip",
            "x-my-session",
            "x-auth-thing",
            "x-custom-token",
            "my-api-key",
        ] {
            assert!(classify_key(k, KeySite::Json, true).is_some(), "{k}");
        }
        for k in [
            "identitykey",
            "selectionattemptkey",
            "mytokenvalue",
            "password2",
            "pkce_thing",
        ] {
            assert!(classify_key(k, KeySite::Json, true).is_some(), "{k}");
        }
        for k in [
            "status",
            "event",
            "authmode",
            "seq",
            "timestamp",
            "url",
            "method",
        ] {
            assert!(classify_key(k, KeySite::Json, true).is_none(), "{k}");
        }
        assert_eq!(
            classify_key("body", KeySite::Json, true).map(|c| c.action),
            Some(Action::Omit)
        );
        assert_eq!(classify_key("body", KeySite::Json, false), None);
        assert!(
            !classify_key("input_tokens", KeySite::Json, true)
                .expect("class")
                .numbers_too
        );
    }

    #[test]
    fn markers() {
        assert!(is_marker(b"[redacted]"));
        assert!(is_marker(b"[redacted]\","));
        assert!(is_marker(b"[redacted]; [redacted]"));
        assert!(!is_marker(b"[redacted]&state=x"), "a value with more in it");
        assert!(!is_marker(b"[redacted]; cf_clearance=abcdef"));
        assert!(starts_with_marker(b"[redacted]&state=x"));
        assert!(!starts_with_marker(b"[redactedx"));
        assert!(is_marker(b"[omitted: request body]"));
        assert!(is_marker(b"email_0123abcd"));
        assert!(!is_marker(b"rt_abcdef"));
        assert!(
            !is_marker(b"[omittedSECRET"),
            "only the whole placeholder counts"
        );
        assert!(!is_marker(b"[redacted]SECRET"));
        assert!(!is_marker(b"[redacted"));
    }

    #[test]
    fn docs_list_every_rule() {
        let docs = include_str!("../../../docs/bundle.md");
        for r in Rule::ALL {
            assert!(
                docs.contains(&format!("`{}`", r.as_str())),
                "docs/bundle.md does not document rule {r}"
            );
        }
    }
}
