//! JSON Lines through their schema on worker threads, read back in order.
//!
//! [`SchemaPool`] gives, byte for byte, what reading the file line by line through
//! [`LineSchema`] gives: the input is cut into pieces of whole lines of about [`PIECE`]
//! bytes, each piece goes to a worker (piece `n` to worker `n % threads`, so every worker's answers
//! come back in input order), and the reader hands out the rewritten pieces in order. A line
//! longer than [`MAX_SCHEMA_LINE`] is cut into pieces without a newline when it is longer
//! than a piece, and each piece goes to [`unread`] (as it is, or left out by the kind). A file of one piece is read on the calling thread, without
//! starting any worker. At most two pieces per worker are in flight, so memory stays
//! bounded; the workers stop when the pool is dropped.

use std::cell::RefCell;
use std::io::{self, Read};
use std::rc::Rc;
use std::sync::mpsc;
use std::thread::JoinHandle;

use codex_scrub::schema::{FileKind, Memo, SchemaOptions};
use codex_scrub::{Counts, Pseudonymizer};

use crate::structured::{overlong, unread, LineSchema, Tally, MAX_SCHEMA_LINE};

/// The size a piece is cut at (the last newline after it); at least [`MAX_SCHEMA_LINE`], so
/// a piece with no newline is always an overlong line.
pub(crate) const PIECE: usize = MAX_SCHEMA_LINE as usize;

/// One piece of input.
struct Job {
    data: Vec<u8>,
    /// Part of an overlong line: passes as it is, or is left out ([`unread`]).
    raw: bool,
    /// The first part of its overlong line.
    first: bool,
}

/// A worker's rewrite of one piece.
struct Done {
    out: Vec<u8>,
    counts: Counts,
    /// Bytes of input it came from.
    read: u64,
}

struct Worker {
    jobs: Option<mpsc::SyncSender<Job>>,
    done: mpsc::Receiver<Done>,
    handle: Option<JoinHandle<()>>,
}

/// What the schema of one file needs on any thread.
#[derive(Clone)]
struct Rewrite {
    kind: FileKind,
    p: Pseudonymizer,
    options: SchemaOptions,
}

impl Rewrite {
    fn piece(&self, memo: &mut Memo, job: &Job) -> Done {
        let mut out = Vec::with_capacity(job.data.len() + job.data.len() / 8);
        let mut counts = Counts::default();
        if job.raw {
            unread(self.kind, &job.data, job.first, &mut out, &mut counts);
        } else {
            let mut schema = LineSchema {
                kind: self.kind,
                p: &self.p,
                options: self.options,
                memo,
            };
            for line in job.data.split_inclusive(|&b| b == b'\n') {
                if overlong(line) {
                    unread(self.kind, line, true, &mut out, &mut counts);
                } else {
                    schema.line(line, &mut out, &mut counts);
                }
            }
        }
        Done {
            out,
            counts,
            read: job.data.len() as u64,
        }
    }
}

/// A reader that passes every JSON-object line of `inner` through the schema of its kind,
/// on `threads` threads.
pub(crate) struct SchemaPool<R> {
    inner: R,
    rewrite: Rewrite,
    threads: usize,
    piece: usize,
    /// Read and not yet handed to a worker; starts at a line start unless `raw_until_newline`.
    pending: Vec<u8>,
    eof: bool,
    /// The cutter is inside an overlong line.
    raw_until_newline: bool,
    workers: Vec<Worker>,
    sent: u64,
    next: u64,
    out: Vec<u8>,
    at: usize,
    tally: Rc<RefCell<Tally>>,
    /// The calling thread's memo (a file of one piece).
    memo: Memo,
}

impl<R: Read> SchemaPool<R> {
    pub(crate) fn new(
        inner: R,
        kind: FileKind,
        p: Pseudonymizer,
        options: SchemaOptions,
        tally: Rc<RefCell<Tally>>,
        threads: usize,
    ) -> SchemaPool<R> {
        SchemaPool::with_piece(inner, kind, p, options, tally, threads, PIECE)
    }

    /// [`SchemaPool::new`] with pieces of `piece` bytes (tests; at least 1).
    pub(crate) fn with_piece(
        inner: R,
        kind: FileKind,
        p: Pseudonymizer,
        options: SchemaOptions,
        tally: Rc<RefCell<Tally>>,
        threads: usize,
        piece: usize,
    ) -> SchemaPool<R> {
        SchemaPool {
            inner,
            rewrite: Rewrite { kind, p, options },
            threads: threads.max(1),
            piece: piece.max(1),
            pending: Vec::new(),
            eof: false,
            raw_until_newline: false,
            workers: Vec::new(),
            sent: 0,
            next: 0,
            out: Vec::new(),
            at: 0,
            tally,
            memo: Memo::default(),
        }
    }

    /// Reads until `pending` holds at least `want` bytes or the input ends.
    fn fill(&mut self, want: usize) -> io::Result<()> {
        if !self.eof {
            self.eof = codex_scrub::parallel::fill_to(&mut self.inner, &mut self.pending, want)?;
        }
        Ok(())
    }

    /// The next piece: whole lines, or part of an overlong line; `None` at the end.
    fn next_job(&mut self) -> io::Result<Option<Job>> {
        // A piece holds a whole line of up to MAX_SCHEMA_LINE bytes, newline included.
        let want = self.piece.max(MAX_SCHEMA_LINE as usize + 1);
        self.fill(want)?;
        if self.pending.is_empty() {
            return Ok(None);
        }
        if self.raw_until_newline {
            let end = match memchr::memchr(b'\n', &self.pending) {
                Some(nl) => {
                    self.raw_until_newline = false;
                    nl + 1
                }
                None => self.pending.len(),
            };
            return Ok(Some(self.cut(end, true, false)));
        }
        let look = self.piece.min(self.pending.len());
        // The first newline at or after the piece size, else the last one before it.
        let end = memchr::memchr(b'\n', &self.pending[look.saturating_sub(1)..])
            .map(|p| p + look.saturating_sub(1) + 1)
            .or_else(|| memchr::memrchr(b'\n', &self.pending).map(|p| p + 1));
        Ok(Some(match end {
            Some(end) => self.cut(end, false, false),
            // No newline: the last line of the input, or a line too long for the schema.
            None if self.eof => self.cut(self.pending.len(), false, false),
            None => {
                self.raw_until_newline = true;
                self.cut(self.pending.len(), true, true)
            }
        }))
    }

    fn cut(&mut self, end: usize, raw: bool, first: bool) -> Job {
        let rest = self.pending.split_off(end);
        Job {
            data: std::mem::replace(&mut self.pending, rest),
            raw,
            first,
        }
    }

    fn start_workers(&mut self) {
        for _ in 0..self.threads {
            let (job_tx, job_rx) = mpsc::sync_channel::<Job>(2);
            let (done_tx, done_rx) = mpsc::channel::<Done>();
            let rewrite = self.rewrite.clone();
            let handle = std::thread::spawn(move || {
                let mut memo = Memo::default();
                for job in job_rx {
                    if done_tx.send(rewrite.piece(&mut memo, &job)).is_err() {
                        return;
                    }
                }
            });
            self.workers.push(Worker {
                jobs: Some(job_tx),
                done: done_rx,
                handle: Some(handle),
            });
        }
    }

    /// Sends pieces until every worker has two in flight or the input ends.
    fn feed(&mut self) -> io::Result<()> {
        while self.sent - self.next < 2 * self.threads as u64 {
            let Some(job) = self.next_job()? else {
                return Ok(());
            };
            let k = (self.sent % self.threads as u64) as usize;
            let sender = self.workers.get(k).and_then(|w| w.jobs.as_ref());
            match sender {
                Some(tx) if tx.send(job).is_ok() => self.sent += 1,
                _ => return Err(io::Error::other("a schema thread stopped")),
            }
        }
        Ok(())
    }

    /// The next rewritten piece into `out`; false at the end.
    fn refill(&mut self) -> io::Result<bool> {
        self.out.clear();
        self.at = 0;
        if self.workers.is_empty() {
            let Some(job) = self.next_job()? else {
                return Ok(false);
            };
            if self.eof && self.pending.is_empty() {
                // The whole input was one piece: no thread needed.
                let done = self.rewrite.piece(&mut self.memo, &job);
                self.take(done);
                return Ok(true);
            }
            self.start_workers();
            match self.workers.first().and_then(|w| w.jobs.as_ref()) {
                Some(tx) if tx.send(job).is_ok() => self.sent += 1,
                _ => return Err(io::Error::other("a schema thread stopped")),
            }
        }
        self.feed()?;
        if self.next == self.sent {
            return Ok(false);
        }
        let k = (self.next % self.threads as u64) as usize;
        let done = match self.workers.get(k).map(|w| w.done.recv()) {
            Some(Ok(d)) => d,
            _ => return Err(io::Error::other("a schema thread stopped")),
        };
        self.next += 1;
        self.take(done);
        Ok(true)
    }

    fn take(&mut self, done: Done) {
        let mut tally = self.tally.borrow_mut();
        tally.bytes_read += done.read;
        tally.counts.merge(&done.counts);
        self.out = done.out;
    }
}

impl<R: Read> Read for SchemaPool<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
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

impl<R> Drop for SchemaPool<R> {
    fn drop(&mut self) {
        for w in &mut self.workers {
            w.jobs = None;
        }
        for w in &mut self.workers {
            // Answers not read are dropped with the receiver; a worker blocked on nothing
            // ends when its job channel closes.
            if let Some(h) = w.handle.take() {
                let _ = h.join();
            }
        }
    }
}

#[cfg(test)]
#[path = "schema_pool_tests.rs"]
mod tests;
