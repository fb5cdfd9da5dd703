#!/usr/bin/env bash
# Runs every fuzz target of every package for the given time each
# (default 10s). CI runs `scripts/fuzz.sh 10s`; `scripts/fuzz.sh 10m` runs
# them longer (docs/proof.md). A failure is saved under the package's
# testdata/fuzz/FuzzXxx/ by go test: commit it with the fix, and it runs as
# a regression test in every `go test ./...`. FUZZ_ONLY=REGEXP limits the
# run to targets whose name matches.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:-10s}
only=${FUZZ_ONLY:-.}
start=$SECONDS
summary=()
pkgs=$(go list -f '{{.ImportPath}} {{.Dir}}' ./...)
while read -r pkg dir; do
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    [[ $target =~ $only ]] || continue
    echo "fuzz $pkg $target ($budget)"
    t0=$SECONDS
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$budget" -fuzzminimizetime 5x "$pkg" </dev/null
    summary+=("$(printf '%4ds  %s %s' $((SECONDS - t0)) "$pkg" "$target")")
  done
done <<<"$pkgs"
echo
echo "fuzz targets run (${#summary[@]}, $((SECONDS - start))s in all):"
printf '  %s\n' "${summary[@]}"
