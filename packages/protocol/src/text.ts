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
