import {
  MAX_SERVER_FRAME_BYTES,
  PROTOCOL_BOUNDS,
  type ChatMessage,
  type User,
} from '@duplex/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fitJoinAck } from '../src/rooms/join-ack.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** The largest members list an ack can carry: user ids of 512 quotes (escaped: 1,024 bytes), names of 32 emoji. */
const largestMembers: User[] = Array.from({ length: PROTOCOL_BOUNDS.membersInJoinAck }, () => ({
  userId: '"'.repeat(PROTOCOL_BOUNDS.identityMaxChars),
  name: '😀'.repeat(32),
}));

const message = (seq: number, text: string): ChatMessage => ({
  room: 'r',
  seq,
  clientId: `c-${seq}`,
  from: { userId: 'u', name: 'U' },
  text,
  ts: new Date(0).toISOString(),
});

describe('fitJoinAck', () => {
  it('sends an ack without history as it is, without measuring it', () => {
    const ack = {
      room: 'r',
      members: largestMembers,
      online: 5000,
      history: [],
      lastSeq: 9,
      recovered: true,
    };
    const stringify = vi.spyOn(JSON, 'stringify');
    expect(fitJoinAck(ack)).toBe(ack);
    expect(stringify).not.toHaveBeenCalled();
  });

  it('an ack without history is far below the limit, even with the largest members', () => {
    const ack = {
      room: 'r',
      members: largestMembers,
      online: 5000,
      history: [],
      lastSeq: 9,
      recovered: true,
    };
    const bytes = Buffer.byteLength(
      JSON.stringify({ event: 'ack', id: 'x'.repeat(64), data: ack }),
    );
    expect(bytes).toBeLessThan(MAX_SERVER_FRAME_BYTES / 2);
  });

  it('still leaves out the oldest messages when the history does not fit', () => {
    const text = 'x'.repeat(300_000);
    const ack = {
      room: 'r',
      members: [],
      online: 1,
      history: [1, 2, 3, 4].map((seq) => message(seq, text)),
      lastSeq: 4,
      recovered: true,
    };
    const fitted = fitJoinAck(ack);
    expect(fitted.history.map((m) => m.seq)).toEqual([2, 3, 4]);
    expect(fitted.recovered).toBe(false);
  });
});
