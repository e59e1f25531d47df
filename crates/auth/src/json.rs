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

/// Where JSON text goes: a `String`, or a [`Compare`] against text that already exists.
pub(crate) trait Text {
    /// Appends `s`.
    fn push_str(&mut self, s: &str);

    /// Appends `c`.
    fn push(&mut self, c: char);

    /// Room for `n` more bytes (a hint).
    fn reserve(&mut self, _n: usize) {}

    /// Whether what follows can still matter (false once a comparison has failed, so the
    /// writers can skip work).
    fn open(&self) -> bool {
        true
    }
}

impl Text for String {
    fn push_str(&mut self, s: &str) {
        String::push_str(self, s);
    }

    fn push(&mut self, c: char) {
        String::push(self, c);
    }

    fn reserve(&mut self, n: usize) {
        String::reserve(self, n);
    }
}

/// Compares the text written to it with `expected`, stopping at the first difference:
/// "would this serialize to exactly these bytes" without building a second text.
pub(crate) struct Compare<'a> {
    rest: &'a [u8],
    equal: bool,
}

impl<'a> Compare<'a> {
    /// A comparison against `expected`.
    pub(crate) fn new(expected: &'a str) -> Self {
        Compare {
            rest: expected.as_bytes(),
            equal: true,
        }
    }

    /// Whether the text written equals all of `expected`.
    pub(crate) fn matched(&self) -> bool {
        self.equal && self.rest.is_empty()
    }
}

impl Text for Compare<'_> {
    fn push_str(&mut self, s: &str) {
        if !self.equal {
            return;
        }
        match self.rest.strip_prefix(s.as_bytes()) {
            Some(rest) => self.rest = rest,
            None => self.equal = false,
        }
    }

    fn push(&mut self, c: char) {
        self.push_str(c.encode_utf8(&mut [0; 4]));
    }

    fn open(&self) -> bool {
        self.equal
    }
}

const INDENT: &str = "                                                                ";

fn indent(out: &mut impl Text, level: usize) {
    let mut n = level * 2;
    while n > 0 {
        let k = n.min(INDENT.len());
        out.push_str(&INDENT[..k]);
        n -= k;
    }
}

/// An object or array being written with two-space indentation. It opens lazily, so a
/// container that gets no member prints as `{}` / `[]`, as `JSON.stringify` does; the typed
/// writers in [`crate::state`] use it too, so both paths share one set of rules.
pub(crate) struct Pretty {
    level: usize,
    open: char,
    close: char,
    empty: bool,
}

impl Pretty {
    /// An object at nesting `level`.
    pub(crate) fn object(level: usize) -> Self {
        Pretty {
            level,
            open: '{',
            close: '}',
            empty: true,
        }
    }

    /// An object at nesting `level` whose first members were written already.
    pub(crate) fn continued_object(level: usize) -> Self {
        Pretty {
            empty: false,
            ..Pretty::object(level)
        }
    }

    /// An array at nesting `level`.
    pub(crate) fn array(level: usize) -> Self {
        Pretty {
            level,
            open: '[',
            close: ']',
            empty: true,
        }
    }

    /// The level of the members' values.
    pub(crate) fn inner(&self) -> usize {
        self.level + 1
    }

    /// Starts an array element.
    pub(crate) fn item(&mut self, out: &mut impl Text) {
        if self.empty {
            out.push(self.open);
            self.empty = false;
        } else {
            out.push(',');
        }
        out.push('\n');
        indent(out, self.level + 1);
    }

    /// Starts an object member: writes `"key": `.
    pub(crate) fn key(&mut self, out: &mut impl Text, key: &str) {
        self.item(out);
        write_string(out, key);
        out.push_str(": ");
    }

    /// Closes the container.
    pub(crate) fn end(self, out: &mut impl Text) {
        if self.empty {
            out.push(self.open);
        } else {
            out.push('\n');
            indent(out, self.level);
        }
        out.push(self.close);
    }
}

/// Writes `value` pretty-printed at nesting `level`.
pub(crate) fn write_value(out: &mut impl Text, value: &Value, level: usize) {
    match value {
        Value::Array(items) => {
            let mut arr = Pretty::array(level);
            for item in items {
                arr.item(out);
                write_value(out, item, arr.inner());
            }
            arr.end(out);
        }
        Value::Object(map) => {
            let mut obj = Pretty::object(level);
            for_each_js_entry(map, |k, v| {
                obj.key(out, k);
                write_value(out, v, obj.inner());
            });
            obj.end(out);
        }
        other => write_compact(out, other),
    }
}

fn write_compact(out: &mut impl Text, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, n),
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
            let mut first = true;
            for_each_js_entry(map, |k, v| {
                if !first {
                    out.push(',');
                }
                first = false;
                write_string(out, k);
                out.push(':');
                write_compact(out, v);
            });
            out.push('}');
        }
    }
}

/// Integers up to 2^53 print as their digits in JavaScript; this is the common case
/// (`expires`, `lastUsed`), so it skips the general float formatting.
const SAFE_INTEGER: u64 = 1 << 53;

/// A JSON number as JavaScript prints it.
fn write_number(out: &mut impl Text, n: &serde_json::Number) {
    if let Some(u) = n.as_u64().filter(|u| *u < SAFE_INTEGER) {
        write_integer(out, false, u);
    } else if let Some(i) = n.as_i64().filter(|i| i.unsigned_abs() < SAFE_INTEGER) {
        write_integer(out, i < 0, i.unsigned_abs());
    } else {
        match n.as_f64() {
            Some(f) => out.push_str(&js_number(f)),
            None => out.push_str("null"),
        }
    }
}

fn write_integer(out: &mut impl Text, negative: bool, mut n: u64) {
    if n == 0 {
        // `-0` prints as `0`.
        out.push('0');
        return;
    }
    if negative {
        out.push('-');
    }
    let mut buf = [0u8; 20];
    let mut at = buf.len();
    while n > 0 {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    for &d in &buf[at..] {
        out.push(char::from(d));
    }
}

/// What each ASCII byte becomes inside a JSON string: 0 = itself, `u` = `\u00xx`, else the
/// letter after the backslash.
const ESCAPE: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 0x20 {
        t[i] = b'u';
        i += 1;
    }
    t[0x08] = b'b';
    t[0x0c] = b'f';
    t[b'\n' as usize] = b'n';
    t[b'\r' as usize] = b'r';
    t[b'\t' as usize] = b't';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

/// Writes `s` as a JSON string literal, escaping like `JSON.stringify`: `"`, `\` and control
/// characters only, with lowercase `\u00xx`.
pub(crate) fn write_string(out: &mut impl Text, s: &str) {
    if !out.open() {
        return;
    }
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    // Tokens are long runs of plain ASCII: find the next byte needing an escape a block at a
    // time, then copy the clean run in one go.
    while let Some(i) = next_escape(bytes, start) {
        out.push_str(&s[start..i]);
        let b = bytes[i];
        match ESCAPE[usize::from(b)] {
            b'u' => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
            c => {
                out.push('\\');
                out.push(char::from(c));
            }
        }
        // The escaped byte is ASCII, so `i + 1` is a char boundary.
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Index of the first byte at or after `from` that needs an escape (`< 0x20`, `"`, `\\`).
fn next_escape(bytes: &[u8], from: usize) -> Option<usize> {
    let needs = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
    let mut i = from;
    // Whole 32-byte blocks first: the test has no early exit, so it vectorizes.
    while let Some(block) = bytes.get(i..i + 32) {
        if block.iter().fold(false, |acc, &b| acc | needs(b)) {
            break;
        }
        i += 32;
    }
    bytes[i..].iter().position(|&b| needs(b)).map(|p| i + p)
}

/// The entries of an object in JavaScript property order (`codex_js::entries`).
pub fn js_entries(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    codex_js::entries(map)
}

/// Calls `f` on the entries of an object in JavaScript property order, without collecting
/// them when no key can be an array index (the usual case).
pub(crate) fn for_each_js_entry<'a>(
    map: &'a Map<String, Value>,
    mut f: impl FnMut(&'a String, &'a Value),
) {
    if !map.keys().any(|k| codex_js::may_be_index(k)) {
        map.iter().for_each(|(k, v)| f(k, v));
        return;
    }
    codex_js::in_js_order(map.iter(), |(k, _)| k.as_str(), |(k, v)| f(k, v));
}

/// A number as `JSON.stringify` writes it: `Number.prototype.toString()` for finite values
/// (`codex_js::number_to_string`), `null` for NaN and ±Infinity.
pub fn js_number(x: f64) -> String {
    if x.is_finite() {
        codex_js::number_to_string(x)
    } else {
        "null".to_string()
    }
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

/// The JavaScript type name of a JSON value (`typeof`, with `array` and `null`).
pub use codex_js::type_name;

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
    }

    #[test]
    fn compare_needs_the_whole_text() {
        let written = |expected: &str, parts: &[&str]| {
            let mut c = Compare::new(expected);
            for p in parts {
                c.push_str(p);
            }
            c.matched()
        };
        assert!(written("{\n}", &["{", "\n", "}"]));
        assert!(written("", &[]));
        assert!(!written("{\n}", &["{", "\n"]), "a prefix is not a match");
        assert!(!written("{", &["{", "}"]), "neither is a longer text");
        assert!(!written("ab", &["b", "a"]));
        let mut c = Compare::new("ab");
        c.push('x');
        assert!(!c.open(), "a difference closes the comparison");
        c.push_str("ab");
        assert!(!c.matched());
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
