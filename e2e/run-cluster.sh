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

bash ../scripts/install-nginx.sh || true

exec bash ../scripts/playwright-loopback.sh --label run-cluster.sh --turn optional \
  --config playwright.cluster.config.ts "$@"
