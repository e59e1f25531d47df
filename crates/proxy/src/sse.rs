//! Server-sent events: finding errors hidden at the start of a 200 stream, and the body
//! that streams the rest through.
//!
//! The Codex backend can answer 200 and open an event stream whose first events are an
//! error (`server_is_overloaded`, `usage_limit_reached`, …) instead of output.
//! [`hold_back`] reads the opening events without forwarding them — only until the first
//! event that is neither `response.created` / `response.in_progress` / `response.queued`
//! nor a comment, a byte budget, or a short time limit — and reports such an error while
//! nothing has reached the client, so the orchestrator can move to another account.
//! [`ProxyBody`] then sends the held chunks and the rest of the stream byte for byte as
//! received (no re-encoding, no parsing): chunks that have already arrived together leave in
//! one frame, and nothing waits for data that has not arrived. [`guard`] wraps the upstream
//! body so that it fails when it stays silent longer than the idle timeout or when the
//! shutdown drain cuts it. If the upstream body fails mid-stream (broken, silent, cut), an
//! SSE body ends with an `error` event (`upstream_stream_error`, `upstream_idle_timeout`,
//! `proxy_shutting_down`) instead of a truncated connection.

use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use codex_rotation::cooldown::{error_info, ErrorInfo};
use codex_rotation::{classify_error, ErrorClass};
use futures_util::{Stream, StreamExt};
use http_body::{Body, Frame, SizeHint};
use serde_json::{json, Value};

use crate::metrics::InflightGuard;

/// Why an upstream body ended early.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamFailure {
    /// The code of the `error` event sent to the client.
    pub code: &'static str,
    /// What happened.
    pub message: String,
}

impl std::fmt::Display for StreamFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl StreamFailure {
    fn broken(e: &dyn std::fmt::Display) -> StreamFailure {
        StreamFailure {
            code: "upstream_stream_error",
            message: format!("upstream stream ended unexpectedly: {e}"),
        }
    }
}

/// An upstream body as a stream of chunks.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, StreamFailure>> + Send>>;

/// Resolves when the shutdown drain cuts open streams.
pub type CutSignal = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A future that resolves once `cut` is set to true (never, if its sender goes away).
pub fn cut_signal(mut cut: tokio::sync::watch::Receiver<bool>) -> CutSignal {
    Box::pin(async move {
        if cut.wait_for(|c| *c).await.is_err() {
            std::future::pending::<()>().await;
        }
    })
}

/// An upstream body with an idle timeout and the drain's cut (see the module docs).
struct Guarded<S> {
    inner: S,
    idle: Duration,
    last: tokio::time::Instant,
    timer: Pin<Box<tokio::time::Sleep>>,
    cut: CutSignal,
    done: bool,
}

impl<S, E> Stream for Guarded<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    type Item = Result<Bytes, StreamFailure>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(b))) => {
                this.last = tokio::time::Instant::now();
                return Poll::Ready(Some(Ok(b)));
            }
            Poll::Ready(Some(Err(e))) => {
                this.done = true;
                return Poll::Ready(Some(Err(StreamFailure::broken(&e))));
            }
            Poll::Ready(None) => {
                this.done = true;
                return Poll::Ready(None);
            }
            Poll::Pending => {}
        }
        if this.cut.as_mut().poll(cx).is_ready() {
            this.done = true;
            return Poll::Ready(Some(Err(StreamFailure {
                code: "proxy_shutting_down",
                message: "the proxy is shutting down; the stream was cut".into(),
            })));
        }
        // The timer is moved only when it fires (not per chunk): then it is re-armed for the
        // last chunk's deadline, or the body has been silent for the whole timeout.
        loop {
            if this.timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            let deadline = this.last + this.idle;
            if deadline <= tokio::time::Instant::now() {
                this.done = true;
                return Poll::Ready(Some(Err(StreamFailure {
                    code: "upstream_idle_timeout",
                    message: format!(
                        "upstream sent nothing for {} s; the stream was ended",
                        this.idle.as_secs_f64()
                    ),
                })));
            }
            this.timer.as_mut().reset(deadline);
        }
    }
}

/// `inner` as a [`ByteStream`] that fails after `idle` without data or when `cut` resolves.
pub fn guard<S, E>(inner: S, idle: Duration, cut: CutSignal) -> ByteStream
where
    S: Stream<Item = Result<Bytes, E>> + Unpin + Send + 'static,
    E: std::fmt::Display + 'static,
{
    let last = tokio::time::Instant::now();
    Box::pin(Guarded {
        inner,
        idle,
        last,
        timer: Box::pin(tokio::time::sleep_until(last + idle)),
        cut,
        done: false,
    })
}

/// One dispatched event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SseEvent {
    /// The `event:` field.
    pub event: Option<String>,
    /// The `data:` lines joined with `\n`.
    pub data: String,
}

/// An incremental event-stream parser (fields `event` and `data`; others ignored).
#[derive(Debug, Default)]
pub struct SseScanner {
    line: Vec<u8>,
    last_cr: bool,
    event: Option<String>,
    data: Option<String>,
}

impl SseScanner {
    fn end_line(&mut self, out: &mut Vec<SseEvent>) {
        // The line buffer is kept (cleared) for the next line.
        let line = std::mem::take(&mut self.line);
        self.end_line_of(&line, out);
        self.line = line;
        self.line.clear();
    }

    fn end_line_of(&mut self, line: &[u8], out: &mut Vec<SseEvent>) {
        if line.is_empty() {
            if self.event.is_some() || self.data.is_some() {
                out.push(SseEvent {
                    event: self.event.take(),
                    data: self.data.take().unwrap_or_default(),
                });
            }
            return;
        }
        // Checked as UTF-8 first: the lossy conversion's own walk is slower.
        let text = match std::str::from_utf8(line) {
            Ok(t) => std::borrow::Cow::Borrowed(t),
            Err(_) => String::from_utf8_lossy(line),
        };
        if text.starts_with(':') {
            return;
        }
        let (field, value) = match text.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (text.as_ref(), ""),
        };
        match field {
            "event" => self.event = Some(value.to_string()),
            "data" => match &mut self.data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => self.data = Some(value.to_string()),
            },
            _ => {}
        }
    }

    /// Feeds bytes; complete events are appended to `out`. Lines end at `\n`, `\r` or
    /// `\r\n`; a line wholly inside `chunk` is read where it is, without a copy.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<SseEvent>) {
        let mut rest = chunk;
        while let Some(&first) = rest.first() {
            if self.last_cr {
                self.last_cr = false;
                if first == b'\n' {
                    rest = &rest[1..];
                    continue;
                }
            }
            let Some(n) = memchr::memchr2(b'\n', b'\r', rest) else {
                self.line.extend_from_slice(rest);
                return;
            };
            if self.line.is_empty() {
                self.end_line_of(&rest[..n], out);
            } else {
                self.line.extend_from_slice(&rest[..n]);
                self.end_line(out);
            }
            self.last_cr = rest[n] == b'\r';
            rest = &rest[n + 1..];
        }
    }
}

/// Event types that may precede an error and are held back.
pub const PREAMBLE_TYPES: [&str; 3] = [
    "response.created",
    "response.in_progress",
    "response.queued",
];

enum Verdict {
    Hold,
    Commit,
    Error(ErrorInfo),
}

/// The `type` member of an event object, borrowed (everything else is only validated).
#[derive(serde::Deserialize)]
struct Head<'a> {
    #[serde(rename = "type", borrow, default)]
    ty: Option<&'a serde_json::value::RawValue>,
}

/// The event's verdict, reading only its `type` (the whole event is parsed into a `Value`
/// only when it is an error). Agrees with [`judge_value`], which it falls back to for
/// anything but a plain object (checked by a test).
fn judge(ev: &SseEvent) -> Verdict {
    let data = ev.data.trim();
    if data == "[DONE]" {
        return Verdict::Commit;
    }
    if !data.starts_with('{') {
        return judge_value(ev);
    }
    let Ok(head) = serde_json::from_str::<Head<'_>>(&ev.data) else {
        return judge_value(ev);
    };
    let named = head
        .ty
        .and_then(|r| serde_json::from_str::<std::borrow::Cow<'_, str>>(r.get()).ok());
    let ty = named.as_deref().or(ev.event.as_deref()).unwrap_or("");
    if PREAMBLE_TYPES.contains(&ty) {
        return Verdict::Hold;
    }
    if ev.event.as_deref() == Some("error") || ty == "error" || ty == "response.failed" {
        return judge_value(ev);
    }
    Verdict::Commit
}

/// The event's verdict from its whole parsed `Value` (the reference for [`judge`]).
fn judge_value(ev: &SseEvent) -> Verdict {
    if ev.data.trim() == "[DONE]" {
        return Verdict::Commit;
    }
    let Ok(v) = serde_json::from_str::<Value>(&ev.data) else {
        return if ev.data.trim().is_empty() && ev.event.is_none() {
            Verdict::Hold
        } else {
            Verdict::Commit
        };
    };
    let ty = v
        .get("type")
        .and_then(Value::as_str)
        .or(ev.event.as_deref())
        .unwrap_or("");
    if PREAMBLE_TYPES.contains(&ty) {
        return Verdict::Hold;
    }
    if ev.event.as_deref() == Some("error") || ty == "error" || ty == "response.failed" {
        return Verdict::Error(error_info(&v).unwrap_or_default());
    }
    Verdict::Commit
}

#[cfg(test)]
mod judge_tests {
    use super::*;
    use proptest::prelude::*;

    /// The scanner as it was written first: a byte at a time.
    fn feed_bytewise(s: &mut SseScanner, chunk: &[u8], out: &mut Vec<SseEvent>) {
        for &b in chunk {
            match b {
                b'\n' if s.last_cr => s.last_cr = false,
                b'\n' => s.end_line(out),
                b'\r' => {
                    s.last_cr = true;
                    s.end_line(out);
                }
                _ => {
                    s.last_cr = false;
                    s.line.push(b);
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn the_scanner_reads_lines_as_the_bytewise_one_does(
            bytes in prop::collection::vec(prop_oneof![
                Just(b'\n'), Just(b'\r'), Just(b':'), Just(b' '),
                prop::sample::select(b"eventdatx{}".to_vec()),
                any::<u8>(),
            ], 0..120),
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..6),
        ) {
            let mut at: Vec<usize> = cuts.iter().map(|c| c.index(bytes.len() + 1)).collect();
            at.push(0);
            at.push(bytes.len());
            at.sort_unstable();
            let (mut a, mut b) = (SseScanner::default(), SseScanner::default());
            let (mut ea, mut eb) = (Vec::new(), Vec::new());
            for w in at.windows(2) {
                a.feed(&bytes[w[0]..w[1]], &mut ea);
                feed_bytewise(&mut b, &bytes[w[0]..w[1]], &mut eb);
                prop_assert_eq!(&ea, &eb);
                prop_assert_eq!(&a.line, &b.line);
                prop_assert_eq!(a.last_cr, b.last_cr);
            }
        }
    }

    fn same(a: &Verdict, b: &Verdict) -> bool {
        match (a, b) {
            (Verdict::Hold, Verdict::Hold) | (Verdict::Commit, Verdict::Commit) => true,
            (Verdict::Error(x), Verdict::Error(y)) => x == y,
            _ => false,
        }
    }

    #[test]
    fn the_type_scan_agrees_with_the_full_parse() {
        let datas = [
            r#"{"type":"response.created","response":{"id":"r"}}"#,
            r#"{"type":"response.in_progress"}"#,
            r#"{"type":"response.output_text.delta","delta":"hi"}"#,
            r#"{"type":"response.failed","response":{"error":{"code":"usage_limit_reached","message":"m"}}}"#,
            r#"{"type":"error","code":"rate_limit_exceeded","message":"slow"}"#,
            r#"{"type":"resp\u006fnse.created"}"#,
            r#"{"type":7}"#,
            r#"{"type":"a","type":"response.created"}"#,
            r#"{"other":1}"#,
            r#"["error"]"#,
            r#""response.created""#,
            "[DONE]",
            "",
            "not json",
            r#"{"type":"response.created""#,
        ];
        for data in datas {
            for event in [None, Some("error"), Some("response.created"), Some("x")] {
                let ev = SseEvent {
                    event: event.map(str::to_string),
                    data: data.to_string(),
                };
                assert!(same(&judge(&ev), &judge_value(&ev)), "{ev:?}");
            }
        }
    }
}

/// A stream whose opening chunks were read but not yet sent.
pub struct HeldStream {
    /// Chunks read, in order.
    pub chunks: Vec<Bytes>,
    /// The rest of the upstream body (none when it ended or failed).
    pub rest: Option<ByteStream>,
    /// The upstream body failed while held.
    pub failed: Option<StreamFailure>,
}

impl std::fmt::Debug for HeldStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeldStream")
            .field("chunks", &self.chunks.len())
            .field("open", &self.rest.is_some())
            .field("failed", &self.failed)
            .finish()
    }
}

/// The outcome of holding back a stream's opening.
#[derive(Debug)]
pub enum Hold {
    /// Send it: output started, the limits were reached, or the error is not the account's.
    Commit(HeldStream),
    /// The stream opened with an error about the account (or broke before any output).
    Failed {
        /// What was read.
        held: HeldStream,
        /// The error object.
        info: ErrorInfo,
        /// What it means.
        class: ErrorClass,
    },
}

/// Reads the opening of an event stream (see the module docs).
pub async fn hold_back(mut stream: ByteStream, limit: Duration, max_bytes: usize) -> Hold {
    let deadline = tokio::time::Instant::now() + limit;
    let mut scanner = SseScanner::default();
    let mut events = Vec::new();
    let mut chunks = Vec::new();
    let mut size = 0usize;
    loop {
        let next = match tokio::time::timeout_at(deadline, stream.next()).await {
            Ok(n) => n,
            Err(_) => {
                return Hold::Commit(HeldStream {
                    chunks,
                    rest: Some(stream),
                    failed: None,
                })
            }
        };
        match next {
            None => {
                return Hold::Commit(HeldStream {
                    chunks,
                    rest: None,
                    failed: None,
                })
            }
            Some(Err(e)) => {
                let message = format!("upstream stream failed before any output: {e}");
                return Hold::Failed {
                    held: HeldStream {
                        chunks,
                        rest: None,
                        failed: Some(StreamFailure {
                            code: e.code,
                            message: message.clone(),
                        }),
                    },
                    info: ErrorInfo {
                        code: Some(e.code.into()),
                        message: Some(message),
                        ..ErrorInfo::default()
                    },
                    class: ErrorClass::Transient,
                };
            }
            Some(Ok(chunk)) => {
                size += chunk.len();
                scanner.feed(&chunk, &mut events);
                chunks.push(chunk);
                for ev in events.drain(..) {
                    match judge(&ev) {
                        Verdict::Hold => {}
                        Verdict::Commit => {
                            return Hold::Commit(HeldStream {
                                chunks,
                                rest: Some(stream),
                                failed: None,
                            })
                        }
                        Verdict::Error(info) => {
                            let class =
                                classify_error(info.code.as_deref(), info.message.as_deref());
                            let held = HeldStream {
                                chunks,
                                rest: Some(stream),
                                failed: None,
                            };
                            return if class == ErrorClass::Other {
                                Hold::Commit(held)
                            } else {
                                Hold::Failed { held, info, class }
                            };
                        }
                    }
                }
                if size >= max_bytes {
                    return Hold::Commit(HeldStream {
                        chunks,
                        rest: Some(stream),
                        failed: None,
                    });
                }
            }
        }
    }
}

/// The event sent when the upstream stream fails after output started.
pub fn stream_error_event(code: &str, message: &str) -> Bytes {
    let data = json!({
        "type": "error",
        "code": code,
        "message": message,
        "param": null,
        "sequence_number": 0,
        "error": {"type": code, "code": code, "message": message},
    });
    Bytes::from(format!("event: error\ndata: {data}\n\n"))
}

/// Largest frame built from chunks that are already waiting.
const COALESCE_LIMIT: usize = 64 * 1024;

struct Streaming {
    held: VecDeque<Bytes>,
    rest: Option<ByteStream>,
    sse: bool,
    tail: [u8; 2],
    pending_error: Option<StreamFailure>,
    /// Chunks received and not yet handed to the server, joined.
    acc: Acc,
}

/// Chunks being joined into one frame: the first without a copy, more into a buffer.
#[derive(Default)]
enum Acc {
    #[default]
    Empty,
    One(Bytes),
    Many(bytes::BytesMut),
}

impl Acc {
    fn len(&self) -> usize {
        match self {
            Acc::Empty => 0,
            Acc::One(b) => b.len(),
            Acc::Many(m) => m.len(),
        }
    }

    fn push(&mut self, chunk: Bytes) {
        *self = match std::mem::take(self) {
            Acc::Empty => Acc::One(chunk),
            Acc::One(first) => {
                let mut m = bytes::BytesMut::with_capacity((first.len() + chunk.len()).max(4096));
                m.extend_from_slice(&first);
                m.extend_from_slice(&chunk);
                Acc::Many(m)
            }
            Acc::Many(mut m) => {
                m.extend_from_slice(&chunk);
                Acc::Many(m)
            }
        };
    }

    fn take(&mut self) -> Option<Bytes> {
        match std::mem::take(self) {
            Acc::Empty => None,
            Acc::One(b) => Some(b),
            Acc::Many(m) => Some(m.freeze()),
        }
    }
}

impl Streaming {
    fn note(&mut self, chunk: &Bytes) {
        match chunk.len() {
            0 => {}
            1 => self.tail = [self.tail[1], chunk[0]],
            n => self.tail = [chunk[n - 2], chunk[n - 1]],
        }
    }

    fn error_frame(&mut self, f: &StreamFailure) -> Bytes {
        let mut out = Vec::new();
        if self.tail != *b"\n\n" {
            out.extend_from_slice(b"\n\n");
        }
        out.extend_from_slice(&stream_error_event(f.code, &f.message));
        Bytes::from(out)
    }

    /// The pending error as the body's next frame (SSE) or error (anything else).
    fn error(&mut self, f: &StreamFailure) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if self.sse {
            let frame = self.error_frame(f);
            Poll::Ready(Some(Ok(Frame::data(frame))))
        } else {
            Poll::Ready(Some(Err(io::Error::other(f.message.clone()))))
        }
    }

    fn poll_next_frame(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if let Some(chunk) = self.held.pop_front() {
            self.note(&chunk);
            return Poll::Ready(Some(Ok(Frame::data(chunk))));
        }
        if let Some(f) = self.pending_error.take() {
            return self.error(&f);
        }
        // Forward what has arrived. The upstream body drives its connection in this task
        // (see `crate::upstream`), so everything the socket already holds is read here:
        // chunks that arrived together join one frame (one write to the client for a burst
        // of events instead of one per event), and the frame leaves as soon as the socket has
        // nothing more: it never waits for data that has not arrived.
        while self.acc.len() < COALESCE_LIMIT {
            let Some(rest) = self.rest.as_mut() else {
                break;
            };
            match rest.as_mut().poll_next(cx) {
                Poll::Ready(Some(Ok(chunk))) => {
                    if !chunk.is_empty() {
                        self.acc.push(chunk);
                    }
                }
                Poll::Ready(None) => self.rest = None,
                Poll::Ready(Some(Err(e))) => {
                    self.rest = None;
                    tracing::warn!(code = e.code, error = %e, "upstream stream ended early");
                    self.pending_error = Some(e);
                }
                Poll::Pending => {
                    if self.acc.len() == 0 {
                        return Poll::Pending;
                    }
                    break;
                }
            }
        }
        if let Some(chunk) = self.acc.take() {
            self.note(&chunk);
            return Poll::Ready(Some(Ok(Frame::data(chunk))));
        }
        if let Some(f) = self.pending_error.take() {
            return self.error(&f);
        }
        if self.rest.is_none() {
            return Poll::Ready(None);
        }
        Poll::Pending
    }
}

enum Kind {
    Full(Option<Bytes>),
    Stream(Box<Streaming>),
}

/// The body of every proxy response.
pub struct ProxyBody {
    kind: Kind,
    _guard: Option<InflightGuard>,
}

impl std::fmt::Debug for ProxyBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.kind {
            Kind::Full(_) => "ProxyBody::Full",
            Kind::Stream(_) => "ProxyBody::Stream",
        })
    }
}

impl ProxyBody {
    /// A complete body.
    pub fn full(bytes: impl Into<Bytes>) -> ProxyBody {
        ProxyBody {
            kind: Kind::Full(Some(bytes.into())),
            _guard: None,
        }
    }

    /// An empty body.
    pub fn empty() -> ProxyBody {
        ProxyBody {
            kind: Kind::Full(None),
            _guard: None,
        }
    }

    /// The held chunks, then the rest of the upstream body. `sse` ends a broken stream with
    /// an error event instead of an error.
    pub fn stream(held: HeldStream, sse: bool, guard: Option<InflightGuard>) -> ProxyBody {
        ProxyBody {
            kind: Kind::Stream(Box::new(Streaming {
                held: held.chunks.into(),
                rest: held.rest,
                sse,
                tail: [0, 0],
                pending_error: held.failed,
                acc: Acc::Empty,
            })),
            _guard: guard,
        }
    }
}

impl Body for ProxyBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        match &mut self.kind {
            Kind::Full(b) => Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            Kind::Stream(s) => s.poll_next_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Full(b) => b.is_none(),
            Kind::Stream(s) => {
                s.held.is_empty()
                    && s.rest.is_none()
                    && s.pending_error.is_none()
                    && s.acc.len() == 0
            }
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Full(Some(b)) => SizeHint::with_exact(b.len() as u64),
            Kind::Full(None) => SizeHint::with_exact(0),
            Kind::Stream(_) => SizeHint::default(),
        }
    }
}
