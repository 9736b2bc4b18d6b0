#!/usr/bin/env bash
# Create .venv, install, and run the whole test suite (arguments go to pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
if [ -z "${LEDGER_TEST_PG_URL:-}" ] && command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 2>/dev/null; then
  # A local PostgreSQL answers: test against it too (each test in a schema of its own).
  export LEDGER_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:5432/test"
fi
if [ -z "${LEDGER_TEST_PG_URL:-}" ]; then
  echo "Note: no PostgreSQL server found (LEDGER_TEST_PG_URL unset); the PostgreSQL tests will be skipped." >&2
fi
exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
