//! Structured files through their schema (`codex_scrub::schema`) before the engine.
//!
//! A JSON document of a known kind is parsed (JSONC comments stripped for config files),
//! walked by its kind's allowlist, and written pretty-printed; a JSON Lines file is read
//! through [`SchemaLines`], which does the same to every line that is a JSON object and
//! passes other lines (and lines longer than [`MAX_SCHEMA_LINE`]) to the engine as text.
//! Either way the result then goes through the engine (detectors and the allowlist gate)
//! like every other file; what cannot be parsed is redacted as text by the engine alone.

use std::cell::RefCell;
use std::io::{BufRead, BufReader, Read};
use std::rc::Rc;

use codex_scrub::schema::{redact_value, redact_value_with, FileKind, Memo, SchemaOptions};
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
        serde_json::from_str::<Value>(&codex_config::strip_comments(text)).ok()
    } else {
        serde_json::from_str::<Value>(text).ok()
    }?;
    let (v, counts) = redact_value(kind, parsed, p, options);
    let mut out = serde_json::to_string_pretty(&v).ok()?;
    out.push('\n');
    Some((out, counts))
}

/// What a [`SchemaLines`] did, read by the caller once the stream is done.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    /// What the schema replaced.
    pub counts: Counts,
    /// Bytes read from the file (the engine sees the rewritten lines).
    pub bytes_read: u64,
}

/// A reader that passes every JSON-object line of `inner` through the schema of `kind`.
pub(crate) struct SchemaLines<R> {
    inner: BufReader<R>,
    kind: FileKind,
    p: Pseudonymizer,
    options: SchemaOptions,
    line: Vec<u8>,
    out: Vec<u8>,
    at: usize,
    /// The rest of an overlong line is being passed through as it is.
    raw_until_newline: bool,
    /// What the schema did so far.
    tally: Rc<RefCell<Tally>>,
    /// Pseudonyms computed for earlier lines.
    memo: Memo,
}

impl<R: Read> SchemaLines<R> {
    pub(crate) fn new(
        inner: R,
        kind: FileKind,
        p: Pseudonymizer,
        options: SchemaOptions,
        tally: Rc<RefCell<Tally>>,
    ) -> SchemaLines<R> {
        SchemaLines {
            tally,
            memo: Memo::default(),
            inner: BufReader::new(inner),
            kind,
            p,
            options,
            line: Vec::new(),
            out: Vec::new(),
            at: 0,
            raw_until_newline: false,
        }
    }

    /// Reads the next line (or piece of an overlong one) into `out`; false at the end.
    fn refill(&mut self) -> std::io::Result<bool> {
        self.line.clear();
        self.out.clear();
        self.at = 0;
        let n = (&mut self.inner)
            .take(MAX_SCHEMA_LINE)
            .read_until(b'\n', &mut self.line)?;
        if n == 0 {
            return Ok(false);
        }
        self.tally.borrow_mut().bytes_read += n as u64;
        let complete = self.line.last() == Some(&b'\n');
        if self.raw_until_newline || !complete && n as u64 == MAX_SCHEMA_LINE {
            self.raw_until_newline = !complete;
            std::mem::swap(&mut self.line, &mut self.out);
            return Ok(true);
        }
        let body = self.line.strip_suffix(b"\n").unwrap_or(&self.line);
        let body = body.strip_suffix(b"\r").unwrap_or(body);
        match serde_json::from_slice::<Value>(body) {
            Ok(v @ Value::Object(_)) => {
                let (v, counts) =
                    redact_value_with(self.kind, v, &self.p, self.options, &mut self.memo);
                self.tally.borrow_mut().counts.merge(&counts);
                if serde_json::to_writer(&mut self.out, &v).is_err() {
                    self.out.clear();
                    self.out.extend_from_slice(body);
                }
                if complete {
                    self.out.push(b'\n');
                }
            }
            _ => std::mem::swap(&mut self.line, &mut self.out),
        }
        Ok(true)
    }
}

impl<R: Read> Read for SchemaLines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at >= self.out.len() {
            if !self.refill()? {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.out.len() - self.at);
        buf[..n].copy_from_slice(&self.out[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_go_through_the_schema_and_other_lines_pass() {
        let input = "{\"event\":\"fetch_attempt_response\",\"status\":429,\"who\":\"bob\"}\nplain text line\n{\"event\":\"x\"}";
        let mut r = SchemaLines::new(
            input.as_bytes(),
            FileKind::ShareableDebug,
            Pseudonymizer::with_key(&[1; 32]),
            SchemaOptions { drop_bodies: true },
            Rc::default(),
        );
        let mut out = String::new();
        r.read_to_string(&mut out).expect("read");
        assert_eq!(
            out,
            "{\"event\":\"fetch_attempt_response\",\"status\":429,\"who\":\"<string:3>\"}\nplain text line\n{\"event\":\"x\"}"
        );
    }

    #[test]
    fn an_overlong_line_passes_whole_to_the_engine() {
        let long = format!(
            "{{\"x\":\"{}\"}}\n{{\"n\":\"y\"}}\n",
            "a".repeat(MAX_SCHEMA_LINE as usize + 10)
        );
        let mut r = SchemaLines::new(
            long.as_bytes(),
            FileKind::Generic,
            Pseudonymizer::with_key(&[1; 32]),
            SchemaOptions { drop_bodies: true },
            Rc::default(),
        );
        let mut out = String::new();
        r.read_to_string(&mut out).expect("read");
        assert!(
            out.ends_with("\n{\"n\":\"<string:1>\"}\n"),
            "{}",
            &out[out.len() - 40..]
        );
        assert_eq!(out.len(), long.len() + 9);
    }

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
    }
}
