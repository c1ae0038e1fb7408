// Starts the built Duplex api (apps/api/dist/main.js), or another Node server script, as a child
// process on a port of 127.0.0.1 (a free one unless given), and stops it again.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { track } from './children.mjs';
import { freePort, httpOk, sleep } from './net.mjs';

export const HOST = '127.0.0.1';

/**
 * Starts `node [nodeArgs] script` with PORT and HOST set and waits (at most `readyTimeoutMs`,
 * polling every `pollMs`) for `GET /health`, then `GET /ready`. `env` is added to the parent's
 * environment (without NODE_OPTIONS); `cpuList` (e.g. "0") pins it to those cores with
 * `taskset`. Its output goes to `logPath`. `readyAfterMs` is measured from the spawn.
 */
export async function startNodeServer({
  repoRoot,
  script,
  env = {},
  nodeArgs = [],
  cpuList = null,
  port = null,
  logPath,
  readyTimeoutMs = 60_000,
  pollMs = 200,
}) {
  const listenPort = port ?? (await freePort(HOST));
  const childEnv = { ...process.env, PORT: String(listenPort), HOST, ...env };
  delete childEnv.NODE_OPTIONS;
  const nodeCommand = [process.execPath, ...nodeArgs, script];
  // taskset execs node, so the child's pid is the server's.
  const [command, args] = cpuList
    ? ['taskset', ['-c', cpuList, ...nodeCommand]]
    : [nodeCommand[0], nodeCommand.slice(1)];
  const log = createWriteStream(logPath, { flags: 'a' });
  const started = performance.now();
  const child = track(
    spawn(command, args, { cwd: repoRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let exited = null;
  child.once('exit', (code, signal) => {
    exited = { code, signal };
  });
  const server = {
    port: listenPort,
    pid: child.pid,
    child,
    log,
    logPath,
    baseUrl: `http://${HOST}:${listenPort}`,
    get exited() {
      return exited;
    },
  };
  const deadline = started + readyTimeoutMs;
  let phase = 'health';
  while (performance.now() < deadline && !exited) {
    if (phase === 'health' && (await httpOk(`${server.baseUrl}/health`))) phase = 'ready';
    if (phase === 'ready' && (await httpOk(`${server.baseUrl}/ready`))) {
      server.readyAfterMs = performance.now() - started;
      return server;
    }
    await sleep(pollMs);
  }
  await stopNodeServer(server);
  throw new Error(
    `${path.basename(script)} did not become ready (${exited ? `exited ${JSON.stringify(exited)}` : 'timeout'}); see ${logPath}`,
  );
}

/** SIGTERM, then SIGKILL after 8 s. */
export async function stopNodeServer(server) {
  const { child } = server;
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
    await gone;
    clearTimeout(timer);
  }
  server.log.end();
}

/**
 * Starts the api (`main`: the bundle in apps/api/dist by default) with a throwaway data folder
 * (or `dataDir`, to restart on the same one); the other options are those of
 * {@link startNodeServer}, `LOG_LEVEL=warn` by default.
 */
export async function startApi({ repoRoot, main = null, env = {}, dataDir = null, ...options }) {
  const apiMain = main ?? path.join(repoRoot, 'apps/api/dist/main.js');
  if (!existsSync(apiMain)) throw new Error(`${apiMain} missing: build the api first (pnpm build)`);
  const dir = dataDir ?? mkdtempSync(path.join(tmpdir(), 'duplex-bench-'));
  try {
    const api = await startNodeServer({
      repoRoot,
      script: apiMain,
      env: { LOG_LEVEL: 'warn', DATA_DIR: dir, ...env },
      ...options,
    });
    api.dataDir = dir;
    return api;
  } catch (error) {
    if (!dataDir) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** SIGTERM, then SIGKILL after 8 s; removes the data folder unless `keepDataDir`. */
export async function stopApi(api, { keepDataDir = false } = {}) {
  await stopNodeServer(api);
  if (!keepDataDir) rmSync(api.dataDir, { recursive: true, force: true });
}
