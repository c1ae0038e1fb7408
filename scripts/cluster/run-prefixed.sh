#!/usr/bin/env bash
# Runs one process of the cluster: its stdout and stderr go to the shared log, each line
# prefixed with [NAME]; its pid goes to PIDFILE; when it exits, a last line says how.
#
#   run-prefixed.sh NAME PIDFILE LOGFILE COMMAND [ARGS...]
#
# scripts/cluster/lib.sh (launch) starts it with `setsid -f`, in a session of its own.
set -uo pipefail
name="$1" pidfile="$2" log="$3"
shift 3

exec > >(exec sed -u "s/^/[$name] /" >>"$log") 2>&1
"$@" &
child=$!
echo "$child" >"$pidfile"
wait "$child"
status=$?
if ((status > 128)); then
  echo "exited on signal $(kill -l $((status - 128)) 2>/dev/null || echo $((status - 128)))"
else
  echo "exited with status $status"
fi
