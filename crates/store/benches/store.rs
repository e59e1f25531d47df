//! Store benchmarks: a locked read-modify-write of a 100-account `codex-accounts.json` (with
//! and without fsync), and contended throughput of 4 processes updating one store. Records
//! hold 1.2 KB access and refresh tokens; `no_fsync_jwt` uses realistic ones instead (1.8 KB
//! JWT-shaped access tokens with decodable claims, 100-character refresh tokens).
//!
//! Run briefly with
//! `cargo bench -p codex-store --bench store -- --warm-up-time 1 --measurement-time 3`.
//! The contended case re-runs this binary as child processes (`CODEX_STORE_BENCH_CHILD`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use codex_store::{AuthStore, Domain, StoreOptions};
use criterion::Criterion;

const CHILD: &str = "CODEX_STORE_BENCH_CHILD";
const PROCESSES: u64 = 4;

/// How the records' tokens look.
#[derive(Clone, Copy)]
enum Tokens {
    /// 1.2 KB of `x` each.
    Plain,
    /// A 1.8 KB JWT-shaped access token and a 100-character refresh token.
    Jwt,
}

fn tokens(i: usize, kind: Tokens) -> (String, String) {
    match kind {
        Tokens::Plain => {
            let token = "x".repeat(1200);
            (format!("at_{i}_{token}"), format!("rt_{i}_{token}"))
        }
        Tokens::Jwt => {
            let claims = format!(
                r#"{{"https://api.openai.com/auth":{{"chatgpt_account_id":"acc_{i:04}","chatgpt_plan_type":"plus"}},"https://api.openai.com/profile":{{"email":"user{i}@example.com"}},"exp":1700000000,"scp":["openid","profile","email","offline_access"],"pad":"{}"}}"#,
                "p".repeat(860)
            );
            let access = format!(
                "eyJhbGciOiJSUzI1NiIsImtpZCI6ImJlbmNoIn0.{}.{}",
                URL_SAFE_NO_PAD.encode(claims),
                "s".repeat(342)
            );
            (access, format!("rt_{i:04}_{}", "r".repeat(92)))
        }
    }
}

/// A store with 100 accounts: 70 native, 30 codex.
fn store_json(n: usize, kind: Tokens) -> String {
    let record = |i: usize| {
        let (access, refresh) = tokens(i, kind);
        format!(
            r#"{{"accountId":"acc_{i:04}","email":"user{i}@example.com","plan":"plus","refresh":"{refresh}","access":"{access}","expires":1700000000000,"lastUsed":{i}}}"#
        )
    };
    let native: Vec<String> = (0..n * 7 / 10).map(record).collect();
    let codex: Vec<String> = (n * 7 / 10..n).map(record).collect();
    format!(
        r#"{{"openai":{{"type":"oauth","strategy":"sticky","accounts":[],"native":{{"accounts":[{}]}},"codex":{{"accounts":[{}]}}}}}}"#,
        native.join(","),
        codex.join(",")
    )
}

fn bump(store: &AuthStore) {
    store
        .update_oauth(|s| {
            if let Some(a) = s
                .domain_mut(Domain::Native)
                .and_then(|d| d.accounts_mut().first_mut())
            {
                let n = a.last_used().unwrap_or(0.0);
                a.set_last_used(n + 1.0);
            }
            Ok(())
        })
        .expect("update");
}

fn setup(dir: &Path, kind: Tokens) -> PathBuf {
    let path = dir.join("codex-accounts.json");
    std::fs::write(&path, store_json(100, kind)).expect("write");
    path
}

fn bench_rmw(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = setup(tmp.path(), Tokens::Plain);
    let durable = AuthStore::new(&path);
    let fast = AuthStore::with_options(&path, StoreOptions::default().without_fsync_for_bench());
    let jwt_tmp = tempfile::tempdir().expect("tempdir");
    let jwt = AuthStore::with_options(
        setup(jwt_tmp.path(), Tokens::Jwt),
        StoreOptions::default().without_fsync_for_bench(),
    );
    let mut g = c.benchmark_group("locked_rmw_100_accounts");
    g.bench_function("fsync", |b| b.iter(|| bump(&durable)));
    g.bench_function("no_fsync", |b| b.iter(|| bump(&fast)));
    g.bench_function("no_fsync_jwt", |b| b.iter(|| bump(&jwt)));
    g.finish();
}

fn bench_contended(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = setup(tmp.path(), Tokens::Plain);
    let exe = std::env::current_exe().expect("current_exe");
    let mut g = c.benchmark_group("contended");
    g.sample_size(10);
    g.bench_function("4_processes_rmw_100_accounts", |b| {
        b.iter_custom(|iters| {
            let per = iters.div_ceil(PROCESSES).max(1);
            let started = Instant::now();
            let children: Vec<_> = (0..PROCESSES)
                .map(|_| {
                    Command::new(&exe)
                        .env(CHILD, "contend")
                        .env("CODEX_STORE_BENCH_PATH", &path)
                        .env("CODEX_STORE_BENCH_COUNT", per.to_string())
                        .stdout(Stdio::null())
                        .spawn()
                        .expect("spawn")
                })
                .collect();
            for mut ch in children {
                let status = ch.wait().expect("wait");
                assert!(status.success(), "child failed");
            }
            // Time per update across all processes (the inverse of throughput).
            let total = started.elapsed();
            total.mul_f64(iters as f64 / (per * PROCESSES) as f64)
        })
    });
    g.finish();
}

fn child() {
    let path = std::env::var("CODEX_STORE_BENCH_PATH").expect("path");
    let count: u64 = std::env::var("CODEX_STORE_BENCH_COUNT")
        .expect("count")
        .parse()
        .expect("count");
    let store = AuthStore::new(path);
    for _ in 0..count {
        bump(&store);
    }
}

fn main() {
    if std::env::var_os(CHILD).is_some() {
        child();
        return;
    }
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    bench_rmw(&mut c);
    bench_contended(&mut c);
    c.final_summary();
}
