#!/usr/bin/env bash
# The main job on embedded defaults: SQLite under ./data, a local Anvil started for you, the
# anchor contract deployed on first start. Extra arguments go to `govtrace serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/govtrace serve "$@"
