//! JavaScript semantics the plugin's messages depend on.
//!
//! The plugin builds its validation issues with `typeof`, `String(value)`, `JSON.stringify`
//! and `Object.keys`; this module renders values the way those messages show them, on top of
//! the JavaScript semantics in `codex_js` (type names, number printing, property order).

use serde_json::Value;

/// The plugin's value preview: a JSON-quoted string, a number or boolean literal, `null`,
/// `array(N)`, `object(k1, k2, k3)` (the first three keys in JavaScript order) or `object`.
pub(crate) fn preview(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => codex_js::number_to_string(n.as_f64().unwrap_or(f64::NAN)),
        Value::String(s) => quote(s),
        Value::Array(items) => format!("array({})", items.len()),
        Value::Object(map) => {
            let keys: Vec<&str> = codex_js::entries(map)
                .into_iter()
                .take(3)
                .map(|(k, _)| k.as_str())
                .collect();
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
