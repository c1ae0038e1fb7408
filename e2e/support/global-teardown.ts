/**
 * Stops the servers global setup started (SIGTERM, SIGKILL after 5 s), then coturn, and removes
 * the api's data dir.
 */
import { rmSync } from 'node:fs';
import type { ApiControl } from './api-control.js';
import { ENV } from './env.js';
import { stopAllServers, stopPid } from './servers.js';
import type { TurnServer } from './turn.js';

export default async function globalTeardown(): Promise<void> {
  // Servers started in this process are tracked; the pids cover a module loaded twice.
  // The api may have been restarted through global setup's control endpoint since.
  const control = (globalThis as { __duplexApiControl?: ApiControl }).__duplexApiControl;
  const restarted = control?.current()?.pid;
  await control?.close();
  const pids = [process.env[ENV.webPid], process.env[ENV.apiPid], restarted]
    .map((value) => Number(value))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
  await stopAllServers();
  await Promise.all(pids.map((pid) => stopPid(pid)));

  // coturn last: nothing uses it once the api is gone.
  const turn = (globalThis as { __duplexTurn?: TurnServer }).__duplexTurn;
  await turn?.stop();
  const turnPid = Number(process.env[ENV.turnPid]);
  if (Number.isInteger(turnPid) && turnPid > 0 && turnPid !== turn?.pid) await stopPid(turnPid);

  const dataDir = process.env[ENV.apiDataDir];
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
