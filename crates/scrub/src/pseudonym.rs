//! Stable pseudonyms for identifiers, valid within one bundle.
//!
//! `<prefix>_<first 8 hex of HMAC-SHA256(key, prefix ":" normalized value)>`, the same shape
//! the plugin's shareable debug uses (reference 11.5). The key is 32 random bytes per
//! [`Pseudonymizer`], so the same email in two files of one bundle gets the same pseudonym
//! and two bundles share none. Values are normalized first (trimmed, ASCII-lowercased, `%40`
//! read as `@`) so every spelling of one identifier maps to one pseudonym.

use codex_redact::{mask_email, mask_id, mask_identity_key, IdentityMode};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// What an identifier is; decides the pseudonym's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `email_…`
    Email,
    /// `acct_…` (ChatGPT account and user ids).
    Account,
    /// `ident_…` (identity keys).
    Identity,
    /// `sess_…` (session ids and keys).
    Session,
    /// `pck_…` (prompt cache keys).
    PromptCacheKey,
    /// `attempt_…` (attempt keys).
    Attempt,
    /// `name_…` (file and folder names a bundle does not know to be safe).
    Name,
}

impl Kind {
    /// The prefix before `_`.
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Email => "email",
            Kind::Account => "acct",
            Kind::Identity => "ident",
            Kind::Session => "sess",
            Kind::PromptCacheKey => "pck",
            Kind::Attempt => "attempt",
            Kind::Name => "name",
        }
    }
}

pub(crate) const PREFIXES: [&[u8]; 7] = [
    b"email_",
    b"acct_",
    b"ident_",
    b"sess_",
    b"pck_",
    b"attempt_",
    b"name_",
];

/// Whether `v` has the shape of a pseudonym (`email_0123abcd`).
pub fn looks_like_pseudonym(v: &[u8]) -> bool {
    PREFIXES.iter().any(|p| {
        v.len() == p.len() + 8
            && v.starts_with(p)
            && v[p.len()..]
                .iter()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
    })
}

/// Whether `v` has the shape of a mask the report style writes: `***a1b2` (at most four
/// characters after the stars), `u***@example.com`, `***a1b2|u***@example.com|plus` or
/// `legacy|***`. The detectors leave a mask alone, so masked text reads the same again.
pub fn looks_like_mask(v: &[u8]) -> bool {
    // Every mask holds `***`; most values do not, and are answered without splitting.
    if !memchr::memchr_iter(b'*', v).any(|i| v[i..].starts_with(b"***")) {
        return false;
    }
    let Ok(v) = std::str::from_utf8(v) else {
        return false;
    };
    let word = |p: &str| {
        !p.is_empty()
            && p.len() <= 40
            && p.bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"-_.".contains(&c))
    };
    let id = |p: &str| {
        p.strip_prefix("***").is_some_and(|t| {
            t.chars().count() <= 4
                && !t.contains(|c: char| c.is_whitespace() || c == '|' || c == '"')
        })
    };
    let email = |p: &str| match p.split_once("***@") {
        Some((first, domain)) => first.chars().count() <= 1 && word(domain) && domain.contains('.'),
        None => id(p),
    };
    let parts: Vec<&str> = v.split('|').collect();
    match parts.as_slice() {
        [one] => email(one),
        [a, b, plan] => id(a) && email(b) && word(plan),
        _ => v == "legacy|***",
    }
}

/// `text` with every embedded pseudonym (`email_0123abcd`, anywhere) removed.
pub fn strip_pseudonyms(text: &str) -> std::borrow::Cow<'_, str> {
    let b = text.as_bytes();
    let mut out: Option<String> = None;
    let mut last = 0;
    let mut i = 0;
    while i < b.len() {
        let hit = PREFIXES.iter().find_map(|p| {
            let end = i + p.len() + 8;
            (end <= b.len() && looks_like_pseudonym(&b[i..end])).then_some(end)
        });
        match hit {
            Some(end) => {
                out.get_or_insert_with(String::new).push_str(&text[last..i]);
                last = end;
                i = end;
            }
            None => i += 1,
        }
    }
    match out {
        None => std::borrow::Cow::Borrowed(text),
        Some(mut s) => {
            s.push_str(&text[last..]);
            std::borrow::Cow::Owned(s)
        }
    }
}

/// Computes the text that stands for an identifier: a pseudonym under one secret key (the
/// bundle's style), or a mask ([`Pseudonymizer::masking`], the report's style).
#[derive(Clone)]
pub struct Pseudonymizer {
    mac: Hmac<Sha256>,
    style: Style,
}

impl std::fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pseudonymizer([key redacted])")
    }
}

/// The operating system could not provide random bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RandomUnavailable(pub String);

impl std::fmt::Display for RandomUnavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no random bytes from the operating system: {}", self.0)
    }
}

impl std::error::Error for RandomUnavailable {}

impl Pseudonymizer {
    /// A pseudonymizer with a fresh random key.
    pub fn random() -> Result<Pseudonymizer, RandomUnavailable> {
        let mut key = [0u8; 32];
        getrandom::getrandom(&mut key).map_err(|e| RandomUnavailable(e.to_string()))?;
        Ok(Pseudonymizer::with_key(&key))
    }

    /// A pseudonymizer with a given key (tests, benchmarks).
    pub fn with_key(key: &[u8; 32]) -> Pseudonymizer {
        // HMAC zero-pads keys shorter than its 64-byte block, so this is the 32-byte key.
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(key);
        let mac = <Hmac<Sha256> as hmac::digest::KeyInit>::new(&block.into());
        Pseudonymizer {
            mac,
            style: Style::Pseudonym,
        }
    }

    /// The report's style: identifiers are masked (`u***@example.com`, `***a1b2`) or, with
    /// [`IdentityMode::Shown`], emails, account ids and identity keys stay as they are (the
    /// engine then leaves them alone). No key is involved.
    pub fn masking(identities: IdentityMode) -> Pseudonymizer {
        Pseudonymizer {
            style: Style::Mask(identities),
            ..Pseudonymizer::with_key(&[0; 32])
        }
    }

    /// The output style.
    pub fn style(&self) -> Style {
        self.style
    }

    /// Whether identifiers of `kind` are left as they are (the report with identities
    /// shown): the engine drops their matches instead of replacing them with themselves.
    pub fn keeps(&self, kind: Kind) -> bool {
        self.style == Style::Mask(IdentityMode::Shown)
            && matches!(kind, Kind::Email | Kind::Account | Kind::Identity)
    }

    /// What stands for `value` as a `kind`: its pseudonym, or its mask.
    pub fn pseudonym(&self, kind: Kind, value: &[u8]) -> String {
        match self.style {
            Style::Pseudonym => self.hmac_pseudonym(kind, value),
            Style::Mask(_) if self.keeps(kind) => String::from_utf8_lossy(value).into_owned(),
            Style::Mask(_) => mask(kind, value),
        }
    }

    fn hmac_pseudonym(&self, kind: Kind, value: &[u8]) -> String {
        let norm = normalize(value);
        let mut mac = self.mac.clone();
        mac.update(kind.prefix().as_bytes());
        mac.update(b":");
        mac.update(&norm);
        let out = mac.finalize().into_bytes();
        let mut s = String::with_capacity(kind.prefix().len() + 9);
        s.push_str(kind.prefix());
        s.push('_');
        for b in out.iter().take(4) {
            s.push(hex(b >> 4));
            s.push(hex(b & 0xf));
        }
        s
    }
}

/// How the engine writes what it replaces: the two output styles of one engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Per-bundle pseudonyms (`email_0123abcd`): a maintainer can follow one identity
    /// across files without learning it. The bundle and `scan`.
    Pseudonym,
    /// Masks a person recognizes their own accounts by (`u***@example.com`, `***a1b2`,
    /// `***a1b2|u***@example.com|plus`), or identities shown as they are. The doctor's
    /// report on the user's own terminal.
    Mask(IdentityMode),
}

/// The mask of `value` as a `kind` (`%40` read as `@`, so an encoded email keeps its domain).
fn mask(kind: Kind, value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    let text = text
        .replace("%40", "@")
        .replace("%7C", "|")
        .replace("%7c", "|");
    match kind {
        Kind::Email => mask_email(&text),
        Kind::Identity => mask_identity_key(&text),
        Kind::Account | Kind::Session | Kind::PromptCacheKey | Kind::Attempt | Kind::Name => {
            mask_id(&text)
        }
    }
}

fn hex(n: u8) -> char {
    char::from(b"0123456789abcdef"[usize::from(n & 0xf)])
}

/// Trim, ASCII-lowercase, and read `%40` as `@`.
pub fn normalize(value: &[u8]) -> Vec<u8> {
    let v = trim(value);
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        if v[i] == b'%' && i + 2 < v.len() && v[i + 1] == b'4' && v[i + 2] == b'0' {
            out.push(b'@');
            i += 3;
            continue;
        }
        out.push(v[i].to_ascii_lowercase());
        i += 1;
    }
    out
}

fn trim(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|c| !c.is_ascii_whitespace())
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &v[start..end.max(start)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_pseudonyms_anywhere() {
        assert_eq!(strip_pseudonyms("x.email_0123abcd_"), "x._");
        assert_eq!(strip_pseudonyms("email"), "email");
        assert_eq!(strip_pseudonyms("sess_0123abcdacct_89abcdef"), "");
    }

    #[test]
    fn stable_within_a_key_and_normalized() {
        let p = Pseudonymizer::with_key(&[7; 32]);
        let a = p.pseudonym(Kind::Email, b"Alice@Example.com");
        assert_eq!(a, p.pseudonym(Kind::Email, b" alice%40example.com "));
        assert!(a.starts_with("email_") && a.len() == 14, "{a}");
        assert!(looks_like_pseudonym(a.as_bytes()));
        assert_ne!(a, p.pseudonym(Kind::Account, b"alice@example.com"));
        let q = Pseudonymizer::with_key(&[8; 32]);
        assert_ne!(a, q.pseudonym(Kind::Email, b"alice@example.com"));
    }

    #[test]
    fn the_mask_style_masks_or_shows_identities() {
        let m = Pseudonymizer::masking(IdentityMode::Masked);
        assert_eq!(
            m.pseudonym(Kind::Email, b"alice@example.com"),
            "a***@example.com"
        );
        assert_eq!(
            m.pseudonym(Kind::Email, b"alice%40example.com"),
            "a***@example.com"
        );
        assert_eq!(m.pseudonym(Kind::Account, b"acc_12345678"), "***5678");
        assert_eq!(
            m.pseudonym(Kind::Identity, b"acc_12345678|alice@example.com|plus"),
            "***5678|a***@example.com|plus"
        );
        assert_eq!(m.pseudonym(Kind::Session, b"ses_abcdefgh"), "***efgh");
        assert!(!m.keeps(Kind::Email));
        for masked in [
            "***5678",
            "***",
            "a***@example.com",
            "***5678|a***@example.com|plus",
            "legacy|***",
        ] {
            assert!(looks_like_mask(masked.as_bytes()), "{masked}");
        }
        for not in [
            "***secret-value",
            "ab***@example.com",
            "*** x",
            "***5678|rt_1|plus",
            "sk-abc",
        ] {
            assert!(!looks_like_mask(not.as_bytes()), "{not}");
        }
        let s = Pseudonymizer::masking(IdentityMode::Shown);
        assert!(s.keeps(Kind::Email) && s.keeps(Kind::Account) && s.keeps(Kind::Identity));
        assert!(!s.keeps(Kind::Session));
        assert_eq!(s.pseudonym(Kind::Session, b"ses_abcdefgh"), "***efgh");
        let p = Pseudonymizer::with_key(&[7; 32]);
        assert!(!p.keeps(Kind::Email));
        assert_eq!(p.style(), Style::Pseudonym);
    }

    #[test]
    fn random_keys_differ() {
        let a = Pseudonymizer::random().expect("random");
        let b = Pseudonymizer::random().expect("random");
        assert_ne!(
            a.pseudonym(Kind::Session, b"ses_1"),
            b.pseudonym(Kind::Session, b"ses_1")
        );
    }
}
