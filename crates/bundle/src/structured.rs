//! Structured files through their schema (`codex_scrub::schema`) before the engine.
//!
//! A JSON document of a known kind is parsed (JSONC comments stripped for config files),
//! walked by its kind's allowlist, and written pretty-printed; a JSON Lines file is read
//! through [`crate::schema_pool::SchemaPool`], which does the same to every line that is a
//! JSON object. In the plugin's own JSON Lines files (every kind but
//! [`FileKind::Generic`]) a line that reads like JSON but is not a JSON object (a torn last
//! record, an array) or is longer than [`MAX_SCHEMA_LINE`] is left out, a marker in its place
//! ([`NOT_A_RECORD`]): no schema could read it, and the engine alone would keep a made-up
//! word under a key whose values are a closed set (`"event":"…"`). Other lines (text) and
//! every line of generic JSON Lines pass to the engine as text.
//! Either way the result then goes through the engine (detectors and the allowlist gate)
//! like every other file; what cannot be parsed is redacted as text by the engine alone.

use codex_scrub::schema::{
    redact_value, redact_value_with, rewrite_record, FileKind, Memo, SchemaOptions,
};
use codex_scrub::{Counts, Pseudonymizer};
use serde_json::Value;

/// The longest line read through its schema; the rest of a longer line goes to the engine.
pub(crate) const MAX_SCHEMA_LINE: u64 = 1024 * 1024;

/// The largest document read through its schema; a larger one is redacted as text.
pub(crate) const MAX_SCHEMA_DOCUMENT: u64 = 32 * 1024 * 1024;

/// `text` (a whole document of `kind`) through its schema, pretty-printed, with what the
/// schema replaced; `None` when it is not JSON.
pub(crate) fn document(
    kind: FileKind,
    text: &str,
    p: &Pseudonymizer,
    options: SchemaOptions,
) -> Option<(String, Counts)> {
    let parsed = if crate::kinds::jsonc(kind) {
        // OpenCode reads trailing commas too (red team, round 8: such a file was redacted as
        // text, which keeps its names and comments).
        let plain = codex_config::strip_comments(text);
        serde_json::from_str::<Value>(&plain)
            .or_else(|_| {
                serde_json::from_str::<Value>(&codex_config::blank_trailing_commas(&plain))
            })
            .ok()
    } else {
        serde_json::from_str::<Value>(text).ok()
    }?;
    let (v, counts) = redact_value(kind, parsed, p, options);
    let mut out = serde_json::to_string_pretty(&v).ok()?;
    out.push('\n');
    Some((out, counts))
}

/// What stands for a line of the plugin's own JSON Lines that no schema reads.
pub(crate) const NOT_A_RECORD: &str = "[omitted: a line that is not a JSON record]";

/// Whether lines of `kind` that no schema reads are left out rather than passed on.
fn closed(kind: FileKind) -> bool {
    kind != FileKind::Generic
}

/// A line (or, when not `first`, a later piece of one) that no schema reads: as it is in
/// generic JSON Lines; else the marker once per line, and the line's newline.
pub(crate) fn unread(
    kind: FileKind,
    piece: &[u8],
    first: bool,
    out: &mut Vec<u8>,
    counts: &mut Counts,
) {
    if !closed(kind) {
        out.extend_from_slice(piece);
        return;
    }
    if first {
        out.extend_from_slice(NOT_A_RECORD.as_bytes());
        counts.add(codex_scrub::rules::Rule::Unvetted);
    }
    if piece.last() == Some(&b'\n') {
        out.push(b'\n');
    }
}

/// Whether the engine's gate would read `line` as JSON (as `codex_scrub::gate` decides): its
/// first byte that is not a space is `{`, `[` or `"`, or it holds a key (`":`).
fn json_like(line: &[u8]) -> bool {
    let first = line.iter().find(|c| !c.is_ascii_whitespace());
    matches!(first, Some(b'{' | b'[' | b'"')) || memchr::memmem::find(line, b"\":").is_some()
}

/// What a [`crate::schema_pool::SchemaPool`] did, read by the caller once the stream is done.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    /// What the schema replaced.
    pub counts: Counts,
    /// Bytes read from the file (the engine sees the rewritten lines).
    pub bytes_read: u64,
}

/// Whether `line` (with its newline when `complete`) is too long to read through its schema:
/// it passes to the engine as it is.
pub(crate) fn overlong(line: &[u8]) -> bool {
    let complete = line.last() == Some(&b'\n');
    let n = line.len() as u64;
    n > MAX_SCHEMA_LINE || (!complete && n == MAX_SCHEMA_LINE)
}

/// One line's way through the schema of `kind`.
pub(crate) struct LineSchema<'a> {
    pub kind: FileKind,
    pub p: &'a Pseudonymizer,
    pub options: SchemaOptions,
    pub memo: &'a mut Memo,
}

impl LineSchema<'_> {
    /// Appends `line` (at most [`MAX_SCHEMA_LINE`] bytes, with its newline if it has one) to
    /// `out`: through the schema when it is a JSON object; through [`unread`] when it reads
    /// like JSON otherwise ([`json_like`]); as it is (for the engine) when it is text.
    pub(crate) fn line(&mut self, line: &[u8], out: &mut Vec<u8>, counts: &mut Counts) {
        let complete = line.last() == Some(&b'\n');
        let body = line.strip_suffix(b"\n").unwrap_or(line);
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        // A byte-order mark (an editor's, at the file's start) is no part of the record.
        let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
        let start = out.len();
        if let Some(c) = rewrite_record(self.kind, body, self.p, self.options, self.memo, out) {
            counts.merge(&c);
            if complete {
                out.push(b'\n');
            }
            return;
        }
        debug_assert_eq!(out.len(), start);
        match serde_json::from_slice::<Value>(body) {
            Ok(v @ Value::Object(_)) => {
                let (v, c) = redact_value_with(self.kind, v, self.p, self.options, self.memo);
                counts.merge(&c);
                let start = out.len();
                if serde_json::to_writer(&mut *out, &v).is_err() {
                    out.truncate(start);
                    out.extend_from_slice(body);
                }
                if complete {
                    out.push(b'\n');
                }
            }
            _ if json_like(body) => unread(self.kind, line, true, out, counts),
            _ => out.extend_from_slice(line),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_strip_comments_for_config_kinds() {
        let p = Pseudonymizer::with_key(&[1; 32]);
        let o = SchemaOptions { drop_bodies: true };
        let out = document(
            FileKind::PluginConfig,
            "{\n // token sk-secret\n \"runtime\": {\"mode\": \"native\"}\n}",
            &p,
            o,
        )
        .expect("parsed");
        let out = out.0;
        assert!(
            out.contains("\"mode\": \"native\"") && !out.contains("sk-secret"),
            "{out}"
        );
        assert_eq!(document(FileKind::Generic, "not json", &p, o), None);
        // Trailing commas, as OpenCode reads them: still through the schema.
        let out = document(
            FileKind::OpencodeConfig,
            "{\n \"provider\": {\"zorvel-labs\": {\"npm\": \"x\",},},\n}",
            &p,
            o,
        )
        .expect("parsed with trailing commas")
        .0;
        assert!(!out.contains("zorvel"), "{out}");
    }

    #[test]
    fn a_record_after_a_byte_order_mark_is_read_not_left_out() {
        let p = Pseudonymizer::with_key(&[1; 32]);
        let mut memo = Memo::default();
        let mut schema = LineSchema {
            kind: FileKind::ShareableDebug,
            p: &p,
            options: SchemaOptions { drop_bodies: true },
            memo: &mut memo,
        };
        let (mut out, mut counts) = (Vec::new(), Counts::default());
        schema.line(
            "\u{feff}{\"seq\":1,\"event\":\"auth_failure\"}\n".as_bytes(),
            &mut out,
            &mut counts,
        );
        assert_eq!(
            String::from_utf8_lossy(&out),
            "{\"seq\":1,\"event\":\"auth_failure\"}\n"
        );
    }
}
