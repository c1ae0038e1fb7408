/**
 * Starts coturn (for relay-only calls), then the api and the web production builds on free
 * loopback ports, and exports their URLs (see ./env.ts) for the specs. ./global-teardown.ts
 * stops them.
 *
 * The api gets the coturn's URLs and shared secret (TURN_URLS, TURN_SECRET), so it hands every
 * browser TURN REST credentials for it; api restarts through ./api-control.ts keep them. When
 * coturn is missing the suite still runs without TURN, and DUPLEX_TURN_UNAVAILABLE says why:
 * the relay spec fails with that message, the others do not need TURN.
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
import {
  startTurnServer,
  turnServerAvailable,
  turnServerMissingMessage,
  type TurnServer,
} from './turn.js';

/**
 * The api's resume grace for the whole suite (its default is 5000 ms). Shorter, so that a call
 * whose peer vanished ends with `peer_disconnected` sooner; still long enough for a dropped
 * socket to resume (chat-recovery covers both resuming and starting afresh).
 */
export const E2E_RESUME_GRACE_MS = 3_000;

export default async function globalSetup(): Promise<void> {
  assertBuildsExist();

  const apiPort = await findFreePort();
  let webPort = await findFreePort();
  while (webPort === apiPort) webPort = await findFreePort();
  const webUrl = `http://${LOOPBACK}:${webPort}`;

  // coturn first: the api needs its URLs and secret at start-up.
  let turn: TurnServer | null = null;
  let turnProblem: string | null = null;
  if (!turnServerAvailable()) turnProblem = turnServerMissingMessage();
  else {
    try {
      turn = await startTurnServer();
    } catch (error) {
      turnProblem = error instanceof Error ? error.message : String(error);
    }
  }
  if (turn) {
    (globalThis as { __duplexTurn?: TurnServer }).__duplexTurn = turn;
    process.env[ENV.turnUrls] = turn.urls.join(',');
    process.env[ENV.turnPort] = String(turn.port);
    process.env[ENV.turnPid] = String(turn.pid);
    delete process.env[ENV.turnUnavailable];
  } else {
    process.env[ENV.turnUnavailable] = turnProblem ?? 'coturn did not start';
    console.warn(`e2e: no TURN server, the relay-only call spec will fail: ${turnProblem}`);
  }

  const apiEnv: Record<string, string> = {
    RESUME_GRACE_MS: String(E2E_RESUME_GRACE_MS),
    // Every browser of the suite reads history from 127.0.0.1: one address, many people.
    HTTP_READ_BURST: '100000',
    ...(turn && { TURN_URLS: turn.urls.join(','), TURN_SECRET: turn.secret }),
  };

  // Owned by setup (not by startApi) so a spec can restart the api on the same data.
  const apiDataDir = mkdtempSync(join(tmpdir(), 'duplex-e2e-api-'));
  try {
    const apiOptions = {
      port: apiPort,
      allowedOrigins: [webUrl],
      dataDir: apiDataDir,
      env: apiEnv,
    };
    const api = await startApi(apiOptions);
    const web = await startWeb({ port: webPort, apiUrl: api.url });
    // Specs restart the api through this (support/shared-api.ts), so it stays this process's child.
    const control = await startApiControl(api, apiOptions);
    (globalThis as { __duplexApiControl?: ApiControl }).__duplexApiControl = control;

    process.env[ENV.apiUrl] = api.url;
    process.env[ENV.apiPort] = String(apiPort);
    process.env[ENV.apiPid] = String(api.pid);
    process.env[ENV.apiDataDir] = apiDataDir;
    process.env[ENV.webUrl] = web.url;
    process.env[ENV.webPid] = String(web.pid);
    process.env[ENV.controlUrl] = control.url;
    process.env[ENV.resumeGraceMs] = String(E2E_RESUME_GRACE_MS);
    console.log(
      `e2e: api ${api.url} (pid ${api.pid}), web ${web.url} (pid ${web.pid})` +
        (turn ? `, coturn ${LOOPBACK}:${turn.port} (pid ${turn.pid})` : ', no coturn'),
    );
  } catch (error) {
    await stopAllServers();
    await turn?.stop();
    throw error;
  }
}
