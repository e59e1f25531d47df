#!/usr/bin/env bash
# Runs every red-team case against a release build of codex-doctor and fails when a case
# leaks that known-leaks.txt does not list (an escape that used to be caught, or a new case
# that escapes). Usage: tests/redteam/check.sh [case name filters...]; J=4 for more threads.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
cargo build --release -q -p codex-doctor
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
python3 "$here/redteam.py" "$@" > "$out"
tail -n 1 "$out"
new="$(grep '^LEAK: ' "$out" | sed 's/^LEAK: //' | sort -u | comm -23 - <(grep -v '^#' "$here/known-leaks.txt" | sort -u) || true)"
if [ -n "$new" ]; then
  echo "leaking, and not in known-leaks.txt:"
  echo "$new"
  grep -A3 -F -f <(echo "$new" | sed 's/^/LEAK: /') "$out" || true
  exit 1
fi
echo "no leak beyond known-leaks.txt"
