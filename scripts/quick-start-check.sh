#!/usr/bin/env bash
# The README's first command, as a user with ports 3000 and 3001 taken would run it:
# `API_PORT=… WEB_PORT=… DATA_DIR=… npm start` on free ports, then checks from outside that the
# api is ready on API_PORT, the web app on WEB_PORT points its pages at that api, the api lets
# those pages open a WebSocket (and still refuses other origins), and the api keeps its data in
# DATA_DIR (so its settings reach it through `npm start`). Stops everything it started.
# Writes $REPORTS_DIR/quick-start.json ({passed, failed, skipped, tests}); exit 0 when all passed.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
reports="${REPORTS_DIR:-$root/.reports}"
mkdir -p "$reports"
work="$(mktemp -d)"
log="$work/npm-start.log"

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
api_port="$(free_port)"
web_port="$(free_port)"
while [ "$web_port" = "$api_port" ]; do web_port="$(free_port)"; done

echo "quick start: API_PORT=$api_port WEB_PORT=$web_port npm start (log: $log)"
# Its own process group, so that every child (turbo, tsc --watch, node, next) is stopped with it.
API_PORT="$api_port" WEB_PORT="$web_port" DATA_DIR="$work/data" setsid npm start >"$log" 2>&1 &
group=$!
stop() {
  kill -TERM -- "-$group" 2>/dev/null
  for _ in $(seq 1 50); do kill -0 -- "-$group" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$group" 2>/dev/null
}
trap stop EXIT

API_PORT="$api_port" WEB_PORT="$web_port" DATA_DIR="$work/data" REPORT="$reports/quick-start.json" \
  node --input-type=module - <<'JS'
import { createRequire } from 'node:module';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';

const require = createRequire(`${process.cwd()}/apps/api/package.json`);
const { WebSocket } = require('ws');
const { API_PORT, WEB_PORT, DATA_DIR, REPORT } = process.env;
const api = `http://127.0.0.1:${API_PORT}`;
const web = `http://127.0.0.1:${WEB_PORT}`;
const tests = [];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(500);
  }
}

async function check(name, body) {
  try {
    await body();
    tests.push({ name, status: 'passed' });
    console.log(`quick start: ok   ${name}`);
  } catch (error) {
    tests.push({ name, status: 'failed', error: String(error.message ?? error) });
    console.log(`quick start: FAIL ${name}: ${error.message ?? error}`);
  }
}

/** Status of a WebSocket upgrade to the api's /ws from a page of `origin` (0: no answer). */
function upgradeOnce(origin) {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${API_PORT}/ws`, { headers: { Origin: origin } });
    socket.on('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('unexpected-response', (_request, response) => resolve(response.statusCode));
    socket.on('error', () => resolve(0));
  });
}

/** The same, tried again while nothing answers (the api restarting after a rebuild, say). */
async function upgradeFrom(origin) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = await upgradeOnce(origin);
    if (status !== 0 || Date.now() > deadline) return status;
    await sleep(500);
  }
}

await check(`the api answers /ready on API_PORT ${API_PORT}`, () =>
  until('/ready', async () => (await fetch(`${api}/ready`)).ok, 180_000),
);
await check(`the web app on WEB_PORT ${WEB_PORT} points its pages at the api's port`, async () => {
  // The first request compiles the page: it may take a while.
  const html = await until('the home page', async () => {
    const response = await fetch(`${web}/`);
    return response.ok ? response.text() : null;
  }, 180_000);
  if (!html.includes(`port ${API_PORT}`)) throw new Error(`the page does not name port ${API_PORT}`);
});
await check(`the api lets pages of localhost:${WEB_PORT} open a WebSocket, and no others`, async () => {
  const allowed = await upgradeFrom(`http://localhost:${WEB_PORT}`);
  if (allowed !== 101) throw new Error(`upgrade from the web app's origin answered ${allowed}`);
  const other = await upgradeFrom('http://localhost:1');
  if (other !== 403) throw new Error(`upgrade from another origin answered ${other}`);
});
await check('the api keeps its data in DATA_DIR (its settings reach it)', async () => {
  if (!existsSync(DATA_DIR) || readdirSync(DATA_DIR).length === 0) {
    throw new Error(`nothing in ${DATA_DIR}`);
  }
});

const failed = tests.filter((test) => test.status === 'failed').length;
writeFileSync(REPORT, JSON.stringify({ passed: tests.length - failed, failed, skipped: 0, tests }));
process.exitCode = failed ? 1 : 0;
JS
status=$?
[ "$status" = 0 ] || tail -n 40 "$log" >&2
stop
trap - EXIT
rm -rf "$work"
exit "$status"
