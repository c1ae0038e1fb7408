import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { HTTP_BAD_REQUEST, PROTOCOL_BOUNDS, schemas } from '@duplex/protocol';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { HTTP_SERVER_TIMEOUTS, type HttpServerTimeouts } from '../src/http/server-timeouts.js';
import { MESSAGE_STORE, type MessageStore } from '../src/storage/message-store.js';
import { useServer, type TestServer } from './support/api-server.js';
import { uniqueRoom } from './support/chat-helpers.js';
import { RawClient, withTimeout } from './support/raw-client.js';

const { server, closeAfterTest } = useServer({ BURST: 1_000, MESSAGES_PER_SECOND: 1_000 });

interface JsonResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

async function getJson(path: string, on: TestServer = server()): Promise<JsonResponse> {
  const response = await fetch(on.httpUrl(path));
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: the assertions on `body` say so
  }
  return { status: response.status, headers: response.headers, body };
}

/** A 400 with exactly `{code: "bad_request", message}` as its JSON body. */
function expectBadRequest(response: JsonResponse): void {
  expect(response.status, JSON.stringify(response.body).slice(0, 200)).toBe(400);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(Object.keys(response.body as object).sort()).toEqual(['code', 'message']);
  expect(schemas.httpError.parse(response.body).code).toBe(HTTP_BAD_REQUEST);
  expect((response.body as { message: string }).message.length).toBeGreaterThan(0);
}

/** Metrics are per instance: the metric tests meter the first one, and connect to it. */
const metered = () => server().instances[0]!;

async function metrics(): Promise<string> {
  const response = await fetch(metered().httpUrl('/metrics'));
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
    const response = await fetch(server().httpUrl('/health'));
    expect(response.status).toBe(200);
  });

  it('GET /ready → 200', async () => {
    const response = await fetch(server().httpUrl('/ready'));
    expect(response.status).toBe(200);
  });

  it('an unknown path → 404', async () => {
    const response = await fetch(server().httpUrl('/no-such-path'));
    expect(response.status).toBe(404);
  });

  it('GET /metrics is Prometheus text with duplex_ws_connections and duplex_ws_frames_in_total', async () => {
    const before = await metrics();
    expect(before).toContain('# TYPE duplex_ws_connections gauge');
    expect(before).toContain('# TYPE duplex_ws_frames_in_total counter');
    const helloBefore = sample(before, 'duplex_ws_frames_in_total', { event: 'hello' });
    const connectionsBefore = sample(before, 'duplex_ws_connections', { endpoint: '/ws' });

    const client = await RawClient.connect(metered().wsUrl('/ws'));
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
    const client = await RawClient.connect(metered().wsUrl('/ws/echo'));
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
    const client = await RawClient.connect(metered().wsUrl('/ws'));
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
    const client = await RawClient.connect(server().wsUrl('/ws'));
    expect((await client.request('ping', {})).data.code).toBe('unauthenticated');
    expect(sample(await metrics(), 'duplex_ws_errors_total', { code: 'unauthenticated' })).toBe(
      before + 1,
    );
    await client.close();
  });
});

describe('GET /api/rooms/:room/messages', () => {
  const COUNT = 205;
  const PAGE = PROTOCOL_BOUNDS.historyPageSize; // 50
  const MAX = PROTOCOL_BOUNDS.httpHistoryMaxLimit; // 200
  const room = uniqueRoom('paging');

  beforeAll(async () => {
    // Seeded straight into the store: 205 messages over the socket would be slow.
    const store = server().app.get<MessageStore>(MESSAGE_STORE);
    const from = { userId: 'seeder', name: 'Seeder' };
    await store.appendBatch(
      room,
      Array.from({ length: COUNT }, (_, i) => ({
        room,
        clientId: `seed-${i + 1}`,
        from,
        text: `message ${i + 1}`,
        ts: new Date().toISOString(),
      })),
    );
  });

  async function seqs(query: string): Promise<number[]> {
    const response = await getJson(`/api/rooms/${room}/messages${query}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const messages = schemas.chatMessageList.parse(response.body);
    return messages.map((message) => message.seq);
  }

  const range = (first: number, last: number) =>
    Array.from({ length: last - first + 1 }, (_, i) => first + i);

  it('without parameters: the latest 50, increasing seq', async () => {
    expect(await seqs('')).toEqual(range(COUNT - PAGE + 1, COUNT));
  });

  it.each([
    ['?before=10&limit=3', range(7, 9)],
    ['?before=1', []],
    ['?before=2&limit=5', [1]],
    ['?before=0010&limit=3', range(7, 9)],
    ['?limit=1', [COUNT]],
    ['?limit=200', range(COUNT - MAX + 1, COUNT)],
    ['?limit=201', range(COUNT - MAX + 1, COUNT)],
  ])('%s', async (query, expected) => {
    expect(await seqs(query)).toEqual(expected);
  });

  it.each([
    ['?before=2147483647', 'the largest seq there can be'],
    ['?before=2147483648', 'past the largest seq there can be'],
    ['?before=99999999999999999999999999999999999999', 'a huge number'],
  ])('%s (%s) means the newest', async (query) => {
    expect(await seqs(query)).toEqual(range(COUNT - PAGE + 1, COUNT));
  });

  it('a huge limit is clamped to 200', async () => {
    expect(await seqs('?limit=100000000000000000000000000000')).toEqual(
      range(COUNT - MAX + 1, COUNT),
    );
    expect(await seqs('?before=100&limit=99999999999999999999')).toEqual(range(1, 99));
  });

  it.each([
    ['?after=0&limit=3', range(1, 3)],
    ['?after=3&limit=3', range(4, 6)],
    ['?after=0', range(1, PAGE)],
    ['?after=100&limit=100000000000000000000', range(101, COUNT)],
    [`?after=${COUNT - 2}`, [COUNT - 1, COUNT]],
    [`?after=${COUNT}`, []],
    ['?after=2147483646', []],
    ['?after=2147483647', []],
    ['?after=99999999999999999999999999999999999999', []],
  ])('forward paging: %s', async (query, expected) => {
    expect(await seqs(query)).toEqual(expected);
  });

  it('forward paging walks the whole history exactly once', async () => {
    const seen: number[] = [];
    let after = 0;
    for (;;) {
      const page = await seqs(`?after=${after}&limit=60`);
      if (page.length === 0) break;
      seen.push(...page);
      after = page.at(-1)!;
    }
    expect(seen).toEqual(range(1, COUNT));
  });

  it('an unknown room → []', async () => {
    expect((await getJson('/api/rooms/no-such-room-here/messages')).body).toEqual([]);
  });

  it.each([
    '?before=0',
    '?before=-1',
    '?before=abc',
    '?before=1.5',
    '?before=1e3',
    '?before=',
    '?before=%201',
    '?before=0x10',
    '?limit=0',
    '?limit=-5',
    '?limit=ten',
    '?limit=',
    '?after=-1',
    '?after=1.5',
    '?after=',
    '?before=5&after=1',
    '?before=1&before=2',
    '?limit=1&limit=2',
    '?after=1&after=2',
  ])('%s → 400 bad_request', async (query) => {
    expectBadRequest(await getJson(`/api/rooms/${room}/messages${query}`));
  });

  it.each(['Bad_Room', 'UPPER', '-lead', 'a'.repeat(41), '%E2%82%AC', 'a%20b', 'a%E0%A4%A', '%00'])(
    'room %s → 400 bad_request',
    async (badRoom) => {
      expectBadRequest(await getJson(`/api/rooms/${badRoom}/messages`));
    },
  );
});

describe('every 400 has the body {code: "bad_request", message}', () => {
  it('a request body that is not JSON', async () => {
    const response = await fetch(server().httpUrl('/api/rooms'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    const text = await response.text();
    expectBadRequest({
      status: response.status,
      headers: response.headers,
      body: JSON.parse(text),
    });
  });
});

describe('GET /api/rooms/:room/members', () => {
  const room = uniqueRoom('members');
  const names = ['Ann', 'Bob', 'Cy', 'Dee', 'Eve'];
  let users: { userId: string; name: string }[];

  beforeAll(async () => {
    users = [];
    for (const name of names) {
      const client = await RawClient.connect(server().wsUrl());
      const ack = await client.hello(name);
      expect((await client.request('room.join', { room })).event).toBe('ack');
      users.push({ userId: ack.userId, name: ack.name });
      membersClients.push(client);
    }
    users.sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));
  });
  const membersClients: RawClient[] = [];
  afterAll(async () => {
    await Promise.all(membersClients.map((client) => client.close()));
  });

  async function page(query: string): Promise<{ online: number; members: unknown[] }> {
    const response = await getJson(`/api/rooms/${room}/members${query}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return schemas.membersPage.parse(response.body);
  }

  it('lists every member, ordered by userId, with the online count', async () => {
    expect(await page('')).toEqual({ online: names.length, members: users });
  });

  it('pages with after and limit', async () => {
    expect(await page('?limit=2')).toEqual({ online: 5, members: users.slice(0, 2) });
    const after = encodeURIComponent(users[1]!.userId);
    expect(await page(`?after=${after}&limit=2`)).toEqual({
      online: 5,
      members: users.slice(2, 4),
    });
    const afterFourth = encodeURIComponent(users[3]!.userId);
    expect(await page(`?after=${afterFourth}&limit=2`)).toEqual({
      online: 5,
      members: users.slice(4),
    });
    const afterLast = encodeURIComponent(users[4]!.userId);
    expect(await page(`?after=${afterLast}`)).toEqual({ online: 5, members: [] });
  });

  it('a huge limit is clamped, not refused', async () => {
    expect(await page('?limit=99999999999999999999999')).toEqual({ online: 5, members: users });
  });

  it('a user with two sessions in the room is one member', async () => {
    const otherRoom = uniqueRoom('members');
    const first = closeAfterTest(await RawClient.connect(server().wsUrl()));
    const second = closeAfterTest(await RawClient.connect(server().wsUrl()));
    const ack = await first.hello('Twin');
    const again = await second.hello('Twin', { identity: ack.identity });
    expect(again.userId).toBe(ack.userId);
    for (const client of [first, second]) {
      expect((await client.request('room.join', { room: otherRoom })).event).toBe('ack');
    }
    const response = await getJson(`/api/rooms/${otherRoom}/members`);
    expect(response.body).toEqual({ online: 1, members: [{ userId: ack.userId, name: 'Twin' }] });
  });

  it('an unknown room → {online: 0, members: []}', async () => {
    expect((await getJson('/api/rooms/nobody-here/members')).body).toEqual({
      online: 0,
      members: [],
    });
  });

  it.each([
    '?limit=0',
    '?limit=-1',
    '?limit=abc',
    '?limit=',
    '?limit=1&limit=2',
    '?after=a&after=b',
  ])('%s → 400 bad_request', async (query) => {
    expectBadRequest(await getJson(`/api/rooms/${room}/members${query}`));
  });

  it('a bad room → 400 bad_request', async () => {
    expectBadRequest(await getJson('/api/rooms/Not_A_Room/members'));
  });
});

describe('hardening', () => {
  it.each(['/health', '/no-such-path', '/api/rooms/BAD/messages'])(
    'no X-Powered-By header (%s)',
    async (path) => {
      const response = await fetch(server().httpUrl(path));
      await response.arrayBuffer();
      expect(response.headers.has('x-powered-by')).toBe(false);
    },
  );

  it('the server gives up on slow requests: headers within 10 s, the whole request within 30 s', () => {
    const http = server().app.getHttpServer() as Server;
    expect(http.headersTimeout).toBe(HTTP_SERVER_TIMEOUTS.headersTimeoutMs);
    expect(http.requestTimeout).toBe(HTTP_SERVER_TIMEOUTS.requestTimeoutMs);
    expect(HTTP_SERVER_TIMEOUTS.headersTimeoutMs).toBeLessThanOrEqual(10_000);
    expect(HTTP_SERVER_TIMEOUTS.requestTimeoutMs).toBeLessThanOrEqual(30_000);
  });

  describe('with short timeouts', () => {
    const TIMEOUTS: HttpServerTimeouts = {
      headersTimeoutMs: 500,
      requestTimeoutMs: 1_000,
      checkIntervalMs: 100,
    };
    const logLines: { level: number; msg: string; code?: string }[] = [];
    let app: INestApplication;
    let port: number;
    let dataDir: string;

    beforeAll(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'duplex-http-test-'));
      const config = loadConfig({ DATA_DIR: dataDir, MAX_FRAME_BYTES: 1024, LOG_LEVEL: 'info' });
      const logger = pino(
        { level: 'info' },
        { write: (line: string) => void logLines.push(JSON.parse(line)) },
      );
      app = await createApp(config, logger, TIMEOUTS);
      await app.listen(0, '127.0.0.1');
      port = (app.getHttpServer().address() as AddressInfo).port;
    });
    afterAll(async () => {
      await app.close();
      await rm(dataDir, { recursive: true, force: true });
    });

    it('a request whose headers never finish is answered 408 and closed within the headers timeout', async () => {
      const socket = netConnect(port, '127.0.0.1');
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString('latin1')));
      const started = Date.now();
      socket.write('GET /health HT');
      await withTimeout(
        new Promise((resolve) => socket.once('close', resolve)),
        TIMEOUTS.headersTimeoutMs + TIMEOUTS.checkIntervalMs + 1_000,
        'the server to close the socket',
      );
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(TIMEOUTS.headersTimeoutMs - 50);
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
    });

    it('a WebSocket outlives the request timeout (on /ws and /ws/echo)', async () => {
      const client = closeAfterTest(await RawClient.connect(`ws://127.0.0.1:${port}/ws`));
      const echo = closeAfterTest(await RawClient.connect(`ws://127.0.0.1:${port}/ws/echo`));
      await client.hello('long-lived');
      await new Promise((resolve) => setTimeout(resolve, TIMEOUTS.requestTimeoutMs * 2));
      await client.expectUsable();
      echo.send('still here');
      expect((await echo.nextRaw()).data.toString()).toBe('still here');
    });

    it('a frame over maxFrameBytes (close 1009) is logged as a warning, not an error', async () => {
      const client = closeAfterTest(await RawClient.connect(`ws://127.0.0.1:${port}/ws`));
      const errorsBefore = logLines.filter((line) => line.level >= 50).length;
      client.send('x'.repeat(2_000));
      expect((await client.waitClosed()).code).toBe(1009);
      const warning = logLines.find((line) => line.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH');
      expect(warning?.level).toBe(40);
      expect(logLines.filter((line) => line.level >= 50)).toHaveLength(errorsBefore);
    });
  });
});
