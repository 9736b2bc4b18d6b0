#!/usr/bin/env bash
# What the portal's browser tests need (tests/test_portal_browser.py), installed where it can be:
# - Chromium from Debian's packages (`apt-get install chromium`), driven by Playwright for Python
#   (a dev dependency in pyproject.toml) at /usr/bin/chromium: never `playwright install`, which
#   would download a browser build of its own;
# - axe-core from the npm registry, installed into .venv/axe/ (its axe.min.js is not committed).
# Nothing here is fatal: where an install cannot run (no root, no apt, no npm, no mirror) it says
# so, and the browser tests skip with that reason, unless LEDGER_REQUIRE_BROWSER=1 (CI), where they fail.
set -uo pipefail
cd "$(dirname "$0")/.."
AXE_VERSION=4.14.1
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Debian's chromium for the browser tests" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q chromium >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; } \
      || echo "warning: chromium could not be installed from Debian's packages; the browser tests will skip" >&2
  else
    echo "warning: /usr/bin/chromium is missing and apt-get cannot run here (run 'apt-get install chromium' as root)" >&2
  fi
fi
if [ ! -f .venv/axe/node_modules/axe-core/axe.min.js ] \
   || [ "$(cat .venv/axe/version 2>/dev/null)" != "$AXE_VERSION" ]; then
  if command -v npm >/dev/null 2>&1; then
    mkdir -p .venv/axe
    if (cd .venv/axe && npm install --no-audit --no-fund --silent --no-save "axe-core@$AXE_VERSION" >/dev/null 2>&1); then
      echo "$AXE_VERSION" > .venv/axe/version
    else
      echo "warning: axe-core could not be installed from npm; the accessibility tests will skip" >&2
    fi
  else
    echo "warning: npm is missing, so axe-core cannot be installed; the accessibility tests will skip" >&2
  fi
fi
exit 0
