//! Detectors by key: values that are secret because of the name in front of them.
//!
//! * JSON keys at any depth (`"key": value`), also inside a JSON string that holds JSON
//!   (`\"key\":\"value\"`) and JS object literals (`key: 'value'`). String values, numbers
//!   and whole objects/arrays are replaced; a replaced value (object, array or string) left
//!   open at the end of a line is reported through [`JsonScan::open`] so a pretty-printed
//!   document can skip its remaining lines, and the next piece of an overlong line the rest
//!   of the value.
//! * `key=value` pairs (reference 11.4: key after start, `?`, `&`, `;` or whitespace; value up
//!   to `&`, `;` or whitespace), URL query parameters, and well-known auth cookies.
//! * `Name: value` header lines (curl dumps, pasted requests) and inline `Cookie:` headers.
//!
//! Which keys are secret is decided by [`crate::rules::classify_key`].

use crate::bytes::ByteSet;
use crate::rules::{
    classify_key, is_marker, Action, KeyCache, KeyClass, KeySite, Rule, AUTH_COOKIES,
};
use crate::span::{Repl, Span};

fn is_ws(c: u8) -> bool {
    c == b' ' || c == b'\t' || c == b'\r'
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'$'
}

/// `[a-z]+(_[a-z]+)*`: an error code such as `rate_limit_exceeded`, kept for `code`/`state`
/// (OAuth codes and states are random and carry digits or capitals). Also a dotted code of
/// lower-case words and whole numbers (the doctor's finding codes, `plugin.registered.missing`,
/// `port.1455`; found from the user's side: the bundle's `report.json` lost every one): no part
/// mixes letters and digits, as a random code or a hex state does.
pub(crate) fn is_snake_identifier(v: &[u8]) -> bool {
    if v.len() > 64 || !v.first().is_some_and(u8::is_ascii_lowercase) {
        return false;
    }
    if v.len() <= 40
        && v.last().is_some_and(u8::is_ascii_lowercase)
        && v.iter().all(|&c| c.is_ascii_lowercase() || c == b'_')
    {
        return true;
    }
    v.contains(&b'.')
        && v.split(|&c| c == b'.').all(|part| {
            !part.is_empty()
                && (part.iter().all(u8::is_ascii_digit)
                    || (part
                        .iter()
                        .all(|&c| c.is_ascii_lowercase() || c == b'_' || c == b'-')
                        && part.first().is_some_and(u8::is_ascii_lowercase)
                        && part.last().is_some_and(u8::is_ascii_lowercase)))
        })
}

/// A Node.js error code (`EADDRINUSE`, `EAI_AGAIN`, `ERR_INVALID_URL`,
/// `UND_ERR_CONNECT_TIMEOUT`): what `code` holds in an error, never an OAuth code or state
/// (those are long mixed-case random strings).
pub(crate) fn is_error_code(v: &[u8]) -> bool {
    let upper = |c: &u8| c.is_ascii_uppercase() || *c == b'_';
    let errno = (4..=16).contains(&v.len()) && v[0] == b'E' && v[1..].iter().all(upper);
    let named = [&b"ERR_"[..], b"UND_ERR_"].iter().any(|p| v.starts_with(p))
        && v.len() <= 48
        && v.iter().all(|c| upper(c) || c.is_ascii_digit());
    (errno || named || CLOSED_CODES.contains(&v)) && !v.ends_with(b"_")
}

/// Error codes that have neither Node's `E…`/`ERR_…` shape nor a snake-case one: OpenSSL's
/// certificate verdicts as Node and Bun report them (the usual cause behind a corporate
/// proxy) and Bun's `fetch` failures. A closed list: anything else of these shapes goes.
const CLOSED_CODES: &[&[u8]] = &[
    b"UNABLE_TO_GET_ISSUER_CERT",
    b"UNABLE_TO_GET_CRL",
    b"UNABLE_TO_DECRYPT_CERT_SIGNATURE",
    b"UNABLE_TO_DECRYPT_CRL_SIGNATURE",
    b"UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
    b"CERT_SIGNATURE_FAILURE",
    b"CRL_SIGNATURE_FAILURE",
    b"CERT_NOT_YET_VALID",
    b"CERT_HAS_EXPIRED",
    b"CRL_NOT_YET_VALID",
    b"CRL_HAS_EXPIRED",
    b"ERROR_IN_CERT_NOT_BEFORE_FIELD",
    b"ERROR_IN_CERT_NOT_AFTER_FIELD",
    b"ERROR_IN_CRL_LAST_UPDATE_FIELD",
    b"ERROR_IN_CRL_NEXT_UPDATE_FIELD",
    b"OUT_OF_MEM",
    b"DEPTH_ZERO_SELF_SIGNED_CERT",
    b"SELF_SIGNED_CERT_IN_CHAIN",
    b"UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    b"UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    b"CERT_CHAIN_TOO_LONG",
    b"CERT_REVOKED",
    b"INVALID_CA",
    b"PATH_LENGTH_EXCEEDED",
    b"INVALID_PURPOSE",
    b"CERT_UNTRUSTED",
    b"CERT_REJECTED",
    b"HOSTNAME_MISMATCH",
    b"ConnectionRefused",
    b"ConnectionClosed",
    b"FailedToOpenSocket",
    b"TooManyRedirects",
    b"DNSResolveFailed",
    b"DNSLookupFailed",
    b"AbortError",
    b"TimeoutError",
];

fn is_number(v: &[u8]) -> bool {
    !v.is_empty()
        && v.iter()
            .all(|&c| c.is_ascii_digit() || b"+-.eE".contains(&c))
        && v.iter().any(u8::is_ascii_digit)
}

fn key_str(low: &[u8], a: usize, b: usize) -> Option<&str> {
    std::str::from_utf8(low.get(a..b)?).ok()
}

/// End of a JSON string whose content starts at `from` (after the opening quote).
/// `escaped`: the string is itself inside a JSON string (`\"…\"`). Returns the index of the
/// closing quote sequence (or `dec.len()` when the line ends first).
fn string_end(dec: &[u8], from: usize, quote: u8, escaped: bool) -> usize {
    let mut i = from;
    if !escaped {
        while i < dec.len() {
            match dec[i] {
                b'\\' => i += 2,
                c if c == quote => return i,
                _ => i += 1,
            }
        }
        return dec.len();
    }
    let mut inner_escape = false;
    while i < dec.len() {
        let (decoded, width) = match dec[i] {
            b'\\' => match dec.get(i + 1) {
                Some(&c) => (c, 2),
                None => return dec.len(),
            },
            // An unescaped quote ends the outer string: the inner one is torn.
            b'"' => return i,
            c => (c, 1),
        };
        if width == 2 && decoded == b'"' && !inner_escape {
            return i;
        }
        inner_escape = if inner_escape {
            false
        } else {
            width == 2 && decoded == b'\\'
        };
        i += width;
    }
    dec.len()
}

/// A replaced value (a string, object or array under a secret key) still open where a line
/// or a piece of an overlong line ends, with enough state to find its end in what follows:
/// the bracket depth, whether a string inside it is open, a pending backslash, and whether
/// the value sits inside a JSON string holding JSON (`\"key\":{…}`, where quotes are
/// escaped). A piece can end anywhere, so every bit of that state is carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OpenValue {
    depth: u32,
    /// Inside a JSON string holding JSON: structural quotes are `\"`.
    escaped: bool,
    /// The quote that ends an open string (`"`, or `'` for a JS string value).
    quote: u8,
    in_string: bool,
    /// The next (decoded) byte is escaped by a backslash.
    backslash: bool,
    /// Escaped mode: the next raw byte completes a `\x` pair.
    raw_backslash: bool,
}

impl OpenValue {
    /// Before the opening bracket of an object or array.
    fn container(escaped: bool) -> OpenValue {
        OpenValue {
            depth: 0,
            escaped,
            quote: b'"',
            in_string: false,
            backslash: false,
            raw_backslash: false,
        }
    }

    /// Just after the opening quote of a string value.
    fn string(quote: u8, escaped: bool) -> OpenValue {
        OpenValue {
            in_string: true,
            quote,
            ..OpenValue::container(escaped)
        }
    }

    #[cfg(test)]
    fn feed_copy(mut self, dec: &[u8]) -> Option<usize> {
        self.feed(dec)
    }

    /// The value goes on past the end of a line (a multi-line object or array of a
    /// document): a JSON string cannot span lines, so whatever string state the line left
    /// (a quote in a comment, a torn string) does not carry over.
    pub(crate) fn next_line(&mut self) {
        self.in_string = false;
        self.backslash = false;
        self.raw_backslash = false;
    }

    /// Whether the value can continue on the next line of a pretty-printed document: an
    /// object or array can; a string (or anything inside a JSON string) cannot.
    pub(crate) fn spans_lines(&self) -> bool {
        self.depth > 0 && !self.escaped
    }

    /// Reads `dec` through the value. `Some(i)`: the value ends at `i` (after the closing
    /// bracket of an object or array; at the closing quote of a string, which stays
    /// outside the value). `None`: still open at the end of `dec`.
    pub(crate) fn feed(&mut self, dec: &[u8]) -> Option<usize> {
        for (i, &raw) in dec.iter().enumerate() {
            let c = if self.escaped {
                if self.raw_backslash {
                    self.raw_backslash = false;
                    raw
                } else if raw == b'\\' {
                    self.raw_backslash = true;
                    continue;
                } else if raw == b'"' {
                    // An unescaped quote ends the JSON string holding the value: a string
                    // open inside it is torn.
                    if self.in_string {
                        self.in_string = false;
                        self.backslash = false;
                        if self.depth == 0 {
                            return Some(i);
                        }
                    }
                    continue;
                } else {
                    raw
                }
            } else {
                raw
            };
            if self.backslash {
                self.backslash = false;
                continue;
            }
            if c == b'\\' {
                self.backslash = true;
                continue;
            }
            if self.in_string {
                if c == self.quote {
                    self.in_string = false;
                    if self.depth == 0 {
                        // The closing quote stays outside; in escaped mode, so does its
                        // backslash.
                        return Some(if self.escaped { i.saturating_sub(1) } else { i });
                    }
                }
                continue;
            }
            match c {
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        return Some(i + 1);
                    }
                }
                b'"' => self.in_string = true,
                _ => {}
            }
        }
        None
    }
}

/// End (exclusive) of the object/array opening at `open`, or the value's state when the
/// line ends first.
fn container_end(dec: &[u8], open: usize, escaped: bool) -> Result<usize, OpenValue> {
    let mut v = OpenValue::container(escaped);
    match v.feed(&dec[open..]) {
        Some(k) => Ok(open + k),
        None => Err(v),
    }
}

/// The result of scanning one line for JSON keys.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct JsonScan {
    /// A replaced value (object, array or string) opened on this line is still open at its
    /// end.
    pub open: Option<OpenValue>,
}

struct Key {
    start: usize,
    end: usize,
    /// Delimited by `\"` (inside a JSON string).
    escaped: bool,
    quoted: bool,
}

fn key_before(dec: &[u8], colon: usize) -> Option<Key> {
    let mut j = colon;
    while j > 0 && is_ws(dec[j - 1]) {
        j -= 1;
    }
    if j == 0 {
        return None;
    }
    let q = dec[j - 1];
    if q == b'"' || q == b'\'' {
        let close = j - 1;
        let escaped = q == b'"' && close > 0 && dec[close - 1] == b'\\';
        let key_end = if escaped { close - 1 } else { close };
        let lo = key_end.saturating_sub(81);
        let open = lo + memchr::memrchr(q, &dec[lo..key_end])?;
        if escaped && (open == 0 || dec[open - 1] != b'\\') {
            return None;
        }
        let start = open + 1;
        if dec[start..key_end].contains(&b'\\') {
            return None;
        }
        return Some(Key {
            start,
            end: key_end,
            escaped,
            quoted: true,
        });
    }
    let mut s = j;
    while s > 0 && is_ident(dec[s - 1]) && j - s <= 80 {
        s -= 1;
    }
    let boundary = s == 0 || matches!(dec[s - 1], b' ' | b'\t' | b'{' | b',' | b'(');
    (s < j && boundary).then_some(Key {
        start: s,
        end: j,
        escaped: false,
        quoted: false,
    })
}

fn value_repl(class: &KeyClass, escaped: bool, string: bool) -> Repl {
    match class.action {
        Action::Pseudonym(k) if string => Repl::Pseudonym(k),
        Action::Omit => Repl::Omitted {
            quoted: !string,
            escaped,
        },
        _ if string => Repl::Redacted,
        _ => Repl::QuotedRedacted { escaped },
    }
}

/// The span of a string value's secret part, honouring [`Action::KeepScheme`].
fn string_value_span(dec: &[u8], a: usize, b: usize, class: &KeyClass) -> Option<(usize, usize)> {
    let v = &dec[a..b];
    if is_marker(v) || (class.keep_identifiers && (is_snake_identifier(v) || is_error_code(v))) {
        return None;
    }
    if class.action == Action::KeepScheme {
        if let Some(sp) = v.iter().position(|&c| c == b' ') {
            let mut s = a + sp;
            while s < b && dec[s] == b' ' {
                s += 1;
            }
            return (s < b && !is_marker(&dec[s..b])).then_some((s, b));
        }
    }
    Some((a, b))
}

/// Finds secret JSON values on one line.
pub(crate) fn json_keys(
    dec: &[u8],
    low: &[u8],
    drop_bodies: bool,
    keys: &mut KeyCache,
    spans: &mut Vec<Span>,
) -> JsonScan {
    let mut scan = JsonScan::default();
    let mut consumed = 0;
    for colon in memchr::memchr_iter(b':', dec) {
        if colon < consumed {
            continue;
        }
        let Some(key) = key_before(dec, colon) else {
            continue;
        };
        let Some(class) = keys.classify(&low[key.start..key.end], KeySite::Json, drop_bodies)
        else {
            continue;
        };
        let mut v = colon + 1;
        while v < dec.len() && is_ws(dec[v]) {
            v += 1;
        }
        let Some(&first) = dec.get(v) else { continue };
        let escaped = key.escaped;
        // String value.
        let quote = if escaped {
            (first == b'\\' && dec.get(v + 1) == Some(&b'"')).then_some((b'"', 2))
        } else if first == b'"' || first == b'\'' {
            Some((first, 1))
        } else {
            None
        };
        if let Some((q, width)) = quote {
            let a = v + width;
            let b = string_end(dec, a, q, escaped);
            if let Some((s, e)) = string_value_span(dec, a, b, &class) {
                spans.push(Span::new(
                    s,
                    e,
                    class.rule,
                    value_repl(&class, escaped, true),
                ));
            }
            if b == dec.len() {
                // Unterminated: the rest of the string follows in the next piece of an
                // overlong line (or the line is torn). It is skipped there even when nothing
                // of it is visible here (a cut right after the opening quote), since the
                // next piece alone would not know the key.
                let mut open = OpenValue::string(q, escaped);
                if open.feed(&dec[a..]).is_none() {
                    scan.open = Some(open);
                    return scan;
                }
            }
            consumed = b;
            continue;
        }
        if !key.quoted {
            continue;
        }
        if (first == b'{' || first == b'[') && matches!(class.action, Action::Pseudonym(_)) {
            // An object under an identifier key (`"sessions": {…}`): its strings are
            // checked one by one instead of the whole object being removed.
            continue;
        }
        if first == b'{' || first == b'[' {
            let repl = value_repl(&class, escaped, false);
            match container_end(dec, v, escaped) {
                Ok(end) => {
                    spans.push(Span::new(v, end, class.rule, repl));
                    consumed = end;
                }
                Err(open) => {
                    spans.push(Span::new(v, dec.len(), class.rule, repl));
                    scan.open = Some(open);
                    return scan;
                }
            }
            continue;
        }
        let end = v + dec[v..]
            .iter()
            .position(|&c| !(c.is_ascii_alphanumeric() || b"+-.".contains(&c)))
            .unwrap_or(dec.len() - v);
        if class.numbers_too && !class.keep_identifiers && is_number(&dec[v..end]) {
            spans.push(Span::new(
                v,
                end,
                class.rule,
                Repl::QuotedRedacted { escaped },
            ));
        }
    }
    scan
}

fn kv_key_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.'
}

/// What may stand before a `key=`: the plugin's start, `?`, `&`, `;` and whitespace, plus
/// delimiters and every character a replacement can end with (so redacted output does not
/// create a new match).
static KV_KEY_BOUNDARY: ByteSet = ByteSet::new(false, true, b"?&;,\"'({[<>|}]~");
static KV_VALUE_STOP: ByteSet = ByteSet::new(false, true, b"&;\"'\\,<>()[]{}#|");

fn kv_value_stop(c: u8) -> bool {
    KV_VALUE_STOP.has(c)
}

/// `key=value` pairs, URL query parameters and auth cookies.
pub(crate) fn key_values(dec: &[u8], low: &[u8], keys: &mut KeyCache, spans: &mut Vec<Span>) {
    for eq in memchr::memchr_iter(b'=', dec) {
        if matches!(dec.get(eq + 1), Some(b'=' | b'>')) || eq == 0 {
            continue;
        }
        // `key = "…"`, `key := "…"` (settings files, Python, Go; red team, round 7): spaces
        // and a `:` before the `=`; the value must then be quoted (see below).
        let mut ke = eq;
        if ke > 0 && dec[ke - 1] == b':' {
            ke -= 1;
        }
        while ke > 0 && eq - ke < 8 && matches!(dec[ke - 1], b' ' | b'\t') {
            ke -= 1;
        }
        let spaced = ke != eq;
        let mut ks = ke;
        while ks > 0 && kv_key_char(dec[ks - 1]) && ke - ks <= 80 {
            ks -= 1;
        }
        if ks == ke {
            continue;
        }
        let before = if ks == 0 { b' ' } else { dec[ks - 1] };
        if !KV_KEY_BOUNDARY.has(before) {
            continue;
        }
        let name = &low[ks..ke];
        let site = if before == b'?' || before == b'&' {
            KeySite::Query
        } else {
            KeySite::KeyValue
        };
        let class = if AUTH_COOKIES.iter().any(|c| c.as_bytes() == name) {
            KeyClass {
                rule: Rule::Cookie,
                action: Action::Redact,
                numbers_too: true,
                keep_identifiers: false,
            }
        } else {
            match keys.classify(name, site, false) {
                Some(c) => c,
                None => continue,
            }
        };
        let (vs, ve) = match quoted_value(dec, eq + 1) {
            Some(q) => q,
            // A spaced `=` is prose or code unless a quoted value follows.
            None if spaced => continue,
            None => {
                let vs = eq + 1;
                let ve = vs
                    + dec[vs..]
                        .iter()
                        .position(|&c| kv_value_stop(c))
                        .unwrap_or(dec.len() - vs);
                (vs, ve)
            }
        };
        let v = &dec[vs..ve];
        if v.is_empty() || is_marker(v) {
            continue;
        }
        let scalar = is_number(v) || v == b"true" || v == b"false";
        if (scalar && !class.numbers_too) || (class.keep_identifiers && is_snake_identifier(v)) {
            continue;
        }
        let repl = match class.action {
            Action::Pseudonym(k) => Repl::Pseudonym(k),
            _ => Repl::Redacted,
        };
        spans.push(Span::new(vs, ve, class.rule, repl));
    }
}

/// A line of a Netscape cookie jar (what curl, wget and browser exports write): seven
/// tab-separated fields, the second and fourth `TRUE`/`FALSE`, the fifth an expiry in
/// seconds; the seventh, the cookie's value, is replaced (red team, round 7).
pub(crate) fn cookie_jar_line(dec: &[u8], spans: &mut Vec<Span>) {
    if memchr::memchr(b'\t', dec).is_none() {
        return;
    }
    let mut fields = [(0usize, 0usize); 7];
    let mut k = 0;
    let mut start = 0;
    for (i, &c) in dec.iter().enumerate() {
        if c == b'\t' {
            if k == 6 {
                return;
            }
            fields[k] = (start, i);
            k += 1;
            start = i + 1;
        }
    }
    if k != 6 {
        return;
    }
    let mut end = dec.len();
    while end > start && matches!(dec[end - 1], b'\r' | b'\n') {
        end -= 1;
    }
    fields[6] = (start, end);
    let f = |n: usize| &dec[fields[n].0..fields[n].1];
    let flag = |n: usize| matches!(f(n), b"TRUE" | b"FALSE");
    if !flag(1) || !flag(3) || f(4).is_empty() || !f(4).iter().all(u8::is_ascii_digit) {
        return;
    }
    let (vs, ve) = fields[6];
    if ve > vs && !is_marker(&dec[vs..ve]) {
        spans.push(Span::new(vs, ve, Rule::Cookie, Repl::Redacted));
    }
}

/// A quoted value after `=` at `at` (spaces first): `"…"`, `'…'`, `"""…"""`, and the
/// prefixed strings of Python (`r"…"`, `b'…'`); the bytes inside the quotes, on this line.
/// An escaped JSON quote (`\"`) is not one: the JSON rules read those.
fn quoted_value(dec: &[u8], at: usize) -> Option<(usize, usize)> {
    let mut v = at;
    while v < dec.len() && v - at < 8 && matches!(dec[v], b' ' | b'\t') {
        v += 1;
    }
    if matches!(
        dec.get(v),
        Some(b'r' | b'b' | b'u' | b'f' | b'R' | b'B' | b'U' | b'F')
    ) && matches!(dec.get(v + 1), Some(b'"' | b'\''))
    {
        v += 1;
    }
    let q = *dec.get(v)?;
    if !matches!(q, b'"' | b'\'') {
        return None;
    }
    let triple = dec[v..].starts_with(&[q, q, q]);
    let open = if triple { 3 } else { 1 };
    let vs = v + open;
    let rest = &dec[vs.min(dec.len())..dec.len().min(vs + 1024)];
    let len = if triple {
        memchr::memmem::find(rest, &[q, q, q])?
    } else {
        rest.iter().position(|&c| c == q)?
    };
    (len > 0).then_some((vs, vs + len))
}

/// `Authorization: <scheme> <credential>` inside a line (a curl command's
/// `-H 'Authorization: token …'`, a log message quoting a header): everything after the
/// scheme word up to the closing quote or the line's end. The line-start form and JSON keys
/// have their own rules; a value that starts a JSON string is theirs.
fn inline_authorization(dec: &[u8], low: &[u8], spans: &mut Vec<Span>) {
    static AUTH: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
    let finder = AUTH.get_or_init(|| memchr::memmem::Finder::new(b"authorization:"));
    for pos in finder.find_iter(low) {
        if pos > 0 && dec[pos - 1].is_ascii_alphanumeric() {
            continue;
        }
        let mut vs = pos + 14;
        while vs < dec.len() && is_ws(dec[vs]) {
            vs += 1;
        }
        if vs == pos + 14 || vs >= dec.len() || matches!(dec[vs], b'"' | b'\\' | b'\'') {
            continue;
        }
        // Quoted (`'Authorization: …'`, `"Proxy-Authorization: …"`): up to the closing
        // quote; else the scheme and one token.
        let name_start = if pos >= 6 && &low[pos - 6..pos] == b"proxy-" {
            pos - 6
        } else {
            pos
        };
        let quoted = name_start > 0 && matches!(dec[name_start - 1], b'"' | b'\'');
        let quote_end = |from: usize| {
            from + dec[from..]
                .iter()
                .position(|&c| matches!(c, b'"' | b'\'' | b'\\'))
                .unwrap_or(dec.len() - from)
        };
        let token_end = |from: usize| {
            from + dec[from..]
                .iter()
                .position(|&c| is_ws(c) || matches!(c, b'"' | b'\'' | b'\\' | b','))
                .unwrap_or(dec.len() - from)
        };
        let mut ve = quote_end(vs);
        while ve > vs && is_ws(dec[ve - 1]) {
            ve -= 1;
        }
        // A known scheme (`Bearer`, `token`, `Basic`) stays when a credential follows it;
        // any other first word may be the credential itself.
        const SCHEMES: [&[u8]; 9] = [
            b"bearer",
            b"basic",
            b"token",
            b"digest",
            b"negotiate",
            b"ntlm",
            b"apikey",
            b"hmac",
            b"oauth",
        ];
        let word = dec[vs..ve]
            .iter()
            .take_while(|c| c.is_ascii_alphabetic())
            .count();
        let scheme = SCHEMES.contains(&&low[vs..vs + word]);
        let cs = if scheme && dec.get(vs + word) == Some(&b' ') {
            vs + word + 1
        } else {
            vs
        };
        if !quoted {
            ve = ve.min(token_end(cs));
        }
        if ve > cs && !crate::rules::only_markers(&dec[cs..ve]) {
            spans.push(Span::new(cs, ve, Rule::Header, Repl::Redacted));
        }
    }
}

/// A vendor header no table names (`X-Honeycomb-Team: …`; red team, round 7): the value of
/// an `X-` header at `ns..ne` (its name; `:` follows) goes unless it is a number, a duration
/// or a size (`x-ratelimit-remaining: 99`, `x-envoy-upstream-service-time: 12ms`).
fn vendor_header_value(dec: &[u8], low: &[u8], ns: usize, ne: usize) -> Option<(usize, usize)> {
    let name = &low[ns..ne];
    // The Codex backend's own and well-known infrastructure headers are judged as usual
    // (the gate reads their values): a maintainer needs `x-codex-plan-type: plus`.
    const KNOWN: &[&[u8]] = &[
        b"x-codex-",
        b"x-openai-",
        b"x-ratelimit-",
        b"x-stainless-",
        b"x-envoy-",
        b"x-content-type-options",
        b"x-frame-options",
        b"x-cache",
        b"x-forwarded-proto",
    ];
    if !name.starts_with(b"x-") || KNOWN.iter().any(|k| name.starts_with(k)) {
        return None;
    }
    let mut vs = ne + 1;
    while vs < dec.len() && is_ws(dec[vs]) {
        vs += 1;
    }
    let mut ve = dec.len();
    while ve > vs && matches!(dec[ve - 1], b' ' | b'\t' | b'\r' | b'\n') {
        ve -= 1;
    }
    let v = &low[vs..ve];
    let digits = v
        .iter()
        .take_while(|c| c.is_ascii_digit() || **c == b'.')
        .count();
    let measure =
        digits > 0 && v[digits..].iter().all(u8::is_ascii_lowercase) && v.len() - digits <= 3;
    (ve > vs && !measure && !is_marker(&dec[vs..ve])).then_some((vs, ve))
}

/// `curl -H 'X-Vendor-Key: …'`: a header given on a command line, from `at` (the quote);
/// a vendor header's value goes as on a header line (named headers have their own rules).
fn curl_header(dec: &[u8], low: &[u8], at: usize, spans: &mut Vec<Span>) {
    let q = dec[at];
    let ns = at + 1;
    let Some(close) = dec[ns..].iter().position(|&c| c == q).map(|n| ns + n) else {
        return;
    };
    let Some(colon) = dec[ns..close]
        .iter()
        .position(|&c| c == b':')
        .map(|n| ns + n)
    else {
        return;
    };
    if key_str(low, ns, colon)
        .and_then(|n| classify_key(n, KeySite::HeaderLine, false))
        .is_some()
    {
        return;
    }
    if let Some((s, e)) = vendor_header_value(&dec[..close], &low[..close], ns, colon) {
        spans.push(Span::new(s, e, Rule::Header, Repl::Redacted));
    }
}

/// `Name: value` header lines and inline `Cookie:` / `Set-Cookie:` / `Authorization:`
/// headers.
pub(crate) fn header_lines(dec: &[u8], low: &[u8], spans: &mut Vec<Span>) {
    let mut i = 0;
    while i < dec.len() && (is_ws(dec[i]) || dec[i] == b'>' || dec[i] == b'<' || dec[i] == b'*') {
        i += 1;
    }
    let ns = i;
    while i < dec.len() && (dec[i].is_ascii_alphanumeric() || dec[i] == b'-' || dec[i] == b'_') {
        i += 1;
    }
    if i > ns && dec.get(i) == Some(&b':') && dec.get(i + 1).is_none_or(|&c| is_ws(c)) {
        if let Some(class) =
            key_str(low, ns, i).and_then(|n| classify_key(n, KeySite::HeaderLine, false))
        {
            let mut vs = i + 1;
            while vs < dec.len() && is_ws(dec[vs]) {
                vs += 1;
            }
            let mut ve = dec.len();
            while ve > vs && is_ws(dec[ve - 1]) {
                ve -= 1;
            }
            if let Some((s, e)) = string_value_span(dec, vs, ve, &class) {
                let repl = match class.action {
                    Action::Pseudonym(k) => Repl::Pseudonym(k),
                    _ => Repl::Redacted,
                };
                spans.push(Span::new(s, e, class.rule, repl));
            }
            return;
        }
        if let Some((s, e)) = vendor_header_value(dec, low, ns, i) {
            spans.push(Span::new(s, e, Rule::Header, Repl::Redacted));
            return;
        }
    }
    static DASH_H: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
        std::sync::OnceLock::new();
    if memchr::memchr(b'-', dec).is_some() {
        let finder = DASH_H.get_or_init(|| memchr::memmem::Finder::new(b"-h "));
        for at in finder.find_iter(low) {
            if matches!(dec.get(at + 3), Some(b'\'' | b'"')) {
                curl_header(dec, low, at + 3, spans);
            }
        }
    }
    if memchr::memchr(b':', dec).is_none() {
        return;
    }
    inline_authorization(dec, low, spans);
    static COOKIE: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
        std::sync::OnceLock::new();
    let finder = COOKIE.get_or_init(|| memchr::memmem::Finder::new(b"cookie:"));
    for pos in finder.find_iter(low) {
        let quoted_key = pos > 0
            && matches!(dec[pos - 1], b'"' | b'\'' | b'-' | b'_')
            && !(pos >= 4 && &low[pos - 4..pos] == b"set-");
        if quoted_key || !matches!(dec.get(pos + 7), Some(b' ' | b'\t')) {
            continue;
        }
        let vs = pos + 8;
        let ve = vs
            + dec[vs..]
                .iter()
                .position(|&c| c == b'"' || c == b'\\')
                .unwrap_or(dec.len() - vs);
        if ve > vs && !is_marker(&dec[vs..ve]) {
            spans.push(Span::new(vs, ve, Rule::Cookie, Repl::Redacted));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans_of(f: impl Fn(&[u8], &[u8], &mut Vec<Span>), text: &str) -> Vec<String> {
        let mut spans = Vec::new();
        let low = text.to_ascii_lowercase();
        f(text.as_bytes(), low.as_bytes(), &mut spans);
        spans
            .iter()
            .map(|s| text[s.start..s.end].to_string())
            .collect()
    }

    fn json(text: &str) -> Vec<String> {
        spans_of(
            |d, l, s| {
                json_keys(d, l, true, &mut KeyCache::default(), s);
            },
            text,
        )
    }

    #[test]
    fn json_values_of_secret_keys() {
        assert_eq!(
            json(r#"{"access_token":"abc123","status":200}"#),
            vec!["abc123"]
        );
        assert_eq!(
            json(r#"{"Refresh_Token" : "r1", "x": {"id_token": "i"}}"#),
            vec!["r1", "i"]
        );
        assert_eq!(json(r#""authorization": "Bearer xyz""#), vec!["xyz"]);
        assert_eq!(
            json(r#""headers":{"cookie":["a=b","c=d"]}"#),
            vec![r#"["a=b","c=d"]"#]
        );
        assert_eq!(json(r#""account_id": 12345,"#), vec!["12345"]);
        assert_eq!(
            json(r#""input_tokens": 12, "tokens": {"a":1}"#),
            vec![r#"{"a":1}"#]
        );
        assert_eq!(
            json(r#""code": "rate_limit_exceeded""#),
            Vec::<String>::new()
        );
        assert_eq!(json(r#""code": "ac_Zx81kPq""#), vec!["ac_Zx81kPq"]);
        // Node's error codes are context too (`listen EADDRINUSE`), in `code` as in `state`
        // only their exact shapes.
        for code in [
            "plugin.registered.missing",
            "login.environment.container",
            "port.1455",
            "EADDRINUSE",
            "EAI_AGAIN",
            "ERR_INVALID_URL",
            "UND_ERR_CONNECT_TIMEOUT",
            "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
            "SELF_SIGNED_CERT_IN_CHAIN",
            "FailedToOpenSocket",
        ] {
            assert_eq!(
                json(&format!(r#""code": "{code}""#)),
                Vec::<String>::new(),
                "{code}"
            );
        }
        for secret in [
            "EQWERTYUIOPASDFGHJKL",
            "Eabcdef",
            "ERR_",
            "E9X2KQ",
            "ac_EADDRINUSE",
            "UNABLE_TO_GET_ISSUER_CERT_LOCALLYx",
            "a8f3.k2p9",
            "abc.Def",
            "ConnectionRefusedZq81",
        ] {
            assert_eq!(
                json(&format!(r#""code": "{secret}""#)),
                vec![secret],
                "{secret}"
            );
        }
        assert_eq!(json(r#""token": "[redacted]""#), Vec::<String>::new());
        assert_eq!(
            json(r#""body": "{\"prompt_cache_key\":\"pk1\",\"x\":{\"code_verifier\":\"v\"}}""#),
            vec![r#"{\"prompt_cache_key\":\"pk1\",\"x\":{\"code_verifier\":\"v\"}}"#]
        );
        assert_eq!(
            json(r#""meta": "{\"prompt_cache_key\":\"pk1\",\"n\":\"a\\\"b\",\"state\":\"s9X\"}""#),
            vec!["pk1", "s9X"]
        );
        assert_eq!(json(r#"{ refresh_token: 'abc', other: 'x' }"#), vec!["abc"]);
        assert_eq!(json("time 12:30 http://x"), Vec::<String>::new());
    }

    #[test]
    fn open_containers_are_reported() {
        let mut spans = Vec::new();
        let t = br#"  "authorization": {"#;
        let scan = json_keys(t, t, true, &mut KeyCache::default(), &mut spans);
        let mut open = scan.open.expect("open");
        assert!(open.spans_lines());
        assert_eq!(open.feed(br#"  "a": {"b": "}"}"#), None);
        assert_eq!(open.feed(br#"  },"#), Some(3));
    }

    /// Where `v` (fed from its start) ends when fed in one go, and when fed in two pieces cut
    /// at every position: the state carried across a cut must not change the answer. One
    /// exception: an escaped string cut between the `\` and the `"` that close it ends at
    /// the cut (the backslash went out with the previous piece's replacement).
    fn end_split_anywhere(v: OpenValue, text: &[u8]) -> Option<usize> {
        let whole = v.feed_copy(text);
        for cut in 0..=text.len() {
            let mut o = v;
            let split = match o.feed(&text[..cut]) {
                Some(k) => Some(k),
                None => o.feed(&text[cut..]).map(|k| cut + k),
            };
            if v.escaped && v.in_string && whole.is_some_and(|w| cut == w + 1 && text[w] == b'\\') {
                assert_eq!(split, Some(cut));
                continue;
            }
            assert_eq!(
                split,
                whole,
                "cut at {cut} of {:?}",
                String::from_utf8_lossy(text)
            );
        }
        whole
    }

    #[test]
    fn open_values_end_in_the_same_place_however_they_are_cut() {
        let c = OpenValue::container(false);
        let t = br#"{"a": "x}\"]", "b": [1, {"c": "\\"}], "d": "{"} , "after": 1"#;
        assert_eq!(end_split_anywhere(c, t), Some(t.len() - 13));
        // Inside a JSON string that holds JSON: quotes are `\"`, a literal backslash `\\\\`.
        let e = OpenValue::container(true);
        let t = br#"{\"a\":\"x}\\\"]\",\"b\":{\"c\":\"\\\\\"}} tail"#;
        assert_eq!(end_split_anywhere(e, t), Some(t.len() - 5));
        // A string value ends at its closing quote (which stays outside the value).
        let st = OpenValue::string(b'"', false);
        let t = br#"se\"cr}et\\" , x"#;
        assert_eq!(end_split_anywhere(st, t), Some(11));
        let st = OpenValue::string(b'\'', false);
        assert_eq!(end_split_anywhere(st, br#"it\'s' x"#), Some(5));
        // Escaped: ends at the backslash of `\"`, or at a bare quote (the outer string's end).
        let st = OpenValue::string(b'"', true);
        let t = br#"a\\\"b\" x"#;
        assert_eq!(end_split_anywhere(st, t), Some(6));
        assert_eq!(end_split_anywhere(st, br#"torn" x"#), Some(4));
        assert_eq!(end_split_anywhere(c, br#"{"never": "closed"#), None);
    }

    #[test]
    fn vendor_headers_in_text() {
        let found = |text: &str| matched(text, header_lines);
        assert_eq!(found("X-Honeycomb-Team: lemonade"), ["lemonade"]);
        assert_eq!(
            found("curl -H 'X-Honeycomb-Team: lemonade' https://api.honeycomb.io/1/events/x"),
            ["lemonade"]
        );
        for text in [
            "x-ratelimit-remaining: 99",
            "x-envoy-upstream-service-time: 12ms",
            "X-Honeycomb-Team: [redacted]",
            "curl -H 'Accept: application/json' x",
            "content-type: text/plain",
            "x-codex-plan-type: plus",
            "x-stainless-os: Linux",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    /// What `detect` finds in `text` (given the text and its lower case), as strings.
    fn matched(text: &str, detect: fn(&[u8], &[u8], &mut Vec<Span>)) -> Vec<String> {
        let low = text.to_ascii_lowercase();
        let mut spans = Vec::new();
        detect(text.as_bytes(), low.as_bytes(), &mut spans);
        spans
            .iter()
            .map(|s| text[s.start..s.end].to_string())
            .collect()
    }

    #[test]
    fn cookie_jar_values() {
        let found = |text: &str| matched(text, |d, _, s| cookie_jar_line(d, s));
        for text in [
            ".example.com\tTRUE\t/\tTRUE\t1735689600\tsessionid\tlemonade",
            "#HttpOnly_.github.com\tTRUE\t/\tTRUE\t0\tuser_session\tlemonade\r\n",
        ] {
            assert_eq!(found(text), ["lemonade"], "{text:?}");
        }
        for text in [
            "a\tb\tc",
            ".example.com\tyes\t/\tTRUE\t1735689600\tsessionid\tv",
            ".example.com\tTRUE\t/\tTRUE\tsoon\tsessionid\tv",
            ".example.com\tTRUE\t/\tTRUE\t1\tsid\t[redacted]",
        ] {
            assert!(found(text).is_empty(), "{text:?}: {:?}", found(text));
        }
    }

    /// Found by the red team (round 7): settings and code assign credentials with a spaced
    /// `=` (or `:=`) and a quoted value.
    #[test]
    fn spaced_assignments_with_quoted_values() {
        let found = |text: &str| {
            matched(text, |d, l, s| {
                key_values(d, l, &mut KeyCache::default(), s)
            })
        };
        for text in [
            "api_key = \"lemonade\"",
            "SECRET_KEY = 'lemonade'",
            "config.api_key = \"lemonade\"",
            "process.env.OPENAI_API_KEY = 'lemonade'",
            "api_key := \"lemonade\"",
            "token = \"\"\"lemonade\"\"\"",
            "api_key = r\"lemonade\"",
        ] {
            assert_eq!(found(text), ["lemonade"], "{text}");
        }
        for text in [
            "status = \"ok\"",
            "x = 1 if a else b",
            "api_key = lemonade",
            "if a >= b then api_key == \"x\"",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn key_value_pairs() {
        let kv = |t: &str| spans_of(|d, l, s| key_values(d, l, &mut KeyCache::default(), s), t);
        assert_eq!(
            kv("grant_type=refresh_token&refresh_token=rt1&state=xyz9"),
            vec!["rt1", "xyz9"]
        );
        assert_eq!(kv("GET /cb?code=ac_123&scope=openid"), vec!["ac_123"]);
        // A URL-encoded bracket is not a placeholder; only `%5Bredacted%5D` is.
        assert_eq!(kv("password=%5Bhunter2%5D&x=1"), vec!["%5Bhunter2%5D"]);
        assert_eq!(kv("password=%5Bredacted%5D&x=1"), Vec::<String>::new());
        assert_eq!(kv("https://x/?my_session_id=s1&v=1"), vec!["s1"]);
        assert_eq!(
            kv("max_tokens=100 CODEX_AUTH_DEBUG=1 a==b"),
            Vec::<String>::new()
        );
        assert_eq!(
            kv("cookie: _puid=user-abc; cf_clearance=zz"),
            vec!["user-abc", "zz"]
        );
        assert_eq!(kv("x=1&access_token=%5Bredacted%5D"), Vec::<String>::new());
    }

    #[test]
    fn header_text_lines() {
        let h = |t: &str| spans_of(header_lines, t);
        assert_eq!(h("> Authorization: Bearer abc"), vec!["abc"]);
        assert_eq!(h("Cookie: a=b; c=d"), vec!["a=b; c=d"]);
        assert_eq!(h("x-custom-token: t1"), vec!["t1"]);
        assert_eq!(h("content-type: application/json"), Vec::<String>::new());
        assert_eq!(
            h("got response headers set-cookie: sid=1; Path=/"),
            vec!["sid=1; Path=/"]
        );
    }

    /// Found by the red-team harness: a word credential after a scheme inside a curl
    /// command was kept (`token applecrumble` is letters only, shorter than 20).
    #[test]
    fn authorization_inside_a_line() {
        let h = |t: &str| spans_of(header_lines, t);
        assert_eq!(
            h("+ curl -H 'Authorization: token applecrumble' https://api.github.com"),
            vec!["applecrumble"]
        );
        assert_eq!(
            h(r#"{"cmd":"curl -H \"Proxy-Authorization: Basic words here\" x"}"#),
            vec!["words here"]
        );
        assert_eq!(h("sent authorization: hazelnut ok"), vec!["hazelnut"]);
        assert_eq!(
            h("x; Authorization: Basic dXNlcjpw sk-proj-1"),
            vec!["dXNlcjpw"]
        );
        for kept in [
            r#"{"authorization": "Bearer x"}"#,
            "sent Authorization: Bearer [redacted]",
            "no authorization:header",
        ] {
            assert_eq!(h(kept), Vec::<String>::new(), "{kept}");
        }
    }
}
