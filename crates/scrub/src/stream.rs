//! Streaming: bounded line reading, and redaction or scanning of a whole reader.
//!
//! [`LineReader`] hands out lines of at most [`MAX_LINE`] bytes; a longer line is cut at a
//! delimiter (space, quote, comma, …) near the limit so a token is not split, and the pieces
//! are redacted as one line (no newline in between). Memory per file is therefore bounded by
//! a few times [`MAX_LINE`], whatever the file size.

use std::io::{self, BufRead, BufReader, Read, Write};

use crate::engine::{FileScrubber, Finding};

/// The longest piece of a line analysed at once.
pub const MAX_LINE: usize = 256 * 1024;

/// How far back from [`MAX_LINE`] a cut may look for a delimiter.
const CUT_WINDOW: usize = 16 * 1024;

/// Whether a sniffed prefix looks binary (a NUL byte).
pub fn looks_binary(prefix: &[u8]) -> bool {
    memchr::memchr(0, prefix).is_some()
}

fn is_cut_point(c: u8) -> bool {
    c.is_ascii_whitespace() || b"\",;&}]>".contains(&c)
}

/// Reads lines of bounded length.
pub struct LineReader<R> {
    inner: BufReader<R>,
    line: Vec<u8>,
    /// Bytes of `line` already handed out (an overlong line's first piece).
    handed: usize,
    /// Bytes read from the source so far.
    pub consumed: u64,
}

impl<R: Read> LineReader<R> {
    /// Wraps a reader.
    pub fn new(inner: R) -> LineReader<R> {
        LineReader {
            inner: BufReader::with_capacity(64 * 1024, inner),
            line: Vec::with_capacity(4096),
            handed: 0,
            consumed: 0,
        }
    }

    /// The next piece: `(bytes without the newline, ended with a newline)`; `None` at EOF.
    pub fn next_piece(&mut self) -> io::Result<Option<(&[u8], bool)>> {
        if self.handed > 0 {
            self.line.drain(..self.handed);
            self.handed = 0;
        } else {
            self.line.clear();
        }
        loop {
            let buf = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                if self.line.is_empty() {
                    return Ok(None);
                }
                self.handed = self.line.len();
                return Ok(Some((&self.line, false)));
            }
            let room = MAX_LINE.saturating_sub(self.line.len());
            let window = &buf[..buf.len().min(room)];
            if let Some(nl) = memchr::memchr(b'\n', window) {
                self.line.extend_from_slice(&window[..nl]);
                self.inner.consume(nl + 1);
                self.consumed += nl as u64 + 1;
                self.handed = self.line.len();
                return Ok(Some((&self.line, true)));
            }
            let n = window.len();
            self.line.extend_from_slice(window);
            self.inner.consume(n);
            self.consumed += n as u64;
            if self.line.len() >= MAX_LINE {
                let lo = self.line.len().saturating_sub(CUT_WINDOW);
                let cut = (lo..self.line.len())
                    .rev()
                    .find(|&i| is_cut_point(self.line[i]))
                    .map_or(self.line.len(), |i| i + 1);
                self.handed = cut;
                return Ok(Some((&self.line[..cut], false)));
            }
        }
    }

    /// Whether nothing is left to read: no rest of an overlong line, no more input.
    fn at_end(&mut self) -> io::Result<bool> {
        if self.line.len() > self.handed {
            return Ok(false);
        }
        loop {
            match self.inner.fill_buf() {
                Ok(b) => return Ok(b.is_empty()),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Skips to just after the next newline (used after seeking into the middle of a file).
    pub fn skip_partial_line(&mut self) -> io::Result<()> {
        loop {
            let buf = match self.inner.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                return Ok(());
            }
            match memchr::memchr(b'\n', buf) {
                Some(nl) => {
                    self.inner.consume(nl + 1);
                    self.consumed += nl as u64 + 1;
                    return Ok(());
                }
                None => {
                    let n = buf.len();
                    self.inner.consume(n);
                    self.consumed += n as u64;
                }
            }
        }
    }
}

/// What a redaction stream did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamOutcome {
    /// Bytes read.
    pub bytes_in: u64,
    /// Bytes written.
    pub bytes_out: u64,
    /// Stopped early because the next line would pass `max_out`.
    pub truncated: bool,
}

/// Redacts everything from `reader` into `writer`, stopping before `max_out` bytes would be
/// exceeded. `progress` gets the number of bytes read since its last call (about every MB).
pub fn redact_stream<R: Read, W: Write>(
    fs: &mut FileScrubber<'_>,
    reader: &mut LineReader<R>,
    writer: &mut W,
    max_out: Option<u64>,
    progress: &mut dyn FnMut(u64),
) -> io::Result<StreamOutcome> {
    let start_in = reader.consumed;
    let mut outcome = StreamOutcome::default();
    let mut out = Vec::with_capacity(64 * 1024);
    let mut reported = reader.consumed;
    let mut finished = false;
    while let Some((piece, newline)) = reader.next_piece()? {
        // Where the current line began: a line is kept or dropped whole.
        let before = fs.pending_line().unwrap_or(out.len());
        fs.redact_line(piece, newline, &mut out);
        if !newline && fs.pending_line().is_some() && reader.at_end()? {
            // A last line without a newline: the gate reads it now, so the budget weighs
            // what is written (as for a chunk read on another thread), not the bytes before
            // the gate.
            fs.finish(&mut out);
            finished = true;
        }
        if let Some(max) = max_out {
            let pending_too_long =
                fs.pending_line().is_some() && outcome.bytes_out + out.len() as u64 > max;
            if fs.pending_line().is_none() && outcome.bytes_out + out.len() as u64 > max
                || pending_too_long
            {
                out.truncate(before);
                outcome.truncated = true;
                break;
            }
        }
        if out.len() >= 64 * 1024 {
            // Only whole, gated lines leave the buffer.
            let upto = fs.pending_line().unwrap_or(out.len());
            if upto > 0 {
                writer.write_all(&out[..upto])?;
                outcome.bytes_out += upto as u64;
                out.drain(..upto);
                fs.output_drained(upto);
            }
        }
        if reader.consumed - reported >= 1 << 20 {
            progress(reader.consumed - reported);
            reported = reader.consumed;
        }
    }
    if !outcome.truncated && !finished {
        fs.finish(&mut out);
    }
    writer.write_all(&out)?;
    outcome.bytes_out += out.len() as u64;
    progress(reader.consumed - reported);
    outcome.bytes_in = reader.consumed - start_in;
    Ok(outcome)
}

/// Scans everything from `reader`, calling `on_finding` for every match.
pub fn scan_stream<R: Read>(
    fs: &mut FileScrubber<'_>,
    reader: &mut LineReader<R>,
    on_finding: &mut dyn FnMut(Finding),
) -> io::Result<u64> {
    let mut line_no = 1u64;
    let mut findings = Vec::new();
    let mut ended = true;
    while let Some((piece, newline)) = reader.next_piece()? {
        fs.scan_piece(piece, newline, line_no, &mut findings);
        ended = newline;
        if newline {
            line_no += 1;
        }
        for f in findings.drain(..) {
            on_finding(f);
        }
    }
    if !ended {
        // The input ends inside a line: the line ends here, so the gate reads it too.
        fs.scan_piece(b"", true, line_no, &mut findings);
        findings.drain(..).for_each(&mut *on_finding);
    }
    Ok(line_no)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pieces(data: &[u8]) -> Vec<(usize, bool)> {
        let mut r = LineReader::new(data);
        let mut out = Vec::new();
        while let Some((p, nl)) = r.next_piece().expect("read") {
            out.push((p.len(), nl));
        }
        out
    }

    #[test]
    fn lines_and_overlong_lines() {
        assert_eq!(
            pieces(b"a\nbc\n\nd"),
            vec![(1, true), (2, true), (0, true), (1, false)]
        );
        let mut long = vec![b'x'; MAX_LINE - 10];
        long.extend_from_slice(b" yyyyyyyyyyyyyyyyyyyyyyyy\nz\n");
        let p = pieces(&long);
        assert_eq!(p[0], (MAX_LINE - 9, false));
        assert_eq!(p[1], (24, true));
        assert_eq!(p[2], (1, true));
        let total: usize = p.iter().map(|x| x.0).sum();
        assert_eq!(total + 2, long.len());
    }

    fn scrubber() -> crate::Scrubber {
        crate::Scrubber::new(
            &crate::KnownValues::default(),
            &crate::Options {
                drop_bodies: true,
                home: None,
                user: None,
                keep_unvetted: false,
            },
            crate::Pseudonymizer::with_key(&[1; 32]),
        )
    }

    fn redact_all(data: &[u8], mode: crate::Mode) -> String {
        let s = scrubber();
        let mut f = s.file(mode);
        let mut out = Vec::new();
        redact_stream(
            &mut f,
            &mut LineReader::new(data),
            &mut out,
            None,
            &mut |_| {},
        )
        .expect("redact");
        String::from_utf8(out).expect("utf-8")
    }

    fn scan_all(data: &[u8], mode: crate::Mode) -> Vec<crate::Finding> {
        let s = scrubber();
        let mut f = s.file(mode);
        let mut found = Vec::new();
        scan_stream(&mut f, &mut LineReader::new(data), &mut |x| found.push(x)).expect("scan");
        found
    }

    /// Prompt text longer than a piece: words (so the reader cuts between them, inside the
    /// string) with brackets and escaped quotes that would close the body early if the cut
    /// lost track of the string, and a marker at the end that must never be output.
    fn prompt(escaped: bool) -> String {
        let q = if escaped { r#"\\\""# } else { r#"\""# };
        let mut p = String::new();
        while p.len() < MAX_LINE + 50_000 {
            p.push_str(&format!("word }} ]{q} {{ word "));
        }
        p.push_str("PROMPT_TAIL");
        p
    }

    #[test]
    fn a_body_longer_than_a_piece_is_dropped_whole() {
        let line = format!(
            "{{\"url\":\"https://chatgpt.com\",\"body\":{{\"input\":\"{}\"}},\"status\":200,\"mail\":\"a.b@example.com\"}}\nnext line\n",
            prompt(false)
        );
        assert!(pieces(line.as_bytes()).len() >= 3, "the line is cut");
        let out = redact_all(line.as_bytes(), crate::Mode::Lines);
        assert!(
            !out.contains("word") && !out.contains("PROMPT_TAIL"),
            "{}",
            &out[..300.min(out.len())]
        );
        assert!(
            out.starts_with(
                "{\"url\":\"https://chatgpt.com\",\"body\":\"[omitted: request body]\""
            ),
            "{out}"
        );
        assert!(
            out.contains(",\"status\":200,"),
            "what follows the body is kept: {out}"
        );
        assert!(
            !out.contains("a.b@example.com"),
            "and still redacted: {out}"
        );
        assert!(out.ends_with("}\nnext line\n"), "{out}");
        assert_eq!(out.matches('\n').count(), 2);
        // Scanning reads the same way: the body, then the email after it; nothing inside.
        let found: Vec<_> = scan_all(line.as_bytes(), crate::Mode::Lines)
            .into_iter()
            .map(|f| (f.line, f.rule))
            .collect();
        assert_eq!(
            found,
            [(1, crate::Rule::BodyDropped), (1, crate::Rule::Email)]
        );
    }

    #[test]
    fn a_body_logged_as_a_json_string_longer_than_a_piece_is_dropped_whole() {
        let line = format!(
            "{{\"body\":\"{{\\\"input\\\":\\\"{}\\\"}}\",\"status\":429}}\n",
            prompt(true)
        );
        let out = redact_all(line.as_bytes(), crate::Mode::Lines);
        assert!(
            !out.contains("word") && !out.contains("PROMPT_TAIL"),
            "{}",
            &out[..300.min(out.len())]
        );
        assert_eq!(
            out,
            "{\"body\":\"[omitted: request body]\",\"status\":429}\n"
        );
    }

    #[test]
    fn a_document_line_longer_than_a_piece_inside_a_body() {
        let doc = format!(
            "{{\n  \"body\": {{\n    \"input\": \"{}\",\n    \"n\": {{}}\n  }},\n  \"status\": 200\n}}\n",
            prompt(false)
        );
        let out = redact_all(doc.as_bytes(), crate::Mode::Document);
        assert_eq!(
            out,
            "{\n  \"body\": \"[omitted: request body]\",\n  \"status\": 200\n}\n"
        );
    }

    #[test]
    fn an_overlong_line_ending_inside_a_body_does_not_swallow_the_next() {
        // A torn log line: the body never closes before the newline.
        let line = format!(
            "{{\"body\":{{\"input\":\"{}\n{{\"status\":1}}\n",
            prompt(false)
        );
        let out = redact_all(line.as_bytes(), crate::Mode::Lines);
        assert_eq!(
            out,
            "{\"body\":\"[omitted: request body]\"\n{\"status\":1}\n"
        );
    }

    #[test]
    fn a_secret_value_cut_right_after_its_opening_quote_is_still_dropped() {
        // The last cut point before the limit is the value's opening quote, so the next
        // piece starts with the value and does not see its key.
        let head = "{\"pad\":\"";
        let key = "\",\"access_token\":\"";
        let pad = MAX_LINE - 100 - head.len() - key.len();
        let line = format!(
            "{head}{}{key}plainsecretvalue{}\"}}\n",
            "x".repeat(pad),
            "y".repeat(20_000)
        );
        let p = pieces(line.as_bytes());
        assert_eq!(p[0], (MAX_LINE - 100, false), "cut after the opening quote");
        let out = redact_all(line.as_bytes(), crate::Mode::Lines);
        assert!(
            !out.contains("plainsecret") && !out.contains("yyyy"),
            "{}",
            &out[out.len() - 80..]
        );
        assert!(
            out.ends_with("\"access_token\":\"\"}\n"),
            "{}",
            &out[out.len() - 80..]
        );
    }

    #[test]
    fn a_document_string_state_does_not_cross_lines() {
        // A quote in a comment inside a replaced object must not turn the next line's
        // strings inside out (the `}` in "a}b" would close the object early).
        let doc = "{\n  \"credentials\": {\n    // the \"prod key\n    \"name\": \"a}b\",\n    \"value\": \"s3cr3t-plain\"\n  },\n  \"model\": \"x\"\n}\n";
        let out = redact_all(doc.as_bytes(), crate::Mode::Document);
        assert_eq!(
            out,
            "{\n  \"credentials\": \"[redacted]\",\n  \"model\": \"x\"\n}\n"
        );
    }

    #[test]
    fn partial_first_line_is_skipped() {
        let mut r = LineReader::new(&b"tail of a line\nnext\n"[..]);
        r.skip_partial_line().expect("skip");
        let (p, _) = r.next_piece().expect("read").expect("line");
        assert_eq!(p, b"next");
    }
}
