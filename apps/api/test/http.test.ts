import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/api-server.js';
import { RawClient } from './support/raw-client.js';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});

async function metrics(): Promise<string> {
  const response = await fetch(server.httpUrl('/metrics'));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return response.text();
}

/** The value of one sample, `name{labels} value`; 0 when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      found[pair[1]!] = pair[2]!;
    if (Object.entries(labels).every(([key, value]) => found[key] === value))
      return Number(match[3]);
  }
  return 0;
}

async function until(condition: () => Promise<boolean>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('HTTP', () => {
  it('GET /health → 200', async () => {
    const response = await fetch(server.httpUrl('/health'));
    expect(response.status).toBe(200);
  });

  it('GET /ready → 200', async () => {
    const response = await fetch(server.httpUrl('/ready'));
    expect(response.status).toBe(200);
  });

  it('an unknown path → 404', async () => {
    const response = await fetch(server.httpUrl('/no-such-path'));
    expect(response.status).toBe(404);
  });

  it('GET /metrics is Prometheus text with duplex_ws_connections and duplex_ws_frames_in_total', async () => {
    const before = await metrics();
    expect(before).toContain('# TYPE duplex_ws_connections gauge');
    expect(before).toContain('# TYPE duplex_ws_frames_in_total counter');
    const helloBefore = sample(before, 'duplex_ws_frames_in_total', { event: 'hello' });
    const connectionsBefore = sample(before, 'duplex_ws_connections', { endpoint: '/ws' });

    const client = await RawClient.connect(server.wsUrl('/ws'));
    await client.hello('metered');
    const during = await metrics();
    expect(sample(during, 'duplex_ws_frames_in_total', { event: 'hello' })).toBe(helloBefore + 1);
    expect(sample(during, 'duplex_ws_connections', { endpoint: '/ws' })).toBe(
      connectionsBefore + 1,
    );

    await client.close();
    await until(
      async () =>
        sample(await metrics(), 'duplex_ws_connections', { endpoint: '/ws' }) === connectionsBefore,
    );
  });

  it('duplex_ws_connections counts /ws/echo under its own endpoint', async () => {
    const before = sample(await metrics(), 'duplex_ws_connections', { endpoint: '/ws/echo' });
    const client = await RawClient.connect(server.wsUrl('/ws/echo'));
    await until(
      async () =>
        sample(await metrics(), 'duplex_ws_connections', { endpoint: '/ws/echo' }) === before + 1,
    );
    await client.close();
    await until(
      async () =>
        sample(await metrics(), 'duplex_ws_connections', { endpoint: '/ws/echo' }) === before,
    );
  });

  it('duplex_ws_errors_total{code="bad_json"} increments after a bad frame', async () => {
    const before = sample(await metrics(), 'duplex_ws_errors_total', { code: 'bad_json' });
    const client = await RawClient.connect(server.wsUrl('/ws'));
    client.send('{oops');
    const frame = await client.next();
    expect(frame.data.code).toBe('bad_json');
    expect(sample(await metrics(), 'duplex_ws_errors_total', { code: 'bad_json' })).toBe(
      before + 1,
    );
    await client.close();
  });

  it('duplex_ws_errors_total{code="unauthenticated"} increments for a refused handler frame', async () => {
    const before = sample(await metrics(), 'duplex_ws_errors_total', { code: 'unauthenticated' });
    const client = await RawClient.connect(server.wsUrl('/ws'));
    expect((await client.request('ping', {})).data.code).toBe('unauthenticated');
    expect(sample(await metrics(), 'duplex_ws_errors_total', { code: 'unauthenticated' })).toBe(
      before + 1,
    );
    await client.close();
  });
});
