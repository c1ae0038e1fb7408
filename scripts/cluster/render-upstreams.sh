#!/usr/bin/env bash
# Renders nginx's upstreams for a local cluster from deploy/duplex-upstreams.conf: in each of
# `upstream duplex_api` and `upstream duplex_web`, the first `server` line is kept with its
# parameters (max_fails, fail_timeout, ...) and written once per local port, its address
# replaced by 127.0.0.1:PORT; the template's other `server` lines are dropped. Everything else
# (zone, comments) is kept as it is.
#
#   render-upstreams.sh TEMPLATE API_PORTS WEB_PORT > duplex-upstreams.conf
#   e.g. render-upstreams.sh deploy/duplex-upstreams.conf 4101,4102,4103 4100
set -euo pipefail

template="${1:-}" api_ports="${2:-}" web_port="${3:-}"
if [[ ! -f "$template" || ! "$api_ports" =~ ^[0-9]+(,[0-9]+)*$ || ! "$web_port" =~ ^[0-9]+$ ]]; then
  echo "usage: render-upstreams.sh TEMPLATE API_PORT[,API_PORT...] WEB_PORT" >&2
  exit 2
fi

echo "# Rendered by scripts/cluster/render-upstreams.sh from $(basename "$template"): do not edit."
awk -v api="$api_ports" -v web="$web_port" '
  /^[[:space:]]*upstream[[:space:]]+duplex_api[[:space:]]*\{/ { block = "api" }
  /^[[:space:]]*upstream[[:space:]]+duplex_web[[:space:]]*\{/ { block = "web" }
  block != "" && /^[[:space:]]*\}/ { block = "" }
  block != "" && /^[[:space:]]*server[[:space:]]/ {
    if (done[block]) next
    done[block] = 1
    line = $0
    indent = line; sub(/[^[:space:]].*$/, "", indent)
    rest = line; sub(/^[[:space:]]*server[[:space:]]+[^[:space:];]+/, "", rest)
    count = split(block == "api" ? api : web, ports, ",")
    for (i = 1; i <= count; i++) print indent "server 127.0.0.1:" ports[i] rest
    next
  }
  { print }
  END {
    if (!done["api"] || !done["web"]) {
      print "render-upstreams.sh: the template needs a server line in upstream duplex_api and in upstream duplex_web" > "/dev/stderr"
      exit 1
    }
  }
' "$template"
