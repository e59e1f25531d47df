//! The engine: one [`Scrubber`] per bundle, one [`FileScrubber`] per file.
//!
//! A line is decoded (safe JSON escapes undone), lowercased once, passed through every
//! detector, and the matches are merged and replaced. The same analysis backs redaction
//! ([`FileScrubber::redact_line`]) and scanning ([`FileScrubber::scan_line`]), so `scan`
//! finds exactly what redaction would remove, and redacted output scans clean.
//!
//! A replaced value (object, array or string) still open where a piece of an overlong line
//! ends is followed into the next pieces with its full state ([`OpenValue`]); a line that
//! ends inside it closes it, except in [`Mode::Document`] (pretty-printed JSON), where an
//! object or array under a secret key goes on across lines (string state does not) until
//! it closes, so a multi-line value is replaced as a whole. State is per file; memory is
//! bounded by the longest line the stream reader hands over.

use std::collections::HashMap;

use memchr::memmem;

use crate::decode::{decode_into, needs_decoding};
use crate::keyed::{cookie_jar_line, header_lines, json_keys, key_values, OpenValue};
use crate::known::{KnownSet, KnownValues};
use crate::personal::{names, numbers, obfuscated_emails, user_folders};
use crate::prose::word_detectors;
use crate::pseudonym::Pseudonymizer;
use crate::rules::{KeyCache, Rule};
use crate::shapes::{
    auth_schemes, emails, grouped_tokens, jwts, opaque_tokens, prefixed_tokens, user_name,
};
use crate::span::{resolve, Repl, Span};

/// Extra analysis passes over a line whose replacements may have formed new matches.
const SETTLE_PASSES: usize = 8;

/// What replaces a line that still matches after [`SETTLE_PASSES`] passes (defined beside
/// the other markers, which the gate reads too).
pub use crate::UNREDACTABLE;

/// How a file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Independent lines: logs, JSONL, text.
    Lines,
    /// A pretty-printed JSON (or JSONC) document: multi-line values under secret keys are
    /// replaced whole.
    Document,
}

/// Bundle-wide options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Replace request bodies (`"body": …`) with `[omitted: request body]`.
    pub drop_bodies: bool,
    /// The home directory, replaced by `~`.
    pub home: Option<String>,
    /// The login name, replaced by `<user>` as a whole word.
    pub user: Option<String>,
    /// Skip the allowlist gate: secrets (by rule, by shape, by key, known values) are still
    /// replaced, but ordinary values the gate cannot vouch for stay. Only for text shown on
    /// the user's own terminal (`codex-doctor fix`'s diffs); never for a bundle or `scan`.
    pub keep_unvetted: bool,
}

/// The fingerprint of one line a redaction proved clean (see [`crate::certify`]).
pub(crate) fn fingerprint(hasher: &std::hash::RandomState, line: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    hasher.hash_one(line)
}

/// Redaction counts by rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counts([u64; Rule::ALL.len()]);

impl Default for Counts {
    fn default() -> Self {
        Counts([0; Rule::ALL.len()])
    }
}

impl Counts {
    /// Adds one match of `rule`.
    pub fn add(&mut self, rule: Rule) {
        self.0[rule.index()] += 1;
    }

    /// Adds another set of counts.
    pub fn merge(&mut self, other: &Counts) {
        for (a, b) in self.0.iter_mut().zip(other.0.iter()) {
            *a += b;
        }
    }

    /// Total matches.
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// Rules with a non-zero count, in catalogue order.
    pub fn nonzero(&self) -> impl Iterator<Item = (Rule, u64)> + '_ {
        Rule::ALL
            .iter()
            .zip(self.0.iter())
            .filter(|(_, &n)| n > 0)
            .map(|(r, &n)| (*r, n))
    }
}

/// One secret-looking match found by [`FileScrubber::scan_line`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// 1-based line number.
    pub line: u64,
    /// The detector.
    pub rule: Rule,
    /// A masked preview: at most three leading characters and the length.
    pub preview: String,
}

/// A masked preview of a matched value.
pub fn preview(matched: &[u8]) -> String {
    let text = String::from_utf8_lossy(matched);
    let n = text.chars().count();
    if n >= 12 {
        let head: String = text.chars().take(3).collect();
        format!("{head}… ({n} chars)")
    } else {
        format!("… ({n} chars)")
    }
}

/// The compiled engine: known values, pseudonym key, options.
pub struct Scrubber {
    known: KnownSet,
    pseudo: Pseudonymizer,
    drop_bodies: bool,
    user: Option<memmem::Finder<'static>>,
    /// Run the allowlist gate on files ([`Options::keep_unvetted`] turns it off).
    gate: bool,
    /// Whether closed records may pass without the engine: no known value or login name
    /// could hide in one ([`crate::closed::reachable`]); decided on first use.
    closed_records: std::sync::OnceLock<bool>,
}

impl std::fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scrubber")
            .field("known", &self.known)
            .field("drop_bodies", &self.drop_bodies)
            .finish_non_exhaustive()
    }
}

/// Login names too common to be identifying (and too common to replace).
const COMMON_USERS: [&str; 6] = ["root", "user", "admin", "home", "runner", "ubuntu"];

impl Scrubber {
    /// Compiles an engine.
    pub fn new(known: &KnownValues, options: &Options, pseudo: Pseudonymizer) -> Scrubber {
        let user = options
            .user
            .as_deref()
            .map(|u| u.trim().to_ascii_lowercase())
            .filter(|u| u.len() >= 3 && !COMMON_USERS.contains(&u.as_str()))
            .map(|u| memmem::Finder::new(u.as_bytes()).into_owned());
        Scrubber {
            known: KnownSet::build(known, options.home.as_deref(), &pseudo),
            pseudo,
            drop_bodies: options.drop_bodies,
            user,
            gate: !options.keep_unvetted,
            closed_records: std::sync::OnceLock::new(),
        }
    }

    /// Whether closed records ([`crate::closed`]) may pass without the detectors and gate.
    pub(crate) fn closed_records(&self) -> bool {
        *self.closed_records.get_or_init(|| {
            self.gate
                && !self.known.any_needle(crate::closed::reachable)
                && !self
                    .user
                    .as_ref()
                    .is_some_and(|u| crate::closed::reachable(u.needle()))
        })
    }

    /// What a line's reading depends on besides its bytes, as a keyed-free fingerprint
    /// (known values, home, user name, identities kept, the gate), and whether request
    /// bodies are dropped ([`crate::Certified`]).
    pub(crate) fn analysis(&self) -> (u64, bool) {
        use std::hash::{Hash, Hasher};
        let mut h = crate::bytes::Fnv::default();
        self.known.identity(&mut h);
        self.user.as_ref().map(|u| u.needle().to_vec()).hash(&mut h);
        self.gate.hash(&mut h);
        for k in [
            crate::Kind::Email,
            crate::Kind::Account,
            crate::Kind::Identity,
            crate::Kind::Session,
            crate::Kind::PromptCacheKey,
            crate::Kind::Attempt,
            crate::Kind::Name,
        ] {
            self.pseudo.keeps(k).hash(&mut h);
        }
        (h.finish(), self.drop_bodies)
    }

    /// The pseudonymizer (for summaries written by the caller).
    pub fn pseudonymizer(&self) -> &Pseudonymizer {
        &self.pseudo
    }

    /// Per-file state.
    pub fn file(&self, mode: Mode) -> FileScrubber<'_> {
        FileScrubber {
            s: self,
            mode,
            open: None,
            dec: Vec::new(),
            low: Vec::new(),
            spans: Vec::new(),
            counts: Counts::default(),
            pseudonyms: Default::default(),
            keys: KeyCache::default(),
            settle_passes: SETTLE_PASSES,
            gate: self.gate,
            gate_buf: Vec::new(),
            gate_spans: Vec::new(),
            line_start: None,
            dropping_line: false,
            gate_state: crate::gate::GateState::default(),
            scan_line: Vec::new(),
            scan_line_flagged: false,
            certify: None,
            proofs: Vec::new(),
            line_clean: false,
            scan_mid_line: false,
            closed: mode == Mode::Lines && self.closed_records(),
        }
    }

    /// Redacts a whole small text (generated files, strings). Returns the text and counts.
    pub fn redact_text(&self, text: &str, mode: Mode) -> (String, Counts) {
        let mut f = self.file(mode);
        let mut out = Vec::with_capacity(text.len());
        let mut lines = text.split('\n').peekable();
        while let Some(line) = lines.next() {
            let newline = lines.peek().is_some();
            f.redact_line(line.as_bytes(), newline, &mut out);
        }
        f.finish(&mut out);
        (String::from_utf8_lossy(&out).into_owned(), f.counts)
    }

    /// Scans a whole small text.
    pub fn scan_text(&self, text: &str, mode: Mode) -> Vec<Finding> {
        let mut f = self.file(mode);
        let mut out = Vec::new();
        for (i, line) in text.split('\n').enumerate() {
            f.scan_line(line.as_bytes(), i as u64 + 1, &mut out);
        }
        out
    }

    fn analyze(
        &self,
        dec: &[u8],
        low: &mut Vec<u8>,
        spans: &mut Vec<Span>,
        keys: &mut KeyCache,
    ) -> Option<OpenValue> {
        low.clear();
        low.extend(dec.iter().map(u8::to_ascii_lowercase));
        spans.clear();
        self.known.find(low, spans);
        let scan = json_keys(dec, low, self.drop_bodies, keys, spans);
        key_values(dec, low, keys, spans);
        crate::named::named_values(dec, low, keys, spans);
        header_lines(dec, low, spans);
        cookie_jar_line(dec, spans);
        auth_schemes(dec, low, spans);
        jwts(dec, low, spans);
        prefixed_tokens(dec, low, spans);
        emails(dec, low, spans);
        opaque_tokens(dec, spans);
        grouped_tokens(dec, spans);
        obfuscated_emails(low, spans);
        numbers(dec, spans);
        names(dec, low, spans);
        word_detectors(dec, low, spans);
        user_folders(low, spans);
        crate::system_output::line_layouts(dec, low, spans);
        crate::records::record_lines(dec, low, spans);
        crate::records::coordinate_keys(low, spans);
        crate::records::coordinate_pairs(low, spans);
        crate::system_output::escaped_lines(dec, low, spans);
        if let Some(u) = &self.user {
            user_name(low, u, spans);
        }
        // The report with identities shown: their matches stay as they are (dropped before
        // overlaps are resolved, so a secret inside one is still replaced).
        spans.retain(|s| !matches!(s.repl, Repl::Pseudonym(k) if self.pseudo.keeps(k)));
        resolve(spans);
        scan.open
    }

    fn write_replacement(&self, span: &Span, matched: &[u8], out: &mut Vec<u8>) {
        match span.repl {
            Repl::Redacted => out.extend_from_slice(crate::REDACTED.as_bytes()),
            Repl::QuotedRedacted { escaped } => {
                let q: &[u8] = if escaped { b"\\\"" } else { b"\"" };
                out.extend_from_slice(q);
                out.extend_from_slice(crate::REDACTED.as_bytes());
                out.extend_from_slice(q);
            }
            Repl::Omitted { quoted, escaped } => {
                let q: &[u8] = match (quoted, escaped) {
                    (false, _) => b"",
                    (true, false) => b"\"",
                    (true, true) => b"\\\"",
                };
                out.extend_from_slice(q);
                out.extend_from_slice(crate::OMITTED.as_bytes());
                out.extend_from_slice(q);
            }
            Repl::Pseudonym(kind) => {
                out.extend_from_slice(self.pseudo.pseudonym(kind, matched).as_bytes());
            }
            Repl::Known(n) => out.extend_from_slice(self.known.replacement(n).as_bytes()),
            Repl::User => out.extend_from_slice(b"<user>"),
        }
    }

    /// Like [`Self::write_replacement`], with pseudonyms memoized in `cache`.
    fn write_cached(
        &self,
        span: &Span,
        matched: &[u8],
        cache: &mut PseudonymCache,
        out: &mut Vec<u8>,
    ) {
        match span.repl {
            Repl::Pseudonym(kind) => {
                let map = &mut cache[kind as usize];
                if let Some(p) = map.get(matched) {
                    out.extend_from_slice(p.as_bytes());
                    return;
                }
                if map.len() >= 4096 {
                    map.clear();
                }
                let p = self.pseudo.pseudonym(kind, matched);
                out.extend_from_slice(p.as_bytes());
                map.insert(matched.to_vec(), p);
            }
            _ => self.write_replacement(span, matched, out),
        }
    }
}

/// Whether the bytes before `at` are inside a quoted JSON key (the string goes on to a `"`
/// and a `:`): replacing a word there changes the key, and a key's length and words decide
/// what its value is (found by the fuzz target: a key that fell under the length limit once
/// a told value inside it was replaced).
fn in_json_key(dec: &[u8], at: usize) -> bool {
    let Some(q) = memchr::memchr(b'"', &dec[at.min(dec.len())..]) else {
        return false;
    };
    let mut i = at + q + 1;
    while matches!(dec.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    dec.get(i) == Some(&b':')
}

/// Per-file redaction state and reusable buffers.
pub struct FileScrubber<'a> {
    s: &'a Scrubber,
    mode: Mode,
    /// A replaced value still open: the rest of an overlong line's value, or (documents)
    /// the lines of a multi-line object.
    open: Option<OpenValue>,
    dec: Vec<u8>,
    low: Vec<u8>,
    spans: Vec<Span>,
    counts: Counts,
    pseudonyms: PseudonymCache,
    keys: KeyCache,
    settle_passes: usize,
    /// Run the allowlist gate ([`crate::gate`]) after the detectors.
    gate: bool,
    gate_buf: Vec<u8>,
    gate_spans: Vec<(usize, usize)>,
    /// Where in `out` the line being written began, while its pieces come in (the gate
    /// reads whole lines).
    line_start: Option<usize>,
    /// The rest of an overlong line is being dropped ([`MAX_GATED_LINE`]).
    dropping_line: bool,
    /// What the gate carries across lines.
    gate_state: crate::gate::GateState,
    /// Scanning: the decoded pieces of the current line, for the gate.
    scan_line: Vec<u8>,
    /// Scanning: the current line already has a finding (the gate's are not added).
    scan_line_flagged: bool,
    /// Fingerprints lines proven clean ([`crate::Certified`]) with this keyed hasher.
    certify: Option<std::hash::RandomState>,
    /// Fingerprints of the lines proven clean so far.
    proofs: Vec<u64>,
    /// The line being written is one piece whose output, before the gate, was analysed
    /// as it is (not decoded) and nothing matched.
    line_clean: bool,
    /// Scanning: a piece of the current line came before.
    scan_mid_line: bool,
    /// Closed records ([`crate::closed`]) pass as they are (off only to compare).
    closed: bool,
}

/// The longest redacted line the gate reads whole; the rest of a longer line is dropped.
pub const MAX_GATED_LINE: usize = 8 * 1024 * 1024;

/// What replaces the rest of a line longer than [`MAX_GATED_LINE`].
pub use crate::LINE_TOO_LONG;

/// Pseudonyms already computed in this file, by kind and matched bytes.
type PseudonymCache = [HashMap<Vec<u8>, String, crate::bytes::FnvBuild>; 7];

impl std::fmt::Debug for FileScrubber<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileScrubber")
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

/// Writes `dec` into `out` with every span replaced, counting each replacement.
fn write_spans(
    s: &Scrubber,
    spans: &[Span],
    pseudonyms: &mut PseudonymCache,
    counts: &mut Counts,
    dec: &[u8],
    out: &mut Vec<u8>,
) {
    let mut last = 0;
    for span in spans {
        out.extend_from_slice(&dec[last..span.start]);
        s.write_cached(span, &dec[span.start..span.end], pseudonyms, out);
        counts.add(span.rule);
        last = span.end;
    }
    out.extend_from_slice(&dec[last..]);
}

/// A byte next to which a replacement cannot form a new match: a double quote (the
/// replacement is a whole JSON string value) or whitespace (a whole word).
fn inert(c: u8) -> bool {
    matches!(c, b'"' | b' ' | b'\t')
}

/// A byte whose removal cannot make other text read differently: the characters of tokens,
/// ids and emails (no quote, separator, bracket, control or non-ASCII byte).
fn plain(c: u8) -> bool {
    static PLAIN: crate::bytes::ByteSet = crate::bytes::ByteSet::new(true, false, b"-_.@%+/~|");
    PLAIN.has(c)
}

impl FileScrubber<'_> {
    /// Counts so far.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }

    /// Counts so far, which start again from zero.
    pub(crate) fn take_counts(&mut self) -> Counts {
        std::mem::take(&mut self.counts)
    }

    /// What the gate carries to the next line.
    pub(crate) fn gate_state(&self) -> crate::gate::GateState {
        self.gate_state
    }

    /// Sets what the gate carries into the next line (a chunk of a file read on another
    /// thread starts where the chunk before it ended).
    pub(crate) fn set_gate_state(&mut self, state: crate::gate::GateState) {
        self.gate_state = state;
    }

    /// Skips the rest of a value left open by an earlier line or piece; returns the part of
    /// `line` to analyze, or `None` when the whole line is inside the value.
    fn after_open<'l>(&mut self, line: &'l [u8]) -> Option<&'l [u8]> {
        let Some(open) = self.open.as_mut() else {
            return Some(line);
        };
        let k = open.feed(line)?;
        self.open = None;
        Some(&line[k..])
    }

    /// What stays open after a piece whose analysis left `open`: within a line always (the
    /// next piece continues the value); across lines only an object or array of a document.
    fn carry(&self, open: Option<OpenValue>, newline: bool) -> Option<OpenValue> {
        let mut open =
            open.filter(|o| !newline || (self.mode == Mode::Document && o.spans_lines()))?;
        if newline {
            open.next_line();
        }
        Some(open)
    }

    /// The line ended inside the open value: keep it open only where it may continue on
    /// the next line. Returns whether the line's newline is written.
    fn line_ended_inside(&mut self) -> bool {
        self.open = self.carry(self.open, true);
        self.open.is_none()
    }

    /// Redacts one line (`line` without its `\n`) into `out`. `newline`: the line ended with
    /// a newline (false for a piece of an overlong line, or a last line without one).
    pub fn redact_line(&mut self, line: &[u8], newline: bool, out: &mut Vec<u8>) {
        if self.dropping_line {
            if newline {
                self.dropping_line = false;
                self.open = None;
                out.push(b'\n');
            }
            return;
        }
        let single = self.line_start.is_none() && self.open.is_none() && newline;
        if single && self.closed_at_fresh_state(line) {
            out.extend_from_slice(line);
            out.push(b'\n');
            return;
        }
        let line_start = *self.line_start.get_or_insert(out.len());
        self.line_clean = false;
        self.redact_piece(line, newline, out);
        self.line_clean &= single;
        let ended = out.last() == Some(&b'\n') && newline && self.open.is_none();
        if ended {
            out.pop();
            self.end_line(line_start, out);
            out.push(b'\n');
        } else if out.len() - line_start > MAX_GATED_LINE {
            out.truncate(line_start);
            out.extend_from_slice(LINE_TOO_LONG);
            self.counts.add(Rule::Unvetted);
            self.line_start = None;
            self.open = None;
            if newline {
                out.push(b'\n');
            } else {
                self.dropping_line = true;
            }
        }
    }

    /// Whether `line`, a whole line, is a closed record ([`crate::closed`]) met with the
    /// gate's fresh state: the detectors and the gate would write it as it is and leave the
    /// state fresh, so it passes without them.
    fn closed_at_fresh_state(&self, line: &[u8]) -> bool {
        self.closed
            && self.gate_state == crate::gate::GateState::default()
            && crate::closed::closed_record(line)
    }

    /// Reads every line through the detectors and the gate, closed records too (to compare
    /// the two ways).
    #[doc(hidden)]
    pub fn without_closed_records(mut self) -> Self {
        self.closed = false;
        self
    }

    /// Whether a line has been started in the output and not finished (its pieces are
    /// still coming): the caller must not flush the output past [`Self::pending_line`].
    pub fn pending_line(&self) -> Option<usize> {
        self.line_start
    }

    /// Tells the scrubber that the caller moved its output: bytes before `n` were written
    /// out, so a pending line starts `n` bytes earlier.
    pub fn output_drained(&mut self, n: usize) {
        if let Some(s) = self.line_start.as_mut() {
            *s = s.saturating_sub(n);
        }
    }

    /// Ends the line written from `line_start`: the gate reads it whole.
    fn end_line(&mut self, line_start: usize, out: &mut Vec<u8>) {
        self.line_start = None;
        if self.gate {
            self.gate_segment(line_start, out);
        }
    }

    fn redact_piece(&mut self, line: &[u8], newline: bool, out: &mut Vec<u8>) {
        let Some(line) = self.after_open(line) else {
            if newline && self.line_ended_inside() {
                out.push(b'\n');
            }
            return;
        };
        let decoded = needs_decoding(line);
        let dec: &[u8] = if decoded {
            decode_into(line, &mut self.dec);
            &self.dec
        } else {
            line
        };
        let open = self
            .s
            .analyze(dec, &mut self.low, &mut self.spans, &mut self.keys);
        let seg_start = out.len();
        // A replacement can change how the rest of the line reads (join a word into a new
        // match, close a quoted key, end a header value, remove bytes that kept a key from
        // being read as one) unless it replaces plain word bytes between inert ones: a whole
        // quoted JSON value or a whitespace-separated word made of token, id or email
        // characters. Only the others are re-analysed.
        // A replaced word that starts with a digit after a digit group could have been
        // what kept the digits before it from reading as one number (`0046 20 76 046
        // 20YYY…` is no phone number, `0046 20 76 046 [redacted]` is: found by the fuzz
        // target), so it is re-analysed too.
        let replaced = self.spans.iter().any(|sp| {
            sp.start.checked_sub(1).is_some_and(|i| !inert(dec[i]))
                || dec.get(sp.end).is_some_and(|&c| !inert(c))
                || !dec[sp.start..sp.end].iter().all(|&c| plain(c))
                || in_json_key(dec, sp.end)
                || (dec.get(sp.start).is_some_and(u8::is_ascii_digit)
                    && sp
                        .start
                        .checked_sub(2)
                        .is_some_and(|i| dec[i].is_ascii_digit()))
                // A detector cued by the words around it (`su er`, `6 is no6`) may read
                // them otherwise once one is replaced (found by the fuzz target).
                || matches!(
                    sp.rule,
                    Rule::PersonName
                        | Rule::FullName
                        | Rule::ToldCredential
                        | Rule::UserName
                        | Rule::Phone
                        | Rule::StreetAddress
                )
        });
        // Nothing matched in the line as it came (the output is the line).
        self.line_clean = self.spans.is_empty() && !decoded;
        write_spans(
            self.s,
            &self.spans,
            &mut self.pseudonyms,
            &mut self.counts,
            dec,
            out,
        );
        if replaced {
            self.line_clean = self.settle(seg_start, out);
        }
        self.open = self.carry(open, newline);
        if newline && self.open.is_none() {
            out.push(b'\n');
        }
    }

    /// Runs the allowlist gate over the line written from `seg_start`: whatever the
    /// detectors left that is not known to be safe becomes a placeholder.
    fn gate_segment(&mut self, seg_start: usize, out: &mut Vec<u8>) {
        // A placeholder can make its neighbours read differently (`^::2` → `<string:1>::2`,
        // an address), so the gate runs until it changes nothing; a line that does not
        // settle is omitted whole.
        let start = self.gate_state;
        let mut any = false;
        for _ in 0..4 {
            self.gate_buf.clear();
            self.gate_buf.extend_from_slice(&out[seg_start..]);
            out.truncate(seg_start);
            self.gate_state = start;
            let g = crate::gate::gate(&self.gate_buf, &mut self.gate_state, out, None);
            for _ in 0..g.replaced {
                self.counts.add(Rule::Unvetted);
            }
            any |= g.replaced > 0;
            if !g.reflow {
                if any || needs_decoding(&out[seg_start..]) {
                    self.still_clean(seg_start, out, start);
                } else if self.line_clean
                    && start == crate::gate::GateState::default()
                    && self.gate_state == start
                    && out[seg_start..] == self.gate_buf[..]
                {
                    // The detectors read these very bytes and found nothing, and the gate
                    // read them from a fresh state, kept them and ended fresh: a scan of
                    // this line finds nothing.
                    self.prove(seg_start, out);
                }
                return;
            }
        }
        let mut check = Vec::new();
        let mut state = start;
        if crate::gate::gate(&out[seg_start..], &mut state, &mut check, None).replaced > 0 {
            out.truncate(seg_start);
            out.extend_from_slice(UNREDACTABLE.as_bytes());
            // The marker carries nothing: the next line is read as after the line before.
            self.gate_state = start;
        }
    }

    /// A placeholder can make the detectors read a line differently (the rest of a cookie
    /// value after it, say), and the gate read again over its own output, or over the
    /// decoded text a scan reads, may still replace something (placeholders beside odd bytes;
    /// found by the fuzz target); such a line is omitted whole, so the output scans clean.
    /// `state` is the gate's state at the line's start.
    fn still_clean(&mut self, seg_start: usize, out: &mut Vec<u8>, state: crate::gate::GateState) {
        let seg = &out[seg_start..];
        let decoded = needs_decoding(seg);
        let dec: &[u8] = if decoded {
            decode_into(seg, &mut self.dec);
            &self.dec
        } else {
            seg
        };
        let _ = self
            .s
            .analyze(dec, &mut self.low, &mut self.spans, &mut self.keys);
        let mut dirty = !self.spans.is_empty();
        let mut st = state;
        if !dirty {
            let mut sink = Vec::new();
            dirty = crate::gate::gate(dec, &mut st, &mut sink, None).replaced > 0;
        }
        if dirty {
            out.truncate(seg_start);
            out.extend_from_slice(UNREDACTABLE.as_bytes());
            self.gate_state = state;
        } else if state == crate::gate::GateState::default() && st == state {
            // What a scan of this line does (decode, detectors, gate from a fresh state)
            // was just done, found nothing and ended fresh.
            self.prove(seg_start, out);
        }
    }

    /// Records the line written from `seg_start` as proven clean, when proofs are kept.
    fn prove(&mut self, seg_start: usize, out: &[u8]) {
        if let Some(h) = &self.certify {
            self.proofs.push(fingerprint(h, &out[seg_start..]));
        }
    }

    /// Keeps fingerprints of the lines this file's redaction proves clean, with `hasher`
    /// ([`crate::Certified`]). Only [`Mode::Lines`] proves lines.
    pub(crate) fn certify_with(&mut self, hasher: std::hash::RandomState) {
        if self.mode == Mode::Lines && self.gate {
            self.certify = Some(hasher);
        }
    }

    /// The fingerprints proven so far, which start again from none.
    pub(crate) fn take_proofs(&mut self) -> Vec<u64> {
        std::mem::take(&mut self.proofs)
    }

    /// Re-analyzes a line that had replacements until nothing matches: a replacement can
    /// join its neighbours into a new match (`<user>` splitting a word into a token-shaped
    /// rest, a pseudonym completing an email, a placeholder exposing the next header-like
    /// fragment of a binary line), and the output of a redaction must scan clean. Lines
    /// without replacements are clean by construction.
    /// Returns whether the last analysis read the output as it is (not decoded) and found
    /// nothing.
    fn settle(&mut self, seg_start: usize, out: &mut Vec<u8>) -> bool {
        self.settle_within(seg_start, out, self.settle_passes)
    }

    /// [`Self::settle`] with at most `passes` extra passes. A line still matching after
    /// them is replaced whole by [`UNREDACTABLE`]: redaction fails closed.
    fn settle_within(&mut self, seg_start: usize, out: &mut Vec<u8>, passes: usize) -> bool {
        let mut seg = std::mem::take(&mut self.gate_buf);
        for _ in 0..passes {
            seg.clear();
            let decoded = needs_decoding(&out[seg_start..]);
            if decoded {
                decode_into(&out[seg_start..], &mut seg);
            } else {
                seg.extend_from_slice(&out[seg_start..]);
            }
            let _ = self
                .s
                .analyze(&seg, &mut self.low, &mut self.spans, &mut self.keys);
            if self.spans.is_empty() {
                self.gate_buf = seg;
                return !decoded;
            }
            out.truncate(seg_start);
            write_spans(
                self.s,
                &self.spans,
                &mut self.pseudonyms,
                &mut self.counts,
                &seg,
                out,
            );
        }
        self.gate_buf = seg;
        let seg = out[seg_start..].to_vec();
        let mut findings = Vec::new();
        let mut check = self.s.file(Mode::Lines);
        // The gate runs after settling; here only the detectors must be satisfied.
        check.gate = false;
        check.scan_line(&seg, 0, &mut findings);
        if let Some(first) = findings.first() {
            self.counts.add(first.rule);
            out.truncate(seg_start);
            out.extend_from_slice(UNREDACTABLE.as_bytes());
        }
        false
    }

    /// Ends the file: gates a last line without a newline, closes a line left open by a
    /// multi-line value.
    pub fn finish(&mut self, out: &mut Vec<u8>) {
        self.dropping_line = false;
        let open = self.open.take().is_some();
        if let Some(start) = self.line_start {
            self.end_line(start, out);
        }
        if open {
            out.push(b'\n');
        }
    }

    /// Reports every match on one line (`line_no` is 1-based).
    pub fn scan_line(&mut self, line: &[u8], line_no: u64, findings: &mut Vec<Finding>) {
        self.scan_piece(line, true, line_no, findings);
    }

    /// [`Self::scan_piece`], passing over a whole line that `proven` holds (the redaction
    /// that wrote it proved that scanning it from a fresh state finds nothing and ends
    /// fresh): only in [`Mode::Lines`], only a line that comes in one piece, only from a
    /// fresh state.
    pub fn scan_piece_proven(
        &mut self,
        line: &[u8],
        newline: bool,
        line_no: u64,
        findings: &mut Vec<Finding>,
        proven: Option<&crate::Certified>,
    ) {
        let fresh = self.mode == Mode::Lines
            && self.gate
            && newline
            && !self.scan_mid_line
            && self.open.is_none()
            && self.scan_line.is_empty()
            && !self.scan_line_flagged
            && self.gate_state == crate::gate::GateState::default();
        if fresh && (proven.is_some_and(|p| p.contains(line)) || self.closed_at_fresh_state(line)) {
            return;
        }
        self.scan_piece(line, newline, line_no, findings);
    }

    /// [`Self::scan_line`] for a piece of a line: `newline` as in [`Self::redact_line`].
    pub fn scan_piece(
        &mut self,
        line: &[u8],
        newline: bool,
        line_no: u64,
        findings: &mut Vec<Finding>,
    ) {
        self.scan_mid_line = !newline;
        let Some(line) = self.after_open(line) else {
            if newline {
                self.line_ended_inside();
            }
            return;
        };
        let dec: &[u8] = if needs_decoding(line) {
            decode_into(line, &mut self.dec);
            &self.dec
        } else {
            line
        };
        let open = self
            .s
            .analyze(dec, &mut self.low, &mut self.spans, &mut self.keys);
        self.open = self.carry(open, newline);
        for span in &self.spans {
            self.counts.add(span.rule);
            findings.push(Finding {
                line: line_no,
                rule: span.rule,
                preview: preview(&dec[span.start..span.end]),
            });
        }
        if !self.gate {
            return;
        }
        // The gate reads whole lines: pieces are gathered (up to [`MAX_GATED_LINE`]).
        if !self.spans.is_empty() {
            self.scan_line_flagged = true;
        }
        if self.scan_line.len() < MAX_GATED_LINE {
            self.scan_line.extend_from_slice(dec);
        } else if !self.scan_line_flagged {
            self.scan_line_flagged = true;
            self.counts.add(Rule::Unvetted);
            findings.push(Finding {
                line: line_no,
                rule: Rule::Unvetted,
                preview: "a line longer than 8 MiB".to_string(),
            });
        }
        if !newline {
            return;
        }
        let whole = std::mem::take(&mut self.scan_line);
        if !self.scan_line_flagged {
            self.gate_buf.clear();
            self.gate_spans.clear();
            crate::gate::gate(
                &whole,
                &mut self.gate_state,
                &mut self.gate_buf,
                Some(&mut self.gate_spans),
            );
            for &(a, b) in &self.gate_spans {
                self.counts.add(Rule::Unvetted);
                findings.push(Finding {
                    line: line_no,
                    rule: Rule::Unvetted,
                    preview: preview(&whole[a..b]),
                });
            }
        } else {
            // The line is reported already; the gate still reads it for what it carries to
            // the next line, so the next line reads the same whatever came before this one
            // (the parallel scan cuts files at such lines).
            self.gate_buf.clear();
            crate::gate::gate(&whole, &mut self.gate_state, &mut self.gate_buf, None);
        }
        self.scan_line = whole;
        self.scan_line.clear();
        self.scan_line_flagged = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fuzz input whose header-like fragments surface one per pass (it needs three).
    const CHAIN: &[u8] = include_bytes!("../tests/fuzz-regressions/binary-header-fragments.bin");

    fn redact_with_passes(s: &Scrubber, data: &[u8], passes: usize) -> Vec<u8> {
        let mut f = s.file(Mode::Lines);
        f.settle_passes = passes;
        let mut out = Vec::new();
        for line in data.split(|&b| b == b'\n') {
            f.redact_line(line, true, &mut out);
        }
        f.finish(&mut out);
        out
    }

    fn findings(s: &Scrubber, out: &[u8]) -> Vec<Finding> {
        let mut check = s.file(Mode::Lines);
        let mut found = Vec::new();
        for (i, line) in out.split(|&b| b == b'\n').enumerate() {
            check.scan_line(line, i as u64 + 1, &mut found);
        }
        found
    }

    #[test]
    fn a_line_that_does_not_settle_is_omitted_whole() {
        let s = scrubber();
        // With the real pass budget the line settles and keeps its context.
        let settled = redact_with_passes(&s, CHAIN, SETTLE_PASSES);
        assert!(findings(&s, &settled).is_empty());
        assert!(!String::from_utf8_lossy(&settled).contains(UNREDACTABLE));
        // With too few passes it fails closed: the line is omitted, the output scans clean.
        let starved = redact_with_passes(&s, CHAIN, 1);
        assert!(findings(&s, &starved).is_empty());
        let text = String::from_utf8_lossy(&starved);
        assert_eq!(text.matches(UNREDACTABLE).count(), 1, "{text}");
        assert_eq!(text.lines().count(), CHAIN.split(|&b| b == b'\n').count());
    }

    fn scrubber() -> Scrubber {
        let known = KnownValues {
            tokens: vec!["rt_known_refresh_value".into()],
            emails: vec!["alice@example.com".into()],
            account_ids: vec!["acc_healthy1".into()],
            identity_keys: vec!["acc_healthy1|alice@example.com|plus".into()],
            session_ids: vec![],
            aliases: vec![],
        };
        let opts = Options {
            drop_bodies: true,
            home: Some("/home/bob".into()),
            user: Some("bob".into()),
            keep_unvetted: false,
        };
        Scrubber::new(&known, &opts, Pseudonymizer::with_key(&[3; 32]))
    }

    #[test]
    fn a_line_is_redacted_and_context_kept() {
        let s = scrubber();
        let (out, counts) = s.redact_text(
            r#"{"event":"fetch_attempt_response","status":429,"ms":12,"identityKey":"acc_healthy1|alice@example.com|plus","url":"https://x/cb?code=ac_Zq81&state=st9Q","file":"/home/bob/x.log","by":"bob"}"#,
            Mode::Lines,
        );
        assert!(
            out.contains(r#""event":"fetch_attempt_response","status":429,"ms":12"#),
            "{out}"
        );
        assert!(
            !out.contains("alice") && !out.contains("acc_healthy1"),
            "{out}"
        );
        assert!(out.contains("code=[redacted]&state=[redacted]"), "{out}");
        // The home is `~`; a file name that is not the plugin's own is the user's.
        assert!(
            out.contains(r#""file":"~/<string:5>","by":"<user>""#),
            "{out}"
        );
        assert!(counts.total() >= 5);
        let ident = s.pseudonymizer().pseudonym(
            crate::Kind::Identity,
            b"acc_healthy1|alice@example.com|plus",
        );
        assert!(out.contains(&ident), "{out}");
    }

    #[test]
    fn multi_line_values_are_skipped_in_documents() {
        let s = scrubber();
        let doc = "{\n  \"url\": \"https://chatgpt.com\",\n  \"body\": {\n    \"input\": [\"my prompt\"],\n    \"n\": {}\n  },\n  \"status\": 200\n}\n";
        let (out, counts) = s.redact_text(doc, Mode::Document);
        assert_eq!(
            out,
            "{\n  \"url\": \"https://chatgpt.com\",\n  \"body\": \"[omitted: request body]\",\n  \"status\": 200\n}\n"
        );
        assert_eq!(
            counts.nonzero().collect::<Vec<_>>(),
            vec![(Rule::BodyDropped, 1)]
        );
    }

    #[test]
    fn redacted_output_scans_clean() {
        let s = scrubber();
        let text = "Authorization: Bearer abcdefgh12345\nuser alice@example.com rt_known_refresh_value eyJhbGciOiJub25lIn0.eyJlbWFpbCI6ImFAYi5jIn0.c2ln\n";
        let findings = s.scan_text(text, Mode::Lines);
        assert!(findings.len() >= 4, "{findings:?}");
        assert!(findings.iter().all(|f| !f.preview.contains("alice")));
        let (out, _) = s.redact_text(text, Mode::Lines);
        assert_eq!(s.scan_text(&out, Mode::Lines), vec![], "{out}");
    }
}
