// Starts the built Duplex api (apps/api/dist/main.js) as a child process on a free port of
// 127.0.0.1 with a throwaway data folder, and stops it again.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { track } from './children.mjs';
import { freePort, httpOk, sleep } from './net.mjs';

export const HOST = '127.0.0.1';

/**
 * Starts the api and waits (at most `readyTimeoutMs`) for `GET /health`, then `GET /ready`.
 * `env` is added to a quiet default environment (`LOG_LEVEL=warn`); `cpuList` (e.g. "0") pins
 * it to those cores with `taskset`. Its output goes to `logPath`. `readyAfterMs` is known to
 * within `pollMs`. `dataDir`: a folder of the caller's, kept on stop; else a new one, removed.
 */
export async function startApi({
  repoRoot,
  env = {},
  cpuList = null,
  logPath,
  readyTimeoutMs = 60_000,
  pollMs = 200,
  dataDir: callersDataDir,
}) {
  const apiMain = path.join(repoRoot, 'apps/api/dist/main.js');
  if (!existsSync(apiMain)) throw new Error(`${apiMain} missing: build the api first (pnpm build)`);
  const port = await freePort(HOST);
  const dataDir = callersDataDir ?? mkdtempSync(path.join(tmpdir(), 'duplex-bench-'));
  const childEnv = {
    ...process.env,
    PORT: String(port),
    HOST,
    LOG_LEVEL: 'warn',
    DATA_DIR: dataDir,
    ...env,
  };
  delete childEnv.NODE_OPTIONS;
  // taskset execs node, so the child's pid is the api's.
  const [command, args] = cpuList
    ? ['taskset', ['-c', cpuList, process.execPath, apiMain]]
    : [process.execPath, [apiMain]];
  const log = createWriteStream(logPath);
  const child = track(
    spawn(command, args, { cwd: repoRoot, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let exited = null;
  child.once('exit', (code, signal) => {
    exited = { code, signal };
  });
  const api = {
    port,
    pid: child.pid,
    child,
    dataDir,
    log,
    logPath,
    baseUrl: `http://${HOST}:${port}`,
    keepDataDir: callersDataDir !== undefined,
  };
  const started = performance.now();
  const deadline = started + readyTimeoutMs;
  let phase = 'health';
  while (performance.now() < deadline && !exited) {
    if (phase === 'health' && (await httpOk(`${api.baseUrl}/health`))) phase = 'ready';
    if (phase === 'ready' && (await httpOk(`${api.baseUrl}/ready`))) {
      api.readyAfterMs = performance.now() - started;
      return api;
    }
    await sleep(pollMs);
  }
  await stopApi(api);
  throw new Error(
    `the api did not become ready (${exited ? `exited ${JSON.stringify(exited)}` : 'timeout'}); see ${logPath}`,
  );
}

/** SIGTERM, then SIGKILL after 8 s; removes the data folder unless it is the caller's. */
export async function stopApi(api) {
  const { child } = api;
  if (child.exitCode === null && child.signalCode === null) {
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 8000);
    await gone;
    clearTimeout(timer);
  }
  api.log.end();
  if (!api.keepDataDir) rmSync(api.dataDir, { recursive: true, force: true });
}
