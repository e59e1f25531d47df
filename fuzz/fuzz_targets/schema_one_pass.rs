//! Fuzzes the one-pass rewrite of a JSON record (`codex_scrub::schema::rewrite_record`):
//! whatever bytes it takes, serde_json must take too, and the parsed way (serde_json, the
//! schema's walk, serde_json's writer) must write the same bytes; what it gives up on, it
//! must leave unwritten.

#![no_main]

use codex_scrub::schema::{redact_value_with, rewrite_record, FileKind, Memo, SchemaOptions};
use codex_scrub::Pseudonymizer;
use libfuzzer_sys::fuzz_target;

const KINDS: [FileKind; 5] = [
    FileKind::LiveHeaders,
    FileKind::ShareableDebug,
    FileKind::LifecycleLog,
    FileKind::Generic,
    FileKind::OpencodeConfig,
];

fuzz_target!(|data: &[u8]| {
    let Some((&first, line)) = data.split_first() else {
        return;
    };
    let kind = KINDS[usize::from(first) % KINDS.len()];
    let options = SchemaOptions {
        drop_bodies: first & 0x80 != 0,
    };
    let p = Pseudonymizer::with_key(&[9; 32]);
    let mut out = Vec::new();
    let Some(_) = rewrite_record(kind, line, &p, options, &mut Memo::default(), &mut out) else {
        assert!(out.is_empty(), "gave up after writing");
        return;
    };
    let v: serde_json::Value = serde_json::from_slice(line).expect("serde_json takes it too");
    assert!(v.is_object());
    let (v, _) = redact_value_with(kind, v, &p, options, &mut Memo::default());
    assert_eq!(serde_json::to_vec(&v).expect("writes"), out);
});
