#!/usr/bin/env bash
# Installs the OpenCode CLI (npm package opencode-ai, pinned) for the end-to-end test in
# crates/proxy/tests/opencode_e2e.rs, which runs `opencode run` against codex-runtime's proxy
# and a mock Codex backend. Idempotent: does nothing when the pinned version is installed.
#
# Location: ${CODEX_KIT_CACHE:-<repo>/target/codex-kit-cache}/opencode/node_modules
set -euo pipefail

version="1.18.33"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${CODEX_KIT_CACHE:-$repo/target/codex-kit-cache}"
prefix="$cache/opencode"
installed="$prefix/node_modules/opencode-ai/package.json"

if [ -f "$installed" ] && grep -q "\"version\": \"$version\"" "$installed"; then
  echo "opencode-ai $version already installed in $prefix/node_modules"
  exit 0
fi

if ! command -v node >/dev/null 2>&1; then
  echo "node is not installed: the OpenCode end-to-end test will be skipped" >&2
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "node is installed but npm is not: cannot install opencode-ai" >&2
  exit 1
fi

mkdir -p "$prefix"
npm install --prefix "$prefix" --no-audit --no-fund --no-save "opencode-ai@$version"
test -f "$installed"
# The package's postinstall links the platform binary into place; run it if npm skipped it.
if ! "$prefix/node_modules/.bin/opencode" --version >/dev/null 2>&1; then
  (cd "$prefix/node_modules/opencode-ai" && node ./postinstall.mjs)
fi
"$prefix/node_modules/.bin/opencode" --version
echo "installed opencode-ai $version into $prefix/node_modules"
