#!/usr/bin/env bash
# The short form of the benchmarks and the soak, for CI: every benchmark
# runs once on small data so that a broken one fails the build, the OPA
# comparison checks that both engines agree, and the harness runs end to end
# on small data (PostgreSQL too when MAMORI_TEST_POSTGRES is set): the table
# with every check, then a 30-second soak of 50 users. `make bench` and
# `make soak` run the full forms.
set -euo pipefail
cd "$(dirname "$0")/.."
MAMORI_BENCH_ROWS=${MAMORI_BENCH_ROWS:-2000} go test -run '^$' -bench . -benchtime 1x ./internal/...
cd bench
go test -run 'Test' -bench . -benchtime 100x ./...
go run ./cmd/mamori-bench run -short
go run ./cmd/mamori-bench soak -short
