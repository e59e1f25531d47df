//! The decoded view of a line: JSON escapes that hide characters are undone where safe.
//!
//! A secret can be split by JSON escapes (`alice\u0040example.com`, `https:\/\/…`), also one
//! level deeper inside a JSON string that holds JSON (`\\u0040`). [`decode_into`] rewrites
//! `\uXXXX` for printable ASCII other than `"` and `\`, and `\/`, so the detectors see the
//! characters. The rewrite keeps every JSON document valid and equal in meaning, so the
//! decoded line is also what the redactor writes out.

/// Whether `line` has anything [`decode_into`] would change.
pub(crate) fn needs_decoding(line: &[u8]) -> bool {
    memchr::memchr(b'\\', line).is_some()
}

fn hex_val(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'a'..=b'f' => Some(u32::from(c - b'a' + 10)),
        b'A'..=b'F' => Some(u32::from(c - b'A' + 10)),
        _ => None,
    }
}

/// Writes the decoded view of `line` into `out` (cleared first).
pub(crate) fn decode_into(line: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.reserve(line.len());
    let mut i = 0;
    while i < line.len() {
        let Some(off) = memchr::memchr(b'\\', &line[i..]) else {
            out.extend_from_slice(&line[i..]);
            return;
        };
        out.extend_from_slice(&line[i..i + off]);
        i += off;
        // A run of backslashes, then what it escapes.
        let run = line[i..].iter().take_while(|&&c| c == b'\\').count();
        let after = i + run;
        // How many trailing backslashes form the escape: one at this level, or two when the
        // escape belongs to a JSON string nested in a JSON string.
        let k = if run % 2 == 1 { 1 } else { 2 };
        let decoded = match line.get(after) {
            Some(b'/') if run <= 2 => Some((b'/', 1)),
            Some(b'u') if line.len() >= after + 5 => {
                let h = &line[after + 1..after + 5];
                let cp = h
                    .iter()
                    .try_fold(0u32, |acc, &c| hex_val(c).map(|v| acc * 16 + v));
                match cp {
                    Some(cp) if (0x20..0x7f).contains(&cp) && cp != 0x22 && cp != 0x5c => {
                        Some((cp as u8, 5))
                    }
                    _ => None,
                }
            }
            _ => None,
        };
        match decoded {
            Some((c, len)) if run >= k => {
                out.extend_from_slice(&line[i..after - k]);
                out.push(c);
                i = after + len;
            }
            _ => {
                out.extend_from_slice(&line[i..after]);
                i = after;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> String {
        let mut out = Vec::new();
        decode_into(s.as_bytes(), &mut out);
        String::from_utf8(out).expect("utf8")
    }

    #[test]
    fn safe_escapes_are_decoded() {
        assert_eq!(d(r#""a\u0040b.com""#), r#""a@b.com""#);
        assert_eq!(d(r#""https:\/\/x\/y""#), r#""https://x/y""#);
        assert_eq!(d(r#"{\"e\":\"a\\u0040b.com\"}"#), r#"{\"e\":\"a@b.com\"}"#);
        assert_eq!(d(r#""q\u0022x\u005c\u00e9""#), r#""q\u0022x\u005c\u00e9""#);
        assert_eq!(d(r#""a\\b\n""#), r#""a\\b\n""#);
        assert_eq!(d(r"\u00"), r"\u00");
        assert_eq!(d(r"x\"), r"x\");
        assert_eq!(d(r"\U0041"), r"\U0041");
    }
}
