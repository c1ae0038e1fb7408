#!/usr/bin/env bash
# Rolling restart of the api instances of the cluster that scripts/cluster.sh runs: one at a
# time, SIGTERM (the instance closes its sockets with 1001 and its clients reconnect through
# nginx to the others, resuming their sessions there), wait until it has exited, start it again
# on the same port with the same environment (scripts/cluster/start-api.sh), wait until its
# /ready answers 200, then the next. An instance that is not running (kill -9) is just started.
#
#   scripts/cluster/rolling-restart.sh          every instance, api-1 first
#   scripts/cluster/rolling-restart.sh 2 3      only api-2, then api-3
#
# Exits 1 at the first instance that does not come back ready (the others are left as they are).
set -euo pipefail
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

supervisor_alive || fail "no cluster is running (start one with npm run cluster)"
count="$(instances)"
if (($# > 0)); then
  targets=("$@")
else
  targets=()
  for ((n = 1; n <= count; n++)); do targets+=("$n"); done
fi
for n in "${targets[@]}"; do
  if [[ ! "$n" =~ ^[0-9]+$ ]] || ((n < 1 || n > count)); then
    fail "no api instance $n (the cluster runs 1 to $count)"
  fi
done

# SHUTDOWN_GRACE_MS of the instances, and some time to close the stores after it.
grace_ms="$(sed -n 's/^SHUTDOWN_GRACE_MS=//p' "$cluster_run/api.env" 2>/dev/null)"
stop_timeout=$(((${grace_ms:-2000} + 999) / 1000 + 10))

note() {
  echo "rolling-restart: $*"
  log_line rolling-restart "$*"
}

for n in "${targets[@]}"; do
  name="api-$n"
  port="$(port_of "$name")"
  old_pid="$(pid_of "$name")"
  if process_alive "$name"; then
    note "$name (port $port, pid $old_pid): SIGTERM"
    kill -TERM "$old_pid"
    wait_gone "$name" "$old_pid" "$stop_timeout"
  else
    note "$name (port $port) is not running: starting it"
  fi
  bash "$cluster_helpers/start-api.sh" "$n"
  if ! wait_api_ready "$name" 90; then
    note "$name did not come back ready: stopping the rolling restart"
    exit 1
  fi
  note "$name ready again on port $port as pid $(pid_of "$name")${old_pid:+ (was $old_pid)}"
done
note "done: ${targets[*]/#/api-}"
