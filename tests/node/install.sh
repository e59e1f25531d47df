#!/usr/bin/env bash
# Installs proper-lockfile@4 (the plugin's locker) for the Rust interop tests in
# crates/store/tests/interop.rs. Idempotent: does nothing when it is already installed.
#
# Location: ${CODEX_KIT_CACHE:-<repo>/target/codex-kit-cache}/node/node_modules
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${CODEX_KIT_CACHE:-$repo/target/codex-kit-cache}"
prefix="$cache/node"

if [ -f "$prefix/node_modules/proper-lockfile/package.json" ]; then
  echo "proper-lockfile already installed in $prefix/node_modules"
  exit 0
fi

if ! command -v node >/dev/null 2>&1; then
  echo "node is not installed: the proper-lockfile interop tests will be skipped" >&2
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "node is installed but npm is not: cannot install proper-lockfile" >&2
  exit 1
fi

mkdir -p "$prefix"
npm install --prefix "$prefix" --no-audit --no-fund proper-lockfile@4
test -f "$prefix/node_modules/proper-lockfile/package.json"
echo "installed proper-lockfile into $prefix/node_modules"
