//! The plugin's JSONC comment stripper, reproduced exactly.
//!
//! `codex-config.jsonc` (and the legacy `codex-config.json`) are read by removing comments in
//! one pass and handing the rest to `JSON.parse` (reference 2.1). The rules are deliberately
//! small and are not JSON5: inside a double-quoted string (backslash escapes honoured) nothing
//! is removed; `//` removes up to, not including, the next `\n` or `\r`; `/* … */` is removed
//! but the newline characters inside it are kept; an unterminated block comment swallows the
//! rest of the input; a trailing comma stays a syntax error.
//!
//! [`strip_comments`] is what the plugin parses. [`blank_comments`] applies the same pass but
//! replaces each removed character with a space, so the text keeps the original line and
//! column of every character and a parse error can be reported where the user will find it.

/// Where the scanner is.
#[derive(Clone, Copy)]
enum State {
    Code,
    String { escaped: bool },
    LineComment,
    BlockComment,
}

/// Runs the plugin's single pass, calling `emit(ch, kept)` for every input character;
/// `kept` is false for characters the plugin removes.
fn scan(src: &str, mut emit: impl FnMut(char, bool)) {
    let mut chars = src.chars().peekable();
    let mut state = State::Code;
    while let Some(ch) = chars.next() {
        state = match state {
            State::LineComment => {
                if ch == '\n' || ch == '\r' {
                    emit(ch, true);
                    State::Code
                } else {
                    emit(ch, false);
                    State::LineComment
                }
            }
            State::BlockComment => {
                if ch == '*' && chars.peek() == Some(&'/') {
                    chars.next();
                    emit('*', false);
                    emit('/', false);
                    State::Code
                } else {
                    emit(ch, ch == '\n' || ch == '\r');
                    State::BlockComment
                }
            }
            State::String { escaped } => {
                emit(ch, true);
                if escaped {
                    State::String { escaped: false }
                } else if ch == '\\' {
                    State::String { escaped: true }
                } else if ch == '"' {
                    State::Code
                } else {
                    State::String { escaped: false }
                }
            }
            State::Code => match (ch, chars.peek()) {
                ('"', _) => {
                    emit(ch, true);
                    State::String { escaped: false }
                }
                ('/', Some('/')) => {
                    chars.next();
                    emit('/', false);
                    emit('/', false);
                    State::LineComment
                }
                ('/', Some('*')) => {
                    chars.next();
                    emit('/', false);
                    emit('*', false);
                    State::BlockComment
                }
                _ => {
                    emit(ch, true);
                    State::Code
                }
            },
        };
    }
}

/// Removes comments exactly as the plugin does before `JSON.parse`.
pub fn strip_comments(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    scan(src, |ch, kept| {
        if kept {
            out.push(ch);
        }
    });
    out
}

/// Replaces every character [`strip_comments`] would remove with a space, keeping `\n` and
/// `\r`, so line and column numbers (in characters) match the original text.
///
/// Wherever the result parses, it parses to the same value as [`strip_comments`]' output,
/// and wherever stripping yields a syntax error, so does blanking. The converse does not
/// hold: stripping can join two tokens that a comment separated (`1/**/2` strips to `12`),
/// which blanking keeps apart (`1    2`), so use [`strip_comments`] for the value and this
/// function only for error positions.
pub fn blank_comments(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    scan(src, |ch, kept| out.push(if kept { ch } else { ' ' }));
    out
}

/// [`blank_comments`] with each removed character widened to its UTF-8 length, so every kept
/// byte stays at its byte offset: offsets found in the result index the original text.
pub fn blank_comments_bytes(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    scan(src, |ch, kept| {
        if kept {
            out.push(ch);
        } else {
            out.extend(std::iter::repeat_n(' ', ch.len_utf8()));
        }
    });
    out
}

/// Byte offsets of the trailing commas in comment-free text: commas outside strings whose
/// next non-whitespace byte is `]` or `}`. OpenCode's reader accepts them; `JSON.parse` (the
/// plugin's and its installer's) does not. Scanning stops at an unterminated string.
pub fn trailing_commas(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                loop {
                    match b.get(i) {
                        None => return out,
                        Some(b'\\') => i += 2,
                        Some(b'"') => break,
                        Some(_) => i += 1,
                    }
                }
            }
            b',' => {
                let next = b[i + 1..].iter().find(|c| !c.is_ascii_whitespace());
                if matches!(next, Some(b']' | b'}')) {
                    out.push(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// `text` with every [`trailing_commas`] comma replaced by a space (positions kept).
pub fn blank_trailing_commas(text: &str) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for i in trailing_commas(text) {
        bytes[i] = b' ';
    }
    // Only ASCII commas were replaced by ASCII spaces.
    String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(src: &str) -> (String, String) {
        (strip_comments(src), blank_comments(src))
    }

    #[test]
    fn line_comment_stops_before_newline() {
        let (s, b) = both("{\"a\": 1 // one\n}");
        assert_eq!(s, "{\"a\": 1 \n}");
        assert_eq!(b, "{\"a\": 1       \n}");
    }

    #[test]
    fn line_comment_stops_before_carriage_return() {
        assert_eq!(strip_comments("1 // x\r\n"), "1 \r\n");
        assert_eq!(strip_comments("1 // x\r2"), "1 \r2");
        assert_eq!(blank_comments("1 // x\r2"), "1     \r2");
    }

    #[test]
    fn block_comment_keeps_its_newlines() {
        let (s, b) = both("[1, /* a\nb\r\nc */ 2]");
        assert_eq!(s, "[1, \n\r\n 2]");
        assert_eq!(b, "[1,     \n \r\n     2]");
    }

    #[test]
    fn unterminated_block_comment_swallows_the_rest() {
        assert_eq!(strip_comments("{} /* open\n \"x\": 1"), "{} \n");
        assert_eq!(strip_comments("{}/*/"), "{}");
        assert_eq!(strip_comments("{}/"), "{}/");
    }

    #[test]
    fn block_comment_closes_at_first_star_slash() {
        assert_eq!(strip_comments("1/* a **/2"), "12");
        assert_eq!(strip_comments("1/* */ */"), "1 */");
    }

    #[test]
    fn markers_inside_strings_are_kept() {
        let src = r#"{"url": "https://example.com/a//b", "c": "/* not */", "d": "// no"}"#;
        assert_eq!(strip_comments(src), src);
        assert_eq!(blank_comments(src), src);
    }

    #[test]
    fn escaped_quotes_do_not_end_strings() {
        let src = r#"{"a": "say \"// hi\" /* x */", "b": "\\"} // tail"#;
        assert_eq!(
            strip_comments(src),
            r#"{"a": "say \"// hi\" /* x */", "b": "\\"} "#
        );
    }

    #[test]
    fn escaped_backslash_before_quote_ends_the_string() {
        // "\\" is a complete string, so the following // is a comment.
        assert_eq!(strip_comments(r#"["\\"// c"#), r#"["\\""#);
    }

    #[test]
    fn unterminated_string_keeps_everything() {
        let src = "{\"a\": \"open // not a comment";
        assert_eq!(strip_comments(src), src);
    }

    #[test]
    fn trailing_commas_are_not_tolerated() {
        let stripped = strip_comments("{\"a\": 1, // c\n}");
        assert!(serde_json::from_str::<serde_json::Value>(&stripped).is_err());
    }

    #[test]
    fn stripping_can_join_tokens_that_blanking_keeps_apart() {
        assert_eq!(strip_comments("[1/**/2]"), "[12]");
        assert!(serde_json::from_str::<serde_json::Value>(&strip_comments("[1/**/2]")).is_ok());
        assert!(serde_json::from_str::<serde_json::Value>(&blank_comments("[1/**/2]")).is_err());
    }

    #[test]
    fn trailing_commas_outside_strings_only() {
        let t = r#"{"a": [1, 2 , ], "b,}": "x\\", "c": {"d": 1,
        },}"#;
        let commas = trailing_commas(t);
        assert_eq!(commas.len(), 3, "{commas:?}");
        assert!(commas.iter().all(|&i| &t[i..i + 1] == ","));
        let v: serde_json::Value = serde_json::from_str(&blank_trailing_commas(t)).unwrap();
        assert_eq!(v["b,}"], "x\\");
        assert_eq!(
            trailing_commas(r#"{"a": "unterminated, ]"#),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn byte_blanking_keeps_byte_offsets() {
        let src = "{/* é€ */\"a\": 1} // ✓\n";
        let b = blank_comments_bytes(src);
        assert_eq!(b.len(), src.len());
        assert_eq!(b.find("\"a\""), src.find("\"a\""));
        let comment = "/* é€ */".len();
        let tail = " // ✓".len();
        assert_eq!(
            b,
            format!("{{{}\"a\": 1}}{}\n", " ".repeat(comment), " ".repeat(tail))
        );
    }

    #[test]
    fn blank_preserves_character_positions() {
        let src = "{ /* ü → */ \"a\": 1 // ☃\n}";
        let b = blank_comments(src);
        assert_eq!(b.chars().count(), src.chars().count());
        assert_eq!(b, "{           \"a\": 1     \n}");
    }
}
