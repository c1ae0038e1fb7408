import {
  CLIENT_EVENTS,
  DEFAULT_LIMITS,
  PROTOCOL_BOUNDS,
  SERVER_EVENTS,
  containsIllFormedText,
  hasControlCharacter,
  hasControlCharacterOtherThanLineFeedOrTab,
  type ClientEventName,
} from '@duplex/protocol';
import fc, { type Arbitrary } from 'fast-check';

/**
 * Generators of client frames for the fuzz suite: mostly malformed, of every kind PROTOCOL.md
 * answers (not JSON, not an object, bad envelope, unknown event, each event's data broken field
 * by field), with some valid ones among them so the membership and state checks are reached.
 *
 * Values that only exist on the live server (the rooms of a run, user ids, call ids) are written
 * as placeholders and filled in by {@link materialize} just before sending.
 */

/** Placeholders for the values of one fuzz run. */
export const Placeholder = {
  /** A room the fuzzing session joins at the start of its run (its partner is in it too). */
  roomIn: '@@room-in@@',
  /** A room nobody joins unless a fuzz frame does. */
  roomOut: '@@room-out@@',
  /** The well-behaved pair's room: the fuzzing session never joins it. */
  peerRoom: '@@peer-room@@',
  /** The fuzzing session's own userId. */
  self: '@@self@@',
  /** The partner, a member of `roomIn`: the only user the fuzzing session can ring. */
  partner: '@@partner@@',
  /** A user of the well-behaved pair, member of `peerRoom` only. */
  peer: '@@peer@@',
  /** Call ids of the run: only these can start a call. */
  callA: '@@call-a@@',
  callB: '@@call-b@@',
} as const;
export type PlaceholderName = keyof typeof Placeholder;
export type PlaceholderValues = Record<PlaceholderName, string>;

const CALL_PLACEHOLDERS: ReadonlySet<unknown> = new Set([Placeholder.callA, Placeholder.callB]);

/** A generated frame: JSON text (with placeholders) or a binary frame. */
export type FuzzFrame = { kind: string; text: string } | { kind: string; binary: Uint8Array };

/**
 * The frame as the server receives it: placeholders replaced by the run's values, and the text
 * as UTF-8 carries it (a lone surrogate left raw by a mutation becomes U+FFFD; escaped in JSON,
 * as `\ud800`, it stays one).
 */
export function materialize(frame: FuzzFrame, values: PlaceholderValues): string | Buffer {
  if ('binary' in frame) return Buffer.from(frame.binary);
  let text = frame.text;
  for (const name of Object.keys(Placeholder) as PlaceholderName[]) {
    // The values are JSON string content: escaped as such, without the quotes.
    text = text.replaceAll(Placeholder[name], JSON.stringify(values[name]).slice(1, -1));
  }
  return Buffer.from(text, 'utf8').toString('utf8');
}

export function frameBytes(frame: FuzzFrame): number {
  return 'binary' in frame ? frame.binary.length : Buffer.byteLength(frame.text);
}

// ---- raw JSON numbers ----

/**
 * A JSON number written as given (`1e400`, `1.0`, `-0`): `JSON.stringify` cannot write these,
 * so the marker string is replaced by the literal after stringifying.
 */
const rawNumber = (literal: string) => `@@raw:${literal}@@`;
const RAW_NUMBER = /"@@raw:([-+.0-9eE]+)@@"/g;

function stringifyFrame(value: unknown, style: 'compact' | 'pretty' | 'padded'): string {
  const text =
    style === 'pretty' ? JSON.stringify(value, null, 2) : (JSON.stringify(value) ?? 'null');
  const padded = style === 'padded' ? ` \n\t${text}\r\n ` : text;
  return padded.replace(RAW_NUMBER, '$1');
}

// ---- strings ----

const LONE_SURROGATES = ['\ud800', '\udbff', '\udc00', '\udfff', '\udc00\ud800'];
const NUL = '\u0000';

/** Well-formed text without NUL, of any script, emoji included. */
function cleanString(constraints: { minLength?: number; maxLength?: number } = {}) {
  return fc
    .oneof(
      fc.string({ unit: 'grapheme', ...constraints }),
      fc.string({ unit: 'grapheme-ascii', ...constraints }),
      fc.string({ unit: 'binary', ...constraints }),
    )
    .map((value) => value.replaceAll(NUL, ' '));
}

/** A string holding a lone surrogate or a NUL somewhere. */
const illFormedString: Arbitrary<string> = fc
  .tuple(
    cleanString({ maxLength: 8 }),
    fc.constantFrom(...LONE_SURROGATES, NUL),
    cleanString({ maxLength: 8 }),
  )
  .map(([before, bad, after]) => `${before}${bad}${after}`);

/** Any JSON value, small, its strings well-formed or not. */
const junk: Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(rawNumber('1e400'), rawNumber('-1e400'), rawNumber('-0')),
    cleanString({ maxLength: 12 }),
    illFormedString,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(cleanString({ maxLength: 6 }), illFormedString), tie('value'), {
      maxKeys: 3,
    }),
  ),
})).value;

const notAString = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.array(junk, { maxLength: 2 }),
  fc.dictionary(cleanString({ maxLength: 4 }), junk, { maxKeys: 2 }),
);
const notABoolean = fc.oneof(
  fc.constant(null),
  fc.constantFrom('true', 'false', 0, 1, rawNumber('1.0')),
  fc.array(fc.boolean(), { maxLength: 1 }),
  fc.dictionary(cleanString({ maxLength: 4 }), junk, { maxKeys: 1 }),
);

/** `codePoints` strings taken as sent (ids, reasons): 1–64 code points, control characters allowed. */
function idLike(min: number, max: number) {
  return {
    valid: fc.oneof(
      cleanString({ minLength: min, maxLength: 12 }).filter((value) => value.length >= min),
      fc.constantFrom('x'.repeat(max), '😀'.repeat(max), 'a\u0001b\u007f', ' padded ', '\t'),
    ),
    invalid: fc.oneof(
      fc.constantFrom('', 'x'.repeat(max + 1), '😀'.repeat(max + 1)),
      illFormedString,
      notAString,
    ),
  };
}

// ---- the fields of each event ----

interface FieldSpec {
  valid: Arbitrary<unknown>;
  invalid: Arbitrary<unknown>;
}

const room = (withPeerRoom: boolean): FieldSpec => ({
  valid: fc.oneof(
    { weight: 5, arbitrary: fc.constant(Placeholder.roomIn) },
    { weight: 2, arbitrary: fc.constant(Placeholder.roomOut) },
    ...(withPeerRoom ? [{ weight: 1, arbitrary: fc.constant(Placeholder.peerRoom) }] : []),
    {
      weight: 2,
      arbitrary: fc
        .stringMatching(PROTOCOL_BOUNDS.roomPattern)
        .filter((name) => !name.startsWith('fz')),
    },
  ),
  invalid: fc.oneof(
    fc.constantFrom(
      '',
      'A',
      'Lobby',
      '-lobby',
      'a b',
      'a_b',
      'lobby\n',
      ' lobby',
      'é',
      'x'.repeat(41),
    ),
    cleanString({ maxLength: 10 }).filter((name) => !PROTOCOL_BOUNDS.roomPattern.test(name)),
    illFormedString,
    notAString,
  ),
});

const ids = idLike(1, PROTOCOL_BOUNDS.clientIdMaxChars);
const clientId: FieldSpec = ids;
const callId: FieldSpec = {
  valid: fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(Placeholder.callA, Placeholder.callB) },
    { weight: 2, arbitrary: ids.valid },
  ),
  invalid: ids.invalid,
};
const reason: FieldSpec = idLike(1, PROTOCOL_BOUNDS.reasonMaxChars);

const maxText = DEFAULT_LIMITS.maxTextChars;
const text: FieldSpec = {
  valid: fc.oneof(
    cleanString({ minLength: 1, maxLength: 40 }).filter(
      (value) =>
        value.trim().length > 0 && !hasControlCharacterOtherThanLineFeedOrTab(value.trim()),
    ),
    fc.constantFrom(
      'a\tb\nc',
      `  ${'a'.repeat(maxText)}\n`,
      '😀'.repeat(maxText),
      '\u000bhi\u000c',
      '\u3000hi\ufeff',
    ),
  ),
  invalid: fc.oneof(
    fc.constantFrom(
      '',
      '  \n\t ',
      '\u3000',
      'a'.repeat(maxText + 1),
      '😀'.repeat(maxText + 1),
      'a\u0001b',
      'a\rb',
      'a\u007fb',
      'a\u0085b',
      '\u009f',
    ),
    illFormedString,
    notAString,
  ),
};

const name: FieldSpec = {
  valid: fc.oneof(
    cleanString({ minLength: 1, maxLength: 12 }).filter(
      (value) => value.trim().length > 0 && !hasControlCharacter(value.trim()),
    ),
    fc.constantFrom('x'.repeat(32), ' 😀'.repeat(32), '  Ann  ', '\u3000Bob\u3000'),
  ),
  invalid: fc.oneof(
    fc.constantFrom(
      '',
      '   ',
      '\u3000',
      'x'.repeat(33),
      'a\tb',
      'a\nb',
      'a\u0085b',
      '\u0085',
      'a\u009fb',
    ),
    illFormedString,
    notAString,
  ),
};

/** An integer other than 1: unsupported_protocol, and the connection is closed 4002. */
const UNSUPPORTED_PROTOCOL = fc.constantFrom(0, 2, -1, 2 ** 53, 1e300);

const protocol: FieldSpec = {
  valid: fc.constantFrom(1, rawNumber('1.0'), rawNumber('1e0'), rawNumber('10e-1')),
  invalid: fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('1', 1.5, null, true, [1], rawNumber('1e400')) },
    { weight: 6, arbitrary: notAString.filter((value) => typeof value !== 'number') },
    { weight: 1, arbitrary: UNSUPPORTED_PROTOCOL },
  ),
};

const resume: FieldSpec = {
  valid: cleanString({ minLength: 1, maxLength: 40 }).filter((value) => value.length > 0),
  invalid: fc.oneof(fc.constant(''), illFormedString, notAString),
};

/** Whatever is presented is read as absent when unusable: only an ill-formed string is an error. */
const identity: FieldSpec = {
  valid: fc.oneof(
    fc.constant(null),
    cleanString({ maxLength: 20 }),
    fc.constantFrom('x'.repeat(PROTOCOL_BOUNDS.identityMaxChars + 1), 'forged.signature'),
    notAString,
  ),
  invalid: fc.oneof(illFormedString, fc.array(illFormedString, { minLength: 1, maxLength: 2 })),
};

const since: FieldSpec = {
  valid: fc.oneof(
    fc.nat(),
    fc.constantFrom(
      0,
      2 ** 31,
      2 ** 53 + 2,
      1e300,
      rawNumber('1e21'),
      rawNumber('5E2'),
      rawNumber('-0'),
      rawNumber('1e-400'),
    ),
  ),
  invalid: fc.oneof(
    fc.constantFrom(-1, 0.5, -1e300, '5', rawNumber('1e400'), rawNumber('2.5e-3')),
    notAString.filter((value) => typeof value !== 'number'),
    illFormedString,
  ),
};

const flag: FieldSpec = { valid: fc.boolean(), invalid: notABoolean };

const to: FieldSpec = {
  valid: fc.oneof(
    fc.constantFrom(Placeholder.self, Placeholder.partner, Placeholder.peer),
    cleanString({ minLength: 1, maxLength: 36 }).filter((value) => value.length > 0),
  ),
  invalid: fc.oneof(fc.constant(''), illFormedString, notAString),
};

const SDP_MAX = PROTOCOL_BOUNDS.sdpMaxBytes;
const sdp: FieldSpec = {
  valid: fc.oneof(
    {
      weight: 8,
      arbitrary: cleanString({ minLength: 1, maxLength: 60 }).filter((v) => v.length > 0),
    },
    { weight: 1, arbitrary: fc.constantFrom('a'.repeat(SDP_MAX), 'é'.repeat(SDP_MAX / 2)) },
  ),
  invalid: fc.oneof(
    { weight: 4, arbitrary: fc.constant('') },
    { weight: 1, arbitrary: fc.constantFrom('a'.repeat(SDP_MAX + 1), 'é'.repeat(SDP_MAX / 2 + 1)) },
    { weight: 4, arbitrary: illFormedString },
    { weight: 4, arbitrary: notAString },
  ),
};

const candidate: FieldSpec = {
  valid: fc.oneof(
    fc.constant(null),
    fc
      .record(
        {
          candidate: cleanString({ maxLength: 30 }),
          sdpMid: fc.oneof(cleanString({ maxLength: 3 }), fc.constant(null)),
          sdpMLineIndex: fc.oneof(fc.nat(), fc.constant(null), fc.constant(rawNumber('1e21'))),
          usernameFragment: fc.oneof(cleanString({ maxLength: 8 }), fc.constant(null)),
          extra: junk.filter((value) => !containsIllFormedText(value)),
        },
        { requiredKeys: ['candidate'] },
      )
      .filter((value) => value.sdpMid != null || value.sdpMLineIndex != null),
  ),
  invalid: fc.oneof(
    fc.constantFrom(
      { candidate: 'x' },
      { candidate: 'x', sdpMid: null, sdpMLineIndex: null },
      { sdpMid: '0' },
      { candidate: 5, sdpMid: '0' },
      { candidate: 'x', sdpMLineIndex: -1 },
      { candidate: 'x', sdpMLineIndex: 0.5 },
      { candidate: 'x', sdpMLineIndex: '0' },
      { candidate: 'x', sdpMid: 0 },
      { candidate: 'x', sdpMid: '0', usernameFragment: 7 },
      'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host',
      0,
      [],
    ),
    fc.record({ candidate: illFormedString, sdpMid: fc.constant('0') }),
  ),
};

const EVENT_FIELDS: Record<ClientEventName, Record<string, FieldSpec>> = {
  hello: { protocol, name, resume, identity },
  ping: {},
  'ice.refresh': {},
  'room.join': { room: room(false), since },
  'room.leave': { room: room(true) },
  'chat.send': { room: room(true), clientId, text },
  'chat.typing': { room: room(true), typing: flag },
  'call.invite': { callId, to, room: room(true), video: flag },
  'call.accept': { callId },
  'call.decline': { callId, reason },
  'call.offer': { callId, sdp },
  'call.answer': { callId, sdp },
  'call.candidate': { callId, candidate },
  'call.bye': { callId, reason },
  'call.media': { callId, audio: flag, video: flag },
};

/** Absent from the object once stringified. */
const ABSENT = undefined;

/** How often a field is valid, broken, or absent (valid when optional, broken when required). */
interface FieldOdds {
  valid: number;
  invalid: number;
  absent: number;
}
const MOSTLY_BROKEN: FieldOdds = { valid: 6, invalid: 3, absent: 1 };
const MOSTLY_VALID: FieldOdds = { valid: 16, invalid: 2, absent: 1 };

function fieldValue(spec: FieldSpec, odds: FieldOdds): Arbitrary<unknown> {
  return fc.oneof(
    { weight: odds.valid, arbitrary: spec.valid },
    { weight: odds.invalid, arbitrary: spec.invalid },
    { weight: odds.absent, arbitrary: fc.constant(ABSENT) },
  );
}

/** Keys a `data` object may carry besides its fields: junk, ill-formed keys or values. */
function extraKeys(reserved: readonly string[]): Arbitrary<Record<string, unknown>> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant({}) },
    {
      weight: 3,
      arbitrary: fc
        .dictionary(fc.oneof(cleanString({ maxLength: 8 }), illFormedString), junk, { maxKeys: 3 })
        .map((extra) =>
          Object.fromEntries(Object.entries(extra).filter(([key]) => !reserved.includes(key))),
        ),
    },
    {
      weight: 1,
      // Own keys named like Object.prototype's members (JSON.parse makes `__proto__` an own key).
      arbitrary: fc
        .constantFrom(
          '{"__proto__":{"polluted":true}}',
          '{"constructor":"x","toString":1,"hasOwnProperty":null}',
        )
        .map((text) => JSON.parse(text) as Record<string, unknown>),
    },
  );
}

/** `data` for `event`, each field valid, broken or absent, with extra keys now and then. */
function eventData(event: ClientEventName, aim: FrameAim): Arbitrary<Record<string, unknown>> {
  const fields = { ...EVENT_FIELDS[event], ...aim.fields };
  const names = Object.keys(EVENT_FIELDS[event]);
  const record = fc.record(
    Object.fromEntries(names.map((field) => [field, fieldValue(fields[field]!, aim.odds)])),
  ) as Arbitrary<Record<string, unknown>>;
  return fc.tuple(record, extraKeys(names)).map(([data, extra]) => {
    const merged: Record<string, unknown> = { ...extra };
    for (const [key, value] of Object.entries(data)) if (value !== ABSENT) merged[key] = value;
    // Only a call id of the run may start a call: the partner is rung with those alone.
    if (
      event === 'call.invite' &&
      !CALL_PLACEHOLDERS.has(merged.callId) &&
      merged.to === Placeholder.partner
    ) {
      merged.to = Placeholder.peer;
    }
    return merged;
  });
}

// ---- envelopes ----

const validId = fc.oneof(
  cleanString({ minLength: 1, maxLength: 16 }).filter((value) => value.length > 0),
  fc.constantFrom('x'.repeat(PROTOCOL_BOUNDS.idMaxChars), '😀'.repeat(PROTOCOL_BOUNDS.idMaxChars)),
);
const invalidId = fc.oneof(
  fc.constantFrom('', 'x'.repeat(PROTOCOL_BOUNDS.idMaxChars + 1), 7, 0, null, true, [], {}),
  illFormedString,
);
const idChoice = fc.oneof(
  { weight: 4, arbitrary: fc.constant(ABSENT) },
  { weight: 5, arbitrary: validId },
  { weight: 2, arbitrary: invalidId },
);

const SPECIAL_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'ack',
  'error',
  'exception',
  'PING',
  'Hello',
  ' ping',
  'ping ',
  'chat.send.',
  'chat',
  'call.',
  'room.join\u0001',
  ...SERVER_EVENTS,
];

const eventName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...CLIENT_EVENTS) },
  { weight: 3, arbitrary: fc.constantFrom(...SPECIAL_NAMES) },
  {
    weight: 2,
    arbitrary: cleanString({ minLength: 1, maxLength: 20 }).filter((v) => v.length > 0),
  },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: illFormedString },
  { weight: 2, arbitrary: notAString },
  { weight: 1, arbitrary: fc.constant(ABSENT) },
);

const dataValue = fc.oneof(
  { weight: 3, arbitrary: fc.dictionary(cleanString({ maxLength: 6 }), junk, { maxKeys: 3 }) },
  { weight: 1, arbitrary: fc.constant({}) },
  {
    weight: 3,
    arbitrary: notAString.filter(
      (value) => typeof value !== 'object' || value === null || Array.isArray(value),
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom('{}', ABSENT) },
);

const style = fc.constantFrom<'compact' | 'pretty' | 'padded'>(
  'compact',
  'compact',
  'compact',
  'pretty',
  'padded',
);

function envelope(event: unknown, data: unknown, id: unknown, extra: Record<string, unknown>) {
  const frame: Record<string, unknown> = { ...extra };
  if (event !== ABSENT) frame.event = event;
  if (data !== ABSENT) frame.data = data;
  if (id !== ABSENT) frame.id = id;
  return frame;
}

const envelopeExtra = fc.oneof(
  { weight: 8, arbitrary: fc.constant({}) },
  {
    weight: 2,
    arbitrary: fc
      .dictionary(fc.oneof(cleanString({ maxLength: 6 }), illFormedString), junk, { maxKeys: 2 })
      .map((extra) =>
        Object.fromEntries(
          Object.entries(extra).filter(([key]) => !['event', 'data', 'id'].includes(key)),
        ),
      ),
  },
);

/** A frame of one client event, its data broken field by field (or valid now and then). */
/** Which values the fields of a frame take, and how often they are broken. */
interface FrameAim {
  odds: FieldOdds;
  /** Field specs replacing the general ones. */
  fields?: Record<string, FieldSpec>;
}

function eventFrame(
  events: readonly ClientEventName[],
  aim: FrameAim = { odds: MOSTLY_BROKEN },
): Arbitrary<FuzzFrame> {
  return fc
    .constantFrom(...events)
    .chain((event) =>
      fc.tuple(fc.constant(event), eventData(event, aim), idChoice, envelopeExtra, style),
    )
    .map(([event, data, id, extra, how]) => ({
      kind: `event:${event}`,
      text: stringifyFrame(envelope(event, data, id, extra), how),
    }));
}

/** An envelope whose `event`, `data` or `id` may have any type. */
const looseEnvelopeFrame: Arbitrary<FuzzFrame> = fc
  .tuple(eventName, dataValue, idChoice, envelopeExtra, style)
  .map(([event, data, id, extra, how]) => ({
    kind: 'envelope',
    text: stringifyFrame(envelope(event, data, id, extra), how),
  }));

const notJson: Arbitrary<FuzzFrame> = fc
  .oneof(
    fc.constantFrom(
      '',
      ' ',
      '{',
      '}',
      '{"event":',
      '{"event":"ping","data":{}',
      "{'event':'ping','data':{}}",
      '{event:"ping",data:{}}',
      '{"event":"ping","data":{},}',
      'undefined',
      'NaN',
      'Infinity',
      '\ufeff{"event":"ping","data":{}}',
      '{"event":"ping","data":{}}{"event":"ping","data":{}}',
      '{"event":"ping","data":{"a":01}}',
      '{"event":"ping","data":{"a":"\\x41"}}',
      '{"event":"ping","data":{"a":"\\ud8"}}',
      '{"event":"ping","data":{}} //',
    ),
    cleanString({ maxLength: 30 }),
  )
  .map((text) => ({ kind: 'not-json', text }));

const jsonNotObject: Arbitrary<FuzzFrame> = fc
  .oneof(
    fc.constantFrom('null', 'true', '0', '-1e400', '"ping"', '[]', '[{"event":"ping","data":{}}]'),
    fc
      .jsonValue({ maxDepth: 2 })
      .filter((value) => typeof value !== 'object' || value === null || Array.isArray(value))
      .map((value) => JSON.stringify(value)),
  )
  .map((text) => ({ kind: 'json-not-object', text }));

/** Hand-written texts for JSON's corners: duplicate keys (the last wins), escaped keys. */
const trickyJson: Arbitrary<FuzzFrame> = fc
  .constantFrom(
    '{"event":"ping","data":{},"id":"a","id":5}',
    '{"event":"ping","data":{},"id":5,"id":"last"}',
    '{"event":"nope","event":"ping","data":{},"id":"dup-event"}',
    '{"event":"ping","data":[],"data":{},"id":"dup-data"}',
    '{"\\u0065vent":"ping","\\u0064ata":{},"\\u0069d":"escaped-keys"}',
    '{"event":"p\\u0069ng","data":{},"id":"\\ud83d\\ude00"}',
    '{"event":"ping","data":{},"id":"\\ud83d"}',
    '{"event":"ping","data":{"__proto__":{"x":1}},"id":"proto"}',
    '{"__proto__":{"event":"ping"},"data":{},"id":"proto-envelope"}',
    '{"event":"chat.send","data":{"room":"@@room-in@@","clientId":"c","text":"hi","text":""},"id":"dup-text"}',
    '{"event":"ping","data":{},"id":"a\\u0000b"}',
    '{"event":"hello","data":{"protocol":1,"name":"x","name":"\\u0000"},"id":"dup-name"}',
  )
  .map((text) => ({ kind: 'tricky-json', text }));

/** A frame cut short or with a byte changed: mostly not JSON any more. */
function mutated(source: Arbitrary<FuzzFrame>): Arbitrary<FuzzFrame> {
  return fc
    .tuple(
      source.filter((frame): frame is { kind: string; text: string } => 'text' in frame),
      fc.nat(),
      fc.constantFrom('cut', 'drop', 'insert'),
      fc.constantFrom('"', '{', '}', ',', ':', '\\', ']', 'x', '\u0000'),
    )
    .map(([frame, at, how, char]) => {
      const pos = frame.text.length === 0 ? 0 : at % frame.text.length;
      const text =
        how === 'cut'
          ? frame.text.slice(0, pos)
          : how === 'drop'
            ? frame.text.slice(0, pos) + frame.text.slice(pos + 1)
            : frame.text.slice(0, pos) + char + frame.text.slice(pos);
      return { kind: `mutated:${frame.kind}`, text };
    });
}

const binaryFrame: Arbitrary<FuzzFrame> = fc
  .oneof(
    fc.uint8Array({ maxLength: 64 }),
    fc.constant(new Uint8Array(Buffer.from('{"event":"ping","data":{},"id":"binary"}'))),
  )
  .map((binary) => ({ kind: 'binary', binary }));

/**
 * Nesting deep enough to exhaust a recursive walk of the value (a few thousand levels fit in a
 * frame of a few KiB); the frame is otherwise valid.
 */
const deepNesting: Arbitrary<FuzzFrame> = fc
  .tuple(
    fc.integer({ min: 2_000, max: 20_000 }),
    fc.constantFrom('array', 'object'),
    fc.constantFrom('data', 'envelope', 'identity'),
    idChoice,
  )
  .map(([depth, shape, where, id]) => {
    const nested =
      shape === 'array'
        ? '['.repeat(depth) + ']'.repeat(depth)
        : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const idPart = id === ABSENT ? '' : `,"id":${JSON.stringify(id)}`;
    const text =
      where === 'data'
        ? `{"event":"ping","data":{"deep":${nested}}${idPart}}`
        : where === 'envelope'
          ? `{"event":"ping","data":{},"deep":${nested}${idPart}}`
          : `{"event":"hello","data":{"protocol":1,"name":"deep","identity":${nested}}${idPart}}`;
    return { kind: `deep:${where}`, text };
  });

export interface FuzzFrameOptions {
  /** Include frames nested a few thousand levels deep. */
  deepNesting?: boolean;
}

/** Every kind of client frame, malformed mostly; none larger than `maxBytes`. */
export function fuzzFrame(maxBytes: number, options: FuzzFrameOptions = {}): Arbitrary<FuzzFrame> {
  const events = eventFrame(CLIENT_EVENTS);
  return fc
    .oneof(
      { weight: 30, arbitrary: events },
      { weight: 8, arbitrary: looseEnvelopeFrame },
      { weight: 4, arbitrary: notJson },
      { weight: 3, arbitrary: jsonNotObject },
      { weight: 2, arbitrary: trickyJson },
      { weight: 4, arbitrary: mutated(events) },
      { weight: 3, arbitrary: binaryFrame },
      ...(options.deepNesting ? [{ weight: 1, arbitrary: deepNesting }] : []),
    )
    .filter((frame) => frameBytes(frame) <= maxBytes);
}

/**
 * Frames aimed at the states of the run's calls: mostly valid, with the run's call ids, invites
 * to the partner in its room (the second is `busy`, a live id `bad_message`), then anything
 * about them (`bad_state` while ringing, `not_in_call` once ended).
 */
export function callFrame(maxBytes: number): Arbitrary<FuzzFrame> {
  const aim: FrameAim = {
    odds: MOSTLY_VALID,
    fields: {
      callId: {
        valid: fc.constantFrom(Placeholder.callA, Placeholder.callB),
        invalid: ids.invalid,
      },
      to: {
        valid: fc.oneof(
          { weight: 6, arbitrary: fc.constant(Placeholder.partner) },
          { weight: 1, arbitrary: to.valid },
        ),
        invalid: to.invalid,
      },
      room: { valid: fc.constant(Placeholder.roomIn), invalid: room(true).invalid },
    },
  };
  return eventFrame(
    [
      'call.invite',
      'call.invite',
      'call.accept',
      'call.decline',
      'call.offer',
      'call.candidate',
      'call.media',
      'call.bye',
    ],
    aim,
  ).filter((frame) => frameBytes(frame) <= maxBytes);
}

/**
 * `hello` frames of every kind, for a connection that has not said one: broken ones are
 * refused and leave it unauthenticated; one with another protocol version closes it 4002.
 */
export function helloFrame(maxBytes: number): Arbitrary<FuzzFrame> {
  const aim: FrameAim = {
    odds: MOSTLY_BROKEN,
    fields: {
      protocol: {
        valid: protocol.valid,
        invalid: fc.oneof(
          { weight: 2, arbitrary: protocol.invalid },
          { weight: 1, arbitrary: UNSUPPORTED_PROTOCOL },
        ),
      },
    },
  };
  return eventFrame(['hello'], aim).filter((frame) => frameBytes(frame) <= maxBytes);
}

export { deepNesting as deepNestingFrame };
