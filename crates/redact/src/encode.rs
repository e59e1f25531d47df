//! `encodeURIComponent`: how the plugin encodes identities in fingerprints, and how a secret
//! appears inside a URL (the redaction engine looks for known values in this form too).

/// JavaScript's `encodeURIComponent`.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_javascript() {
        assert_eq!(encode_uri_component("a b/c+d"), "a%20b%2Fc%2Bd");
        assert_eq!(encode_uri_component("u@x.io|plus"), "u%40x.io%7Cplus");
        assert_eq!(encode_uri_component("-_.!~*'()"), "-_.!~*'()");
    }
}
