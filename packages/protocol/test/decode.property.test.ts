import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CLIENT_EVENTS,
  ERROR_CODES,
  SERVER_EVENTS,
  clientEventSchemas,
  createClientEventSchemas,
  decode,
  decodeServerFrame,
  containsIllFormedText,
  errorFrame,
  isWellFormedText,
  type ClientEventName,
  type Decoded,
} from '../src/index.js';
import { frame } from './helpers.js';

// ---- spec oracles, written from PROTOCOL.md independently of the source ----

const isCc = (cp: number) => cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f);
const codePoints = (s: string) => [...s].map((c) => c.codePointAt(0) ?? 0);
const isHigh = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/** Well-formed Unicode without U+0000: every surrogate in a pair, no NUL. */
function specWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    if (unit === 0) return false;
    if (isHigh(unit)) {
      if (!isLow(s.charCodeAt(i + 1))) return false;
      i++;
    } else if (isLow(unit)) {
      return false;
    }
  }
  return true;
}

/** Whether any string in a JSON value, keys included, is not {@link specWellFormed}. */
function specHoldsIllFormed(value: unknown): boolean {
  if (typeof value === 'string') return !specWellFormed(value);
  if (Array.isArray(value)) return value.some(specHoldsIllFormed);
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).some(
      ([key, item]) => !specWellFormed(key) || specHoldsIllFormed(item),
    );
  }
  return false;
}

function specTextValid(text: string, maxChars: number): boolean {
  const cps = codePoints(text.trim());
  return (
    specWellFormed(text) &&
    cps.length >= 1 &&
    cps.length <= maxChars &&
    cps.every((cp) => !isCc(cp) || cp === 0x0a || cp === 0x09)
  );
}

function specNameValid(name: string): boolean {
  const cps = codePoints(name.trim());
  return (
    specWellFormed(name) && cps.length >= 1 && cps.length <= 32 && cps.every((cp) => !isCc(cp))
  );
}

const specRoomValid = (room: string) => /^[a-z0-9][a-z0-9-]{0,39}$/.test(room);
const specIdValid = (id: string) =>
  specWellFormed(id) && codePoints(id).length >= 1 && codePoints(id).length <= 64;

// ---- generators ----

/** Single characters biased towards the interesting ones: whitespace, Cc, astral, lone surrogates. */
const trickyChar = fc.oneof(
  fc.constantFrom(
    ' ',
    '\n',
    '\t',
    '\r',
    '\u000b',
    '\u000c',
    '\u0000',
    '\u001b',
    '\u007f',
    '\u0085',
    '\u009f',
    '\u00a0',
  ),
  fc.constantFrom('\u2028', '\u2029', '\u3000', '\ufeff', '\u200b', '😀', 'é', '\ud800', '\udfff'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
);
const trickyString = (maxLength: number) => fc.string({ unit: trickyChar, maxLength });
/** Any UTF-16 code unit, lone surrogates and NUL included, with those made frequent. */
const codeUnit = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)),
  fc.constantFrom('\u0000', '😀', 'a'),
);
/** A lone surrogate of either half, or U+0000: what the well-formed rule refuses. */
const illFormedUnit = fc.oneof(
  fc.integer({ min: 0xd800, max: 0xdfff }).map((unit) => String.fromCharCode(unit)),
  fc.constant('\u0000'),
);
/** Strings of every length in [min, max] code points. */
const lengthAround = (min: number, max: number) =>
  fc.integer({ min, max }).chain((n) => fc.string({ unit: 'binary', minLength: n, maxLength: n }));

/** A non-Cc code point (or LF / TAB / space), as allowed inside chat text. */
const textChar = fc.oneof(
  fc.constantFrom('\n', '\t', ' '),
  fc
    .integer({ min: 0x20, max: 0x10ffff })
    .filter((cp) => !isCc(cp) && (cp < 0xd800 || cp > 0xdfff))
    .map((cp) => String.fromCodePoint(cp)),
);
const padding = fc.string({
  unit: fc.constantFrom(' ', '\n', '\t', '\r', '\u00a0', '\u3000', '\ufeff'),
  maxLength: 4,
});

const validRoom = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,39}$/);
const validClientId = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 64 })
  .filter(specWellFormed);
const validText = fc
  .tuple(padding, fc.string({ unit: textChar, minLength: 1, maxLength: 300 }), padding)
  .map(([a, core, b]) => a + core + b)
  .filter((text) => specTextValid(text, 4000));
const validId = fc.string({ unit: 'binary', minLength: 1, maxLength: 64 }).filter(specWellFormed);

const dataKeys = [
  'protocol',
  'name',
  'resume',
  'room',
  'since',
  'clientId',
  'text',
  'typing',
  'callId',
  'to',
  'video',
  'reason',
  'sdp',
  'candidate',
  '__proto__',
  'constructor',
];
const nearData = fc.dictionary(fc.constantFrom(...dataKeys), fc.jsonValue());

// ---- invariants ----

const DECODE_CODES = ['bad_json', 'bad_message', 'unknown_event', 'unsupported_protocol'];

function checkFailureShape<T>(result: Decoded<T>): void {
  if (result.ok) return;
  const { error } = result;
  expect(ERROR_CODES).toContain(error.code);
  expect(typeof error.message).toBe('string');
  expect(error.message.length).toBeGreaterThan(0);
  // `fields` belongs to bad_message alone.
  if (error.code !== 'bad_message') expect(error.fields).toBeUndefined();
  else if (error.fields !== undefined) expect(Array.isArray(error.fields)).toBe(true);
}

function checkClientResult(result: ReturnType<typeof decode>): void {
  checkFailureShape(result);
  if (result.ok) {
    expect(CLIENT_EVENTS).toContain(result.value.event);
    if (result.value.id !== undefined) expect(specIdValid(result.value.id)).toBe(true);
    return;
  }
  expect(DECODE_CODES).toContain(result.error.code);
  if (result.error.code === 'bad_message') expect(result.error.fields?.length).toBeGreaterThan(0);
  if (result.error.id !== undefined) expect(specIdValid(result.error.id)).toBe(true);
}

function checkServerResult(result: ReturnType<typeof decodeServerFrame>): void {
  checkFailureShape(result);
  if (!result.ok) expect(['bad_json', 'bad_message']).toContain(result.error.code);
}

const safeDecode = (text: string) => {
  let result: ReturnType<typeof decode> | undefined;
  expect(() => {
    result = decode(text);
  }).not.toThrow();
  checkClientResult(result!);
  return result!;
};

const safeDecodeServer = (text: string) => {
  let result: ReturnType<typeof decodeServerFrame> | undefined;
  expect(() => {
    result = decodeServerFrame(text);
  }).not.toThrow();
  checkServerResult(result!);
  return result!;
};

// ---- properties ----

describe('decode never throws', () => {
  it('on arbitrary ASCII strings', () => {
    fc.assert(fc.property(fc.string(), (s) => void safeDecode(s)));
  });

  it('on arbitrary Unicode strings (any code point)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => void safeDecode(s)));
  });

  it('on arbitrary grapheme strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => void safeDecode(s)));
  });

  it('on JSON.stringify of arbitrary JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => void safeDecode(JSON.stringify(v))));
  });

  it('on JSON.stringify of arbitrary values', () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        const text = JSON.stringify(v) as string | undefined;
        void safeDecode(text ?? 'undefined');
      }),
    );
  });

  it('non-object JSON is always bad_json', () => {
    fc.assert(
      fc.property(
        fc.jsonValue().filter((v) => typeof v !== 'object' || v === null || Array.isArray(v)),
        (v) => {
          const result = safeDecode(JSON.stringify(v));
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.error.code).toBe('bad_json');
        },
      ),
    );
  });

  it('on envelopes with a real event name and arbitrary data (fc.object)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CLIENT_EVENTS),
        fc.object(),
        fc.option(validId, { nil: undefined }),
        (event, data, id) => {
          const result = safeDecode(frame(event, data, id));
          checkEnvelopeResult(event, id, result);
        },
      ),
    );
  });

  it('on envelopes with a real event name and data using the protocol keys with arbitrary values', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CLIENT_EVENTS),
        nearData,
        fc.option(validId, { nil: undefined }),
        (event, data, id) => {
          const result = safeDecode(frame(event, data, id));
          checkEnvelopeResult(event, id, result);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('on envelopes with arbitrary event, data and id values', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            event: fc.oneof(fc.constantFrom(...CLIENT_EVENTS), fc.jsonValue()),
            data: fc.jsonValue(),
            id: fc.jsonValue(),
          },
          { requiredKeys: [] },
        ),
        (envelope) => void safeDecode(JSON.stringify(envelope)),
      ),
    );
  });
});

/** With a valid envelope, only the data schema (or the protocol version) can fail. */
function checkEnvelopeResult(
  event: ClientEventName,
  id: string | undefined,
  result: ReturnType<typeof decode>,
): void {
  if (result.ok) {
    expect(result.value.event).toBe(event);
    expect(result.value.id).toBe(id);
    return;
  }
  const { error } = result;
  expect(error.id).toBe(id);
  if (event === 'hello') expect(['bad_message', 'unsupported_protocol']).toContain(error.code);
  else expect(error.code).toBe('bad_message');
  if (error.code === 'bad_message') {
    // `data` names ill-formed text outside the keys of the event.
    const keys = [...Object.keys(clientEventSchemas[event].shape), 'data'];
    for (const field of error.fields ?? []) expect(keys).toContain(field);
  }
}

describe('decodeServerFrame never throws', () => {
  it('on arbitrary ASCII strings', () => {
    fc.assert(fc.property(fc.string(), (s) => void safeDecodeServer(s)));
  });

  it('on arbitrary Unicode strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => void safeDecodeServer(s)));
  });

  it('on JSON.stringify of arbitrary JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => void safeDecodeServer(JSON.stringify(v))));
  });

  it('on JSON.stringify of arbitrary values', () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        const text = JSON.stringify(v) as string | undefined;
        void safeDecodeServer(text ?? 'undefined');
      }),
    );
  });

  it('on frames with a real server event (or ack / error) and arbitrary data and id', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SERVER_EVENTS, 'ack', 'error'),
        fc.oneof(fc.object(), fc.jsonValue()),
        fc.option(fc.oneof(fc.string(), fc.jsonValue()), { nil: undefined }),
        (event, data, id) => {
          const result = safeDecodeServer(
            JSON.stringify(id === undefined ? { event, data } : { event, data, id }),
          );
          if (result.ok) {
            const expectedKind = event === 'ack' ? 'ack' : event === 'error' ? 'error' : 'event';
            expect(result.value.kind).toBe(expectedKind);
            expect(result.value.frame.event).toBe(event);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('chat.send round-trips', () => {
  it('a valid chat.send decodes to exactly the data sent (text kept as sent)', () => {
    fc.assert(
      fc.property(
        validRoom,
        validClientId,
        validText,
        fc.option(validId, { nil: undefined }),
        (room, clientId, text, id) => {
          const data = { room, clientId, text };
          const result = decode(frame('chat.send', data, id));
          expect(result.ok).toBe(true);
          if (!result.ok) return;
          expect(result.value.event).toBe('chat.send');
          expect(result.value.data).toEqual(data);
          expect(result.value.id).toBe(id);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('decode agrees with the spec text rules', () => {
  it('chat text: 1..maxTextChars code points after trimming, only LF and TAB among Cc', () => {
    const schemas = createClientEventSchemas({ maxTextChars: 10 });
    fc.assert(
      fc.property(trickyString(14), (text) => {
        const result = decode(frame('chat.send', { room: 'lobby', clientId: 'c', text }), schemas);
        expect(result.ok).toBe(specTextValid(text, 10));
        if (result.ok) expect(result.value.data).toEqual({ room: 'lobby', clientId: 'c', text });
        else expect(result.error.fields).toEqual(['text']);
      }),
      { numRuns: 1000 },
    );
  });

  it('name: 1..32 code points after trimming, no Cc, returned trimmed', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          trickyString(8),
          fc.tuple(padding, lengthAround(30, 34), padding).map((p) => p.join('')),
        ),
        (name) => {
          const result = decode(frame('hello', { protocol: 1, name }));
          expect(result.ok).toBe(specNameValid(name));
          if (result.ok) expect(result.value.data).toEqual({ protocol: 1, name: name.trim() });
          else expect(result.error.fields).toEqual(['name']);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('room: matches ^[a-z0-9][a-z0-9-]{0,39}$ exactly', () => {
    const roomChar = fc.constantFrom('a', 'z', '0', '9', '-', 'A', '_', ' ', '\n', 'é', '.');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: roomChar, maxLength: 6 }),
          fc.string({ unit: roomChar, minLength: 38, maxLength: 43 }),
        ),
        (room) => {
          const result = decode(frame('room.leave', { room }));
          expect(result.ok).toBe(specRoomValid(room));
          if (!result.ok) expect(result.error.fields).toEqual(['room']);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('clientId, callId, reason and id: 1..64 code points taken as sent', () => {
    const candidate = fc.oneof(trickyString(4), lengthAround(62, 66));
    fc.assert(
      fc.property(candidate, candidate, candidate, candidate, (clientId, callId, reason, id) => {
        const chat = decode(frame('chat.send', { room: 'lobby', clientId, text: 'hi' }));
        expect(chat.ok).toBe(specIdValid(clientId));
        if (chat.ok) expect(chat.value.data).toEqual({ room: 'lobby', clientId, text: 'hi' });

        const bye = decode(frame('call.bye', { callId, reason }));
        expect(bye.ok).toBe(specIdValid(callId) && specIdValid(reason));
        if (bye.ok) expect(bye.value.data).toEqual({ callId, reason });

        const ping = decode(frame('ping', {}, id));
        expect(ping.ok).toBe(specIdValid(id));
        if (ping.ok) expect(ping.value.id).toBe(id);
        else expect(ping.error.fields).toEqual(['id']);
      }),
      { numRuns: 500 },
    );
  });
});

describe('error frames round-trip through decodeServerFrame', () => {
  it('every decode failure becomes an error frame that the client decodes back', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc
            .tuple(
              fc.constantFrom(...CLIENT_EVENTS, 'nope'),
              nearData,
              fc.option(fc.jsonValue(), { nil: undefined }),
            )
            .map(([event, data, id]) => frame(event, data, id)),
        ),
        (text) => {
          const result = decode(text);
          if (result.ok) return;
          const built = errorFrame(result.error);
          expect('details' in built.data).toBe(result.error.code === 'bad_message');
          const back = decodeServerFrame(JSON.stringify(built));
          expect(back.ok).toBe(true);
          if (back.ok) expect(back.value).toEqual({ kind: 'error', frame: built });
        },
      ),
      { numRuns: 500 },
    );
  });
});

// ---- the well-formed string rule ----

describe('lone surrogates and NUL', () => {
  it('decode and decodeServerFrame never throw on strings of any UTF-16 code units', () => {
    fc.assert(
      fc.property(fc.string({ unit: codeUnit, maxLength: 40 }), (s) => {
        void safeDecode(s);
        void safeDecodeServer(s);
      }),
      { numRuns: 500 },
    );
  });

  it('decode and decodeServerFrame never throw on frames whose strings hold any code units', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(...CLIENT_EVENTS, ...SERVER_EVENTS),
          fc.string({ unit: codeUnit }),
        ),
        fc.jsonValue({ stringUnit: codeUnit, maxDepth: 3 }),
        fc.option(fc.string({ unit: codeUnit, maxLength: 8 }), { nil: undefined }),
        (event, data, id) => {
          void safeDecode(frame(event, data, id));
          void safeDecodeServer(JSON.stringify({ event, data, id }));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('isWellFormedText agrees with the spec on strings of any code units', () => {
    fc.assert(
      fc.property(fc.string({ unit: codeUnit, maxLength: 12 }), (s) => {
        expect(isWellFormedText(s)).toBe(specWellFormed(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('containsIllFormedText agrees with the spec on JSON values, keys included', () => {
    fc.assert(
      fc.property(fc.jsonValue({ stringUnit: codeUnit, maxDepth: 3 }), (value) => {
        const parsed: unknown = JSON.parse(JSON.stringify(value));
        expect(containsIllFormedText(parsed)).toBe(specHoldsIllFormed(parsed));
      }),
      { numRuns: 1000 },
    );
  });

  it('a frame of a real event whose data holds one anywhere is refused with bad_message', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CLIENT_EVENTS),
        fc.dictionary(
          fc.oneof(fc.constantFrom(...dataKeys), fc.string({ unit: codeUnit, maxLength: 4 })),
          fc.jsonValue({ stringUnit: codeUnit, maxDepth: 2 }),
        ),
        fc.option(validId, { nil: undefined }),
        (event, generated, id) => {
          const data = JSON.parse(JSON.stringify(generated)) as Record<string, unknown>;
          fc.pre(specHoldsIllFormed(data));
          const result = decode(frame(event, data, id));
          if (event === 'hello' && Number.isInteger(data.protocol) && data.protocol !== 1) {
            // The protocol version is checked before the rest of hello.
            expect(!result.ok && result.error.code).toBe('unsupported_protocol');
            return;
          }
          expect(result.ok).toBe(false);
          if (result.ok) return;
          expect(result.error.code).toBe('bad_message');
          expect(result.error.id).toBe(id);
          const shape = clientEventSchemas[event].shape;
          for (const [key, value] of Object.entries(data)) {
            if (specWellFormed(key) && !specHoldsIllFormed(value)) continue;
            expect(result.error.fields).toContain(Object.hasOwn(shape, key) ? key : 'data');
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

/** Valid `data` of every client event, with strings in every field that holds one. */
const validSamples: Record<ClientEventName, Record<string, unknown>> = {
  hello: { protocol: 1, name: 'Alice 😀', resume: 'tok-1', identity: 'id-1' },
  ping: {},
  'ice.refresh': {},
  'room.join': { room: 'lobby', since: 3 },
  'room.leave': { room: 'lobby' },
  'chat.send': { room: 'lobby', clientId: 'c-1', text: 'hi 😀 there' },
  'chat.typing': { room: 'lobby', typing: true },
  'call.invite': { callId: 'call-1', to: 'u-2', room: 'lobby', video: true },
  'call.accept': { callId: 'call-1' },
  'call.decline': { callId: 'call-1', reason: 'not now' },
  'call.offer': { callId: 'call-1', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' },
  'call.answer': { callId: 'call-1', sdp: 'v=0\r\n' },
  'call.candidate': {
    callId: 'call-1',
    candidate: {
      candidate: 'candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
      usernameFragment: 'uf😀',
    },
  },
  'call.bye': { callId: 'call-1', reason: 'hangup' },
  'call.media': { callId: 'call-1', audio: true, video: false },
};

type Path = Array<string | number>;

/** Paths of every string inside `value`. */
function stringPaths(value: unknown, path: Path = []): Path[] {
  if (typeof value === 'string') return [path];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => stringPaths(item, [...path, key]));
}

/** A copy of `data` whose string at `path` has `unit` inserted at `at` (modulo its length). */
function insertAt(data: Record<string, unknown>, path: Path, unit: string, at: number) {
  const copy = structuredClone(data);
  let parent: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  const original = parent[last] as string;
  const index = at % (original.length + 1);
  parent[last] = original.slice(0, index) + unit + original.slice(index);
  return copy;
}

describe('one lone surrogate or NUL put into valid data', () => {
  it.each(CLIENT_EVENTS)('the %s sample is valid as it stands', (event) => {
    expect(decode(frame(event, validSamples[event])).ok).toBe(true);
  });

  it('inside any string of a field: bad_message naming exactly that field', () => {
    const withStrings = CLIENT_EVENTS.filter((e) => stringPaths(validSamples[e]).length > 0);
    fc.assert(
      fc.property(
        fc
          .constantFrom(...withStrings)
          .chain((event) =>
            fc.tuple(fc.constant(event), fc.constantFrom(...stringPaths(validSamples[event]))),
          ),
        illFormedUnit,
        fc.nat(),
        fc.option(validId, { nil: undefined }),
        ([event, path], unit, at, id) => {
          const data = insertAt(validSamples[event], path, unit, at);
          const result = decode(frame(event, data, id));
          expect(result.ok).toBe(false);
          if (result.ok) return;
          expect(result.error.code).toBe('bad_message');
          expect(result.error.fields).toEqual([String(path[0])]);
          expect(result.error.id).toBe(id);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('in an unknown key, or its value at any depth: bad_message naming data', () => {
    const unknownKey = fc.constantFrom('note', 'meta', 'x', 'extra-field');
    fc.assert(
      fc.property(
        fc.constantFrom(...CLIENT_EVENTS),
        unknownKey,
        fc.jsonValue({ maxDepth: 3 }),
        illFormedUnit,
        fc.nat(),
        fc.boolean(),
        (event, key, value, unit, at, asKey) => {
          const data: Record<string, unknown> = { ...validSamples[event] };
          if (asKey) {
            const index = at % (key.length + 1);
            data[key.slice(0, index) + unit + key.slice(index)] = value;
          } else {
            const holder = { value, hidden: 'text' };
            const paths = stringPaths(holder);
            data[key] = insertAt(holder, paths[at % paths.length]!, unit, at);
          }
          const result = decode(frame(event, data));
          expect(result.ok).toBe(false);
          if (result.ok) return;
          expect(result.error.code).toBe('bad_message');
          expect(result.error.fields).toEqual(['data']);
        },
      ),
      { numRuns: 500 },
    );
  });
});
