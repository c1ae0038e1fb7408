import { cp, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { createApp } from '../../src/app.js';
import { loadConfig, type AppConfig, type ConfigInput } from '../../src/config/config.js';

export interface TestServer {
  readonly app: INestApplication;
  readonly config: AppConfig;
  readonly port: number;
  /** `ws://127.0.0.1:<port><path>` */
  wsUrl(path?: string): string;
  /** `http://127.0.0.1:<port><path>` */
  httpUrl(path: string): string;
  stop(): Promise<void>;
}

/**
 * Starts a real api in-process on a free port of 127.0.0.1, logging silenced, HTTP reads
 * practically unlimited. Unless
 * `DATA_DIR` is given, its storage lives in a fresh temporary directory, removed on `stop`.
 */
export async function startServer(overrides: ConfigInput = {}): Promise<TestServer> {
  const ownDataDir = overrides.DATA_DIR === undefined ? await freshDataDir() : null;
  const config = loadConfig({
    // Suites read history over HTTP far faster than a person; read-limit.test.ts tests the limit.
    HTTP_READ_BURST: 100_000,
    ...overrides,
    ...(ownDataDir && { DATA_DIR: ownDataDir }),
    LOG_LEVEL: 'silent',
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as AddressInfo;
  const port = address.port;
  let stopped: Promise<void> | undefined;
  return {
    app,
    config,
    port,
    wsUrl: (path = '/ws') => `ws://127.0.0.1:${port}${path}`,
    httpUrl: (path) => `http://127.0.0.1:${port}${path}`,
    stop: () =>
      (stopped ??= (async () => {
        await app.close();
        if (ownDataDir) await rm(ownDataDir, { recursive: true, force: true });
      })()),
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

/** A new data directory, copied from the run's initialised template (see global-setup.ts). */
async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'duplex-api-test-'));
  await cp(inject('pgliteTemplate'), dir, { recursive: true });
  return dir;
}
