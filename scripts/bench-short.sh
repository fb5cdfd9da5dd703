#!/usr/bin/env bash
# The short form of the benchmarks, for CI: each benchmark runs briefly so
# that a broken benchmark fails the build. `make bench` runs the full set.
set -euo pipefail
cd "$(dirname "$0")/.."
go test -run '^$' -bench . -benchtime 100x ./internal/...
if [ -d bench ]; then
  (cd bench && go test -run 'Test' -bench . -benchtime 100x ./...)
fi
