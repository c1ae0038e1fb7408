#!/usr/bin/env bash
# Runs the call set-up benchmark (bench/calls/call-setup.bench.ts, Playwright) against the
# production builds. The same steps as e2e/run.sh, repeated here rather than calling it so the
# benchmark does not depend on the e2e package's install or on changes to that script:
#
# 0. Checks that the builds exist (apps/api/dist/main.js, the web standalone server and its
#    static assets). It builds nothing: run `pnpm turbo run build` at the repository root first.
# 1. Resolves a browser: Playwright's own Chromium if it is installed, else Debian's
#    /usr/bin/chromium; and coturn's /usr/bin/turnserver. If one is missing: as root,
#    `apt-get update` once and `apt-get install -y chromium|coturn`; as any other user, exit 1
#    saying what to install.
# 2. If this machine allows it (`unshare -n` as root, `unshare -rn` otherwise), runs the whole
#    Playwright run -- coturn, api, web and both browsers -- inside its own network namespace
#    that has only the loopback interface, so every packet stays on 127.0.0.1 (and WebRTC
#    gathers loopback candidates only). Otherwise it runs in the normal network and says so.
#
# Usage: bash bench/calls/run.sh [playwright test args...]
# Environment: BENCH_CALLS (calls per series, default 10), BENCH_WARMUP (warm-up rounds, 1).
# Output: markdown tables on stdout; JSON and the tables in bench/results/calls-<time>.{json,md}.
# Exit code: Playwright's.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." # bench/

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export NEXT_TELEMETRY_DISABLED=1
export TURBO_TELEMETRY_DISABLED=1

REPO_ROOT="$(cd .. && pwd)"
SYSTEM_CHROMIUM=/usr/bin/chromium
TURNSERVER=/usr/bin/turnserver
PLAYWRIGHT_BIN=./node_modules/.bin/playwright
CONFIG=calls/playwright.config.ts

if [[ ! -x "$PLAYWRIGHT_BIN" ]]; then
  echo "calls: bench/$PLAYWRIGHT_BIN not found; install the workspace first (pnpm install at the repo root)." >&2
  exit 1
fi

# --- 0. builds --------------------------------------------------------------------------------
missing=()
[[ -f "$REPO_ROOT/apps/api/dist/main.js" ]] || missing+=("apps/api/dist/main.js")
[[ -f "$REPO_ROOT/apps/web/.next/standalone/apps/web/server.js" ]] || missing+=("apps/web/.next/standalone/apps/web/server.js")
[[ -d "$REPO_ROOT/apps/web/.next/standalone/apps/web/.next/static" ]] || missing+=("apps/web/.next/standalone/apps/web/.next/static")
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "calls: production build output missing: ${missing[*]}" >&2
  echo "calls: build first, at the repository root: pnpm turbo run build" >&2
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

# --- 1. browser and coturn --------------------------------------------------------------------
bundled_chromium="$(playwright_chromium_path)"
if [[ -n "$bundled_chromium" && -x "$bundled_chromium" ]]; then
  echo "calls: browser: Playwright's Chromium ($bundled_chromium)"
elif [[ -x "$SYSTEM_CHROMIUM" ]]; then
  echo "calls: browser: $SYSTEM_CHROMIUM"
elif is_root; then
  echo "calls: no Chromium found; installing Debian's chromium with apt-get"
  apt_install chromium
  [[ -x "$SYSTEM_CHROMIUM" ]] || { echo "calls: apt-get installed chromium but $SYSTEM_CHROMIUM is missing" >&2; exit 1; }
else
  echo "calls: no Chromium found (neither Playwright's nor $SYSTEM_CHROMIUM)." >&2
  echo "calls: install it as root:  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium" >&2
  exit 1
fi

if [[ -x "$TURNSERVER" ]]; then
  echo "calls: TURN: $TURNSERVER"
elif is_root; then
  echo "calls: no coturn found; installing Debian's coturn with apt-get"
  apt_install coturn
  [[ -x "$TURNSERVER" ]] || { echo "calls: apt-get installed coturn but $TURNSERVER is missing" >&2; exit 1; }
else
  echo "calls: $TURNSERVER not found (the relayed series needs coturn)." >&2
  echo "calls: install it as root:  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y coturn" >&2
  exit 1
fi

# --- 2. network namespace with loopback only ----------------------------------------------
if is_root; then unshare_flags=(-n); else unshare_flags=(-rn); fi

if ! command -v ip >/dev/null 2>&1 && is_root && command -v unshare >/dev/null 2>&1; then
  echo "calls: 'ip' is missing (needed to bring up loopback in the namespace); installing iproute2"
  apt_install iproute2 || true
fi

namespace_works() {
  command -v unshare >/dev/null 2>&1 && command -v ip >/dev/null 2>&1 &&
    unshare "${unshare_flags[@]}" bash -c 'ip link set lo up' >/dev/null 2>&1
}

set +e
if namespace_works; then
  echo "calls: running inside a private network namespace (unshare ${unshare_flags[*]}, loopback only)"
  BENCH_NETNS=1 unshare "${unshare_flags[@]}" bash -c 'ip link set lo up && exec "$0" test "$@"' \
    "$PLAYWRIGHT_BIN" --config "$CONFIG" "$@"
  status=$?
else
  echo "calls: cannot make a loopback-only network namespace here (unshare not permitted, or no 'ip'); running in the normal network (everything still uses 127.0.0.1 only)"
  "$PLAYWRIGHT_BIN" test --config "$CONFIG" "$@"
  status=$?
fi
set -e
exit "$status"
