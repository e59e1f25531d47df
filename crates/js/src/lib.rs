//! The JavaScript semantics the plugin's files and messages depend on, in one place.
//!
//! The plugin is TypeScript, so staying byte-compatible with it means reproducing a few
//! JavaScript details exactly: how `Number(text)` reads a string ([`number`]), how a number
//! prints (`Number.prototype.toString`, [`number_to_string`]), the `typeof`-style type names
//! its messages use ([`type_name`]), the order `Object.entries` visits properties
//! ([`entries`], [`in_js_order`]), what `String.prototype.trim` removes ([`trim`]) and how
//! `encodeURIComponent` escapes ([`encode_uri_component`]).
//! Every crate calls these; none keeps its own copy.

#![warn(unreachable_pub)]

mod number;
mod order;
mod text;

pub use number::{number, number_to_string};
pub use order::{array_index, entries, in_js_order, may_be_index};
pub use text::{encode_uri_component, trim, trim_lower};

use serde_json::Value;

/// `Array.isArray(v) ? "array" : v === null ? "null" : typeof v`, the type names the plugin's
/// validation messages use.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn type_names_match_the_plugins_typeof_with_array_and_null() {
        let cases = [
            (json!(null), "null"),
            (json!(true), "boolean"),
            (json!(1.5), "number"),
            (json!("x"), "string"),
            (json!([1]), "array"),
            (json!({"a": 1}), "object"),
        ];
        for (v, want) in cases {
            assert_eq!(type_name(&v), want, "{v}");
        }
    }
}
