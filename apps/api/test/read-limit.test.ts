import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/api-server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

const get = (path: string, forwardedFor?: string) =>
  fetch(server!.httpUrl(path), {
    headers: forwardedFor === undefined ? {} : { 'X-Forwarded-For': forwardedFor },
  });

describe('history and member reads are limited per client address', () => {
  it('answers 429 with a rate_limited body and Retry-After past the burst', async () => {
    server = await startServer({ HTTP_READ_BURST: 3, HTTP_READS_PER_SECOND: 0.1 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get('/api/rooms/lobby/messages')).status);
    expect(statuses).toEqual([200, 200, 200]);
    const refused = await get('/api/rooms/lobby/members');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({
      code: 'rate_limited',
      message: expect.any(String),
    });
    // Health and readiness are not history reads.
    expect((await get('/health')).status).toBe(200);
  });

  it('tells clients behind a trusted proxy apart by X-Forwarded-For', async () => {
    server = await startServer({
      HTTP_READ_BURST: 2,
      HTTP_READS_PER_SECOND: 0.1,
      TRUST_PROXY: 'loopback',
    });
    for (let i = 0; i < 2; i++) expect((await get('/api/rooms', '203.0.113.1')).status).toBe(200);
    expect((await get('/api/rooms', '203.0.113.1')).status).toBe(429);
    expect((await get('/api/rooms', '203.0.113.2')).status).toBe(200);
  });

  it('ignores X-Forwarded-For unless a proxy is trusted, so a client cannot pick its bucket', async () => {
    server = await startServer({ HTTP_READ_BURST: 2, HTTP_READS_PER_SECOND: 0.1 });
    expect((await get('/api/rooms', '203.0.113.1')).status).toBe(200);
    expect((await get('/api/rooms', '203.0.113.2')).status).toBe(200);
    expect((await get('/api/rooms', '203.0.113.3')).status).toBe(429);
  });
});
