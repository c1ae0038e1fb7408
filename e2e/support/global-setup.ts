/**
 * Starts the api and the web production builds on free loopback ports and exports their
 * URLs (see ./env.ts) for the specs. ./global-teardown.ts stops them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiControl, type ApiControl } from './api-control.js';
import { ENV } from './env.js';
import {
  assertBuildsExist,
  findFreePort,
  LOOPBACK,
  startApi,
  startWeb,
  stopAllServers,
} from './servers.js';

export default async function globalSetup(): Promise<void> {
  assertBuildsExist();

  const apiPort = await findFreePort();
  let webPort = await findFreePort();
  while (webPort === apiPort) webPort = await findFreePort();
  const webUrl = `http://${LOOPBACK}:${webPort}`;

  // Owned by setup (not by startApi) so a spec can restart the api on the same data.
  const apiDataDir = mkdtempSync(join(tmpdir(), 'duplex-e2e-api-'));
  try {
    const api = await startApi({ port: apiPort, allowedOrigins: [webUrl], dataDir: apiDataDir });
    const web = await startWeb({ port: webPort, apiUrl: api.url });
    // Specs restart the api through this (support/shared-api.ts), so it stays this process's child.
    const control = await startApiControl(api, {
      port: apiPort,
      allowedOrigins: [webUrl],
      dataDir: apiDataDir,
    });
    (globalThis as { __duplexApiControl?: ApiControl }).__duplexApiControl = control;

    process.env[ENV.apiUrl] = api.url;
    process.env[ENV.apiPort] = String(apiPort);
    process.env[ENV.apiPid] = String(api.pid);
    process.env[ENV.apiDataDir] = apiDataDir;
    process.env[ENV.webUrl] = web.url;
    process.env[ENV.webPid] = String(web.pid);
    process.env[ENV.controlUrl] = control.url;
    console.log(`e2e: api ${api.url} (pid ${api.pid}), web ${web.url} (pid ${web.pid})`);
  } catch (error) {
    await stopAllServers();
    throw error;
  }
}
