#!/usr/bin/env bash
# Makes sure Debian's nginx is installed, for the suites that run it as a local process
# (nothing here uses the system service). As root with apt-get it installs the package and
# stops the service the package may have started; otherwise it says what to install and exits 1.
set -euo pipefail

say() { echo "install-nginx: $*" >&2; }
NGINX=/usr/sbin/nginx
# The pid file of the nginx package's own service, should the install start it.
NGINX_SERVICE_PIDFILE=/run/nginx.pid

[[ -x "$NGINX" ]] && exit 0
if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  say "$NGINX not found; install it as root: apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nginx"
  exit 1
fi
say "no nginx found; installing Debian's nginx with apt-get"
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >&2
# Only the daemon the package's service started (its pid file), never any other nginx.
pid="$(cat "$NGINX_SERVICE_PIDFILE" 2>/dev/null || true)"
if [[ "$pid" =~ ^[0-9]+$ ]] && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == nginx ]]; then
  say "the nginx package started its service (pid $pid); stopping it"
  if [[ -x /etc/init.d/nginx ]]; then /etc/init.d/nginx stop >/dev/null 2>&1 || true; fi
  if kill -0 "$pid" 2>/dev/null; then kill -QUIT "$pid" 2>/dev/null || true; fi
fi
