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

step "build"
pnpm turbo run build --output-logs=errors-only || { echo "build failed" >&2; exit 1; }

step "lint and types"
pnpm lint || status=1
pnpm turbo run typecheck --output-logs=errors-only || status=1

for package in packages/protocol packages/client apps/api; do
  step "vitest: $package"
  (cd "$package" && pnpm exec vitest run --reporter=default --reporter=json \
    --outputFile.json="$reports/vitest-$(basename "$package").json") || status=1
done

step "interop: a Python client written from PROTOCOL.md"
REPORTS_DIR="$reports" bash interop/run.sh || status=1

step "e2e (Playwright, two browsers)"
(cd e2e && bash run.sh) || status=1
[ -f e2e/test-results/results.json ] && cp e2e/test-results/results.json "$reports/playwright-e2e.json"

node "$root/scripts/test-summary.mjs" "$reports" || status=1
exit $status
