//! `Object.entries` order: keys that are canonical array indices (`"0"` … `"4294967294"`)
//! first, ascending, then every other key in insertion order. `JSON.stringify` and the
//! plugin's messages both follow it, so the store's serializer and the config validator do too.

use serde_json::{Map, Value};

/// A canonical array index in JavaScript's sense, which JavaScript orders before other keys.
pub fn array_index(key: &str) -> Option<u32> {
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

/// Whether `key` could be an array index: a cheap pre-check that lets callers skip the
/// reordering when no key starts with a digit (the usual case).
pub fn may_be_index(key: &str) -> bool {
    key.as_bytes().first().is_some_and(u8::is_ascii_digit)
}

/// An object's entries in the order `Object.entries` returns them.
pub fn entries(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut out = Vec::with_capacity(map.len());
    if !map.keys().any(|k| may_be_index(k)) {
        out.extend(map.iter());
        return out;
    }
    in_js_order(map.iter(), |(k, _)| k.as_str(), |e| out.push(e));
    out
}

/// Visits `items` in JavaScript property order by their `key`.
pub fn in_js_order<T>(items: impl Iterator<Item = T>, key: impl Fn(&T) -> &str, f: impl FnMut(T)) {
    let mut indexed: Vec<(u32, T)> = Vec::new();
    let mut named: Vec<T> = Vec::new();
    for item in items {
        match array_index(key(&item)) {
            Some(i) => indexed.push((i, item)),
            None => named.push(item),
        }
    }
    indexed.sort_by_key(|(i, _)| *i);
    indexed.into_iter().map(|(_, t)| t).chain(named).for_each(f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn indices_come_first_ascending_then_insertion_order() {
        let v = json!({"b": 1, "10": 2, "a": 3, "2": 4, "01": 5, "4294967295": 6, "4294967294": 7});
        let Value::Object(m) = v else { unreachable!() };
        let keys: Vec<&str> = entries(&m).into_iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            ["2", "10", "4294967294", "b", "a", "01", "4294967295"]
        );
    }

    #[test]
    fn canonical_indices_only() {
        assert_eq!(array_index("0"), Some(0));
        assert_eq!(array_index("00"), None);
        assert_eq!(array_index("-1"), None);
        assert_eq!(array_index("4294967295"), None);
        assert_eq!(array_index("99999999999"), None);
    }
}
