#!/usr/bin/env bash
# Runs the whole suite, then the linters. Uses the machine's PostgreSQL when one answers and
# DATABASE_URL is unset, so the concurrency tests run for real; SQLite otherwise.
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

.venv/bin/pytest "$@"
tests=$?
if [ "$tests" -eq 5 ]; then
  echo "pytest collected no tests: that is a broken suite, not a green one."
fi

.venv/bin/ruff check . && .venv/bin/ruff format --check .
lint=$?
[ "$lint" -eq 0 ] || echo "ruff found problems (see above)."

[ "$tests" -eq 0 ] && [ "$lint" -eq 0 ]
