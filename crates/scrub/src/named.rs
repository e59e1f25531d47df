//! Values named by a credential's key in code and markup, where neither `key=value` nor a
//! JSON object says so (red team, round 7):
//!
//! - a quoted name and a quoted value side by side in a call or a list:
//!   `os.Setenv("GITHUB_TOKEN", "…")`, `System.setProperty("db.password", "…")`,
//!   `["x-api-key", "…"]`; and the last quoted argument of a `set_password(…)` call
//!   (`keyring.set_password("svc", "bob", "…")`);
//! - `=>` maps: Node's printout of a `Map` (`'x-api-key' => '…'`), PHP's `print_r`
//!   (`[password] => …`), Ruby and PHP hashes;
//! - XML: `<password>…</password>`, Android's `<string name="api_key">…</string>`, a plist's
//!   `<key>APIToken</key><string>…</string>`.
//!
//! The name is judged by the key tables ([`KeyCache`], as a JSON key), so these forms agree
//! with JSON on what is secret; the value becomes what a JSON value under that key becomes.

use crate::bytes::{skip_spaces, skip_spaces_back};
use crate::rules::{Action, KeyCache, KeySite};
use crate::span::{Repl, Span};

/// Runs the three readings: quoted pairs on every line, `=>` maps and markup only on lines
/// that have their trigger bytes (`=>`, `</`).
pub(crate) fn named_values(dec: &[u8], low: &[u8], keys: &mut KeyCache, spans: &mut Vec<Span>) {
    quoted_pairs(dec, low, keys, spans);
    if memchr::memchr(b'>', dec).is_none() {
        return;
    }
    if memchr::memchr_iter(b'>', dec).any(|i| i > 0 && dec[i - 1] == b'=') {
        arrows(dec, low, keys, spans);
    }
    if memchr::memchr_iter(b'<', dec).any(|i| dec.get(i + 1) == Some(&b'/')) {
        xml(dec, low, keys, spans);
    }
}

/// `set_password(`, built once.
fn set_password_finder() -> &'static memchr::memmem::Finder<'static> {
    static F: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
    F.get_or_init(|| memchr::memmem::Finder::new(b"password("))
}

/// Replaces `vs..ve` (of `dec`, as written; `low` its lower case) when `name` (lower case)
/// is a credential's key.
fn judge(
    dec: &[u8],
    low: &[u8],
    name: &[u8],
    vs: usize,
    ve: usize,
    keys: &mut KeyCache,
    spans: &mut Vec<Span>,
) {
    if ve <= vs || name.is_empty() || crate::rules::only_markers(&low[vs..ve]) {
        return;
    }
    let Some(class) = keys.classify(name, KeySite::Json, false) else {
        return;
    };
    let v = &low[vs..ve];
    let number = v.iter().all(u8::is_ascii_digit);
    // A snake_case code stays under `code`/`state` (as in `key=value`), read with its case:
    // a mixed-case token is no identifier.
    if (number && !class.numbers_too)
        || (class.keep_identifiers && crate::keyed::is_snake_identifier(&dec[vs..ve]))
    {
        return;
    }
    let repl = match class.action {
        Action::Pseudonym(k) => Repl::Pseudonym(k),
        _ => Repl::Redacted,
    };
    spans.push(Span::new(vs, ve, class.rule, repl));
}

/// The quoted string that ends with the quote at `close` (`"…"` or `'…'`, no escapes):
/// where its content starts.
fn string_ending_at(dec: &[u8], close: usize) -> Option<usize> {
    let q = dec[close];
    let open = dec[..close].iter().rposition(|&c| c == q)?;
    (close - open <= 257 && !dec[open + 1..close].contains(&b'\\')).then_some(open + 1)
}

/// The quoted string that starts with the quote at `open`: where its content ends.
fn string_starting_at(dec: &[u8], open: usize) -> Option<usize> {
    let q = dec[open];
    let rest = &dec[open + 1..dec.len().min(open + 258)];
    let n = rest.iter().position(|&c| c == q)?;
    (!rest[..n].contains(&b'\\')).then_some(open + 1 + n)
}

/// `("NAME", "VALUE"` in a call or a list (not a JSON object: no `:` before the name or after
/// the value), and the last quoted argument of `set_password(…)`.
fn quoted_pairs(dec: &[u8], low: &[u8], keys: &mut KeyCache, spans: &mut Vec<Span>) {
    for comma in memchr::memchr_iter(b',', dec) {
        let a = skip_spaces_back(dec, comma);
        if a == 0 || !matches!(dec[a - 1], b'"' | b'\'') {
            continue;
        }
        let b = skip_spaces(dec, comma + 1);
        if b >= dec.len() || dec[b] != dec[a - 1] {
            continue;
        }
        // Not a JSON object's `"value","key":` (the key is short: read it first).
        let Some(ve) = string_starting_at(dec, b) else {
            continue;
        };
        let after = skip_spaces(dec, ve + 1);
        if dec.get(after) == Some(&b':') {
            continue;
        }
        let Some(ns) = string_ending_at(dec, a - 1) else {
            continue;
        };
        // The name opens a call's arguments or a list, or follows another argument.
        let before = skip_spaces_back(dec, ns - 1);
        if before == 0 || !matches!(dec[before - 1], b'(' | b'[' | b',') {
            continue;
        }
        judge(dec, low, &low[ns..a - 1], b + 1, ve, keys, spans);
    }
    if memchr::memchr(b'(', dec).is_none() {
        return;
    }
    for hit in set_password_finder().find_iter(low) {
        // `set_password(`, `setpassword(`.
        let named = (hit >= 4 && &low[hit - 4..hit] == b"set_")
            || (hit >= 3 && &low[hit - 3..hit] == b"set");
        if !named {
            continue;
        }
        {
            let open = hit + 9;
            let Some(close) = dec[open..]
                .iter()
                .position(|&c| c == b')')
                .map(|n| open + n)
            else {
                continue;
            };
            let end = skip_spaces_back(dec, close);
            if end == 0 || end <= open || !matches!(dec[end - 1], b'"' | b'\'') {
                continue;
            }
            if let Some(vs) = string_ending_at(dec, end - 1).filter(|&vs| vs > open) {
                if end - 1 > vs && !crate::rules::only_markers(&low[vs..end - 1]) {
                    spans.push(Span::new(
                        vs,
                        end - 1,
                        crate::rules::Rule::KeyValue,
                        Repl::Redacted,
                    ));
                }
            }
        }
    }
}

/// `NAME => VALUE`: the name quoted, in brackets or bare; the value quoted or one token.
fn arrows(dec: &[u8], low: &[u8], keys: &mut KeyCache, spans: &mut Vec<Span>) {
    for at in memchr::memmem::find_iter(dec, b"=>") {
        let ne = skip_spaces_back(dec, at);
        if ne == 0 {
            continue;
        }
        let (ns, name_end) = match dec[ne - 1] {
            b'"' | b'\'' => match string_ending_at(dec, ne - 1) {
                Some(s) => (s, ne - 1),
                None => continue,
            },
            b']' => match dec[..ne - 1].iter().rposition(|&c| c == b'[') {
                Some(s) => (s + 1, ne - 1),
                None => continue,
            },
            _ => {
                let mut s = ne;
                while s > 0
                    && (dec[s - 1].is_ascii_alphanumeric()
                        || matches!(dec[s - 1], b'_' | b'-' | b'.' | b':'))
                {
                    s -= 1;
                }
                (s, ne)
            }
        };
        let name = low[ns..name_end]
            .strip_prefix(b":")
            .unwrap_or(&low[ns..name_end]);
        let vs = skip_spaces(dec, at + 2);
        let (vs, ve) = match dec.get(vs) {
            Some(b'"' | b'\'') => match string_starting_at(dec, vs) {
                Some(e) => (vs + 1, e),
                None => continue,
            },
            // A placeholder already written (`[redacted]`) is one value.
            Some(b'[') => match dec[vs..].iter().position(|&c| c == b']') {
                Some(n) => (vs, vs + n + 1),
                None => continue,
            },
            Some(_) => {
                let e = dec[vs..]
                    .iter()
                    .position(|&c| matches!(c, b' ' | b',' | b')' | b']' | b'}' | b'\t' | b'\r'))
                    .map_or(dec.len(), |n| vs + n);
                (vs, e)
            }
            None => continue,
        };
        judge(dec, low, name, vs, ve, keys, spans);
    }
}

/// `<NAME>VALUE</NAME>`, `<string name="NAME">VALUE</string>` and a plist's
/// `<key>NAME</key><string>VALUE</string>`.
fn xml(dec: &[u8], low: &[u8], keys: &mut KeyCache, spans: &mut Vec<Span>) {
    for close in memchr::memmem::find_iter(dec, b"</") {
        let Some(gt) = dec[..close].iter().rposition(|&c| c == b'>') else {
            continue;
        };
        if dec[gt + 1..close].contains(&b'<') {
            continue;
        }
        let Some(lt) = dec[..gt].iter().rposition(|&c| c == b'<') else {
            continue;
        };
        let open = &low[lt + 1..gt];
        let tag_end = open
            .iter()
            .position(|&c| c == b' ' || c == b'/')
            .unwrap_or(open.len());
        let tag = &open[..tag_end];
        if tag.is_empty() || !low[close + 2..].starts_with(tag) {
            continue;
        }
        let (vs, ve) = (gt + 1, close);
        if keys.classify(tag, KeySite::Json, false).is_some() {
            judge(dec, low, tag, vs, ve, keys, spans);
            continue;
        }
        // `<string name="api_key">`: the name attribute.
        if let Some(at) = memchr::memmem::find(open, b"name=\"") {
            let s = at + 6;
            if let Some(n) = open[s..].iter().position(|&c| c == b'"') {
                judge(dec, low, &open[s..s + n], vs, ve, keys, spans);
                continue;
            }
        }
        // A plist: the `<key>…</key>` right before.
        let before = skip_ws_back(low, lt);
        if before >= 6 && &low[before - 6..before] == b"</key>" {
            let kend = before - 6;
            if let Some(kstart) = memchr::memmem::rfind(&low[..kend], b"<key>") {
                let name = &low[kstart + 5..kend];
                judge(dec, low, name, vs, ve, keys, spans);
            }
        }
    }
}

fn skip_ws_back(low: &[u8], mut i: usize) -> usize {
    while i > 0 && low[i - 1].is_ascii_whitespace() {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<String> {
        let low = text.to_ascii_lowercase();
        let mut spans = Vec::new();
        named_values(
            text.as_bytes(),
            low.as_bytes(),
            &mut KeyCache::default(),
            &mut spans,
        );
        spans
            .iter()
            .map(|s| text[s.start..s.end].to_string())
            .collect()
    }

    #[test]
    fn credentials_named_in_code_and_markup() {
        for (text, value) in [
            ("os.Setenv(\"GITHUB_TOKEN\", \"lemonade\")", "lemonade"),
            (
                "System.setProperty(\"db.password\", \"lemonade\");",
                "lemonade",
            ),
            (
                "keyring.set_password(\"openai\", \"bob\", \"lemonade\")",
                "lemonade",
            ),
            (
                "Map(2) { 'x-api-key' => 'lemonade', 'accept' => '*/*' }",
                "lemonade",
            ),
            ("Map(1) { 'authorization' => 'lemonade' }", "lemonade"),
            ("{'api_key' => 'lemonade'}", "lemonade"),
            ("    [password] => lemonade", "lemonade"),
            ("<string name=\"api_key\">lemonade</string>", "lemonade"),
            ("<key>APIToken</key><string>lemonade</string>", "lemonade"),
            ("<password>lemonade</password>", "lemonade"),
            ("{'code' => 'Ab12Cd34EfGh'}", "Ab12Cd34EfGh"),
        ] {
            assert_eq!(found(text), [value], "{text}");
        }
    }

    #[test]
    fn other_names_and_json_objects_stay() {
        for text in [
            "{\"type\":\"password\",\"label\":\"x\"}",
            "f(\"mode\", \"fast\")",
            "Map(1) { 'accept' => '*/*' }",
            "<string name=\"app_name\">Notes</string>",
            "<key>CFBundleName</key><string>Notes</string>",
            "<b>bold</b>",
            "[password] => [redacted]",
            "{'code' => 'rate_limit_exceeded'}",
        ] {
            assert!(found(text).is_empty(), "{text}: {:?}", found(text));
        }
    }
}
