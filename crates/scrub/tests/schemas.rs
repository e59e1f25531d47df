//! Every file kind's schema against a fixture with a canary in every string field that a
//! maintainer does not need (under listed keys, unknown keys, in nested arrays, in keys
//! themselves, and under allowlisted keys in a shape the key does not allow): no canary
//! survives the schema, nor the schema and the engine together; the fields a maintainer
//! needs (events, statuses, codes, model slugs, timestamps, counts, booleans, header names)
//! survive with their exact values.

use codex_scrub::schema::{redact_value, FileKind, SchemaOptions};
use codex_scrub::{KnownValues, Mode, Options, Pseudonymizer, Scrubber};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// A canary of one of the shapes secrets come in: an opaque token, an email, a name with
/// spaces, a key with `+/=`, a URL with a query secret, a host that is not the plugin's.
fn canary(n: usize) -> String {
    let tag = format!("cnry{n:03}");
    match n % 6 {
        0 => format!("{tag}Zq8vN2mX7pL4kR9tW3y"),
        1 => format!("{tag}.person@example.org"),
        2 => format!("Bob {tag} Smith"),
        3 => format!("sk-{tag}+abc/def=="),
        4 => format!("https://chatgpt.com/cb?code={tag}"),
        _ => format!("https://{tag}.internal.example.net/x"),
    }
}

/// Plants a canary in every string leaf of `v` whose JSON pointer is not in `keep`, adds an
/// unknown key holding a canary, a nested array of canaries and a canary-named key to every
/// object.
fn plant(v: &mut Value, at: &str, keep: &[&str], n: &mut usize) {
    match v {
        Value::String(s) if !keep.contains(&at) => {
            *n += 1;
            *s = canary(*n);
        }
        Value::Array(a) => {
            for (i, x) in a.iter_mut().enumerate() {
                plant(x, &format!("{at}/{i}"), keep, n);
            }
        }
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                plant(x, &format!("{at}/{k}"), keep, n);
            }
            // Not under a map keyed by data (sessions, identities): those keys are
            // pseudonymized whatever they are.
            *n += 1;
            m.insert("unknownField".into(), Value::String(canary(*n)));
            *n += 1;
            let (a, b) = (canary(*n), canary(*n + 1));
            *n += 1;
            m.insert("unknownList".into(), json!([[a], {"deep": b}]));
            *n += 1;
            m.insert(canary(*n), json!(1));
        }
        _ => {}
    }
}

fn schema(kind: FileKind, v: Value) -> Value {
    redact_value(
        kind,
        v,
        &Pseudonymizer::with_key(&[6; 32]),
        SchemaOptions { drop_bodies: true },
    )
    .0
}

/// The schema and then the engine, as the bundle runs them.
fn bundled(kind: FileKind, v: Value) -> String {
    let out = serde_json::to_string_pretty(&schema(kind, v)).expect("json");
    let engine = Scrubber::new(
        &KnownValues::default(),
        &Options::default(),
        Pseudonymizer::with_key(&[6; 32]),
    );
    engine.redact_text(&out, Mode::Document).0
}

fn pointer<'a>(v: &'a Value, p: &str) -> &'a Value {
    v.pointer(p)
        .unwrap_or_else(|| panic!("{p} missing from {v:#}"))
}

/// Plants canaries in `fixture` (all but `keep`), runs the schema and the engine, and checks
/// that no canary survives and every kept field has its exact value.
fn check(kind: FileKind, fixture: Value, keep: &[&str]) {
    let mut planted = fixture.clone();
    let mut n = 0;
    plant(&mut planted, "", keep, &mut n);
    assert!(n >= 4, "{kind:?}: too few canaries");
    let after_schema = schema(kind, planted.clone());
    let text = after_schema.to_string();
    let full = bundled(kind, planted);
    for out in [&text, &full] {
        for i in 1..=n + 2 {
            let tag = format!("cnry{i:03}");
            assert!(
                !out.to_ascii_lowercase().contains(&tag),
                "{kind:?}: canary {tag} survived:\n{out}"
            );
        }
    }
    let full: Value = serde_json::from_str(&full).expect("still JSON");
    for p in keep {
        let want = pointer(&fixture, p);
        assert_eq!(
            pointer(&after_schema, p),
            want,
            "{kind:?} {p} after the schema"
        );
        assert_eq!(
            pointer(&full, p),
            want,
            "{kind:?} {p} after the engine:\n{full:#}"
        );
    }
}

#[test]
fn request_snapshot() {
    let fixture = json!({
        "timestamp": "2025-01-01T00:00:00.000Z",
        "runId": "2025-01-01T00-00-00-000Z-4242-abcd1234",
        "requestId": "1",
        "stage": "before-auth",
        "method": "POST",
        "url": "https://chatgpt.com/backend-api/codex/responses",
        "headers": {"authorization": "Bearer [redacted]", "content-type": "application/json",
                    "x-custom-thing": "private", "openai-beta": "responses=experimental"},
        "body": {"model": "gpt-5.1-codex", "input": [{"role": "user", "content": "my prompt"}]},
        "meta": {"attempt": 1, "identityKey": "acc_x|x@example.com|plus"}
    });
    check(
        FileKind::RequestSnapshot,
        fixture,
        &[
            "/timestamp",
            "/runId",
            "/stage",
            "/method",
            "/url",
            "/headers/authorization",
            "/headers/content-type",
            "/meta/attempt",
        ],
    );
}

#[test]
fn response_snapshot() {
    let fixture = json!({
        "timestamp": "2025-01-01T00:00:01.000Z",
        "stage": "outbound-response",
        "status": 429,
        "statusText": "Too Many Requests",
        "headers": {"retry-after": "12", "x-codex-primary-used-percent": "100", "set-cookie": "sid=1"},
        "error": {"code": "usage_limit_reached", "type": "usage_limit", "message": "The usage limit has been reached"}
    });
    check(
        FileKind::RequestSnapshot,
        fixture,
        &[
            "/timestamp",
            "/stage",
            "/status",
            "/statusText",
            "/headers/retry-after",
            "/headers/x-codex-primary-used-percent",
            "/error/code",
            "/error/type",
            "/error/message",
        ],
    );
}

#[test]
fn live_headers_line() {
    let fixture = json!({
        "timestamp": "2025-01-01T00:00:00.000Z", "stage": "outbound-attempt", "method": "POST",
        "url": "https://chatgpt.com/backend-api/codex/responses",
        "headers": {"accept": "text/event-stream", "user-agent": "opencode/1.2.3", "session_id": "ses_1"},
        "prompt_cache_key": "[redacted]", "meta": {"reason": "initial"}
    });
    check(
        FileKind::LiveHeaders,
        fixture,
        &[
            "/timestamp",
            "/stage",
            "/method",
            "/url",
            "/headers/accept",
            "/headers/user-agent",
            "/prompt_cache_key",
            "/meta/reason",
        ],
    );
}

#[test]
fn shareable_debug_record() {
    let fixture = json!({
        "seq": 7, "timestamp": "2025-01-01T00:00:05.000Z", "event": "fetch_attempt_response",
        "rotationStrategy": "sticky", "attempt": 1, "maxAttempts": 3,
        "attemptReasonCode": "initial_attempt", "method": "POST",
        "endpoint": "/backend-api/codex/responses", "status": 429, "waitMs": 1500,
        "model": "gpt-5.1-codex", "ultra": false, "selectedIdentity": "ident_1a2b3c4d",
        "session": "sess_0a1b2c3d"
    });
    check(
        FileKind::ShareableDebug,
        fixture,
        &[
            "/seq",
            "/timestamp",
            "/event",
            "/rotationStrategy",
            "/attemptReasonCode",
            "/method",
            "/endpoint",
            "/status",
            "/waitMs",
            "/model",
            "/ultra",
            "/selectedIdentity",
            "/session",
        ],
    );
}

#[test]
fn debug_state() {
    let fixture = json!({"version": 1, "triggerSeq": 12, "open": {"file": "incident-2025-01-01T00-00-00-000Z-abcd.jsonl", "openedAt": "2025-01-01T00:00:00.000Z"}});
    check(
        FileKind::DebugState,
        fixture,
        &["/version", "/triggerSeq", "/open/openedAt"],
    );
}

#[test]
fn oauth_lifecycle_line() {
    let fixture = json!({"ts": "2025-01-01T00:00:02.000Z", "pid": 4242, "event": "token_exchange_error",
        "meta": {"status": 400, "code": "invalid_grant", "host": "localhost", "stateTail": "x9Q2zz", "ms": 812}});
    check(
        FileKind::LifecycleLog,
        fixture,
        &[
            "/ts",
            "/pid",
            "/event",
            "/meta/status",
            "/meta/code",
            "/meta/ms",
        ],
    );
}

#[test]
fn client_version_and_catalog_meta() {
    check(
        FileKind::ClientVersion,
        json!({"version": "0.144.0", "fetchedAt": 1_700_000_000_000u64}),
        &["/version", "/fetchedAt"],
    );
    check(
        FileKind::CatalogMeta,
        json!({"etag": "W/\"abc\"", "tag": "rust-v0.144.0", "lastChecked": 1_700_000_000_000u64,
               "url": "https://raw.githubusercontent.com/openai/codex/rust-v0.144.0/codex-rs/models-manager/models.json"}),
        &["/tag", "/lastChecked", "/url"],
    );
}

#[test]
fn model_catalog() {
    let fixture = json!({"fetchedAt": 1, "source": "github", "models": [
        {"slug": "gpt-5.1-codex", "display_name": "gpt-5.1-codex", "context_window": 272000,
         "input_modalities": ["text", "image"], "supported_reasoning_levels": [{"effort": "low", "description": "fast"}],
         "base_instructions": "You are Codex", "visibility": "list", "supported_in_api": true}
    ]});
    check(
        FileKind::ModelCatalog,
        fixture,
        &[
            "/fetchedAt",
            "/source",
            "/models/0/slug",
            "/models/0/display_name",
            "/models/0/context_window",
            "/models/0/input_modalities/0",
            "/models/0/input_modalities/1",
            "/models/0/supported_reasoning_levels/0/effort",
            "/models/0/visibility",
            "/models/0/supported_in_api",
        ],
    );
}

#[test]
fn quota_snapshots_keyed_by_identity() {
    let ident = "acc_cnry900|cnry901.person@example.org|plus";
    let fixture = json!({ident: {"updatedAt": 1, "modelFamily": "codex",
        "limits": [{"name": "requests", "leftPct": 75, "resetsAt": 2}],
        "credits": {"hasCredits": true, "unlimited": false, "balance": "12.5"}}});
    let p = Pseudonymizer::with_key(&[6; 32]);
    let key = p.pseudonym(codex_scrub::Kind::Identity, ident.as_bytes());
    let out = schema(FileKind::QuotaSnapshots, fixture.clone());
    assert!(!out.to_string().contains("cnry9"), "{out}");
    let snap = &out[key.as_str()];
    assert_eq!(snap["modelFamily"], "codex");
    assert_eq!(snap["limits"][0]["name"], "requests");
    assert_eq!(snap["limits"][0]["leftPct"], 75);
    assert_eq!(snap["credits"]["balance"], "12.5");
    assert_eq!(snap["credits"]["hasCredits"], true);
    // Canaries in its fields too.
    let mut inner = fixture[ident].clone();
    let mut n = 0;
    plant(
        &mut inner,
        "",
        &["/modelFamily", "/limits/0/name", "/credits/balance"],
        &mut n,
    );
    let out = bundled(FileKind::QuotaSnapshots, json!({ident: inner}));
    for i in 1..=n + 2 {
        assert!(!out.contains(&format!("cnry{i:03}")), "{out}");
    }
}

#[test]
fn session_affinity_keyed_by_session() {
    let fixture = json!({"version": 1, "native": {
        "seenSessionKeys": {"ses_cnry900Zq8vN2mX": 1700},
        "stickyBySessionKey": {"ses_cnry901": "acc_cnry902|cnry903.p@example.org|plus"}}});
    let out = bundled(FileKind::SessionAffinity, fixture);
    assert!(!out.contains("cnry9"), "{out}");
    let v: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["version"], 1);
    let seen = v["native"]["seenSessionKeys"].as_object().expect("map");
    assert!(seen.keys().all(|k| k.starts_with("sess_")), "{seen:?}");
    assert_eq!(seen.values().next(), Some(&json!(1700)));
    // The identity keys the sessions stick to are pseudonyms (the map's own name is the
    // gate's to judge).
    let maps = v["native"].as_object().expect("native");
    let idents: Vec<&str> = maps
        .values()
        .flat_map(|m| m.as_object().expect("map").values())
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(idents.len(), 1, "{out}");
    assert!(idents[0].starts_with("ident_"), "{out}");
}

#[test]
fn opencode_config() {
    let fixture = json!({
        "$schema": "https://opencode.ai/config.json",
        "plugin": ["@iam-brain/opencode-codex-auth@latest", "opencode-wakatime"],
        "model": "openai/gpt-5.1-codex",
        "username": "Bob",
        "provider": {"openai": {"options": {"reasoningEffort": "medium", "apiKey": "sk-x",
            "headers": {"X-Custom": "value"}}},
            "openrouter": {"npm": "@ai-sdk/openai-compatible", "options": {"baseURL": "http://127.0.0.1:8080/v1"},
                     "models": {"gpt-5.1-codex": {"name": "GPT", "limit": {"context": 272000}}}}},
        "mcp": {"srv": {"type": "local", "command": ["node", "server.js"], "environment": {"TOKEN": "x"}}}
    });
    check(
        FileKind::OpencodeConfig,
        fixture,
        &[
            "/$schema",
            "/plugin/0",
            "/plugin/1",
            "/model",
            "/provider/openai/options/reasoningEffort",
            "/provider/openrouter/npm",
            "/provider/openrouter/options/baseURL",
            "/provider/openrouter/models/gpt-5.1-codex/limit/context",
        ],
    );
    // A provider id, an MCP server or an agent OpenCode does not ship is the user's own
    // name: a pseudonym, under which the fields stay.
    let out = schema(
        FileKind::OpencodeConfig,
        json!({"provider": {"acme": {"npm": "@ai-sdk/openai-compatible"}},
               "mcp": {"srv": {"type": "local"}}}),
    );
    let name = |k: &str| {
        Pseudonymizer::with_key(&[6; 32]).pseudonym(codex_scrub::Kind::Name, k.as_bytes())
    };
    assert_eq!(
        out["provider"][name("acme")]["npm"],
        "@ai-sdk/openai-compatible"
    );
    assert_eq!(out["mcp"][name("srv")]["type"], "local");
}

#[test]
fn plugin_config() {
    let fixture = json!({
        "debug": false,
        "runtime": {"mode": "native", "rotationStrategy": "hybrid", "promptCacheKeyStrategy": "project", "headerSnapshots": true},
        "refreshAhead": {"enabled": true, "bufferMs": 60000},
        "global": {"reasoningEffort": "high", "personality": "pragmatic", "include": ["reasoning.encrypted_content"]},
        "customModels": {"my-fast": {"targetModel": "gpt-5.1-codex", "name": "Alice's model"}}
    });
    check(
        FileKind::PluginConfig,
        fixture,
        &[
            "/debug",
            "/runtime/mode",
            "/runtime/rotationStrategy",
            "/runtime/promptCacheKeyStrategy",
            "/runtime/headerSnapshots",
            "/refreshAhead/bufferMs",
            "/global/reasoningEffort",
            "/global/personality",
            "/global/include/0",
        ],
    );
    // A custom model's name is the user's own: a pseudonym, its target model stays.
    let out = schema(
        FileKind::PluginConfig,
        json!({"customModels": {"my-fast": {"targetModel": "gpt-5.1-codex"}}}),
    );
    let name = Pseudonymizer::with_key(&[6; 32]).pseudonym(codex_scrub::Kind::Name, b"my-fast");
    assert_eq!(out["customModels"][name]["targetModel"], "gpt-5.1-codex");
}

#[test]
fn account_store_keeps_only_its_shape() {
    let fixture = json!({"openai": {"type": "oauth", "strategy": "sticky", "accounts": [
        {"identityKey": "acc_1|a@b.co|plus", "accountId": "acc_1", "email": "a@b.co", "plan": "plus",
         "authTypes": ["native"], "enabled": true, "access": "at_x", "refresh": "rt_x", "expires": 1}]}});
    check(
        FileKind::AccountStore,
        fixture,
        &[
            "/openai/type",
            "/openai/strategy",
            "/openai/accounts/0/plan",
            "/openai/accounts/0/authTypes/0",
            "/openai/accounts/0/enabled",
            "/openai/accounts/0/expires",
        ],
    );
}

#[test]
fn unknown_json_gets_the_strict_generic_schema() {
    let fixture = json!({"event": "something_happened", "status": 500, "code": "server_error",
        "timestamp": "2025-01-01T00:00:00Z", "ok": false, "count": 3,
        "user": {"name": "Bob", "id": "u_1"}, "items": [["a b"], {"x": "y"}]});
    check(
        FileKind::Generic,
        fixture,
        &["/event", "/status", "/code", "/timestamp", "/ok", "/count"],
    );
}

#[test]
fn every_kind_has_a_fixture_here() {
    // Adding a kind means adding its fixture above.
    assert_eq!(FileKind::ALL.len(), 14);
}

/// Keys every schema knows, mixed with keys none does.
const KEYS: &[&str] = &[
    "event",
    "status",
    "code",
    "model",
    "message",
    "statusText",
    "url",
    "endpoint",
    "plugin",
    "npm",
    "baseURL",
    "headers",
    "content-type",
    "user-agent",
    "authorization",
    "body",
    "meta",
    "name",
    "tag",
    "version",
    "timestamp",
    "runId",
    "stage",
    "identityKey",
    "session",
    "mode",
    "limits",
    "models",
    "slug",
    "host",
    "note",
    "payload",
    "x",
];

/// Secrets of shapes no schema admits: an opaque run, an email, a token with `+/=`.
fn secret() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{3}[A-Z]{3}[0-9]{3}[A-Za-z0-9]{8,16}",
        "[a-z]{4,10}\\.[a-z]{3,6}@example\\.org",
        "sk-[a-z]{4,8}\\+[a-z]{2}/[a-z]{2}==",
    ]
}

fn tree() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        secret().prop_map(Value::String),
        any::<i32>().prop_map(|n| json!(n)),
        any::<bool>().prop_map(Value::Bool),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        prop::sample::select(KEYS).prop_map(str::to_string),
                        secret()
                    ],
                    inner
                ),
                0..5
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(m) => {
            for (k, x) in m {
                if !KEYS.contains(&k.as_str()) {
                    out.push(k.clone());
                }
                strings(x, out);
            }
        }
        _ => {}
    }
}

proptest! {
    /// A secret-shaped string anywhere in a document of any kind, as a value or a key,
    /// never survives its schema.
    #[test]
    fn no_secret_shaped_string_survives_any_schema(doc in tree(), k in 0..FileKind::ALL.len()) {
        let kind = FileKind::ALL[k];
        let mut planted = Vec::new();
        strings(&doc, &mut planted);
        let out = schema(kind, doc).to_string();
        for s in planted {
            prop_assert!(!out.contains(&s), "{:?}: {} survived in {}", kind, s, out);
        }
    }
}
