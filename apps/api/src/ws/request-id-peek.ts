import { PROTOCOL_BOUNDS, schemas } from '@duplex/protocol';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

/** The longest JSON text a valid id can take: every code point escaped as `\uXXXX\uXXXX`. */
const MAX_ID_JSON_BYTES = 2 + PROTOCOL_BOUNDS.idMaxChars * 12;
/** Longest key text still decoded to compare it with `id` (an escaped `"\u0069\u0064"` fits). */
const MAX_KEY_JSON_BYTES = 32;
const ID_KEY = Buffer.from('"id"');

/**
 * The request id of a frame that will not be processed (over the rate limit), so its sender's
 * request still settles, without parsing the frame: a frame of 64 KiB costs one pass over its
 * bytes with nothing allocated but the id itself. Only the top level of the object is walked;
 * nested values are skipped by counting brackets, outside strings. Like `JSON.parse`, the last
 * `id` key wins. Anything that does not look like a JSON object, or an `id` that is not a valid
 * request id, gives `undefined`: the refusal then goes out without an id, as it would for a
 * frame whose envelope is bad.
 */
export function peekRequestId(frame: Buffer): string | undefined {
  let pos = skipWhitespace(frame, 0);
  if (frame[pos] !== OPEN_OBJECT) return undefined;
  pos = skipWhitespace(frame, pos + 1);
  let idText: string | undefined;
  if (frame[pos] === CLOSE_OBJECT) return undefined;
  for (;;) {
    if (frame[pos] !== QUOTE) return undefined;
    const keyEnd = skipString(frame, pos);
    if (keyEnd < 0) return undefined;
    const isIdKey = isIdText(frame, pos, keyEnd);
    pos = skipWhitespace(frame, keyEnd);
    if (frame[pos] !== COLON) return undefined;
    pos = skipWhitespace(frame, pos + 1);
    const valueEnd = skipValue(frame, pos);
    if (valueEnd < 0) return undefined;
    if (isIdKey) {
      idText =
        frame[pos] === QUOTE && valueEnd - pos <= MAX_ID_JSON_BYTES
          ? frame.toString('utf8', pos, valueEnd)
          : undefined;
    }
    pos = skipWhitespace(frame, valueEnd);
    if (frame[pos] === COMMA) {
      pos = skipWhitespace(frame, pos + 1);
      continue;
    }
    if (frame[pos] !== CLOSE_OBJECT) return undefined;
    break;
  }
  if (skipWhitespace(frame, pos + 1) !== frame.length || idText === undefined) return undefined;
  return validRequestId(idText);
}

function validRequestId(jsonText: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(jsonText);
  } catch {
    return undefined;
  }
  const id = schemas.requestId.safeParse(value);
  return id.success ? id.data : undefined;
}

function isIdText(frame: Buffer, start: number, end: number): boolean {
  if (frame.subarray(start, end).equals(ID_KEY)) return true;
  if (end - start > MAX_KEY_JSON_BYTES || !frame.subarray(start, end).includes(BACKSLASH)) {
    return false;
  }
  try {
    return JSON.parse(frame.toString('utf8', start, end)) === 'id';
  } catch {
    return false;
  }
}

function isWhitespace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

function skipWhitespace(frame: Buffer, pos: number): number {
  while (isWhitespace(frame[pos])) pos++;
  return pos;
}

/** `pos` is at an opening quote; returns the index after the closing one, or -1. */
function skipString(frame: Buffer, pos: number): number {
  for (let i = pos + 1; i < frame.length; i++) {
    const byte = frame[i];
    if (byte === BACKSLASH) i++;
    else if (byte === QUOTE) return i + 1;
  }
  return -1;
}

/** Returns the index after the value starting at `pos`, or -1 when it does not end. */
function skipValue(frame: Buffer, pos: number): number {
  const first = frame[pos];
  if (first === QUOTE) return skipString(frame, pos);
  if (first === OPEN_OBJECT || first === OPEN_ARRAY) return skipNested(frame, pos);
  // A number or a literal: up to the next delimiter.
  let end = pos;
  while (end < frame.length && !isDelimiter(frame[end])) end++;
  return end > pos ? end : -1;
}

function skipNested(frame: Buffer, pos: number): number {
  let depth = 0;
  for (let i = pos; i < frame.length; i++) {
    const byte = frame[i];
    if (byte === QUOTE) {
      const end = skipString(frame, i);
      if (end < 0) return -1;
      i = end - 1;
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      depth++;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

function isDelimiter(byte: number | undefined): boolean {
  return (
    byte === COMMA ||
    byte === CLOSE_OBJECT ||
    byte === CLOSE_ARRAY ||
    byte === COLON ||
    isWhitespace(byte)
  );
}
