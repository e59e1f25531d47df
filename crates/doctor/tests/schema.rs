//! Every JSON output validates against its published schema in `docs/schema/`.
//!
//! The validator is a strict subset of JSON Schema 2020-12 (type, enum, properties, required,
//! additionalProperties, items, minimum, local `$ref`); a schema using any other keyword
//! fails the test, so the schemas cannot silently rely on something unchecked here.

use std::path::Path;

use serde_json::{json, Value};

use crate::common::{account, Home};

fn schema(name: &str) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/schema")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap()
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_u64() || v.is_i64(),
        "number" => v.is_number(),
        "null" => v.is_null(),
        other => panic!("unsupported type {other}"),
    }
}

fn validate(root: &Value, s: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
    let Some(obj) = s.as_object() else {
        panic!("schema at {at} is not an object");
    };
    for (k, kv) in obj {
        match k.as_str() {
            "$schema" | "$id" | "title" | "description" | "$defs" => {}
            "$ref" => {
                let name = kv.as_str().unwrap().strip_prefix("#/$defs/").unwrap();
                validate(root, &root["$defs"][name], v, at, errors);
            }
            "type" => {
                let ok = match kv {
                    Value::String(t) => type_ok(t, v),
                    Value::Array(ts) => ts.iter().any(|t| type_ok(t.as_str().unwrap(), v)),
                    _ => panic!("bad type"),
                };
                if !ok {
                    errors.push(format!("{at}: expected {kv}, found {v}"));
                }
            }
            "enum" => {
                if !kv.as_array().unwrap().contains(v) {
                    errors.push(format!("{at}: {v} not in {kv}"));
                }
            }
            "minimum" => {
                if v.as_f64().is_some_and(|x| x < kv.as_f64().unwrap()) {
                    errors.push(format!("{at}: {v} < {kv}"));
                }
            }
            "required" => {
                for r in kv.as_array().unwrap() {
                    let r = r.as_str().unwrap();
                    if v.is_object() && v.get(r).is_none() {
                        errors.push(format!("{at}: missing {r}"));
                    }
                }
            }
            "properties" => {
                if let Some(o) = v.as_object() {
                    for (pk, pv) in o {
                        if let Some(ps) = kv.get(pk) {
                            validate(root, ps, pv, &format!("{at}.{pk}"), errors);
                        }
                    }
                }
            }
            "additionalProperties" => {
                assert_eq!(
                    kv,
                    &json!(false),
                    "only additionalProperties: false is supported"
                );
                if let Some(o) = v.as_object() {
                    let props = s.get("properties").and_then(Value::as_object);
                    for pk in o.keys() {
                        if !props.is_some_and(|p| p.contains_key(pk)) {
                            errors.push(format!("{at}: unexpected property {pk}"));
                        }
                    }
                }
            }
            "items" => {
                if let Some(a) = v.as_array() {
                    for (i, x) in a.iter().enumerate() {
                        validate(root, kv, x, &format!("{at}[{i}]"), errors);
                    }
                }
            }
            other => panic!("unsupported schema keyword {other} at {at}"),
        }
    }
}

#[track_caller]
fn assert_valid(schema_name: &str, out: &str) {
    let s = schema(schema_name);
    let v: Value = serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"));
    let mut errors = Vec::new();
    validate(&s, &s, &v, "$", &mut errors);
    assert!(errors.is_empty(), "{schema_name}: {errors:#?}\n{out}");
}

#[test]
fn the_validator_rejects_what_the_schema_forbids() {
    let s = schema("report.v1.schema.json");
    let mut errors = Vec::new();
    validate(&s, &s, &json!({"schema": 2, "extra": 1}), "$", &mut errors);
    assert!(errors.iter().any(|e| e.contains("not in")), "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e.contains("unexpected property extra")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("missing checks")),
        "{errors:?}"
    );
}

#[test]
fn the_report_validates_for_healthy_and_broken_homes() {
    let h = Home::healthy();
    assert_valid("report.v1.schema.json", &h.run(&["--json"]).stdout);
    let mut acc = account("acc_x1", "x@example.com", "plus");
    acc["expires"] = json!(0);
    acc.as_object_mut().unwrap().remove("refresh");
    let h = Home::healthy_with(vec![acc]);
    h.write(".config/opencode/opencode.json", "{ broken");
    let run = h.run(&["--json", "--strict"]);
    assert_eq!(run.code, 1);
    assert_valid("report.v1.schema.json", &run.stdout);
}

#[test]
fn paths_json_validates() {
    let mut h = Home::healthy();
    h.set("OPENCODE_CONFIG_CONTENT", "{}");
    assert_valid("paths.v1.schema.json", &h.run(&["paths", "--json"]).stdout);
}

#[test]
fn scan_json_validates_with_and_without_findings() {
    let h = Home::healthy();
    let clean = h.cwd.join("clean.txt");
    std::fs::write(&clean, "nothing to see\n").unwrap();
    assert_valid(
        "scan.v1.schema.json",
        &h.run(&["scan", "--json", clean.to_str().unwrap()]).stdout,
    );
    let dirty = h.cwd.join("dirty.log");
    std::fs::write(
        &dirty,
        "Authorization: Bearer sk-proj-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\nuser bob@example.com\n",
    )
    .unwrap();
    let bin = h.cwd.join("blob.bin");
    std::fs::write(&bin, [0u8, 1, 2, 0, 255]).unwrap();
    let run = h.run(&[
        "scan",
        "--json",
        dirty.to_str().unwrap(),
        bin.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("\"findings\": ["), "{}", run.stdout);
    assert_valid("scan.v1.schema.json", &run.stdout);
    // A finding in a file's name is at line 0 (found from the user's side: the schema
    // said at least 1).
    let named = h.cwd.join("jane.doe@example.com.log");
    std::fs::write(&named, "ok\n").unwrap();
    let run = h.run(&["scan", "--json", named.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("\"line\": 0"), "{}", run.stdout);
    assert_valid("scan.v1.schema.json", &run.stdout);
    // The name the plugin gives a request snapshot is no finding.
    let snap = h
        .cwd
        .join("2026-12-04T04-35-09-532Z-4242-3f2b8c1e-request-1-outbound-attempt.json");
    std::fs::write(&snap, "{}\n").unwrap();
    let run = h.run(&["scan", "--json", snap.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stdout);
}
