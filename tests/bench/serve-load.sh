#!/usr/bin/env bash
# `codex-runtime serve` itself (with its access log, which the proxy bench's child has not)
# under load on one core: the proxy bench's mock backend as the upstream, curl as the load
# generator (64 parallel keep-alive requests), everything on CPU 0. Prints the serve
# process's user and system CPU time and context switches (all threads) per request.
# Usage, from the repository root, after `cargo build --release -p codex-runtime` and
# `cargo bench -p codex-proxy --bench proxy --no-run`:
#   bash tests/bench/serve-load.sh [target/release/codex-runtime] [REQUESTS]
set -euo pipefail
rt=$(realpath "${1:-target/release/codex-runtime}")
n=${2:-20000}
bench=$(ls -t target/release/deps/proxy-* | grep -v '\.d$' | head -1)
out=$(mktemp -d)
trap 'kill "${serve:-}" "${mock:-}" 2>/dev/null || true; rm -rf "$out"' EXIT
# The bench with no rows and a long pause keeps its mock backend (and a store) up.
(cd crates/proxy && exec taskset -c 0 "../../$bench" --bench --one-core --quick --no-nginx \
    --only none --settle 600000 >"$out/bench" 2>"$out/bench.err") &
mock=$!
for _ in $(seq 100); do grep -q ' mock ' "$out/bench.err" 2>/dev/null && break; sleep 0.1; done
upstream=$(sed -n 's/.* mock \([^;]*\); home.*/\1/p' "$out/bench.err")
home=$(sed -n 's/.*; home \(.*\)$/\1/p' "$out/bench.err")
env -i PATH="$PATH" HOME="$home" taskset -c 0 "$rt" serve --listen 127.0.0.1:0 \
    --upstream "$upstream/backend-api/codex" --issuer "$upstream" >"$out/serve" 2>"$out/serve.err" &
serve=$!
for _ in $(seq 100); do grep -q 'listening' "$out/serve" 2>/dev/null && break; sleep 0.1; done
url="$(sed -n 's/listening on //p' "$out/serve")/v1/responses"
for _ in $(seq "$n"); do printf 'url = "%s"\noutput = "/dev/null"\n' "$url"; done >"$out/urls"
load() {
    taskset -c 0 curl -s --parallel --parallel-max 64 -H 'content-type: application/json' \
        -H 'x-bench-mode: json' -d '{"model":"gpt-5.4","input":[{"role":"user","content":"hi"}]}' \
        -K "$1" >/dev/null 2>&1
}
switches() { cat /proc/"$serve"/task/*/status | awk '/^(non)?voluntary_ctxt/ {s += $2} END {print s}'; }
head -256 "$out/urls" >"$out/warm"
load "$out/warm"
read -r u0 s0 < <(awk '{print $14, $15}' /proc/"$serve"/stat)
c0=$(switches)
t0=$(date +%s.%N)
load "$out/urls"
t1=$(date +%s.%N)
read -r u1 s1 < <(awk '{print $14, $15}' /proc/"$serve"/stat)
c1=$(switches)
tick=$(getconf CLK_TCK)
awk -v n="$n" -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v c=$((c1 - c0)) -v t0="$t0" -v t1="$t1" -v tick="$tick" \
    'BEGIN {printf "serve: user %.1f µs, system %.1f µs, %.2f context switches per request; %.0f requests/s\n", u * 1e6 / tick / n, s * 1e6 / tick / n, c / n, n / (t1 - t0)}'
sleep 0.2 # the access log's thread writes what it has every 25 ms
echo "access log lines: $(grep -c 'response' "$out/serve.err" || true); load average $(cut -d' ' -f1-3 /proc/loadavg)"
