#!/usr/bin/env bash
# Whole-process benchmark of `codex-doctor bundle` on a home with 50 accounts and a 200 MB
# plugin log dir (issue goal: under 3 s wall, peak RSS under 64 MB, on the 2-core machine).
# Two homes (make-logs.py's `simple` and `varied` logs); for the simple one, the default
# budget (--max-bytes 20MB, newest logs only) and --max-bytes 300MB (every log byte read,
# redacted, compressed and self-scanned); for the varied one, --max-bytes 300MB. Installs hyperfine from
# Debian when missing. Usage: tests/bench/bundle.sh [MB] [ACCOUNTS]
set -euo pipefail
cd "$(dirname "$0")/../.."
mb="${1:-200}"
n="${2:-50}"
cargo build --release -q -p codex-doctor
bin="$PWD/target/release/codex-doctor"
if ! command -v hyperfine >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq hyperfine) >/dev/null
fi
homes="$(mktemp -d)"
trap 'rm -rf "$homes"' EXIT
mkdir -p tests/bench/out
# `simple`: four record shapes with raw tokens and emails in them (the engine's worst case);
# `varied`: every event and field of the plugin's logs, as the plugin writes them.
for logs in simple varied; do
  home="$homes/$logs"
  mkdir -p "$home"
  python3 tests/bench/make-home.py "$home" "$n" >/dev/null
  python3 tests/bench/make-logs.py "$home" "$mb" "$n" "$logs" >/dev/null
  echo "$logs log dir: $(du -sh "$home/.config/opencode/logs/codex-plugin" | cut -f1)"
  budgets="20MB 300MB"
  [ "$logs" = varied ] && budgets="300MB"
  for budget in $budgets; do
    out="$home/bundle-$budget.zip"
    run=(env -i HOME="$home" PATH="$home/bin" USER=bench CODEX_DOCTOR_LOGIN_PORT=0 "$bin" bundle --force --max-bytes "$budget" -o "$out")
    "${run[@]}"
    hyperfine -N --warmup 1 --runs 5 --export-json "tests/bench/out/bundle-$logs-$budget.json" "${run[*]}"
    peak=$( { /usr/bin/time -f '%M' "${run[@]}" >/dev/null; } 2>&1 | tail -1 )
    echo "$logs, --max-bytes $budget: peak RSS ${peak} KB, zip $(du -h "$out" | cut -f1)"
  done
done
