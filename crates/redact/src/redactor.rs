//! `Redactor`: scrubs secrets out of text before it leaves the process.
//!
//! Two layers run on every string: first every *known* value (tokens, emails, account ids and
//! identity keys the tool has read from the user's files) is replaced wherever it appears,
//! including its URL-encoded form; then secret-shaped text the tool did not know about is
//! removed by shape: JWTs (`eyJ…`), `Bearer`/`Basic` credentials, OpenAI-style `sk-` keys and
//! (unless identities are shown) email addresses. Tokens are always removed; identities are
//! masked (`u***@example.com`) unless the user asked to see them.
//!
//! Known values are replaced longest first, so an identity key goes before the email inside
//! it. One Aho-Corasick automaton over the first bytes of every known value (built once, on
//! first use) tells which of them a string may hold, so a string holding none costs one scan
//! rather than one search per known value; an output that still holds one takes the plain
//! path again.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use crate::{mask_email, mask_id, mask_identity_key, REDACTED};

/// Whether identities (emails, account ids, identity keys) are masked or shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IdentityMode {
    /// Mask identities (the default: output is safe to paste).
    #[default]
    Masked,
    /// Show identities verbatim (`--show-identities`). Tokens are still removed.
    Shown,
}

#[derive(Clone)]
struct Needle {
    find: String,
    replace: String,
}

/// Replaces known secrets and secret-shaped text in strings.
#[derive(Clone, Default)]
pub struct Redactor {
    mode: IdentityMode,
    /// In the order they were added.
    needles: Vec<Needle>,
    /// Built on first use after the last addition.
    compiled: OnceLock<Compiled>,
}

/// The known values in replacement order, and the automaton that finds candidates for them.
#[derive(Clone)]
struct Compiled {
    /// Longest first, then by text; one entry per distinct value (the first added wins).
    order: Vec<Needle>,
    /// Over the first [`PREFIX`] bytes of `order`'s values (pattern `i` is `order[i]`):
    /// a value can only occur where its prefix does. Tokens are kilobytes long, and an
    /// automaton over their prefixes builds in a fraction of the time. `None` when there are
    /// no values (or the automaton could not be built: every search takes the plain path).
    ac: Option<AhoCorasick>,
}

/// How many leading bytes of a known value the automaton holds.
const PREFIX: usize = 24;

impl Compiled {
    fn build(needles: &[Needle], prefix: usize) -> Compiled {
        let mut order = needles.to_vec();
        // Stable: among equal values the first added stays first, and is the one kept.
        order.sort_by(|a, b| b.find.len().cmp(&a.find.len()).then(a.find.cmp(&b.find)));
        order.dedup_by(|a, b| a.find == b.find);
        let ac = if order.is_empty() {
            None
        } else {
            let heads = order.iter().map(|n| {
                let b = n.find.as_bytes();
                &b[..b.len().min(prefix)]
            });
            AhoCorasick::new(heads).ok()
        };
        Compiled { order, ac }
    }

    /// The values whose prefix occurs in `text` (a superset of those that occur); `None`
    /// when there is no automaton.
    fn candidates(&self, text: &str) -> Option<Vec<bool>> {
        let ac = self.ac.as_ref()?;
        let mut seen = vec![false; self.order.len()];
        for m in ac.find_overlapping_iter(text) {
            seen[m.pattern().as_usize()] = true;
        }
        Some(seen)
    }

    /// Every value replaced, longest first, by plain searches.
    fn replace_all(&self, text: &str) -> String {
        let mut out = text.to_string();
        for n in &self.order {
            if out.contains(&n.find) {
                out = out.replace(&n.find, &n.replace);
            }
        }
        out
    }

    fn replace(&self, text: &str) -> String {
        if self.order.is_empty() {
            return text.to_string();
        }
        let Some(seen) = self.candidates(text) else {
            return self.replace_all(text);
        };
        if !seen.contains(&true) {
            return text.to_string();
        }
        let mut out = text.to_string();
        for (n, _) in self.order.iter().zip(&seen).filter(|(_, s)| **s) {
            if out.contains(&n.find) {
                out = out.replace(&n.find, &n.replace);
            }
        }
        // A replacement next to other text could form a value again: take the plain path.
        let formed = match self.candidates(&out) {
            None => true,
            Some(again) => self
                .order
                .iter()
                .zip(&again)
                .any(|(n, s)| *s && out.contains(&n.find)),
        };
        if formed {
            out = self.replace_all(&out);
        }
        out
    }
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("mode", &self.mode)
            .field("known_values", &self.needles.len())
            .finish()
    }
}

impl Redactor {
    /// A redactor with no known values.
    pub fn new(mode: IdentityMode) -> Self {
        Redactor {
            mode,
            needles: Vec::new(),
            compiled: OnceLock::new(),
        }
    }

    /// The identity mode in force.
    pub fn mode(&self) -> IdentityMode {
        self.mode
    }

    /// Registers a token (access, refresh, id token, API key): always replaced.
    pub fn add_token(&mut self, value: &str) {
        self.push(value, REDACTED.to_string());
    }

    /// Registers an email address: masked unless identities are shown.
    pub fn add_email(&mut self, value: &str) {
        if self.mode == IdentityMode::Masked {
            self.push(value, mask_email(value));
            self.push(&value.to_lowercase(), mask_email(&value.to_lowercase()));
        }
    }

    /// Registers an account id: masked unless identities are shown.
    pub fn add_account_id(&mut self, value: &str) {
        if self.mode == IdentityMode::Masked {
            self.push(value, mask_id(value));
        }
    }

    /// Registers an identity key: masked unless identities are shown.
    pub fn add_identity_key(&mut self, value: &str) {
        if self.mode == IdentityMode::Masked {
            self.push(value, mask_identity_key(value));
        }
    }

    fn push(&mut self, value: &str, replace: String) {
        let value = value.trim();
        // Very short values would shred ordinary words; they are never real secrets.
        if value.chars().count() < 4 {
            return;
        }
        let encoded = codex_js::encode_uri_component(value);
        if encoded != value {
            self.needles.push(Needle {
                find: encoded,
                replace: replace.clone(),
            });
        }
        self.needles.push(Needle {
            find: value.to_string(),
            replace,
        });
        self.compiled = OnceLock::new();
    }

    /// Returns `text` with every known value and secret-shaped run replaced.
    pub fn redact(&self, text: &str) -> String {
        let out = self
            .compiled
            .get_or_init(|| Compiled::build(&self.needles, PREFIX))
            .replace(text);
        let out = redact_jwts(&out);
        let out = redact_auth_schemes(&out);
        let out = redact_sk_keys(&out);
        if self.mode == IdentityMode::Masked {
            redact_emails(&out)
        } else {
            out
        }
    }
}

fn is_b64url(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
}

/// Replaces `eyJ<b64>.<b64>.<b64?>` runs.
fn redact_jwts(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut last = 0;
    while i + 3 <= bytes.len() {
        if &bytes[i..i + 3] == b"eyJ" && (i == 0 || !is_b64url(bytes[i - 1])) {
            let mut j = i;
            let mut dots = 0;
            let mut seg_len = 0;
            let mut ok_segments = 0;
            while j < bytes.len() && (is_b64url(bytes[j]) || bytes[j] == b'.') {
                if bytes[j] == b'.' {
                    if seg_len > 0 {
                        ok_segments += 1;
                    }
                    dots += 1;
                    seg_len = 0;
                    if dots > 2 {
                        break;
                    }
                } else {
                    seg_len += 1;
                }
                j += 1;
            }
            if dots >= 2 && ok_segments >= 2 {
                out.push_str(&text[last..i]);
                out.push_str(REDACTED);
                last = j;
                i = j;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&text[last..]);
    out
}

/// Replaces the credential after `Bearer `/`Basic ` (any case), keeping the scheme.
fn redact_auth_schemes(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut search = 0;
    loop {
        let next = ["bearer ", "basic "]
            .iter()
            .filter_map(|p| lower[search..].find(p).map(|at| (search + at, p.len())))
            .min();
        let Some((at, plen)) = next else { break };
        let boundary = at == 0 || !lower.as_bytes()[at - 1].is_ascii_alphanumeric();
        let start = at + plen;
        let end = text[start..]
            .find(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == ',' || c == '\\')
            .map(|e| start + e)
            .unwrap_or(text.len());
        let value = &text[start..end];
        if boundary && value.len() >= 4 && value != REDACTED {
            out.push_str(&text[last..start]);
            out.push_str(REDACTED);
            last = end;
        }
        search = end.max(start);
        if search >= text.len() {
            break;
        }
    }
    out.push_str(&text[last..]);
    out
}

/// Replaces `sk-…` API keys of 16+ characters.
fn redact_sk_keys(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut i = 0;
    while i + 3 <= bytes.len() {
        if &bytes[i..i + 3] == b"sk-" && (i == 0 || !is_b64url(bytes[i - 1])) {
            let mut j = i + 3;
            while j < bytes.len() && is_b64url(bytes[j]) {
                j += 1;
            }
            if j - (i + 3) >= 16 {
                out.push_str(&text[last..i]);
                out.push_str(REDACTED);
                last = j;
                i = j;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&text[last..]);
    out
}

fn is_email_local(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"._%+-".contains(&c)
}

fn is_email_domain(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'.' || c == b'-'
}

/// Masks anything shaped like `local@domain.tld`.
fn redact_emails(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'@' && i > 0 {
            let mut s = i;
            while s > last && is_email_local(bytes[s - 1]) {
                s -= 1;
            }
            let mut e = i + 1;
            while e < bytes.len() && is_email_domain(bytes[e]) {
                e += 1;
            }
            while e > i + 1 && bytes[e - 1] == b'.' {
                e -= 1;
            }
            let domain = &text[i + 1..e];
            let local = &text[s..i];
            let masked_already = local.ends_with("***");
            let tld_ok = domain
                .rsplit('.')
                .next()
                .is_some_and(|t| t.len() >= 2 && t.bytes().all(|c| c.is_ascii_alphabetic()));
            if !local.is_empty()
                && !masked_already
                && domain.contains('.')
                && !domain.starts_with('.')
                && tld_ok
            {
                out.push_str(&text[last..s]);
                out.push_str(&mask_email(&text[s..e]));
                last = e;
                i = e;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The automaton-guided replacement agrees with replacing every known value by plain
        /// searches, longest first (small alphabets force overlaps and values next to
        /// replacements).
        #[test]
        fn guided_replacement_agrees_with_the_plain_one(
            values in proptest::collection::vec("[ab@.]{4,7}", 0..8),
            text in "[ab@. x]{0,60}",
        ) {
            let needles: Vec<Needle> = values
                .iter()
                .enumerate()
                .map(|(i, v)| Needle { find: v.clone(), replace: format!("<{i}>") })
                .collect();
            for prefix in [1, 2, 3, PREFIX] {
                let c = Compiled::build(&needles, prefix);
                prop_assert_eq!(c.replace(&text), c.replace_all(&text));
            }
        }
    }

    const JWT: &str = "eyJhbGciOiJub25lIn0.eyJlbWFpbCI6ImFAYi5jIn0.c2ln";

    #[test]
    fn known_tokens_are_removed_even_with_identities_shown() {
        let mut r = Redactor::new(IdentityMode::Shown);
        r.add_token("rt_secret_value");
        r.add_email("user@example.com");
        let out = r.redact("refresh=rt_secret_value for user@example.com");
        assert_eq!(out, "refresh=[redacted] for user@example.com");
    }

    #[test]
    fn identities_are_masked_by_default() {
        let mut r = Redactor::new(IdentityMode::Masked);
        r.add_account_id("acc_1234567");
        r.add_identity_key("acc_1234567|user@example.com|plus");
        let out = r.redact("key acc_1234567|user@example.com|plus and acc_1234567 and x@y.org");
        assert_eq!(
            out,
            "key ***4567|u***@example.com|plus and ***4567 and x***@y.org"
        );
    }

    #[test]
    fn url_encoded_known_values_are_replaced() {
        let mut r = Redactor::new(IdentityMode::Masked);
        r.add_token("a b/c+d");
        assert_eq!(r.redact("x=a%20b%2Fc%2Bd"), "x=[redacted]");
    }

    #[test]
    fn shapes_are_removed() {
        let r = Redactor::new(IdentityMode::Masked);
        assert_eq!(r.redact(&format!("tok {JWT} end")), "tok [redacted] end");
        assert_eq!(
            r.redact("Authorization: Bearer abc.def-123"),
            "Authorization: Bearer [redacted]"
        );
        assert_eq!(r.redact("basic dXNlcjpwYXNz"), "basic [redacted]");
        assert_eq!(
            r.redact("key sk-proj-ABCDEFGHIJKLMNOPQRST ok"),
            "key [redacted] ok"
        );
        assert_eq!(r.redact("the bearer of news"), "the bearer of news");
        assert_eq!(r.redact("a@b"), "a@b");
        assert_eq!(r.redact("pkg-auth@4.1.0"), "pkg-auth@4.1.0");
    }

    proptest! {
        #[test]
        fn embedded_jwt_never_survives(prefix in "[ -~]{0,40}", suffix in "[ -~]{0,40}") {
            let r = Redactor::new(IdentityMode::Masked);
            let out = r.redact(&format!("{prefix} {JWT} {suffix}"));
            prop_assert!(!out.contains(JWT));
        }

        #[test]
        fn known_token_never_survives(prefix in "\\PC{0,30}", token in "[A-Za-z0-9_]{8,40}", suffix in "\\PC{0,30}") {
            let mut r = Redactor::new(IdentityMode::Shown);
            r.add_token(&token);
            let out = r.redact(&format!("{prefix}{token}{suffix}"));
            prop_assert!(!out.contains(&token));
        }

        #[test]
        fn never_panics(text in "\\PC{0,200}") {
            let r = Redactor::new(IdentityMode::Masked);
            let _ = r.redact(&text);
        }
    }
}
