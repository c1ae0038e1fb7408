/**
 * Start and stop the production builds of the api and the web app.
 * Used by global setup/teardown, and by specs that restart the api mid-test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const API_ENTRY = join(REPO_ROOT, 'apps/api/dist/main.js');
export const WEB_ENTRY = join(REPO_ROOT, 'apps/web/.next/standalone/apps/web/server.js');
export const WEB_STATIC_DIR = join(REPO_ROOT, 'apps/web/.next/standalone/apps/web/.next/static');

export const LOOPBACK = '127.0.0.1';
export const STARTUP_TIMEOUT_MS = 60_000;
export const STOP_GRACE_MS = 5_000;
const OUTPUT_TAIL_LINES = 40;

export interface RunningServer {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly child: ChildProcess;
  /** Last lines the process wrote to stderr (and stdout), for error messages. */
  outputTail(): string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<string>;
  stop(): Promise<void>;
}

const runningServers = new Set<RunningServer>();

/** Throws a message that says what to build when a production build output is missing. */
export function assertBuildsExist(): void {
  const missing: string[] = [];
  if (!existsSync(API_ENTRY)) missing.push(`api build: ${API_ENTRY}`);
  if (!existsSync(WEB_ENTRY)) missing.push(`web build: ${WEB_ENTRY}`);
  else if (!existsSync(WEB_STATIC_DIR))
    missing.push(
      `web static assets (copy apps/web/.next/static next to the standalone server): ${WEB_STATIC_DIR}`,
    );
  if (missing.length > 0) {
    throw new Error(
      `e2e: production build output missing:\n  - ${missing.join('\n  - ')}\n` +
        'Run `pnpm turbo run build` at the repository root first.',
    );
  }
}

/** Asks the kernel for a currently free TCP port on the loopback address. */
export function findFreePort(host = LOOPBACK): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() =>
        port > 0 ? resolvePort(port) : reject(new Error('could not get a free port')),
      );
    });
  });
}

export interface StartApiOptions {
  port: number;
  /** Browser origins allowed to open WebSockets, e.g. the web app's URL. */
  allowedOrigins: string[];
  /** Storage directory; a fresh temp dir (removed on stop) when omitted. Pass one to keep data across a restart. */
  dataDir?: string;
  env?: Record<string, string>;
}

export async function startApi(options: StartApiOptions): Promise<RunningServer> {
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'duplex-e2e-api-'));
  const url = `http://${LOOPBACK}:${options.port}`;
  const server = spawnServer({
    name: 'api',
    entry: API_ENTRY,
    cwd: REPO_ROOT,
    url,
    port: options.port,
    env: {
      PORT: String(options.port),
      HOST: LOOPBACK,
      ALLOWED_ORIGINS: options.allowedOrigins.join(','),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    afterExit: () => {
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  });
  await waitUntilServing(server, `${url}/health`);
  return server;
}

export interface StartWebOptions {
  port: number;
  /** The api's http URL, e.g. http://127.0.0.1:4101 (the web app reads it per request). */
  apiUrl: string;
  env?: Record<string, string>;
}

export async function startWeb(options: StartWebOptions): Promise<RunningServer> {
  const url = `http://${LOOPBACK}:${options.port}`;
  const server = spawnServer({
    name: 'web',
    entry: WEB_ENTRY,
    cwd: dirname(WEB_ENTRY),
    url,
    port: options.port,
    env: {
      PORT: String(options.port),
      HOSTNAME: LOOPBACK,
      DUPLEX_API_URL: options.apiUrl,
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_ENV: 'production',
      ...options.env,
    },
  });
  await waitUntilServing(server, `${url}/`);
  return server;
}

interface SpawnServerOptions {
  name: string;
  entry: string;
  cwd: string;
  url: string;
  port: number;
  env: Record<string, string>;
  afterExit?: () => void;
}

function spawnServer(options: SpawnServerOptions): RunningServer {
  const child = spawn(process.execPath, [options.entry], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const remember = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      tail.push(stream === 'stderr' ? line : `[stdout] ${line}`);
      if (tail.length > OUTPUT_TAIL_LINES) tail.shift();
    }
  };
  child.stdout?.on('data', remember('stdout'));
  child.stderr?.on('data', remember('stderr'));
  if (process.env.DUPLEX_E2E_SERVER_LOGS) {
    child.stdout?.pipe(process.stdout);
    child.stderr?.pipe(process.stderr);
  }

  const exited = new Promise<string>((resolveExit) => {
    child.once('exit', (code, signal) => {
      runningServers.delete(server);
      options.afterExit?.();
      resolveExit(signal ? `signal ${signal}` : `code ${code}`);
    });
    child.once('error', (error) => {
      tail.push(`spawn error: ${error.message}`);
      runningServers.delete(server);
      options.afterExit?.();
      resolveExit(`spawn error ${error.message}`);
    });
  });

  const server: RunningServer = {
    name: options.name,
    url: options.url,
    port: options.port,
    pid: child.pid ?? -1,
    child,
    exited,
    outputTail: () => tail.join('\n'),
    stop: () => stopChild(child, exited),
  };
  runningServers.add(server);
  return server;
}

/** SIGTERM, then SIGKILL if the process is still there after STOP_GRACE_MS. */
async function stopChild(child: ChildProcess, exited: Promise<string>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Stops a server by pid, for processes started by another module instance (e.g. a spec stopping
 * the api that global setup started, whose pid it finds in DUPLEX_API_PID).
 */
export async function stopPid(pid: number): Promise<void> {
  const own = [...runningServers].find((server) => server.pid === pid);
  if (own) return own.stop();
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  if (await waitForCondition(() => !isAlive(pid), STOP_GRACE_MS)) return;
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  await waitForCondition(() => !isAlive(pid), STOP_GRACE_MS);
}

export async function stopAllServers(): Promise<void> {
  await Promise.all([...runningServers].map((server) => server.stop()));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls `condition` every 100 ms until it is true (→ true) or `timeoutMs` passes (→ false). */
async function waitForCondition(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function answersOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000), redirect: 'manual' });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** Waits until `url` answers 2xx; fails early if the process exits, or after STARTUP_TIMEOUT_MS. */
export async function waitUntilServing(
  server: RunningServer,
  url: string,
  timeoutMs = STARTUP_TIMEOUT_MS,
): Promise<void> {
  let exitedWith: string | undefined;
  void server.exited.then((how) => (exitedWith = how));
  const up = await waitForCondition(
    async () => exitedWith !== undefined || (await answersOk(url)),
    timeoutMs,
  );
  if (up && exitedWith === undefined) return;
  const reason = exitedWith
    ? `exited (${exitedWith}) before ${url} answered`
    : `did not answer ${url} with 2xx within ${Math.round(timeoutMs / 1000)} s`;
  await server.stop();
  throw new Error(
    `e2e: the ${server.name} server ${reason}.\nLast output:\n${server.outputTail() || '(none)'}`,
  );
}

// Never leave servers behind if the runner dies without teardown.
process.once('exit', () => {
  for (const server of runningServers) server.child.kill('SIGKILL');
});
