const utf8 = new TextEncoder();

/** Size of a text frame on the wire: WebSocket text is UTF-8. */
export function utf8ByteLength(text: string): number {
  return utf8.encode(text).byteLength;
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Lowercase hex of every byte, no separators. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += HEX[byte];
  return out;
}

/** Hex of the first `limit` bytes, space-separated for reading, with … when cut short. */
export function toHexPreview(bytes: Uint8Array, limit = 32): string {
  const shown = Array.from(bytes.subarray(0, limit), (byte) => HEX[byte]).join(' ');
  return bytes.byteLength > limit ? `${shown} …` : shown;
}

// crypto.getRandomValues refuses more than 65536 bytes per call.
const RANDOM_CHUNK = 65_536;

export function randomBytes(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += RANDOM_CHUNK) {
    crypto.getRandomValues(bytes.subarray(offset, Math.min(offset + RANDOM_CHUNK, size)));
  }
  return bytes;
}

export function formatBytes(size: number): string {
  if (size < 1024) return `${size} B`;
  if (size < 1024 * 1024) return `${(size / 1024).toFixed(size < 10 * 1024 ? 1 : 0)} KiB`;
  return `${(size / (1024 * 1024)).toFixed(1)} MiB`;
}
