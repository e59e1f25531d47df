//! Values the caller knows to be secret or identifying, found in every encoding.
//!
//! [`KnownValues`] collects tokens, emails, account ids and identity keys (read from the
//! auth store, the legacy stores and OpenCode's `auth.json`). [`KnownSet`] turns each into
//! needles: the value itself, its URL-encoded forms, its JSON-escaped form and its base64 and
//! base64url forms at all three byte alignments (so a secret inside a larger encoded blob is
//! still found). Matching is ASCII case-insensitive on a lowercased copy of the line: a
//! shift table on 4-byte blocks (Wu–Manber) jumps over stretches where no needle can start,
//! so text without a candidate costs one table probe every few bytes, and a 4-byte prefix
//! filter guards the lookup of the needles that may start at a position.

use codex_js::encode_uri_component;
use std::collections::HashMap;

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;

use crate::pseudonym::{Kind, Pseudonymizer};
use crate::rules::Rule;
use crate::span::{Repl, Span};

/// Values shorter than this are never registered: they would shred ordinary words.
pub(crate) const MIN_KNOWN_LEN: usize = 6;

/// Secret and identifying values the caller knows about.
#[derive(Default, Clone)]
pub struct KnownValues {
    /// Access, refresh and id tokens, API keys: replaced by `[redacted]`.
    pub tokens: Vec<String>,
    /// Emails: replaced by `email_…`.
    pub emails: Vec<String>,
    /// Account ids: replaced by `acct_…`.
    pub account_ids: Vec<String>,
    /// Identity keys: replaced by `ident_…`.
    pub identity_keys: Vec<String>,
    /// Session ids: replaced by `sess_…`.
    pub session_ids: Vec<String>,
    /// Values that stand for an identifier (`(value, kind, identifier)`), such as the
    /// cache-shard hash of an account id: replaced by the identifier's pseudonym.
    pub aliases: Vec<(String, Kind, String)>,
}

impl std::fmt::Debug for KnownValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KnownValues")
            .field("tokens", &self.tokens.len())
            .field("emails", &self.emails.len())
            .field("account_ids", &self.account_ids.len())
            .field("identity_keys", &self.identity_keys.len())
            .field("session_ids", &self.session_ids.len())
            .field("aliases", &self.aliases.len())
            .finish()
    }
}

impl KnownValues {
    /// Total number of values.
    pub fn len(&self) -> usize {
        self.tokens.len()
            + self.emails.len()
            + self.account_ids.len()
            + self.identity_keys.len()
            + self.session_ids.len()
            + self.aliases.len()
    }

    /// No values at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

struct Needle {
    bytes: Vec<u8>,
    rule: Rule,
    /// Shared by every form of one value.
    replace: std::sync::Arc<str>,
    /// Must not be glued to path-name characters on either side (the home directory).
    path_boundary: bool,
}

/// Compiled needles.
#[derive(Default)]
pub(crate) struct KnownSet {
    needles: Vec<Needle>,
    /// Needles shorter than 8 bytes, by their first 4 bytes.
    by_prefix: HashMap<u32, Vec<u32>, crate::bytes::FnvBuild>,
    /// Needles of 8 bytes or more, by their first 8 bytes.
    by_prefix8: HashMap<u64, Vec<u32>, crate::bytes::FnvBuild>,
    filter: Vec<u64>,
    /// How far the search may jump, by the hash of the 4 bytes that end a window of
    /// `min_len` bytes (a Wu–Manber shift table): no needle starts within that many
    /// positions of the window's start.
    shift: Vec<u8>,
    /// The shortest needle's length.
    min_len: usize,
}

impl KnownSet {
    /// Whether some needle (a value's form, lowercase) passes `test`.
    pub(crate) fn any_needle(&self, mut test: impl FnMut(&[u8]) -> bool) -> bool {
        self.needles.iter().any(|n| test(&n.bytes))
    }
}

impl std::fmt::Debug for KnownSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KnownSet({} needles)", self.needles.len())
    }
}

const FILTER_BITS: u32 = 18;

/// Bits of the shift table's index.
const SHIFT_BITS: u32 = 16;

fn shift_hash(w: u32) -> usize {
    (w.wrapping_mul(0x9E37_79B1) >> (32 - SHIFT_BITS)) as usize
}

fn prefix_hash(w: u32) -> usize {
    (w.wrapping_mul(0x9E37_79B1) >> (32 - FILTER_BITS)) as usize
}

fn word(b: &[u8]) -> u32 {
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn word8(b: &[u8]) -> u64 {
    u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
}

fn encode_all(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            out.push(char::from(b));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

/// Bytes `encodeURIComponent` keeps as they are.
fn uri_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b)
}

/// Bytes [`json_escaped`] changes.
fn json_special(b: u8) -> bool {
    matches!(b, b'/' | b'@' | b'"' | b'\\')
}

fn json_escaped(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '/' => out.push_str("\\/"),
            '@' => out.push_str("\\u0040"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out
}

/// The base64 characters that depend only on `value` when it starts at byte offset
/// `shift` (0, 1 or 2) of a larger encoded message.
fn base64_cores(value: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    for shift in 0..3usize {
        let mut msg = vec![0u8; shift];
        msg.extend_from_slice(value);
        let n = value.len();
        let first = (8 * shift).div_ceil(6);
        let last = (8 * (shift + n)) / 6;
        if last <= first + 7 {
            continue;
        }
        // base64url differs from base64 only in `-_` for `+/`.
        let enc = STANDARD_NO_PAD.encode(&msg);
        if let Some(core) = enc.get(first..last) {
            if core.bytes().any(|b| b == b'+' || b == b'/') {
                out.push(core.replace('+', "-").replace('/', "_"));
            }
            out.push(core.to_string());
        }
    }
    out
}

impl KnownSet {
    /// Compiles the needles for `values`, plus the home directory when given.
    pub(crate) fn build(values: &KnownValues, home: Option<&str>, p: &Pseudonymizer) -> KnownSet {
        let mut set = KnownSet {
            filter: vec![0; 1 << (FILTER_BITS - 6)],
            ..KnownSet::default()
        };
        let groups: [(&Vec<String>, Rule, Option<Kind>); 5] = [
            (
                &values.identity_keys,
                Rule::KnownIdentityKey,
                Some(Kind::Identity),
            ),
            (&values.tokens, Rule::KnownToken, None),
            (&values.emails, Rule::KnownEmail, Some(Kind::Email)),
            (
                &values.account_ids,
                Rule::KnownAccountId,
                Some(Kind::Account),
            ),
            (&values.session_ids, Rule::SessionId, Some(Kind::Session)),
        ];
        for (list, rule, kind) in groups {
            // Identities the caller shows as they are (the report's `--show-identities`).
            if kind.is_some_and(|k| p.keeps(k)) {
                continue;
            }
            for v in list {
                let v = v.trim();
                if v.len() < MIN_KNOWN_LEN {
                    continue;
                }
                let replace: std::sync::Arc<str> = match kind {
                    Some(k) => p.pseudonym(k, v.as_bytes()).into(),
                    None => crate::REDACTED.into(),
                };
                set.push(v.as_bytes(), rule, &replace, false);
                // Forms that differ from the value (the others are the value again). The
                // URI form needs no JSON escaping: it holds no `/`, `@`, `"` or `\`.
                let uri = (!v.bytes().all(uri_unreserved)).then(|| encode_uri_component(v));
                if let Some(u) = &uri {
                    set.push(u.as_bytes(), rule, &replace, false);
                }
                if !v.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    set.push(encode_all(v).as_bytes(), rule, &replace, false);
                }
                if v.bytes().any(json_special) {
                    set.push(json_escaped(v).as_bytes(), rule, &replace, false);
                }
                for f in base64_cores(v.as_bytes()) {
                    set.push(f.as_bytes(), rule, &replace, false);
                }
            }
        }
        for (value, kind, ident) in values.aliases.iter().filter(|a| !p.keeps(a.1)) {
            let rule = match kind {
                Kind::Email => Rule::KnownEmail,
                Kind::Identity => Rule::KnownIdentityKey,
                Kind::Session => Rule::SessionId,
                _ => Rule::KnownAccountId,
            };
            let replace = p.pseudonym(*kind, ident.as_bytes()).into();
            set.push(value.trim().as_bytes(), rule, &replace, false);
        }
        if let Some(h) = home.map(|h| h.trim_end_matches('/')) {
            if h.len() >= 2 {
                let tilde: std::sync::Arc<str> = "~".into();
                for f in [h.to_string(), json_escaped(h), encode_all(h)] {
                    set.push(f.as_bytes(), Rule::HomePath, &tilde, true);
                }
            }
        }
        set.finish();
        set
    }

    fn push(
        &mut self,
        form: &[u8],
        rule: Rule,
        replace: &std::sync::Arc<str>,
        path_boundary: bool,
    ) {
        if form.len() < MIN_KNOWN_LEN {
            return;
        }
        // Duplicates are dropped in `finish` (the first pushed wins).
        self.needles.push(Needle {
            bytes: form.to_ascii_lowercase(),
            rule,
            replace: replace.clone(),
            path_boundary,
        });
    }

    fn finish(&mut self) {
        // Longest first, so an identity key wins over the email inside it; among equal
        // bytes the first pushed stays (the sort is stable).
        self.needles.sort_by(|a, b| {
            b.bytes
                .len()
                .cmp(&a.bytes.len())
                .then_with(|| a.bytes.cmp(&b.bytes))
        });
        self.needles
            .dedup_by(|later, first| later.bytes == first.bytes);
        for (i, n) in self.needles.iter().enumerate() {
            let w = word(&n.bytes);
            let h = prefix_hash(w);
            self.filter[h >> 6] |= 1 << (h & 63);
            if n.bytes.len() >= 8 {
                self.by_prefix8
                    .entry(word8(&n.bytes))
                    .or_default()
                    .push(i as u32);
            } else {
                self.by_prefix.entry(w).or_default().push(i as u32);
            }
        }
        // A needle starting at `p` puts its bytes `k..k + 4` at the end of the window
        // starting at `p - (min_len - 4 - k)`: from there the search may only step to `p`.
        self.min_len = self
            .needles
            .iter()
            .map(|n| n.bytes.len())
            .min()
            .unwrap_or(MIN_KNOWN_LEN);
        let most = u8::try_from(self.min_len - 3).unwrap_or(u8::MAX);
        self.shift = vec![most; 1 << SHIFT_BITS];
        for n in &self.needles {
            for k in 0..=self.min_len - 4 {
                let h = shift_hash(word(&n.bytes[k..k + 4]));
                let s = u8::try_from(self.min_len - 4 - k).unwrap_or(u8::MAX);
                self.shift[h] = self.shift[h].min(s);
            }
        }
    }

    /// Feeds what the search finds (each needle's bytes, rule and boundary) to `h`.
    pub(crate) fn identity(&self, h: &mut impl std::hash::Hasher) {
        use std::hash::Hash;
        for n in &self.needles {
            n.bytes.hash(h);
            n.rule.index().hash(h);
            n.path_boundary.hash(h);
        }
    }

    /// The replacement text of needle `n`.
    pub(crate) fn replacement(&self, n: u32) -> &str {
        self.needles
            .get(n as usize)
            .map_or(crate::REDACTED, |n| &n.replace)
    }

    /// Finds every needle in `low` (the ASCII-lowercased line).
    pub(crate) fn find(&self, low: &[u8], spans: &mut Vec<Span>) {
        if self.needles.is_empty() || low.len() < 4 {
            return;
        }
        let m = self.min_len;
        let mut i = 0;
        'outer: while i + m <= low.len() {
            let s = self.shift[shift_hash(word(&low[i + m - 4..i + m]))];
            if s > 0 {
                i += usize::from(s);
                continue;
            }
            let w = word(&low[i..i + 4]);
            let h = prefix_hash(w);
            if self.filter[h >> 6] & (1 << (h & 63)) != 0 {
                let long = if i + 8 <= low.len() {
                    self.by_prefix8.get(&word8(&low[i..i + 8]))
                } else {
                    None
                };
                let short = if self.by_prefix.is_empty() {
                    None
                } else {
                    self.by_prefix.get(&w)
                };
                for &c in long
                    .into_iter()
                    .flatten()
                    .chain(short.into_iter().flatten())
                {
                    let n = &self.needles[c as usize];
                    if low[i..].starts_with(&n.bytes)
                        && (!n.path_boundary || path_bounded(low, i, i + n.bytes.len()))
                    {
                        spans.push(Span::new(i, i + n.bytes.len(), n.rule, Repl::Known(c)));
                        i += n.bytes.len();
                        continue 'outer;
                    }
                }
            }
            i += 1;
        }
    }
}

fn is_path_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.'
}

/// The home directory must not continue into a longer name (`/home/bobby` is not
/// `/home/bob`). What precedes it is not checked, so redacted output, whose replacements
/// change what precedes, is matched the same way again.
fn path_bounded(low: &[u8], _start: usize, end: usize) -> bool {
    end >= low.len() || !is_path_char(low[end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn set(v: KnownValues) -> KnownSet {
        KnownSet::build(&v, Some("/home/bob"), &Pseudonymizer::with_key(&[1; 32]))
    }

    fn found(s: &KnownSet, text: &str) -> Vec<(usize, usize, Rule)> {
        let mut spans = Vec::new();
        s.find(text.to_ascii_lowercase().as_bytes(), &mut spans);
        spans.iter().map(|s| (s.start, s.end, s.rule)).collect()
    }

    #[test]
    fn every_encoding_is_found() {
        let s = set(KnownValues {
            tokens: vec!["rt_Secret/Value+1".into()],
            emails: vec!["alice@example.com".into()],
            ..KnownValues::default()
        });
        assert_eq!(
            found(&s, "x rt_Secret/Value+1 y"),
            vec![(2, 19, Rule::KnownToken)]
        );
        assert_eq!(found(&s, "RT_SECRET/VALUE+1").len(), 1);
        assert_eq!(found(&s, "q=rt_Secret%2FValue%2B1&").len(), 1);
        assert_eq!(found(&s, r#""rt_Secret\/Value+1""#).len(), 1);
        assert_eq!(found(&s, "to alice%40example.com").len(), 1);
        assert_eq!(found(&s, r"to alice\u0040example.com").len(), 1);
        for prefix in ["", "a", "ab", "abc"] {
            let blob = URL_SAFE_NO_PAD.encode(format!("{prefix}alice@example.com!"));
            assert_eq!(found(&s, &blob).len(), 1, "{prefix:?} {blob}");
            let blob = STANDARD_NO_PAD.encode(format!("{prefix}rt_Secret/Value+1 "));
            assert_eq!(found(&s, &blob).len(), 1, "{prefix:?} {blob}");
        }
    }

    #[test]
    fn both_base64_alphabets_at_every_alignment() {
        // Bytes whose base64 holds `+` and `/` (and so `-` and `_` in base64url).
        let v = "tok\u{fb}\u{ff}\u{fe}~~~>>>???";
        let s = set(KnownValues {
            tokens: vec![v.into()],
            ..KnownValues::default()
        });
        for prefix in ["", "a", "ab"] {
            let std = STANDARD_NO_PAD.encode(format!("{prefix}{v}!!"));
            let url = URL_SAFE_NO_PAD.encode(format!("{prefix}{v}!!"));
            assert!(std.contains('+') || std.contains('/'), "{std}");
            assert_ne!(std, url);
            assert_eq!(found(&s, &std).len(), 1, "{prefix:?} {std}");
            assert_eq!(found(&s, &url).len(), 1, "{prefix:?} {url}");
        }
    }

    #[test]
    fn a_value_known_twice_keeps_its_first_kind() {
        // Groups go identity keys, tokens, emails, account ids, sessions: a token that is
        // also listed as an account id is redacted, not pseudonymized.
        let s = set(KnownValues {
            tokens: vec!["shared-value-123".into()],
            account_ids: vec!["shared-value-123".into(), "acct-only-456".into()],
            ..KnownValues::default()
        });
        assert_eq!(
            found(&s, "a shared-value-123 b"),
            vec![(2, 18, Rule::KnownToken)]
        );
        assert_eq!(
            found(&s, "acct-only-456"),
            vec![(0, 13, Rule::KnownAccountId)]
        );
        let dup = s.needles.windows(2).any(|w| w[0].bytes == w[1].bytes);
        assert!(!dup, "no needle twice");
    }

    #[test]
    fn home_is_path_bounded() {
        let s = set(KnownValues::default());
        assert_eq!(found(&s, "/home/bob/x").len(), 1);
        assert_eq!(found(&s, "/home/bob").len(), 1);
        assert!(found(&s, "/home/bobby").is_empty());
        assert_eq!(found(&s, "/mnt/home/bob").len(), 1);
    }

    /// The plain definition of [`KnownSet::find`]: at each position from the left, the
    /// longest needle that matches there; the search goes on after it.
    fn naive(s: &KnownSet, low: &[u8]) -> Vec<(usize, usize, Rule)> {
        let mut out = Vec::new();
        let mut i = 0;
        'outer: while i < low.len() {
            for n in &s.needles {
                let end = i + n.bytes.len();
                if low[i..].starts_with(&n.bytes) && (!n.path_boundary || path_bounded(low, i, end))
                {
                    out.push((i, end, n.rule));
                    i = end;
                    continue 'outer;
                }
            }
            i += 1;
        }
        out
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        /// The filter and the shift table skip only positions where no needle starts.
        #[test]
        fn find_agrees_with_the_plain_definition(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    "[a-z0-9 .@/%_-]{0,12}",
                    proptest::sample::select(vec![
                        "rt_secret_value_1", "alice@example.com", "alice%40example.com",
                        "acc_abcdef", "acc_abcdef|alice@example.com|plus", "/home/bob",
                        "/home/bobby", "cnrfc2vjcmv0x3zhbhvlxze", "alice", "acc_", "rt_se",
                    ]).prop_map(|s: &str| s.to_string()),
                ],
                0..24,
            )
        ) {
            let s = set(KnownValues {
                tokens: vec!["rt_secret_value_1".into(), "rt_secret".into()],
                emails: vec!["alice@example.com".into()],
                account_ids: vec!["acc_abcdef".into()],
                identity_keys: vec!["acc_abcdef|alice@example.com|plus".into()],
                ..KnownValues::default()
            });
            let text = parts.concat();
            let low = text.to_ascii_lowercase();
            let mut spans = Vec::new();
            s.find(low.as_bytes(), &mut spans);
            let got: Vec<_> = spans.iter().map(|s| (s.start, s.end, s.rule)).collect();
            proptest::prop_assert_eq!(got, naive(&s, low.as_bytes()));
        }
    }

    #[test]
    fn short_values_are_ignored() {
        let s = KnownSet::build(
            &KnownValues {
                tokens: vec!["abc".into()],
                ..KnownValues::default()
            },
            None,
            &Pseudonymizer::with_key(&[1; 32]),
        );
        assert!(s.needles.is_empty());
    }
}
