//! One JSON record rewritten by its schema in a single pass over its bytes, with no parsed
//! tree: the fast way for the lines of a JSON Lines log, which are most of a bundle's bytes.
//!
//! The walk's decisions are [`Walk`]'s own (`key_kept`, `string`, the body rule), so the
//! result is byte for byte what [`super::redact_value_with`] followed by
//! `serde_json::to_writer` writes. Whatever this reader is not sure to read exactly as
//! serde_json would (a lone surrogate escape, a number serde_json would rewrite, a duplicate key, an
//! invalid byte, nesting deeper than serde_json's limit, trailing bytes) makes it give up:
//! the caller then takes the parsed-tree way, which also decides what a malformed line is.
//! A property test holds the two ways to the same output.

use std::borrow::Cow;

use super::{FileKind, Memo, SchemaOptions, Slot, Stand, Walk, HEADER_MAPS};
use crate::engine::Counts;
use crate::pseudonym::{Kind, Pseudonymizer};
use crate::rules::Rule;

/// Deeper than serde_json reads (its recursion limit is 128): give up well before.
const MAX_DEPTH: usize = 100;

/// Keys of one object whose names are compared for duplicates; a wider object gives up.
const MAX_KEYS: usize = 256;

/// Rewrites the JSON object `body` (one record, no newline) of `kind` into `out`; `None`
/// (and `out` as it was) when this reader gives up, see the module docs. `memo` may have
/// learnt pseudonyms either way.
pub fn rewrite_record(
    kind: FileKind,
    body: &[u8],
    p: &Pseudonymizer,
    options: SchemaOptions,
    memo: &mut Memo,
    out: &mut Vec<u8>,
) -> Option<Counts> {
    // Their top level is keyed by identities (`Walk::top`).
    if matches!(kind, FileKind::QuotaSnapshots | FileKind::SessionAffinity) {
        return None;
    }
    // Invalid UTF-8 anywhere is refused by serde_json too (in a string, or as a byte no
    // JSON grammar allows); checked once, every string is then a slice of `text`.
    let text = std::str::from_utf8(body).ok()?;
    let names = std::mem::take(&mut memo.names);
    let w = Walk {
        kind,
        p,
        options,
        counts: std::cell::RefCell::new(Counts::default()),
        memo: std::cell::RefCell::new(std::mem::take(memo)),
    };
    let start = out.len();
    let mut r = Reader {
        s: text,
        b: body,
        i: 0,
        names,
    };
    r.ws();
    let ok = r.peek() == Some(b'{') && w.object_bytes(&mut r, Slot::None, out, 0).is_some() && {
        r.ws();
        r.i == body.len()
    };
    *memo = w.memo.into_inner();
    r.names.clear();
    memo.names = r.names;
    if ok {
        Some(w.counts.into_inner())
    } else {
        out.truncate(start);
        None
    }
}

/// A cursor over the record (valid UTF-8: `b` is `s`'s bytes).
struct Reader<'i> {
    s: &'i str,
    b: &'i [u8],
    i: usize,
    /// The names written so far in each object being read, from the outermost: each one's
    /// start and end in the output (with its quotes). An object's own are those after the
    /// length the list had when it began; it leaves the list as it found it.
    names: Vec<(usize, usize)>,
}

/// A string read from the record: decoded, and whether its bytes in the record are its
/// JSON form as serde_json writes it (no escapes, so none needed).
struct Text<'i> {
    text: Cow<'i, str>,
    plain: bool,
}

impl<'i> Reader<'i> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Skips JSON whitespace.
    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek() == Some(c)).then(|| self.i += 1)
    }

    /// A string at the cursor (its opening quote), decoded. Gives up on a lone surrogate
    /// escape (serde_json refuses it) and raw control bytes.
    fn string(&mut self) -> Option<Text<'i>> {
        self.eat(b'"')?;
        let from = self.i;
        // One loop to the first quote, backslash or control byte: the strings are short, a
        // search call and a second pass cost more than they save.
        let mut end = from;
        loop {
            match *self.b.get(end)? {
                b'"' | b'\\' => break,
                c if c < 0x20 => return None,
                _ => end += 1,
            }
        }
        if self.b[end] == b'"' {
            self.i = end + 1;
            return Some(Text {
                text: Cow::Borrowed(self.s.get(from..end)?),
                plain: true,
            });
        }
        let mut out = String::with_capacity(end - from + 16);
        let mut i = from;
        loop {
            let stop = i + memchr::memchr2(b'"', b'\\', &self.b[i..])?;
            let run = self.s.get(i..stop)?;
            if run.bytes().any(|c| c < 0x20) {
                return None;
            }
            out.push_str(run);
            if self.b[stop] == b'"' {
                self.i = stop + 1;
                return Some(Text {
                    text: Cow::Owned(out),
                    plain: false,
                });
            }
            let e = *self.b.get(stop + 1)?;
            i = stop + 2;
            out.push(match e {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let (ch, used) = unicode_escape(&self.b[i..])?;
                    i += used;
                    ch
                }
                _ => return None,
            });
        }
    }

    /// A number at the cursor, copied to `out` as serde_json writes it back; `None` for any
    /// number serde_json would not write back as it came or would refuse.
    fn number(&mut self, out: &mut Vec<u8>) -> Option<()> {
        let from = self.i;
        self.eat(b'-');
        let int_from = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        let int = &self.b[int_from..self.i];
        if int.is_empty() || (int.len() > 1 && int[0] == b'0') {
            return None;
        }
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.i += 1;
            let f = self.i;
            while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                self.i += 1;
            }
            if self.i == f {
                return None;
            }
            float = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            // serde_json writes `1e5` as `100000.0`; the parsed way knows how.
            return None;
        }
        let text = &self.b[from..self.i];
        if !float {
            // `-0` is a float to serde_json; 18 digits always fit in an i64 or a u64.
            if int.len() > 18 || (text[0] == b'-' && int == b"0") {
                return None;
            }
            out.extend_from_slice(text);
            return Some(());
        }
        let v: f64 = std::str::from_utf8(text).ok()?.parse().ok()?;
        if !v.is_finite() {
            return None;
        }
        serde_json::to_writer(&mut *out, &v).ok()
    }

    /// What follows a container's element: `,` (another element follows: `false`) or
    /// `close` (the container ends: `true`), copied to `out`.
    fn separator(&mut self, close: u8, out: &mut Vec<u8>) -> Option<bool> {
        self.ws();
        let c = self.peek()?;
        if c != b',' && c != close {
            return None;
        }
        self.i += 1;
        out.push(c);
        Some(c == close)
    }

    /// `true`, `false` or `null` at the cursor, copied.
    fn literal(&mut self, out: &mut Vec<u8>) -> Option<()> {
        for lit in [&b"true"[..], b"false", b"null"] {
            if self.b[self.i..].starts_with(lit) {
                self.i += lit.len();
                out.extend_from_slice(lit);
                return Some(());
            }
        }
        None
    }
}

/// The character of a `\u` escape whose `XXXX` starts `b` (a surrogate pair takes the
/// next escape too), with the bytes read; `None` for a lone surrogate.
fn unicode_escape(b: &[u8]) -> Option<(char, usize)> {
    let hex = |b: &[u8]| -> Option<u32> {
        let h = b.get(..4)?;
        h.iter()
            .try_fold(0u32, |n, &c| Some(n * 16 + (c as char).to_digit(16)?))
    };
    let hi = hex(b)?;
    match hi {
        0xD800..=0xDBFF => {
            if b.get(4..6)? != b"\\u" {
                return None;
            }
            let lo = hex(&b[6..])?;
            if !(0xDC00..=0xDFFF).contains(&lo) {
                return None;
            }
            let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
            Some((char::from_u32(c)?, 10))
        }
        0xDC00..=0xDFFF => None,
        c => Some((char::from_u32(c)?, 4)),
    }
}

/// Writes `"<string:N>"` ([`super::placeholder`] of a string of `n` characters as JSON).
fn write_placeholder(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(b"\"<string:");
    out.extend_from_slice(crate::bytes::decimal(n, &mut [0; 20]));
    out.extend_from_slice(b">\"");
}

/// Writes `s` as a JSON string, as serde_json does.
fn write_str(out: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    if !b.iter().any(|&c| c < 0x20 || c == b'"' || c == b'\\') {
        out.push(b'"');
        out.extend_from_slice(b);
        out.push(b'"');
    } else {
        // Writing into a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
    }
}

impl Walk<'_> {
    /// A value at the cursor under `slot`, rewritten into `out` ([`Walk::value`]).
    fn value_bytes(
        &self,
        r: &mut Reader<'_>,
        slot: Slot<'_>,
        out: &mut Vec<u8>,
        depth: usize,
    ) -> Option<()> {
        r.ws();
        match r.peek()? {
            b'"' => {
                let s = r.string()?;
                match self.stand(&s.text, slot) {
                    // Kept as it came, and it came needing no escapes.
                    Stand::Kept(k) if s.plain && k.len() == s.text.len() => {
                        out.push(b'"');
                        out.extend_from_slice(k.as_bytes());
                        out.push(b'"');
                    }
                    Stand::Kept(k) => write_str(out, k),
                    Stand::Placeholder(n) => write_placeholder(out, n),
                    Stand::Shared(p) => write_str(out, &p),
                    Stand::Other(o) => write_str(out, &o),
                }
                Some(())
            }
            b'{' => self.object_bytes(r, slot, out, depth),
            b'[' => {
                if depth >= MAX_DEPTH {
                    return None;
                }
                r.i += 1;
                out.push(b'[');
                r.ws();
                if r.eat(b']').is_some() {
                    out.push(b']');
                    return Some(());
                }
                loop {
                    self.value_bytes(r, slot, out, depth + 1)?;
                    if r.separator(b']', out)? {
                        return Some(());
                    }
                }
            }
            b'-' | b'0'..=b'9' => r.number(out),
            _ => r.literal(out),
        }
    }

    /// An object at the cursor under `slot` ([`Walk::object`]): each key kept or named by
    /// its pseudonym, each value under its key. Gives up on a name written twice (the
    /// parsed way keeps one entry for it).
    fn object_bytes(
        &self,
        r: &mut Reader<'_>,
        slot: Slot<'_>,
        out: &mut Vec<u8>,
        depth: usize,
    ) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        r.eat(b'{')?;
        let headers = matches!(slot, Slot::Key(k) if HEADER_MAPS.contains(&k));
        out.push(b'{');
        r.ws();
        if r.eat(b'}').is_some() {
            out.push(b'}');
            return Some(());
        }
        let base = r.names.len();
        let done = self.members(r, slot, headers, out, depth);
        r.names.truncate(base);
        done
    }

    /// The members of an object whose `{` is read and written, to its `}`.
    fn members(
        &self,
        r: &mut Reader<'_>,
        slot: Slot<'_>,
        headers: bool,
        out: &mut Vec<u8>,
        depth: usize,
    ) -> Option<()> {
        let base = r.names.len();
        loop {
            r.ws();
            let Text { text: k, plain } = r.string()?;
            r.ws();
            r.eat(b':')?;
            let at = out.len();
            let body = self.options.drop_bodies && k == "body";
            // A dropped body keeps its name, as in `Walk::object`.
            if body || self.key_kept(slot, &k) {
                if plain {
                    // It came needing no escapes: written as it came.
                    out.push(b'"');
                    out.extend_from_slice(k.as_bytes());
                    out.push(b'"');
                } else {
                    write_str(out, &k);
                }
            } else {
                write_str(out, &self.p.pseudonym(Kind::Name, k.as_bytes()));
            }
            let len = out.len() - at;
            let names = &r.names[base..];
            if names.len() >= MAX_KEYS
                || names
                    .iter()
                    .any(|&(a, b)| b - a == len && out[a..b] == out[at..])
            {
                return None;
            }
            r.names.push((at, out.len()));
            out.push(b':');
            if body {
                self.count(Rule::BodyDropped);
                write_str(out, crate::OMITTED);
                r.ws();
                skip_value(r, depth + 1)?;
            } else {
                let child = if headers {
                    Slot::Header(&k)
                } else {
                    Slot::Key(&k)
                };
                self.value_bytes(r, child, out, depth + 1)?;
            }
            if r.separator(b'}', out)? {
                return Some(());
            }
        }
    }
}

/// Skips a value at the cursor (a dropped body), checking it as strictly as a kept one.
fn skip_value(r: &mut Reader<'_>, depth: usize) -> Option<()> {
    if depth >= MAX_DEPTH {
        return None;
    }
    let mut sink = Vec::new();
    match r.peek()? {
        b'"' => r.string().map(drop),
        b'{' | b'[' => {
            let close = if r.peek() == Some(b'{') { b'}' } else { b']' };
            let object = close == b'}';
            r.i += 1;
            r.ws();
            if r.eat(close).is_some() {
                return Some(());
            }
            loop {
                r.ws();
                if object {
                    r.string()?;
                    r.ws();
                    r.eat(b':')?;
                    r.ws();
                }
                skip_value(r, depth + 1)?;
                if r.separator(close, &mut sink)? {
                    return Some(());
                }
            }
        }
        b'-' | b'0'..=b'9' => r.number(&mut sink),
        _ => r.literal(&mut sink),
    }
}
