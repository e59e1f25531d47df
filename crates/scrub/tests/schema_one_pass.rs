//! The one-pass rewrite of a JSON record (`schema::rewrite_record`) against its definition:
//! the record parsed by serde_json, walked by `schema::redact_value_with` and written back.
//! Whatever the one-pass reader accepts it writes byte for byte as the parsed way does, with
//! the same counts; what it gives up on, it leaves to the parsed way (and writes nothing).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use codex_scrub::schema::{redact_value_with, rewrite_record, FileKind, Memo, SchemaOptions};
use codex_scrub::{Counts, Pseudonymizer};
use proptest::prelude::*;
use serde_json::Value;

/// What the parsed way writes for `line`, or `None` when it is not a JSON object.
fn parsed(kind: FileKind, line: &[u8], drop_bodies: bool) -> Option<(Vec<u8>, Counts)> {
    let v = serde_json::from_slice::<Value>(line).ok()?;
    if !v.is_object() {
        return None;
    }
    let p = Pseudonymizer::with_key(&[5; 32]);
    let (v, c) = redact_value_with(
        kind,
        v,
        &p,
        SchemaOptions { drop_bodies },
        &mut Memo::default(),
    );
    Some((serde_json::to_vec(&v).unwrap(), c))
}

fn one_pass(kind: FileKind, line: &[u8], drop_bodies: bool) -> Option<(Vec<u8>, Counts)> {
    let p = Pseudonymizer::with_key(&[5; 32]);
    let mut out = b"kept".to_vec();
    let got = rewrite_record(
        kind,
        line,
        &p,
        SchemaOptions { drop_bodies },
        &mut Memo::default(),
        &mut out,
    );
    assert!(out.starts_with(b"kept"), "what was in `out` stays");
    match got {
        Some(c) => Some((out[4..].to_vec(), c)),
        None => {
            assert_eq!(out, b"kept", "nothing written when it gives up");
            None
        }
    }
}

fn counts(c: &Counts) -> Vec<(String, u64)> {
    c.nonzero().map(|(r, n)| (format!("{r:?}"), n)).collect()
}

/// Asserts the two ways agree on `line`; returns whether the one-pass way took it.
fn agree(kind: FileKind, line: &[u8], drop_bodies: bool) -> bool {
    let fast = one_pass(kind, line, drop_bodies);
    let slow = parsed(kind, line, drop_bodies);
    match (&fast, &slow) {
        (Some((a, ca)), Some((b, cb))) => {
            assert_eq!(
                String::from_utf8_lossy(a),
                String::from_utf8_lossy(b),
                "{kind:?} {}",
                String::from_utf8_lossy(line)
            );
            assert_eq!(counts(ca), counts(cb));
            true
        }
        (Some((a, _)), None) => panic!(
            "one pass took what serde_json refuses: {} -> {}",
            String::from_utf8_lossy(line),
            String::from_utf8_lossy(a)
        ),
        (None, _) => false,
    }
}

const KINDS: [FileKind; 6] = [
    FileKind::LiveHeaders,
    FileKind::ShareableDebug,
    FileKind::LifecycleLog,
    FileKind::Generic,
    FileKind::OpencodeConfig,
    FileKind::PluginConfig,
];

#[test]
fn the_plugins_records_take_the_one_pass_way_and_agree() {
    let lines: &[&str] = &[
        r#"{"timestamp":"2025-01-01T00:00:04.000Z","requestId":"req-4","stage":"outbound-attempt","method":"POST","url":"https://chatgpt.com/backend-api/codex/responses","headers":{"authorization":"Bearer eyJhbGciOi.eyJzdWIi.c2ln","chatgpt-account-id":"acc_3","session_id":"ses_0123456789abcdef","user-agent":"opencode/1.2.3 (linux; x64) jane-laptop"},"meta":{"attempt":0}}"#,
        r#"{"seq":7,"event":"rotation_decision","decision":"keep","counters":{"eligible":3,"cooling":0},"selectedIndex":1,"durationMs":96.31585726239595}"#,
        r#"{"ts":"2025-01-01T00:00:00.000Z","pid":24694,"event":"token_exchange_success","meta":{"email":"user1@example.com","identityKey":"acc_1|user1@example.com|plus","url":"http://localhost:1455/auth/callback?code=ac_1&state=9"}}"#,
        r#"{"event":"x","body":{"input":[{"role":"user","content":"my password is hunter2"}]},"status":429}"#,
        r#"{"event":"x","jane@example.com":"v","a|b":1,"":2,"ok":[1,-2,3.5,-0.25,true,false,null,[],{}]}"#,
        r#"  { "event" : "fetch_attempt_response" , "status" : 200 }  "#,
        r#"{"message":"prompt: \u6211\u7684\u5bc6\u7801 hunter2zq \ud83d\udd11 \u001b[31m\t\"q\"\\ \/"}"#,
        r#"{"event":"x","n":123456789012345678,"f":1.0,"g":0.1,"h":-0.0,"e":12.50}"#,
        // A dropped body keeps its name even in a map of the user's own names.
        r#"{"provider":{"body":{"k":"v"},"openai":{}},"perModel":{"body":"x","gpt-5":{}}}"#,
        // The same name in nested objects and in objects side by side is no duplicate.
        r#"{"meta":{"meta":{"meta":1},"event":2},"event":"x","headers":{"meta":3},"counters":[{"event":1},{"event":2}]}"#,
    ];
    for kind in KINDS {
        for drop in [true, false] {
            for line in lines {
                assert!(
                    agree(kind, line.as_bytes(), drop),
                    "one pass gave up on {line}"
                );
            }
        }
    }
}

#[test]
fn it_gives_up_where_serde_json_rewrites_or_refuses() {
    let lines: &[&str] = &[
        // serde_json keeps the last of a name written twice, where the first was.
        r#"{"event":"x","model":"gpt-5","model":"u5Uy6ZGvIiCCout8z9l6wcUhkkzXfS"}"#,
        // ... at any depth, and after a nested object that used the name too.
        r#"{"meta":{"event":{"event":1},"event":2},"event":"x"}"#,
        r#"{"meta":{"a":{"b":1,"b":2}}}"#,
        r#"{"meta":{"a":1},"event":"x","meta":2}"#,
        // Two names that escape to the same text are one name.
        r#"{"event":"x","\u0065vent":"y"}"#,
        // Numbers serde_json writes otherwise: exponents, 19+ digit integers, `-0`.
        r#"{"event":"x","n":1e5}"#,
        r#"{"event":"x","card":41111111111111111111111}"#,
        r#"{"event":"x","n":-0}"#,
        // What serde_json refuses.
        r#"{"event":"x","v":"\ud83d lone"}"#,
        r#"{"event":"x","v":"\udd11"}"#,
        "{\"event\":\"x\",\"v\":\"raw\ttab\"}",
        r#"{"event":"x"} trailing"#,
        r#"{"event":"x",}"#,
        r#"{"event":"x""#,
        r#"{"n":01}"#,
        r#"{"n":1.}"#,
        r#"{"n":tru}"#,
        r#"["event"]"#,
        "{\"v\":\"\u{0}\"}",
    ];
    for kind in KINDS {
        for line in lines {
            assert!(!agree(kind, line.as_bytes(), true), "took {line}");
        }
    }
    let bad_utf8 = b"{\"event\":\"\xff\"}";
    assert!(!agree(FileKind::ShareableDebug, bad_utf8, true));
    // Nesting deeper than serde_json reads.
    let deep = format!("{{\"a\":{}1{}}}", "[".repeat(200), "]".repeat(200));
    assert!(!agree(FileKind::Generic, deep.as_bytes(), true));
}

/// Keys: the allowlists' own, header maps, the body, names shaped like data, names that
/// escape to the same text.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "event",
            "type",
            "status",
            "model",
            "headers",
            "rawHeaders",
            "body",
            "meta",
            "email",
            "identityKey",
            "accountId",
            "session_id",
            "authorization",
            "user-agent",
            "content-type",
            "retry-after",
            "url",
            "endpoint",
            "message",
            "error",
            "reason",
            "stage",
            "timestamp",
            "ts",
            "durationMs",
            "provider",
            "mcp",
            "perModel",
            "input",
            "a/b",
            "jane@example.com",
            "acc_1|user@example.com|plus",
            "x y",
            "",
        ])
        .prop_map(str::to_string),
        "[a-zA-Z_$:./-]{1,12}",
        "\\PC{0,6}",
    ]
}

/// Strings of the shapes the allowlists keep and of those they replace.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "fetch_attempt_response",
            "sticky",
            "gpt-5.1-codex",
            "2025-01-01T00:00:00.000Z",
            "Bearer abc.def.ghi",
            "[redacted]",
            "ident_0123abcd",
            "user@example.com",
            "https://chatgpt.com/backend-api/codex/responses",
            "http://localhost:1455/x?code=1",
            "application/json",
            "Too Many Requests",
            "invalid_grant",
            "opencode/1.2.3",
            "12.5",
            "1.0.0",
            "EADDRINUSE",
            "req-1",
            "",
        ])
        .prop_map(str::to_string),
        "[ -~]{0,24}",
        "\\PC{0,12}",
        "[\\x00-\\x1f\"\\\\]{0,4}",
    ]
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        text().prop_map(Value::String),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::vec((key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn record() -> impl Strategy<Value = Value> {
    proptest::collection::vec((key(), json()), 0..8)
        .prop_map(|kv| Value::Object(kv.into_iter().collect()))
}

/// Whether every number of `v` is one serde_json writes back as it reads it (no exponent,
/// at most 18 integer digits).
fn plain_numbers(v: &Value) -> bool {
    match v {
        Value::Number(n) => {
            let t = n.to_string();
            !t.contains(['e', 'E']) && (n.is_f64() || t.trim_start_matches('-').len() <= 18)
        }
        Value::Array(a) => a.iter().all(plain_numbers),
        Value::Object(m) => m.values().all(plain_numbers),
        _ => true,
    }
}

/// Writes `v` as another writer might: spaces around the punctuation, `\/` and `\u`
/// escapes, a key written twice.
fn respell(text: &str, how: u8) -> String {
    match how % 5 {
        0 => text.to_string(),
        1 => text.replace(',', " ,\t").replace(':', ": "),
        2 => text.replace('/', "\\/"),
        3 => text.replace('a', "\\u0061").replace('é', "\\u00e9"),
        _ => text.replacen('{', "{\"event\":\"x\",\"event\":\"y\",", 1),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(768))]

    /// Any record, written canonically or respelled: the two ways agree wherever the
    /// one-pass reader reads; canonical records without exponents it always reads.
    #[test]
    fn the_one_pass_way_agrees_with_the_parsed_way(
        v in record(),
        kind in proptest::sample::select(KINDS.to_vec()),
        drop in any::<bool>(),
        how in any::<u8>(),
    ) {
        let canonical = serde_json::to_string(&v).unwrap();
        let took = agree(kind, canonical.as_bytes(), drop);
        if plain_numbers(&v) {
            prop_assert!(took, "gave up on {}", canonical);
        }
        let other = respell(&canonical, how);
        agree(kind, other.as_bytes(), drop);
    }

    /// Bytes that are nearly JSON: whatever the one-pass reader takes, serde_json takes and
    /// writes the same.
    #[test]
    fn broken_records_are_left_to_the_parsed_way(
        v in record(),
        cut in any::<proptest::sample::Index>(),
        junk in proptest::sample::select(vec!["", "}", "]", ",", "\"", "\\", "\u{0}", "1e", "-", "\u{ff}"]),
    ) {
        let text = serde_json::to_string(&v).unwrap();
        let at = cut.index(text.len() + 1);
        let mut b = text.as_bytes()[..at].to_vec();
        b.extend_from_slice(junk.as_bytes());
        b.extend_from_slice(&text.as_bytes()[at..]);
        agree(FileKind::ShareableDebug, &b, true);
    }
}
