import { describe, expect, it } from 'vitest';
import {
  containsIllFormedText,
  decode,
  decodeEnvelope,
  errorFrame,
  isWellFormedText,
  type ClientEventName,
} from '../src/index.js';
import {
  ILL_FORMED,
  emoji,
  expectBadMessage,
  expectFailure,
  expectInvalid,
  expectValid,
  frame,
} from './helpers.js';

// PROTOCOL.md, Envelope, text rules (r2): every string, anywhere in a frame, is well-formed
// Unicode without U+0000; a lone surrogate or a NUL is bad_message naming that field (`data`
// when it is not one of the named fields).

const line = 'candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host';

/** Where a string sits in valid `data` of an event, and the field a bad_message names for it. */
const stringFields: Array<
  [ClientEventName, string, (value: string) => Record<string, unknown>, string]
> = [
  ['hello', 'name', (v) => ({ protocol: 1, name: `Al${v}ice` }), 'name'],
  ['hello', 'resume', (v) => ({ protocol: 1, name: 'Alice', resume: `tok${v}` }), 'resume'],
  // The string rule covers identity too: an ill-formed identity is bad_message, not read as absent.
  ['hello', 'identity', (v) => ({ protocol: 1, name: 'Alice', identity: `id${v}` }), 'identity'],
  ['room.join', 'room', (v) => ({ room: `lobby${v}` }), 'room'],
  ['chat.send', 'clientId', (v) => ({ room: 'lobby', clientId: `c${v}1`, text: 'hi' }), 'clientId'],
  ['chat.send', 'text', (v) => ({ room: 'lobby', clientId: 'c-1', text: `h${v}i` }), 'text'],
  [
    'call.invite',
    'callId',
    (v) => ({ callId: `call${v}`, to: 'u-2', room: 'lobby', video: true }),
    'callId',
  ],
  [
    'call.invite',
    'to',
    (v) => ({ callId: 'call-1', to: `u-${v}`, room: 'lobby', video: true }),
    'to',
  ],
  ['call.decline', 'reason', (v) => ({ callId: 'call-1', reason: `no${v}` }), 'reason'],
  ['call.bye', 'reason', (v) => ({ callId: 'call-1', reason: `${v}bye` }), 'reason'],
  ['call.offer', 'sdp', (v) => ({ callId: 'call-1', sdp: `v=0\r\n${v}` }), 'sdp'],
  ['call.answer', 'sdp', (v) => ({ callId: 'call-1', sdp: `v=0${v}\r\n` }), 'sdp'],
  [
    'call.candidate',
    'candidate.candidate',
    (v) => ({ callId: 'call-1', candidate: { candidate: `${line}${v}`, sdpMid: '0' } }),
    'candidate',
  ],
  [
    'call.candidate',
    'candidate.sdpMid',
    (v) => ({ callId: 'call-1', candidate: { candidate: line, sdpMid: v } }),
    'candidate',
  ],
  [
    'call.candidate',
    'candidate.usernameFragment',
    (v) => ({
      callId: 'call-1',
      candidate: { candidate: line, sdpMLineIndex: 0, usernameFragment: `uf${v}` },
    }),
    'candidate',
  ],
  ['call.media', 'callId', (v) => ({ callId: v, audio: true, video: true }), 'callId'],
];

describe('a string of data', () => {
  describe.each(ILL_FORMED)('holding %s', (_label, bad) => {
    it.each(stringFields)('%s %s is bad_message naming that field', (event, _at, build, field) => {
      expectInvalid(event, build(bad), [field]);
    });
  });

  // A room name is ASCII by its pattern, so it cannot hold a pair at all.
  it.each(stringFields.filter(([, at]) => at !== 'room'))(
    '%s %s accepts a valid surrogate pair (emoji)',
    (event, _at, build) => {
      expectValid(event, build('😀'));
    },
  );
});

describe('ill-formed text outside the named fields of data', () => {
  const leave = (extra: Record<string, unknown>) => ({ room: 'lobby', ...extra });

  describe.each(ILL_FORMED)('%s', (_label, bad) => {
    it('in the value of an unknown key names data', () => {
      expectInvalid('room.leave', leave({ note: `x${bad}` }), ['data']);
      expectInvalid('ping', { note: bad }, ['data']);
    });

    it('deep inside an unknown key names data', () => {
      expectInvalid('room.leave', leave({ note: { list: [1, { deep: [`x${bad}`] }] } }), ['data']);
    });

    it('as an unknown key names data', () => {
      expectInvalid('room.leave', leave({ [`k${bad}`]: 1 }), ['data']);
      expectInvalid('ping', { [bad]: 'x' }, ['data']);
    });

    it('as a key inside a named field names that field', () => {
      expectInvalid(
        'call.candidate',
        { callId: 'call-1', candidate: { candidate: line, sdpMid: '0', [bad]: 'x' } },
        ['candidate'],
      );
    });

    it('in a named field and an unknown key names both', () => {
      expectInvalid('chat.send', { room: 'lobby', clientId: 'c-1', text: bad, note: bad }, [
        'text',
        'data',
      ]);
    });

    it('is checked after the event name: an unknown event is unknown_event', () => {
      const error = expectFailure(decode(frame('chat.sned', { text: bad }, 'u-1')));
      expect(error.code).toBe('unknown_event');
      expect(error.id).toBe('u-1');
    });

    it('is checked after the envelope: an invalid id is named first', () => {
      expectBadMessage(decode(frame('room.leave', { room: 'lobby', note: bad }, 7)), ['id']);
    });
  });

  it('a valid surrogate pair in an unknown key or its value passes', () => {
    expectValid(
      'room.leave',
      { room: 'lobby', '😀': '😀', note: { deep: [emoji(3)] } },
      {
        room: 'lobby',
      },
    );
  });

  it.each([
    ['a control character in a string taken as sent (callId U+0001)', { callId: 'a\u0001b' }],
    ['a noncharacter (U+FFFF) in callId', { callId: 'a\uffff' }],
    ['a noncharacter (U+FFFE) in an unknown key', { callId: 'c', '\ufffe': '\uffff' }],
  ])('only lone surrogates and U+0000 break the rule: %s passes', (_label, data) => {
    expectValid('call.accept', data, { callId: data.callId });
  });
});

describe('ill-formed text in the envelope', () => {
  describe.each(ILL_FORMED)('%s', (_label, bad) => {
    it('in id is bad_message naming id, answered without id', () => {
      const error = expectBadMessage(decode(frame('ping', {}, `r-${bad}`)), ['id']);
      expect(errorFrame(error)).not.toHaveProperty('id');
      expectBadMessage(decodeEnvelope(frame('ping', {}, bad)), ['id']);
    });

    it('in event is bad_message naming event (not unknown_event)', () => {
      expectBadMessage(decode(frame(`ping${bad}`, {})), ['event']);
      expectBadMessage(decodeEnvelope(frame(bad, {})), ['event']);
    });

    it('in event carries a valid id', () => {
      expectBadMessage(decode(frame(`ping${bad}`, {}, 'r-1')), ['event'], 'r-1');
    });

    it('in event and id names both', () => {
      expectBadMessage(decode(frame(bad, {}, bad)), ['event', 'id']);
    });

    // "Every string, anywhere in a frame": a key of the envelope that is none of event, data and
    // id is not one of the named fields.
    it('in an unknown envelope key is bad_message naming data', () => {
      const text = JSON.stringify({ event: 'ping', data: {}, note: `x${bad}` });
      expectBadMessage(decode(text), ['data']);
    });
  });

  it('a valid surrogate pair in id passes', () => {
    expect(decode(frame('ping', {}, '😀-1'))).toEqual({
      ok: true,
      value: { event: 'ping', data: {}, id: '😀-1' },
    });
  });
});

describe('isWellFormedText', () => {
  it.each([
    ['empty', ''],
    ['ASCII', 'hello'],
    ['a surrogate pair', '😀'],
    ['pairs back to back', '😀🚀👍'],
    ['text around a pair', 'a😀b'],
    ['the first and last astral code points', '\u{10000}\u{10ffff}'],
    ['control characters other than NUL', '\u0001\n\t\u007f\u009f'],
    ['noncharacters', '\ufffe\uffff'],
    ['U+D7FF and U+E000 (either side of the surrogates)', '\ud7ff\ue000'],
  ])('is true for %s', (_label, value) => {
    expect(isWellFormedText(value)).toBe(true);
  });

  it.each([
    ['a lone high surrogate', '\ud800'],
    ['a lone low surrogate', '\udc00'],
    ['the last high surrogate alone', '\udbff'],
    ['the last low surrogate alone', '\udfff'],
    ['a high surrogate at the end', 'ab\ud83d'],
    ['a low surrogate at the start', '\ude00ab'],
    ['a reversed pair', '\ude00\ud83d'],
    ['two high surrogates', '\ud83d\ud83d'],
    ['a pair followed by a lone low surrogate', '😀\ude00'],
    ['a lone high surrogate before a pair', '\ud83d😀'],
    ['a NUL', '\u0000'],
    ['a NUL inside text', 'a\u0000b'],
    ['a NUL after a pair', '😀\u0000'],
  ])('is false for %s', (_label, value) => {
    expect(isWellFormedText(value)).toBe(false);
  });

  it('is false exactly for a NUL or a surrogate on its own, over every UTF-16 code unit', () => {
    for (let unit = 0; unit <= 0xffff; unit++) {
      const alone = unit === 0 || (unit >= 0xd800 && unit <= 0xdfff);
      if (isWellFormedText(`a${String.fromCharCode(unit)}b`) === alone) {
        throw new Error(`U+${unit.toString(16)}: expected ${String(!alone)}`);
      }
    }
  });

  it('is true for every high surrogate followed by every 64th low surrogate', () => {
    for (let high = 0xd800; high <= 0xdbff; high++) {
      for (let low = 0xdc00; low <= 0xdfff; low += 64) {
        if (!isWellFormedText(String.fromCharCode(high, low))) {
          throw new Error(`pair ${high.toString(16)} ${low.toString(16)} refused`);
        }
      }
    }
  });
});

describe('containsIllFormedText', () => {
  it.each([
    ['a well-formed string', 'a😀'],
    ['a number', 1],
    ['a boolean', false],
    ['null', null],
    ['undefined', undefined],
    ['an empty object', {}],
    ['an empty array', []],
    ['nested well-formed values', { a: ['x', { '😀': [1, null, 'y'] }], b: { c: 'z' } }],
  ])('is false for %s', (_label, value) => {
    expect(containsIllFormedText(value)).toBe(false);
  });

  describe.each(ILL_FORMED)('is true for %s', (_label, bad) => {
    it.each([
      ['as a string', bad],
      ['in an array', ['ok', bad]],
      ['as an object value', { a: 'ok', b: bad }],
      ['as an object key', { [bad]: 1 }],
      ['inside a key', { [`k${bad}k`]: 'ok' }],
      ['deep inside arrays and objects', { a: [{ b: [[{ c: `x${bad}` }]] }] }],
      ['as a deep key', [{ a: { [bad]: null } }]],
    ])('%s', (_where, value) => {
      expect(containsIllFormedText(value)).toBe(true);
    });
  });
});

describe('containsIllFormedText on deep values', () => {
  it('walks a value nested 100,000 levels deep without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}"\\ud800"${']'.repeat(100_000)}`) as unknown;
    expect(containsIllFormedText(deep)).toBe(true);
    const clean = JSON.parse(`${'['.repeat(100_000)}"ok"${']'.repeat(100_000)}`) as unknown;
    expect(containsIllFormedText(clean)).toBe(false);
  });
});
