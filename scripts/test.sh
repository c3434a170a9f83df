#!/usr/bin/env bash
# Every test: lint and types, the Solidity suite (forge), then the Python suites (pytest),
# which start their own Anvil nodes, servers and a throwaway PostgreSQL server (the storage,
# fault and end-to-end suites run on SQLite and PostgreSQL). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/browser.sh  # Chromium for the page tests (tests/browser)
scripts/postgres.sh install  # PostgreSQL server binaries; the tests start their own server
export PATH="$PWD/node_modules/.bin:$PATH"
echo "== ruff"; .venv/bin/ruff check .
echo "== mypy"; .venv/bin/mypy
echo "== forge test"; forge test
echo "== pytest"; exec .venv/bin/python -m pytest "$@"
