/** Length in Unicode code points, as every length in the protocol is counted. */
export function codePointLength(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

export function utf8ByteLength(value: string): number {
  return new TextEncoder().encode(value).byteLength;
}

// Unicode Cc: U+0000–U+001F and U+007F–U+009F. Matching control characters is the point here.
/* eslint-disable no-control-regex */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_EXCEPT_LF_TAB = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/* eslint-enable no-control-regex */

export function hasControlCharacter(value: string): boolean {
  return CONTROL.test(value);
}

export function hasControlCharacterOtherThanLineFeedOrTab(value: string): boolean {
  return CONTROL_EXCEPT_LF_TAB.test(value);
}

// A high surrogate not followed by a low one, a low one not preceded by a high one, or U+0000.
const ILL_FORMED_OR_NUL =
  // eslint-disable-next-line no-control-regex
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|\u0000/;

/** Whether `value` is well-formed Unicode (no lone surrogate) without U+0000, as every string must be. */
export function isWellFormedText(value: string): boolean {
  return !ILL_FORMED_OR_NUL.test(value);
}

/**
 * Whether any string in `value` (object keys included, at any depth) is not
 * {@link isWellFormedText}. Walks with a stack of its own: a frame nested thousands of levels
 * deep must not overflow the call stack.
 */
export function containsIllFormedText(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === 'string') {
      if (!isWellFormedText(item)) return true;
    } else if (Array.isArray(item)) {
      for (const element of item) pending.push(element);
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, element] of Object.entries(item)) {
        if (!isWellFormedText(key)) return true;
        pending.push(element);
      }
    }
  }
  return false;
}
