#!/usr/bin/env bash
# Runs the proxy bench's child under heaptrack, keeping heaptrack's own lines off the child's
# stdout (the bench reads the child's address and CPU answers there). heaptrack sees only the
# system allocator's calls: build the bench with the feature that puts its child on it (the
# count of calls does not depend on the allocator). Usage:
#   cargo bench -p codex-proxy --features bench-system-alloc --bench proxy -- --quick --no-nginx --only "SSE, 50 events" \
#     --child-prefix "bash ../../tests/bench/heaptrack-child.sh /tmp/ht-sse"
#   heaptrack_print /tmp/ht-sse.zst | grep '^calls to allocation functions'
# Allocations per request: that count minus a run that serves nothing (`--only none`), over
# the requests of the row (c=1 rows: 50 warm-up requests plus the measured ones).
set -euo pipefail
out=$1
shift
heaptrack -o "$out" "$@" |
    grep --line-buffered -v -E '^(heaptrack output|/usr/lib/heaptrack|starting application|Heaptrack finished|  heaptrack|$)'
