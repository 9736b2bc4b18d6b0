#!/usr/bin/env bash
# Create .venv, install, and run the whole test suite (arguments go to pytest).
#
# Without arguments: `mypy --strict` (ledger/ and cli.py) and `ruff check`, then the whole suite with
# the judging path compiled and again from its sources (LEDGER_PURE=1). Every part runs even when
# an earlier one failed; the run ends with what each part gave and one line "N passed, N failed"
# (the tests of both runs; a failed check counts as one failed), and exits non-zero if any failed.
# With arguments: only pytest, with them, once.
set -uo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh || exit $?
./scripts/browser-setup.sh  # chromium (Debian) and axe-core (npm) for the portal's browser tests, where they can be had
if [ -z "${LEDGER_TEST_PG_URL:-}" ] && command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 2>/dev/null; then
  # A local PostgreSQL answers: test against it too (each test in a schema of its own).
  export LEDGER_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:5432/test"
fi
if [ -z "${LEDGER_TEST_PG_URL:-}" ]; then
  echo "Note: no PostgreSQL server found (LEDGER_TEST_PG_URL unset); the PostgreSQL tests will be skipped." >&2
fi
if [ $# -gt 0 ]; then
  exec .venv/bin/python -m pytest -p no:cacheprovider "$@"
fi

summary=()
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

check() {  # check NAME COMMAND...: a check that passes or fails as a whole
  local name=$1
  shift
  echo "== $name" >&2
  if "$@"; then
    summary+=("$name: passed")
  else
    summary+=("$name: FAILED (exit $?)")
    failed=$((failed + 1))
  fi
}

suite() {  # suite NAME [env arguments]: the whole pytest suite, its counts added to the total
  local name=$1
  shift
  echo "== Tests $name" >&2
  env "$@" .venv/bin/python -m pytest -p no:cacheprovider 2>&1 | tee "$log"
  local code=${PIPESTATUS[0]}
  local last n_passed n_failed
  # pytest's closing line: "=== 3 failed, 1200 passed, 4 skipped in 300.1s ===" (without the = under -q)
  last=$(grep -E '(passed|failed|errors?|skipped|no tests ran).* in [0-9.]+s' "$log" | tail -n 1 | sed -E 's/^=+ //; s/ =+$//')
  n_passed=$(grep -oE '[0-9]+ passed' <<<"$last" | grep -oE '[0-9]+' || true)
  n_failed=0
  for n in $(grep -oE '[0-9]+ (failed|errors?)' <<<"$last" | grep -oE '[0-9]+'); do
    n_failed=$((n_failed + n))
  done
  passed=$((passed + ${n_passed:-0}))
  failed=$((failed + n_failed))
  if [ "$code" -eq 0 ]; then
    summary+=("tests $name: ${last:-no summary line} (exit 0)")
  else
    summary+=("tests $name: FAILED: ${last:-pytest gave no summary line} (exit $code)")
    if [ "$n_failed" -eq 0 ]; then
      failed=$((failed + 1))  # pytest failed without counting a failed test (a crash, a usage error)
    fi
  fi
}

check "mypy --strict (ledger, cli.py)" .venv/bin/python -m mypy ledger cli.py
check "ruff check" .venv/bin/ruff check .
if [ "$(.venv/bin/python scripts/build_native.py --check 2>/dev/null)" = "compiled" ]; then
  # The suite runs twice: with the compiled judging path (as the ledger runs), and from its
  # sources (as it runs where nothing could be compiled).
  suite "with the judging path compiled (scripts/build_native.py)" -u LEDGER_PURE
  suite "with the judging path from its sources (LEDGER_PURE=1)" LEDGER_PURE=1
else
  suite "from the sources (nothing compiled here, or LEDGER_PURE set)"
fi

echo
echo "Summary:"
for line in "${summary[@]}"; do
  echo "  $line"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
