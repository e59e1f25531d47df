//! How much of a bundle's JSON Lines the engine passes as closed records
//! ([`codex_scrub::closed`]), and which values keep the other lines open: `unzip` a bundle,
//! then `target/release/examples/closed_share logs/*`. Prints each file's closed share, then
//! the leaves (key path = value) that are not closed alone, most frequent first: the
//! places to widen closed records (with the differential tests) or the schema.
#![allow(clippy::unwrap_used, clippy::print_stdout)]
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn leaves(v: &Value, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, Value)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                path.push(k.clone());
                leaves(x, path, out);
                path.pop();
            }
        }
        _ => out.push((path.clone(), v.clone())),
    }
}

fn wrap(path: &[String], v: &Value) -> Value {
    let mut x = v.clone();
    for k in path.iter().rev() {
        x = json!({ k.as_str(): x });
    }
    x
}

fn main() {
    let mut why: BTreeMap<String, usize> = BTreeMap::new();
    for f in std::env::args().skip(1) {
        let data = std::fs::read(&f).unwrap();
        let (mut n, mut c) = (0usize, 0usize);
        for line in data.split(|&b| b == b'\n') {
            if line.is_empty() {
                continue;
            }
            n += 1;
            if codex_scrub::closed::closed_record(line) {
                c += 1;
                continue;
            }
            let Ok(v) = serde_json::from_slice::<Value>(line) else {
                *why.entry("not json".into()).or_default() += 1;
                continue;
            };
            let mut ls = Vec::new();
            leaves(&v, &mut Vec::new(), &mut ls);
            for (p, x) in ls {
                let rec = serde_json::to_string(&wrap(&p, &x)).unwrap();
                if !codex_scrub::closed::closed_record(rec.as_bytes()) {
                    let shown = match &x {
                        Value::String(s) if s.len() > 50 => format!("\"{}…\"", &s[..50]),
                        other => other.to_string(),
                    };
                    *why.entry(format!("{} = {}", p.join("."), shown))
                        .or_default() += 1;
                }
            }
        }
        println!("{f}: {c}/{n} closed");
    }
    let mut v: Vec<_> = why.into_iter().collect();
    v.sort_by_key(|e| std::cmp::Reverse(e.1));
    for (k, n) in v.iter().take(60) {
        println!("{n:6}  {k}");
    }
}
