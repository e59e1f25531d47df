//! JSON text exactly as the plugin writes it: `JSON.stringify(value, null, 2) + "\n"`.
//!
//! serde_json's pretty printer differs from JavaScript in three ways that matter for a
//! byte-identical file: numbers (JavaScript prints `1.0` as `1`, `1e21` as `1e+21` and
//! `1e-7` as `1e-7`), property order (JavaScript objects list array-index keys such as `"7"`
//! first, in ascending order) and nothing else in the escaping (both escape only `"`, `\` and
//! control characters, with lowercase `\u00xx`). This module owns those rules, and the parse
//! side's one subtlety: which parser errors mean "the plugin would fail too".

use serde_json::{Map, Value};

/// Serializes like `JSON.stringify(value, null, 2) + "\n"`.
pub fn to_js_pretty(value: &Value) -> String {
    let mut out = String::with_capacity(256);
    write_value(&mut out, value, 0);
    out.push('\n');
    out
}

/// Serializes like `JSON.stringify(value)` (no whitespace).
pub fn to_js_compact(value: &Value) -> String {
    let mut out = String::with_capacity(128);
    write_compact(&mut out, value);
    out
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn write_value(out: &mut String, value: &Value, level: usize) {
    match value {
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Array(items) => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                indent(out, level + 1);
                write_value(out, item, level + 1);
            }
            out.push('\n');
            indent(out, level);
            out.push(']');
        }
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Object(map) => {
            out.push_str("{\n");
            for (i, (k, v)) in js_entries(map).into_iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                indent(out, level + 1);
                write_string(out, k);
                out.push_str(": ");
                write_value(out, v, level + 1);
            }
            out.push('\n');
            indent(out, level);
            out.push('}');
        }
        other => write_compact(out, other),
    }
}

fn write_compact(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => match n.as_f64() {
            Some(f) => out.push_str(&js_number(f)),
            None => out.push_str("null"),
        },
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_compact(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (k, v)) in js_entries(map).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                write_compact(out, v);
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    // Fast path: skip 32-byte blocks that need no escaping (the check has no early exit, so
    // it vectorizes); tokens are long runs of plain ASCII.
    let needs = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
    let clean = bytes
        .chunks_exact(32)
        .take_while(|c| !c.iter().fold(false, |acc, &b| acc | needs(b)))
        .count()
        * 32;
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate().skip(clean) {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        // Runs between escapes are copied whole; they end on ASCII bytes, so on char
        // boundaries.
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            out.push_str(&format!("\\u{b:04x}"));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Whether `key` is an array index in JavaScript's sense (`"0"`..`"4294967294"`, canonical).
fn array_index(key: &str) -> Option<u32> {
    if key.is_empty() || key.len() > 10 || !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if key.len() > 1 && key.starts_with('0') {
        return None;
    }
    let n: u64 = key.parse().ok()?;
    if n < u64::from(u32::MAX) {
        u32::try_from(n).ok()
    } else {
        None
    }
}

/// The entries of an object in JavaScript property order: array-index keys ascending, then
/// the remaining keys in insertion order.
pub fn js_entries(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut indexed: Vec<(u32, &String, &Value)> = Vec::new();
    let mut named: Vec<(&String, &Value)> = Vec::new();
    for (k, v) in map {
        match array_index(k) {
            Some(i) => indexed.push((i, k, v)),
            None => named.push((k, v)),
        }
    }
    if indexed.is_empty() {
        return named;
    }
    indexed.sort_by_key(|(i, _, _)| *i);
    indexed
        .into_iter()
        .map(|(_, k, v)| (k, v))
        .chain(named)
        .collect()
}

/// JavaScript's `Number.prototype.toString()` for a finite double (`-0` prints as `0`).
pub fn js_number(x: f64) -> String {
    if x == 0.0 {
        return "0".to_string();
    }
    if !x.is_finite() {
        // JSON.stringify writes NaN and ±Infinity as null.
        return "null".to_string();
    }
    // Rust's `{:e}` gives the shortest round-tripping digits, like ECMAScript's algorithm.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = match sci.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (sci.as_str(), 0),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i32;
    let n = exp + 1;
    let mut out = String::new();
    if x < 0.0 {
        out.push('-');
    }
    if k <= n && n <= 21 {
        out.push_str(&digits);
        for _ in 0..(n - k) {
            out.push('0');
        }
    } else if 0 < n && n <= 21 {
        let (a, b) = digits.split_at(n as usize);
        out.push_str(a);
        out.push('.');
        out.push_str(b);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        for _ in 0..(-n) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let e = n - 1;
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push('e');
        out.push(if e >= 0 { '+' } else { '-' });
        out.push_str(&e.abs().to_string());
    }
    out
}

/// A JSON number value for `x` (integers stay integers; non-finite becomes `null`, as
/// `JSON.stringify` would write it).
pub fn number(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9_007_199_254_740_992.0 {
        return Value::from(x as i64);
    }
    serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
}

/// Parser errors that `JSON.parse` would *not* report (deep nesting, lone surrogate escapes,
/// numbers beyond f64): content like this must not be treated as corrupt.
pub fn is_parser_limit(e: &serde_json::Error) -> bool {
    let msg = e.to_string();
    msg.contains("recursion limit exceeded")
        || msg.contains("surrogate")
        || msg.contains("number out of range")
}

/// JavaScript's `typeof`-style name of a JSON value, for messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// JavaScript truthiness of a JSON value.
pub fn truthy(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(_)) | Some(Value::Object(_)) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_print_like_javascript() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (1.5, "1.5"),
            (-2.25, "-2.25"),
            (1_700_000_000_000.0, "1700000000000"),
            (1e21, "1e+21"),
            (1.5e21, "1.5e+21"),
            (123_456_789_012_345_680_000.0, "123456789012345680000"),
            (1e-7, "1e-7"),
            (1.25e-7, "1.25e-7"),
            (0.000001, "0.000001"),
            (0.1, "0.1"),
            (0.1 + 0.2, "0.30000000000000004"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
        ];
        for (x, want) in cases {
            assert_eq!(js_number(*x), *want, "{x:e}");
        }
    }

    #[test]
    fn pretty_matches_json_stringify() {
        let v: Value = serde_json::from_str(
            r#"{"b":1.0,"a":[],"o":{},"l":[1,{"x":"\u0001\"\\\n"}],"10":true,"2":null}"#,
        )
        .expect("json");
        assert_eq!(
            to_js_pretty(&v),
            "{\n  \"2\": null,\n  \"10\": true,\n  \"b\": 1,\n  \"a\": [],\n  \"o\": {},\n  \"l\": [\n    1,\n    {\n      \"x\": \"\\u0001\\\"\\\\\\n\"\n    }\n  ]\n}\n"
        );
        assert_eq!(to_js_compact(&json!({"a": [1, 2.5]})), r#"{"a":[1,2.5]}"#);
    }

    #[test]
    fn array_index_keys() {
        assert_eq!(array_index("0"), Some(0));
        assert_eq!(array_index("01"), None);
        assert_eq!(array_index("4294967294"), Some(4_294_967_294));
        assert_eq!(array_index("4294967295"), None);
        assert_eq!(array_index("-1"), None);
    }

    #[test]
    fn parser_limits_are_not_corruption() {
        let deep = "[".repeat(200) + &"]".repeat(200);
        let e = serde_json::from_str::<Value>(&deep).expect_err("deep");
        assert!(is_parser_limit(&e));
        let e = serde_json::from_str::<Value>("{ bad json").expect_err("bad");
        assert!(!is_parser_limit(&e));
    }
}
