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
 * bytes with nothing allocated but the id itself. The whole frame is checked against JSON's
 * grammar on the way (a frame that is not JSON has no id, as `bad_json` would say); like
 * `JSON.parse`, the last top-level `id` key wins. Anything that is not a JSON object, or an
 * `id` that is not a valid request id, gives `undefined`: the refusal then goes out without an
 * id, as it would for a frame whose envelope is bad.
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

const ESCAPABLE = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74]); // " \ / b f n r t
const LETTER_U = 0x75;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const LITERALS = [Buffer.from('true'), Buffer.from('false'), Buffer.from('null')];

const isDigit = (byte: number | undefined) => byte !== undefined && byte >= ZERO && byte <= NINE;
const isHexDigit = (byte: number | undefined) =>
  isDigit(byte) ||
  (byte !== undefined && ((byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66)));

/**
 * `pos` is at an opening quote; returns the index after the closing one, or -1 when the string
 * is not valid JSON (an unknown escape, a raw control character, no end). UTF-8 itself was
 * checked by `ws` when the text frame arrived.
 */
function skipString(frame: Buffer, pos: number): number {
  for (let i = pos + 1; i < frame.length; i++) {
    const byte = frame[i]!;
    if (byte === QUOTE) return i + 1;
    if (byte < 0x20) return -1;
    if (byte !== BACKSLASH) continue;
    const escaped = frame[++i];
    if (escaped === LETTER_U) {
      for (let digit = 1; digit <= 4; digit++) if (!isHexDigit(frame[i + digit])) return -1;
      i += 4;
    } else if (escaped === undefined || !ESCAPABLE.has(escaped)) {
      return -1;
    }
  }
  return -1;
}

/** A JSON number, literal or string at `pos`: the index after it, or -1. */
function skipScalar(frame: Buffer, pos: number): number {
  const first = frame[pos];
  if (first === QUOTE) return skipString(frame, pos);
  for (const literal of LITERALS) {
    if (frame.subarray(pos, pos + literal.length).equals(literal)) return pos + literal.length;
  }
  let i = pos;
  if (frame[i] === MINUS) i++;
  if (frame[i] === ZERO) i++;
  else if (isDigit(frame[i])) while (isDigit(frame[i])) i++;
  else return -1;
  if (frame[i] === DOT) {
    if (!isDigit(frame[++i])) return -1;
    while (isDigit(frame[i])) i++;
  }
  if (frame[i] === 0x65 || frame[i] === 0x45) {
    i++;
    if (frame[i] === PLUS || frame[i] === MINUS) i++;
    if (!isDigit(frame[i])) return -1;
    while (isDigit(frame[i])) i++;
  }
  return i;
}

/** `pos` is at an object key: the index of its value (after the colon), or -1. */
function skipKey(frame: Buffer, pos: number): number {
  if (frame[pos] !== QUOTE) return -1;
  const end = skipString(frame, pos);
  if (end < 0) return -1;
  pos = skipWhitespace(frame, end);
  return frame[pos] === COLON ? skipWhitespace(frame, pos + 1) : -1;
}

/**
 * Returns the index after the JSON value starting at `pos`, or -1 when it is not valid JSON.
 * Nested values are walked with a stack of their own, so depth costs no call stack.
 */
function skipValue(frame: Buffer, pos: number): number {
  const open: number[] = [];
  for (;;) {
    const byte = frame[pos];
    if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      const close = byte === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
      pos = skipWhitespace(frame, pos + 1);
      if (frame[pos] === close) {
        pos++;
      } else {
        open.push(byte);
        if (byte === OPEN_OBJECT && (pos = skipKey(frame, pos)) < 0) return -1;
        continue;
      }
    } else if ((pos = skipScalar(frame, pos)) < 0) {
      return -1;
    }
    // After a value: close what ends here, or go on after a comma.
    for (;;) {
      const container = open.at(-1);
      if (container === undefined) return pos;
      pos = skipWhitespace(frame, pos);
      if (frame[pos] === (container === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY)) {
        open.pop();
        pos++;
        continue;
      }
      if (frame[pos] !== COMMA) return -1;
      pos = skipWhitespace(frame, pos + 1);
      if (container === OPEN_OBJECT && (pos = skipKey(frame, pos)) < 0) return -1;
      break;
    }
  }
}
