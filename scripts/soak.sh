#!/usr/bin/env bash
# The load soak: simulated users (200 by default) sign in, read the
# register, file and decide requests, report incidents and read their inbox
# against the real `mamori serve` on loopback for a bounded time (-d, default
# 10m) and number of requests (-max-requests); it fails on any 5xx, any
# acknowledged write not found afterwards, memory that keeps growing, or a
# log that does not verify. -short is the CI form (30 s, 50 users; too short
# to judge memory, whose trend it only shows).
# Flags go to `mamori-bench soak` (scripts/soak.sh -h lists them).
set -euo pipefail
cd "$(dirname "$0")/../bench"
exec go run ./cmd/mamori-bench soak "$@"
