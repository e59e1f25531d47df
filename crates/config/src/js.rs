//! JavaScript semantics the plugin's messages depend on.
//!
//! The plugin builds its validation issues with `typeof`, `String(value)`, `JSON.stringify`
//! and `Object.keys`, so matching its text byte for byte means reproducing three JavaScript
//! details here: the type names, the `Number#toString` rendering of numbers, and the property
//! order of objects (integer-like keys first, ascending, then the rest in insertion order).

use serde_json::{Map, Value};

/// `Array.isArray(v) ? "array" : v === null ? "null" : typeof v`.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The plugin's value preview: a JSON-quoted string, a number or boolean literal, `null`,
/// `array(N)`, `object(k1, k2, k3)` (the first three keys in JavaScript order) or `object`.
pub(crate) fn preview(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => number_to_string(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => quote(s),
        Value::Array(items) => format!("array({})", items.len()),
        Value::Object(map) => {
            let keys: Vec<&str> = entries(map).into_iter().take(3).map(|(k, _)| k).collect();
            if keys.is_empty() {
                "object".to_string()
            } else {
                format!("object({})", keys.join(", "))
            }
        }
    }
}

/// `JSON.stringify` of a string (serde_json escapes exactly the same characters).
pub(crate) fn quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// An object's entries in the order `Object.entries` returns them.
pub(crate) fn entries(map: &Map<String, Value>) -> Vec<(&str, &Value)> {
    let mut indexed: Vec<(u32, &str, &Value)> = Vec::new();
    let mut named: Vec<(&str, &Value)> = Vec::new();
    for (k, v) in map {
        match array_index(k) {
            Some(i) => indexed.push((i, k.as_str(), v)),
            None => named.push((k.as_str(), v)),
        }
    }
    indexed.sort_by_key(|(i, _, _)| *i);
    indexed
        .into_iter()
        .map(|(_, k, v)| (k, v))
        .chain(named)
        .collect()
}

/// A canonical array index (`0` … `4294967294`), which JavaScript orders before other keys.
fn array_index(key: &str) -> Option<u32> {
    if key.is_empty() || (key.len() > 1 && key.starts_with('0')) {
        return None;
    }
    if !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse::<u32>().ok().filter(|i| *i != u32::MAX)
}

/// `String.prototype.trim` followed by `toLowerCase`: JavaScript trims U+FEFF but not U+0085,
/// which Rust's `str::trim` handles the other way round.
pub(crate) fn trim_lower(s: &str) -> String {
    s.trim_matches(|c: char| (c.is_whitespace() && c != '\u{85}') || c == '\u{feff}')
        .to_lowercase()
}

/// `String(n)` for a JavaScript number (ECMAScript `Number::toString`, radix 10).
pub(crate) fn number_to_string(n: f64) -> String {
    if n.is_nan() {
        return "NaN".to_string();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if n == 0.0 {
        return "0".to_string();
    }
    let sign = if n < 0.0 { "-" } else { "" };
    // Rust's `{:e}` prints the shortest digits that round-trip, as JavaScript does.
    let sci = format!("{:e}", n.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exponent: i64 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i64;
    let point = exponent + 1;
    let body = if k <= point && point <= 21 {
        format!("{digits}{}", "0".repeat((point - k) as usize))
    } else if 0 < point && point <= 21 {
        let (int, frac) = digits.split_at(point as usize);
        format!("{int}.{frac}")
    } else if -6 < point && point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else {
        let e = point - 1;
        let e_sign = if e >= 0 { '+' } else { '-' };
        let (first, rest) = digits.split_at(1);
        if rest.is_empty() {
            format!("{first}e{e_sign}{}", e.abs())
        } else {
            format!("{first}.{rest}e{e_sign}{}", e.abs())
        }
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_render_like_javascript() {
        let cases = [
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (123.0, "123"),
            (1.5, "1.5"),
            (-2.25, "-2.25"),
            (0.1, "0.1"),
            (0.000001, "0.000001"),
            (0.0000001, "1e-7"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123456789012345680000.0, "123456789012345680000"),
            (1.2345e22, "1.2345e+22"),
            (2.5e-10, "2.5e-10"),
            (f64::INFINITY, "Infinity"),
        ];
        for (n, want) in cases {
            assert_eq!(number_to_string(n), want, "{n}");
        }
    }

    #[test]
    fn trims_like_javascript() {
        assert_eq!(trim_lower("\u{feff} Codex\u{3000}\n"), "codex");
        assert_eq!(trim_lower("\u{85}x"), "\u{85}x");
    }

    #[test]
    fn previews() {
        assert_eq!(preview(&json!("a\"b")), "\"a\\\"b\"");
        assert_eq!(preview(&json!(123)), "123");
        assert_eq!(preview(&json!(60000.0)), "60000");
        assert_eq!(preview(&json!(true)), "true");
        assert_eq!(preview(&json!(null)), "null");
        assert_eq!(preview(&json!([1, 2])), "array(2)");
        assert_eq!(preview(&json!({})), "object");
        assert_eq!(
            preview(&json!({"b": 1, "a": 2, "c": 3, "d": 4})),
            "object(b, a, c)"
        );
        assert_eq!(
            preview(&json!({"b": 1, "10": 2, "2": 3})),
            "object(2, 10, b)"
        );
    }

    #[test]
    fn integer_like_keys_come_first() {
        let v = json!({"x": 1, "01": 2, "7": 3, "4294967295": 4, "0": 5});
        let Value::Object(map) = v else {
            panic!("object")
        };
        let keys: Vec<&str> = entries(&map).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["0", "7", "x", "01", "4294967295"]);
    }
}
