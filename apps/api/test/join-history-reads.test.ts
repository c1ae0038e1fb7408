import { describe, expect, it } from 'vitest';
import { JoinHistoryReads } from '../src/rooms/join-history-reads.js';
import type { RoomHistory } from '../src/storage/message-store.js';

/** A store whose history reads stay pending until the test settles them, one by one. */
function pendingStore() {
  const calls: {
    room: string;
    since: number | undefined;
    settle: (h: RoomHistory) => void;
    fail: (e: Error) => void;
  }[] = [];
  const reads = new JoinHistoryReads(
    (room, since) =>
      new Promise<RoomHistory>((resolve, reject) =>
        calls.push({ room, since, settle: resolve, fail: reject }),
      ),
  );
  return { reads, calls };
}

const history = (lastSeq: number): RoomHistory => ({ history: [], lastSeq, recovered: false });
/** Lets settled reads run their continuations. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('JoinHistoryReads', () => {
  it('reads once for the first join, and once for every join that asked while it ran', async () => {
    const { reads, calls } = pendingStore();
    const first = reads.read('r', 5);
    const waiting = Array.from({ length: 100 }, () => reads.read('r', 5));
    expect(calls).toHaveLength(1);

    calls[0]!.settle(history(7));
    expect(await first).toEqual(history(7));
    await settle();
    // The 100 joins that asked while the first read ran share one read, started after it.
    expect(calls).toHaveLength(2);
    calls[1]!.settle(history(9));
    for (const result of await Promise.all(waiting)) expect(result).toEqual(history(9));
    expect(calls).toHaveLength(2);
  });

  it('never hands a join a read that started before the join asked', async () => {
    const { reads, calls } = pendingStore();
    void reads.read('r', undefined);
    const late = reads.read('r', undefined);
    calls[0]!.settle(history(1));
    await settle();
    // `late` waits for its own read, which starts after the first one ended.
    expect(calls).toHaveLength(2);
    calls[1]!.settle(history(2));
    expect((await late).lastSeq).toBe(2);
  });

  it('keeps rooms and `since` values apart', () => {
    const { reads, calls } = pendingStore();
    void reads.read('a', undefined);
    void reads.read('b', undefined);
    void reads.read('a', 3);
    void reads.read('a', 0);
    expect(calls.map(({ room, since }) => [room, since])).toEqual([
      ['a', undefined],
      ['b', undefined],
      ['a', 3],
      ['a', 0],
    ]);
  });

  it('fails every join sharing a failed read, and reads afresh for the next join', async () => {
    const { reads, calls } = pendingStore();
    void reads.read('r', 1).catch(() => undefined);
    const sharing = [reads.read('r', 1), reads.read('r', 1)];
    calls[0]!.fail(new Error('first'));
    await settle();
    calls[1]!.fail(new Error('store unavailable'));
    for (const result of await Promise.allSettled(sharing)) {
      expect(result).toMatchObject({
        status: 'rejected',
        reason: { message: 'store unavailable' },
      });
    }
    const after = reads.read('r', 1);
    expect(calls).toHaveLength(3);
    calls[2]!.settle(history(4));
    expect((await after).lastSeq).toBe(4);
  });
});
