import { describe, expect, it } from 'vitest';
// ws's own framing, as the reference: the ESM build exports Sender (its types do not).
import * as ws from 'ws';
import { encodeTextFrame } from '../src/ws/shared-text-frame.js';

type Frame = (data: Buffer, options: Record<string, unknown>) => Buffer[];
const { Sender } = ws as unknown as { Sender: { frame: Frame } };

describe('a broadcast frame encoded once', () => {
  it.each([0, 1, 125, 126, 127, 65_535, 65_536, 70_000])(
    'is byte for byte what ws writes for a %i-byte text message',
    (length) => {
      const payload = Buffer.alloc(length, 0x61);
      const byWs = Buffer.concat(
        Sender.frame(payload, { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false }),
      );
      expect(encodeTextFrame(payload).equals(byWs)).toBe(true);
    },
  );
});
