import { schemas } from '@duplex/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { peekRequestId } from '../src/ws/request-id-peek.js';

/** What the peek must find: the id `JSON.parse` would give, when the frame is a JSON object. */
function expectedId(text: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const id = schemas.requestId.safeParse((value as { id?: unknown }).id);
  return id.success ? id.data : undefined;
}

const peek = (text: string) => peekRequestId(Buffer.from(text, 'utf8'));

describe('peekRequestId agrees with JSON.parse', () => {
  it.each([
    ['{"event":"ping","data":{},"id":"7"}', '7'],
    ['{"event":"call.media","data":{"callId":"x","audio":null},"id":"name"}', 'name'],
    ['{"event":\\"call.media","data":{},"id":"name"}', undefined],
    ['{"data":{"protocol": t,rue},"id":"a"}', undefined],
    ['{"data":{"n": 01},"id":"a"}', undefined],
    ['{"data":{"s":"\\x"},"id":"a"}', undefined],
    ['{"data":{"s":"\\u12G4"},"id":"a"}', undefined],
    ['{"data":[1,],"id":"a"}', undefined],
    ['{"data":{"a":1,},"id":"a"}', undefined],
    ['{"id":"a","id":"b"}', 'b'],
    ['{"\\u0069d":"escaped key"}', 'escaped key'],
    ['{"data":[-0.5e+3,true,false,null,{"x":[]}],"id":"ok"}', 'ok'],
    [`{"data":${'['.repeat(50_000)}${']'.repeat(50_000)},"id":"deep"}`, 'deep'],
    [`{"data":${'['.repeat(50_000)},"id":"unclosed"}`, undefined],
  ])('%#: %s', (text, id) => {
    expect(expectedId(text)).toBe(id);
    expect(peek(text)).toBe(id);
  });

  it('on any JSON value, and on any of its mutations', () => {
    const frame = fc.record({
      event: fc.string(),
      data: fc.jsonValue(),
      id: fc.oneof(fc.string({ maxLength: 70 }), fc.jsonValue()),
    });
    fc.assert(
      fc.property(frame, fc.nat(), fc.string({ maxLength: 3 }), (value, at, insert) => {
        const text = JSON.stringify(value);
        expect(peek(text)).toBe(expectedId(text));
        const cut = at % (text.length + 1);
        const mutated = text.slice(0, cut) + insert + text.slice(cut + 1);
        expect(peek(mutated)).toBe(expectedId(mutated));
      }),
      { seed: 20261202, numRuns: 3_000 },
    );
  });
});
