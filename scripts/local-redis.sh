#!/usr/bin/env bash
# A throwaway Redis server for tests and local runs: its files in a folder of its own, on
# 127.0.0.1 and a free port, with persistence off (no RDB snapshots, no AOF). No Docker and no
# system service: the server is a local daemon, found and stopped again by its pidfile.
#
#   scripts/local-redis.sh start [DIR]   start the server in DIR (a new temporary folder when none
#                                        is given; the same port again on a restart) and print its
#                                        REDIS_URL
#   scripts/local-redis.sh stop DIR      stop it (nothing is kept: a restart is Redis restarted
#                                        empty)
#   scripts/local-redis.sh remove DIR    stop it if it runs, then delete DIR
#   scripts/local-redis.sh install       only make sure Redis is installed
#
# When Redis is missing: as root with apt-get, Debian's `redis-server` is installed (and the
# service the package may start is stopped again); otherwise it exits 1 saying what to install.
# Only the URL goes to stdout; everything else goes to stderr.
set -euo pipefail

say() { echo "local-redis: $*" >&2; }
fail() {
  say "$*"
  exit 1
}
is_root() { [[ "$(id -u)" = 0 ]]; }

have_redis() { command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; }

install_redis() {
  if ! is_root || ! command -v apt-get >/dev/null 2>&1; then
    fail "Redis not found; install it, e.g. as root: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server"
  fi
  say "Redis not found; installing Debian's redis-server with apt-get"
  apt-get update -qq >&2 || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >&2 ||
    fail "apt-get install redis-server failed"
  # The package may start a server of its own as a service; nothing here uses it. Only that
  # service is stopped (by its service name, else by the pidfile of Debian's redis.conf).
  say "stopping the service redis-server that the package may have started"
  if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
    systemctl stop redis-server >&2 || true
    systemctl disable redis-server >&2 || true
  elif command -v service >/dev/null 2>&1; then
    service redis-server stop >&2 || true
  fi
  local service_pid
  service_pid="$(cat /run/redis/redis-server.pid 2>/dev/null || true)"
  if [[ "$service_pid" =~ ^[0-9]+$ ]] && is_redis_pid "$service_pid"; then
    kill "$service_pid" 2>/dev/null || true
  fi
  return 0
}

free_port() {
  node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); });"
}

# Whether the process `$1` is a live redis-server (not some process that reused its pid, nor a
# zombie: a daemon that exited is reparented and may wait a while to be reaped).
is_redis_pid() {
  local stat comm
  read -r stat comm < <(ps -o stat=,comm= -p "$1" 2>/dev/null) || return 1
  [[ "$stat" != Z* && "$comm" = redis-server* ]]
}

# The pid of the folder's server when it runs, from the pidfile the server writes (and deletes on
# a clean shutdown); fails when it does not run.
server_pid() {
  local pid
  pid="$(cat "$dir/redis.pid" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] && is_redis_pid "$pid" && echo "$pid"
}

is_running() { server_pid >/dev/null; }

# Stops the folder's server, by its pid only: no other Redis on the machine is touched.
stop_server() {
  local pid
  pid="$(server_pid)" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  local tries=0
  while is_redis_pid "$pid"; do
    if ((++tries > 100)); then
      say "the server (pid $pid) did not stop within 10 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
      break
    fi
    sleep 0.1
  done
  rm -f "$dir/redis.pid"
}

start() {
  if [[ -z "$dir" ]]; then
    dir="$(mktemp -d "${TMPDIR:-/tmp}/duplex-redis-XXXXXX")"
  fi
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  if [[ ! -f "$dir/port" ]]; then free_port >"$dir/port"; fi
  local port
  port="$(cat "$dir/port")"
  local fresh=0
  [[ -f "$dir/redis.log" ]] || fresh=1
  if ! is_running; then
    rm -f "$dir/redis.pid"
    redis-server --bind 127.0.0.1 --port "$port" --protected-mode yes \
      --save '' --appendonly no --dir "$dir" \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" >&2 ||
      fail "the server did not start; see $dir/redis.log"
    # Ready once its own process (not some other server on the port) answers PONG.
    local tries=0
    until is_running && [[ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = PONG ]]; do
      if ((++tries > 100)); then
        tail -n 20 "$dir/redis.log" >&2 2>/dev/null || true
        fail "the server did not answer PING within 10 s; see $dir/redis.log"
      fi
      sleep 0.1
    done
  fi
  if ((fresh)); then
    say "files in $dir; stop it with: scripts/local-redis.sh stop $dir"
  fi
  echo "redis://127.0.0.1:$port"
}

command="${1:-}"
dir="${2:-}"
case "$command" in
  start | install) ;;
  stop | remove) [[ -n "$dir" ]] || fail "usage: $0 $command DIR" ;;
  *) fail "usage: $0 start [DIR] | stop DIR | remove DIR | install" ;;
esac

have_redis || {
  [[ "$command" = start || "$command" = install ]] || fail "Redis not found"
  install_redis
  have_redis || fail "Redis was installed but redis-server or redis-cli was not found"
}

case "$command" in
  install) say "Redis: $(command -v redis-server), $(redis-server --version)" ;;
  start) start ;;
  stop)
    [[ -d "$dir" ]] || fail "no such folder: $dir"
    stop_server
    ;;
  remove)
    if [[ -d "$dir" ]]; then
      stop_server
      rm -rf "$dir"
    fi
    ;;
esac
