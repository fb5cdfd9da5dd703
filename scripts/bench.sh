#!/usr/bin/env bash
# The benchmarks (BENCHMARKS.md): builds mamori and the harness in bench/,
# fills SQLite — and PostgreSQL when MAMORI_TEST_POSTGRES names a role that
# may create databases — with 100,000 assets and 1,000 people, runs the real
# `mamori serve` under load from a separate process on loopback, and prints
# one markdown table with each figure beside its reference from the same
# run. Progress goes to standard error. Flags go to `mamori-bench run`
# (scripts/bench.sh -h lists them), e.g. scripts/bench.sh -out table.md
set -euo pipefail
cd "$(dirname "$0")/../bench"
exec go run ./cmd/mamori-bench run "$@"
