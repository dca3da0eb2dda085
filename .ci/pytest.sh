#!/usr/bin/env bash
# Runs the whole suite, the linters and the type checker. Uses the machine's PostgreSQL when
# one answers and DATABASE_URL is unset, so the concurrency tests run for real; SQLite otherwise.
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DATABASE_URL:-}" ] && .venv/bin/python - <<'PY' 2>/dev/null
import psycopg
psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=2).close()
PY
then
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres"
fi
echo "Database for the tests: ${DATABASE_URL:-SQLite (embedded default)}"

# Bytecode caches (git-ignored) are written even where PYTHONDONTWRITEBYTECODE is set (this
# machine sets it): without them every process the suite starts (test processes, workers,
# servers, manage.py) compiles the project again, and pytest rewrites every test module's
# asserts again in each test process, seconds of CPU each.
unset PYTHONDONTWRITEBYTECODE
# A fresh clone has none yet: build the project's at once, on every core, rather than in each of
# the processes that start together below.
.venv/bin/python -m compileall -q -j 0 studio jobs tests manage.py >/dev/null

# Types over the engine and the web app, jobs and studio (configured in pyproject.toml: files,
# plugins, exclusions), beside the tests. Reported after them; an error fails the run.
types_log=$(mktemp)
# At the lowest priority: it takes the CPU the tests leave while they wait (on workers, browsers,
# leases), not the CPU the test processes need to start, collect and run.
nice -n 19 .venv/bin/mypy >"$types_log" 2>&1 &
types_pid=$!

# Four processes on two cores: much of the suite waits on workers, browsers, leases and HTTP, so
# two more processes fill those waits (measured: 87-115 s with four, 105-108 s with five; 143 s
# with three before the workers were forked). A file stays on one process (loadfile), so module
# fixtures such as the 20,000-image library are built once; files marked `long` are handed out
# first (tests/conftest.py). The controller migrates one template database and each process
# copies it (tests/fixtures/database.py).
# STUDIO_TEST_WORKERS=0 runs in one process.
.venv/bin/pytest -n "${STUDIO_TEST_WORKERS:-4}" --dist loadfile --no-loadscope-reorder "$@"
tests=$?
if [ "$tests" -eq 5 ]; then
  echo "pytest collected no tests: that is a broken suite, not a green one."
fi

.venv/bin/ruff check . && .venv/bin/ruff format --check .
lint=$?
[ "$lint" -eq 0 ] || echo "ruff found problems (see above)."

# The import contracts between the engine and the web (pyproject.toml's [tool.importlinter]; the
# README's "Boundaries"): under a second of CPU.
.venv/bin/lint-imports
imports=$?
[ "$imports" -eq 0 ] || echo "lint-imports found a broken import contract (see above)."

wait "$types_pid"
types=$?
cat "$types_log"
rm -f "$types_log"
[ "$types" -eq 0 ] || echo "mypy found type errors (see above)."

[ "$tests" -eq 0 ] && [ "$lint" -eq 0 ] && [ "$imports" -eq 0 ] && [ "$types" -eq 0 ]
