# Shortcuts for the commands the README and BENCHMARKS.md document.
# Benchmarks and the soak need PostgreSQL rows only when MAMORI_TEST_POSTGRES
# names a role that may create databases (otherwise those rows are skipped).

.PHONY: test bench bench-short soak soak-short

# The README's test command (no long runs: the benchmarks live in bench/).
test:
	go test ./...

# The benchmark table of BENCHMARKS.md: builds mamori, fills SQLite (and
# PostgreSQL), measures, prints one markdown table (about 10 minutes).
# Pass flags to `mamori-bench run` with ARGS, e.g. make bench ARGS="-out table.md".
bench:
	scripts/bench.sh $(ARGS)

# Every benchmark briefly and the harness on small data, as CI runs them.
bench-short:
	scripts/bench-short.sh

# The load soak: USERS simulated users for DURATION on DB (sqlite or postgres).
DURATION ?= 10m
USERS ?= 200
DB ?= sqlite
soak:
	scripts/soak.sh -d $(DURATION) -users $(USERS) -db $(DB) $(ARGS)

# Its short form (30 s, 50 users, small data), as CI runs it.
soak-short:
	scripts/soak.sh -short -db $(DB) $(ARGS)
