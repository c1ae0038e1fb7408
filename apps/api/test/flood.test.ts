import { PROTOCOL_BOUNDS } from '@duplex/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { uniqueRoom } from './support/chat-helpers.js';
import { startServer, type TestServer } from './support/api-server.js';
import { expectError, RawClient, type ServerFrame } from './support/raw-client.js';

const clients: RawClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function connect(server: TestServer): Promise<RawClient> {
  const client = await RawClient.connect(server.wsUrl());
  clients.push(client);
  return client;
}

function frames(client: RawClient): ServerFrame[] {
  return client.drain().map((message) => JSON.parse(message.data.toString('utf8')) as ServerFrame);
}

describe('a flood that trips the 1008 rule', () => {
  const BURST = 5;
  let server: TestServer;

  beforeAll(async () => {
    // Almost no refill: the flood meets exactly the tokens left in the bucket.
    server = await startServer({ BURST, MESSAGES_PER_SECOND: 0.01 });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('gets every reply of the frames before the tripping one, in order, then the close 1008; later frames are not processed', async () => {
    const room = uniqueRoom('flood');
    const client = await connect(server);
    await client.hello('flooder');
    expect((await client.request('room.join', { room })).event).toBe('ack');
    const tokensLeft = BURST - 2;
    const rejectedAllowed = PROTOCOL_BOUNDS.rejectedFactor * BURST;
    const send = (id: string) =>
      client.send({ event: 'chat.send', data: { room, clientId: id, text: id }, id });

    // chat.send is acked only once stored: the close has to wait for those acks.
    for (let i = 1; i <= tokensLeft; i++) send(`ok${i}`);
    for (let i = 1; i <= rejectedAllowed; i++) send(`limited${i}`);
    send('trip');
    for (let i = 1; i <= 5; i++) send(`late${i}`);

    expect((await client.waitClosed(5_000)).code).toBe(1008);
    const received = frames(client);
    const replies = received.filter((frame) => frame.id !== undefined);
    expect(replies.map((frame) => frame.id)).toEqual([
      ...Array.from({ length: tokensLeft }, (_, i) => `ok${i + 1}`),
      ...Array.from({ length: rejectedAllowed }, (_, i) => `limited${i + 1}`),
    ]);
    expect(replies.slice(0, tokensLeft).map((reply) => [reply.event, reply.data.seq])).toEqual(
      Array.from({ length: tokensLeft }, (_, i) => ['ack', i + 1]),
    );
    for (const reply of replies.slice(tokensLeft)) expectError(reply, 'rate_limited');

    // Only the accepted frames were stored: neither the tripping frame nor any after it.
    const response = await fetch(server.httpUrl(`/api/rooms/${room}/messages`));
    const stored = (await response.json()) as { clientId: string; seq: number }[];
    expect(stored.map((message) => [message.seq, message.clientId])).toEqual(
      Array.from({ length: tokensLeft }, (_, i) => [i + 1, `ok${i + 1}`]),
    );
  });
});

describe('a steady flood at 5× the limit', () => {
  const BURST = 5;
  const MESSAGES_PER_SECOND = 10;
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ BURST, MESSAGES_PER_SECOND });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('is closed 1008 within the window, although refilled tokens are served meanwhile', async () => {
    const client = await connect(server);
    await client.hello('steady');
    const intervalMs = 1000 / (5 * MESSAGES_PER_SECOND);
    const started = Date.now();
    let sent = 0;
    const timer = setInterval(() => {
      if (client.isOpen) client.send({ event: 'ping', data: {}, id: `p${++sent}` });
    }, intervalMs);
    try {
      expect((await client.waitClosed(PROTOCOL_BOUNDS.rejectedWindowMs + 2_000)).code).toBe(1008);
    } finally {
      clearInterval(timer);
    }
    expect(Date.now() - started).toBeLessThan(PROTOCOL_BOUNDS.rejectedWindowMs);

    const replies = frames(client);
    // In order, one per frame before the tripping one, none for it or after it.
    expect(replies.map((frame) => frame.id)).toEqual(
      Array.from({ length: replies.length }, (_, i) => `p${i + 1}`),
    );
    expect(replies.length).toBeLessThan(sent);
    const limited = replies.filter((frame) => frame.event === 'error');
    for (const frame of limited) expectError(frame, 'rate_limited');
    expect(limited).toHaveLength(PROTOCOL_BOUNDS.rejectedFactor * BURST);
    // Tokens refilled during the flood were served between the rejections (the row of
    // rejections was broken, which did not save the flood).
    const firstLimited = replies.findIndex((frame) => frame.event === 'error');
    expect(replies.slice(firstLimited).some((frame) => frame.event === 'ack')).toBe(true);
  });
});
