//! Direct vs through the proxy, against a mock Codex backend on loopback.
//!
//! `cargo bench -p codex-proxy --bench proxy` (add `-- --quick` for a short run). The proxy
//! runs in a child process (this binary re-executed with `--serve-child`), so its peak RSS is
//! its own; the mock backend and the load generator run here. Reported: latency p50/p99 at
//! concurrency 1 (whole response read), throughput at concurrency 64, for a small JSON
//! response and a 50-event SSE stream (also with a backend that takes 20 ms to answer, as a
//! real one does, where the proxy rather than two CPU-bound processes sharing the cores would
//! be the limit), and the proxy's peak RSS while 64 slow streams are open.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::convert::Infallible;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
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

async fn mock_backend() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind mock");
    let addr = listener.local_addr().expect("addr");
    let events = sse_events();
    let json_body = Bytes::from(
        json!({"id": "resp_bench", "object": "response", "status": "completed",
            "output": [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "hello from the benchmark backend"}]}],
            "usage": {"input_tokens": 12, "output_tokens": 6, "total_tokens": 18}})
        .to_string(),
    );
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let events = events.clone();
            let json_body = json_body.clone();
            tokio::spawn(async move {
                let svc = service_fn(move |req: Request<Incoming>| {
                    let events = events.clone();
                    let json_body = json_body.clone();
                    async move {
                        let mode = req
                            .headers()
                            .get("x-bench-mode")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("json")
                            .to_string();
                        let delay = req
                            .headers()
                            .get("x-bench-delay-ms")
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| v.parse::<u64>().ok())
                            .unwrap_or(0);
                        let _ = req.into_body().collect().await;
                        if delay > 0 {
                            tokio::time::sleep(Duration::from_millis(delay)).await;
                        }
                        let resp: Response<BoxBody> = match mode.as_str() {
                            "sse" | "slow" => {
                                let gap = if mode == "slow" { 40 } else { 0 };
                                let frames = futures_util::stream::unfold(0usize, move |i| {
                                    let events = events.clone();
                                    async move {
                                        let e = events.get(i)?.clone();
                                        if gap > 0 {
                                            tokio::time::sleep(Duration::from_millis(gap)).await;
                                        }
                                        Some((Ok::<_, Infallible>(Frame::data(e)), i + 1))
                                    }
                                });
                                Response::builder()
                                    .header("content-type", "text/event-stream")
                                    .body(BodyExt::boxed(StreamBody::new(frames)))
                                    .expect("response")
                            }
                            _ => Response::builder()
                                .header("content-type", "application/json")
                                .body(BodyExt::boxed(http_body_util::Full::new(json_body)))
                                .expect("response"),
                        };
                        Ok::<_, Infallible>(resp)
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), svc)
                    .await;
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
    let doc = json!({"openai": {"type": "oauth", "native": {"accounts": [{
        "accountId": "acc_bench", "email": "bench@example.com", "plan": "pro", "enabled": true,
        "access": "at_bench", "refresh": "rt_bench", "expires": now + 86_400_000
    }]}}});
    std::fs::write(dir.join("codex-accounts.json"), doc.to_string()).expect("store");
}

/// Child mode: run the proxy for `home` against `upstream` and print the bound address.
fn serve_child(home: &str, upstream: &str) {
    let env = EnvSnapshot::from_pairs([("HOME", home)]);
    let opts = ServeOptions {
        listen: Some("127.0.0.1:0".parse().expect("addr")),
        upstream: Some(format!("{upstream}/backend-api/codex")),
        issuer: Some(upstream.to_string()),
        ..ServeOptions::default()
    };
    let config = ProxyConfig::resolve(&env, Path::new(home), &opts).expect("config");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let server = Server::bind(config).await.expect("bind");
        println!("{}", server.local_addr().expect("addr"));
        server
            .run(async {
                // Stop when the parent closes our stdin.
                let _ = tokio::task::spawn_blocking(|| {
                    let mut s = String::new();
                    let _ = std::io::stdin().read_line(&mut s);
                })
                .await;
            })
            .await;
    });
}

struct ProxyChild {
    child: Child,
    addr: String,
}

impl ProxyChild {
    fn start(home: &Path, upstream: &str) -> ProxyChild {
        let exe = std::env::current_exe().expect("exe");
        let mut child = Command::new(exe)
            .args(["--serve-child", &home.display().to_string(), upstream])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn proxy child");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("address");
        ProxyChild {
            child,
            addr: format!("http://{}", line.trim()),
        }
    }

    fn status_kb(&self, field: &str) -> Option<u64> {
        let s = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        s.lines()
            .find(|l| l.starts_with(field))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
    }

    fn stop(mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
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

async fn one(client: &reqwest::Client, url: &str, mode: &str, body: &str) -> usize {
    let (mode, delay) = mode.split_once('+').unwrap_or((mode, "0"));
    let r = client
        .post(url)
        .header("content-type", "application/json")
        .header("x-bench-mode", mode)
        .header("x-bench-delay-ms", delay)
        .body(body.to_string())
        .send()
        .await
        .expect("request");
    assert!(r.status().is_success(), "status {}", r.status());
    r.bytes().await.expect("body").len()
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn latency(url: &str, mode: &str, n: usize) -> (Duration, Duration) {
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let body = request_body();
    for _ in 0..50 {
        one(&client, url, mode, &body).await;
    }
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        one(&client, url, mode, &body).await;
        v.push(t.elapsed());
    }
    v.sort();
    (pct(&v, 0.5), pct(&v, 0.99))
}

async fn throughput(url: &str, mode: &str, concurrency: usize, per_task: usize) -> f64 {
    let client = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(concurrency * 2)
        .build()
        .expect("client");
    let body = Arc::new(request_body());
    for _ in 0..concurrency {
        one(&client, url, mode, &body).await;
    }
    let start = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let client = client.clone();
            let url = url.to_string();
            let mode = mode.to_string();
            let body = body.clone();
            tokio::spawn(async move {
                for _ in 0..per_task {
                    one(&client, &url, &mode, &body).await;
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task");
    }
    (concurrency * per_task) as f64 / start.elapsed().as_secs_f64()
}

fn us(d: Duration) -> String {
    format!("{:.0} µs", d.as_secs_f64() * 1e6)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--serve-child") {
        let home = args.get(i + 1).expect("home");
        let upstream = args.get(i + 2).expect("upstream");
        serve_child(home, upstream);
        return;
    }
    if !args.iter().any(|a| a == "--bench") && args.iter().any(|a| a == "--list") {
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let throughput_only = args.iter().any(|a| a == "--throughput-only");
    let (n_lat, per_task) = if quick { (300, 20) } else { (2000, 80) };

    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let mock = mock_backend().await;
        let upstream = format!("http://{mock}");
        let home = tempfile::tempdir().expect("home");
        write_home(home.path());
        let proxy = ProxyChild::start(home.path(), &upstream);
        let direct_url = format!("{upstream}/backend-api/codex/responses");
        let proxy_url = format!("{}/v1/responses", proxy.addr);

        println!("codex-proxy bench: mock backend on loopback, proxy in a child process");
        println!();
        println!("{:<28} {:>10} {:>10} {:>10} {:>10}", "latency, concurrency 1", "direct p50", "proxy p50", "direct p99", "proxy p99");
        for mode in ["json", "sse"].iter().filter(|_| !throughput_only).copied() {
            let (d50, d99) = latency(&direct_url, mode, n_lat).await;
            let (p50, p99) = latency(&proxy_url, mode, n_lat).await;
            println!(
                "{:<28} {:>10} {:>10} {:>10} {:>10}   added p50 {} / p99 {}",
                if mode == "json" { "non-streaming" } else { "SSE, 50 events" },
                us(d50),
                us(p50),
                us(d99),
                us(p99),
                us(p50.saturating_sub(d50)),
                us(p99.saturating_sub(d99)),
            );
        }
        println!();
        println!("{:<32} {:>12} {:>12} {:>8}", "throughput, concurrency 64", "direct rps", "proxy rps", "ratio");
        let rows = [
            ("json", "non-streaming"),
            ("sse", "SSE, 50 events"),
            ("json+20", "non-streaming, 20 ms upstream"),
            ("sse+20", "SSE, 50 events, 20 ms upstream"),
        ];
        for (mode, label) in rows {
            let d = throughput(&direct_url, mode, 64, per_task).await;
            let p = throughput(&proxy_url, mode, 64, per_task).await;
            println!(
                "{:<32} {:>12.0} {:>12.0} {:>7.1}%",
                label,
                d,
                p,
                p / d * 100.0
            );
        }
        let hwm_load = proxy.status_kb("VmHWM:");
        proxy.stop();

        // Peak RSS of a fresh proxy holding 64 open streams (50 events, 40 ms apart).
        let proxy = ProxyChild::start(home.path(), &upstream);
        let url = format!("{}/v1/responses", proxy.addr);
        let client = reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(128)
            .build()
            .expect("client");
        let body = Arc::new(request_body());
        let mut open = Vec::new();
        for _ in 0..64 {
            let client = client.clone();
            let url = url.clone();
            let body = body.clone();
            open.push(tokio::spawn(async move { one(&client, &url, "slow", &body).await }));
        }
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
        println!();
        println!(
            "proxy peak RSS: {} KiB with 64 open streams (max sampled RSS {} KiB); {} KiB after the load phases",
            hwm_streams.unwrap_or(0),
            rss_during,
            hwm_load.unwrap_or(0)
        );
    });
}
