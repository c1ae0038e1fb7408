/**
 * Stop and restart the api that global setup started, on the same port and data directory, so
 * the web app (whose DUPLEX_API_URL is fixed) keeps pointing at it. For specs that test
 * reconnection across an api restart. The restarted api is a child of the worker; servers.ts
 * kills it when the worker exits, and global teardown stops it if its pid is still exported.
 */
import { ENV, requireEnv } from './env.js';
import { startApi, stopPid, type RunningServer } from './servers.js';

export async function stopSharedApi(): Promise<void> {
  await stopPid(Number(requireEnv(ENV.apiPid)));
}

export async function startSharedApi(env: Record<string, string> = {}): Promise<RunningServer> {
  const api = await startApi({
    port: Number(requireEnv(ENV.apiPort)),
    allowedOrigins: [requireEnv(ENV.webUrl)],
    dataDir: requireEnv(ENV.apiDataDir),
    env,
  });
  process.env[ENV.apiPid] = String(api.pid);
  return api;
}

export async function restartSharedApi(env: Record<string, string> = {}): Promise<RunningServer> {
  await stopSharedApi();
  return startSharedApi(env);
}
