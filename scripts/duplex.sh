#!/usr/bin/env bash
# Entry point behind `npm start` and `npm test`: needs only Node 20+ and npm.
# Makes pnpm available (a project-local copy when none is on PATH), installs the workspace,
# then runs the requested task.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

pnpm_version="$(node -p "require('./package.json').packageManager.split('@')[1]")"
export TURBO_TELEMETRY_DISABLED=1
export NEXT_TELEMETRY_DISABLED=1

ensure_pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$pnpm_version" ]; then
    return
  fi
  if [ ! -x "$root/.tools/node_modules/.bin/pnpm" ]; then
    echo "duplex: installing pnpm $pnpm_version into .tools/" >&2
    npm install --silent --no-audit --no-fund --prefix "$root/.tools" "pnpm@$pnpm_version" >&2
  fi
  export PATH="$root/.tools/node_modules/.bin:$PATH"
}

install_workspace() {
  source "$root/scripts/native-build-env.sh"
  if [ "${CI:-}" = "true" ]; then
    pnpm install --frozen-lockfile
  else
    pnpm install
  fi
}

ensure_pnpm
install_workspace

case "${1:-}" in
  dev)
    pnpm turbo run build --filter=@duplex/protocol --filter=@duplex/client --output-logs=errors-only
    echo
    echo "  Duplex is starting: open http://localhost:${WEB_PORT:-3000}  (api on http://localhost:${API_PORT:-3001})"
    echo
    exec pnpm dev
    ;;
  test)
    exec bash "$root/scripts/test-all.sh"
    ;;
  *)
    echo "usage: scripts/duplex.sh dev|test" >&2
    exit 2
    ;;
esac
