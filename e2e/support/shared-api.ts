/**
 * Stop and restart the api that global setup started, on the same port and data directory, so
 * the web app (whose DUPLEX_API_URL is fixed) keeps pointing at it. For specs that test
 * reconnection across an api restart.
 *
 * The api is always started by the Playwright runner process (global setup), never by a
 * worker: these functions ask global setup's control endpoint (./api-control.ts) to stop or
 * start it. A worker's children die with the worker, and Playwright starts a new worker after
 * every failed test and for every --repeat-each index: an api restarted by a worker would be gone
 * for every test after it. Global teardown stops whichever api is running at the end.
 */
import { ENV, requireEnv } from './env.js';

export interface SharedApiInfo {
  readonly url: string;
  readonly pid: number;
}

async function control(path: string, body: unknown = {}): Promise<SharedApiInfo | null> {
  const response = await fetch(`${requireEnv(ENV.controlUrl)}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(90_000),
  });
  const text = await response.text();
  if (!response.ok)
    throw new Error(`e2e: api control ${path} answered ${response.status}: ${text}`);
  const info = JSON.parse(text) as SharedApiInfo | null;
  if (info) process.env[ENV.apiPid] = String(info.pid);
  return info;
}

/** Stops the shared api (SIGTERM, SIGKILL after 5 s); resolves once it has exited. */
export async function stopSharedApi(): Promise<void> {
  await control('/api/stop');
}

/** Starts the shared api again (same port, same data dir); resolves once /health answers. */
export async function startSharedApi(env: Record<string, string> = {}): Promise<SharedApiInfo> {
  const info = await control('/api/start', { env });
  if (!info) throw new Error('e2e: api control /api/start returned no api');
  return info;
}

export async function restartSharedApi(env: Record<string, string> = {}): Promise<SharedApiInfo> {
  await stopSharedApi();
  return startSharedApi(env);
}
