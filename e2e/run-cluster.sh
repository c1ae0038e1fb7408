#!/usr/bin/env bash
# Runs the cluster end-to-end suite (Playwright, playwright.cluster.config.ts, specs in
# cluster-specs/): three api instances on a throwaway PostgreSQL and Redis, the web standalone
# server and nginx in front of them (round robin, no sticky sessions), all started by
# support/cluster-global-setup.ts on free loopback ports; browsers reach only nginx. Build
# first with `pnpm turbo run build`. Like run.sh it runs through scripts/playwright-loopback.sh
# (a browser, coturn, a loopback-only network namespace).
#
# PostgreSQL, Redis and nginx are installed here, before the namespace (which has no network):
# as root with apt-get when missing (the services the packages may start are stopped again);
# otherwise a missing one makes global setup fail saying what to install.
#
# Usage: bash run-cluster.sh [playwright test args...]   e.g. `bash run-cluster.sh --list`
# Report: test-results-cluster/results.json. Exit code: Playwright's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

say() { echo "run-cluster.sh: $*"; }
is_root() { [[ "$(id -u)" == 0 ]]; }

if is_root; then
  bash ../scripts/local-postgres.sh install
  bash ../scripts/local-redis.sh install
fi

NGINX=/usr/sbin/nginx
# The pid file of the nginx package's own service, should the install start it.
NGINX_SERVICE_PIDFILE=/run/nginx.pid
if [[ ! -x "$NGINX" ]]; then
  if is_root && command -v apt-get >/dev/null 2>&1; then
    say "no nginx found; installing Debian's nginx with apt-get"
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y nginx
    # Only the daemon the package's service started (its pid file), never any other nginx.
    pid="$(cat "$NGINX_SERVICE_PIDFILE" 2>/dev/null || true)"
    if [[ "$pid" =~ ^[0-9]+$ ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == nginx ]]; then
      say "the nginx package started its service (pid $pid); stopping it"
      if [[ -x /etc/init.d/nginx ]]; then /etc/init.d/nginx stop >/dev/null 2>&1 || true; fi
      if kill -0 "$pid" 2>/dev/null; then kill -QUIT "$pid" 2>/dev/null || true; fi
    fi
  else
    say "$NGINX not found; install it as root: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nginx" >&2
  fi
fi

exec bash ../scripts/playwright-loopback.sh --label run-cluster.sh --turn optional \
  --config playwright.cluster.config.ts "$@"
