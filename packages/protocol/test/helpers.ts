import { expect } from 'vitest';
import {
  decode,
  parseEventData,
  type ClientEventName,
  type ClientEventSchemas,
  type Decoded,
  type ProtocolFailure,
} from '../src/index.js';

/** The JSON text of a client frame. */
export function frame(event: unknown, data: unknown, id?: unknown): string {
  return JSON.stringify(id === undefined ? { event, data } : { event, data, id });
}

export function expectSuccess<T>(result: Decoded<T>): T {
  if (!result.ok) throw new Error(`expected success, got failure ${JSON.stringify(result.error)}`);
  return result.value;
}

export function expectFailure<T>(result: Decoded<T>): ProtocolFailure {
  if (result.ok) throw new Error(`expected failure, got success ${JSON.stringify(result.value)}`);
  expect(typeof result.error.message).toBe('string');
  expect(result.error.message.length).toBeGreaterThan(0);
  return result.error;
}

/** `fields` compared as a set: the spec names every failing key, in no defined order. */
export function sorted(fields: readonly string[] | undefined): string[] | undefined {
  return fields === undefined ? undefined : [...fields].sort();
}

/** Asserts a bad_message failure naming exactly `fields`. */
export function expectBadMessage<T>(
  result: Decoded<T>,
  fields: string[],
  id?: string,
): ProtocolFailure {
  const error = expectFailure(result);
  expect(error.code).toBe('bad_message');
  expect(sorted(error.fields)).toEqual(sorted(fields));
  if (id === undefined) expect(error).not.toHaveProperty('id');
  else expect(error.id).toBe(id);
  return error;
}

/**
 * `data` is valid for `event`: through `parseEventData` and through `decode` (with and without
 * an id), the parsed data equals `expected` (by default `data` itself).
 */
export function expectValid(
  event: ClientEventName,
  data: Record<string, unknown>,
  expected: Record<string, unknown> = data,
  schemas?: ClientEventSchemas,
): void {
  expect(expectSuccess(parseEventData(event, data, schemas))).toEqual(expected);

  const withoutId = expectSuccess(decode(frame(event, data), schemas));
  expect(withoutId).toEqual({ event, data: expected });
  expect(withoutId).not.toHaveProperty('id');

  const withId = expectSuccess(decode(frame(event, data, 'req-1'), schemas));
  expect(withId).toEqual({ event, data: expected, id: 'req-1' });
}

/**
 * `data` is invalid for `event`: `bad_message` naming exactly `fields`, through `parseEventData`
 * and `decode`; the decoded error carries the frame's id when it had one.
 */
export function expectInvalid(
  event: ClientEventName,
  data: Record<string, unknown>,
  fields: string[],
  schemas?: ClientEventSchemas,
): void {
  const parsed = expectBadMessage(parseEventData(event, data, schemas), fields);
  expect(parsed).not.toHaveProperty('id');
  expectBadMessage(decode(frame(event, data), schemas), fields);
  expectBadMessage(decode(frame(event, data, 'req-1'), schemas), fields, 'req-1');
}

/** `n` copies of an astral character (one code point, two UTF-16 units). */
export const emoji = (n: number): string => '😀'.repeat(n);
export const ascii = (n: number, char = 'a'): string => char.repeat(n);

/** Strings that break the well-formed rule: a lone surrogate of each half, and U+0000. */
export const ILL_FORMED: ReadonlyArray<[label: string, value: string]> = [
  ['a lone high surrogate', '\ud800'],
  ['a lone low surrogate', '\udc00'],
  ['a NUL', '\u0000'],
];
