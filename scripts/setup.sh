#!/usr/bin/env bash
# Create .venv (if needed) and install the ledger with its test and PostgreSQL extras.
# Reinstalls only when pyproject.toml changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv with $($PYTHON --version)" >&2
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "Installing the ledger and its dependencies into .venv" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]" 2>&1 | grep -v "^WARNING: Location" >&2 || true
  .venv/bin/python -c "import ledger.application, click, pydantic, sqlalchemy, psycopg, fpdf, bidi, manimgx_fonts, justmytype_intl_cjk" \
    || { echo "installation failed" >&2; exit 1; }
  rm -f .venv/.installed-*
  touch "$stamp"
fi
# The PDF tests read the PDFs' text with poppler's pdftotext (Debian: poppler-utils); as root it is
# installed here, otherwise those tests say they are skipped.
if ! command -v pdftotext >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing poppler-utils (pdftotext, for the PDF tests)" >&2
  { apt-get install -y -q poppler-utils >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q poppler-utils >/dev/null 2>&1; }; } \
    || echo "warning: poppler-utils could not be installed; the PDF text tests will be skipped" >&2
fi
# Compile the bulk import's judging path with mypyc (about a minute, and only when its sources
# changed). It is optional: if it cannot be compiled here, the sources run, slower.
if [ -z "${LEDGER_PURE:-}" ] && ! .venv/bin/python scripts/build_native.py --check >/dev/null 2>&1; then
  echo "Compiling the judging path with mypyc (about a minute; build/native.log)" >&2
  mkdir -p build
  if ! .venv/bin/python scripts/build_native.py >build/native.log 2>&1; then
    tail -n 20 build/native.log >&2
    echo "warning: the judging path could not be compiled; the ledger runs from its sources (slower)" >&2
    .venv/bin/python scripts/build_native.py --clean >/dev/null 2>&1 || true
  fi
fi
