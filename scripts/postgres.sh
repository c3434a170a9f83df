#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and the soak script (never for production data).
#
#   scripts/postgres.sh install            install Debian's `postgresql` if no server binaries exist
#   scripts/postgres.sh start DIR [PORT]   initdb DIR (if new) and start on 127.0.0.1:PORT;
#                                          prints the SQLAlchemy URL on stdout
#   scripts/postgres.sh stop DIR           stop the server of DIR (fast shutdown)
#
# The server trusts every local connection, keeps its socket in DIR and runs with fsync off:
# it exists for the length of a test run. GOVTRACE_PG_DURABLE=1 starts it with PostgreSQL's
# durable defaults instead (fsync, full page writes, synchronous commit), for benchmarks: these
# are command-line settings, which ALTER SYSTEM cannot override later. PostgreSQL refuses to run as root, so as root the
# server runs as the `postgres` user the Debian package creates (or `nobody` otherwise). `stop`
# deletes the cluster.
set -euo pipefail

log() { printf 'postgres.sh: %s\n' "$*" >&2; }

bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(readlink -f "$(command -v initdb)")"; return 0; }
  return 1
}

install() {
  bindir >/dev/null && return 0
  log "installing PostgreSQL from Debian packages"
  local sudo=; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
  # The package starts a system cluster on 5432; the tests use their own server.
  bindir >/dev/null || { log "no initdb after installing postgresql"; exit 1; }
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    local user=postgres
    id "$user" >/dev/null 2>&1 || user=nobody
    runuser -u "$user" -- "$@"
  else
    "$@"
  fi
}

owner() {
  if [ "$(id -u)" = 0 ]; then
    if id postgres >/dev/null 2>&1; then echo postgres; else echo nobody; fi
  else
    id -un
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
  local dir=${1:?usage: start DIR [PORT]} port=${2:-}
  install
  local bin; bin=$(bindir)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  # The cluster lives in a directory of its own that its owner can reach even when DIR's
  # parents are private (pytest's temporary directories are mode 700 and owned by root).
  local cluster
  if [ -f "$dir/cluster" ]; then
    cluster=$(cat "$dir/cluster")
  else
    cluster=$(mktemp -d "${TMPDIR:-/tmp}/govtrace-pg.XXXXXX")
    chmod 755 "$cluster"
    [ "$(id -u)" = 0 ] && chown "$(owner)" "$cluster"
    echo "$cluster" > "$dir/cluster"
  fi
  if [ ! -f "$cluster/data/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$cluster/data" -U postgres --auth=trust -E UTF8 \
      --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  [ -n "$port" ] || port=$(free_port)
  local fast="-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
  [ "${GOVTRACE_PG_DURABLE:-0}" = 1 ] && fast=
  as_owner "$bin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 60 start -o \
    "-h 127.0.0.1 -p $port -k $cluster $fast -c max_connections=300 -c shared_buffers=64MB" \
    >/dev/null \
    || { tail -n 30 "$cluster/server.log" >&2; exit 1; }
  echo "$port" > "$dir/port"
  echo "postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
}

stop() {
  local dir=${1:?usage: stop DIR}
  [ -f "$dir/cluster" ] || return 0
  local bin cluster; bin=$(bindir); cluster=$(cat "$dir/cluster")
  if [ -f "$cluster/data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$cluster/data" -m fast -w -t 60 stop >/dev/null || true
  fi
  cp "$cluster/server.log" "$dir/server.log" 2>/dev/null || true
  rm -rf "$cluster" "$dir/cluster"
}

cmd=${1:-}
shift || true
case "$cmd" in
  install) install ;;
  start) start "$@" ;;
  stop) stop "$@" ;;
  *) echo "usage: $0 install | start DIR [PORT] | stop DIR" >&2; exit 2 ;;
esac
