import { CLIENT_EVENTS, MAX_SERVER_FRAME_BYTES, PROTOCOL_BOUNDS } from '@duplex/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/api-server.js';
import {
  expectError,
  expectErrorWithoutDetails,
  ISO_TIME,
  RawClient,
} from './support/raw-client.js';

let server: TestServer;
const clients: RawClient[] = [];

beforeAll(async () => {
  server = await startServer({ BURST: 100, MESSAGES_PER_SECOND: 50, MAX_TEXT_CHARS: 1234 });
});
afterAll(async () => {
  await server.stop();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function connect(target: TestServer = server): Promise<RawClient> {
  const client = await RawClient.connect(target.wsUrl('/ws'));
  clients.push(client);
  return client;
}

describe('hello ack', () => {
  it('has userId, trimmed name, identity, resume token, resumed false, rooms [], iceServers [], limits from config and an ISO serverTime', async () => {
    const client = await connect();
    const before = Date.now();
    const reply = await client.helloFrame('  Alice  ');
    const after = Date.now();
    expect(reply.event).toBe('ack');
    const ack = reply.data;
    expect(Object.keys(ack).sort()).toEqual([
      'iceServers',
      'identity',
      'limits',
      'name',
      'resume',
      'resumed',
      'rooms',
      'serverTime',
      'userId',
    ]);
    expect(typeof ack.userId).toBe('string');
    expect(ack.userId.length).toBeGreaterThan(0);
    expect(ack.name).toBe('Alice');
    expect(typeof ack.resume).toBe('string');
    expect(ack.resume.length).toBeGreaterThan(0);
    expect(typeof ack.identity).toBe('string');
    expect(ack.identity.length).toBeGreaterThan(0);
    expect([...ack.identity].length).toBeLessThanOrEqual(PROTOCOL_BOUNDS.identityMaxChars);
    expect(ack.resumed).toBe(false);
    expect(ack.rooms).toEqual([]);
    expect(ack.iceServers).toEqual([]);
    expect(ack.limits).toEqual({
      maxFrameBytes: 65536,
      maxServerFrameBytes: MAX_SERVER_FRAME_BYTES,
      messagesPerSecond: 50,
      burst: 100,
      maxTextChars: 1234,
    });
    expect(ack.limits).toEqual(server.config.limits);
    expect(ack.serverTime).toMatch(ISO_TIME);
    const serverTime = Date.parse(ack.serverTime);
    expect(new Date(serverTime).toISOString()).toBe(ack.serverTime);
    expect(serverTime).toBeGreaterThanOrEqual(before - 5);
    expect(serverTime).toBeLessThanOrEqual(after + 5);
    await client.expectUsable();
  });

  it('gives every connection without an identity its own user, identity and token', async () => {
    const a = await connect();
    const b = await connect();
    const ackA = await a.hello('Same');
    const ackB = await b.hello('Same');
    expect(ackA.userId).not.toBe(ackB.userId);
    expect(ackA.identity).not.toBe(ackB.identity);
    expect(ackA.resume).not.toBe(ackB.resume);
  });

  it('ping acks with an ISO serverTime', async () => {
    const client = await connect();
    await client.hello('pinger');
    const reply = await client.request('ping', {});
    expect(reply.event).toBe('ack');
    expect(Object.keys(reply.data)).toEqual(['serverTime']);
    expect(reply.data.serverTime).toMatch(ISO_TIME);
  });

  it.each([
    ['a tab before and after', '\tBob\t', 'Bob'],
    ['a 32-code-point name of emoji', '😀'.repeat(32), '😀'.repeat(32)],
    ['32 characters with surrounding spaces', `  ${'n'.repeat(32)}  `, 'n'.repeat(32)],
    ['inner spaces', ' Ann  Lee ', 'Ann  Lee'],
  ])('accepts %s and returns it trimmed', async (_, name, expected) => {
    const client = await connect();
    const ack = await client.hello(name);
    expect(ack.name).toBe(expected);
  });
});

describe('before hello', () => {
  const others = CLIENT_EVENTS.filter((event) => event !== 'hello');

  it('the protocol has events besides hello', () => {
    expect(others).toContain('ping');
    expect(others.length).toBeGreaterThan(2);
  });

  it.each(others)('%s → unauthenticated', async (event) => {
    const client = await connect();
    client.send({ event, data: {}, id: `pre-${event}` });
    expectError(await client.next(), 'unauthenticated', { id: `pre-${event}` });
    await client.expectUsable();
  });
});

describe('bad hello', () => {
  it.each([
    ['empty after trimming', '   '],
    ['empty', ''],
    ['33 code points', '😀'.repeat(33)],
    ['33 ASCII characters', 'a'.repeat(33)],
    ['a control character', 'Al\u0007ice'],
    ['a tab inside', 'Al\tice'],
    ['a C1 control character', 'Al\u0085ice'],
    ['DEL', 'Al\u007fice'],
    ['a number', 42],
    ['null', null],
  ])(
    'name %s → bad_message ["name"], connection stays open, a later hello succeeds',
    async (_, name) => {
      const client = await connect();
      const reply = await client.request('hello', { protocol: 1, name });
      expectError(reply, 'bad_message', { fields: ['name'], id: reply.id });
      expect(client.isOpen).toBe(true);
      // Still unauthenticated.
      expectError(await client.request('ping', {}), 'unauthenticated');
      const ack = await client.hello('Recovered');
      expect(ack.name).toBe('Recovered');
      await client.expectUsable();
    },
  );

  it('missing name → bad_message ["name"]', async () => {
    const client = await connect();
    expectError(await client.request('hello', { protocol: 1 }), 'bad_message', {
      fields: ['name'],
    });
    await client.expectUsable();
  });

  it('an empty resume → bad_message ["resume"]', async () => {
    const client = await connect();
    expectError(
      await client.request('hello', { protocol: 1, name: 'x', resume: '' }),
      'bad_message',
      {
        fields: ['resume'],
      },
    );
    await client.expectUsable();
  });

  it('second hello on an authenticated connection → bad_message without details, session unchanged', async () => {
    const client = await connect();
    const first = await client.hello('First');
    const reply = await client.request('hello', { protocol: 1, name: 'Second' });
    expectErrorWithoutDetails(reply, 'bad_message', { id: reply.id });
    await client.expectUsable();
    // The session is the first one: its token still resumes after this connection closes.
    await client.close();
    const again = await connect();
    const resumed = await again.hello('ignored', { resume: first.resume });
    expect(resumed.userId).toBe(first.userId);
    expect(resumed.name).toBe('First');
  });

  it.each([
    ['invalid data', { protocol: 1, name: '' }],
    ['protocol 2', { protocol: 2, name: 'x' }],
    ['protocol "1"', { protocol: '1', name: 'x' }],
    ['data missing everything', {}],
  ])(
    'second hello with %s → bad_message without details (checked first), connection stays open',
    async (_, data) => {
      const client = await connect();
      await client.hello('First');
      const reply = await client.request('hello', data);
      expectErrorWithoutDetails(reply, 'bad_message', { id: reply.id });
      await client.expectNothingBeforePing();
      await client.expectUsable();
    },
  );

  it('protocol 2 → unsupported_protocol (no details), then close 4002', async () => {
    const client = await connect();
    client.send({ event: 'hello', data: { protocol: 2, name: 'Old' }, id: 'v2' });
    expectError(await client.next(), 'unsupported_protocol', { id: 'v2' });
    const closed = await client.waitClosed();
    expect(closed.code).toBe(4002);
  });

  it('protocol 0 without id → unsupported_protocol without id, then close 4002', async () => {
    const client = await connect();
    client.send({ event: 'hello', data: { protocol: 0, name: 'Old' } });
    expectError(await client.next(), 'unsupported_protocol', { id: null });
    expect((await client.waitClosed()).code).toBe(4002);
  });

  it('protocol 2 with an invalid name → unsupported_protocol (protocol is checked before name)', async () => {
    const client = await connect();
    client.send({ event: 'hello', data: { protocol: 2, name: '' }, id: 'v2bad' });
    expectError(await client.next(), 'unsupported_protocol', { id: 'v2bad' });
    expect((await client.waitClosed()).code).toBe(4002);
  });

  it.each([
    ['"1"', '1'],
    ['1.5', 1.5],
    ['null', null],
    ['true', true],
  ])('protocol %s → bad_message ["protocol"], connection stays open', async (_, protocol) => {
    const client = await connect();
    const reply = await client.request('hello', { protocol, name: 'x' });
    expectError(reply, 'bad_message', { fields: ['protocol'], id: reply.id });
    await client.expectNothingBeforePing();
    await client.expectUsable();
  });

  it('missing protocol → bad_message ["protocol"]', async () => {
    const client = await connect();
    expectError(await client.request('hello', { name: 'x' }), 'bad_message', {
      fields: ['protocol'],
    });
    await client.expectUsable();
  });

  it('protocol "1" and a bad name → both fields', async () => {
    const client = await connect();
    expectError(await client.request('hello', { protocol: '1', name: ' ' }), 'bad_message', {
      fields: ['protocol', 'name'],
    });
    await client.expectUsable();
  });
});

describe('hello timeout', () => {
  const HELLO_TIMEOUT_MS = 600;
  let timed: TestServer;

  beforeAll(async () => {
    timed = await startServer({ HELLO_TIMEOUT_MS });
  });
  afterAll(async () => {
    await timed.stop();
  });

  it('closes 4001 when no hello arrives in time', async () => {
    const started = Date.now();
    const client = await connect(timed);
    const closed = await client.waitClosed(HELLO_TIMEOUT_MS + 2000);
    const elapsed = Date.now() - started;
    expect(closed.code).toBe(4001);
    expect(elapsed).toBeGreaterThanOrEqual(HELLO_TIMEOUT_MS - 50);
  });

  it('a failed hello does not restart the timer', async () => {
    const started = Date.now();
    const client = await connect(timed);
    // Fail a hello at half the timeout; a restarted timer would close at 150%.
    await new Promise((resolve) => setTimeout(resolve, HELLO_TIMEOUT_MS * 0.5));
    const reply = await client.request('hello', { protocol: 1, name: '' });
    expectError(reply, 'bad_message', { fields: ['name'] });
    const closed = await client.waitClosed(HELLO_TIMEOUT_MS * 3);
    const elapsed = Date.now() - started;
    expect(closed.code).toBe(4001);
    expect(elapsed).toBeLessThan(HELLO_TIMEOUT_MS * 1.3);
  });

  it('frames other than hello do not stop the timer', async () => {
    const client = await connect(timed);
    expectError(await client.request('ping', {}), 'unauthenticated');
    expect((await client.waitClosed(HELLO_TIMEOUT_MS + 2000)).code).toBe(4001);
  });

  it('a successful hello prevents the 4001', async () => {
    const client = await connect(timed);
    await client.hello('InTime');
    // Past the moment the timer would have fired; the ping's ack proves nothing came before it.
    await new Promise((resolve) => setTimeout(resolve, HELLO_TIMEOUT_MS + 300));
    expect(client.isOpen).toBe(true);
    await client.expectNothingBeforePing();
  });
});
