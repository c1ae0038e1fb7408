import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { peekRequestId } from '../src/ws/request-id-peek.js';
import { uniqueRoom } from './support/chat-helpers.js';
import { startServer, type TestServer } from './support/api-server.js';
import { expectError, RawClient, type ServerFrame } from './support/raw-client.js';

const BURST = 40;
let server: TestServer;
const clients: RawClient[] = [];

beforeAll(async () => {
  // Almost no refill: a flood sent at once meets exactly the tokens left in the bucket.
  server = await startServer({ BURST, MESSAGES_PER_SECOND: 0.01 });
});
afterAll(async () => {
  await server.stop();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function member(room: string): Promise<RawClient> {
  const client = await RawClient.connect(server.wsUrl());
  clients.push(client);
  await client.hello('order');
  expect((await client.request('room.join', { room })).event).toBe('ack');
  return client;
}

/** Takes `count` replies (frames with an id), skipping broadcasts such as `chat.message`. */
async function replies(client: RawClient, count: number): Promise<ServerFrame[]> {
  const taken: ServerFrame[] = [];
  while (taken.length < count) {
    const frame = await client.next(5_000);
    if (frame.id !== undefined) taken.push(frame);
  }
  return taken;
}

const id = (index: number) => `m${String(index).padStart(3, '0')}`;

describe('replies leave in arrival order', () => {
  it('200 frames sent at once: replies in id order, the tokens left acked, the rest rate_limited', async () => {
    const room = uniqueRoom('order');
    const client = await member(room);
    const tokensLeft = BURST - 2; // hello and room.join took one each
    // chat.send waits for storage, so its reply comes late unless the order is enforced.
    const frames = Array.from({ length: 200 }, (_, i) => {
      switch (i % 4) {
        case 0:
          return {
            event: 'chat.send',
            data: { room, clientId: `c${i}`, text: `n${i}` },
            id: id(i),
          };
        case 1:
          return { event: 'ping', data: {}, id: id(i) };
        case 2:
          return { event: 'chat.typing', data: { room, typing: true }, id: id(i) };
        default:
          return { event: 'chat.send', data: { room: 'not joined', clientId: 'x' }, id: id(i) };
      }
    });
    for (const frame of frames) client.send(frame);

    const got = await replies(client, frames.length);
    expect(got.map((frame) => frame.id)).toEqual(frames.map((frame) => frame.id));
    got.slice(0, tokensLeft).forEach((reply, i) => {
      if (i % 4 === 3) expectError(reply, 'bad_message', { fields: ['room', 'text'], id: id(i) });
      else expect(reply.event, JSON.stringify(reply)).toBe('ack');
    });
    for (const reply of got.slice(tokensLeft)) {
      expectError(reply, 'rate_limited', { id: reply.id });
    }
    expect(client.isOpen).toBe(true);
  });

  it('a rate_limited reply waits for the chat.send acks before it', async () => {
    const room = uniqueRoom('order');
    const client = await member(room);
    const tokensLeft = BURST - 2;
    for (let i = 0; i < tokensLeft; i++) {
      client.send({ event: 'chat.send', data: { room, clientId: `s${i}`, text: 'x' }, id: id(i) });
    }
    client.send({ event: 'ping', data: {}, id: 'over' });
    const got = await replies(client, tokensLeft + 1);
    expect(got.slice(0, tokensLeft).map((reply) => [reply.id, reply.event])).toEqual(
      Array.from({ length: tokensLeft }, (_, i) => [id(i), 'ack']),
    );
    expect(got.map((reply) => reply.data.seq).slice(0, tokensLeft)).toEqual(
      Array.from({ length: tokensLeft }, (_, i) => i + 1),
    );
    expectError(got[tokensLeft]!, 'rate_limited', { id: 'over' });
  });

  it('a rate_limited reply to a frame of nearly 64 KiB carries its id, written after data', async () => {
    const room = uniqueRoom('order');
    const client = await member(room);
    for (let i = 0; i < BURST - 2; i++) client.send({ event: 'ping', data: {}, id: id(i) });
    const text = `${'é'.repeat(30_000)}`;
    const big = `{"event":"chat.send","data":{"room":"${room}","clientId":"big","text":"${text}","nested":[{"id":"inner"},"}"]},"id":"big-one"}`;
    expect(Buffer.byteLength(big)).toBeGreaterThan(60_000);
    client.send(big);
    client.send({ id: 'before-event', event: 'ping', data: {} });
    client.send('{"event":"ping","data":{},"id":7}');
    const got = await replies(client, BURST - 2 + 2);
    expectError(got.at(-2)!, 'rate_limited', { id: 'big-one' });
    expectError(got.at(-1)!, 'rate_limited', { id: 'before-event' });
    // The frame with a numeric id: refused without an id, after the others.
    expectError(await client.next(), 'rate_limited', { id: null });
  });
});

describe('peekRequestId', () => {
  const peek = (text: string) => peekRequestId(Buffer.from(text, 'utf8'));

  it.each([
    ['id last', '{"event":"ping","data":{"a":[1,{"b":"}"}]},"id":"r1"}', 'r1'],
    ['id first', '{"id":"r2","event":"ping","data":{}}', 'r2'],
    ['white space everywhere', ' \n{ "id" :\t"r3" , "data" : { } }\r\n', 'r3'],
    ['an escaped key', '{"\\u0069d":"r4","event":"ping","data":{}}', 'r4'],
    ['escapes in the id', '{"event":"ping","data":{},"id":"a\\"b\\u00e9"}', 'a"bé'],
    ['the last id wins, as in JSON.parse', '{"id":"first","data":{},"id":"last"}', 'last'],
    ['nested ids are not the id', '{"data":{"id":"inner"},"event":"ping","id":"outer"}', 'outer'],
    ['an escaped quote in a skipped string', '{"data":{"t":"x\\"}"},"id":"r5"}', 'r5'],
    ['64 emoji', `{"id":"${'😀'.repeat(64)}"}`, '😀'.repeat(64)],
  ])('%s', (_, text, expected) => {
    expect(JSON.parse(text).id).toBe(expected); // what a full parse would find
    expect(peek(text)).toBe(expected);
  });

  it.each([
    ['no id', '{"event":"ping","data":{}}'],
    ['an empty object', '{}'],
    ['a numeric id', '{"event":"ping","data":{},"id":7}'],
    ['a null id', '{"id":null}'],
    ['an empty id', '{"id":""}'],
    ['an id of 65 characters', `{"id":"${'x'.repeat(65)}"}`],
    ['an id holding a lone surrogate', '{"id":"\\ud800"}'],
    ['an id holding NUL', '{"id":"a\\u0000"}'],
    ['an object id', '{"id":{"id":"x"}}'],
    ['not JSON', 'hello'],
    ['an array', '[{"id":"x"}]'],
    ['a truncated object', '{"id":"x","data":{'],
    ['an unterminated id', '{"id":"x'],
    ['trailing text', '{"id":"x"} {'],
    ['a missing colon', '{"id" "x"}'],
    ['a trailing comma', '{"id":"x",}'],
    ['an empty text', ''],
  ])('%s → no id', (_, text) => {
    expect(peek(text)).toBeUndefined();
  });

  it('parses no more than the id: JSON.parse never sees the frame', () => {
    const frame = `{"event":"chat.send","data":{"text":"${'x'.repeat(64_000)}"},"id":"r"}`;
    const parse = vi.spyOn(JSON, 'parse');
    try {
      expect(peek(frame)).toBe('r');
      for (const [text] of parse.mock.calls) expect(String(text).length).toBeLessThan(1_000);
    } finally {
      parse.mockRestore();
    }
  });
});
