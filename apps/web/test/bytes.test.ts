import { describe, expect, it } from 'vitest';
import { formatBytes, randomBytes, toHex, toHexPreview, utf8ByteLength } from '@/lib/bytes';

describe('utf8ByteLength', () => {
  it('counts the UTF-8 bytes of a text frame', () => {
    expect(utf8ByteLength('')).toBe(0);
    expect(utf8ByteLength('hello')).toBe(5);
    expect(utf8ByteLength('é')).toBe(2);
    expect(utf8ByteLength('€')).toBe(3);
    expect(utf8ByteLength('😀')).toBe(4);
  });
});

describe('toHex', () => {
  it('writes every byte as two lowercase digits', () => {
    expect(toHex(new Uint8Array([]))).toBe('');
    expect(toHex(new Uint8Array([0, 1, 15, 16, 171, 255]))).toBe('00010f10abff');
  });
});

describe('toHexPreview', () => {
  it('spaces the bytes and marks a cut with …', () => {
    const bytes = new Uint8Array([0xde, 0xad, 0xbe, 0xef]);
    expect(toHexPreview(bytes)).toBe('de ad be ef');
    expect(toHexPreview(bytes, 4)).toBe('de ad be ef');
    expect(toHexPreview(bytes, 2)).toBe('de ad …');
    expect(toHexPreview(new Uint8Array([]))).toBe('');
  });

  it('shows 32 bytes by default', () => {
    const bytes = Uint8Array.from({ length: 33 }, (_, index) => index);
    const shown = Array.from({ length: 32 }, (_, index) => index.toString(16).padStart(2, '0'));
    expect(toHexPreview(bytes)).toBe(`${shown.join(' ')} …`);
    expect(toHexPreview(bytes.subarray(0, 32))).toBe(shown.join(' '));
  });
});

describe('randomBytes', () => {
  it('fills buffers larger than one getRandomValues call allows', () => {
    const size = 3 * 65_536 + 100;
    const bytes = randomBytes(size);
    expect(bytes.byteLength).toBe(size);
    // Each 64 KiB chunk (and the short last one) is filled: none is left all zeros.
    for (let offset = 0; offset < size; offset += 65_536) {
      const chunk = bytes.subarray(offset, Math.min(offset + 65_536, size));
      expect(
        chunk.some((byte) => byte !== 0),
        `chunk at ${offset}`,
      ).toBe(true);
    }
  });

  it('gives an empty buffer for size 0', () => {
    expect(randomBytes(0).byteLength).toBe(0);
  });
});

describe('formatBytes', () => {
  it('writes bytes, KiB and MiB', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.0 KiB');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(10 * 1024)).toBe('10 KiB');
    expect(formatBytes(64 * 1024)).toBe('64 KiB');
    expect(formatBytes(1024 * 1024)).toBe('1.0 MiB');
    expect(formatBytes(5.5 * 1024 * 1024)).toBe('5.5 MiB');
  });
});
