//! Redaction and scanning of one file on several threads, with the serial output.
//!
//! The input is cut into chunks of whole lines (about [`CHUNK`] bytes). In [`Mode::Lines`]
//! what one line hands to the next is the gate's [`GateState`] (the key of an open
//! pretty-printed array, a YAML value under a credential's name, a shell prompt's printed
//! secret), and a line at its first column that is not JSON or starts with `{` (and not `-`)
//! does not read it ([`crate::gate::fresh_start`]) unless the line before is a shell prompt
//! that hands its output on ([`crate::gate::hands_on`]). Chunks start at such lines
//! ("fresh"), so each worker reads its chunk with a fresh state and the results, written in
//! order, are byte for byte those of one thread. A chunk that cannot start fresh (no fresh
//! line within [`MAX_CHUNK`]) is read on the calling thread after the ones before it, with
//! the state they ended in; so is the rest of a file once a line grows past [`MAX_CHUNK`]
//! without a newline (it is streamed in bounded pieces, as [`crate::redact_stream`] does).
//!
//! Pseudonyms are keyed hashes of the value, so every thread gives a value the same one; the
//! caches the threads keep (pseudonyms, keys, gate verdicts) are pure memos. A byte budget
//! (`max_out`) keeps whole lines exactly as the serial stream does: the chunk where the budget
//! runs out is read again on the calling thread, serially, with the budget that is left.
//! Memory stays bounded: at most two chunks per thread are in flight. A file of one chunk is
//! read on the calling thread, without starting any.

use std::collections::BTreeMap;
use std::io::{self, Cursor, Read, Write};
use std::sync::mpsc;

use crate::certify::Certified;
use crate::engine::{Counts, FileScrubber, Finding, Mode, Scrubber};
use crate::gate::GateState;
use crate::stream::{redact_stream, LineReader, StreamOutcome};

/// The size a chunk is cut at (the next fresh line after it).
pub const CHUNK: usize = 1 << 20;

/// The most a chunk grows while looking for a fresh line or a newline.
pub const MAX_CHUNK: usize = 16 << 20;

/// Where chunks are cut: about `chunk` bytes, at most `max` while looking for a fresh line.
#[derive(Debug, Clone, Copy)]
#[doc(hidden)]
pub struct Sizes {
    /// The size a chunk is cut at.
    pub chunk: usize,
    /// The most a chunk grows.
    pub max: usize,
}

impl Default for Sizes {
    fn default() -> Sizes {
        Sizes {
            chunk: CHUNK,
            max: MAX_CHUNK,
        }
    }
}

/// Reads from `reader` onto `buf` until it holds at least `want` bytes; `true` when the
/// input ended first. For readers that cut their input into pieces of whole lines.
pub fn fill_to(reader: &mut impl Read, buf: &mut Vec<u8>, want: usize) -> io::Result<bool> {
    let mut block = [0u8; 64 * 1024];
    while buf.len() < want {
        match reader.read(&mut block) {
            Ok(0) => return Ok(true),
            Ok(n) => buf.extend_from_slice(&block[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(false)
}

/// One piece of input from [`Chunker`].
enum Piece {
    /// Whole lines; `fresh`: the first line does not read the state before it.
    Lines { data: Vec<u8>, fresh: bool },
    /// No newline within [`MAX_CHUNK`]: these bytes and everything after are read serially.
    Rest(Vec<u8>),
}

/// Cuts a reader into chunks of whole lines that start at fresh lines where it can.
struct Chunker<R> {
    inner: R,
    /// [`CHUNK`] and [`MAX_CHUNK`] (smaller in tests).
    sizes: Sizes,
    /// Read and not yet handed out.
    pending: Vec<u8>,
    /// Whether `pending` starts at a fresh line.
    pending_fresh: bool,
    eof: bool,
}

impl<R: Read> Chunker<R> {
    fn new(inner: R, sizes: Sizes) -> Chunker<R> {
        Chunker {
            inner,
            sizes,
            pending: Vec::new(),
            pending_fresh: true,
            eof: false,
        }
    }

    /// Reads until `pending` holds at least `want` bytes or the input ends.
    fn fill(&mut self, want: usize) -> io::Result<()> {
        if !self.eof {
            self.eof = fill_to(&mut self.inner, &mut self.pending, want)?;
        }
        Ok(())
    }

    fn next_piece(&mut self) -> io::Result<Option<Piece>> {
        let Sizes { chunk, max } = self.sizes;
        let mut scan_from = 0;
        let mut want = chunk;
        loop {
            self.fill(want)?;
            if self.pending.is_empty() {
                return Ok(None);
            }
            // A cut after a newline at or past CHUNK where the next line is fresh.
            let mut resume = None;
            let from = scan_from.max(chunk.min(self.pending.len()).saturating_sub(1));
            for nl in memchr::memchr_iter(b'\n', &self.pending[from..]).map(|p| p + from) {
                let next = &self.pending[nl + 1..];
                let line_end = memchr::memchr(b'\n', next).unwrap_or(next.len());
                // The next line must be whole in `pending` to be judged: read on, then look
                // at this newline again.
                if line_end == next.len() && !self.eof {
                    resume = Some(nl);
                    break;
                }
                let prev = &self.pending
                    [memchr::memrchr(b'\n', &self.pending[..nl]).map_or(0, |p| p + 1)..nl];
                if crate::gate::fresh_start(&next[..line_end]) && !crate::gate::may_hand_on(prev) {
                    return Ok(Some(self.cut(nl + 1, true)));
                }
            }
            if self.eof {
                let data = std::mem::take(&mut self.pending);
                let fresh = self.pending_fresh;
                self.pending_fresh = true;
                return Ok(Some(Piece::Lines { data, fresh }));
            }
            if self.pending.len() >= max {
                return Ok(Some(match memchr::memrchr(b'\n', &self.pending) {
                    // Whole lines, but the next one does not start fresh.
                    Some(nl) => self.cut(nl + 1, false),
                    None => Piece::Rest(std::mem::take(&mut self.pending)),
                }));
            }
            scan_from = resume.unwrap_or(self.pending.len());
            want = self.pending.len() + chunk;
        }
    }

    /// Hands out `pending[..at]`; what follows starts fresh or not.
    fn cut(&mut self, at: usize, next_fresh: bool) -> Piece {
        let rest = self.pending.split_off(at);
        let data = std::mem::replace(&mut self.pending, rest);
        let fresh = std::mem::replace(&mut self.pending_fresh, next_fresh);
        Piece::Lines { data, fresh }
    }
}

/// What the calling thread does with each chunk, in order: `(chunk, what a worker made of
/// it or None, the rest of the input)`; `false` stops.
type Consume<'a, T> = dyn FnMut(Vec<u8>, Option<T>, Option<&mut dyn Read>) -> io::Result<bool> + 'a;

/// What a worker made of one chunk.
struct Done<T> {
    seq: u64,
    data: Vec<u8>,
    result: T,
}

/// Runs `work` over the fresh chunks of `reader` on `threads` threads and hands every chunk to
/// `consume` in input order: `Some(result)` for a chunk a worker read, `None` for one that did
/// not start fresh (the consumer reads it itself, with the state the chunk before it ended
/// in), with the reader of the rest of the input when no newline came within [`MAX_CHUNK`].
/// `consume` returns `false` to stop.
fn run_ordered<R, S, T>(
    reader: R,
    threads: usize,
    sizes: Sizes,
    make: impl Fn() -> S + Sync,
    work: impl Fn(&mut S, &[u8]) -> T + Sync,
    consume: &mut Consume<'_, T>,
) -> io::Result<()>
where
    R: Read,
    T: Send,
{
    let mut chunker = Chunker::new(reader, sizes);
    // A file that is one chunk (most are small) is read on the calling thread.
    let mut first = chunker.next_piece()?;
    if first.is_none() {
        return Ok(());
    }
    if chunker.eof && chunker.pending.is_empty() {
        if let Some(Piece::Lines { data, fresh: true }) = first {
            let result = work(&mut make(), &data);
            consume(data, Some(result), None)?;
            return Ok(());
        }
    }
    std::thread::scope(|scope| -> io::Result<()> {
        let (done_tx, done_rx) = mpsc::channel::<Done<T>>();
        let mut job_txs = Vec::new();
        for _ in 0..threads {
            let (tx, rx) = mpsc::sync_channel::<(u64, Vec<u8>)>(2);
            let done_tx = done_tx.clone();
            let (make, work) = (&make, &work);
            scope.spawn(move || {
                let mut state = make();
                for (seq, data) in rx {
                    let result = work(&mut state, &data);
                    if done_tx.send(Done { seq, data, result }).is_err() {
                        return;
                    }
                }
            });
            job_txs.push(tx);
        }
        drop(done_tx);
        let mut ready: BTreeMap<u64, Done<T>> = BTreeMap::new();
        let (mut sent, mut next) = (0u64, 0u64);
        let mut stopped = false;
        // Hands finished chunks to `consume` in order; with `all`, waits for every one sent.
        let drain = |ready: &mut BTreeMap<u64, Done<T>>,
                     next: &mut u64,
                     sent: u64,
                     all: bool,
                     stopped: &mut bool,
                     consume: &mut Consume<'_, T>|
         -> io::Result<()> {
            loop {
                while let Some(d) = ready.remove(next) {
                    *next += 1;
                    if !*stopped && !consume(d.data, Some(d.result), None)? {
                        *stopped = true;
                    }
                }
                let in_flight = sent - *next;
                let must_wait = if all {
                    in_flight > 0
                } else {
                    in_flight >= 2 * threads as u64
                };
                if !must_wait {
                    return Ok(());
                }
                match done_rx.recv() {
                    Ok(d) => {
                        ready.insert(d.seq, d);
                    }
                    Err(_) => return Err(io::Error::other("a redaction thread stopped")),
                }
            }
        };
        while !stopped {
            let piece = match first.take() {
                Some(p) => p,
                None => match chunker.next_piece()? {
                    Some(p) => p,
                    None => break,
                },
            };
            match piece {
                Piece::Lines { data, fresh: true } => {
                    let k = (sent % threads as u64) as usize;
                    job_txs[k]
                        .send((sent, data))
                        .map_err(|_| io::Error::other("a redaction thread stopped"))?;
                    sent += 1;
                    drain(&mut ready, &mut next, sent, false, &mut stopped, consume)?;
                }
                Piece::Lines { data, fresh: false } => {
                    drain(&mut ready, &mut next, sent, true, &mut stopped, consume)?;
                    if !stopped && !consume(data, None, None)? {
                        stopped = true;
                    }
                }
                Piece::Rest(data) => {
                    drain(&mut ready, &mut next, sent, true, &mut stopped, consume)?;
                    if !stopped {
                        let rest: &mut dyn Read = &mut chunker.inner;
                        consume(data, None, Some(rest))?;
                    }
                    stopped = true;
                }
            }
        }
        drop(job_txs);
        if !stopped {
            drain(&mut ready, &mut next, sent, true, &mut stopped, consume)?;
        }
        Ok(())
    })
}

/// How many threads to use: the machine's cores, at most 8.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// A worker's redaction of one chunk: the output, the counts, the state it ended in.
struct Redacted {
    out: Vec<u8>,
    counts: Counts,
    /// Fingerprints of the lines proven clean ([`crate::certify`]).
    proofs: Vec<u64>,
    /// The gate's state after the chunk's last line, for a chunk after it that does not
    /// start fresh (cut where no fresh line came within [`MAX_CHUNK`]).
    state: GateState,
}

/// Redacts a chunk that starts fresh with `fs`.
fn redact_chunk(fs: &mut FileScrubber<'_>, chunk: &[u8], out: &mut Vec<u8>) {
    fs.set_gate_state(GateState::default());
    let mut reader = LineReader::new(chunk);
    // Reading a slice cannot fail.
    while let Ok(Some((piece, newline))) = reader.next_piece() {
        fs.redact_line(piece, newline, out);
    }
    fs.finish(out);
}

/// [`redact_stream`] for a whole file on `threads` threads, with the same output, counts and
/// outcome. Documents ([`Mode::Document`]) and `threads < 2` run on the calling thread.
pub fn redact_parallel<R: Read, W: Write>(
    s: &Scrubber,
    mode: Mode,
    reader: R,
    writer: &mut W,
    max_out: Option<u64>,
    threads: usize,
    progress: &mut dyn FnMut(u64),
) -> io::Result<(StreamOutcome, Counts)> {
    redact_parallel_sized(
        s,
        mode,
        reader,
        writer,
        max_out,
        threads,
        Sizes::default(),
        progress,
    )
}

/// [`redact_parallel`] that also records the lines it proves clean in `certified`, so
/// the self-scan of its output can pass over them ([`crate::certify`]).
#[allow(clippy::too_many_arguments)]
pub fn redact_parallel_certified<R: Read, W: Write>(
    s: &Scrubber,
    mode: Mode,
    reader: R,
    writer: &mut W,
    max_out: Option<u64>,
    threads: usize,
    certified: &mut Certified,
    progress: &mut dyn FnMut(u64),
) -> io::Result<(StreamOutcome, Counts)> {
    redact_parallel_inner(
        s,
        mode,
        reader,
        writer,
        max_out,
        threads,
        Sizes::default(),
        Some(certified),
        progress,
    )
}

/// [`redact_parallel`] with chunk sizes of the caller's choosing (tests).
#[doc(hidden)]
#[allow(clippy::too_many_arguments)]
pub fn redact_parallel_sized<R: Read, W: Write>(
    s: &Scrubber,
    mode: Mode,
    reader: R,
    writer: &mut W,
    max_out: Option<u64>,
    threads: usize,
    sizes: Sizes,
    progress: &mut dyn FnMut(u64),
) -> io::Result<(StreamOutcome, Counts)> {
    redact_parallel_inner(
        s, mode, reader, writer, max_out, threads, sizes, None, progress,
    )
}

#[allow(clippy::too_many_arguments)]
fn redact_parallel_inner<R: Read, W: Write>(
    s: &Scrubber,
    mode: Mode,
    reader: R,
    writer: &mut W,
    max_out: Option<u64>,
    threads: usize,
    sizes: Sizes,
    mut certified: Option<&mut Certified>,
    progress: &mut dyn FnMut(u64),
) -> io::Result<(StreamOutcome, Counts)> {
    let hasher = certified.as_ref().map(|c| c.hasher());
    let file = |mode: Mode| {
        let mut fs = s.file(mode);
        if let Some(h) = &hasher {
            fs.certify_with(h.clone());
        }
        fs
    };
    if mode == Mode::Document || threads < 2 {
        let mut fs = file(mode);
        let mut lines = LineReader::new(reader);
        let outcome = redact_stream(&mut fs, &mut lines, writer, max_out, progress)?;
        if let Some(c) = certified {
            c.extend(fs.take_proofs());
        }
        return Ok((outcome, fs.counts().clone()));
    }
    let mut outcome = StreamOutcome::default();
    let mut counts = Counts::default();
    // The gate's state after the chunks written so far.
    let mut state = GateState::default();
    let mut consume = |data: Vec<u8>,
                       mut done: Option<Redacted>,
                       rest: Option<&mut dyn Read>|
     -> io::Result<bool> {
        let left = max_out.map(|m| m.saturating_sub(outcome.bytes_out));
        let fits = |n: usize| left.is_none_or(|l| n as u64 <= l);
        if let (Some(d), None) = (&mut done, &rest) {
            if fits(d.out.len()) {
                writer.write_all(&d.out)?;
                outcome.bytes_in += data.len() as u64;
                outcome.bytes_out += d.out.len() as u64;
                counts.merge(&d.counts);
                if let Some(c) = certified.as_deref_mut() {
                    c.extend(std::mem::take(&mut d.proofs));
                }
                progress(data.len() as u64);
                state = d.state;
                return Ok(true);
            }
        }
        // Serially: a chunk that does not start fresh, the one where the budget runs out,
        // or the rest of an input with an overlong line.
        let start = if done.is_some() {
            GateState::default()
        } else {
            state
        };
        let mut fs = file(Mode::Lines);
        fs.set_gate_state(start);
        let o = match rest {
            Some(rest) => {
                let mut lines = LineReader::new(Cursor::new(&data[..]).chain(rest));
                redact_stream(&mut fs, &mut lines, writer, left, progress)?
            }
            None => {
                let mut lines = LineReader::new(&data[..]);
                redact_stream(&mut fs, &mut lines, writer, left, progress)?
            }
        };
        outcome.bytes_in += o.bytes_in;
        outcome.bytes_out += o.bytes_out;
        outcome.truncated = o.truncated;
        counts.merge(fs.counts());
        if let Some(c) = certified.as_deref_mut() {
            c.extend(fs.take_proofs());
        }
        state = fs.gate_state();
        Ok(!o.truncated)
    };
    run_ordered(
        reader,
        threads,
        sizes,
        || file(Mode::Lines),
        |fs: &mut FileScrubber<'_>, chunk: &[u8]| {
            let mut out = Vec::with_capacity(chunk.len() + chunk.len() / 4);
            redact_chunk(fs, chunk, &mut out);
            Redacted {
                out,
                counts: fs.take_counts(),
                proofs: fs.take_proofs(),
                state: fs.gate_state(),
            }
        },
        &mut consume,
    )?;
    Ok((outcome, counts))
}

/// [`crate::scan_stream`] over a whole file on `threads` threads: every finding, in order,
/// with its line number, as one thread finds them. Returns the bytes read.
pub fn scan_parallel<R: Read>(
    s: &Scrubber,
    mode: Mode,
    reader: R,
    threads: usize,
    on_piece: &OnPiece<'_>,
    on_finding: &mut dyn FnMut(Finding),
) -> io::Result<u64> {
    scan_parallel_sized(
        s,
        mode,
        reader,
        threads,
        Sizes::default(),
        on_piece,
        on_finding,
    )
}

/// How [`scan_parallel`] reads one piece of a line: `(scrubbers, piece, newline, line
/// number, findings)`; usually [`FileScrubber::scan_piece`] with the first scrubber (the
/// second is for a second reading of the same line, such as without its NUL bytes; both start
/// each chunk with a fresh state).
pub type OnPiece<'a> =
    dyn Fn(&mut [FileScrubber<'_>; 2], &[u8], bool, u64, &mut Vec<Finding>) + Sync + 'a;

/// [`scan_parallel`] with chunk sizes of the caller's choosing (tests).
#[doc(hidden)]
pub fn scan_parallel_sized<R: Read>(
    s: &Scrubber,
    mode: Mode,
    reader: R,
    threads: usize,
    sizes: Sizes,
    on_piece: &OnPiece<'_>,
    on_finding: &mut dyn FnMut(Finding),
) -> io::Result<u64> {
    let mut line_no = 1u64;
    let mut consumed = 0u64;
    let mut state = GateState::default();
    let scan = |fs: &mut [FileScrubber<'_>; 2],
                reader: &mut dyn Read,
                first_line: u64,
                found: &mut Vec<Finding>|
     -> io::Result<(u64, u64)> {
        let mut lines = LineReader::new(reader);
        let mut n = first_line;
        let mut ended = true;
        while let Some((piece, newline)) = lines.next_piece()? {
            on_piece(fs, piece, newline, n, found);
            ended = newline;
            if newline {
                n += 1;
            }
        }
        if !ended {
            // The input ends inside a line (no newline after the last one): the line ends
            // here, so the gate reads it too.
            on_piece(fs, b"", true, n, found);
        }
        Ok((n - first_line, lines.consumed))
    };
    if mode == Mode::Document || threads < 2 {
        let mut fs = [s.file(mode), s.file(Mode::Lines)];
        let mut found = Vec::new();
        let mut r = reader;
        let (_, n) = scan(&mut fs, &mut r, 1, &mut found)?;
        found.into_iter().for_each(&mut *on_finding);
        return Ok(n);
    }
    let mut consume = |data: Vec<u8>,
                       done: Option<(Vec<Finding>, u64, GateState)>,
                       rest: Option<&mut dyn Read>|
     -> io::Result<bool> {
        if let Some((found, lines, end)) = done {
            for mut f in found {
                f.line += line_no - 1;
                on_finding(f);
            }
            line_no += lines;
            consumed += data.len() as u64;
            state = end;
            return Ok(true);
        }
        let mut fs = [s.file(Mode::Lines), s.file(Mode::Lines)];
        fs[0].set_gate_state(state);
        let mut found = Vec::new();
        let (lines, n) = match rest {
            Some(rest) => scan(
                &mut fs,
                &mut Cursor::new(&data[..]).chain(rest),
                line_no,
                &mut found,
            )?,
            None => scan(&mut fs, &mut &data[..], line_no, &mut found)?,
        };
        found.into_iter().for_each(&mut *on_finding);
        line_no += lines;
        consumed += n;
        state = fs[0].gate_state();
        Ok(true)
    };
    run_ordered(
        reader,
        threads,
        sizes,
        || [s.file(Mode::Lines), s.file(Mode::Lines)],
        |fs: &mut [FileScrubber<'_>; 2], chunk: &[u8]| {
            for f in fs.iter_mut() {
                f.set_gate_state(GateState::default());
            }
            let mut found = Vec::new();
            // Reading a slice cannot fail.
            let (lines, _): (u64, u64) =
                scan(fs, &mut &chunk[..], 1, &mut found).unwrap_or_default();
            (found, lines, fs[0].gate_state())
        },
        &mut consume,
    )?;
    Ok(consumed)
}
