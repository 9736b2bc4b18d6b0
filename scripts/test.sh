#!/usr/bin/env bash
# Create .venv, install, and run the whole test suite (arguments go to pytest).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/browser-setup.sh  # chromium (Debian) and axe-core (npm) for the portal's browser tests, where they can be had
if [ -z "${LEDGER_TEST_PG_URL:-}" ] && command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 2>/dev/null; then
  # A local PostgreSQL answers: test against it too (each test in a schema of its own).
  export LEDGER_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:5432/test"
fi
if [ -z "${LEDGER_TEST_PG_URL:-}" ]; then
  echo "Note: no PostgreSQL server found (LEDGER_TEST_PG_URL unset); the PostgreSQL tests will be skipped." >&2
fi
if [ $# -eq 0 ] && [ "$(.venv/bin/python scripts/build_native.py --check 2>/dev/null)" = "compiled" ]; then
  # The whole suite runs twice: with the compiled judging path (as the ledger runs), and from its
  # sources (as it runs where nothing could be compiled).
  echo "Tests with the judging path compiled (scripts/build_native.py)" >&2
  .venv/bin/python -m pytest -p no:cacheprovider
  echo "Tests with the judging path from its sources (LEDGER_PURE=1)" >&2
  LEDGER_PURE=1 exec .venv/bin/python -m pytest -p no:cacheprovider
fi
exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
