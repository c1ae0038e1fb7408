#!/usr/bin/env bash
# Runs `playwright test` for the package in the current directory (its node_modules/.bin) with
# what real two-browser calls need, shared by the e2e suite and the call benchmark:
#
# 1. A browser: Playwright's own Chromium if installed, else Debian's /usr/bin/chromium. If
#    neither exists: as root, `apt-get update` once and install `chromium`; otherwise exit 1
#    saying what to install. Browsers are never downloaded (PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1).
# 2. coturn (/usr/bin/turnserver, Debian's `coturn`) for relayed calls: as root, installed when
#    missing (and the package's own service stopped if the install started one). Otherwise, with
#    `--turn required` exit 1 saying what to install; with `--turn optional` say so and carry on.
# 3. A private network namespace with only loopback (`unshare -n` as root, `unshare -rn`
#    otherwise) for the whole Playwright run -- servers, coturn, every browser -- so traffic can
#    only reach 127.0.0.1/::1 and WebRTC gathers loopback candidates only. Inside it,
#    PLAYWRIGHT_LOOPBACK_NETNS=1. Where no namespace can be made, it runs in the normal network
#    and says so.
#
# Usage: bash scripts/playwright-loopback.sh --label NAME --turn required|optional [playwright test args...]
# Exit code: Playwright's.
set -euo pipefail

label=playwright
turn=optional
while [[ $# -gt 0 ]]; do
  case "$1" in
    --label) label="$2"; shift 2 ;;
    --turn) turn="$2"; shift 2 ;;
    *) break ;;
  esac
done

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export NEXT_TELEMETRY_DISABLED=1
export TURBO_TELEMETRY_DISABLED=1

SYSTEM_CHROMIUM=/usr/bin/chromium
TURNSERVER=/usr/bin/turnserver
# The pid file of the coturn package's own service (/etc/init.d/coturn), should the install start it.
COTURN_SERVICE_PIDFILE=/var/run/turnserver.pid
PLAYWRIGHT_BIN=./node_modules/.bin/playwright

say() { echo "$label: $*"; }
fail() { echo "$label: $*" >&2; exit 1; }

[[ -x "$PLAYWRIGHT_BIN" ]] ||
  fail "$PWD/$PLAYWRIGHT_BIN not found; install the workspace first (pnpm install at the repo root)."

is_root() { [[ "$(id -u)" == 0 ]]; }

apt_updated=0
apt_install() {
  if [[ $apt_updated == 0 ]]; then
    apt-get update
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y "$@"
}

install_hint() {
  echo "$label: install it as root:  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $1" >&2
}

# --- 1. browser ---------------------------------------------------------------------------
bundled_chromium="$(node -e 'const { chromium } = require("@playwright/test"); process.stdout.write(chromium.executablePath())' 2>/dev/null || true)"
if [[ -n "$bundled_chromium" && -x "$bundled_chromium" ]]; then
  say "browser: Playwright's Chromium ($bundled_chromium)"
elif [[ -x "$SYSTEM_CHROMIUM" ]]; then
  say "browser: $SYSTEM_CHROMIUM"
elif is_root; then
  say "no Chromium found; installing Debian's chromium with apt-get"
  apt_install chromium
  [[ -x "$SYSTEM_CHROMIUM" ]] || fail "apt-get installed chromium but $SYSTEM_CHROMIUM is missing"
else
  echo "$label: no Chromium found (neither Playwright's nor $SYSTEM_CHROMIUM)." >&2
  install_hint chromium
  echo "$label: (or, where Playwright can download browsers: npx playwright install chromium)" >&2
  exit 1
fi

# --- 2. coturn ----------------------------------------------------------------------------
stop_packaged_coturn_service() {
  # Only the daemon the package's service started (its pid file), never any other turnserver.
  [[ -f "$COTURN_SERVICE_PIDFILE" ]] || return 0
  local pid
  pid="$(cat "$COTURN_SERVICE_PIDFILE" 2>/dev/null || true)"
  if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
    [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == turnserver ]]; then
    say "the coturn package started its service (pid $pid); stopping it"
    if [[ -x /etc/init.d/coturn ]]; then /etc/init.d/coturn stop >/dev/null 2>&1 || true; fi
    if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
  fi
}

if [[ -x "$TURNSERVER" ]]; then
  say "TURN server: $TURNSERVER"
elif is_root; then
  say "no coturn found; installing Debian's coturn with apt-get (for relayed calls)"
  apt_install coturn
  stop_packaged_coturn_service
  [[ -x "$TURNSERVER" ]] || fail "apt-get installed coturn but $TURNSERVER is missing"
elif [[ "$turn" == required ]]; then
  echo "$label: $TURNSERVER not found: relayed calls need coturn." >&2
  install_hint coturn
  exit 1
else
  echo "$label: coturn is missing ($TURNSERVER): relayed-call tests will FAIL." >&2
  install_hint coturn
fi

# --- 3. network namespace with loopback only ----------------------------------------------
if is_root; then unshare_flags=(-n); else unshare_flags=(-rn); fi

if ! command -v ip >/dev/null 2>&1 && is_root && command -v unshare >/dev/null 2>&1; then
  say "'ip' is missing (needed to bring up loopback in the namespace); installing iproute2"
  apt_install iproute2 || true
fi

namespace_works() {
  command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 &&
    unshare "${unshare_flags[@]}" bash -c 'ip link set lo up' >/dev/null 2>&1
}

set +e
if namespace_works; then
  say "running inside a private network namespace (unshare ${unshare_flags[*]}, loopback only)"
  PLAYWRIGHT_LOOPBACK_NETNS=1 unshare "${unshare_flags[@]}" \
    bash -c 'ip link set lo up && exec "$0" test "$@"' "$PLAYWRIGHT_BIN" "$@"
  status=$?
else
  say "cannot make a loopback-only network namespace here (unshare not permitted, or no 'ip'); running in the normal network (everything still uses 127.0.0.1 only)"
  "$PLAYWRIGHT_BIN" test "$@"
  status=$?
fi
set -e
exit "$status"
