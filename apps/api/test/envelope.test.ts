import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/api-server.js';
import { expectError, expectErrorWithoutDetails, RawClient } from './support/raw-client.js';

let server: TestServer;
const clients: RawClient[] = [];

beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  await server.stop();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function connect(): Promise<RawClient> {
  const client = await RawClient.connect(server.wsUrl('/ws'));
  clients.push(client);
  return client;
}

async function authenticated(): Promise<RawClient> {
  const client = await connect();
  await client.hello('envelope');
  return client;
}

describe('JSON', () => {
  it.each([
    ['not JSON', '{"event": "ping", '],
    ['plain text', 'hello'],
    ['a JSON array', '[{"event":"ping","data":{},"id":"1"}]'],
    ['a JSON number', '42'],
    ['JSON null', 'null'],
    ['a JSON string', '"ping"'],
    ['JSON true', 'true'],
  ])('%s → bad_json without id, connection stays usable', async (_, text) => {
    const client = await authenticated();
    client.send(text);
    const frame = await client.next();
    expectError(frame, 'bad_json', { id: null });
    await client.expectUsable();
  });

  it('bad_json comes before the session check (before hello)', async () => {
    const client = await connect();
    client.send('not json');
    expectError(await client.next(), 'bad_json', { id: null });
    await client.expectUsable();
  });
});

describe('envelope', () => {
  it.each([
    ['missing data', { event: 'ping' }, ['data']],
    ['data an array', { event: 'ping', data: [] }, ['data']],
    ['data null', { event: 'ping', data: null }, ['data']],
    ['data a number', { event: 'ping', data: 1 }, ['data']],
    ['data a string', { event: 'ping', data: '{}' }, ['data']],
    ['missing event', { data: {} }, ['event']],
    ['event a number', { event: 1, data: {} }, ['event']],
    ['event empty', { event: '', data: {} }, ['event']],
  ])('%s → bad_message fields %j, no id', async (_, frame, fields) => {
    const client = await authenticated();
    client.send(frame);
    expectError(await client.next(), 'bad_message', { fields, id: null });
    await client.expectUsable();
  });

  it.each([
    ['a number', 7],
    ['null', null],
    ['empty', ''],
    ['65 characters', 'x'.repeat(65)],
    ['65 code points (emoji)', '😀'.repeat(65)],
    ['an object', { id: '1' }],
  ])('id %s → bad_message fields ["id"], answered without id', async (_, id) => {
    const client = await authenticated();
    client.send({ event: 'ping', data: {}, id });
    expectError(await client.next(), 'bad_message', { fields: ['id'], id: null });
    await client.expectUsable();
  });

  it('id of 64 characters is valid and echoed', async () => {
    const client = await authenticated();
    const id = 'i'.repeat(64);
    client.send({ event: 'ping', data: {}, id });
    const reply = await client.next();
    expect(reply.event).toBe('ack');
    expect(reply.id).toBe(id);
  });

  it('id of 64 code points (128 UTF-16 units) is valid: lengths count code points', async () => {
    const client = await authenticated();
    const id = '😀'.repeat(64);
    client.send({ event: 'ping', data: {}, id });
    const reply = await client.next();
    expect(reply.event).toBe('ack');
    expect(reply.id).toBe(id);
  });

  it('a valid id on a frame whose data is bad is echoed in the error', async () => {
    const client = await authenticated();
    client.send({ event: 'ping', data: [], id: 'bad-data-1' });
    expectError(await client.next(), 'bad_message', { fields: ['data'], id: 'bad-data-1' });
    client.send({ event: 'ping', id: 'bad-data-2' });
    expectError(await client.next(), 'bad_message', { fields: ['data'], id: 'bad-data-2' });
    await client.expectUsable();
  });

  it('a bad id and bad data name both fields', async () => {
    const client = await authenticated();
    client.send({ event: 'ping', data: null, id: 3 });
    expectError(await client.next(), 'bad_message', { fields: ['data', 'id'], id: null });
    await client.expectUsable();
  });

  it('a valid id on a frame whose event is missing is echoed', async () => {
    const client = await authenticated();
    client.send({ data: {}, id: 'no-event' });
    expectError(await client.next(), 'bad_message', { fields: ['event'], id: 'no-event' });
    await client.expectUsable();
  });
});

describe('event name', () => {
  it('unknown event → unknown_event with the id', async () => {
    const client = await authenticated();
    client.send({ event: 'no.such.event', data: {}, id: 'u1' });
    expectError(await client.next(), 'unknown_event', { id: 'u1' });
    await client.expectUsable();
  });

  it('unknown event without id → unknown_event without id', async () => {
    const client = await authenticated();
    client.send({ event: 'no.such.event', data: {} });
    expectError(await client.next(), 'unknown_event', { id: null });
    await client.expectUsable();
  });

  it.each(['toString', '__proto__', 'constructor', 'ack', 'error', 'chat.message'])(
    '%s (not a client event) → unknown_event',
    async (event) => {
      const client = await authenticated();
      client.send({ event, data: {}, id: 'proto' });
      expectError(await client.next(), 'unknown_event', { id: 'proto' });
      await client.expectUsable();
    },
  );
});

describe('replies', () => {
  it('a successful frame without id gets no reply', async () => {
    const client = await authenticated();
    client.send({ event: 'ping', data: {} });
    await client.expectNothingBeforePing();
  });

  it('a successful hello without id gets no reply but authenticates', async () => {
    const client = await connect();
    client.send({ event: 'hello', data: { protocol: 1, name: 'silent' } });
    // The barrier ping is acked (not unauthenticated), and nothing came before its ack.
    await client.expectNothingBeforePing();
  });

  it('a failed frame without id still gets an error frame without id', async () => {
    const client = await connect();
    client.send({ event: 'ping', data: {} });
    expectError(await client.next(), 'unauthenticated', { id: null });
    await client.expectUsable();
  });

  it('the ack carries the same id and is the only reply', async () => {
    const client = await authenticated();
    client.send({ event: 'ping', data: {}, id: 'once' });
    const reply = await client.next();
    expect(reply).toMatchObject({ event: 'ack', id: 'once' });
    await client.expectNothingBeforePing();
  });
});

describe('binary frames on /ws', () => {
  it('a binary frame → bad_message without details (no field is at fault), connection stays usable', async () => {
    const client = await authenticated();
    client.send(Buffer.from(JSON.stringify({ event: 'ping', data: {}, id: 'bin' })));
    const frame = await client.next();
    expectErrorWithoutDetails(frame, 'bad_message', { id: null });
    await client.expectUsable();
  });

  it('a binary frame before hello → bad_message (binary is checked before the session)', async () => {
    const client = await connect();
    client.send(Buffer.from([1, 2, 3]));
    expectErrorWithoutDetails(await client.next(), 'bad_message', { id: null });
    await client.expectUsable();
  });

  it('an empty binary frame → bad_message without details', async () => {
    const client = await authenticated();
    client.send(Buffer.alloc(0));
    expectErrorWithoutDetails(await client.next(), 'bad_message', { id: null });
    await client.expectUsable();
  });
});

describe('a second hello', () => {
  it('→ bad_message with its id and without details (no field is at fault)', async () => {
    const client = await authenticated();
    client.send({ event: 'hello', data: { protocol: 1, name: 'again' }, id: 'again' });
    expectErrorWithoutDetails(await client.next(), 'bad_message', { id: 'again' });
    await client.expectUsable();
  });

  it('with data that is bad too → still bad_message without details (checked first)', async () => {
    const client = await authenticated();
    client.send({ event: 'hello', data: { protocol: 'x' } });
    expectErrorWithoutDetails(await client.next(), 'bad_message', { id: null });
    await client.expectUsable();
  });
});

describe('check order', () => {
  it('unknown event before hello → unknown_event, not unauthenticated', async () => {
    const client = await connect();
    client.send({ event: 'no.such.event', data: {}, id: 'o1' });
    expectError(await client.next(), 'unknown_event', { id: 'o1' });
    await client.expectUsable();
  });

  it('a known event with bad data before hello → unauthenticated (session before data schema)', async () => {
    const client = await connect();
    client.send({ event: 'room.join', data: { room: 'NOT A ROOM!' }, id: 'o2' });
    expectError(await client.next(), 'unauthenticated', { id: 'o2' });
    client.send({ event: 'ping', data: { nonsense: true }, id: 'o3' });
    // Extra keys are not a schema failure; what matters is that the session answers first.
    expectError(await client.next(), 'unauthenticated', { id: 'o3' });
    await client.expectUsable();
  });

  it('a bad envelope before hello → bad_message, not unauthenticated', async () => {
    const client = await connect();
    client.send({ event: 'ping', data: [], id: 'o4' });
    expectError(await client.next(), 'bad_message', { fields: ['data'], id: 'o4' });
    await client.expectUsable();
  });
});
