#!/usr/bin/env bash
# Runs the call set-up benchmark (bench/calls/call-setup.bench.ts, Playwright) against the
# production builds, with a browser, coturn and a loopback-only network namespace (see
# scripts/playwright-loopback.sh; coturn is required here: the relayed series needs it).
# It builds nothing: it checks that the builds exist (apps/api/dist/main.js, the web standalone
# server and its static assets); run `pnpm turbo run build` at the repository root first.
#
# Usage: bash bench/calls/run.sh [playwright test args...]
# Environment: BENCH_CALLS (calls per series, default 10), BENCH_WARMUP (warm-up rounds, 1).
# Output: markdown tables on stdout; JSON and the tables in bench/results/calls-<time>.{json,md}.
# Exit code: Playwright's.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." # bench/
REPO_ROOT="$(cd .. && pwd)"

missing=()
[[ -f "$REPO_ROOT/apps/api/dist/main.js" ]] || missing+=("apps/api/dist/main.js")
[[ -f "$REPO_ROOT/apps/web/.next/standalone/apps/web/server.js" ]] || missing+=("apps/web/.next/standalone/apps/web/server.js")
[[ -d "$REPO_ROOT/apps/web/.next/standalone/apps/web/.next/static" ]] || missing+=("apps/web/.next/standalone/apps/web/.next/static")
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "calls: production build output missing: ${missing[*]}" >&2
  echo "calls: build first, at the repository root: pnpm turbo run build" >&2
  exit 1
fi

exec bash ../scripts/playwright-loopback.sh --label calls --turn required --config calls/playwright.config.ts "$@"
