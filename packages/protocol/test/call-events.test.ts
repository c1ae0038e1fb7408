import { describe, expect, it } from 'vitest';
import { utf8ByteLength, type ClientEventName } from '../src/index.js';
import { ascii, emoji, expectInvalid, expectValid } from './helpers.js';

const SDP_MAX_BYTES = 48 * 1024;

/** Every call event, with valid data around a given callId. */
const withCallId: Array<[ClientEventName, (callId: unknown) => Record<string, unknown>]> = [
  ['call.invite', (callId) => ({ callId, to: 'u-2', room: 'lobby', video: true })],
  ['call.accept', (callId) => ({ callId })],
  ['call.decline', (callId) => ({ callId })],
  ['call.offer', (callId) => ({ callId, sdp: 'v=0\r\n' })],
  ['call.answer', (callId) => ({ callId, sdp: 'v=0\r\n' })],
  ['call.candidate', (callId) => ({ callId, candidate: null })],
  ['call.bye', (callId) => ({ callId })],
  ['call.media', (callId) => ({ callId, audio: true, video: false })],
];

describe.each(withCallId)('callId of %s', (event, build) => {
  it.each([
    ['1 character', 'c'],
    ['64 ASCII characters', ascii(64)],
    ['64 emoji', emoji(64)],
    ['a uuid', '6f0e8a3c-2b1d-4e5f-9a8b-7c6d5e4f3a2b'],
    ['surrounding spaces, taken as sent', '  call 1  '],
    ['one space, taken as sent', ' '],
  ])('accepts %s', (_label, callId) => {
    expectValid(event, build(callId));
  });

  it.each([
    ['empty', ''],
    ['65 ASCII characters', ascii(65)],
    ['65 emoji', emoji(65)],
    ['a number', 7],
    ['null', null],
  ])('rejects a callId that is %s', (_label, callId) => {
    expectInvalid(event, build(callId), ['callId']);
  });

  it('rejects a missing callId', () => {
    const data = build('x');
    delete data.callId;
    expectInvalid(event, data, ['callId']);
  });
});

describe('call.invite', () => {
  const invite = (fields: Record<string, unknown>) => ({
    callId: 'call-1',
    to: 'u-2',
    room: 'lobby',
    video: true,
    ...fields,
  });

  it.each([true, false])('accepts video %s', (video) => {
    expectValid('call.invite', invite({ video }));
  });

  it.each([
    ['the string "true"', 'true'],
    ['1', 1],
    ['0', 0],
    ['null', null],
  ])('rejects video that is %s', (_label, video) => {
    expectInvalid('call.invite', invite({ video }), ['video']);
  });

  it('requires video', () => {
    expectInvalid('call.invite', { callId: 'call-1', to: 'u-2', room: 'lobby' }, ['video']);
  });

  it.each([
    ['a number', 2],
    ['null', null],
  ])('rejects to that is %s', (_label, to) => {
    expectInvalid('call.invite', invite({ to }), ['to']);
  });

  it('requires to', () => {
    expectInvalid('call.invite', { callId: 'call-1', room: 'lobby', video: true }, ['to']);
  });

  it('lists every failing key for empty data', () => {
    expectInvalid('call.invite', {}, ['callId', 'to', 'room', 'video']);
  });
});

describe('call.accept', () => {
  it('accepts a callId', () => {
    expectValid('call.accept', { callId: 'call-1' });
  });
});

/** The SDP-carrying events, with valid data around an `sdp`; `required` when it may not be left out. */
const withSdp: Array<[ClientEventName, boolean, (sdp: unknown) => Record<string, unknown>]> = [
  ['call.offer', true, (sdp) => ({ callId: 'call-1', sdp })],
  ['call.answer', true, (sdp) => ({ callId: 'call-1', sdp })],
  [
    'call.invite',
    false,
    (sdp) => ({ callId: 'call-1', to: 'u-2', room: 'lobby', video: true, sdp }),
  ],
  ['call.accept', false, (sdp) => ({ callId: 'call-1', sdp })],
];

describe.each(['call.decline', 'call.bye'] as const)('reason of %s', (event) => {
  it('is optional', () => {
    expectValid(event, { callId: 'call-1' });
  });

  it.each([
    ['a word', 'busy'],
    ['1 character', 'x'],
    ['64 ASCII characters', ascii(64)],
    ['64 emoji', emoji(64)],
    ['one space, taken as sent', ' '],
    ['surrounding spaces, taken as sent', '  no thanks  '],
  ])('accepts %s', (_label, reason) => {
    expectValid(event, { callId: 'call-1', reason });
  });

  it.each([
    ['empty', ''],
    ['65 ASCII characters', ascii(65)],
    ['65 emoji', emoji(65)],
    ['a number', 1],
    ['null', null],
    ['an object', { text: 'busy' }],
  ])('rejects a reason that is %s', (_label, reason) => {
    expectInvalid(event, { callId: 'call-1', reason }, ['reason']);
  });

  it('lists callId and reason together', () => {
    expectInvalid(event, { callId: '', reason: '' }, ['callId', 'reason']);
  });
});

describe.each(withSdp)('sdp of %s', (event, required, build) => {
  const realistic =
    'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n' +
    'm=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:111 opus/48000/2\r\n';

  it('accepts a realistic SDP (with CR LF)', () => {
    expectValid(event, build(realistic));
  });

  it('accepts 1 character', () => {
    expectValid(event, build('x'));
  });

  it.each([
    ['49152 ASCII bytes', ascii(SDP_MAX_BYTES)],
    ['24576 two-byte characters (49152 bytes)', 'é'.repeat(SDP_MAX_BYTES / 2)],
    ['16384 three-byte characters (49152 bytes)', '€'.repeat(SDP_MAX_BYTES / 3)],
    ['12288 four-byte characters (49152 bytes)', emoji(SDP_MAX_BYTES / 4)],
  ])('accepts exactly 48 KiB: %s', (_label, sdp) => {
    expect(utf8ByteLength(sdp)).toBe(SDP_MAX_BYTES);
    expectValid(event, build(sdp));
  });

  it.each([
    ['49153 ASCII bytes', ascii(SDP_MAX_BYTES + 1)],
    [
      '24577 two-byte characters (49154 bytes, 24577 code points)',
      'é'.repeat(SDP_MAX_BYTES / 2 + 1),
    ],
    ['16385 three-byte characters', '€'.repeat(SDP_MAX_BYTES / 3 + 1)],
    ['12288 four-byte characters plus one ASCII byte', `${emoji(SDP_MAX_BYTES / 4)}a`],
    ['30000 two-byte characters (far fewer code points than bytes)', 'é'.repeat(30000)],
  ])('rejects more than 48 KiB in UTF-8: %s', (_label, sdp) => {
    expect(utf8ByteLength(sdp)).toBeGreaterThan(SDP_MAX_BYTES);
    expectInvalid(event, build(sdp), ['sdp']);
  });

  it.each([
    ['empty', ''],
    ['a number', 1],
    ['null', null],
    ['an object', { type: 'offer', sdp: 'v=0' }],
  ])('rejects sdp that is %s', (_label, sdp) => {
    expectInvalid(event, build(sdp), ['sdp']);
  });

  it(required ? 'requires sdp' : 'leaves sdp optional', () => {
    const data = build('x');
    delete data.sdp;
    if (required) expectInvalid(event, data, ['sdp']);
    else expectValid(event, data);
  });
});

describe('call.candidate', () => {
  const line =
    'candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 0.0.0.0 rport 0';

  it.each([
    ['null (end of candidates)', null],
    [
      'every field set',
      { candidate: line, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: 'abcd' },
    ],
    ['sdpMid only', { candidate: line, sdpMid: 'audio' }],
    ['an empty sdpMid (not null)', { candidate: line, sdpMid: '' }],
    ['sdpMLineIndex 0 only', { candidate: line, sdpMLineIndex: 0 }],
    ['sdpMLineIndex 3 only', { candidate: line, sdpMLineIndex: 3 }],
    ['sdpMid with sdpMLineIndex null', { candidate: line, sdpMid: '0', sdpMLineIndex: null }],
    ['sdpMLineIndex with sdpMid null', { candidate: line, sdpMid: null, sdpMLineIndex: 1 }],
    ['sdpMid with usernameFragment null', { candidate: line, sdpMid: '0', usernameFragment: null }],
    ['an empty candidate string with sdpMid', { candidate: '', sdpMid: '0' }],
  ])('accepts a candidate that is %s', (_label, candidate) => {
    expectValid('call.candidate', { callId: 'call-1', candidate });
  });

  it.each([
    ['only candidate', { candidate: line }],
    ['an empty candidate string only', { candidate: '' }],
    [
      'every optional field null',
      { candidate: line, sdpMid: null, sdpMLineIndex: null, usernameFragment: null },
    ],
    ['usernameFragment only', { candidate: line, usernameFragment: 'frag' }],
    ['sdpMid null and sdpMLineIndex absent', { candidate: line, sdpMid: null }],
    ['sdpMLineIndex null and sdpMid absent', { candidate: line, sdpMLineIndex: null }],
  ])(
    'rejects a candidate a browser cannot add: %s (neither sdpMid nor sdpMLineIndex)',
    (_label, candidate) => {
      expectInvalid('call.candidate', { callId: 'call-1', candidate }, ['candidate']);
    },
  );

  it.each([
    ['an object without candidate', { sdpMid: '0' }],
    ['an empty object', {}],
    ['an object with candidate null', { candidate: null, sdpMid: '0' }],
    ['an object with a numeric candidate', { candidate: 5, sdpMid: '0' }],
    ['sdpMid a number', { candidate: line, sdpMid: 0 }],
    ['sdpMLineIndex negative', { candidate: line, sdpMLineIndex: -1 }],
    ['sdpMLineIndex a fraction', { candidate: line, sdpMLineIndex: 0.5 }],
    ['sdpMLineIndex a string', { candidate: line, sdpMLineIndex: '0' }],
    ['usernameFragment a number', { candidate: line, sdpMid: '0', usernameFragment: 1 }],
    ['a string', line],
    ['an array', [line]],
    ['a boolean', false],
  ])('rejects a candidate that is %s', (_label, candidate) => {
    expectInvalid('call.candidate', { callId: 'call-1', candidate }, ['candidate']);
  });

  it('requires candidate (null must be explicit)', () => {
    expectInvalid('call.candidate', { callId: 'call-1' }, ['candidate']);
  });

  it('lists callId and candidate together', () => {
    expectInvalid('call.candidate', { callId: '', candidate: {} }, ['callId', 'candidate']);
  });
});

describe('call.media', () => {
  it.each([
    [true, true],
    [true, false],
    [false, true],
    [false, false],
  ])('accepts audio %s and video %s', (audio, video) => {
    expectValid('call.media', { callId: 'call-1', audio, video });
  });

  it.each([
    ['missing', undefined],
    ['the string "true"', 'true'],
    ['1', 1],
    ['0', 0],
    ['null', null],
  ])('rejects audio and video that are %s', (_label, value) => {
    const data: Record<string, unknown> = { callId: 'call-1' };
    if (value !== undefined) {
      data.audio = value;
      data.video = value;
    }
    expectInvalid('call.media', data, ['audio', 'video']);
    expectInvalid('call.media', { ...data, audio: true }, ['video']);
    expectInvalid('call.media', { ...data, video: false }, ['audio']);
  });

  it('lists every failing key for empty data', () => {
    expectInvalid('call.media', {}, ['callId', 'audio', 'video']);
  });
});
