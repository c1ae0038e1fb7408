import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, dropDatabase } from './postgres-server.js';

/** The built api (`pnpm --filter @duplex/api build`). */
const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** How much of an instance's stdout and stderr is kept for a failure message (the newest). */
const OUTPUT_KEPT_CHARS = 256 * 1024;
/** A start covers PostgreSQL migrations and the Redis connections. */
const DEFAULT_START_TIMEOUT_MS = 30_000;
/** SIGTERM closes sockets within SHUTDOWN_GRACE_MS (default 2 s), then the stores. */
const DEFAULT_STOP_TIMEOUT_MS = 15_000;

/** Settings of an api process, as environment variables (undefined: left out). */
export type ProcessEnv = Readonly<Record<string, string | number | undefined>>;

/** One api instance running as a child process (`node apps/api/dist/main.js`). */
export interface ApiProcess {
  /** A label for messages (`instance 0`). */
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  /** Whether the process has not exited yet. */
  readonly running: boolean;
  /** `ws://127.0.0.1:<port><path>` (`/ws` by default). */
  wsUrl(path?: string): string;
  /** `http://127.0.0.1:<port><path>`. */
  httpUrl(path: string): string;
  /** What the process wrote to stdout and stderr (the newest 256 KiB), for failure messages. */
  output(): string;
  /** SIGKILL, as a crash: nothing is closed. Resolves once the process has exited. */
  kill9(): Promise<void>;
  /**
   * SIGTERM, a graceful shutdown. Resolves once the process has exited; rejects (after a
   * SIGKILL) when it has not within `timeoutMs`.
   */
  stop(timeoutMs?: number): Promise<void>;
}

export interface StartApiProcessOptions {
  /** A label for messages; `api` when absent. */
  name?: string;
  /** How long the start may take until `/health` answers 200. */
  startTimeoutMs?: number;
}

/** Every child still running, killed if the test process exits before stopping them. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A port of 127.0.0.1 that nothing listened on a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Starts the built api as a child process on a free port of 127.0.0.1 with `env` (on top of a
 * minimal environment: PATH and HOME, `LOG_LEVEL=warn`, a data directory of its own unless
 * `env.DATA_DIR` names one, and HTTP reads practically unlimited); resolves once `/health`
 * answers 200. A start that fails rejects with the process's output.
 */
export async function startApiProcess(
  env: ProcessEnv,
  options: StartApiProcessOptions = {},
): Promise<ApiProcess> {
  await access(MAIN).catch(() => {
    throw new Error(`${MAIN} is missing: build the api first (pnpm --filter @duplex/api build)`);
  });
  // Another process may take the free port before the api binds it: then try another one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(env, options);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof PortTakenError)) throw error;
    }
  }
}

class PortTakenError extends Error {}

async function startOnce(env: ProcessEnv, options: StartApiProcessOptions): Promise<ApiProcess> {
  const name = options.name ?? 'api';
  const port = await freePort();
  const ownDataDir =
    env.DATA_DIR === undefined ? await mkdtemp(join(tmpdir(), 'duplex-api-process-')) : undefined;
  const settings: Record<string, string> = {};
  for (const [key, value] of Object.entries({
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LOG_LEVEL: 'warn',
    HTTP_READ_BURST: 100_000,
    HTTP_READS_PER_SECOND: 100_000,
    DATA_DIR: ownDataDir,
    ...env,
    HOST: '127.0.0.1',
    PORT: port,
  })) {
    if (value !== undefined) settings[key] = String(value);
  }

  const child = spawn(process.execPath, [MAIN], {
    env: settings,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (output.length > OUTPUT_KEPT_CHARS) output = output.slice(-OUTPUT_KEPT_CHARS);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exitInfo: string | null = null;
  const exited = new Promise<void>((resolve) => {
    const done = (info: string) => {
      if (exitInfo !== null) return;
      exitInfo = info;
      live.delete(child);
      resolve();
    };
    child.once('exit', (code, signal) => done(signal ? `signal ${signal}` : `code ${code}`));
    child.once('error', (error) => done(`spawn error: ${error.message}`));
  });
  const removeDataDir = async () => {
    if (ownDataDir) await rm(ownDataDir, { recursive: true, force: true });
  };
  const describe = () =>
    `${name} (pid ${child.pid}, port ${port}, ${exitInfo === null ? 'running' : `exited with ${exitInfo}`}); its output:\n${output.trim() || '(nothing)'}`;

  const httpUrl = (path: string) => `http://127.0.0.1:${port}${path}`;
  const kill = async (signal: NodeJS.Signals) => {
    if (exitInfo === null) child.kill(signal);
    await exited;
  };

  // Up once /health answers; a process that exits first has failed to start.
  const deadline = Date.now() + (options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
  for (;;) {
    if (exitInfo !== null) {
      await removeDataDir();
      const message = `${name} did not start: ${describe()}`;
      if (output.includes('EADDRINUSE')) throw new PortTakenError(message);
      throw new Error(message);
    }
    const healthy = await fetch(httpUrl('/health'), { signal: AbortSignal.timeout(1_000) }).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status === 200;
      },
      () => false,
    );
    if (healthy) break;
    if (Date.now() > deadline) {
      await kill('SIGKILL');
      await removeDataDir();
      throw new Error(`${name}: /health did not answer 200 in time: ${describe()}`);
    }
    await sleep(50);
  }

  return {
    name,
    port,
    pid: child.pid!,
    get running() {
      return exitInfo === null;
    },
    wsUrl: (path = '/ws') => `ws://127.0.0.1:${port}${path}`,
    httpUrl,
    output: describe,
    kill9: async () => {
      await kill('SIGKILL');
      await removeDataDir();
    },
    stop: async (timeoutMs = DEFAULT_STOP_TIMEOUT_MS) => {
      if (exitInfo === null) child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) await kill('SIGKILL');
      await removeDataDir();
      if (timedOut)
        throw new Error(`${name} did not exit within ${timeoutMs} ms of SIGTERM: ${describe()}`);
    },
  };
}

export interface ProcessClusterOptions {
  /** How many instances start (at once). */
  count: number;
  /** The PostgreSQL server (its `duplex` database's URL): the cluster gets a new database on it. */
  postgres: { readonly url: string };
  /** The Redis server: the cluster gets a key prefix of its own on it. */
  redis: { readonly url: string };
  /** More settings for every instance (limits, RESUME_GRACE_MS, INSTANCE_LEASE_MS, …). */
  env?: ProcessEnv;
}

/** Api instances as child processes on one PostgreSQL database and one Redis key prefix. */
export interface ProcessCluster {
  /** Every instance started, in order (killed and stopped ones included). */
  readonly instances: readonly ApiProcess[];
  /** The cluster's own database. */
  readonly databaseUrl: string;
  /** What every instance is started with (DATABASE_URL, REDIS_URL, REDIS_KEY_PREFIX, …). */
  readonly env: Readonly<Record<string, string | number>>;
  /** Starts one more instance with the cluster's settings. */
  startInstance(): Promise<ApiProcess>;
  /** Every instance's output, for a failure message. */
  output(): string;
  /** Stops every running instance (SIGTERM), then drops the database. */
  stopAll(): Promise<void>;
}

/**
 * `count` api processes sharing a fresh database on `postgres`, `redis` under a key prefix of
 * their own, and one IDENTITY_SECRET: a user is the same user, and a session resumes, on any of
 * them. Rate limits are practically off (`env` may set them); the rest is `env` or the defaults.
 */
export async function startProcessCluster(options: ProcessClusterOptions): Promise<ProcessCluster> {
  const databaseUrl = await createDatabase(options.postgres.url);
  const env: Record<string, string | number> = {
    MESSAGES_PER_SECOND: 100_000,
    BURST: 100_000,
    DATABASE_URL: databaseUrl,
    REDIS_URL: options.redis.url,
    REDIS_KEY_PREFIX: `test-${randomUUID()}:`,
    IDENTITY_SECRET: randomBytes(24).toString('base64url'),
  };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value !== undefined) env[key] = value;
  }
  const instances: ApiProcess[] = [];
  const startInstance = async () => {
    const index = instances.length;
    instances.length++;
    const instance = await startApiProcess(env, { name: `instance ${index}` });
    instances[index] = instance;
    return instance;
  };
  const stopAll = async () => {
    const results = await Promise.allSettled(
      instances.filter((instance) => instance?.running).map((instance) => instance.stop()),
    );
    // The server is removed with its data after the file anyway: a database that cannot be
    // dropped (the server is down after a failed test) is no fault of the instances.
    await dropDatabase(options.postgres.url, databaseUrl).catch(() => undefined);
    const failures = results.flatMap((result) =>
      result.status === 'rejected' ? [String(result.reason)] : [],
    );
    if (failures.length > 0) throw new Error(failures.join('\n\n'));
  };
  try {
    await Promise.all(Array.from({ length: options.count }, () => startInstance()));
  } catch (error) {
    await Promise.allSettled(instances.filter(Boolean).map((instance) => instance.kill9()));
    await dropDatabase(options.postgres.url, databaseUrl).catch(() => undefined);
    throw error;
  }
  return {
    instances,
    databaseUrl,
    env,
    startInstance,
    output: () =>
      instances
        .filter(Boolean)
        .map((instance) => instance.output())
        .join('\n\n'),
    stopAll,
  };
}
