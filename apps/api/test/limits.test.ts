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

  it('the 6th frame of a burst gets rate_limited with its id; the connection stays open', async () => {
    const client = await connect(server, '/ws');
    // hello counts: the limit applies from the first frame.
    client.send({ event: 'hello', data: { protocol: 1, name: 'burst' }, id: 'f1' });
    for (let i = 2; i <= 6; i++) client.send({ event: 'ping', data: {}, id: `f${i}` });
    const replies = new Map<string, ServerFrame>();
    for (let i = 1; i <= 6; i++) {
      const frame = await client.next();
      replies.set(frame.id!, frame);
    }
    expect(replies.get('f1')!.event).toBe('ack');
    for (let i = 2; i <= 5; i++) expect(replies.get(`f${i}`)!.event).toBe('ack');
    expectError(replies.get('f6')!, 'rate_limited', { id: 'f6' });
    await client.expectNoFrame(200);
    expect(client.isOpen).toBe(true);

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

  it('invalid frames take tokens too, and a rejected frame without id gets rate_limited without id', async () => {
    const client = await connect(server, '/ws');
    for (let i = 0; i < BURST; i++) client.send('not json');
    client.send('not json either');
    // The rate_limited refusal is not queued behind the processed frames, so the order of
    // the replies is not fixed: count them.
    const frames = [];
    for (let i = 0; i <= BURST; i++) frames.push(await client.next());
    const badJson = frames.filter((frame) => frame.data.code === 'bad_json');
    const limited = frames.filter((frame) => frame.data.code === 'rate_limited');
    expect(badJson).toHaveLength(BURST);
    expect(limited).toHaveLength(1);
    for (const frame of badJson) expectError(frame, 'bad_json', { id: null });
    expectError(limited[0]!, 'rate_limited', { id: null });
    expect(client.isOpen).toBe(true);
  });

  it('more than 10 × burst rejected in a row closes 1008; the frame that trips it gets no reply', async () => {
    const client = await connect(server, '/ws');
    const rejectedAllowed = 10 * BURST;
    for (let i = 1; i <= BURST; i++) client.send({ event: 'ping', data: {}, id: `a${i}` });
    for (let i = 1; i <= rejectedAllowed; i++)
      client.send({ event: 'ping', data: {}, id: `r${i}` });
    client.send({ event: 'ping', data: {}, id: 'trip' });
    const closed = await client.waitClosed(5000);
    expect(closed.code).toBe(1008);
    const frames = client.drain().map((m) => JSON.parse(m.data.toString('utf8')) as ServerFrame);
    const ids = frames.map((frame) => frame.id);
    expect(ids).not.toContain('trip');
    const limited = frames.filter((frame) => frame.data?.code === 'rate_limited');
    expect(limited.map((frame) => frame.id).sort()).toEqual(
      Array.from({ length: rejectedAllowed }, (_, i) => `r${i + 1}`).sort(),
    );
    // The first BURST frames were processed (before hello: unauthenticated).
    for (let i = 1; i <= BURST; i++) {
      const frame = frames.find((f) => f.id === `a${i}`);
      expect(frame?.data.code).toBe('unauthenticated');
    }
  });

  it('exactly 10 × burst rejected in a row does not close', async () => {
    const client = await connect(server, '/ws');
    for (let i = 1; i <= BURST + 10 * BURST; i++)
      client.send({ event: 'ping', data: {}, id: `e${i}` });
    const last = await client.nextWhere((frame) => frame.id === `e${BURST + 10 * BURST}`, 3000);
    expectError(last, 'rate_limited', { id: last.id });
    client.drain();
    await client.expectNoFrame(200);
    expect(client.isOpen).toBe(true);
  });
});
