#!/usr/bin/env bash
# Instructions per proxied request, counted by callgrind: a figure the machine's other load
# does not move (the wall-clock bench's CPU times do). The proxy bench's child (or, with
# --serve, `codex-runtime serve` with its access log) runs under callgrind against the
# bench's mock backend; curl sends REQUESTS requests (PARALLEL at once, keep-alive) after a
# warm-up of 200, and only those are counted (callgrind_control zeroes, then dumps).
# Counts are user-space instructions of all threads; the kernel's work is not in them.
# Usage, from the repository root, after `cargo bench -p codex-proxy --bench proxy --no-run`
# (and `cargo build --release -p codex-runtime` for --serve):
#   bash tests/bench/callgrind-proxy.sh [--serve] json|sse|large [REQUESTS] [PARALLEL]
# e.g. `json 1000 1`, `sse 500 1`, `large 100 1`, `json 3000 64`.
set -euo pipefail
serve=false
if [ "${1:-}" = "--serve" ]; then
    serve=true
    shift
fi
kind=${1:-json}
n=${2:-1000}
par=${3:-1}
root=$(pwd)
bench=$(ls -t target/release/deps/proxy-* | grep -v '\.d$' | head -1)
rt=$root/target/release/codex-runtime
out=$(mktemp -d)
trap 'kill "${proxy:-}" "${mock:-}" 2>/dev/null || true; rm -rf "$out"' EXIT
case $kind in
json) mode=json body=small ;;
sse) mode=sse body=small ;;
large) mode=json body=large ;;
*)
    echo "json, sse or large" >&2
    exit 2
    ;;
esac
"$bench" --print-body "$body" >"$out/body.json"
# The bench with no rows and a long pause keeps its mock backend (and a store) up; without
# --serve its proxy child runs under callgrind.
prefix=()
if ! $serve; then
    prefix=(--child-prefix "valgrind --tool=callgrind --callgrind-out-file=$out/cg.%p")
fi
(cd crates/proxy && exec "../../$bench" --bench --quick --no-nginx --only none --settle 600000 \
    "${prefix[@]}" >"$out/bench" 2>"$out/bench.err") &
mock=$!
for _ in $(seq 600); do grep -q ' mock ' "$out/bench.err" 2>/dev/null && break; sleep 0.2; done
if $serve; then
    upstream=$(sed -n 's/.* mock \([^;]*\); home.*/\1/p' "$out/bench.err")
    home=$(sed -n 's/.*; home \(.*\)$/\1/p' "$out/bench.err")
    env -i PATH="$PATH" HOME="$home" valgrind --tool=callgrind --callgrind-out-file="$out/cg.%p" \
        "$rt" serve --listen 127.0.0.1:0 --upstream "$upstream/backend-api/codex" \
        --issuer "$upstream" >"$out/serve" 2>"$out/serve.err" &
    proxy=$!
    for _ in $(seq 300); do grep -q 'listening' "$out/serve" 2>/dev/null && break; sleep 0.2; done
    url="$(sed -n 's/listening on //p' "$out/serve")/v1/responses"
else
    proxy=$(sed -n 's/^proxy pid \([0-9]*\);.*/\1/p' "$out/bench.err")
    port=""
    for _ in $(seq 300); do
        port=$(ss -ltnpH | grep "pid=$proxy," | awk '{print $4}' | sed 's/.*://' | head -1)
        [ -n "$port" ] && break
        sleep 0.2
    done
    url="http://127.0.0.1:$port/v1/responses"
fi
load() {
    for _ in $(seq "$1"); do printf 'url = "%s"\noutput = "/dev/null"\n' "$url"; done >"$out/urls"
    curl -s --parallel --parallel-max "$par" -H 'content-type: application/json' \
        -H "x-bench-mode: $mode" --data-binary @"$out/body.json" -K "$out/urls" \
        -w '%{http_code}\n' 2>/dev/null >"$out/codes"
}
load 200
callgrind_control -z "$proxy" >/dev/null 2>&1
load "$n"
callgrind_control -d "$proxy" >/dev/null 2>&1
sleep 1
ok=$(grep -c '^200$' "$out/codes" || true)
dump=$(ls "$out"/cg.*.1)
total=$(callgrind_annotate "$dump" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)
echo "$kind, $n requests ($ok answered 200), $par at once: $((total / n)) instructions per request$($serve && echo ' (serve, access log on)')"
