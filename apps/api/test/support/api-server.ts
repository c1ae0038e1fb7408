import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
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

/** Starts a real api in-process on a free port of 127.0.0.1, logging silenced. */
export async function startServer(overrides: ConfigInput = {}): Promise<TestServer> {
  const config = loadConfig({ ...overrides, LOG_LEVEL: 'silent' });
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
    stop: () => (stopped ??= app.close()),
  };
}
