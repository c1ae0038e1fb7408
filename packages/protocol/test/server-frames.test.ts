import { describe, expect, it } from 'vitest';
import {
  PROTOCOL_BOUNDS,
  SERVER_EVENTS,
  decode,
  decodeServerFrame,
  errorFrame,
  isTextMessage,
  type ServerEventName,
} from '../src/index.js';
import { TS, alice, bob, callMessage, callRecords, textMessage as message } from './fixtures.js';
import { expectBadMessage, expectFailure, expectSuccess } from './helpers.js';

const text = (value: unknown) => JSON.stringify(value);

/** A valid sample of `data` for every server event. */
const samples: Record<ServerEventName, Record<string, unknown>> = {
  'presence.joined': { room: 'lobby', user: alice, online: 2 },
  'presence.left': { room: 'lobby', user: alice, online: 0 },
  'presence.renamed': { room: 'lobby', user: alice },
  'presence.diff': {
    room: 'lobby',
    joined: [bob],
    left: [alice],
    joinedCount: 31,
    leftCount: 1,
    online: 7,
  },
  'chat.message': message,
  'chat.typing': { room: 'lobby', user: alice, typing: true },
  'call.invite': { callId: 'call-1', room: 'lobby', from: alice, video: false },
  'call.accept': { callId: 'call-1', from: bob },
  'call.decline': { callId: 'call-1', from: bob, reason: 'declined' },
  'call.offer': { callId: 'call-1', from: alice, sdp: 'v=0\r\n' },
  'call.answer': { callId: 'call-1', from: bob, sdp: 'v=0\r\n' },
  'call.candidate': {
    callId: 'call-1',
    from: bob,
    candidate: { candidate: 'candidate:1', sdpMid: '0', sdpMLineIndex: 0 },
  },
  'call.bye': { callId: 'call-1', from: bob, reason: 'hangup' },
  'call.media': { callId: 'call-1', from: alice, audio: false, video: true },
};

/** An invalid variant of every server event's data, and the keys it should name. */
const invalid: Array<[ServerEventName, string, Record<string, unknown>, string[]]> = [
  ['presence.joined', 'negative online', { ...samples['presence.joined'], online: -1 }, ['online']],
  [
    'presence.joined',
    'a user without userId',
    { ...samples['presence.joined'], user: { name: 'A' } },
    ['user'],
  ],
  ['presence.left', 'a bad room', { ...samples['presence.left'], room: 'Lobby' }, ['room']],
  [
    'presence.renamed',
    'a user without a name',
    { ...samples['presence.renamed'], user: { userId: 'u-1' } },
    ['user'],
  ],
  [
    'presence.diff',
    'joined missing',
    { room: 'lobby', left: [], joinedCount: 0, leftCount: 0, online: 1 },
    ['joined'],
  ],
  [
    'presence.diff',
    'more users named than a diff may name',
    {
      ...samples['presence.diff'],
      joined: Array.from({ length: PROTOCOL_BOUNDS.presenceDiffMaxUsers + 1 }, (_, i) => ({
        userId: `u-${i}`,
        name: `user ${i}`,
      })),
    },
    ['joined'],
  ],
  [
    'presence.diff',
    'leftCount missing',
    { room: 'lobby', joined: [], left: [], joinedCount: 0, online: 1 },
    ['leftCount'],
  ],
  [
    'presence.diff',
    'a fractional joinedCount',
    { ...samples['presence.diff'], joinedCount: 1.5 },
    ['joinedCount'],
  ],
  [
    'presence.diff',
    'left a user, not a list',
    { ...samples['presence.diff'], left: alice },
    ['left'],
  ],
  [
    'presence.diff',
    'a joined user without name',
    { ...samples['presence.diff'], joined: [{ userId: 'u-3' }] },
    ['joined'],
  ],
  [
    'presence.diff',
    'online missing',
    { room: 'lobby', joined: [], left: [], joinedCount: 0, leftCount: 0 },
    ['online'],
  ],
  ['presence.diff', 'a negative online', { ...samples['presence.diff'], online: -1 }, ['online']],
  ['presence.diff', 'a bad room', { ...samples['presence.diff'], room: '-lobby' }, ['room']],
  ['chat.message', 'seq 0', { ...message, seq: 0 }, ['seq']],
  ['chat.message', 'a fractional seq', { ...message, seq: 1.5 }, ['seq']],
  ['chat.message', 'ts without milliseconds', { ...message, ts: '2024-05-06T07:08:09Z' }, ['ts']],
  [
    'chat.message',
    'ts with an offset',
    { ...message, ts: '2024-05-06T07:08:09.123+00:00' },
    ['ts'],
  ],
  ['chat.message', 'ts not a date', { ...message, ts: 'yesterday' }, ['ts']],
  ['chat.message', 'from a string', { ...message, from: 'u-1' }, ['from']],
  [
    'chat.message',
    'no text and no clientId',
    { room: 'lobby', seq: 1, from: alice, ts: TS },
    ['clientId', 'text'],
  ],
  ['chat.typing', 'typing a string', { ...samples['chat.typing'], typing: 'yes' }, ['typing']],
  ['call.invite', 'video missing', { callId: 'call-1', room: 'lobby', from: alice }, ['video']],
  ['call.accept', 'from missing', { callId: 'call-1' }, ['from']],
  ['call.invite', 'empty sdp', { ...samples['call.invite'], sdp: '' }, ['sdp']],
  ['call.accept', 'sdp a number', { ...samples['call.accept'], sdp: 1 }, ['sdp']],
  [
    'call.decline',
    'reason missing (the server fills in the default)',
    { callId: 'call-1', from: bob },
    ['reason'],
  ],
  ['call.offer', 'empty sdp', { callId: 'call-1', from: alice, sdp: '' }, ['sdp']],
  ['call.answer', 'callId too long', { callId: 'x'.repeat(65), from: bob, sdp: 'v=0' }, ['callId']],
  ['call.candidate', 'candidate missing', { callId: 'call-1', from: bob }, ['candidate']],
  ['call.bye', 'empty reason', { callId: 'call-1', from: bob, reason: '' }, ['reason']],
  [
    'call.candidate',
    'a candidate with neither sdpMid nor sdpMLineIndex',
    { callId: 'call-1', from: bob, candidate: { candidate: 'candidate:1', sdpMid: null } },
    ['candidate'],
  ],
  ['call.media', 'audio missing', { callId: 'call-1', from: alice, video: true }, ['audio']],
  ['call.media', 'video a string', { ...samples['call.media'], video: 'on' }, ['video']],
  ['call.media', 'from missing', { callId: 'call-1', audio: true, video: true }, ['from']],
];

describe('decodeServerFrame: acks', () => {
  it('decodes an ack with data', () => {
    const frame = { event: 'ack', id: '7', data: { seq: 3, ts: TS } };
    expect(expectSuccess(decodeServerFrame(text(frame)))).toEqual({ kind: 'ack', frame });
  });

  it('decodes an ack with empty data', () => {
    const frame = { event: 'ack', id: 'a', data: {} };
    expect(expectSuccess(decodeServerFrame(text(frame)))).toEqual({ kind: 'ack', frame });
  });

  it('decodes a hello ack', () => {
    const data = {
      userId: 'u-1',
      name: 'Alice',
      identity: 'id-1',
      resume: 'tok',
      resumed: true,
      rooms: ['lobby'],
      iceServers: [
        { urls: 'stun:stun.example.org' },
        { urls: ['turn:t.example.org'], username: '1:u-1', credential: 'x' },
      ],
      limits: {
        maxFrameBytes: 65536,
        maxServerFrameBytes: 1048576,
        messagesPerSecond: 20,
        burst: 40,
        maxTextChars: 4000,
      },
      serverTime: TS,
    };
    const decoded = expectSuccess(decodeServerFrame(text({ event: 'ack', id: 'h', data })));
    expect(decoded.kind).toBe('ack');
    expect(decoded.frame).toEqual({ event: 'ack', id: 'h', data });
  });

  it.each([
    ['without id', { event: 'ack', data: {} }],
    ['with a numeric id', { event: 'ack', id: 7, data: {} }],
    ['with a null id', { event: 'ack', id: null, data: {} }],
    ['without data', { event: 'ack', id: '7' }],
    ['with null data', { event: 'ack', id: '7', data: null }],
    ['with string data', { event: 'ack', id: '7', data: 'ok' }],
  ])('refuses an ack %s', (_label, frame) => {
    expect(expectFailure(decodeServerFrame(text(frame))).code).toBe('bad_message');
  });

  it('refuses an ack whose data is an array (spec: data is always an object)', () => {
    expect(expectFailure(decodeServerFrame(text({ event: 'ack', id: '7', data: [] }))).code).toBe(
      'bad_message',
    );
  });

  it('refuses an ack with an empty id (spec: an id is 1–64 characters)', () => {
    expect(expectFailure(decodeServerFrame(text({ event: 'ack', id: '', data: {} }))).code).toBe(
      'bad_message',
    );
  });
});

describe('decodeServerFrame: errors', () => {
  it('decodes an error with id and details', () => {
    const frame = {
      event: 'error',
      id: '7',
      data: { code: 'bad_message', message: 'Invalid chat.send', details: { fields: ['text'] } },
    };
    expect(expectSuccess(decodeServerFrame(text(frame)))).toEqual({ kind: 'error', frame });
  });

  it('decodes an error without id', () => {
    const frame = { event: 'error', data: { code: 'rate_limited', message: 'slow down' } };
    const decoded = expectSuccess(decodeServerFrame(text(frame)));
    expect(decoded).toEqual({ kind: 'error', frame });
    expect(decoded.frame).not.toHaveProperty('id');
  });

  it('decodes the frames errorFrame() builds from decode failures', () => {
    for (const input of ['nope', '[]', '{"event":"x","data":{}}', '{"event":"ping","data":[]}']) {
      const built = errorFrame(expectFailure(decode(input)));
      const decoded = expectSuccess(decodeServerFrame(JSON.stringify(built)));
      expect(decoded).toEqual({ kind: 'error', frame: built });
    }
  });

  it.each([
    ['an unknown code', { event: 'error', data: { code: 'oops', message: 'm' } }],
    ['no message', { event: 'error', data: { code: 'busy' } }],
    ['no code', { event: 'error', data: { message: 'm' } }],
    ['no data', { event: 'error' }],
    ['array data', { event: 'error', data: [] }],
    ['a numeric id', { event: 'error', id: 7, data: { code: 'busy', message: 'm' } }],
    [
      'details without fields',
      { event: 'error', data: { code: 'bad_message', message: 'm', details: {} } },
    ],
    [
      'non-string fields',
      { event: 'error', data: { code: 'bad_message', message: 'm', details: { fields: [1] } } },
    ],
  ])('refuses an error with %s', (_label, frame) => {
    expect(expectFailure(decodeServerFrame(text(frame))).code).toBe('bad_message');
  });
});

describe('decodeServerFrame: server events', () => {
  it('has a sample for every server event', () => {
    expect(Object.keys(samples).sort()).toEqual([...SERVER_EVENTS].sort());
  });

  it.each(SERVER_EVENTS)('decodes %s', (event) => {
    const data = samples[event];
    expect(expectSuccess(decodeServerFrame(text({ event, data })))).toEqual({
      kind: 'event',
      frame: { event, data },
    });
  });

  it.each([
    ['call.invite', { ...samples['call.invite'], sdp: 'v=0\r\n' }],
    ['call.accept', { ...samples['call.accept'], sdp: 'v=0\r\n' }],
  ] as const)('decodes %s with the sdp it may carry', (event, data) => {
    expect(expectSuccess(decodeServerFrame(text({ event, data })))).toEqual({
      kind: 'event',
      frame: { event, data },
    });
  });

  it('decodes call.candidate with a null candidate (end of candidates)', () => {
    const data = { callId: 'call-1', from: bob, candidate: null };
    expect(expectSuccess(decodeServerFrame(text({ event: 'call.candidate', data })))).toEqual({
      kind: 'event',
      frame: { event: 'call.candidate', data },
    });
  });

  it('keeps chat.message text as sent', () => {
    const decoded = expectSuccess(
      decodeServerFrame(text({ event: 'chat.message', data: message })),
    );
    const data =
      decoded.kind === 'event' && decoded.frame.event === 'chat.message' && decoded.frame.data;
    expect(data && isTextMessage(data) && data.text).toBe('  hi\n');
  });

  it('decodes presence.diff with empty joined and left lists', () => {
    const data = { room: 'lobby', joined: [], left: [], joinedCount: 0, leftCount: 0, online: 0 };
    expect(expectSuccess(decodeServerFrame(text({ event: 'presence.diff', data })))).toEqual({
      kind: 'event',
      frame: { event: 'presence.diff', data },
    });
  });

  it.each(invalid)('refuses %s with %s', (event, _label, data, fields) => {
    expectBadMessage(decodeServerFrame(text({ event, data })), fields);
  });

  it.each(SERVER_EVENTS)('refuses %s with array data', (event) => {
    expect(expectFailure(decodeServerFrame(text({ event, data: [] }))).code).toBe('bad_message');
  });
});

describe('decodeServerFrame: garbage', () => {
  it.each([
    ['not JSON', 'garbage'],
    ['empty', ''],
    ['truncated', '{"event":"ack"'],
  ])('is bad_json for %s', (_label, input) => {
    expect(expectFailure(decodeServerFrame(input)).code).toBe('bad_json');
  });

  it.each([
    ['an array', '[]'],
    ['null', 'null'],
    ['a number', '1'],
    ['a string', '"ack"'],
  ])('is bad_json for JSON that is %s', (_label, input) => {
    expect(expectFailure(decodeServerFrame(input)).code).toBe('bad_json');
  });

  it.each([
    ['an empty object', {}],
    ['an unknown event', { event: 'nope', data: {} }],
    [
      'a client-only event',
      { event: 'chat.send', data: { room: 'lobby', clientId: 'c', text: 'hi' } },
    ],
    ['hello', { event: 'hello', data: { protocol: 1, name: 'A' } }],
    ['a numeric event', { event: 1, data: {} }],
    ['a prototype name', { event: 'constructor', data: {} }],
    ['__proto__', { event: '__proto__', data: {} }],
    ['toString', { event: 'toString', data: {} }],
  ])('is bad_message for %s', (_label, frame) => {
    expect(expectFailure(decodeServerFrame(text(frame))).code).toBe('bad_message');
  });
});

describe('decodeServerFrame: chat.message kinds', () => {
  const decodeMessage = (data: unknown) => decodeServerFrame(text({ event: 'chat.message', data }));

  const messageSamples: Array<[string, Record<string, unknown>]> = [
    ['a text message without kind', message],
    ['a text message of kind "text"', { ...message, kind: 'text' }],
    ...Object.values(callRecords).map((record): [string, Record<string, unknown>] => [
      `a ${String(record.outcome)} call`,
      callMessage(record),
    ]),
  ];

  it.each(messageSamples)('decodes %s', (_label, data) => {
    expect(expectSuccess(decodeMessage(data))).toEqual({
      kind: 'event',
      frame: { event: 'chat.message', data },
    });
  });

  it.each([
    ['an outcome it does not know', { ...callRecords.missed, outcome: 'lost' }],
    ['no callee', { ...callRecords.missed, callee: undefined }],
    [
      'a startedAt without milliseconds',
      { ...callRecords.missed, startedAt: '2024-05-06T07:10:00Z' },
    ],
    ['a durationMs that is negative', { ...callRecords.completed, durationMs: -5 }],
  ])('refuses a call message whose record has %s', (_label, record) => {
    expectBadMessage(decodeMessage(callMessage(record)), ['call']);
  });

  it('refuses a call message without its record', () => {
    const { call: _call, ...withoutRecord } = callMessage(callRecords.completed);
    expectBadMessage(decodeMessage(withoutRecord), ['call']);
  });

  // The client drops frames it cannot decode: that is how it skips a kind it does not know.
  it('does not decode a message of a kind it does not know', () => {
    expect(expectFailure(decodeMessage({ ...message, kind: 'poll' })).code).toBe('bad_message');
  });
});
