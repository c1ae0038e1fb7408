import { describe, expect, it } from 'vitest';
import { CLIENT_EVENTS, DEFAULT_LIMITS, ackSchemas } from '../src/index.js';
import { TS, alice, bob, callMessage, callRecords, textMessage } from './fixtures.js';

/** Parses `data` with the ack schema of `event`; the parsed data, or `undefined` if refused. */
function parseAck<E extends keyof typeof ackSchemas>(event: E, data: unknown): unknown {
  const result = ackSchemas[event].safeParse(data);
  return result.success ? result.data : undefined;
}

/** The top-level keys an ack schema names as failing. */
function failingKeys<E extends keyof typeof ackSchemas>(event: E, data: unknown): string[] {
  const result = ackSchemas[event].safeParse(data);
  if (result.success) throw new Error(`expected ${event} ack to be refused`);
  return [...new Set(result.error.issues.map((issue) => String(issue.path[0])))].sort();
}

it('every client event has an ack schema', () => {
  expect(Object.keys(ackSchemas).sort()).toEqual([...CLIENT_EVENTS].sort());
});

describe('hello ack', () => {
  const fresh = {
    userId: 'u-1',
    name: 'Alice',
    identity: 'v1.u-1.c2lnbmF0dXJl',
    resume: 'resume-token-1',
    resumed: false,
    rooms: [],
    iceServers: [
      { urls: 'stun:stun.example.org:3478' },
      {
        urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349'],
        username: '1715000000:u-1',
        credential: 'bm90LWEtcmVhbC1obWFj',
      },
    ],
    limits: { ...DEFAULT_LIMITS },
    serverTime: TS,
  };

  it('of a new session: resumed false, rooms []', () => {
    expect(parseAck('hello', fresh)).toEqual(fresh);
  });

  it('of a resumed session: resumed true, rooms it is a member of', () => {
    const resumed = { ...fresh, resumed: true, rooms: ['lobby', 'dev-2'] };
    expect(parseAck('hello', resumed)).toEqual(resumed);
  });

  it('limits carry maxServerFrameBytes', () => {
    expect(fresh.limits).toHaveProperty('maxServerFrameBytes', 1_048_576);
    expect(parseAck('hello', fresh)).toMatchObject({ limits: { maxServerFrameBytes: 1_048_576 } });
  });

  it.each([
    ['no identity', { identity: undefined }, ['identity']],
    ['a numeric identity', { identity: 7 }, ['identity']],
    ['an empty identity', { identity: '' }, ['identity']],
    ['no resumed', { resumed: undefined }, ['resumed']],
    ['resumed a string', { resumed: 'true' }, ['resumed']],
    ['no rooms', { rooms: undefined }, ['rooms']],
    ['rooms a string', { rooms: 'lobby' }, ['rooms']],
    ['rooms holding an invalid room name', { rooms: ['lobby', 'Not A Room'] }, ['rooms']],
    ['no resume', { resume: undefined }, ['resume']],
    ['no userId', { userId: undefined }, ['userId']],
    [
      'a serverTime with an offset',
      { serverTime: '2024-05-06T07:08:09.123+00:00' },
      ['serverTime'],
    ],
    [
      'limits without maxServerFrameBytes',
      {
        limits: { maxFrameBytes: 65536, messagesPerSecond: 20, burst: 40, maxTextChars: 4000 },
      },
      ['limits'],
    ],
    ['an iceServer without urls', { iceServers: [{ username: 'x' }] }, ['iceServers']],
  ])('with %s is refused', (_label, change, keys) => {
    expect(failingKeys('hello', { ...fresh, ...change })).toEqual(keys);
  });
});

describe('room.join ack', () => {
  const history = [
    { ...textMessage, seq: 7 },
    callMessage(callRecords.missed, 8),
    { ...textMessage, seq: 9, kind: 'text', from: bob, clientId: 'c-9', text: 'back' },
    callMessage(callRecords.completed, 10),
  ];
  const ack = {
    room: 'lobby',
    members: [alice, bob],
    online: 250,
    history,
    lastSeq: 10,
    recovered: true,
  };

  it('carries online (the full count, members at most 100) and mixed history', () => {
    expect(parseAck('room.join', ack)).toEqual(ack);
  });

  it.each([0, 1, 100, 100_000])('accepts online %s', (online) => {
    expect(parseAck('room.join', { ...ack, online })).toEqual({ ...ack, online });
  });

  it('accepts every call outcome in history', () => {
    const calls = Object.values(callRecords).map((record, index) => callMessage(record, index + 1));
    const data = { ...ack, history: calls, lastSeq: calls.length, recovered: false };
    expect(parseAck('room.join', data)).toEqual(data);
  });

  it('skips history messages of a kind it does not know, not failing the ack', () => {
    const withUnknown = [
      history[0],
      { room: 'lobby', seq: 8, kind: 'poll', question: 'lunch?', ts: TS },
      history[2],
      { room: 'lobby', seq: 10, kind: 'file', ts: TS },
    ];
    expect(parseAck('room.join', { ...ack, history: withUnknown })).toEqual({
      ...ack,
      history: [history[0], history[2]],
    });
  });

  it.each([
    ['no online', { online: undefined }],
    ['a negative online', { online: -1 }],
    ['a fractional online', { online: 1.5 }],
    ['online a string', { online: '2' }],
  ])('with %s is refused', (_label, change) => {
    expect(failingKeys('room.join', { ...ack, ...change })).toEqual(['online']);
  });

  it.each([
    ['a call message with a bad record', callMessage({ ...callRecords.completed, video: 'yes' })],
    ['a call message without its record', { room: 'lobby', seq: 11, kind: 'call', ts: TS }],
    ['a text message without text', { ...textMessage, seq: 11, text: undefined }],
    [
      'a text message of kind "text" without from',
      { ...textMessage, kind: 'text', from: undefined },
    ],
    ['null', null],
  ])('whose history holds %s is refused', (_label, item) => {
    expect(failingKeys('room.join', { ...ack, history: [...history, item] })).toEqual(['history']);
  });
});

describe('the other acks', () => {
  it('ping carries serverTime', () => {
    expect(parseAck('ping', { serverTime: TS })).toEqual({ serverTime: TS });
    expect(parseAck('ping', {})).toBeUndefined();
  });

  it('chat.send carries seq and ts', () => {
    expect(parseAck('chat.send', { seq: 3, ts: TS })).toEqual({ seq: 3, ts: TS });
    expect(parseAck('chat.send', { seq: 0, ts: TS })).toBeUndefined();
  });

  it.each(['call.invite', 'call.media', 'call.bye', 'room.leave', 'chat.typing'] as const)(
    '%s carries {}',
    (event) => {
      expect(parseAck(event, {})).toEqual({});
    },
  );
});
