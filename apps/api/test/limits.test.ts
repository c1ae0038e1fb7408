import { PROTOCOL_BOUNDS } from '@duplex/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/api-server.js';
import { expectError, RawClient, type ServerFrame } from './support/raw-client.js';

const clients: RawClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function connect(server: TestServer, path: string): Promise<RawClient> {
  const client = await RawClient.connect(server.wsUrl(path));
  clients.push(client);
  return client;
}

/** A JSON ping frame padded (through an ignored key of `data`) to exactly `bytes` UTF-8 bytes. */
function pingOfSize(bytes: number, id: string): string {
  const base = JSON.stringify({ event: 'ping', data: { pad: '' }, id });
  return JSON.stringify({
    event: 'ping',
    data: { pad: 'p'.repeat(bytes - Buffer.byteLength(base)) },
    id,
  });
}

describe('frame size', () => {
  const MAX_FRAME_BYTES = 1024;
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ MAX_FRAME_BYTES });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('a text frame of MAX_FRAME_BYTES + 1 on /ws closes 1009', async () => {
    const client = await connect(server, '/ws');
    await client.hello('big');
    client.send(pingOfSize(MAX_FRAME_BYTES + 1, 'too-big'));
    const closed = await client.waitClosed();
    expect(closed.code).toBe(1009);
    expect(client.drain().map((m) => m.data.toString())).not.toContainEqual(
      expect.stringContaining('too-big'),
    );
  });

  it('a text frame of exactly MAX_FRAME_BYTES on /ws is processed', async () => {
    const client = await connect(server, '/ws');
    await client.hello('fits');
    const text = pingOfSize(MAX_FRAME_BYTES, 'fits');
    expect(Buffer.byteLength(text)).toBe(MAX_FRAME_BYTES);
    client.send(text);
    const reply = await client.nextWhere((frame) => frame.id === 'fits');
    expect(reply.event).toBe('ack');
    expect(client.isOpen).toBe(true);
  });

  it('the limit counts UTF-8 bytes, not characters', async () => {
    const client = await connect(server, '/ws/echo');
    // 342 three-byte characters: 1026 bytes in 342 characters.
    client.send('€'.repeat(342));
    expect((await client.waitClosed()).code).toBe(1009);
  });

  it('fragments are summed: two fragments of 600 bytes close 1009', async () => {
    const client = await connect(server, '/ws/echo');
    client.socket.send('a'.repeat(600), { fin: false });
    client.socket.send('b'.repeat(600), { fin: true });
    expect((await client.waitClosed()).code).toBe(1009);
  });

  it('a binary frame of MAX_FRAME_BYTES + 1 on /ws closes 1009', async () => {
    const client = await connect(server, '/ws');
    client.send(Buffer.alloc(MAX_FRAME_BYTES + 1, 7));
    expect((await client.waitClosed()).code).toBe(1009);
  });

  it('a text frame of MAX_FRAME_BYTES + 1 on /ws/echo closes 1009 and is not echoed', async () => {
    const client = await connect(server, '/ws/echo');
    client.send('x'.repeat(MAX_FRAME_BYTES + 1));
    expect((await client.waitClosed()).code).toBe(1009);
    expect(client.drain()).toEqual([]);
  });

  it('exactly MAX_FRAME_BYTES passes on /ws/echo', async () => {
    const client = await connect(server, '/ws/echo');
    const text = 'y'.repeat(MAX_FRAME_BYTES);
    client.send(text);
    const echoed = await client.nextRaw();
    expect(echoed.isBinary).toBe(false);
    expect(echoed.data.toString('utf8')).toBe(text);
    const bytes = Buffer.alloc(MAX_FRAME_BYTES, 9);
    client.send(bytes);
    const echoedBytes = await client.nextRaw();
    expect(echoedBytes.isBinary).toBe(true);
    expect(echoedBytes.data.equals(bytes)).toBe(true);
    expect(client.isOpen).toBe(true);
  });
});

describe('rate limit', () => {
  const BURST = 5;
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ BURST, MESSAGES_PER_SECOND: 1 });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('the limits in the hello ack are the configured ones', async () => {
    const client = await connect(server, '/ws');
    const ack = await client.hello('limits');
    expect(ack.limits.burst).toBe(BURST);
    expect(ack.limits.messagesPerSecond).toBe(1);
  });

  it('the 6th frame of a burst gets rate_limited with its id, after the 5 acks; the connection stays open', async () => {
    const client = await connect(server, '/ws');
    // hello counts: the limit applies from the first frame.
    client.send({ event: 'hello', data: { protocol: 1, name: 'burst' }, id: 'f1' });
    for (let i = 2; i <= 6; i++) client.send({ event: 'ping', data: {}, id: `f${i}` });
    const replies: ServerFrame[] = [];
    for (let i = 1; i <= 6; i++) replies.push(await client.next());
    expect(replies.map((frame) => frame.id)).toEqual(['f1', 'f2', 'f3', 'f4', 'f5', 'f6']);
    for (const reply of replies.slice(0, 5)) expect(reply.event).toBe('ack');
    expectError(replies[5]!, 'rate_limited', { id: 'f6' });

    // A token comes back after a second: the connection is usable again.
    const deadline = Date.now() + 3000;
    let reply: ServerFrame;
    do {
      reply = await client.request('ping', {});
      if (reply.event === 'ack') break;
      expectError(reply, 'rate_limited', { id: reply.id });
      await new Promise((resolve) => setTimeout(resolve, 250));
    } while (Date.now() < deadline);
    expect(reply.event).toBe('ack');
    expect(client.isOpen).toBe(true);
  });

  it('invalid frames take tokens too, and a rejected frame without id gets rate_limited without id, in its turn', async () => {
    const client = await connect(server, '/ws');
    for (let i = 0; i < BURST; i++) client.send('not json');
    client.send('not json either');
    for (let i = 0; i < BURST; i++) expectError(await client.next(), 'bad_json', { id: null });
    expectError(await client.next(), 'rate_limited', { id: null });
    expect(client.isOpen).toBe(true);
  });

  it('more than rejectedFactor × burst rejected within 10 s closes 1008 after every earlier reply; the frame that trips it and later ones get none', async () => {
    const client = await connect(server, '/ws');
    const rejectedAllowed = PROTOCOL_BOUNDS.rejectedFactor * BURST;
    for (let i = 1; i <= BURST; i++) client.send({ event: 'ping', data: {}, id: `a${i}` });
    for (let i = 1; i <= rejectedAllowed; i++)
      client.send({ event: 'ping', data: {}, id: `r${i}` });
    client.send({ event: 'ping', data: {}, id: 'trip' });
    for (let i = 1; i <= 5; i++) client.send({ event: 'ping', data: {}, id: `late${i}` });
    const closed = await client.waitClosed(5000);
    expect(closed.code).toBe(1008);
    const frames = client.drain().map((m) => JSON.parse(m.data.toString('utf8')) as ServerFrame);
    expect(frames.map((frame) => frame.id)).toEqual([
      ...Array.from({ length: BURST }, (_, i) => `a${i + 1}`),
      ...Array.from({ length: rejectedAllowed }, (_, i) => `r${i + 1}`),
    ]);
    // The first BURST frames were processed (before hello: unauthenticated).
    for (const frame of frames.slice(0, BURST)) expectError(frame, 'unauthenticated');
    for (const frame of frames.slice(BURST)) expectError(frame, 'rate_limited');
  });

  it('exactly rejectedFactor × burst rejected does not close', async () => {
    const client = await connect(server, '/ws');
    const total = BURST + PROTOCOL_BOUNDS.rejectedFactor * BURST;
    for (let i = 1; i <= total; i++) client.send({ event: 'ping', data: {}, id: `e${i}` });
    for (let i = 1; i <= total; i++) {
      const reply = await client.next(3000);
      expect(reply.id).toBe(`e${i}`);
    }
    // Once a token is back, a ping is answered: the connection was not closed.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const reply = await client.request('ping', {});
    expect(reply.data.code).toBe('unauthenticated');
    expect(client.isOpen).toBe(true);
  });
});
