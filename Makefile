# Benchmarks of the ledger at scale (see `closeout gen --help`, `closeout bench --help`).
#   make bench          both databases, one after the other
#   make bench-sqlite   100k tasks in a fresh SQLite file under a temporary data folder
#   make bench-pg       1M tasks in a freshly created PostgreSQL database
#   make bench-sweep    the sweep on the database bench-pg made (first run, same day again,
#                       next day, a week later), as of the generator's date
# Variables: RUNS, WARMUP, SQLITE_TASKS, PG_TASKS, PG_SERVER, PG_DB, BENCH_ARGS.

CLOSEOUT     ?= .venv/bin/closeout
PSQL         ?= psql
RUNS         ?= 50
WARMUP       ?= 5
SQLITE_TASKS ?= 100000
PG_TASKS     ?= 1000000
PG_SERVER    ?= postgres://postgres@127.0.0.1:5432
PG_DB        ?= closeout_bench
BENCH_ARGS   ?=

SWEEP_AS_OF  ?= 2025-06-30

.PHONY: bench bench-sqlite bench-pg bench-sweep

bench: bench-sqlite bench-pg

bench-sqlite:
	@dir=$$(mktemp -d -t closeout-bench-XXXXXX) && \
	echo "== SQLite, $(SQLITE_TASKS) tasks, data folder $$dir" && \
	CLOSEOUT_DATA_DIR=$$dir $(CLOSEOUT) gen --tasks $(SQLITE_TASKS) && \
	CLOSEOUT_DATA_DIR=$$dir $(CLOSEOUT) bench --runs $(RUNS) --warmup $(WARMUP) $(BENCH_ARGS) && \
	CLOSEOUT_DATA_DIR=$$dir $(CLOSEOUT) bench --sweep --as-of $(SWEEP_AS_OF); \
	status=$$?; rm -rf "$$dir"; exit $$status

bench-pg:
	@echo "== PostgreSQL, $(PG_TASKS) tasks, database $(PG_DB)"
	$(PSQL) "$(PG_SERVER)/postgres" -v ON_ERROR_STOP=1 -qc 'DROP DATABASE IF EXISTS $(PG_DB)'
	$(PSQL) "$(PG_SERVER)/postgres" -v ON_ERROR_STOP=1 -qc 'CREATE DATABASE $(PG_DB)'
	@dir=$$(mktemp -d -t closeout-bench-XXXXXX) && \
	export CLOSEOUT_DATA_DIR=$$dir DATABASE_URL=$(PG_SERVER)/$(PG_DB) && \
	$(CLOSEOUT) gen --tasks $(PG_TASKS) && \
	$(CLOSEOUT) bench --runs $(RUNS) --warmup $(WARMUP) $(BENCH_ARGS); \
	status=$$?; rm -rf "$$dir"; exit $$status
	$(MAKE) --no-print-directory bench-sweep

bench-sweep:
	@dir=$$(mktemp -d -t closeout-bench-XXXXXX) && \
	CLOSEOUT_DATA_DIR=$$dir DATABASE_URL=$(PG_SERVER)/$(PG_DB) \
	$(CLOSEOUT) bench --sweep --as-of $(SWEEP_AS_OF); \
	status=$$?; rm -rf "$$dir"; exit $$status
