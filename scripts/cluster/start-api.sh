#!/usr/bin/env bash
# Starts api instance N of the running cluster: on its port (run/api-N.port), with the
# environment every instance shares (run/api.env) and its own DATA_DIR, and nothing else from
# the caller's environment, so that scripts/cluster.sh and rolling-restart.sh start the same
# instance. Returns once the process has started; see wait_api_ready in lib.sh.
#
#   scripts/cluster/start-api.sh N
set -euo pipefail
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

n="${1:-}"
[[ "$n" =~ ^[1-9][0-9]*$ ]] || fail "usage: scripts/cluster/start-api.sh N"
name="api-$n"
port="$(port_of "$name")"
[[ -n "$port" ]] || fail "$name: no port in $cluster_run/$name.port (is the cluster running?)"
[[ -f "$cluster_run/api.env" ]] || fail "no $cluster_run/api.env (is the cluster running?)"
if process_alive "$name"; then fail "$name is running already (pid $(pid_of "$name"))"; fi

vars=()
while IFS= read -r line; do
  [[ -n "$line" ]] && vars+=("$line")
done <"$cluster_run/api.env"
mkdir -p "$CLUSTER_DIR/$name"

launch "$name" env -i "PATH=$PATH" "HOME=${HOME:-/}" NODE_ENV=production "${vars[@]}" \
  "PORT=$port" "DATA_DIR=$CLUSTER_DIR/$name" \
  "$(command -v node)" --enable-source-maps "$cluster_root/apps/api/dist/main.js"
