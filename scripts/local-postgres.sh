#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and local runs: its data in a folder of its own, on
# 127.0.0.1 and a free port, with a trusted superuser `duplex` and a database `duplex`. No Docker
# and no system service: the server is a local process (as root it runs as the user `postgres`,
# since PostgreSQL refuses to run as root).
#
#   scripts/local-postgres.sh start [DIR]   start the server in DIR (a new temporary folder when
#                                           none is given; initialised on first start, the same
#                                           port again on a restart) and print its DATABASE_URL
#   scripts/local-postgres.sh stop DIR      stop it (fast: sessions are cut, committed data kept)
#   scripts/local-postgres.sh remove DIR    stop it if it runs, then delete DIR
#   scripts/local-postgres.sh install       only make sure PostgreSQL is installed
#
# When PostgreSQL is missing: as root with apt-get, Debian's `postgresql` is installed (and the
# service the package may start is stopped again); otherwise it exits 1 saying what to install.
# Only the URL goes to stdout; everything else goes to stderr.
set -euo pipefail

say() { echo "local-postgres: $*" >&2; }
fail() {
  say "$*"
  exit 1
}
is_root() { [[ "$(id -u)" = 0 ]]; }

# The newest server binaries: Debian's versioned folder, else a pg_ctl on PATH.
find_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [[ -n "$dir" && -x "$dir/pg_ctl" ]]; then
    echo "$dir"
  elif command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
  else
    return 1
  fi
}

install_postgres() {
  if ! is_root || ! command -v apt-get >/dev/null 2>&1; then
    fail "PostgreSQL not found; install it, e.g. as root: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql"
  fi
  say "PostgreSQL not found; installing Debian's postgresql with apt-get"
  apt-get update -qq >&2 || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2 ||
    fail "apt-get install postgresql failed"
  # The package may start a cluster of its own as a service; nothing here uses it.
  if command -v pg_lsclusters >/dev/null 2>&1; then
    pg_lsclusters --no-header 2>/dev/null | while read -r version cluster _port status _rest; do
      if [[ "$status" = online* ]]; then
        say "stopping the service cluster $version/$cluster that the package started"
        pg_ctlcluster "$version" "$cluster" stop >&2 || true
      fi
    done
  fi
}

# Runs a command as the folder's server user, from inside the folder (a root-only working
# directory would be unreadable to that user).
as_server_user() {
  if is_root; then
    (cd "$dir" && runuser -u postgres -- "$@")
  else
    (cd "$dir" && "$@")
  fi
}

free_port() {
  node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); });"
}

is_running() { [[ -f "$dir/data/postmaster.pid" ]] && as_server_user "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; }

start() {
  if [[ -z "$dir" ]]; then
    dir="$(mktemp -d "${TMPDIR:-/tmp}/duplex-postgres-XXXXXX")"
  fi
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  if is_root; then
    id postgres >/dev/null 2>&1 || fail "the user postgres is missing (Debian's postgresql package creates it)"
    chown postgres "$dir"
  fi
  if [[ ! -f "$dir/port" ]]; then free_port >"$dir/port"; fi
  local port
  port="$(cat "$dir/port")"
  # A Unix socket path is limited to 107 bytes.
  if ((${#dir} + 20 > 107)); then fail "folder path too long for the server's socket: $dir"; fi
  local fresh=0
  if [[ ! -f "$dir/data/PG_VERSION" ]]; then
    fresh=1
    as_server_user "$bin/initdb" -D "$dir/data" -A trust -U duplex -E UTF8 --locale=C --no-sync \
      >"$dir/initdb.log" 2>&1 || fail "initdb failed; see $dir/initdb.log"
  fi
  if ! is_running; then
    as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
      -o "-h 127.0.0.1 -p $port -k $dir" start >/dev/null ||
      fail "the server did not start; see $dir/server.log"
  fi
  if ((fresh)); then
    as_server_user "$bin/createdb" -h 127.0.0.1 -p "$port" -U duplex duplex ||
      fail "could not create the database duplex"
    say "data in $dir; stop it with: scripts/local-postgres.sh stop $dir"
  fi
  echo "postgresql://duplex@127.0.0.1:$port/duplex"
}

command="${1:-}"
dir="${2:-}"
case "$command" in
  start | install) ;;
  stop | remove) [[ -n "$dir" ]] || fail "usage: $0 $command DIR" ;;
  *) fail "usage: $0 start [DIR] | stop DIR | remove DIR | install" ;;
esac

bin="$(find_bindir)" || {
  [[ "$command" = start || "$command" = install ]] || fail "PostgreSQL not found"
  install_postgres
  bin="$(find_bindir)" || fail "PostgreSQL was installed but its binaries were not found"
}

case "$command" in
  install) say "PostgreSQL binaries in $bin" ;;
  start) start ;;
  stop)
    [[ -d "$dir" ]] || fail "no such folder: $dir"
    as_server_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  remove)
    if [[ -d "$dir" ]]; then
      if is_running; then as_server_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null; fi
      rm -rf "$dir"
    fi
    ;;
esac
