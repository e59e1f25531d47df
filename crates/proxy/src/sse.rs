//! Server-sent events: finding errors hidden at the start of a 200 stream, and the body
//! that streams the rest through.
//!
//! The Codex backend can answer 200 and open an event stream whose first events are an
//! error (`server_is_overloaded`, `usage_limit_reached`, …) instead of output.
//! [`hold_back`] reads the opening events without forwarding them — only until the first
//! event that is neither `response.created` / `response.in_progress` / `response.queued`
//! nor a comment, a byte budget, or a short time limit — and reports such an error while
//! nothing has reached the client, so the orchestrator can move to another account.
//! [`ProxyBody`] then sends the held chunks and the rest of the stream exactly as received
//! (no re-encoding, no buffering beyond one chunk). If the upstream connection breaks
//! mid-stream, an SSE body ends with an `error` event instead of a truncated connection.

use std::collections::VecDeque;
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

/// An upstream body as a stream of chunks.
pub type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, reqwest::Error>> + Send>>;

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
        let line = std::mem::take(&mut self.line);
        if line.is_empty() {
            if self.event.is_some() || self.data.is_some() {
                out.push(SseEvent {
                    event: self.event.take(),
                    data: self.data.take().unwrap_or_default(),
                });
            }
            return;
        }
        let text = String::from_utf8_lossy(&line);
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

    /// Feeds bytes; complete events are appended to `out`.
    pub fn feed(&mut self, chunk: &[u8], out: &mut Vec<SseEvent>) {
        for &b in chunk {
            match b {
                b'\n' if self.last_cr => self.last_cr = false,
                b'\n' => self.end_line(out),
                b'\r' => {
                    self.last_cr = true;
                    self.end_line(out);
                }
                _ => {
                    self.last_cr = false;
                    self.line.push(b);
                }
            }
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

fn judge(ev: &SseEvent) -> Verdict {
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

/// A stream whose opening chunks were read but not yet sent.
pub struct HeldStream {
    /// Chunks read, in order.
    pub chunks: Vec<Bytes>,
    /// The rest of the upstream body (none when it ended or failed).
    pub rest: Option<ByteStream>,
    /// The upstream body failed while held.
    pub failed: Option<String>,
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
                        failed: Some(message.clone()),
                    },
                    info: ErrorInfo {
                        code: Some("upstream_stream_error".into()),
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

/// The event sent when the upstream stream breaks after output started.
pub fn stream_error_event(message: &str) -> Bytes {
    let data = json!({
        "type": "error",
        "code": "upstream_stream_error",
        "message": message,
        "param": null,
        "sequence_number": 0,
        "error": {"type": "upstream_stream_error", "code": "upstream_stream_error", "message": message},
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
    pending_error: Option<String>,
}

impl Streaming {
    fn note(&mut self, chunk: &Bytes) {
        match chunk.len() {
            0 => {}
            1 => self.tail = [self.tail[1], chunk[0]],
            n => self.tail = [chunk[n - 2], chunk[n - 1]],
        }
    }

    fn error_frame(&mut self, message: &str) -> Bytes {
        let mut out = Vec::new();
        if self.tail != *b"\n\n" {
            out.extend_from_slice(b"\n\n");
        }
        out.extend_from_slice(&stream_error_event(message));
        Bytes::from(out)
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
        let s = match &mut self.kind {
            Kind::Full(b) => return Poll::Ready(b.take().map(|b| Ok(Frame::data(b)))),
            Kind::Stream(s) => s,
        };
        if let Some(chunk) = s.held.pop_front() {
            s.note(&chunk);
            return Poll::Ready(Some(Ok(Frame::data(chunk))));
        }
        if let Some(message) = s.pending_error.take() {
            return if s.sse {
                let frame = s.error_frame(&message);
                Poll::Ready(Some(Ok(Frame::data(frame))))
            } else {
                Poll::Ready(Some(Err(io::Error::other(message))))
            };
        }
        let Some(rest) = s.rest.as_mut() else {
            return Poll::Ready(None);
        };
        // Forward what has arrived: the first ready chunk, plus any chunks already waiting
        // behind it (coalesced into one frame, up to COALESCE_LIMIT), never waiting for more.
        let mut first: Option<Bytes> = None;
        let mut more: Option<bytes::BytesMut> = None;
        loop {
            let size = match (&more, &first) {
                (Some(m), _) => m.len(),
                (None, f) => f.as_ref().map_or(0, Bytes::len),
            };
            if size >= COALESCE_LIMIT {
                break;
            }
            match rest.as_mut().poll_next(cx) {
                Poll::Pending => break,
                Poll::Ready(Some(Ok(chunk))) => match (&mut first, &mut more) {
                    (None, _) => first = Some(chunk),
                    (Some(f), None) => {
                        let mut m = bytes::BytesMut::with_capacity(f.len() + chunk.len());
                        m.extend_from_slice(f);
                        m.extend_from_slice(&chunk);
                        more = Some(m);
                    }
                    (Some(_), Some(m)) => m.extend_from_slice(&chunk),
                },
                Poll::Ready(None) => {
                    s.rest = None;
                    break;
                }
                Poll::Ready(Some(Err(e))) => {
                    s.rest = None;
                    tracing::warn!(error = %e, "upstream stream broke mid-response");
                    s.pending_error = Some(format!("upstream stream ended unexpectedly: {e}"));
                    break;
                }
            }
        }
        let data = match (more, first) {
            (Some(m), _) => Some(m.freeze()),
            (None, f) => f,
        };
        if let Some(chunk) = data {
            s.note(&chunk);
            return Poll::Ready(Some(Ok(Frame::data(chunk))));
        }
        if let Some(message) = s.pending_error.take() {
            return if s.sse {
                let frame = s.error_frame(&message);
                Poll::Ready(Some(Ok(Frame::data(frame))))
            } else {
                Poll::Ready(Some(Err(io::Error::other(message))))
            };
        }
        if s.rest.is_none() {
            return Poll::Ready(None);
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Full(b) => b.is_none(),
            Kind::Stream(s) => s.held.is_empty() && s.rest.is_none() && s.pending_error.is_none(),
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
