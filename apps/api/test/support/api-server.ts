import { rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig, type AppConfig, type ConfigInput } from '../../src/config/config.js';
import { freshStorage, scratchDir, type TestStorage } from './test-storage.js';

export interface TestServer {
  /** The (first) instance's app, config and port. */
  readonly app: INestApplication;
  readonly config: AppConfig;
  readonly port: number;
  /** Every instance: one, or several that share PostgreSQL and Redis. */
  readonly instances: readonly TestInstance[];
  /** `ws://127.0.0.1:<port><path>`, of each instance in turn. */
  wsUrl(path?: string): string;
  /** `http://127.0.0.1:<port><path>`, of each instance in turn. */
  httpUrl(path: string): string;
  stop(): Promise<void>;
}

/** One api instance of a test server. */
export interface TestInstance {
  readonly app: INestApplication;
  readonly config: AppConfig;
  readonly port: number;
  wsUrl(path?: string): string;
  httpUrl(path: string): string;
}

/** How many instances a test api is when the run is a cluster (`DUPLEX_TEST_STORE=cluster`). */
const CLUSTER_INSTANCES = 3;

/**
 * Starts a real api in-process on a free port of 127.0.0.1, logging silenced, HTTP reads
 * practically unlimited. Unless the test passes `DATA_DIR` or `DATABASE_URL`, it stores in fresh
 * storage of the run's kind (see test-storage.ts: SQLite, PGlite, or PostgreSQL with
 * `DUPLEX_TEST_STORE=postgres`), removed on `stop`. Next to a `DATABASE_URL` of the test's own,
 * it gets an empty data directory (for its identity secret), also removed on `stop`.
 *
 * With `DUPLEX_TEST_STORE=cluster` the api is three instances on one PostgreSQL database and one
 * Redis, and `wsUrl` and `httpUrl` name each instance in turn: the clients of a test are spread
 * over the instances, so every suite also tests what crosses between them.
 */
export async function startServer(overrides: ConfigInput = {}): Promise<TestServer> {
  const owned = await ownStorage(overrides);
  const settings = { ...overrides, ...owned?.config };
  const count = settings.REDIS_URL === undefined ? 1 : CLUSTER_INSTANCES;
  const instances: TestInstance[] = [];
  try {
    for (let i = 0; i < count; i++) instances.push(await listeningInstance(settings));
  } catch (error) {
    await Promise.all(instances.map((instance) => instance.app.close()));
    await owned?.remove();
    throw error;
  }
  let turn = 0;
  const next = () => instances[turn++ % instances.length]!;
  const first = instances[0]!;
  let stopped: Promise<void> | undefined;
  return {
    app: first.app,
    config: first.config,
    port: first.port,
    instances,
    wsUrl: (path) => next().wsUrl(path),
    httpUrl: (path) => next().httpUrl(path),
    stop: () =>
      (stopped ??= (async () => {
        await Promise.all(instances.map((instance) => instance.app.close()));
        await owned?.remove();
      })()),
  };
}

async function listeningInstance(settings: ConfigInput): Promise<TestInstance> {
  const { app, config } = await listeningApp(settings);
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    config,
    port,
    wsUrl: (path = '/ws') => `ws://127.0.0.1:${port}${path}`,
    httpUrl: (path) => `http://127.0.0.1:${port}${path}`,
  };
}

/** What a test opens and the test file closes once that test is over (a socket). */
export interface Closable {
  close(): Promise<unknown>;
}

/**
 * One api for a test file: started before its tests (with `overrides`, see `startServer`) and
 * stopped after them. What a test hands to `closeAfterTest` is closed once that test is over.
 */
export function useServer(overrides: ConfigInput = {}): {
  server: () => TestServer;
  closeAfterTest: <T extends Closable>(closable: T) => T;
} {
  let started: TestServer | undefined;
  const open: Closable[] = [];
  beforeAll(async () => {
    started = await startServer(overrides);
  });
  afterAll(() => started?.stop());
  afterEach(async () => {
    await Promise.all(open.splice(0).map((closable) => closable.close()));
  });
  return {
    server: () => {
      if (!started) throw new Error('the test server has not started');
      return started;
    },
    closeAfterTest: (closable) => {
      open.push(closable);
      return closable;
    },
  };
}

/** An api with `settings` listening on a free port of 127.0.0.1. */
async function listeningApp(settings: ConfigInput) {
  const config = loadConfig({
    // Suites read history over HTTP far faster than a person; read-limit.test.ts tests the limit.
    HTTP_READ_BURST: 100_000,
    ...settings,
    LOG_LEVEL: 'silent',
  });
  const app = await createApp(config);
  try {
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app.close();
    throw error;
  }
  return { app, config };
}

/** The storage `startServer` provides (and removes) when the test names none of its own. */
async function ownStorage(
  overrides: ConfigInput,
): Promise<Pick<TestStorage, 'config' | 'remove'> | undefined> {
  if (overrides.DATA_DIR !== undefined) return undefined;
  if (overrides.DATABASE_URL === undefined) return freshStorage();
  const dataDir = await scratchDir();
  return {
    config: { DATA_DIR: dataDir },
    remove: () => rm(dataDir, { recursive: true, force: true }),
  };
}
