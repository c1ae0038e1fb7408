#!/usr/bin/env bash
# Duplex as a cluster on one machine (`npm run cluster`): PostgreSQL and Redis, several api
# instances, the web app, coturn when installed, and nginx in front of them on one port.
#
#   scripts/cluster.sh            build if needed, start everything, print the URL, a status
#                                 table (again on Enter and whenever it changes) and every
#                                 process's output, prefixed with its name; Ctrl-C stops
#                                 everything it started and exits 0
#   scripts/cluster.sh --check    start everything, check it through nginx (scripts/cluster/
#                                 check.mjs), kill -9 one instance and check again, restart
#                                 every instance in turn (scripts/cluster/rolling-restart.sh),
#                                 check again, stop everything; exit 0 when all passed, else 1
#                                 (CLUSTER_SMOKE=1 does the same). It runs in .cluster/check/,
#                                 with a PostgreSQL and a Redis removed afterwards
#   scripts/cluster.sh status     the status table of the running cluster
#
# Settings (environment):
#   CLUSTER_INSTANCES  api instances (default 3)
#   CLUSTER_PORT       nginx's port (default 8080; a free port when that one is taken)
#   CLUSTER_HOST       the address nginx binds (default 127.0.0.1; 0.0.0.0 for every interface)
#   CLUSTER_URL        the URL browsers use (default http://CLUSTER_HOST:PORT): the web app's
#                      DUPLEX_API_URL and one of the api's ALLOWED_ORIGINS
#   CLUSTER_DIR        where everything is kept (default .cluster/ at the repository root;
#                      .cluster/check/ for --check)
#   CLUSTER_BUILD=0    skip `pnpm turbo run build` (the build outputs must exist)
#   Any setting of the api (LOG_LEVEL, RESUME_GRACE_MS, ...; see apps/api/src/config/config.ts)
#   is passed to every instance, except those the cluster sets: PORT, HOST, DATA_DIR,
#   ALLOWED_ORIGINS, DATABASE_URL, REDIS_URL, IDENTITY_SECRET, TRUST_PROXY, TURN_URLS,
#   TURN_SECRET.
#
# Needs Node.js 20.9+, nginx, PostgreSQL, Redis, curl; coturn is optional (no TURN without it).
# As root with apt-get, Debian's packages are installed when missing (services their packages
# may start are stopped again); otherwise it stops saying what to install. Nothing runs as a
# system service: every server is a process of this script, its files under CLUSTER_DIR.
set -euo pipefail
# A check runs on a cluster of its own (.cluster/check/, its databases removed afterwards): it
# leaves no test rooms in the history of the cluster you use, and may run while that one does.
if [[ "${1:-}" = --check || "${1:-}" = check || "${CLUSTER_SMOKE:-}" = 1 ]] && [[ -z "${CLUSTER_DIR:-}" ]]; then
  CLUSTER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.cluster/check"
  export CLUSTER_DIR
fi
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/cluster/lib.sh"
cd "$cluster_root"

mode=run
case "${1:-}" in
  "" | up) ;;
  --check | check) mode=check ;;
  status) mode=status ;;
  -h | --help | help)
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'
    exit 0
    ;;
  *) fail "usage: scripts/cluster.sh [--check | status | --help]" ;;
esac
[[ "${CLUSTER_SMOKE:-}" = 1 ]] && mode=check

if [[ "$mode" = status ]]; then
  supervisor_alive || fail "no cluster is running (no live scripts/cluster.sh in $cluster_run)"
  echo "  $(read_file "$cluster_run/url")"
  status_table
  exit 0
fi

count="${CLUSTER_INSTANCES:-3}"
[[ "$count" =~ ^[1-9][0-9]?$ ]] || fail "CLUSTER_INSTANCES must be a number from 1 to 99"
bind_host="${CLUSTER_HOST:-127.0.0.1}"
postgres_dir="$CLUSTER_DIR/postgres"
redis_dir="$CLUSTER_DIR/redis"
nginx_dir="$CLUSTER_DIR/nginx"
web_dir="$cluster_root/apps/web/.next/standalone/apps/web"
turn_conf="$cluster_root/deploy/turnserver.conf"

# ---------------------------------------------------------------------------------------------
# What is needed, installed as root when missing.

nginx_bin() { command -v nginx 2>/dev/null || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; }; }
turnserver_bin() {
  command -v turnserver 2>/dev/null || { [[ -x /usr/bin/turnserver ]] && echo /usr/bin/turnserver; }
}
have_postgres() {
  compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || command -v pg_ctl >/dev/null 2>&1
}
have_redis() { command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; }

# Stops and disables the service a package just installed may have started (nginx on port 80,
# coturn on 3478): this script runs its own processes and leaves no system service behind.
stop_package_service() {
  local service="$1" pidfile="$2" pid
  if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
    systemctl stop "$service" >/dev/null 2>&1 || true
    systemctl disable "$service" >/dev/null 2>&1 || true
  elif command -v service >/dev/null 2>&1; then
    service "$service" stop >/dev/null 2>&1 || true
  fi
  pid="$(read_file "$pidfile")"
  if alive "$pid"; then kill "$pid" 2>/dev/null || true; fi
}

ensure_system_packages() {
  local missing=() optional=()
  [[ -n "$(nginx_bin)" ]] || missing+=(nginx)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v setsid >/dev/null 2>&1 || missing+=(util-linux)
  have_postgres || missing+=(postgresql)
  have_redis || missing+=(redis-server)
  [[ -n "$(turnserver_bin)" ]] || optional+=(coturn)
  ((${#missing[@]} + ${#optional[@]} > 0)) || return 0

  if is_root && command -v apt-get >/dev/null 2>&1; then
    say "installing Debian packages: ${missing[*]} ${optional[*]}"
    apt-get update -qq >&2 || fail "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" "${optional[@]}" >&2 ||
      fail "apt-get install ${missing[*]} ${optional[*]} failed"
    if [[ " ${missing[*]} " = *" nginx "* ]]; then stop_package_service nginx /run/nginx.pid; fi
    if [[ " ${optional[*]} " = *" coturn "* ]]; then stop_package_service coturn /run/turnserver.pid; fi
    # PostgreSQL's and Redis's own scripts stop the services their packages start.
    if [[ " ${missing[*]} " = *" postgresql "* ]]; then bash scripts/local-postgres.sh install; fi
    if [[ " ${missing[*]} " = *" redis-server "* ]]; then bash scripts/local-redis.sh install; fi
    [[ -n "$(nginx_bin)" ]] || fail "nginx was installed but not found"
    return 0
  fi
  if ((${#missing[@]} > 0)); then
    say "missing: ${missing[*]}${optional[*]:+ (and, for TURN, ${optional[*]})}"
    say "install them, e.g. as root: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]} ${optional[*]}"
    exit 1
  fi
  say "coturn not found: running without TURN (install it for relayed calls: apt-get install -y coturn)"
}

# ---------------------------------------------------------------------------------------------
# The build: pnpm (a project-local copy when none is on PATH, as scripts/duplex.sh does), the
# workspace when node_modules is missing, then turbo (cached: quick when nothing changed).

ensure_build() {
  local node_major
  node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)" ||
    fail "Node.js not found: install Node.js 20.9 or newer"
  ((node_major >= 20)) || fail "Node.js $(node --version) is too old: install 20.9 or newer"
  export TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1
  if [[ "${CLUSTER_BUILD:-1}" != 0 || ! -d node_modules ]]; then
    local pnpm_version
    pnpm_version="$(node -p "require('./package.json').packageManager.split('@')[1]")"
    if ! command -v pnpm >/dev/null 2>&1 || [[ "$(pnpm --version 2>/dev/null)" != "$pnpm_version" ]]; then
      if [[ ! -x "$cluster_root/.tools/node_modules/.bin/pnpm" ]]; then
        say "installing pnpm $pnpm_version into .tools/"
        npm install --silent --no-audit --no-fund --prefix "$cluster_root/.tools" "pnpm@$pnpm_version" >&2
      fi
      export PATH="$cluster_root/.tools/node_modules/.bin:$PATH"
    fi
    if [[ ! -d node_modules ]]; then
      say "installing the workspace (pnpm install)"
      source "$cluster_root/scripts/native-build-env.sh"
      if [[ "${CI:-}" = true ]]; then pnpm install --frozen-lockfile >&2; else pnpm install >&2; fi
    fi
  fi
  if [[ "${CLUSTER_BUILD:-1}" != 0 ]]; then
    say "building the api and the web app (pnpm turbo run build)"
    pnpm turbo run build --filter=@duplex/api --filter=@duplex/web --output-logs=errors-only >&2 ||
      fail "the build failed"
  fi
  [[ -f apps/api/dist/main.js ]] || fail "apps/api/dist/main.js is missing: run pnpm turbo run build"
  [[ -f "$web_dir/server.js" ]] || fail "$web_dir/server.js is missing: run pnpm turbo run build"
}

# ---------------------------------------------------------------------------------------------
# Stopping: everything this script started, in an order that lets clients see a clean close.

stopping=0
cleaned=0
tail_pid=""
saved_stty=""

stop_named() {
  local name="$1" signal="$2" timeout="$3" pid
  pid="$(pid_of "$name")"
  if alive "$pid" "$(pattern_of "$name")"; then
    kill "-$signal" "$pid" 2>/dev/null || true
    wait_gone "$name" "$pid" "$timeout"
  fi
}

# Stops a process of a previous run whose scripts/cluster.sh died without cleaning up.
stop_leftovers() {
  local file name pid
  for file in "$cluster_run"/*.pid; do
    [[ -e "$file" ]] || continue
    name="$(basename "$file" .pid)"
    [[ "$name" = supervisor ]] && continue
    pid="$(read_file "$file")"
    if [[ -n "$(pattern_of "$name")" ]] && alive "$pid" "$(pattern_of "$name")"; then
      say "stopping $name (pid $pid), left running by an earlier scripts/cluster.sh"
      kill -TERM "$pid" 2>/dev/null || true
      wait_gone "$name" "$pid" 10
    fi
  done
}

cleanup() {
  local status=$?
  ((cleaned)) && return 0
  cleaned=1
  trap '' INT TERM HUP
  echo >&2
  say "stopping everything"
  local n pid pids=()
  # api instances first, all at once: each closes its sockets with 1001 through nginx.
  for ((n = 1; n <= count; n++)); do
    pid="$(pid_of "api-$n")"
    if alive "$pid" "$(pattern_of api-n)"; then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("api-$n:$pid")
    fi
  done
  local entry
  for entry in "${pids[@]}"; do
    wait_gone "${entry%%:*}" "${entry#*:}" 15
  done
  stop_named nginx QUIT 5
  stop_named nginx TERM 3
  stop_named web TERM 10
  stop_named coturn TERM 5
  local kept="PostgreSQL data kept in ${postgres_dir#"$cluster_root"/}"
  if [[ "$mode" = check ]]; then
    bash scripts/local-redis.sh remove "$redis_dir" || true
    bash scripts/local-postgres.sh remove "$postgres_dir" || true
    kept="the check's PostgreSQL and Redis removed"
  else
    if [[ -f "$redis_dir/port" ]]; then bash scripts/local-redis.sh stop "$redis_dir" || true; fi
    if [[ -f "$postgres_dir/data/postmaster.pid" ]]; then
      bash scripts/local-postgres.sh stop "$postgres_dir" || true
    fi
  fi
  stop_named postgres-log TERM 3
  stop_named redis-log TERM 3
  sleep 0.3
  if [[ -n "$tail_pid" ]]; then kill -TERM "$tail_pid" 2>/dev/null || true; fi
  rm -f "$cluster_run/supervisor.pid"
  if [[ -n "$saved_stty" ]]; then stty "$saved_stty" 2>/dev/null || true; fi
  say "stopped (logs: ${cluster_log#"$cluster_root"/}; $kept)"
  return "$status"
}

# shellcheck disable=SC2317 # called by the trap
on_signal() {
  stopping=1
}

# ---------------------------------------------------------------------------------------------
# Starting.

pick_ports() {
  local taken=" " port n
  next_free_port() {
    local candidate
    while :; do
      candidate="$(free_port)"
      if [[ "$taken" != *" $candidate "* ]]; then
        taken+="$candidate "
        echo "$candidate"
        return
      fi
    done
  }
  nginx_port="${CLUSTER_PORT:-8080}"
  [[ "$nginx_port" =~ ^[0-9]+$ ]] || fail "CLUSTER_PORT must be a port number"
  if ! port_free "$bind_host" "$nginx_port"; then
    port="$(next_free_port)"
    say "port $nginx_port is taken: nginx listens on $port instead (CLUSTER_PORT sets another)"
    nginx_port="$port"
  fi
  taken+="$nginx_port "
  for ((n = 1; n <= count; n++)); do next_free_port >"$cluster_run/api-$n.port"; done
  next_free_port >"$cluster_run/web.port"
  echo "$nginx_port" >"$cluster_run/nginx.port"
  if [[ -n "$(turnserver_bin)" ]]; then next_free_port >"$cluster_run/coturn.port"; fi
}

# A server of local-*.sh restarts on the port it had; when another process took that port
# meanwhile, forget it so a free one is picked.
forget_taken_port() {
  local dir="$1" pidfile="$2" port pid
  port="$(read_file "$dir/port")"
  [[ -n "$port" ]] || return 0
  pid="$(head -n 1 "$dir/$pidfile" 2>/dev/null || true)"
  if ! alive "$pid" && ! port_free 127.0.0.1 "$port"; then rm -f "$dir/port"; fi
}

start_backends() {
  forget_taken_port "$postgres_dir" data/postmaster.pid
  forget_taken_port "$redis_dir" redis.pid
  say "starting PostgreSQL (data in ${postgres_dir#"$cluster_root"/})"
  database_url="$(bash scripts/local-postgres.sh start "$postgres_dir")"
  say "starting Redis"
  redis_url="$(bash scripts/local-redis.sh start "$redis_dir")"
  touch "$postgres_dir/server.log" "$redis_dir/redis.log"
  launch postgres-log tail -n 0 -F "$postgres_dir/server.log"
  launch redis-log tail -n 0 -F "$redis_dir/redis.log"
}

start_coturn() {
  turn_urls="" turn_secret=""
  local bin port relay_base deadline
  bin="$(turnserver_bin)" || return 0
  [[ -n "$bin" ]] || return 0
  port="$(port_of coturn)"
  turn_secret="$(node -p "require('crypto').randomBytes(24).toString('hex')")"
  relay_base=$((49152 + RANDOM % 150 * 100))
  # deploy/turnserver.conf, on loopback: relays only between loopback peers, as e2e/ does.
  launch coturn "$bin" -c "$turn_conf" --listening-ip=127.0.0.1 --relay-ip=127.0.0.1 \
    "--listening-port=$port" "--min-port=$relay_base" "--max-port=$((relay_base + 99))" \
    "--static-auth-secret=$turn_secret" --allow-loopback-peers \
    --denied-peer-ip=0.0.0.0-255.255.255.255 --allowed-peer-ip=127.0.0.1 \
    "--pidfile=$cluster_run/turnserver.pid" "--userdb=$cluster_run/turndb" \
    --log-file=stdout --simple-log
  deadline=$((SECONDS + 15))
  until port_accepts "$port"; do
    if ! process_alive coturn || ((SECONDS > deadline)); then
      say "coturn did not start (see [coturn] in the log): running without TURN"
      stop_named coturn TERM 3
      rm -f "$cluster_run/coturn.pid"
      turn_secret=""
      return 0
    fi
    sleep 0.1
  done
  turn_urls="turn:127.0.0.1:$port?transport=udp,turn:127.0.0.1:$port?transport=tcp"
}

# The environment of every api instance (run/api.env): the api settings of this environment,
# then the cluster's own, which win.
write_api_env() {
  local key file="$cluster_run/api.env"
  local own=" PORT HOST DATA_DIR ALLOWED_ORIGINS DATABASE_URL REDIS_URL IDENTITY_SECRET TRUST_PROXY TURN_URLS TURN_SECRET "
  : >"$file"
  while IFS= read -r key; do
    if [[ "$own" != *" $key "* && -n "${!key+set}" ]]; then
      [[ "${!key}" != *$'\n'* ]] || fail "$key must be one line"
      echo "$key=${!key}" >>"$file"
    fi
  done < <(api_config_keys)
  {
    echo "HOST=127.0.0.1"
    echo "ALLOWED_ORIGINS=$allowed_origins"
    echo "DATABASE_URL=$database_url"
    echo "REDIS_URL=$redis_url"
    echo "IDENTITY_SECRET=$identity_secret"
    # nginx connects from loopback: its X-Forwarded-For names the client.
    echo "TRUST_PROXY=loopback"
    if [[ -n "$turn_urls" ]]; then
      echo "TURN_URLS=$turn_urls"
      echo "TURN_SECRET=$turn_secret"
    fi
  } >>"$file"
  chmod 600 "$file"
}

start_apis() {
  local n
  for ((n = 1; n <= count; n++)); do bash "$cluster_helpers/start-api.sh" "$n"; done
  for ((n = 1; n <= count; n++)); do wait_api_ready "api-$n" 90 || return 1; done
}

start_web() {
  local port deadline
  port="$(port_of web)"
  launch web env -C "$web_dir" PORT="$port" HOSTNAME=127.0.0.1 NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 DUPLEX_API_URL="$cluster_url" "$(command -v node)" server.js
  deadline=$((SECONDS + 60))
  until [[ "$(http_code "http://127.0.0.1:$port/" 10)" = 200 ]]; do
    process_alive web || fail "the web app exited (see [web] in $cluster_log)"
    ((SECONDS < deadline)) || fail "the web app did not answer / with 200 within 60 s"
    sleep 0.25
  done
}

start_nginx() {
  local bin api_ports="" n globals="daemon off;" deadline
  bin="$(nginx_bin)"
  mkdir -p "$nginx_dir"
  cp "$cluster_root/deploy/nginx.conf" "$nginx_dir/nginx.conf"
  for ((n = 1; n <= count; n++)); do api_ports+="${api_ports:+,}$(port_of "api-$n")"; done
  bash "$cluster_helpers/render-upstreams.sh" "$cluster_root/deploy/duplex-upstreams.conf" \
    "$api_ports" "$(port_of web)" >"$nginx_dir/duplex-upstreams.conf"
  {
    echo "listen $bind_host:$nginx_port;"
    # Which instance served each api request, in the shared log as [nginx].
    # shellcheck disable=SC2016 # an nginx variable
    echo 'access_log /dev/stderr duplex if=$duplex_api_request;'
  } >"$nginx_dir/duplex-listen.conf"
  # As root, nginx's workers would run as nobody, who may not reach the prefix (a repository
  # under /root): they run as root here. Otherwise they run as the current user anyway.
  if is_root; then globals+=" user root;"; fi
  # Through a pipe, as nginx runs below: the access log opens /dev/stderr, which fails on a
  # file of another user or a socket.
  "$bin" -t -q -p "$nginx_dir/" -c "$nginx_dir/nginx.conf" -e stderr -g "$globals" 2>&1 |
    sed 's/^/nginx -t: /' >&2 || fail "nginx rejected the configuration in $nginx_dir"
  launch nginx "$bin" -p "$nginx_dir/" -c "$nginx_dir/nginx.conf" -e stderr -g "$globals"
  deadline=$((SECONDS + 15))
  until [[ "$(http_code "http://127.0.0.1:$nginx_port/ready")" = 200 ]]; do
    process_alive nginx || fail "nginx exited (see [nginx] in $cluster_log)"
    ((SECONDS < deadline)) || fail "nginx did not answer /ready with 200 within 15 s"
    sleep 0.1
  done
}

print_status() {
  echo
  echo "  Duplex cluster: $cluster_url   ($count api instances behind nginx)"
  status_table
  echo "  Enter: this table again. Ctrl-C: stop everything. All logs: ${cluster_log#"$cluster_root"/}"
  echo "  kill -9 PID: crash an instance; scripts/cluster/rolling-restart.sh [N...]: restart in turn"
  echo
}

# ---------------------------------------------------------------------------------------------

ensure_system_packages
ensure_build

mkdir -p "$CLUSTER_DIR" "$cluster_run" "$cluster_logs"
[[ -f "$CLUSTER_DIR/.gitignore" ]] || echo '*' >"$CLUSTER_DIR/.gitignore"
if [[ "$CLUSTER_DIR" = "$cluster_root/.cluster/"* && ! -f "$cluster_root/.cluster/.gitignore" ]]; then
  echo '*' >"$cluster_root/.cluster/.gitignore"
fi
if supervisor_alive; then
  fail "a cluster is running already (scripts/cluster.sh, pid $(read_file "$cluster_run/supervisor.pid")); stop it first"
fi
stop_leftovers
rm -f "$cluster_run"/*.pid "$cluster_run"/*.port
echo "$$" >"$cluster_run/supervisor.pid"
echo "$count" >"$cluster_run/instances"
if [[ -f "$cluster_log" ]]; then mv "$cluster_log" "$cluster_log.1"; fi
: >"$cluster_log"

# A signal while starting stops what has started (the EXIT trap); once running, the loop below
# notices it and stops everything. Ctrl-C exits 0, except in a check, which it fails.
# shellcheck disable=SC2317 # called by the trap
interrupted() {
  say "interrupted"
  if [[ "$mode" = check ]]; then exit 1; else exit 0; fi
}
trap interrupted INT TERM HUP
trap cleanup EXIT

if [[ ! -s "$CLUSTER_DIR/identity-secret" ]]; then
  (umask 077 && node -p "require('crypto').randomBytes(32).toString('hex')" >"$CLUSTER_DIR/identity-secret")
fi
identity_secret="$(cat "$CLUSTER_DIR/identity-secret")"

if [[ "$mode" = run ]]; then
  # Every process's output, as it comes; in a session of its own so that Ctrl-C leaves it to
  # show the shutdown.
  setsid tail -n +1 -F "$cluster_log" 2>/dev/null &
  tail_pid=$!
  echo "$tail_pid" >"$cluster_run/terminal-log.pid" # for stop_leftovers, after a kill -9 of this script
fi

pick_ports
url_host="$bind_host"
[[ "$bind_host" = 0.0.0.0 ]] && url_host=127.0.0.1
cluster_url="${CLUSTER_URL:-http://$url_host:$nginx_port}"
cluster_url="${cluster_url%/}"
allowed_origins="$cluster_url"
for origin in "http://127.0.0.1:$nginx_port" "http://localhost:$nginx_port"; do
  [[ ",$allowed_origins," = *",$origin,"* ]] || allowed_origins+=",$origin"
done
echo "$cluster_url" >"$cluster_run/url"

start_backends
start_coturn
write_api_env
say "starting $count api instances"
start_apis || exit 1
say "starting the web app"
start_web
say "starting nginx on $bind_host:$nginx_port"
start_nginx

if [[ "$mode" = check ]]; then
  print_status
  ports=""
  for ((n = 1; n <= count; n++)); do ports+="${ports:+,}$(port_of "api-$n")"; done
  export CHECK_URL="$cluster_url" CHECK_API_PORTS="$ports" CHECK_TURN=0
  [[ -n "$turn_urls" ]] && CHECK_TURN=1
  result=0
  echo "check: through nginx"
  node "$cluster_helpers/check.mjs" basic || result=1
  victim_pid="$(pid_of api-1)"
  echo "check: kill -9 api-1 (pid $victim_pid)"
  log_line check "kill -9 api-1 (pid $victim_pid)"
  kill -KILL "$victim_pid"
  wait_gone api-1 "$victim_pid" 5
  CHECK_DEAD_PORT="$(port_of api-1)" node "$cluster_helpers/check.mjs" failover || result=1
  echo "check: scripts/cluster/rolling-restart.sh (api-1 is started, the others restarted in turn)"
  bash "$cluster_helpers/rolling-restart.sh" || result=1
  # nginx sends nothing to an instance for fail_timeout after failed connections to it.
  fail_timeout="$(sed -n 's/.*fail_timeout=\([0-9]*\)s.*/\1/p' "$nginx_dir/duplex-upstreams.conf" | sort -n | tail -n 1)"
  echo "check: through nginx again, after the upstreams' fail_timeout (${fail_timeout:-10} s)"
  sleep "$((${fail_timeout:-10} + 1))"
  node "$cluster_helpers/check.mjs" basic || result=1
  print_status
  if ((result == 0)); then
    echo "cluster check: passed"
  else
    echo "cluster check: FAILED; the log's last lines:"
    tail -n 60 "$cluster_log"
  fi
  trap - EXIT
  cleanup || true
  exit "$result"
fi

trap on_signal INT TERM HUP
print_status
last_table="$(status_table)"
interactive=0
if [[ -t 0 ]]; then
  # At the terminal, Ctrl-C arrives as a key instead of a SIGINT to the whole foreground process
  # group: `npm run cluster` would otherwise exit 130 whatever this script does. Keys are read as
  # typed (no line editing, no echo); cleanup puts the terminal back as it was.
  if saved_stty="$(stty -g 2>/dev/null)" && stty -isig -icanon -echo min 1 time 0 2>/dev/null; then
    interactive=1
  else
    saved_stty=""
  fi
fi
tick=0
while ((!stopping)); do
  force=0
  if ((interactive)); then
    # A line for at most 1 s: Enter ends one; a Ctrl-C stays in what was typed, found at the
    # timeout. (read -n or -d would turn the terminal's signals back on while it waits.)
    input=""
    read_status=0
    IFS= read -r -t 1 input 2>/dev/null || read_status=$?
    if [[ "$input" = *$'\003'* ]]; then
      break
    elif ((read_status == 0)); then
      force=1
    elif ((read_status <= 128)); then
      interactive=0 # end of input: no more keys to wait for
    fi
  else
    sleep 1 &
    wait $! || true
  fi
  ((stopping)) && break
  if ((force || ++tick % 3 == 0)); then
    table="$(status_table)"
    if ((force)) || [[ "$table" != "$last_table" ]]; then
      last_table="$table"
      print_status
    fi
  fi
done
trap - EXIT
cleanup || true
exit 0
