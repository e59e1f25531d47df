#!/usr/bin/env bash
# Whole-process benchmark of `codex-doctor --json` on a healthy home with N accounts (default 50)
# and full caches, for the three ways OpenCode is installed, beside `node -e 0` measured in the
# same run; prints each layout's median and its ratio to node's start-up (issue 12 goal: every
# ratio < 0.10). Layouts:
#   npm     `opencode` on PATH links into node_modules/opencode-ai (version from package.json)
#   native  a lone binary that takes 0.5 s to answer --version (as the installer/Homebrew one);
#           the doctor's own cache remembers the answer after the first (warm-up) run
#   script  a small shell script answering --version at once (no package.json)
# Installs hyperfine from Debian when missing. Usage: tests/bench/doctor.sh [ACCOUNTS]
set -euo pipefail
cd "$(dirname "$0")/../.."
n="${1:-50}"
cargo build --release -q -p codex-doctor
bin="$PWD/target/release/codex-doctor"
if ! command -v hyperfine >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq hyperfine) >/dev/null
fi
if ! command -v node >/dev/null; then
  echo "node is not installed: cannot measure the ratio to node -e 0" >&2
  exit 1
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p tests/bench/out

layout() { # name → a home with N accounts and that layout's `opencode` on PATH
  local name="$1" home="$work/$1"
  python3 tests/bench/make-home.py "$home" "$n" >/dev/null
  mkdir -p "$home/bin"
  case "$name" in
    npm)
      local pkg="$home/npm/lib/node_modules/opencode-ai"
      mkdir -p "$pkg/bin"
      printf '{"name":"opencode-ai","version":"1.18.33"}\n' >"$pkg/package.json"
      printf '#!/bin/sh\nsleep 0.5\necho 1.18.33\n' >"$pkg/bin/opencode"
      chmod 755 "$pkg/bin/opencode"
      ln -s "$pkg/bin/opencode" "$home/bin/opencode"
      ;;
    native)
      printf '#!/bin/sh\nsleep 0.5\necho 1.18.33\n' >"$home/bin/opencode"
      chmod 755 "$home/bin/opencode"
      ;;
    script)
      printf '#!/bin/sh\necho 1.18.33\n' >"$home/bin/opencode"
      chmod 755 "$home/bin/opencode"
      ;;
  esac
  echo "$home"
}

cmds=()
names=()
for name in npm native script; do
  home="$(layout "$name")"
  # PATH keeps /bin for the scripts' `sleep`; the doctor only looks up `opencode` on it.
  cmd="env -i HOME=$home PATH=$home/bin:/usr/bin:/bin CODEX_DOCTOR_LOGIN_PORT=0 $bin --json"
  $cmd >/dev/null || [ $? -eq 1 ]
  cmds+=("$cmd")
  names+=("$name")
done

hyperfine -N --warmup 10 --runs 100 -i --export-json tests/bench/out/doctor.json \
  -n "node -e 0" "node -e 0" \
  -n npm "${cmds[0]}" -n native "${cmds[1]}" -n script "${cmds[2]}"

python3 - tests/bench/out/doctor.json <<'EOF'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
node = r["node -e 0"]
print(f"node -e 0: median {node * 1000:.1f} ms")
worst = 0.0
for name in ("npm", "native", "script"):
    ratio = r[name] / node
    worst = max(worst, ratio)
    print(f"{name:7s} median {r[name] * 1000:6.2f} ms  ratio to node -e 0: {ratio:.3f}")
print(f"worst ratio {worst:.3f} ({'under' if worst < 0.10 else 'NOT under'} the 0.10 goal)")
EOF
peak=$( { /usr/bin/time -f '%M' ${cmds[0]} >/dev/null; } 2>&1 | tail -1 )
echo "peak RSS (npm layout): ${peak} KB"
