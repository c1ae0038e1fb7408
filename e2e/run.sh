#!/usr/bin/env bash
# Runs the Duplex end-to-end suite (Playwright) against the production builds.
#
# 1. Resolves a browser: Playwright's own Chromium if it is installed, else Debian's
#    /usr/bin/chromium. If neither exists: as root, `apt-get update` once and
#    `apt-get install -y chromium`; as any other user, exit 1 saying what to install.
# 2. If this machine allows it (`unshare -n` as root, `unshare -rn` otherwise), runs the whole
#    Playwright run -- api, web and every browser -- inside its own network namespace that has
#    only the loopback interface, so test traffic can only ever reach 127.0.0.1/::1 (and WebRTC
#    gathers loopback candidates only). Otherwise it runs in the normal network and says so.
#    Nothing inside needs the network: browsers are never downloaded (executablePath is set and
#    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1) and Playwright is started from node_modules/.bin.
# 2b. Resolves coturn (/usr/bin/turnserver, Debian's `coturn`) for the relay-only call spec: as root,
#    installs it with apt when it is missing (the package's own service is disabled by default in
#    /etc/default/coturn; if the install started one anyway, it is stopped again); as any other
#    user, says what to install and carries on -- the relay spec then FAILS saying coturn is
#    missing (global setup exports DUPLEX_TURN_UNAVAILABLE), the other specs run as usual.
# 3. Global setup (support/global-setup.ts) starts coturn on a free loopback port with a fresh
#    shared secret, then apps/api/dist/main.js (TURN_URLS/TURN_SECRET pointing at that coturn) and
#    the web standalone server on free ports; build them first with `pnpm turbo run build`.
#
# Usage: bash run.sh [playwright test args...]   e.g. `bash run.sh --list`, `bash run.sh specs/echo.spec.ts`
# Exit code: Playwright's.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export NEXT_TELEMETRY_DISABLED=1
export TURBO_TELEMETRY_DISABLED=1

SYSTEM_CHROMIUM=/usr/bin/chromium
PLAYWRIGHT_BIN=./node_modules/.bin/playwright

if [[ ! -x "$PLAYWRIGHT_BIN" ]]; then
  echo "run.sh: $PLAYWRIGHT_BIN not found; install the workspace first (pnpm install at the repo root)." >&2
  exit 1
fi

is_root() { [[ "$(id -u)" == 0 ]]; }

apt_updated=0
apt_install() {
  if [[ $apt_updated == 0 ]]; then
    apt-get update
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

playwright_chromium_path() {
  node -e 'const { chromium } = require("@playwright/test"); process.stdout.write(chromium.executablePath())' 2>/dev/null || true
}

# --- 1. browser ---------------------------------------------------------------------------
bundled_chromium="$(playwright_chromium_path)"
if [[ -n "$bundled_chromium" && -x "$bundled_chromium" ]]; then
  echo "run.sh: browser: Playwright's Chromium ($bundled_chromium)"
elif [[ -x "$SYSTEM_CHROMIUM" ]]; then
  echo "run.sh: browser: $SYSTEM_CHROMIUM"
elif is_root; then
  echo "run.sh: no Chromium found; installing Debian's chromium with apt-get"
  apt_install chromium
  [[ -x "$SYSTEM_CHROMIUM" ]] || { echo "run.sh: apt-get installed chromium but $SYSTEM_CHROMIUM is missing" >&2; exit 1; }
else
  echo "run.sh: no Chromium found (neither Playwright's nor $SYSTEM_CHROMIUM)." >&2
  echo "run.sh: install it as root:  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium" >&2
  echo "run.sh: (or, where Playwright can download browsers: npx playwright install chromium)" >&2
  exit 1
fi

# --- 1b. coturn (TURN relay for the relay-only call spec) ----------------------------------
TURNSERVER=/usr/bin/turnserver
# The pid file of the package's own service (/etc/init.d/coturn), should the install start it.
COTURN_SERVICE_PIDFILE=/var/run/turnserver.pid

stop_packaged_coturn_service() {
  # Only the daemon the package's service started (its pid file), never any other turnserver.
  [[ -f "$COTURN_SERVICE_PIDFILE" ]] || return 0
  local pid
  pid="$(cat "$COTURN_SERVICE_PIDFILE" 2>/dev/null || true)"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
    [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == turnserver ]]; then
    echo "run.sh: the coturn package started its service (pid $pid); stopping it"
    if [[ -x /etc/init.d/coturn ]]; then /etc/init.d/coturn stop >/dev/null 2>&1 || true; fi
    if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  fi
}

if [[ -x "$TURNSERVER" ]]; then
  echo "run.sh: TURN server: $TURNSERVER"
elif is_root; then
  echo "run.sh: no coturn found; installing Debian's coturn with apt-get (for the relay-only call spec)"
  apt_install coturn
  stop_packaged_coturn_service
  [[ -x "$TURNSERVER" ]] || { echo "run.sh: apt-get installed coturn but $TURNSERVER is missing" >&2; exit 1; }
else
  echo "run.sh: coturn is missing ($TURNSERVER): the relay-only call spec will FAIL." >&2
  echo "run.sh: install it as root:  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y coturn" >&2
fi

# --- 2. network namespace with loopback only ----------------------------------------------
if is_root; then unshare_flags=(-n); else unshare_flags=(-rn); fi

if ! command -v ip >/dev/null 2>&1 && is_root && command -v unshare >/dev/null 2>&1; then
  echo "run.sh: 'ip' is missing (needed to bring up loopback in the namespace); installing iproute2"
  apt_install iproute2 || true
fi

namespace_works() {
  command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 &&
    unshare "${unshare_flags[@]}" bash -c 'ip link set lo up' >/dev/null 2>&1
}

set +e
if namespace_works; then
  echo "run.sh: running inside a private network namespace (unshare ${unshare_flags[*]}, loopback only)"
  unshare "${unshare_flags[@]}" bash -c 'ip link set lo up && exec "$0" test "$@"' "$PLAYWRIGHT_BIN" "$@"
  status=$?
else
  echo "run.sh: cannot make a loopback-only network namespace here (unshare not permitted, or no 'ip'); running in the normal network (tests still use 127.0.0.1 only)"
  "$PLAYWRIGHT_BIN" test "$@"
  status=$?
fi
set -e
exit "$status"
