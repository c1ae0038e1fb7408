#!/usr/bin/env bash
# Shared by scripts/cluster.sh and the helpers next to this file: where a cluster keeps its
# state, and how its processes are found, probed and shown. Sourced, never run.
#
# State of a cluster, under $CLUSTER_DIR (default .cluster/ at the repository root):
#   identity-secret          IDENTITY_SECRET of every api instance, generated once
#   postgres/ redis/         the servers of scripts/local-postgres.sh and scripts/local-redis.sh
#   api-N/                   DATA_DIR of api instance N
#   nginx/                   nginx's prefix: nginx.conf and its includes, pid, temporary files
#   logs/cluster.log         every process's output, each line prefixed with [name]
#   run/supervisor.pid       the scripts/cluster.sh that runs the cluster
#   run/instances            how many api instances it runs
#   run/api.env              the environment every api instance starts with (KEY=VALUE lines)
#   run/NAME.pid, NAME.port  pid and port of api-N, web, nginx, coturn

cluster_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CLUSTER_DIR="${CLUSTER_DIR:-$cluster_root/.cluster}"
cluster_run="$CLUSTER_DIR/run"
cluster_logs="$CLUSTER_DIR/logs"
cluster_log="$cluster_logs/cluster.log"
cluster_helpers="$cluster_root/scripts/cluster"

say() { echo "cluster: $*" >&2; }
fail() {
  say "$*"
  exit 1
}
is_root() { [[ "$(id -u)" = 0 ]]; }

# Appends a line to the shared log, as the process `$1`.
log_line() {
  local name="$1"
  shift
  mkdir -p "$cluster_logs"
  echo "[$name] $*" >>"$cluster_log"
}

# Whether `$1` is a live process (not a zombie) whose command line contains `$2` (or one of
# its |-separated alternatives).
alive() {
  local pid="$1" pattern="${2:-}" stat cmdline alternative
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 1
  # The state follows the command name in parentheses, which may hold spaces and parentheses.
  stat="${stat##*) }"
  [[ -n "$stat" && "${stat%% *}" != Z ]] || return 1
  [[ -z "$pattern" ]] && return 0
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  local IFS='|'
  for alternative in $pattern; do
    [[ "$cmdline" == *"$alternative"* ]] && return 0
  done
  return 1
}

read_file() { cat "$1" 2>/dev/null || true; }
pid_of() { read_file "$cluster_run/$1.pid"; }
port_of() { read_file "$cluster_run/$1.port"; }
instances() { read_file "$cluster_run/instances"; }

# What each kind of process has in its command line, so that a reused pid is not taken for it.
pattern_of() {
  case "$1" in
    api-*) echo "apps/api/dist/main.js" ;;
    web) echo "server.js|next-server" ;; # Next.js renames its process next-server
    nginx) echo "nginx" ;;
    coturn) echo "turnserver" ;;
    *-log) echo "tail" ;;
    *) echo "" ;;
  esac
}

process_alive() { alive "$(pid_of "$1")" "$(pattern_of "$1")"; }

supervisor_alive() { alive "$(read_file "$cluster_run/supervisor.pid")" "cluster.sh"; }

# A free TCP port on 127.0.0.1, from the kernel.
free_port() {
  node -e "const s = require('net').createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); });"
}

# Whether nothing listens on `$2` at address `$1` (a bind succeeds).
port_free() {
  node -e "const s = require('net').createServer(); s.once('error', () => process.exit(1)); s.listen(Number(process.argv[2]), process.argv[1], () => s.close(() => process.exit(0)));" "$1" "$2" 2>/dev/null
}

# Whether something accepts TCP connections on 127.0.0.1:`$1`.
port_accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# HTTP status of a GET (000 when nothing answers).
http_code() {
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time "${2:-2}" "$1" 2>/dev/null)" || true
  echo "${code:-000}"
}

# Open WebSockets on /ws of the api on port `$1`, from its /metrics ("-" when it does not answer;
# 0 before the first connection, when the gauge has no sample yet).
ws_connections() {
  local metrics
  metrics="$(curl -sf --max-time 2 "http://127.0.0.1:$1/metrics" 2>/dev/null)" || {
    echo "-"
    return
  }
  awk '$1 == "duplex_ws_connections{endpoint=\"/ws\"}" { value = $2 } END { print value + 0 }' \
    <<<"$metrics"
}

# Waits until api instance `$1` answers /ready with 200; fails after `$2` seconds or when the
# process is gone.
wait_api_ready() {
  local name="$1" timeout="${2:-60}" port deadline
  port="$(port_of "$name")"
  deadline=$((SECONDS + timeout))
  until [[ "$(http_code "http://127.0.0.1:$port/ready")" = 200 ]]; do
    if ! process_alive "$name"; then
      say "$name exited before it was ready; its last lines:"
      grep -F "[$name] " "$cluster_log" 2>/dev/null | tail -n 15 >&2 || true
      return 1
    fi
    if ((SECONDS > deadline)); then
      say "$name was not ready within ${timeout} s (GET /ready on port $port)"
      return 1
    fi
    sleep 0.25
  done
}

# Waits until the process `$2` (a pid) is gone; SIGKILL after `$3` seconds. Name `$1` for messages.
wait_gone() {
  local name="$1" pid="$2" timeout="$3" deadline
  deadline=$((SECONDS + timeout))
  while alive "$pid"; do
    if ((SECONDS > deadline)); then
      say "$name (pid $pid) did not stop within ${timeout} s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
      return 0
    fi
    sleep 0.1
  done
}

# Starts a command in a session of its own (so a Ctrl-C at the terminal reaches only
# scripts/cluster.sh, which then stops everything in order), its output prefixed with [name] in
# the shared log and its pid in run/NAME.pid. Returns once the pid file is written.
launch() {
  local name="$1"
  shift
  local pidfile="$cluster_run/$name.pid"
  rm -f "$pidfile"
  mkdir -p "$cluster_logs" "$cluster_run"
  setsid -f bash "$cluster_helpers/run-prefixed.sh" "$name" "$pidfile" "$cluster_log" "$@" \
    </dev/null >/dev/null 2>&1
  local tries=0
  until [[ -s "$pidfile" ]]; do
    if ((++tries > 100)); then
      say "$name: no pid after 10 s"
      return 1
    fi
    sleep 0.1
  done
}

# The api's settings: every key of the zod schema in apps/api/src/config/config.ts.
api_config_keys() {
  awk '/^const configSchema = z\.object\(\{/ { inside = 1; next }
       inside && /^\}\);/ { exit }
       inside && match($0, /^  [A-Z][A-Z0-9_]*:/) { print substr($0, 3, RLENGTH - 3) }' \
    "$cluster_root/apps/api/src/config/config.ts"
}

# The status table: each process, its port, pid, state and, for the api, its open /ws sockets.
status_table() {
  local n count name pid port state conns
  count="$(instances)"
  printf '  %-9s %-6s %-8s %-8s %s\n' process port pid ready ws
  for ((n = 1; n <= ${count:-0}; n++)); do
    name="api-$n"
    pid="$(pid_of "$name")"
    port="$(port_of "$name")"
    if process_alive "$name"; then
      state="$(http_code "http://127.0.0.1:$port/ready" 1)"
      [[ "$state" = 000 ]] && state="starting"
      conns="$(ws_connections "$port")"
    else
      state="dead"
      conns="-"
    fi
    printf '  %-9s %-6s %-8s %-8s %s\n' "$name" "$port" "${pid:--}" "$state" "$conns"
  done
  for name in web nginx coturn; do
    [[ -f "$cluster_run/$name.pid" ]] || continue
    pid="$(pid_of "$name")"
    port="$(port_of "$name")"
    if process_alive "$name"; then
      if port_accepts "$port"; then state="up"; else state="starting"; fi
    else
      state="dead"
    fi
    printf '  %-9s %-6s %-8s %-8s %s\n' "$name" "$port" "${pid:--}" "$state" "-"
  done
  local dir
  for name in postgres redis; do
    dir="$CLUSTER_DIR/$name"
    port="$(read_file "$dir/port")"
    [[ -n "$port" ]] || continue
    if [[ "$name" = postgres ]]; then
      pid="$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null || true)"
    else
      pid="$(read_file "$dir/redis.pid")"
    fi
    if alive "$pid" && port_accepts "$port"; then state="up"; else state="down"; fi
    printf '  %-9s %-6s %-8s %-8s %s\n' "$name" "$port" "${pid:--}" "$state" "-"
  done
}
