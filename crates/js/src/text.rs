//! JavaScript's string functions the plugin's data depends on: `String.prototype.trim`
//! (JavaScript strips Unicode space separators, line terminators and U+FEFF, but not U+0085,
//! which Rust's `str::trim` handles the other way round) and `encodeURIComponent`.

/// JavaScript's `String.prototype.trim`.
pub fn trim(s: &str) -> &str {
    s.trim_matches(is_js_space)
}

/// `s.trim().toLowerCase()`.
pub fn trim_lower(s: &str) -> String {
    trim(s).to_lowercase()
}

/// JavaScript's `encodeURIComponent`: every UTF-8 byte `%XX`-escaped (upper-case hex) except
/// ASCII letters, digits and `-_.!~*'()`. The plugin encodes identities in `legacy|…`
/// fingerprints with it, and it is how a secret appears in a URL's query.
pub fn encode_uri_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
    out
}

/// JavaScript's WhiteSpace and LineTerminator code points.
pub(crate) fn is_js_space(c: char) -> bool {
    (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_bom_and_separators_but_not_nel() {
        assert_eq!(trim("\u{feff} a \u{85}"), "a \u{85}");
        assert_eq!(trim("\u{2028}\u{3000}\tb\u{a0}\n"), "b");
        assert_eq!(trim("\u{85}"), "\u{85}");
        assert_eq!(trim_lower("  MiXeD "), "mixed");
    }

    /// Values of `encodeURIComponent(...)` in Node.
    #[test]
    fn encode_uri_component_matches_javascript() {
        for (input, js) in [
            ("one@example.com", "one%40example.com"),
            ("a b/c?d=e&f#g", "a%20b%2Fc%3Fd%3De%26f%23g"),
            ("-_.!~*'()", "-_.!~*'()"),
            ("AZaz09", "AZaz09"),
            ("é", "%C3%A9"),
            ("€😀", "%E2%82%AC%F0%9F%98%80"),
            ("+:;,$[]|\"", "%2B%3A%3B%2C%24%5B%5D%7C%22"),
            ("", ""),
        ] {
            assert_eq!(encode_uri_component(input), js, "{input:?}");
        }
    }
}
