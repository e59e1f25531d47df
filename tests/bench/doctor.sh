#!/usr/bin/env bash
# Whole-process benchmark of `codex-doctor --json` on a healthy home with 50 accounts and full
# caches (issue goal: median < 15 ms wall, peak RSS < 10 MB on the 2-core machine).
# Installs hyperfine from Debian when missing. Usage: tests/bench/doctor.sh [ACCOUNTS]
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${1:-50}"
cargo build --release -q -p codex-doctor
bin="$PWD/target/release/codex-doctor"
if ! command -v hyperfine >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq hyperfine) >/dev/null
fi
home="$(mktemp -d)"
trap 'rm -rf "$home"' EXIT
python3 tests/bench/make-home.py "$home" "$n" >/dev/null
run=(env -i HOME="$home" PATH="$home/bin" CODEX_DOCTOR_LOGIN_PORT=0 "$bin" --json)
"${run[@]}" >/dev/null || [ $? -eq 1 ]
mkdir -p tests/bench/out
hyperfine -N --warmup 10 --runs 200 -i --export-json tests/bench/out/doctor.json "${run[*]}"
peak=$( { /usr/bin/time -f '%M' "${run[@]}" >/dev/null; } 2>&1 | tail -1 )
echo "peak RSS: ${peak} KB"
