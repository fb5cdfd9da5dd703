#!/usr/bin/env bash
# Runs every fuzz target for the given time each (default 10s; CI runs the
# short form, `scripts/fuzz.sh 10m` runs them longer). A crash is saved
# under testdata/fuzz/ by go test and becomes a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:-10s}
go list -f '{{.ImportPath}} {{.Dir}}' ./... | while read -r pkg dir; do
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "fuzz $pkg $target ($budget)"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$budget" -fuzzminimizetime 5x "$pkg"
  done
done
