#!/usr/bin/env bash
# Runs the Duplex end-to-end suite (Playwright) against the production builds, with a browser,
# coturn and a loopback-only network namespace (see scripts/playwright-loopback.sh). Global setup
# (support/global-setup.ts) starts coturn with a fresh shared secret, then the api (TURN_URLS and
# TURN_SECRET pointing at that coturn) and the web standalone server on free loopback ports;
# build them first with `pnpm turbo run build`. Without coturn (and not root) the relay-only
# call spec fails saying so; the others run as usual.
#
# Usage: bash run.sh [playwright test args...]   e.g. `bash run.sh --list`, `bash run.sh specs/echo.spec.ts`
# Exit code: Playwright's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
exec bash ../scripts/playwright-loopback.sh --label run.sh --turn optional "$@"
