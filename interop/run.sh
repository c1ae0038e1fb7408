#!/usr/bin/env bash
# Runs the Python interop client (interop/python, written from PROTOCOL.md alone) against the
# built api: starts `node apps/api/dist/main.js` on a free loopback port with a fresh data
# directory, runs the cases, stops the api and writes $REPORTS_DIR/interop-python.json
# ({passed, failed, skipped, tests}). Build the api first (`pnpm --filter @duplex/api build`).
# Needs Debian's python3-websockets for /usr/bin/python3; as root it is installed when missing.
#
# Usage: bash interop/run.sh [-v] [TestCase[.test_name] ...]
#        DUPLEX_API_MAIN=path/to/main.js bash interop/run.sh   (another build of the api)
#        bash interop/run.sh restart-api   (used by the restart cases: same port, same DATA_DIR)
# Exit code: 0 when every case passed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
python=/usr/bin/python3
label=interop
api_main="${DUPLEX_API_MAIN:-$root/apps/api/dist/main.js}"

say() { echo "$label: $*"; }
fail() {
  echo "$label: $*" >&2
  exit 1
}

# --- the api process (state in $INTEROP_STATE: port, data/, pid, api.log) -------------------

api_pid() { cat "$INTEROP_STATE/pid" 2>/dev/null || true; }

# A process that exited but was not yet reaped by its parent still answers `kill -0`.
is_running() {
  local state
  [[ -r "/proc/$1/stat" ]] || return 1
  state="$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$1/stat" 2>/dev/null)" || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# The cases read history over HTTP from one address far faster than a person would; the api's
# per-address read limit (a deployment policy, not part of PROTOCOL.md) is set out of their way.
start_api() {
  local port
  port="$(cat "$INTEROP_STATE/port")"
  env -u IDENTITY_SECRET -u DATABASE_URL -u REDIS_URL \
    PORT="$port" HOST=127.0.0.1 DATA_DIR="$INTEROP_STATE/data" LOG_LEVEL=warn \
    HTTP_READ_BURST=100000 \
    node "$api_main" </dev/null >>"$INTEROP_STATE/api.log" 2>&1 &
  echo $! >"$INTEROP_STATE/pid"
  wait_ready "http://127.0.0.1:$port/ready" "$!"
}

wait_ready() {
  local url="$1" pid="$2" deadline=$((SECONDS + 120))
  until "$python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$url" 2>/dev/null; do
    is_running "$pid" || {
      tail -n 40 "$INTEROP_STATE/api.log" >&2
      fail "the api exited before $url answered 200"
    }
    ((SECONDS < deadline)) || fail "$url did not answer 200 within 120 s"
    sleep 0.2
  done
}

stop_api() {
  local pid deadline=$((SECONDS + 15))
  pid="$(api_pid)"
  [[ -n "$pid" ]] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  while is_running "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
  if is_running "$pid"; then
    say "the api did not stop within 15 s of SIGTERM; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$INTEROP_STATE/pid"
}

if [[ "${1:-}" == restart-api ]]; then
  [[ -n "${INTEROP_STATE:-}" ]] || fail "restart-api runs only inside interop/run.sh"
  stop_api
  start_api
  exit 0
fi

# --- the suite -------------------------------------------------------------------------------

if ! "$python" -c 'import websockets' 2>/dev/null; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    say "installing Debian's python3-websockets with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get install -y python3-websockets ||
      { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-websockets; }
  else
    fail "$python has no websockets module; install it as root:  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-websockets"
  fi
fi
[[ -f "$api_main" ]] || fail "$api_main is missing; build the api first: pnpm --filter @duplex/api build"

reports="${REPORTS_DIR:-$root/.reports}"
mkdir -p "$reports"
report="$reports/interop-python.json"
rm -f "$report"

INTEROP_STATE="$(mktemp -d "${TMPDIR:-/tmp}/duplex-interop.XXXXXX")"
export INTEROP_STATE
cleanup() {
  stop_api
  wait 2>/dev/null || true
  rm -rf "$INTEROP_STATE"
}
trap cleanup EXIT

"$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' \
  >"$INTEROP_STATE/port"
port="$(cat "$INTEROP_STATE/port")"
start_api
say "api ready on http://127.0.0.1:$port"

status=0
DUPLEX_URL="http://127.0.0.1:$port" \
  DUPLEX_RESTART_COMMAND="bash $(printf '%q' "$here/run.sh") restart-api" \
  DUPLEX_REPORT="$report" \
  PYTHONDONTWRITEBYTECODE=1 \
  "$python" "$here/python/test_protocol.py" "$@" || status=$?

if [[ $status != 0 && -s "$INTEROP_STATE/api.log" ]]; then
  say "the api's log (warnings and errors):"
  tail -n 60 "$INTEROP_STATE/api.log"
fi
[[ -f "$report" ]] || say "no report was written"
exit $status
