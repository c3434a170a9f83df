#!/usr/bin/env bash
# Install everything govtrace needs, idempotently: a Python venv with the project and its dev
# tools, and the pinned npm toolchain (anvil, forge, cast, solcjs, OpenZeppelin).
# Reinstalls only when pyproject.toml or package-lock.json changed since the last run.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf 'bootstrap: %s\n' "$*" >&2; }
need_apt=()
PY=${GOVTRACE_PYTHON:-}
if [ -z "$PY" ]; then
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      PY=$candidate; break
    fi
  done
fi
[ -n "$PY" ] || need_apt+=(python3 python3-venv python3-dev)
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing ${need_apt[*]} from Debian packages"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
  PY=${PY:-python3}
fi

if [ ! -x .venv/bin/python ]; then
  log "creating .venv with $PY"
  "$PY" -m venv .venv
fi
want=$(cat pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat .venv/.govtrace-stamp 2>/dev/null)" != "$want" ]; then
  log "installing Python packages"
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
  echo "$want" > .venv/.govtrace-stamp
fi

want=$(cat package-lock.json | sha256sum | cut -d' ' -f1)
if [ "$(cat node_modules/.govtrace-stamp 2>/dev/null)" != "$want" ] ||
   [ ! -x node_modules/.bin/anvil ]; then
  log "installing the npm toolchain (anvil, forge, cast, solc, openzeppelin)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > node_modules/.govtrace-stamp
fi
