//! Direct vs through the proxy, against a mock Codex backend on loopback.
//!
//! `cargo bench -p codex-proxy --bench proxy`; after `--`: `--quick` (a short run),
//! `--rounds N`, `--pin` (proxy and nginx on CPU 1, the rest on CPU 0), `--one-core`
//! (everything on CPU 0, as on a busy laptop), `--no-nginx`, `--https` (a TLS mock, below), `--workers N` (the proxy's
//! Tokio worker threads; 0: a current-thread runtime), `--only TEXT` (rows whose label contains TEXT; `rss` for the
//! memory row), `--child-prefix "valgrind --tool=callgrind"` (run the proxy under a tool),
//! `--child-exe PATH` (another build of this bench serves as the proxy, to compare two
//! versions under the same load generator), `--settle MS` (a pause before the load, to
//! attach counters such as `perf stat -p` to the children, whose pids go to stderr; the
//! requests each peer served are printed at the end), `--shape N` (only the shaping of the
//! large request, N times in this process, µs per call; `--shape-body small` for the small
//! one), `--print-body small|large` (print a row's request body and exit, for another load
//! generator such as `tests/bench/callgrind-proxy.sh`). The proxy runs in a child process
//! (this binary re-executed with `--serve-child`), so its CPU time and peak RSS are its
//! own; the mock backend and the load generator run here.
//!
//! Method, for a small machine where the load generator, the mock and the proxy share the
//! cores: every figure is measured direct and through the proxy **interleaved** within one
//! run (direct, proxy, proxy, direct, … in rounds), and the median over the rounds is
//! reported, so a neighbour's load hits both sides alike. Reported:
//! - latency at concurrency 1 (whole response read) against an instant mock: p50/p99 and
//!   what the proxy adds, for a small request (JSON answer, 50-event stream) and a large
//!   one (a long OpenCode session's, about 180 KB, which shaping has to read);
//! - throughput at concurrency 64 against an instant mock (CPU-bound: a proxied request
//!   costs two HTTP exchanges on the same cores, so this measures CPU cost, not the proxy's
//!   capacity), and against a mock that behaves like the real backend (20 ms to the first
//!   byte; SSE events a few ms apart), where latency, not CPU, sets the rate;
//! - the proxy's CPU time per request (from the child's `CLOCK_PROCESS_CPUTIME_ID`, asked
//!   over its stdin), a figure the neighbours' load barely moves, next to the CPU time the
//!   load generator and mock spend per direct request;
//! - the proxy's peak RSS while 64 slow streams are open.
//!
//! When `nginx` is installed (Debian: `apt-get install nginx-light`; the bench installs
//! nothing), it runs as a third peer in the same interleaved rounds: a plain streaming
//! reverse proxy (`proxy_buffering off`, keep-alive to the mock, one worker, no access log)
//! in front of the same mock, pinned like the proxy. Its CPU per request is the on-CPU time
//! of its master and worker (`/proc/<pid>/schedstat`, ns), its memory their summed RSS.
//!
//! `--https`: the mock speaks TLS (the loopback certificate of the test CA in
//! `tests/fixtures/tls`); the proxy trusts that CA through `--upstream-ca-file`, nginx
//! through `proxy_ssl_trusted_certificate` with `proxy_ssl_verify on`, and the direct
//! client through an added root, so every peer pays a verified TLS client's cost.
//!
//! The mock sends the rate-limit headers the real backend sends (`x-codex-primary-*`,
//! `x-codex-secondary-*`), so the proxy's header parsing and snapshot bookkeeping are in
//! the figures.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::convert::Infallible;
use std::io::{BufRead, BufReader, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use codex_env::EnvSnapshot;
use codex_proxy::{ProxyConfig, ServeOptions, Server};
use http::{Request, Response};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;

/// The allocator `codex-runtime serve` uses, so that the proxy child allocates as it does
/// (`--features bench-system-alloc`: the system allocator, for heaptrack).
#[cfg(not(feature = "bench-system-alloc"))]
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

type BoxBody = http_body_util::combinators::BoxBody<Bytes, Infallible>;

fn sse_events() -> Arc<Vec<Bytes>> {
    let mut v = vec![Bytes::from(format!(
        "event: response.created\ndata: {}\n\n",
        json!({"type": "response.created", "response": {"id": "resp_bench", "status": "in_progress"}})
    ))];
    for i in 0..48 {
        v.push(Bytes::from(format!(
            "event: response.output_text.delta\ndata: {}\n\n",
            json!({"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0, "content_index": 0, "delta": format!("token number {i} "), "sequence_number": i + 1})
        )));
    }
    v.push(Bytes::from(format!(
        "event: response.completed\ndata: {}\n\n",
        json!({"type": "response.completed", "response": {"id": "resp_bench", "status": "completed"}})
    )));
    Arc::new(v)
}

fn header_u64(req: &Request<Incoming>, name: &str) -> u64 {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0)
}

/// The test CA and the mock's loopback certificate (`tests/fixtures/tls`).
fn tls_fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tls")
        .join(name)
}

/// The mock's TLS settings, for `--https`.
fn tls_acceptor() -> tokio_rustls::TlsAcceptor {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(tls_fixture("localhost.pem"))
        .expect("cert")
        .collect::<Result<Vec<_>, _>>()
        .expect("cert pem");
    let key = PrivateKeyDer::from_pem_file(tls_fixture("localhost.key")).expect("key");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .expect("server config");
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

/// The mock backend. `x-bench-mode: json|sse`, `x-bench-ttfb-ms` (time before the response
/// headers and first event), `x-bench-gap-ms` (between SSE events). With `tls`, over TLS.
async fn mock_backend(tls: Option<tokio_rustls::TlsAcceptor>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind mock");
    let addr = listener.local_addr().expect("addr");
    let events = sse_events();
    let json_body = Bytes::from(
        json!({"id": "resp_bench", "object": "response", "status": "completed",
            "output": [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "hello from the benchmark backend"}]}],
            "usage": {"input_tokens": 12, "output_tokens": 6, "total_tokens": 18}})
        .to_string(),
    );
    // The rate-limit headers the real backend sends with every answer.
    let now_s = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let limits: Arc<Vec<(&'static str, String)>> = Arc::new(vec![
        ("x-codex-primary-used-percent", "12".into()),
        ("x-codex-primary-window-minutes", "300".into()),
        ("x-codex-primary-reset-at", (now_s + 3_600).to_string()),
        ("x-codex-secondary-used-percent", "34".into()),
        ("x-codex-secondary-window-minutes", "10080".into()),
        ("x-codex-secondary-reset-at", (now_s + 259_200).to_string()),
        ("x-request-id", "req_bench".into()),
    ]);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let events = events.clone();
            let json_body = json_body.clone();
            let limits = limits.clone();
            let tls = tls.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<Incoming>| {
                    let events = events.clone();
                    let json_body = json_body.clone();
                    let limits = limits.clone();
                    async move {
                        let sse = req
                            .headers()
                            .get("x-bench-mode")
                            .is_some_and(|v| v.as_bytes() == b"sse");
                        let ttfb = header_u64(&req, "x-bench-ttfb-ms");
                        let gap = header_u64(&req, "x-bench-gap-ms");
                        let _ = req.into_body().collect().await;
                        if ttfb > 0 {
                            tokio::time::sleep(Duration::from_millis(ttfb)).await;
                        }
                        let mut builder = Response::builder();
                        for (k, v) in limits.iter() {
                            builder = builder.header(*k, v.as_str());
                        }
                        let resp: Response<BoxBody> = if sse {
                            let frames = futures_util::stream::unfold(0usize, move |i| {
                                let events = events.clone();
                                async move {
                                    let e = events.get(i)?.clone();
                                    if gap > 0 && i > 0 {
                                        tokio::time::sleep(Duration::from_millis(gap)).await;
                                    }
                                    Some((Ok::<_, Infallible>(Frame::data(e)), i + 1))
                                }
                            });
                            builder
                                .header("content-type", "text/event-stream")
                                .body(BodyExt::boxed(StreamBody::new(frames)))
                                .expect("response")
                        } else {
                            builder
                                .header("content-type", "application/json")
                                .body(BodyExt::boxed(http_body_util::Full::new(json_body)))
                                .expect("response")
                        };
                        Ok::<_, Infallible>(resp)
                    }
                });
                let http = hyper::server::conn::http1::Builder::new();
                match tls {
                    None => {
                        let _ = http.serve_connection(TokioIo::new(stream), svc).await;
                    }
                    Some(acceptor) => {
                        let Ok(stream) = acceptor.accept(stream).await else {
                            return;
                        };
                        let _ = http.serve_connection(TokioIo::new(stream), svc).await;
                    }
                }
            });
        }
    });
    addr
}

fn write_home(home: &Path) {
    let dir = home.join(".config/opencode");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0);
    // Tokens as long as the real ones (the access token is a JWT of about 1.8 KB).
    let access = format!(
        "eyJhbGciOiJSUzI1NiJ9.{}.{}",
        "a".repeat(1400),
        "s".repeat(342)
    );
    let doc = json!({"openai": {"type": "oauth", "native": {"accounts": [{
        "accountId": "acc_bench", "email": "bench@example.com", "plan": "pro", "enabled": true,
        "access": access, "refresh": format!("rt_{}", "r".repeat(60)), "expires": now + 86_400_000
    }]}}});
    std::fs::write(dir.join("codex-accounts.json"), doc.to_string()).expect("store");
}

/// CPU time (user + system, all threads) of this process, in ns.
fn process_cpu_ns() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
        Some(t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64)
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// Restricts this process (and the threads it starts afterwards) to one CPU.
fn pin_to(cpu: usize) {
    #[cfg(target_os = "linux")]
    {
        let mut set = rustix::thread::CpuSet::new();
        set.set(cpu);
        if let Err(e) = rustix::thread::sched_setaffinity(None, &set) {
            eprintln!("cannot pin to CPU {cpu}: {e}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    eprintln!("pinning to CPU {cpu} is only supported on Linux");
}

/// Child mode: run the proxy for `home` against `upstream`, print the bound address, then
/// answer `cpu` lines on stdin with this process's CPU time (ns); stop at end of stdin.
fn serve_child(
    home: &str,
    upstream: &str,
    pin: Option<usize>,
    workers: Option<usize>,
    ca_file: Option<&String>,
) {
    if let Some(cpu) = pin {
        pin_to(cpu);
    }
    let env = EnvSnapshot::from_pairs([("HOME", home)]);
    let opts = ServeOptions {
        listen: Some("127.0.0.1:0".parse().expect("addr")),
        upstream: Some(format!("{upstream}/backend-api/codex")),
        issuer: Some(upstream.to_string()),
        upstream_ca_file: ca_file.map(std::path::PathBuf::from),
        ..ServeOptions::default()
    };
    let config = ProxyConfig::resolve(&env, Path::new(home), &opts).expect("config");
    // `--workers 0`: a current-thread runtime (everything on the one thread).
    let mut rt = if workers == Some(0) {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    if let Some(n) = workers.filter(|n| *n > 0) {
        rt.worker_threads(n);
    }
    let rt = rt.enable_all().build().expect("runtime");
    rt.block_on(async move {
        let server = Server::bind(config).await.expect("bind");
        println!("{}", server.local_addr().expect("addr"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let stdin = std::io::stdin();
            for line in stdin.lock().lines() {
                let Ok(line) = line else { break };
                if line.trim() == "cpu" {
                    println!("{}", process_cpu_ns().unwrap_or(0));
                    let _ = std::io::stdout().flush();
                }
            }
            let _ = tx.send(());
        });
        server
            .run(async {
                let _ = rx.await;
            })
            .await;
    });
}

struct ProxyChild {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    addr: String,
}

impl ProxyChild {
    fn start(
        home: &Path,
        upstream: &str,
        pin: Option<usize>,
        prefix: &[String],
        extra: &[String],
    ) -> ProxyChild {
        // `--child-exe PATH` (in `extra`): another build of this bench serves as the proxy,
        // to compare two versions of the proxy with the same load generator.
        let exe = extra
            .iter()
            .position(|a| a == "--child-exe")
            .and_then(|i| extra.get(i + 1))
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| std::env::current_exe().expect("exe"));
        let extra: Vec<&String> = match extra.iter().position(|a| a == "--child-exe") {
            Some(i) => extra[..i].iter().chain(extra.iter().skip(i + 2)).collect(),
            None => extra.iter().collect(),
        };
        let mut cmd = match prefix.split_first() {
            Some((program, args)) => {
                let mut c = Command::new(program);
                c.args(args).arg(exe);
                c
            }
            None => Command::new(exe),
        };
        cmd.args(["--serve-child", &home.display().to_string(), upstream]);
        if let Some(cpu) = pin {
            cmd.args(["--pin-child", &cpu.to_string()]);
        }
        cmd.args(extra);
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn proxy child");
        let stdin = child.stdin.take().expect("stdin");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        stdout.read_line(&mut line).expect("address");
        ProxyChild {
            child,
            stdin,
            stdout,
            addr: format!("http://{}", line.trim()),
        }
    }

    /// The child's CPU time so far, ns.
    fn cpu_ns(&mut self) -> Option<u64> {
        writeln!(self.stdin, "cpu").ok()?;
        self.stdin.flush().ok()?;
        let mut line = String::new();
        self.stdout.read_line(&mut line).ok()?;
        line.trim().parse().ok().filter(|n| *n > 0)
    }

    fn status_kb(&self, field: &str) -> Option<u64> {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        s.lines()
            .find(|l| l.starts_with(field))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
    }

    fn stop(self) {
        let ProxyChild {
            mut child, stdin, ..
        } = self;
        drop(stdin);
        let _ = child.wait();
    }
}

fn request_body() -> String {
    json!({
        "model": "gpt-5.4",
        "input": [
            {"role": "system", "content": "You are a helpful assistant used for benchmarking."},
            {"role": "user", "content": [{"type": "input_text", "text": "Say hello in one short sentence."}]}
        ],
        "max_output_tokens": 1024,
        "store": false,
        "stream": true,
        "prompt_cache_key": "bench",
        "tools": []
    })
    .to_string()
}

/// A request like a long OpenCode session's (about 185 KB): a long system prompt, 40 turns
/// of user messages, tool calls with file contents and assistant answers, 20 tools.
fn large_request_body() -> String {
    let text = "fn main() { println!(\"hello, world\"); } // a line of source with \"quotes\" and \\ backslashes\n".repeat(30);
    let mut input = vec![json!({"role": "system", "content": "You are OpenCode. ".repeat(500)})];
    for i in 0..40 {
        input.push(json!({"role": "user", "content": [{"type": "input_text", "text": format!("please do step {i}: {}", &text[..400])}]}));
        input.push(json!({"type": "function_call", "call_id": format!("call_{i}"), "name": "read", "arguments": "{\"path\":\"src/main.rs\"}"}));
        input.push(json!({"type": "function_call_output", "call_id": format!("call_{i}"), "output": text.clone()}));
        input.push(json!({"role": "assistant", "content": [{"type": "output_text", "text": format!("done with step {i}. {}", &text[..300])}]}));
    }
    let tools: Vec<_> = (0..20)
        .map(|i| {
            json!({"type": "function", "name": format!("tool_{i}"), "description": "A tool that does a thing. ".repeat(10),
                "parameters": {"type": "object", "properties": {"path": {"type": "string", "description": "the path"}, "limit": {"type": "number"}},
                "required": ["path"], "additionalProperties": false}})
        })
        .collect();
    json!({
        "model": "gpt-5.4", "input": input, "tools": tools, "max_output_tokens": 32000, "store": false,
        "stream": true, "prompt_cache_key": "ses_bench", "reasoning": {"effort": "medium", "summary": "auto"},
        "include": ["reasoning.encrypted_content"], "text": {"verbosity": "medium"}
    })
    .to_string()
}

/// `--shape N`: times the shaping of the large request (no network), µs per call.
fn shape_only(n: u32, small: bool) {
    use codex_proxy::shape::{shape_request, UserAgents};
    let body = Bytes::from(if small {
        request_body()
    } else {
        large_request_body()
    });
    let mut headers = http::HeaderMap::new();
    headers.insert(
        "content-type",
        http::HeaderValue::from_static("application/json"),
    );
    let agents = UserAgents::for_this_machine("0.0.0", "0.0.0");
    let mode = codex_store::Domain::Native;
    let mut out = 0usize;
    let t = Instant::now();
    for _ in 0..n.max(1) {
        out += shape_request(&headers, body.clone(), mode, &agents)
            .body
            .len();
    }
    let per = t.elapsed().as_secs_f64() * 1e6 / f64::from(n.max(1));
    println!(
        "shaping a {} byte request: {per:.1} µs per call ({} bytes out)",
        body.len(),
        out / n.max(1) as usize
    );
}

/// What the mock is asked to do.
#[derive(Clone, Copy)]
struct Upstream {
    sse: bool,
    ttfb_ms: u64,
    gap_ms: u64,
}

const JSON: Upstream = Upstream {
    sse: false,
    ttfb_ms: 0,
    gap_ms: 0,
};
const SSE: Upstream = Upstream {
    sse: true,
    ttfb_ms: 0,
    gap_ms: 0,
};

async fn one(client: &reqwest::Client, url: &str, up: Upstream, body: &Bytes) -> usize {
    let r = client
        .post(url)
        .header("content-type", "application/json")
        .header("x-bench-mode", if up.sse { "sse" } else { "json" })
        .header("x-bench-ttfb-ms", up.ttfb_ms)
        .header("x-bench-gap-ms", up.gap_ms)
        .body(body.clone())
        .send()
        .await
        .expect("request");
    assert!(r.status().is_success(), "status {}", r.status());
    r.bytes().await.expect("body").len()
}

fn client(pool: usize) -> reqwest::Client {
    let mut b = reqwest::Client::builder();
    if HTTPS.load(Ordering::Relaxed) {
        let pem = std::fs::read(tls_fixture("ca.pem")).expect("ca");
        b = b.add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("ca pem"));
    }
    b.no_proxy()
        .tcp_nodelay(true)
        .pool_max_idle_per_host(pool)
        .build()
        .expect("client")
}

/// `--https`: the mock speaks TLS.
static HTTPS: AtomicBool = AtomicBool::new(false);

fn pct(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn range(v: &[f64]) -> (f64, f64) {
    let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (lo, hi)
}

/// One measured phase: requests done, seconds, latencies, CPU ns of the proxy child and of
/// this process.
struct Phase {
    n: usize,
    secs: f64,
    lat: Vec<Duration>,
    child_cpu: Option<u64>,
    self_cpu: Option<u64>,
}

impl Phase {
    fn rps(&self) -> f64 {
        self.n as f64 / self.secs
    }

    fn child_us_per_req(&self) -> Option<f64> {
        self.child_cpu.map(|ns| ns as f64 / 1e3 / self.n as f64)
    }

    fn self_us_per_req(&self) -> Option<f64> {
        self.self_cpu.map(|ns| ns as f64 / 1e3 / self.n as f64)
    }
}

fn diff(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    Some(b?.saturating_sub(a?))
}

/// `concurrency` tasks send requests back to back: `count` each, or until `duration` ends.
async fn phase(
    client: &reqwest::Client,
    url: &str,
    body: &Bytes,
    up: Upstream,
    concurrency: usize,
    limit: Limit,
    mut cpu: Option<&mut (dyn FnMut() -> Option<u64> + Send)>,
) -> Phase {
    let stop = Arc::new(AtomicBool::new(false));
    let child0 = cpu.as_mut().and_then(|f| f());
    let self0 = process_cpu_ns();
    let start = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let client = client.clone();
            let url = url.to_string();
            let body = body.clone();
            let stop = stop.clone();
            tokio::spawn(async move {
                let mut lat = Vec::new();
                loop {
                    match limit {
                        Limit::Count(n) if lat.len() >= n => break,
                        Limit::For(_) if stop.load(Ordering::Relaxed) => break,
                        _ => {}
                    }
                    let t = Instant::now();
                    one(&client, &url, up, &body).await;
                    lat.push(t.elapsed());
                }
                lat
            })
        })
        .collect();
    if let Limit::For(d) = limit {
        tokio::time::sleep(d).await;
        stop.store(true, Ordering::Relaxed);
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.expect("task"));
    }
    let secs = start.elapsed().as_secs_f64();
    let self1 = process_cpu_ns();
    let child1 = cpu.as_mut().and_then(|f| f());
    lat.sort();
    Phase {
        n: lat.len(),
        secs,
        lat,
        child_cpu: diff(child0, child1),
        self_cpu: diff(self0, self1),
    }
}

#[derive(Clone, Copy)]
enum Limit {
    Count(usize),
    For(Duration),
}

struct Bench {
    direct_url: String,
    proxy_url: String,
    proxy: ProxyChild,
    nginx: Option<Nginx>,
    rounds: usize,
    /// Requests sent to the proxy and to nginx (warm-ups included), for counters taken
    /// over the whole run (`perf stat -p`, `strace -c`).
    served: (usize, usize),
}

/// Direct, proxied and nginx phases of one scenario, interleaved (the order rotates each
/// round), `rounds` times.
struct Pairs {
    direct: Vec<Phase>,
    proxied: Vec<Phase>,
    nginx: Vec<Phase>,
}

#[derive(Clone, Copy, PartialEq)]
enum Peer {
    Direct,
    Proxy,
    Nginx,
}

impl Bench {
    async fn pairs(
        &mut self,
        body: &Bytes,
        up: Upstream,
        concurrency: usize,
        limit: Limit,
    ) -> Pairs {
        let client = client(concurrency * 2);
        let nginx_url = self.nginx.as_ref().map(|n| n.url.clone());
        // Warm every path's connections.
        for url in [
            Some(&self.direct_url),
            Some(&self.proxy_url),
            nginx_url.as_ref(),
        ]
        .into_iter()
        .flatten()
        {
            let warm = Limit::Count(if concurrency == 1 { 50 } else { 2 });
            let n = phase(&client, url, body, up, concurrency, warm, None)
                .await
                .n;
            if *url == self.proxy_url {
                self.served.0 += n;
            } else if Some(url) == nginx_url.as_ref() {
                self.served.1 += n;
            }
        }
        let mut out = Pairs {
            direct: Vec::new(),
            proxied: Vec::new(),
            nginx: Vec::new(),
        };
        let mut order = vec![Peer::Direct, Peer::Proxy];
        if self.nginx.is_some() {
            order.push(Peer::Nginx);
        }
        for r in 0..self.rounds {
            let mut this_round = order.clone();
            this_round.rotate_left(r % order.len());
            if r % 2 == 1 {
                this_round.reverse();
            }
            for peer in this_round {
                match peer {
                    Peer::Proxy => {
                        let proxy = &mut self.proxy;
                        let mut cpu = || proxy.cpu_ns();
                        let p = phase(
                            &client,
                            &self.proxy_url,
                            body,
                            up,
                            concurrency,
                            limit,
                            Some(&mut cpu),
                        )
                        .await;
                        self.served.0 += p.n;
                        out.proxied.push(p);
                    }
                    Peer::Nginx => {
                        let Some(n) = self.nginx.as_ref() else {
                            continue;
                        };
                        let url = n.url.clone();
                        let mut cpu = || n.cpu_ns();
                        let p = phase(&client, &url, body, up, concurrency, limit, Some(&mut cpu))
                            .await;
                        self.served.1 += p.n;
                        out.nginx.push(p);
                    }
                    Peer::Direct => {
                        let p = phase(
                            &client,
                            &self.direct_url,
                            body,
                            up,
                            concurrency,
                            limit,
                            None,
                        )
                        .await;
                        out.direct.push(p);
                    }
                }
            }
        }
        out
    }
}

/// nginx as a plain streaming reverse proxy in front of the mock (see the module docs).
struct Nginx {
    child: Child,
    dir: tempfile::TempDir,
    url: String,
}

impl Nginx {
    /// Starts nginx for `upstream` (`127.0.0.1:PORT`) when it is installed; `cpu` pins it.
    fn start(upstream: SocketAddr, cpu: Option<usize>, https: bool) -> Option<Nginx> {
        let exe = ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"]
            .into_iter()
            .find(|p| Path::new(p).exists())?;
        let dir = tempfile::tempdir().ok()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .ok()?
            .port();
        let d = dir.path().display();
        // Running as root, nginx would switch its worker to `nobody`; keep the same user.
        let user = if std::env::var("USER").as_deref() == Ok("root")
            || std::fs::read_to_string("/proc/self/status")
                .is_ok_and(|s| s.lines().any(|l| l.starts_with("Uid:\t0\t")))
        {
            "user root;"
        } else {
            ""
        };
        // With `--https`: TLS to the mock, its certificate verified against the test CA.
        let (scheme, tls) = if https {
            (
                "https",
                format!(
                    "      proxy_ssl_verify on;\n      proxy_ssl_trusted_certificate {};\n      proxy_ssl_name localhost;\n      proxy_ssl_session_reuse on;\n",
                    tls_fixture("ca.pem").display()
                ),
            )
        } else {
            ("http", String::new())
        };
        let conf = format!(
            "{user}\ndaemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
             events {{ worker_connections 4096; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
             upstream mock {{ server {upstream}; keepalive 256; }}\n\
             server {{\n    listen 127.0.0.1:{port};\n    client_max_body_size 64m;\n    client_body_buffer_size 1m;\n\
             location / {{\n      proxy_pass {scheme}://mock;\n      proxy_http_version 1.1;\n\
             proxy_set_header Connection \"\";\n      proxy_buffering off;\n{tls}    }}\n  }}\n}}\n"
        );
        std::fs::write(dir.path().join("nginx.conf"), conf).ok()?;
        let mut cmd = match cpu {
            Some(c) => {
                let mut t = Command::new("taskset");
                t.args(["-c", &c.to_string(), exe]);
                t
            }
            None => Command::new(exe),
        };
        let child = cmd
            .args(["-p", &d.to_string(), "-c"])
            .arg(dir.path().join("nginx.conf"))
            .args(["-e", &format!("{d}/error.log")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let n = Nginx {
            child,
            dir,
            url: format!("http://127.0.0.1:{port}/backend-api/codex/responses"),
        };
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(10) {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Some(n);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        eprintln!(
            "nginx did not start; see {}",
            n.dir.path().join("error.log").display()
        );
        None
    }

    /// The master and its workers.
    fn pids(&self) -> Vec<u32> {
        let master = std::fs::read_to_string(self.dir.path().join("nginx.pid"))
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
            .unwrap_or_else(|| self.child.id());
        let mut pids = vec![master];
        if let Ok(rd) = std::fs::read_dir("/proc") {
            for e in rd.flatten() {
                let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
                    continue;
                };
                let ppid = std::fs::read_to_string(format!("/proc/{pid}/stat"))
                    .ok()
                    .and_then(|s| {
                        let rest = s.rsplit_once(')')?.1.to_string();
                        rest.split_whitespace().nth(1)?.parse::<u32>().ok()
                    });
                if ppid == Some(master) {
                    pids.push(pid);
                }
            }
        }
        pids
    }

    /// On-CPU time of the master and workers, ns.
    fn cpu_ns(&self) -> Option<u64> {
        let mut total = 0u64;
        for pid in self.pids() {
            let s = std::fs::read_to_string(format!("/proc/{pid}/schedstat")).ok()?;
            total += s.split_whitespace().next()?.parse::<u64>().ok()?;
        }
        Some(total)
    }

    /// Summed RSS of the master and workers, KiB.
    fn rss_kb(&self) -> u64 {
        self.pids()
            .iter()
            .filter_map(|pid| {
                let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse::<u64>().ok())
            })
            .sum()
    }

    fn stop(mut self) {
        // SIGQUIT: graceful; the child is nginx itself, or taskset exec'ed into it.
        let _ = Command::new("kill")
            .args(["-QUIT", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn d_us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn opt_us(v: &[Option<f64>]) -> String {
    let v: Vec<f64> = v.iter().flatten().copied().collect();
    if v.is_empty() {
        return "—".into();
    }
    format!("{:.0}", median(&v))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
    };
    if let Some(i) = args.iter().position(|a| a == "--serve-child") {
        let home = args.get(i + 1).expect("home");
        let upstream = args.get(i + 2).expect("upstream");
        let pin = value("--pin-child").and_then(|v| v.parse().ok());
        let workers = value("--workers").and_then(|v| v.parse().ok());
        serve_child(home, upstream, pin, workers, value("--upstream-ca-file"));
        return;
    }
    // `--print-body small|large`: the request body of the rows, for another load generator.
    if let Some(which) = value("--print-body") {
        print!(
            "{}",
            if which == "large" {
                large_request_body()
            } else {
                request_body()
            }
        );
        return;
    }
    // `--shape N`: only the shaping of the large request, N times, in this process.
    if let Some(n) = value("--shape").and_then(|v| v.parse::<u32>().ok()) {
        shape_only(n, value("--shape-body").is_some_and(|b| b == "small"));
        return;
    }
    if !args.iter().any(|a| a == "--bench") && args.iter().any(|a| a == "--list") {
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let pin = args.iter().any(|a| a == "--pin");
    let one_core = args.iter().any(|a| a == "--one-core");
    let with_nginx = !args.iter().any(|a| a == "--no-nginx");
    let rounds = value("--rounds")
        .and_then(|v| v.parse().ok())
        .unwrap_or(if quick { 3 } else { 5 });
    let n_lat = if quick { 300 } else { 1000 };
    let (instant, realistic) = if quick {
        (Duration::from_millis(500), Duration::from_millis(1500))
    } else {
        (Duration::from_millis(1000), Duration::from_millis(3000))
    };
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    // Where the proxy (and nginx) run: CPU 1 with `--pin`, CPU 0 with `--one-core`.
    let peer_cpu = if one_core {
        Some(0)
    } else if pin {
        Some(1)
    } else {
        None
    };
    if pin || one_core {
        pin_to(0);
    }
    // Profiling aids: `--child-prefix "valgrind --tool=callgrind"` runs the proxy under a
    // tool; `--only TEXT` runs only the rows whose label contains TEXT (`rss` for the last).
    let prefix: Vec<String> = value("--child-prefix")
        .map(|v| v.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default();
    let only = value("--only").cloned();
    // `--workers N`: the proxy's Tokio worker threads (default: one per CPU).
    let mut extra: Vec<String> = value("--workers")
        .map(|n| vec!["--workers".to_string(), n.clone()])
        .unwrap_or_default();
    let https = args.iter().any(|a| a == "--https");
    HTTPS.store(https, Ordering::Relaxed);
    if https {
        extra.extend([
            "--upstream-ca-file".to_string(),
            tls_fixture("ca.pem").display().to_string(),
        ]);
    }
    if let Some(exe) = value("--child-exe") {
        extra.extend(["--child-exe".to_string(), exe.clone()]);
    }
    let wanted = move |label: &str| only.as_deref().is_none_or(|o| label.contains(o));

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let mock = mock_backend(https.then(tls_acceptor)).await;
        let upstream = format!("{}://{mock}", if https { "https" } else { "http" });
        let home = tempfile::tempdir().expect("home");
        write_home(home.path());
        let proxy = ProxyChild::start(home.path(), &upstream, peer_cpu, &prefix, &extra);
        let nginx = if with_nginx {
            let n = Nginx::start(mock, peer_cpu, https);
            if n.is_none() {
                println!("nginx not found: the nginx columns are empty (Debian/Ubuntu: `apt-get install nginx-light`; the bench installs nothing)");
            }
            n
        } else {
            None
        };
        // `--settle MS`: a pause before the load, to attach counters to the children
        // (`perf stat -p`); their pids are printed on stderr.
        if let Some(ms) = value("--settle").and_then(|v| v.parse::<u64>().ok()) {
            let ngx: Vec<u32> = nginx.as_ref().map(Nginx::pids).unwrap_or_default();
            eprintln!(
                "proxy pid {}; nginx pids {ngx:?}; mock {upstream}; home {}",
                proxy.child.id(),
                home.path().display()
            );
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        let mut bench = Bench {
            direct_url: format!("{upstream}/backend-api/codex/responses"),
            proxy_url: format!("{}/v1/responses", proxy.addr),
            proxy,
            nginx,
            rounds,
            served: (0, 0),
        };

        println!(
            "codex-proxy bench: {} mock backend on loopback, proxy in a child process{}; {} CPUs; {}; \
             direct, proxied{} interleaved, median of {rounds} rounds (min…max in brackets)",
            if https { "https" } else { "http" },
            if bench.nginx.is_some() { ", nginx as a peer" } else { "" },
            cpus,
            if one_core {
                "one core: load generator, mock, proxy and nginx all on CPU 0"
            } else if pin {
                "pinned: proxy and nginx on CPU 1, load generator and mock on CPU 0"
            } else {
                "not pinned"
            },
            if bench.nginx.is_some() { " and nginx" } else { "" },
        );
        println!();
        println!(
            "{:<26} {:>7} {:>7} {:>7} {:>16} {:>16} {:>9} {:>9} {:>7} {:>7}",
            "latency µs, concurrency 1",
            "direct",
            "proxy",
            "nginx",
            "proxy added",
            "nginx added",
            "proxy",
            "nginx",
            "proxy",
            "nginx"
        );
        println!(
            "{:<26} {:>7} {:>7} {:>7} {:>16} {:>16} {:>9} {:>9} {:>7} {:>7}",
            "", "p50", "p50", "p50", "p50", "p50", "added p99", "added p99", "CPU µs", "CPU µs"
        );
        let small = Bytes::from(request_body());
        let large = Bytes::from(large_request_body());
        let large_label = format!("non-streaming, {} KB request", large.len() / 1000);
        for (up, body, label) in [
            (JSON, &small, "non-streaming"),
            (SSE, &small, "SSE, 50 events"),
            (JSON, &large, large_label.as_str()),
        ] {
            if !wanted(label) {
                continue;
            }
            let n = if body.len() > 10_000 { n_lat / 4 } else { n_lat };
            let p = bench.pairs(body, up, 1, Limit::Count(n)).await;
            let col = |v: &[Phase], q: f64| -> Vec<f64> {
                v.iter().map(|ph| d_us(pct(&ph.lat, q))).collect()
            };
            let added = |a: &[f64], b: &[f64]| -> Vec<f64> {
                a.iter().zip(b).map(|(d, p)| p - d).collect()
            };
            let fmt_added = |v: &[f64]| {
                if v.is_empty() {
                    return "—".to_string();
                }
                let (lo, hi) = range(v);
                format!("+{:.0} [{:.0}…{:.0}]", median(v), lo, hi)
            };
            let (d50, p50, n50) = (
                col(&p.direct, 0.5),
                col(&p.proxied, 0.5),
                col(&p.nginx, 0.5),
            );
            let (d99, p99, n99) = (
                col(&p.direct, 0.99),
                col(&p.proxied, 0.99),
                col(&p.nginx, 0.99),
            );
            let cpu = |v: &[Phase]| opt_us(&v.iter().map(Phase::child_us_per_req).collect::<Vec<_>>());
            let med = |v: &[f64]| {
                if v.is_empty() {
                    "—".to_string()
                } else {
                    format!("{:.0}", median(v))
                }
            };
            println!(
                "{:<26} {:>7} {:>7} {:>7} {:>16} {:>16} {:>9} {:>9} {:>7} {:>7}",
                label,
                med(&d50),
                med(&p50),
                med(&n50),
                fmt_added(&added(&d50, &p50)),
                fmt_added(&added(&d50, &n50)),
                med(&added(&d99, &p99)),
                med(&added(&d99, &n99)),
                cpu(&p.proxied),
                cpu(&p.nginx),
            );
        }

        println!();
        println!(
            "{:<38} {:>7} {:>7} {:>7} {:>17} {:>7} {:>7} {:>7} {:>7} {:>7}",
            "throughput, concurrency 64",
            "direct",
            "proxy",
            "nginx",
            "proxy/nginx",
            "proxy",
            "nginx",
            "proxy",
            "nginx",
            "client"
        );
        println!(
            "{:<38} {:>7} {:>7} {:>7} {:>17} {:>7} {:>7} {:>7} {:>7} {:>7}",
            "", "req/s", "req/s", "req/s", "throughput", "p50 ms", "p50 ms", "CPU µs", "CPU µs", "CPU µs"
        );
        let rows = [
            (JSON, instant, "non-streaming, instant mock"),
            (SSE, instant, "SSE 50 events, instant mock"),
            (
                Upstream {
                    ttfb_ms: 20,
                    ..JSON
                },
                realistic,
                "non-streaming, 20 ms to first byte",
            ),
            (
                Upstream {
                    ttfb_ms: 20,
                    gap_ms: 2,
                    ..SSE
                },
                realistic,
                "SSE, 20 ms, then 50 events 2 ms apart",
            ),
        ];
        for (up, d, label) in rows {
            if !wanted(label) {
                continue;
            }
            let p = bench.pairs(&small, up, 64, Limit::For(d)).await;
            let ratios: Vec<f64> = p
                .nginx
                .iter()
                .zip(&p.proxied)
                .map(|(n, x)| x.rps() / n.rps() * 100.0)
                .collect();
            let rps = |v: &[Phase]| {
                if v.is_empty() {
                    "—".to_string()
                } else {
                    format!("{:.0}", median(&v.iter().map(Phase::rps).collect::<Vec<_>>()))
                }
            };
            let p50 = |v: &[Phase]| {
                if v.is_empty() {
                    return "—".to_string();
                }
                format!(
                    "{:.2}",
                    median(
                        &v.iter()
                            .map(|ph| pct(&ph.lat, 0.5).as_secs_f64() * 1e3)
                            .collect::<Vec<_>>(),
                    )
                )
            };
            let cpu = |v: &[Phase]| opt_us(&v.iter().map(Phase::child_us_per_req).collect::<Vec<_>>());
            let client_cpu: Vec<Option<f64>> =
                p.direct.iter().map(Phase::self_us_per_req).collect();
            let ratio = if ratios.is_empty() {
                "—".to_string()
            } else {
                let (lo, hi) = range(&ratios);
                format!("{:.0}% [{lo:.0}…{hi:.0}]", median(&ratios))
            };
            println!(
                "{:<38} {:>7} {:>7} {:>7} {:>17} {:>7} {:>7} {:>7} {:>7} {:>7}",
                label,
                rps(&p.direct),
                rps(&p.proxied),
                rps(&p.nginx),
                ratio,
                p50(&p.proxied),
                p50(&p.nginx),
                cpu(&p.proxied),
                cpu(&p.nginx),
                opt_us(&client_cpu),
            );
        }
        println!();
        println!(
            "requests served in the load phases (warm-ups included): proxy {}, nginx {}",
            bench.served.0, bench.served.1
        );
        let hwm_load = bench.proxy.status_kb("VmHWM:");
        bench.proxy.stop();
        if !wanted("rss") {
            if let Some(n) = bench.nginx.take() {
                n.stop();
            }
            return;
        }

        // Peak RSS holding 64 open streams (50 events, 40 ms apart): a fresh proxy, and nginx.
        let proxy = ProxyChild::start(home.path(), &upstream, peer_cpu, &prefix, &extra);
        let body = Bytes::from(request_body());
        let slow = Upstream {
            sse: true,
            ttfb_ms: 20,
            gap_ms: 40,
        };
        let hold_open = |url: String| {
            let client = client(128);
            let body = body.clone();
            (0..64)
                .map(|_| {
                    let client = client.clone();
                    let url = url.clone();
                    let body = body.clone();
                    tokio::spawn(async move { one(&client, &url, slow, &body).await })
                })
                .collect::<Vec<_>>()
        };
        let open = hold_open(format!("{}/v1/responses", proxy.addr));
        let mut rss_during = 0;
        let t = Instant::now();
        while t.elapsed() < Duration::from_millis(1500) {
            rss_during = rss_during.max(proxy.status_kb("VmRSS:").unwrap_or(0));
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for o in open {
            assert!(o.await.expect("stream") > 0);
        }
        let hwm_streams = proxy.status_kb("VmHWM:");
        proxy.stop();
        let mut nginx_rss = None;
        if let Some(n) = bench.nginx.take() {
            let open = hold_open(n.url.clone());
            let mut peak = 0;
            let t = Instant::now();
            while t.elapsed() < Duration::from_millis(1500) {
                peak = peak.max(n.rss_kb());
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            for o in open {
                assert!(o.await.expect("stream") > 0);
            }
            nginx_rss = Some(peak);
            n.stop();
        }
        println!();
        println!(
            "proxy peak RSS: {} KiB with 64 open streams (max sampled RSS {} KiB); {} KiB after the load phases",
            hwm_streams.unwrap_or(0),
            rss_during,
            hwm_load.unwrap_or(0)
        );
        if let Some(kb) = nginx_rss {
            println!("nginx RSS (master + worker, max sampled) with 64 open streams: {kb} KiB");
        }
        println!();
        println!("CPU µs: per request, the proxy process's CPU time (all threads, user + system), nginx's master and worker on-CPU time, and this process's (load generator and mock) per direct request");
    });
}
