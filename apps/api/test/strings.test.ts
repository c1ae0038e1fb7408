import { describe, expect, it } from 'vitest';
import { joinAs, uniqueRoom, type Member } from './support/chat-helpers.js';
import { useServer } from './support/api-server.js';
import { expectError, RawClient } from './support/raw-client.js';

const { server, closeAfterTest } = useServer({ BURST: 1_000, MESSAGES_PER_SECOND: 1_000 });

async function member(name: string, room: string): Promise<Member> {
  const joined = await joinAs(server(), name, room);
  closeAfterTest(joined.client);
  return joined;
}

/**
 * The JSON text of a frame. `JSON.stringify` writes a lone surrogate as the escape `\ud800`,
 * which is how JSON carries one (UTF-8 cannot): the server's `JSON.parse` turns it back into
 * a lone surrogate.
 */
function frameText(frame: object): string {
  return JSON.stringify(frame);
}

const LONE_HIGH = '\ud800';
const LONE_LOW = '\udc00';
const NUL = '\u0000';

async function storedMessages(room: string): Promise<unknown[]> {
  const response = await fetch(server().httpUrl(`/api/rooms/${room}/messages`));
  expect(response.status).toBe(200);
  return (await response.json()) as unknown[];
}

describe('every string is well-formed Unicode without U+0000', () => {
  it('the lone surrogate travels as the JSON escape', () => {
    expect(frameText({ clientId: LONE_HIGH })).toBe('{"clientId":"\\ud800"}');
    expect(JSON.parse('"\\ud800"')).toBe(LONE_HIGH);
  });

  const valid = { clientId: 'c-ok', text: 'hello' };
  it.each([
    ['clientId a lone high surrogate', { clientId: LONE_HIGH }, ['clientId']],
    ['clientId a lone low surrogate', { clientId: `a${LONE_LOW}` }, ['clientId']],
    ['clientId a reversed pair', { clientId: `${LONE_LOW}${LONE_HIGH}` }, ['clientId']],
    ['clientId holding NUL', { clientId: `c${NUL}1` }, ['clientId']],
    ['text a lone surrogate', { text: `hi ${LONE_HIGH}` }, ['text']],
    ['text holding NUL', { text: `hi${NUL}there` }, ['text']],
    ['room a lone surrogate', { room: LONE_HIGH }, ['room']],
    ['an unknown key holding a lone surrogate', { extra: LONE_HIGH }, ['data']],
    ['an unknown key holding NUL deep inside', { extra: { list: [1, `x${NUL}`] } }, ['data']],
    ['an unknown key whose name is ill-formed', { [LONE_HIGH]: 'x' }, ['data']],
  ])(
    'chat.send with %s → bad_message naming the field, nothing stored',
    async (_, change, fields) => {
      const room = uniqueRoom('strings');
      const sender = await member('Ann', room);
      const data = { room, ...valid, ...change };
      sender.client.send(frameText({ event: 'chat.send', data, id: 'bad' }));
      expectError(await sender.client.next(), 'bad_message', { fields, id: 'bad' });

      expect(await storedMessages(room)).toEqual([]);
      const later = await member('Bob', room);
      expect(later.join).toMatchObject({ history: [], lastSeq: 0 });
      // The next valid message is the room's first; a well-formed pair (an emoji) is fine.
      const reply = await sender.client.request('chat.send', {
        room,
        clientId: 'c-next',
        text: 'ok \ud83d\ude00',
      });
      expect(reply.event, JSON.stringify(reply)).toBe('ack');
      expect(reply.data.seq).toBe(1);
      expect(await storedMessages(room)).toMatchObject([{ seq: 1, text: 'ok 😀' }]);
    },
  );

  it.each([
    ['a lone surrogate', LONE_HIGH],
    ['NUL', `r${NUL}`],
  ])(
    'an id holding %s → bad_message naming id, answered without id; nothing stored',
    async (_, id) => {
      const room = uniqueRoom('strings');
      const sender = await member('Ann', room);
      sender.client.send(
        frameText({ event: 'chat.send', data: { room, clientId: 'c-1', text: 'hi' }, id }),
      );
      expectError(await sender.client.next(), 'bad_message', { fields: ['id'], id: null });
      expect(await storedMessages(room)).toEqual([]);
      const reply = await sender.client.request('chat.send', { room, clientId: 'c-1', text: 'hi' });
      expect(reply.data.seq).toBe(1);
    },
  );

  it('an event name holding a lone surrogate → bad_message naming event', async () => {
    const client = closeAfterTest(await RawClient.connect(server().wsUrl()));
    client.send(frameText({ event: `chat.send${LONE_HIGH}`, data: {}, id: 'ev' }));
    expectError(await client.next(), 'bad_message', { fields: ['event'], id: 'ev' });
    await client.expectUsable();
  });

  it.each([
    ['a lone surrogate', `Ann${LONE_HIGH}`],
    ['NUL', `Ann${NUL}`],
  ])(
    'hello with a name holding %s → bad_message naming name; the connection stays unauthenticated',
    async (_, name) => {
      const client = closeAfterTest(await RawClient.connect(server().wsUrl()));
      client.send(frameText({ event: 'hello', data: { protocol: 1, name }, id: 'h' }));
      expectError(await client.next(), 'bad_message', { fields: ['name'], id: 'h' });
      expectError(await client.request('ping', {}), 'unauthenticated');
      await client.expectUsable();
    },
  );

  it.each([
    ['callId', { callId: LONE_HIGH }, ['callId']],
    ['reason', { callId: 'call-1', reason: `bye${LONE_LOW}` }, ['reason']],
  ])('call.bye with %s ill-formed → bad_message naming it', async (_, data, fields) => {
    const sender = await member('Ann', uniqueRoom('strings'));
    sender.client.send(frameText({ event: 'call.bye', data, id: 'bye' }));
    expectError(await sender.client.next(), 'bad_message', { fields, id: 'bye' });
  });
});
