#!/usr/bin/env bash
# Installs the OpenAI Node client (npm package openai, pinned) for the Chat Completions round
# trip in crates/proxy/tests/chat_client.rs, which drives tests/node/chat-client.mjs against
# codex-runtime's proxy and a mock Codex backend. Idempotent: does nothing when the pinned
# version is installed.
#
# Location: ${CODEX_KIT_CACHE:-<repo>/target/codex-kit-cache}/openai/node_modules
set -euo pipefail

version="4.104.0"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${CODEX_KIT_CACHE:-$repo/target/codex-kit-cache}"
prefix="$cache/openai"
installed="$prefix/node_modules/openai/package.json"

if [ -f "$installed" ] && grep -q "\"version\": \"$version\"" "$installed"; then
  echo "openai $version already installed in $prefix/node_modules"
  exit 0
fi

if ! command -v node >/dev/null 2>&1; then
  echo "node is not installed: the OpenAI client round trip test will be skipped" >&2
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "node is installed but npm is not: cannot install openai" >&2
  exit 1
fi

mkdir -p "$prefix"
npm install --prefix "$prefix" --no-audit --no-fund --no-save "openai@$version"
test -f "$installed"
echo "installed openai $version into $prefix/node_modules"
