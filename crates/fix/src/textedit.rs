//! Text-level edits of JSON and JSONC files that keep everything else byte for byte.
//!
//! The comment and trailing-comma rules come from `codex_config::jsonc`: [`blank`] is its
//! `blank_comments_bytes` (every blanked character widened to its UTF-8 length, so the result
//! has the same *byte* offsets as the original and holds only strings and structure), and
//! trailing commas are its `trailing_commas`. A small scanner finds members and array items in
//! that text; the edits are spliced into the original, so comments, formatting and key order
//! stay as they were.

use codex_config::jsonc;

/// The text with comments replaced by spaces, byte-aligned with `src`.
pub(crate) fn blank(src: &str) -> String {
    jsonc::blank_comments_bytes(src)
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// `i` at an opening quote; returns the index after the closing quote.
fn skip_string(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// `i` at the start of a value; returns the index after it.
fn skip_value(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => skip_string(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut j = i;
            while j < b.len() {
                match b[j] {
                    b'"' => {
                        j = skip_string(b, j)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(j + 1);
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            None
        }
        _ => {
            let mut j = i;
            while j < b.len() && !matches!(b[j], b',' | b'}' | b']') && !b[j].is_ascii_whitespace()
            {
                j += 1;
            }
            (j > i).then_some(j)
        }
    }
}

/// One member of the top-level object.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub key: String,
    pub key_start: usize,
    pub value_start: usize,
    pub value_end: usize,
}

/// The top-level object: `(index of '{', index of '}', members)`.
pub(crate) fn top_object(blanked: &str) -> Option<(usize, usize, Vec<Member>)> {
    let b = blanked.as_bytes();
    let open = skip_ws(b, 0);
    if b.get(open) != Some(&b'{') {
        return None;
    }
    let mut members = Vec::new();
    let mut i = skip_ws(b, open + 1);
    loop {
        match b.get(i)? {
            b'}' => return Some((open, i, members)),
            b',' => i = skip_ws(b, i + 1),
            b'"' => {
                let key_end = skip_string(b, i)?;
                let key: String = serde_json::from_str(&blanked[i..key_end]).ok()?;
                let colon = skip_ws(b, key_end);
                if b.get(colon) != Some(&b':') {
                    return None;
                }
                let value_start = skip_ws(b, colon + 1);
                let value_end = skip_value(b, value_start)?;
                members.push(Member {
                    key,
                    key_start: i,
                    value_start,
                    value_end,
                });
                i = skip_ws(b, value_end);
            }
            _ => return None,
        }
    }
}

/// Items of the array spanning `start..end` (`start` at '['): `(start, end)` of each.
pub(crate) fn array_items(blanked: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let b = &blanked.as_bytes()[..end];
    let mut out = Vec::new();
    let mut i = skip_ws(b, start + 1);
    while i < b.len() {
        match b[i] {
            b']' => break,
            b',' => i = skip_ws(b, i + 1),
            _ => match skip_value(b, i) {
                Some(j) => {
                    out.push((i, j));
                    i = skip_ws(b, j);
                }
                None => break,
            },
        }
    }
    out
}

/// The indentation of the line holding byte `at`.
fn indent_at(src: &str, at: usize) -> &str {
    let line_start = src[..at].rfind('\n').map(|n| n + 1).unwrap_or(0);
    let rest = &src[line_start..];
    let n = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    &rest[..n]
}

fn splice(src: &str, start: usize, end: usize, with: &str) -> String {
    format!("{}{with}{}", &src[..start], &src[end..])
}

/// Appends `literal` to the array at `start..end`, in the array's own layout.
pub(crate) fn append_item(src: &str, start: usize, end: usize, literal: &str) -> String {
    let blanked = blank(src);
    let items = array_items(&blanked, start, end);
    match (items.first(), items.last()) {
        (Some(first), Some(last)) => {
            let multiline = src[start..first.0].contains('\n');
            let sep = if multiline {
                format!(",\n{}", indent_at(src, last.0))
            } else {
                ", ".to_string()
            };
            splice(src, last.1, last.1, &format!("{sep}{literal}"))
        }
        _ => {
            let inner = &src[start + 1..end - 1];
            if inner.trim().is_empty() {
                splice(src, start + 1, end - 1, literal)
            } else {
                // Only comments inside: keep them, put the item first.
                splice(src, start + 1, start + 1, literal)
            }
        }
    }
}

/// Removes item `idx` of the array at `start..end`, with the comma that separated it.
pub(crate) fn remove_item(src: &str, start: usize, end: usize, idx: usize) -> String {
    let blanked = blank(src);
    let items = array_items(&blanked, start, end);
    let Some(&(s, e)) = items.get(idx) else {
        return src.to_string();
    };
    if let Some(next) = items.get(idx + 1) {
        splice(src, s, next.0, "")
    } else if idx > 0 {
        splice(src, items[idx - 1].1, e, "")
    } else {
        let b = blanked.as_bytes();
        let after = skip_ws(b, e);
        let e = if b.get(after) == Some(&b',') {
            after + 1
        } else {
            e
        };
        splice(src, s, e, "")
    }
}

/// Adds `"key": value_literal` as the last member of the top-level object.
pub(crate) fn add_member(src: &str, key: &str, value_literal: &str) -> Option<String> {
    let blanked = blank(src);
    let (open, close, members) = top_object(&blanked)?;
    let key = serde_json::to_string(key).ok()?;
    Some(match (members.first(), members.last()) {
        (Some(first), Some(last)) => {
            let multiline = src[open..first.key_start].contains('\n');
            let sep = if multiline {
                format!(",\n{}", indent_at(src, last.key_start))
            } else {
                ", ".to_string()
            };
            splice(
                src,
                last.value_end,
                last.value_end,
                &format!("{sep}{key}: {value_literal}"),
            )
        }
        _ => {
            let inner = &src[open + 1..close];
            if inner.trim().is_empty() {
                splice(
                    src,
                    open + 1,
                    close,
                    &format!("\n  {key}: {value_literal}\n"),
                )
            } else {
                splice(
                    src,
                    open + 1,
                    open + 1,
                    &format!("\n  {key}: {value_literal},"),
                )
            }
        }
    })
}

/// Removes trailing commas; comments and everything else stay.
pub(crate) fn remove_trailing_commas(src: &str) -> String {
    let commas = jsonc::trailing_commas(&blank(src));
    let mut out = String::with_capacity(src.len());
    let mut last = 0;
    for c in commas {
        out.push_str(&src[last..c]);
        last = c + 1;
    }
    out.push_str(&src[last..]);
    out
}

/// Removes comments; a line left blank by the removal goes too, and trailing spaces a comment
/// leaves behind are trimmed.
pub(crate) fn remove_comments(src: &str) -> String {
    let blanked = blank(src);
    let mut out = String::with_capacity(src.len());
    for (o, b) in src.split_inclusive('\n').zip(blanked.split_inclusive('\n')) {
        if o == b {
            out.push_str(o);
            continue;
        }
        // A Windows line end stays one (found from the user's side: the `\r` went with the
        // comment before it).
        let (body, nl) = match b.strip_suffix("\r\n") {
            Some(x) => (x, "\r\n"),
            None => match b.strip_suffix('\n') {
                Some(x) => (x, "\n"),
                None => (b, ""),
            },
        };
        let kept = body.trim_end();
        if kept.trim().is_empty() {
            continue;
        }
        out.push_str(kept);
        out.push_str(nl);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanking_keeps_byte_offsets_with_multibyte_comments() {
        let src = "{\"a\": 1 // héllo ✓\n}";
        let b = blank(src);
        assert_eq!(b.len(), src.len());
        let expected = format!("{{\"a\": 1 {}\n}}", " ".repeat(src.len() - 10));
        assert_eq!(b, expected);
    }

    #[test]
    fn append_keeps_layout_comments_and_order() {
        let src =
            "{\n  // mine\n  \"plugin\": [\n    \"a\", // first\n    \"b\"\n  ],\n  \"z\": 1\n}\n";
        let b = blank(src);
        let (_, _, m) = top_object(&b).unwrap();
        let p = m.iter().find(|m| m.key == "plugin").unwrap();
        let out = append_item(src, p.value_start, p.value_end, "\"c\"");
        assert_eq!(
            out,
            "{\n  // mine\n  \"plugin\": [\n    \"a\", // first\n    \"b\",\n    \"c\"\n  ],\n  \"z\": 1\n}\n"
        );
        let one_line = "{\"plugin\": [\"a\"]}";
        let b = blank(one_line);
        let (_, _, m) = top_object(&b).unwrap();
        assert_eq!(
            append_item(one_line, m[0].value_start, m[0].value_end, "\"c\""),
            "{\"plugin\": [\"a\", \"c\"]}"
        );
        assert_eq!(
            append_item("{\"plugin\": []}", 11, 13, "\"c\""),
            "{\"plugin\": [\"c\"]}"
        );
    }

    #[test]
    fn remove_item_takes_its_comma() {
        let src = "{\"plugin\": [\"a\", \"b\", \"c\"]}";
        let b = blank(src);
        let (_, _, m) = top_object(&b).unwrap();
        let (s, e) = (m[0].value_start, m[0].value_end);
        assert_eq!(remove_item(src, s, e, 0), "{\"plugin\": [\"b\", \"c\"]}");
        assert_eq!(remove_item(src, s, e, 1), "{\"plugin\": [\"a\", \"c\"]}");
        assert_eq!(remove_item(src, s, e, 2), "{\"plugin\": [\"a\", \"b\"]}");
    }

    #[test]
    fn add_member_goes_last_in_the_object_layout() {
        let src = "{\n  \"$schema\": \"x\", // s\n  \"theme\": \"dark\"\n}\n";
        assert_eq!(
            add_member(src, "plugin", "[\"p\"]").unwrap(),
            "{\n  \"$schema\": \"x\", // s\n  \"theme\": \"dark\",\n  \"plugin\": [\"p\"]\n}\n"
        );
        assert_eq!(
            add_member("{}", "plugin", "[]").unwrap(),
            "{\n  \"plugin\": []\n}"
        );
        assert!(add_member("[1]", "plugin", "[]").is_none());
    }

    #[test]
    fn trailing_commas_go_comments_stay_and_strings_are_untouched() {
        let src = "{\n  \"a\": [1, 2,], // c,]\n  \"s\": \",}\",\n}";
        assert_eq!(
            remove_trailing_commas(src),
            "{\n  \"a\": [1, 2], // c,]\n  \"s\": \",}\"\n}"
        );
    }

    #[test]
    fn crlf_line_ends_stay_where_a_comment_goes() {
        let src =
            "{\r\n  \"plugin\": [\"x\"], // end comment\r\n  \"theme\": \"x\" /* c */\r\n}\r\n";
        let out = remove_comments(src);
        assert_eq!(
            out,
            "{\r\n  \"plugin\": [\"x\"],\r\n  \"theme\": \"x\"\r\n}\r\n"
        );
    }

    #[test]
    fn comments_are_removed_with_the_lines_they_leave_empty() {
        let src = "// header\n{\n  \"a\": 1, // one\n  /* block */\n  \"b\": \"//not\"\n}\n";
        assert_eq!(
            remove_comments(src),
            "{\n  \"a\": 1,\n  \"b\": \"//not\"\n}\n"
        );
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    fn lenient(text: &str) -> Option<Value> {
        serde_json::from_str(&remove_trailing_commas(&blank(text))).ok()
    }

    /// A config with a `plugin` array in varied layouts, comments (some with non-ASCII text,
    /// commas and brackets inside) and trailing commas, and the items it holds.
    fn config() -> impl Strategy<Value = (String, Vec<String>)> {
        let item = "[a-z@/.é-]{1,10}";
        (
            prop::collection::vec(item, 0..5),
            any::<bool>(),
            any::<bool>(),
            prop::collection::vec(0u8..3, 5),
        )
            .prop_map(|(items, multiline, trailing, comments)| {
                let comment = |i: usize| match comments.get(i).copied().unwrap_or(0) {
                    1 => " // note, ] } ✓".to_string(),
                    2 => " /* [x], */".to_string(),
                    _ => String::new(),
                };
                let lits: Vec<String> = items
                    .iter()
                    .map(|s| serde_json::to_string(s).unwrap())
                    .collect();
                let mut arr = String::from("[");
                for (i, l) in lits.iter().enumerate() {
                    let last = i + 1 == lits.len();
                    if multiline {
                        arr.push_str("\n    ");
                    } else if i > 0 {
                        arr.push(' ');
                    }
                    arr.push_str(l);
                    if !last || trailing {
                        arr.push(',');
                    }
                    if multiline {
                        arr.push_str(&comment(i));
                    }
                }
                if multiline && !lits.is_empty() {
                    arr.push_str("\n  ");
                }
                arr.push(']');
                let text = format!(
                    "{{\n  // head{}\n  \"theme\": \"dark\",\n  \"plugin\": {arr},{}\n  \"model\": \"x\"\n}}\n",
                    comment(4),
                    comment(3)
                );
                (text, items)
            })
    }

    fn plugin_span(text: &str) -> (usize, usize) {
        let b = blank(text);
        let (_, _, members) = top_object(&b).unwrap();
        let m = members.iter().find(|m| m.key == "plugin").unwrap();
        (m.value_start, m.value_end)
    }

    fn comments_of(text: &str) -> Vec<String> {
        // Character-aligned, so the zip below stays in step.
        let b = jsonc::blank_comments(text);
        let mut out = Vec::new();
        let mut cur = String::new();
        for (o, c) in text.chars().zip(b.chars()) {
            if o != c {
                cur.push(o);
            } else if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
        out
    }

    proptest! {
        #[test]
        fn append_adds_exactly_one_item_and_keeps_every_comment((text, items) in config()) {
            let (s, e) = plugin_span(&text);
            let out = append_item(&text, s, e, "\"new@1\"");
            let v = lenient(&out).expect("still parses");
            let mut want: Vec<Value> = items.iter().map(|x| Value::String(x.clone())).collect();
            want.push(Value::String("new@1".into()));
            prop_assert_eq!(&v["plugin"], &Value::Array(want));
            prop_assert_eq!(&v["theme"], "dark");
            prop_assert_eq!(&v["model"], "x");
            prop_assert_eq!(comments_of(&out), comments_of(&text));
        }

        #[test]
        fn remove_takes_exactly_that_item((text, items) in config(), pick in 0usize..5) {
            prop_assume!(!items.is_empty());
            let i = pick % items.len();
            let (s, e) = plugin_span(&text);
            let out = remove_item(&text, s, e, i);
            let v = lenient(&out).expect("still parses");
            let mut want: Vec<Value> = items.iter().map(|x| Value::String(x.clone())).collect();
            want.remove(i);
            prop_assert_eq!(&v["plugin"], &Value::Array(want));
            prop_assert_eq!(&v["model"], "x");
        }

        #[test]
        fn strict_cleanup_gives_json_with_the_same_value((text, _items) in config()) {
            let value = lenient(&text).expect("the generator makes lenient JSON");
            let commas = remove_trailing_commas(&text);
            let stripped = codex_config::jsonc::strip_comments(&commas);
            prop_assert_eq!(serde_json::from_str::<Value>(&stripped).ok(), Some(value.clone()));
            prop_assert_eq!(comments_of(&commas), comments_of(&text));
            let strict = remove_trailing_commas(&remove_comments(&text));
            prop_assert_eq!(serde_json::from_str::<Value>(&strict).ok(), Some(value));
        }
    }
}
