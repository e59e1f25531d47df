//! `String.prototype.trim`: JavaScript strips Unicode space separators, line terminators and
//! U+FEFF, but not U+0085, which Rust's `str::trim` handles the other way round.

/// JavaScript's `String.prototype.trim`.
pub fn trim(s: &str) -> &str {
    s.trim_matches(is_js_space)
}

/// `s.trim().toLowerCase()`.
pub fn trim_lower(s: &str) -> String {
    trim(s).to_lowercase()
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
}
