import { TICKER_PATHS, tickerStats } from '@duplex/protocol';
import { describe, expect, it } from 'vitest';
import { useServer } from './support/api-server.js';
import { SseClient, tickerSearch } from './support/ticker-clients.js';

const WEB_ORIGIN = 'http://localhost:3000';
const { server } = useServer({ ALLOWED_ORIGINS: WEB_ORIGIN });

const stream = { rate: 10, size: 4 };
const url = (path: string) => server().httpUrl(path);

/** Every ticker HTTP endpoint, with a query that is answered at once (200). */
const endpoints = [
  ['poll', url.bind(null, `${TICKER_PATHS.poll}${tickerSearch(stream)}`)],
  ['long poll', url.bind(null, `${TICKER_PATHS.longPoll}${tickerSearch(stream)}`)],
  ['stats', url.bind(null, TICKER_PATHS.stats)],
] as const;

describe('Timing-Allow-Origin on the ticker', () => {
  for (const [name, target] of endpoints) {
    it(`${name}: names an allowed origin, next to CORS`, async () => {
      const response = await fetch(target(), { headers: { Origin: WEB_ORIGIN } });
      expect(response.status).toBe(200);
      expect(response.headers.get('timing-allow-origin')).toBe(WEB_ORIGIN);
      expect(response.headers.get('access-control-allow-origin')).toBe(WEB_ORIGIN);
      await response.body?.cancel();
    });

    it(`${name}: is absent for an origin not allowed, and without an Origin`, async () => {
      const other = await fetch(target(), { headers: { Origin: 'http://evil.test' } });
      expect(other.headers.get('timing-allow-origin')).toBeNull();
      await other.body?.cancel();
      const none = await fetch(target());
      expect(none.headers.get('timing-allow-origin')).toBeNull();
      await none.body?.cancel();
    });
  }

  it('SSE: names an allowed origin on the stream', async () => {
    const sse = await SseClient.open(url(`${TICKER_PATHS.sse}${tickerSearch(stream)}`), {
      Origin: WEB_ORIGIN,
    });
    try {
      expect(sse.status).toBe(200);
      expect(sse.response.headers['timing-allow-origin']).toBe(WEB_ORIGIN);
    } finally {
      await sse.close();
    }
  });

  it('a refused request (400) carries it too', async () => {
    const response = await fetch(url(`${TICKER_PATHS.poll}?rate=0`), {
      headers: { Origin: WEB_ORIGIN },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('timing-allow-origin')).toBe(WEB_ORIGIN);
    await response.body?.cancel();
  });
});

describe('GET /api/ticker/stats serverTime', () => {
  it("is the instance's clock when it answered, in ms since the epoch", async () => {
    const t0 = Date.now();
    const response = await fetch(url(TICKER_PATHS.stats));
    const t1 = Date.now();
    const stats = tickerStats.parse(await response.json());
    // The api runs in this process: one clock, so the answer lies between sending and receiving.
    expect(stats.serverTime).toBeGreaterThanOrEqual(t0);
    expect(stats.serverTime).toBeLessThanOrEqual(t1);
    expect(Number.isInteger(stats.serverTime)).toBe(true);
  });
});
