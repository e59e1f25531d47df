//! Numbers as JavaScript reads and prints them: `Number(text)` (ECMAScript StringToNumber) and
//! `Number.prototype.toString()` (radix 10).

use crate::text::is_js_space;

/// JavaScript's `Number(text)`: `None` where JavaScript gives `NaN`.
///
/// The text is trimmed as `String#trim` trims; blank text is `0` (as in JavaScript: callers
/// that treat blank as unset, like the plugin's environment parser, check for it themselves);
/// `Infinity` with an optional sign, `0x`/`0o`/`0b` integers without a sign, and decimal
/// literals with an optional sign, fraction and exponent are numbers; anything else (`inf`,
/// `NaN`, `1_000`, `12px`) is not.
pub fn number(text: &str) -> Option<f64> {
    // Plain digits (rate-limit headers of every response): an integer small enough to be
    // exact as an `f64`, as the general path below reads it.
    if !text.is_empty() && text.len() <= 15 && text.bytes().all(|b| b.is_ascii_digit()) {
        return Some(text.bytes().fold(0u64, |n, b| n * 10 + u64::from(b - b'0')) as f64);
    }
    let t = text.trim_matches(is_js_space);
    if t.is_empty() {
        return Some(0.0);
    }
    let (sign, unsigned) = match t.as_bytes()[0] {
        b'+' => (1.0, &t[1..]),
        b'-' => (-1.0, &t[1..]),
        _ => (1.0, t),
    };
    if unsigned == "Infinity" {
        return Some(sign * f64::INFINITY);
    }
    if unsigned.len() == t.len() {
        if let Some(v) = radix_integer(t) {
            return v;
        }
    }
    decimal_literal(unsigned)
        .then(|| t.parse::<f64>().ok())
        .flatten()
}

/// `0x…`, `0o…`, `0b…`: `Some(Some(v))` when `t` has such a prefix and valid digits,
/// `Some(None)` for a prefix with bad or no digits, `None` without a prefix.
fn radix_integer(t: &str) -> Option<Option<f64>> {
    let b = t.as_bytes();
    if b.len() < 2 || b[0] != b'0' {
        return None;
    }
    let radix = match b[1] {
        b'x' | b'X' => 16,
        b'o' | b'O' => 8,
        b'b' | b'B' => 2,
        _ => return None,
    };
    let digits = &t[2..];
    if digits.is_empty() {
        return Some(None);
    }
    let mut v = 0.0f64;
    for c in digits.chars() {
        match c.to_digit(radix) {
            Some(d) => v = v * f64::from(radix) + f64::from(d),
            None => return Some(None),
        }
    }
    Some(Some(v))
}

/// StrUnsignedDecimalLiteral without `Infinity`: digits, an optional `.` and fraction (at least
/// one digit on either side), an optional exponent with an optional sign.
fn decimal_literal(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp_digits == 0 {
            return false;
        }
        i += exp_digits;
    }
    i == b.len()
}

/// JavaScript's `Number.prototype.toString()` (radix 10): `NaN`, `Infinity`, `-Infinity`,
/// `0` for both zeros, plain digits for exponents up to 21, else `d.ddde±n`.
pub fn number_to_string(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_string();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    // Rust's `{:e}` prints the shortest digits that round-trip, as ECMAScript's algorithm does.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = match sci.split_once('e') {
        Some((m, e)) => (m, e.parse::<i32>().unwrap_or(0)),
        None => (sci.as_str(), 0),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i32;
    let n = exp + 1;
    let mut out = String::with_capacity(digits.len() + 8);
    if x < 0.0 {
        out.push('-');
    }
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        let (a, b) = digits.split_at(n as usize);
        out.push_str(a);
        out.push('.');
        out.push_str(b);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-n) as usize));
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn plain_digits_read_as_the_general_path_reads_them(t in "[0-9]{1,17}") {
            let general = decimal_literal(&t).then(|| t.parse::<f64>().ok()).flatten();
            prop_assert_eq!(number(&t), general);
        }
    }

    #[test]
    fn reads_strings_as_javascripts_number_does() {
        // Expected values are what `Number(x)` gives in Node.
        let cases: &[(&str, Option<f64>)] = &[
            ("", Some(0.0)),
            ("   ", Some(0.0)),
            ("\u{feff}12\n", Some(12.0)),
            ("\u{85}12", None),
            ("42", Some(42.0)),
            ("+5", Some(5.0)),
            ("-5.5", Some(-5.5)),
            (".5", Some(0.5)),
            ("5.", Some(5.0)),
            (".", None),
            ("1e3", Some(1000.0)),
            ("1E-2", Some(0.01)),
            ("1e", None),
            ("e5", None),
            ("0x1A", Some(26.0)),
            ("0X1a", Some(26.0)),
            ("0o17", Some(15.0)),
            ("0b101", Some(5.0)),
            ("-0x10", None),
            ("0x", None),
            ("0xg", None),
            ("Infinity", Some(f64::INFINITY)),
            ("-Infinity", Some(f64::NEG_INFINITY)),
            ("infinity", None),
            ("inf", None),
            ("NaN", None),
            ("1_000", None),
            ("12px", None),
            ("1 2", None),
            ("007", Some(7.0)),
        ];
        for (text, want) in cases {
            assert_eq!(number(text), *want, "Number({text:?})");
        }
    }

    #[test]
    fn prints_numbers_as_javascript_does() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-1.5, "-1.5"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123456789012345680000.0, "123456789012345680000"),
            (0.000001, "0.000001"),
            (0.0000001, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (1770000000000.0, "1770000000000"),
            (0.1 + 0.2, "0.30000000000000004"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for (x, want) in cases {
            assert_eq!(number_to_string(*x), *want, "{x:e}");
        }
    }

    proptest! {
        #[test]
        fn printed_finite_numbers_read_back_exactly(x in any::<f64>().prop_filter("finite", |x| x.is_finite())) {
            let printed = number_to_string(x);
            let back = number(&printed).expect("a printed number reads back");
            prop_assert!(back == x || (x == 0.0 && back == 0.0), "{x:e} -> {printed} -> {back:e}");
        }
    }
}
