#!/usr/bin/env bash
# Every test of the repository, in the order a failure is cheapest to find: build, lint and
# types, unit and integration suites (vitest), then the two-browser e2e suite (Playwright).
# Each suite writes a JSON report to .reports/; the closing line adds them all up.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
reports="$root/.reports"
rm -rf "$reports" && mkdir -p "$reports"
status=0

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# strace lets the api suite watch the embedded store's fsync calls from the kernel's side.
if ! command -v strace >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    step "installing strace (Debian) for the store durability test"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq strace >/dev/null ||
      echo "strace could not be installed: the kernel-side durability test is skipped" >&2
  else
    echo "strace not found: the kernel-side durability test is skipped (apt-get install strace)" >&2
  fi
fi

# nginx for the deploy-config check (nginx -t) and the cluster e2e suite.
if [ "$(id -u)" = 0 ] && ! bash scripts/install-nginx.sh; then
  echo "nginx could not be installed: the nginx checks will fail or skip saying so" >&2
fi

# PostgreSQL for the store contract and outage suites (installed as root when missing).
if [ "$(id -u)" = 0 ] && ! bash scripts/local-postgres.sh install; then
  echo "PostgreSQL could not be installed: the PostgreSQL suites will fail saying so" >&2
fi

# Redis for the Redis suites (installed as root when missing).
if [ "$(id -u)" = 0 ] && ! bash scripts/local-redis.sh install; then
  echo "Redis could not be installed: the Redis suites will fail saying so" >&2
fi

step "build"
pnpm turbo run build --output-logs=errors-only || { echo "build failed" >&2; exit 1; }

step "lint and types"
pnpm lint || status=1
pnpm turbo run typecheck --output-logs=errors-only || status=1

for package in packages/protocol packages/client apps/api apps/web; do
  step "vitest: $package"
  (cd "$package" && pnpm exec vitest run --reporter=default --reporter=json \
    --outputFile.json="$reports/vitest-$(basename "$package").json") || status=1
done

# The api suites about storage, chat, sessions, presence and calls once more, each api as three
# instances on a PostgreSQL database of its own and one Redis, clients spread over them (the
# list is in apps/api/vitest.config.ts).
if [ "${DUPLEX_SKIP_POSTGRES:-}" = 1 ] || [ "${DUPLEX_SKIP_REDIS:-}" = 1 ]; then
  echo "DUPLEX_SKIP_POSTGRES=1 or DUPLEX_SKIP_REDIS=1: the api suites on several instances are skipped" >&2
else
  step "vitest: apps/api as three instances on PostgreSQL and Redis"
  (cd apps/api && DUPLEX_TEST_STORE=cluster pnpm exec vitest run --reporter=default \
    --reporter=json --outputFile.json="$reports/vitest-api-cluster.json") || status=1
fi

step "interop: a Python client written from PROTOCOL.md"
REPORTS_DIR="$reports" bash interop/run.sh || status=1

step "quick start: npm start on other ports"
REPORTS_DIR="$reports" bash scripts/quick-start-check.sh || status=1

step "e2e (Playwright, two browsers)"
(cd e2e && bash run.sh) || status=1
[ -f e2e/test-results/results.json ] && cp e2e/test-results/results.json "$reports/playwright-e2e.json"

# Every page at desktop and phone size, light and dark, as PNGs in e2e/screenshots/ (for people
# to look at; a page that does not render fails it).
step "screenshot tour"
rm -f e2e/test-results-tour/results.json
(cd e2e && bash run.sh --config playwright.tour.config.ts) || status=1
[ -f e2e/test-results-tour/results.json ] &&
  cp e2e/test-results-tour/results.json "$reports/playwright-tour.json"

# The same browsers against three api instances on PostgreSQL and Redis behind nginx.
if [ "${DUPLEX_SKIP_POSTGRES:-}" = 1 ] || [ "${DUPLEX_SKIP_REDIS:-}" = 1 ]; then
  echo "DUPLEX_SKIP_POSTGRES=1 or DUPLEX_SKIP_REDIS=1: the cluster e2e suite is skipped" >&2
else
  step "e2e (Playwright, three api instances behind nginx)"
  rm -f e2e/test-results-cluster/results.json
  (cd e2e && bash run-cluster.sh) || status=1
  [ -f e2e/test-results-cluster/results.json ] &&
    cp e2e/test-results-cluster/results.json "$reports/playwright-e2e-cluster.json"
fi

node "$root/scripts/test-summary.mjs" "$reports" || status=1
exit $status
