#!/usr/bin/env bash
# Every test: lint and types, the Solidity suite (forge), then the Python suites (pytest),
# which start their own Anvil nodes and servers. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export PATH="$PWD/node_modules/.bin:$PATH"
echo "== ruff"; .venv/bin/ruff check .
echo "== mypy"; .venv/bin/mypy
echo "== forge test"; forge test
echo "== pytest"; exec .venv/bin/python -m pytest "$@"
