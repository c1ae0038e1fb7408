/**
 * What the shared api says about itself on `GET /metrics`: how many `/ws` connections it holds
 * open. A test that closes a page can wait until the api has seen that socket close, which
 * starts that session's grace period on the server (a page's close is instant; the api's
 * noticing it is not).
 */
import { expect } from '@playwright/test';
import { ENV, requireEnv } from './env.js';

const WS_CONNECTIONS = /^duplex_ws_connections\{endpoint="\/ws"\}\s+(\d+(?:\.\d+)?)\s*$/m;

/** The api's open `/ws` connections (its `duplex_ws_connections` gauge); 0 before the first. */
export async function openWsConnections(): Promise<number> {
  const response = await fetch(`${requireEnv(ENV.apiUrl)}/metrics`, {
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  expect(response.status, `GET /metrics: ${text.slice(0, 200)}`).toBe(200);
  const match = WS_CONNECTIONS.exec(text);
  return match ? Number(match[1]) : 0;
}

/**
 * Waits until the api holds exactly `count` open `/ws` connections: every socket the test's
 * pages closed has been seen closed by the api, and every page it opened is connected.
 * Only the test's own pages talk to the suite's api, one test at a time.
 */
export async function expectOpenWsConnections(count: number, timeout = 15_000): Promise<void> {
  await expect
    .poll(openWsConnections, { message: 'open /ws connections on the api', timeout })
    .toBe(count);
}
