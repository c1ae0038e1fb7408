import type { RawData } from 'ws';

/** A received message as one Buffer, whatever form `ws` handed it over in. */
export function rawToBuffer(raw: RawData): Buffer {
  if (Buffer.isBuffer(raw)) return raw;
  if (Array.isArray(raw)) return Buffer.concat(raw);
  return Buffer.from(raw);
}
