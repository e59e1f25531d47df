//! Detectors by shape: secrets recognised by what they look like, wherever they appear.
//!
//! JWTs and base64url JSON (`eyJ…`), `Bearer`/`Basic` credentials, `sk-`/`sess-` keys,
//! refresh-token shapes (`rt_…`, `v1.…`), long high-entropy runs, emails (also `%40`),
//! identity keys around an email (`id|email|plan`, `legacy|…`), ChatGPT user/org ids,
//! OpenCode session ids (`ses_…`) and the user's login name. Each detector is one linear scan
//! triggered by a cheap byte search, so lines without a trigger cost almost nothing.

use std::sync::OnceLock;

use memchr::memmem::{self, Finder};

use crate::bytes::ByteSet;
use crate::pseudonym::Kind;
use crate::rules::{is_marker, starts_with_marker, Rule};
use crate::span::{Repl, Span};

const fn b64url_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = c.is_ascii_alphanumeric() || c == b'-' || c == b'_';
        i += 1;
    }
    t
}

static B64URL: [bool; 256] = b64url_table();

/// `[A-Za-z0-9_-]`.
pub(crate) fn is_b64url(c: u8) -> bool {
    B64URL[usize::from(c)]
}

/// Substring searchers built once (building one per line would dominate the cost).
struct Finders {
    eyj: Finder<'static>,
    bearer: Finder<'static>,
    basic: Finder<'static>,
    pct40: Finder<'static>,
}

fn finders() -> &'static Finders {
    static F: OnceLock<Finders> = OnceLock::new();
    F.get_or_init(|| Finders {
        eyj: Finder::new(b"eyj"),
        bearer: Finder::new(b"bearer"),
        basic: Finder::new(b"basic"),
        pct40: Finder::new(b"%40"),
    })
}

fn run_end(dec: &[u8], from: usize, ok: impl Fn(u8) -> bool) -> usize {
    dec[from..]
        .iter()
        .position(|&c| !ok(c))
        .map_or(dec.len(), |p| from + p)
}

/// `eyJ…` runs: three-part JWTs and base64url-encoded JSON objects.
pub(crate) fn jwts(dec: &[u8], low: &[u8], spans: &mut Vec<Span>) {
    let mut last = 0;
    for pos in finders().eyj.find_iter(low) {
        if pos < last || (pos > 0 && is_b64url(dec[pos - 1])) {
            continue;
        }
        let end = run_end(dec, pos, |c| is_b64url(c) || c == b'.');
        let mut segs = dec[pos..end].split(|&c| c == b'.');
        let first = segs.next().map_or(0, <[u8]>::len);
        let second = segs.next().map(<[u8]>::len);
        let third = segs.next();
        if first >= 10 && second.is_some_and(|l| l >= 10) && third.is_some() {
            spans.push(Span::new(pos, end, Rule::Jwt, Repl::Redacted));
            last = end;
        } else if first >= 16 {
            spans.push(Span::new(
                pos,
                pos + first,
                Rule::EncodedJson,
                Repl::Redacted,
            ));
            last = pos + first;
        }
    }
}

static CRED_STOP: ByteSet = ByteSet::new(false, true, b"\"',\\;&<>)]}|");

fn cred_stop(c: u8) -> bool {
    CRED_STOP.has(c)
}

fn scheme_separator(low: &[u8], at: usize, plus: bool) -> Option<usize> {
    let mut i = at;
    let mut n = 0;
    loop {
        match low.get(i..) {
            Some([b' ' | b'\t', ..]) => {
                i += 1;
                n += 1;
            }
            // `+` is a form-encoded space; not for Basic, whose base64 may start with it.
            Some([b'+', ..]) if plus => {
                i += 1;
                n += 1;
            }
            Some([b'%', b'2', b'0', ..]) => {
                i += 3;
                n += 1;
            }
            _ => break,
        }
    }
    (n > 0).then_some(i)
}

/// `Bearer <credential>` and `Basic <base64>`, any case, anywhere in text.
pub(crate) fn auth_schemes(dec: &[u8], low: &[u8], spans: &mut Vec<Span>) {
    let f = finders();
    for (finder, rule) in [(&f.bearer, Rule::Bearer), (&f.basic, Rule::Basic)] {
        let word = finder.needle();
        for pos in finder.find_iter(low) {
            if pos > 0 && low[pos - 1].is_ascii_alphanumeric() {
                continue;
            }
            let Some(start) = scheme_separator(low, pos + word.len(), rule == Rule::Bearer) else {
                continue;
            };
            let end = run_end(dec, start, |c| !cred_stop(c));
            let cred = &dec[start..end];
            let rest = &dec[end..];
            let holds_marker = memchr::memchr_iter(b'[', cred)
                .any(|i| starts_with_marker(&cred[i..]))
                || rest.starts_with(b"<user>")
                || starts_with_marker(rest);
            if cred.is_empty() || holds_marker || is_marker(cred) || b"[<${%".contains(&cred[0]) {
                continue;
            }
            let has_non_letter = cred.iter().any(|c| !c.is_ascii_alphabetic());
            let ok = match rule {
                Rule::Basic => {
                    // Standard base64: `=` only as trailing padding.
                    let body = cred
                        .iter()
                        .rposition(|&c| c != b'=')
                        .map_or(cred, |e| &cred[..=e]);
                    cred.len() >= 8
                        && cred.len() - body.len() <= 2
                        && body
                            .iter()
                            .all(|&c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
                        && (has_non_letter || mixed_case(cred))
                }
                // Letters only: a credential unless it is a word prose puts after `Bearer`
                // (`Bearer authentication`, `Bearer tokens`; shorter than 8 stays too).
                _ => cred.len() >= 8 && (has_non_letter || cred.len() >= 20 || !bearer_prose(cred)),
            };
            if ok {
                spans.push(Span::new(start, end, rule, Repl::Redacted));
            }
        }
    }
}

/// Words of 8 letters or more that prose writes after `Bearer`.
fn bearer_prose(word: &[u8]) -> bool {
    const WORDS: [&[u8]; 12] = [
        b"authentication",
        b"authorization",
        b"authorized",
        b"credential",
        b"credentials",
        b"required",
        b"expected",
        b"provided",
        b"prefixed",
        b"followed",
        b"supported",
        b"accepted",
    ];
    WORDS.iter().any(|w| w.eq_ignore_ascii_case(word))
}

fn mixed_case(s: &[u8]) -> bool {
    s.iter().any(u8::is_ascii_uppercase) && s.iter().any(u8::is_ascii_lowercase)
}

fn tokenish(c: u8) -> bool {
    is_b64url(c) || c == b'.'
}

fn alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

type Prefix = (&'static [u8], usize, fn(u8) -> bool, Rule, Repl);

const ACCT: Repl = Repl::Pseudonym(Kind::Account);
const SESS: Repl = Repl::Pseudonym(Kind::Session);

/// Prefix, minimum body length, body characters, rule, replacement.
const PREFIXES: [Prefix; 10] = [
    (b"sk-", 20, is_b64url, Rule::OpenaiKey, Repl::Redacted),
    (b"sess-", 20, is_b64url, Rule::OpenaiKey, Repl::Redacted),
    // Stripe's and others' secret and restricted keys (`sk_live_…`, `rk_test_…`).
    (b"sk_", 20, is_b64url, Rule::OpenaiKey, Repl::Redacted),
    (b"rk_", 20, is_b64url, Rule::OpenaiKey, Repl::Redacted),
    (b"rt_", 16, tokenish, Rule::RefreshToken, Repl::Redacted),
    (b"rt-", 16, tokenish, Rule::RefreshToken, Repl::Redacted),
    (b"v1.", 40, tokenish, Rule::RefreshToken, Repl::Redacted),
    (b"user-", 16, alnum, Rule::AccountId, ACCT),
    (b"org-", 16, alnum, Rule::AccountId, ACCT),
    (b"ses_", 16, alnum, Rule::SessionId, SESS),
];

/// `sk-…`/`sess-…` keys, refresh-token shapes, ChatGPT user/org ids and `ses_…` ids.
///
/// Every prefix ends in `-`, `_` or `.`: one pass over those bytes finds every candidate
/// (instead of one substring search per prefix); matches are reported in the order of
/// [`PREFIXES`], then by position.
pub(crate) fn prefixed_tokens(dec: &[u8], low: &[u8], spans: &mut Vec<Span>) {
    let mut hits: Vec<(usize, usize)> = Vec::new();
    for sep in memchr::memchr3_iter(b'-', b'_', b'.', low) {
        if sep == 0 {
            continue;
        }
        // The prefixes (indices into [`PREFIXES`]) that end in this separator after this byte
        // (`k` and `-` of `sk-`, `s` and `-` of `sess-`, …).
        let candidates: &[usize] = match (low[sep - 1], low[sep]) {
            (b'k', b'-') => &[0],
            (b's', b'-') => &[1],
            (b'k', b'_') => &[2, 3],
            (b't', b'_') => &[4],
            (b't', b'-') => &[5],
            (b'1', b'.') => &[6],
            (b'r', b'-') => &[7],
            (b'g', b'-') => &[8],
            (b's', b'_') => &[9],
            _ => continue,
        };
        for &k in candidates {
            let prefix = PREFIXES[k].0;
            let Some(pos) = (sep + 1).checked_sub(prefix.len()) else {
                continue;
            };
            if &low[pos..=sep] == prefix {
                hits.push((k, pos));
            }
        }
    }
    if hits.len() > 1 {
        hits.sort_unstable();
    }
    for (k, pos) in hits {
        let (prefix, min_body, body, rule, repl) = PREFIXES[k];
        if pos > 0 && (is_b64url(dec[pos - 1]) || dec[pos - 1] == b'.') {
            continue;
        }
        let start = pos + prefix.len();
        let end = run_end(dec, start, body);
        if end - start >= min_body {
            spans.push(Span::new(pos, end, rule, repl));
        }
    }
}

/// Long base64url runs that mix upper case, lower case and digits and are not identifiers
/// made of short dash/underscore-separated words (run ids, file names) or hex.
///
/// Runs are found by probing: a run of 32 or more bytes starting at or after `i` covers byte
/// `i + 31`, so a probe outside the class skips 32 bytes at once (`i` always follows a byte
/// outside the class, or is 0).
pub(crate) fn opaque_tokens(dec: &[u8], spans: &mut Vec<Span>) {
    const MIN: usize = 32;
    let n = dec.len();
    let mut i = 0;
    while i + MIN <= n {
        let probe = i + MIN - 1;
        if !is_b64url(dec[probe]) {
            i = probe + 1;
            continue;
        }
        let mut start = probe;
        while start > i && is_b64url(dec[start - 1]) {
            start -= 1;
        }
        let end = run_end(dec, probe, is_b64url);
        if end - start >= MIN && is_opaque(dec, start, end) {
            spans.push(Span::new(start, end, Rule::OpaqueToken, Repl::Redacted));
        }
        i = end + 1;
    }
}

/// Byte classes for [`grouped_tokens`]: letter or digit, digit, letter, hex digit, separator.
const G_ALNUM: u8 = 1;
const G_DIGIT: u8 = 2;
const G_ALPHA: u8 = 4;
const G_HEX: u8 = 8;
const G_SEP: u8 = 16;

static GROUP_CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        let mut v = 0;
        if b.is_ascii_digit() {
            v = G_ALNUM | G_DIGIT | G_HEX;
        } else if b.is_ascii_alphabetic() {
            v = G_ALNUM | G_ALPHA;
            if b.is_ascii_hexdigit() {
                v |= G_HEX;
            }
        } else if matches!(b, b'-' | b'.' | b':' | b'_' | b'*' | b' ' | b'+' | b'~') {
            // Separators a token is cut into groups by (`Xq7k-Lm2p-…`, `4rtq 7mzx …`).
            v = G_SEP;
        }
        t[c] = v;
        c += 1;
    }
    t
};

fn group_sep(c: u8) -> bool {
    GROUP_CLASS[usize::from(c)] & G_SEP != 0
}

fn group_alnum(c: u8) -> bool {
    GROUP_CLASS[usize::from(c)] & G_ALNUM != 0
}

/// Random tokens cut into short groups, which no single group gives away: a TOTP setup key
/// as authenticator apps show it (`4rtq 7mzx k2lp wv3n …`), recovery and licence codes
/// (`7KQ2-9XZ4-M3PD-8WTR`), hex grouped by four (red team, round 7: each group alone passes
/// the gate). A chain of groups of 2 to 8 letters and digits, one separator throughout, at
/// least 3 groups (4 and all of one length when the separator is a space), at least 10
/// characters in the groups, and at least half of the groups (two or more) mixing letters
/// and digits. Not a chain that goes on into a longer group (a UUID's tail) nor one of hex
/// groups joined by `:` (IPv6 and MAC addresses have their own rules).
pub(crate) fn grouped_tokens(dec: &[u8], spans: &mut Vec<Span>) {
    let n = dec.len();
    let mut i = 0;
    while i < n {
        // The next run of letters and digits.
        while i < n && !group_alnum(dec[i]) {
            i += 1;
        }
        if i >= n {
            break;
        }
        // A chain never starts inside an escape (`\n`, `\u00e9` of a JSON string): it
        // starts after it.
        if i > 0 && dec[i - 1] == b'\\' && crate::span::escaped_at(dec, i) {
            let unicode = dec[i] == b'u'
                && dec.len() >= i + 5
                && dec[i + 1..i + 5].iter().all(u8::is_ascii_hexdigit);
            i += if unicode { 5 } else { 1 };
            continue;
        }
        let start = i;
        // Most runs start no chain: a chain's first group has 2 to 8 characters and a
        // separator and another group after it; the next run starts past this one.
        let first_end = crate::bytes::alnum_end(dec, start);
        if !(2..=8).contains(&(first_end - start))
            || !dec.get(first_end).is_some_and(|&c| group_sep(c))
            || !dec.get(first_end + 1).is_some_and(|&d| group_alnum(d))
        {
            i = first_end;
            continue;
        }
        let (mut groups, mut mixed, mut chars) = (0usize, 0usize, 0usize);
        let (mut sep, mut first_len, mut all_hex) = (0u8, 0usize, true);
        let mut end = start;
        let mut j = start;
        let mut longer = false;
        // Where the last group starts, and whether the chain ended at another separator
        // (`with Xq7k-…`: the chain `with Xq7k` ends where `-` starts the real one).
        let (mut last_start, mut sep_break) = (start, false);
        loop {
            let e = crate::bytes::alnum_end(dec, j);
            let len = e - j;
            let (mut bits, mut hex) = (0u8, G_HEX);
            if len <= 8 {
                for &c in &dec[j..e] {
                    let c = GROUP_CLASS[usize::from(c)];
                    bits |= c;
                    hex &= c;
                }
            }
            if !(2..=8).contains(&len) {
                longer = groups > 0 && len > 8;
                if groups == 0 {
                    end = e;
                }
                break;
            }
            // Space-separated groups are all of one length (`4rtq 7mzx …`): a group of
            // another length ends the chain, and the next one starts at it (`codes Hq7 …`).
            if sep == b' ' && len != first_len {
                last_start = j;
                sep_break = true;
                break;
            }
            groups += 1;
            chars += len;
            end = e;
            last_start = j;
            mixed += usize::from(bits & (G_ALPHA | G_DIGIT) == G_ALPHA | G_DIGIT);
            all_hex &= hex != 0;
            if first_len == 0 {
                first_len = len;
            }
            match dec.get(e) {
                Some(&c) if group_sep(c) && dec.get(e + 1).is_some_and(|&d| group_alnum(d)) => {
                    if sep == 0 || sep == c {
                        sep = c;
                        j = e + 1;
                    } else {
                        sep_break = true;
                        break;
                    }
                }
                _ => break,
            }
        }
        let enough = if sep == b' ' {
            groups >= 4
        } else {
            groups >= 3
        };
        let mid_structure = start >= 2
            && group_sep(dec[start - 1])
            && dec[start - 1] != b' '
            && group_alnum(dec[start - 2]);
        if enough
            && !longer
            && !mid_structure
            && chars >= 10
            && mixed >= 2
            && mixed * 2 >= groups
            && !(sep == b':' && all_hex)
        {
            spans.push(Span::new(start, end, Rule::OpaqueToken, Repl::Redacted));
        } else if sep_break && last_start > start {
            i = last_start;
            continue;
        }
        i = end.max(start + 1);
    }
}

fn is_opaque(dec: &[u8], start: usize, end: usize) -> bool {
    let run = &dec[start..end];
    let (mut up, mut lo, mut dig, mut hex_only) = (false, false, false, true);
    let (mut seps, mut seg, mut longest) = (0usize, 0usize, 0usize);
    for &c in run {
        if c == b'-' || c == b'_' {
            seps += 1;
            seg = 0;
        } else {
            seg += 1;
            longest = longest.max(seg);
            up |= c.is_ascii_uppercase();
            lo |= c.is_ascii_lowercase();
            dig |= c.is_ascii_digit();
            hex_only &= c.is_ascii_hexdigit();
        }
    }
    let before_ok = start == 0 || !matches!(dec[start - 1], b'.' | b'%' | b'/' | b'\\');
    up && lo
        && dig
        && !hex_only
        && seps * 8 <= run.len()
        && longest >= 16
        && before_ok
        && !is_marker(run)
}

static EMAIL_LOCAL: ByteSet = ByteSet::new(true, false, b"._%+-");
static EMAIL_DOMAIN: ByteSet = ByteSet::new(true, false, b".-");

fn is_local(c: u8) -> bool {
    EMAIL_LOCAL.has(c)
}

fn is_domain(c: u8) -> bool {
    EMAIL_DOMAIN.has(c)
}

fn is_seg(c: u8) -> bool {
    EMAIL_LOCAL.has(c)
}

/// The at signs that read as `@` to a person besides `@` itself: full width and small.
const WIDE_ATS: [&str; 2] = ["\u{ff20}", "\u{fe6b}"];

/// The start of a quoted email local part whose closing quote is at `close` (the opening
/// quote, or its backslash when the quotes are escaped): at most 64 printable bytes between.
fn quoted_local_start(dec: &[u8], close: usize) -> Option<usize> {
    let escaped = close > 0 && dec[close - 1] == b'\\';
    let inner_end = if escaped { close - 1 } else { close };
    let from = inner_end.saturating_sub(64);
    let open = from + memchr::memrchr(b'"', &dec[from..inner_end])?;
    let inner_start = open + 1;
    let open = if escaped {
        open.checked_sub(1).filter(|&b| dec[b] == b'\\')?
    } else {
        open
    };
    let inner = &dec[inner_start..inner_end];
    (!inner.is_empty() && inner.iter().all(|&c| c >= 0x20 && c != b'\\')).then_some(open)
}

/// Emails (`@`, `%40`, a full-width or small at sign), widened to the identity key around
/// them when there is one.
pub(crate) fn emails(dec: &[u8], low: &[u8], spans: &mut Vec<Span>) {
    let mut hits: Vec<(usize, usize)> = memchr::memchr_iter(b'@', dec).map(|p| (p, 1)).collect();
    if memchr::memchr(b'%', dec).is_some() {
        hits.extend(finders().pct40.find_iter(low).map(|p| (p, 3)));
        hits.sort_unstable();
    }
    if memchr::memchr(0xEF, dec).is_some() {
        for at in WIDE_ATS {
            hits.extend(memchr::memmem::find_iter(dec, at.as_bytes()).map(|p| (p, at.len())));
        }
        hits.sort_unstable();
    }
    let mut last = 0;
    for (at, at_len) in hits {
        if at < last || at == 0 {
            continue;
        }
        // The local part may reach back into the previous match (`a@b.cD@e.fg`): the spans
        // then overlap and are merged, so no email survives next to a replacement.
        let mut s = at;
        while s > 0 && is_local(dec[s - 1]) && at - s < 64 {
            s -= 1;
        }
        while s < at && matches!(dec[s], b'.' | b'%' | b'+' | b'-') {
            // A local part cannot start with a separator or an escape.
            s += 1;
        }
        // A quoted local part (`"jane doe"@example.com`, also JSON-escaped): the quotes
        // and what they hold (red team, round 1).
        if s == at && dec[at - 1] == b'"' {
            if let Some(open) = quoted_local_start(dec, at - 1) {
                s = open;
            }
        }
        let local = &dec[s..at];
        if local.is_empty() || local.ends_with(b"***") {
            continue;
        }
        let d0 = at + at_len;
        // An address literal for a domain (`jane@[192.0.2.7]`, `jane@[IPv6:2001:db8::1]`).
        if let Some(e) = address_literal(dec, d0) {
            spans.push(Span::new(s, e, Rule::Email, Repl::Pseudonym(Kind::Email)));
            last = e;
            continue;
        }
        let mut e = d0;
        while e < dec.len() && is_domain(dec[e]) {
            e += 1;
        }
        while e > d0 && matches!(dec[e - 1], b'.' | b'-') {
            e -= 1;
        }
        let domain = &dec[d0..e];
        let tld_ok = domain
            .rsplit(|&c| c == b'.')
            .next()
            .is_some_and(|t| t.len() >= 2 && t.iter().all(u8::is_ascii_alphabetic));
        if domain.is_empty() || domain[0] == b'.' || !domain.contains(&b'.') || !tld_ok {
            continue;
        }
        let (start, end, rule, kind) = match identity_around(dec, s, e) {
            Some((a, b)) => (a, b, Rule::IdentityKey, Kind::Identity),
            None => (s, e, Rule::Email, Kind::Email),
        };
        spans.push(Span::new(start, end, rule, Repl::Pseudonym(kind)));
        last = end;
    }
}

/// An email's domain written as an address literal at `d0`: `[`, an IPv4 address or
/// `IPv6:` and an IPv6 address, `]`. Its end.
fn address_literal(dec: &[u8], d0: usize) -> Option<usize> {
    if dec.get(d0) != Some(&b'[') {
        return None;
    }
    let close = d0
        + 1
        + dec
            .get(d0 + 1..)?
            .iter()
            .take(48)
            .position(|&c| c == b']')?;
    let inside = &dec[d0 + 1..close];
    let v6 = inside.len() > 5 && inside[..5].eq_ignore_ascii_case(b"ipv6:");
    let addr = if v6 { &inside[5..] } else { inside };
    let ok = if v6 {
        addr.contains(&b':')
            && addr
                .iter()
                .all(|c| c.is_ascii_hexdigit() || matches!(c, b':' | b'.'))
    } else {
        addr.iter().filter(|&&c| c == b'.').count() == 3
            && addr.iter().all(|c| c.is_ascii_digit() || *c == b'.')
    };
    ok.then_some(close + 1)
}

/// `id|email|plan` or `legacy|id|email|plan` around the email at `s..e`.
fn identity_around(dec: &[u8], s: usize, e: usize) -> Option<(usize, usize)> {
    if s < 2 || dec[s - 1] != b'|' || dec.get(e) != Some(&b'|') {
        return None;
    }
    let mut a = s - 1;
    while a > 0 && is_seg(dec[a - 1]) {
        a -= 1;
    }
    if a == s - 1 {
        return None;
    }
    let mut b = e + 1;
    while b < dec.len() && (dec[b].is_ascii_alphanumeric() || dec[b] == b'_' || dec[b] == b'-') {
        b += 1;
    }
    if b == e + 1 {
        return None;
    }
    if a >= 7 && &dec[a - 7..a] == b"legacy|" {
        a -= 7;
    }
    Some((a, b))
}

/// The login name as a whole word (case-insensitive) → `<user>`.
pub(crate) fn user_name(low: &[u8], finder: &memmem::Finder<'_>, spans: &mut Vec<Span>) {
    let n = finder.needle().len();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    for pos in finder.find_iter(low) {
        let before = pos == 0 || !word(low[pos - 1]);
        let after = pos + n >= low.len() || !word(low[pos + n]);
        if before && after {
            spans.push(Span::new(pos, pos + n, Rule::UserName, Repl::User));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `prefixed_tokens` passes over separators whose byte before is not one of these.
    #[test]
    fn the_prefix_filter_names_every_prefix() {
        for (prefix, ..) in PREFIXES {
            assert!(
                b"kst1rg".contains(&prefix[prefix.len() - 2]),
                "{}",
                String::from_utf8_lossy(prefix)
            );
        }
    }

    fn run(f: fn(&[u8], &[u8], &mut Vec<Span>), text: &str) -> Vec<(String, Rule)> {
        let mut spans = Vec::new();
        let low = text.to_ascii_lowercase();
        f(text.as_bytes(), low.as_bytes(), &mut spans);
        spans
            .iter()
            .map(|s| (text[s.start..s.end].to_string(), s.rule))
            .collect()
    }

    const JWT: &str = "eyJhbGciOiJub25lIn0.eyJlbWFpbCI6ImFAYi5jIn0.c2ln";

    #[test]
    fn a_quoted_local_part_goes_with_its_quotes() {
        let found = |t: &str| run(emails, t).into_iter().map(|x| x.0).collect::<Vec<_>>();
        assert_eq!(
            found(r#"mail "zorvq"@example.com ok"#),
            [r#""zorvq"@example.com"#]
        );
        assert_eq!(
            found(r#"to "jane doe"@example.com"#),
            [r#""jane doe"@example.com"#]
        );
        assert_eq!(
            found(r#"{"to":"\"zq\"@example.com"}"#),
            [r#"\"zq\"@example.com"#]
        );
        assert!(found(r#"say "hi"@ home"#).is_empty());
    }

    #[test]
    fn jwt_shapes() {
        assert_eq!(
            run(jwts, &format!("x {JWT} y")),
            vec![(JWT.to_string(), Rule::Jwt)]
        );
        let unsigned = "eyJhbGciOiJub25lIn0.eyJlbWFpbCI6ImFAYi5jIn0.";
        assert_eq!(run(jwts, unsigned).len(), 1);
        assert_eq!(run(jwts, "eyJlbWFpbCI6ImFAYi5jIn0")[0].1, Rule::EncodedJson);
        assert!(run(jwts, "keyJar eyJ short").is_empty());
    }

    #[test]
    fn schemes() {
        let r = run(auth_schemes, "Authorization: Bearer abc.def-123456");
        assert_eq!(r, vec![("abc.def-123456".to_string(), Rule::Bearer)]);
        assert_eq!(
            run(auth_schemes, "BEARER%20eyJabc.d1234567")[0].0,
            "eyJabc.d1234567"
        );
        assert_eq!(run(auth_schemes, "basic dXNlcjpwYXNz")[0].1, Rule::Basic);
        assert!(run(auth_schemes, "the bearer of tokens").is_empty());
        assert!(run(auth_schemes, "Bearer [redacted]").is_empty());
        assert!(run(auth_schemes, "Basic realm=\"x\"").is_empty());
        assert!(run(auth_schemes, "basic authentication").is_empty());
        // Found by the red-team harness: a word credential of 8 to 19 letters.
        assert_eq!(
            run(auth_schemes, "sent with Bearer lingonberry to api")[0].0,
            "lingonberry"
        );
        for prose in [
            "uses Bearer authentication",
            "a Bearer token is required",
            "Bearer credentials expected",
        ] {
            assert!(run(auth_schemes, prose).is_empty(), "{prose}");
        }
    }

    #[test]
    fn prefixes() {
        let r = run(prefixed_tokens, "k=sk-proj-ABCDEFGHIJKLMNOPQRSTUV rt_abcdefghijklmnop1 user-abcdefghijklmnopqrst ses_0123456789abcdefXYZ");
        let rules: Vec<Rule> = r.iter().map(|x| x.1).collect();
        assert_eq!(
            rules,
            vec![
                Rule::OpenaiKey,
                Rule::RefreshToken,
                Rule::AccountId,
                Rule::SessionId
            ]
        );
        assert!(run(prefixed_tokens, "start_time user-agent task-abc").is_empty());
        // Red team, round 4: a secret key after `sk_`/`rk_` went when its body was random
        // (the gate) but not when it was made of words.
        let r = run(
            prefixed_tokens,
            "at position 0: sk_firavad-vopaser-femuguf rk_live_marmotlanternvelvet",
        );
        assert_eq!(r.len(), 2, "{r:?}");
        assert!(run(
            prefixed_tokens,
            "task_marmotlanternvelvetwords disk_usage_marmotlanternvelvet sk_short"
        )
        .is_empty());
    }

    /// The detectors' plain definitions, for the agreement properties below.
    fn opaque_plain(dec: &[u8]) -> Vec<Span> {
        let (mut spans, n, mut i) = (Vec::new(), dec.len(), 0);
        while i < n {
            while i < n && !is_b64url(dec[i]) {
                i += 1;
            }
            let start = i;
            while i < n && is_b64url(dec[i]) {
                i += 1;
            }
            if i - start >= 32 && is_opaque(dec, start, i) {
                spans.push(Span::new(start, i, Rule::OpaqueToken, Repl::Redacted));
            }
        }
        spans
    }

    fn prefixed_plain(dec: &[u8], low: &[u8]) -> Vec<Span> {
        let mut spans = Vec::new();
        for (prefix, min_body, body, rule, repl) in PREFIXES {
            for pos in memmem::find_iter(low, prefix) {
                if pos > 0 && (is_b64url(dec[pos - 1]) || dec[pos - 1] == b'.') {
                    continue;
                }
                let start = pos + prefix.len();
                let end = run_end(dec, start, body);
                if end - start >= min_body {
                    spans.push(Span::new(pos, end, rule, repl));
                }
            }
        }
        spans
    }

    proptest::proptest! {
        #[test]
        fn fast_detectors_agree_with_their_plain_definitions(
            parts in proptest::collection::vec(proptest::prop_oneof![
                "[A-Za-z0-9]{0,40}",
                "[ ._/%-]{1,3}",
                "(sk-|sess-|rt_|rt-|v1\\.|user-|org-|ses_|SK-|Ses_|sk_|rk_|Rk_)",
            ], 0..12)
        ) {
            let text = parts.concat();
            let dec = text.as_bytes();
            let low = text.to_ascii_lowercase();
            let mut fast = Vec::new();
            opaque_tokens(dec, &mut fast);
            proptest::prop_assert_eq!(&fast, &opaque_plain(dec));
            fast.clear();
            prefixed_tokens(dec, low.as_bytes(), &mut fast);
            proptest::prop_assert_eq!(&fast, &prefixed_plain(dec, low.as_bytes()));
        }
    }

    #[test]
    fn opaque() {
        let mut spans = Vec::new();
        opaque_tokens(b"tok Zx9QmT4kLp2Rv8Ws1Ny6Bh3Jc7Fd5Ga0Ke here", &mut spans);
        assert_eq!(spans.len(), 1);
        spans.clear();
        opaque_tokens(
            b"2024-01-01T00-00-00-000Z-12345-abcd1234-request-1-before-auth 550e8400-e29b-41d4-a716-446655440000 0123456789abcdef0123456789abcdef0123",
            &mut spans,
        );
        assert!(spans.is_empty(), "{spans:?}");
    }

    fn grouped(text: &str) -> Vec<String> {
        let mut spans = Vec::new();
        grouped_tokens(text.as_bytes(), &mut spans);
        spans
            .iter()
            .map(|sp| text[sp.start..sp.end].to_string())
            .collect()
    }

    /// Found by the red team (round 7): random tokens cut into groups each too short to
    /// give them away.
    #[test]
    fn grouped_tokens_go_whole() {
        for (text, token) in [
            (
                "Enter this setup key: 4rtq 7mzx k2lp wv3n y6hd 5ebs",
                "4rtq 7mzx k2lp wv3n y6hd 5ebs",
            ),
            ("login with Xq7k-Lm2p-Pz9w-Kd4r", "Xq7k-Lm2p-Pz9w-Kd4r"),
            (
                "backup codes 7KQ2-9XZ4-M3PD-8WTR (store safely)",
                "7KQ2-9XZ4-M3PD-8WTR",
            ),
            ("xq7k.lm2p.pz9w.kd4r.rt8v", "xq7k.lm2p.pz9w.kd4r.rt8v"),
            ("r8Tq:Zx4m:Lp9w:Kd2v", "r8Tq:Zx4m:Lp9w:Kd2v"),
            ("qz7_rv9_kp3_wd2_mx8", "qz7_rv9_kp3_wd2_mx8"),
            ("codes Hq7 Lm2 Pz9 Kd4 Rt8", "Hq7 Lm2 Pz9 Kd4 Rt8"),
            ("Hq7*Lm2*Pz9*Wd3", "Hq7*Lm2*Pz9*Wd3"),
            ("x\\nab12-cd34-ef56", "ab12-cd34-ef56"),
            ("x\\u00e9ab12-cd34-ef56", "ab12-cd34-ef56"),
            (
                "vault 9f2c 4e1a b37d 05c8 e6f1 a2b3 is kept",
                "9f2c 4e1a b37d 05c8 e6f1 a2b3",
            ),
        ] {
            assert_eq!(grouped(text), [token], "{text}");
        }
    }

    #[test]
    fn dates_versions_ids_and_addresses_are_not_grouped_tokens() {
        for text in [
            "at 2025-01-01T00:00:00.000Z",
            "run 2025-01-01T00-00-00-000Z-12345-abcd1234",
            "session 550e8400-e29b-41d4-a716-446655440000 ok",
            "fe80::1ff:fe23:4567:890a and a4:5e:60:d2:1f:9b",
            "model gpt-4o-2024-08-06 on x86_64-linux-gnu v1.2.3.4",
            "card 4111-1111-1111-1111",
            "run it 2x or 3x now",
            "ab12",
            "the quick brown fox jumps over",
            "10.0.0.12:8080",
            "Ren\\u00e9e-MacBook-Pro42 Elm Street",
        ] {
            assert!(grouped(text).is_empty(), "{text}: {:?}", grouped(text));
        }
    }

    #[test]
    fn email_and_identity() {
        assert_eq!(
            run(emails, "to Alice.B+x@Example.COM."),
            vec![("Alice.B+x@Example.COM".to_string(), Rule::Email)]
        );
        assert_eq!(
            run(emails, "e=alice%40example.com&x")[0].0,
            "alice%40example.com"
        );
        assert_eq!(
            run(emails, "\"acc_1|alice@example.com|plus\"")[0],
            (
                "acc_1|alice@example.com|plus".to_string(),
                Rule::IdentityKey
            )
        );
        assert_eq!(
            run(emails, "legacy|_|one%40example.com|plus")[0].0,
            "legacy|_|one%40example.com|plus"
        );
        // Found by the red team (round 3): a domain written as an address literal.
        assert_eq!(
            run(emails, "rcpt jane@[192.0.2.7] ok")[0].0,
            "jane@[192.0.2.7]"
        );
        assert_eq!(
            run(emails, "to <jane@[IPv6:2001:db8::1]>")[0].0,
            "jane@[IPv6:2001:db8::1]"
        );
        for no in [
            "x@[redacted]",
            "pkg-auth@4.1.0",
            "a@b",
            "@scope/pkg",
            "u***@example.com",
            "x@localhost",
        ] {
            assert!(run(emails, no).is_empty(), "{no}");
        }
    }
}
