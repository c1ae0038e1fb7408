import { describe, expect, it } from 'vitest';
import { RoomStream, type ReadAfter } from '../src/rooms/room-stream.js';

const payload = (seq: number) => Buffer.from(`m${seq}`);

/**
 * A stream over a store holding seq 1..`stored`, recording what it passes on; gaps are read at
 * once unless `gapWaitMs` is given.
 */
function streamOver(stored: () => number, gapWaitMs = 0) {
  const emitted: number[] = [];
  const reads: [number, number][] = [];
  let filled = 0;
  const failures: unknown[] = [];
  let failNextRead = false;
  const readAfter: ReadAfter = (after, limit) => {
    reads.push([after, limit]);
    if (failNextRead) {
      failNextRead = false;
      return Promise.reject(new Error('store unavailable'));
    }
    const rows = [];
    for (let seq = after + 1; seq <= Math.min(stored(), after + limit); seq++) {
      rows.push({ seq, payload: payload(seq) });
    }
    return Promise.resolve(rows);
  };
  const stream = new RoomStream(
    readAfter,
    (seq, bytes) => {
      expect(bytes.toString()).toBe(`m${seq}`);
      emitted.push(seq);
    },
    (count) => (filled += count),
    (error) => failures.push(error),
    gapWaitMs,
  );
  return {
    stream,
    emitted,
    reads,
    failures,
    filled: () => filled,
    failNextRead: () => (failNextRead = true),
  };
}

/** Lets the stream's store reads (promises) settle. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('RoomStream', () => {
  it('holds frames until a join says where the room stands, then passes on only newer ones', () => {
    const { stream, emitted, reads } = streamOver(() => 12);
    stream.receive(12, payload(12));
    stream.receive(11, payload(11));
    expect(emitted).toEqual([]);
    stream.caughtUp(10);
    expect(emitted).toEqual([11, 12]);
    expect(reads).toEqual([]);
  });

  it('passes frames on in seq order, each once, dropping duplicates', () => {
    const { stream, emitted } = streamOver(() => 3);
    stream.caughtUp(0);
    for (const seq of [1, 1, 2, 1, 3, 3]) stream.receive(seq, payload(seq));
    expect(emitted).toEqual([1, 2, 3]);
  });

  it('fills a gap from the store, holding newer frames meanwhile; each seq is passed on once', async () => {
    const { stream, emitted, reads, filled } = streamOver(() => 6);
    stream.caughtUp(1);
    stream.receive(4, payload(4)); // 2 and 3 never came (their instance died before publishing)
    stream.receive(6, payload(6));
    stream.receive(3, payload(3)); // arrives while the gap is read: not passed on twice
    expect(emitted).toEqual([]);
    await settle();
    expect(emitted).toEqual([2, 3, 4, 5, 6]);
    // 2 and 3 read, 4 from what was held, 5 read, 6 from what was held.
    expect(reads).toEqual([
      [1, 2],
      [4, 1],
    ]);
    expect(filled()).toBe(3);
    expect(stream.lastSeq).toBe(6);
  });

  it('a join or a store check that is ahead reveals a gap in a silent room, which is filled', async () => {
    const { stream, emitted } = streamOver(() => 7);
    stream.caughtUp(5);
    stream.caughtUp(7);
    await settle();
    expect(emitted).toEqual([6, 7]);
    stream.caughtUp(6); // behind: nothing to do
    await settle();
    expect(emitted).toEqual([6, 7]);
  });

  it('retries a failed gap read, then goes on in order', async () => {
    const { stream, emitted, failures, failNextRead } = streamOver(() => 3);
    stream.caughtUp(0);
    failNextRead();
    stream.receive(3, payload(3));
    await settle();
    expect(failures).toHaveLength(1);
    expect(emitted).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await settle();
    expect(emitted).toEqual([1, 2, 3]);
  });

  it('a store that lacks a seq below a later one is a fault, not an endless loop', async () => {
    const { stream, emitted, failures } = streamOver(() => 1);
    stream.caughtUp(0);
    stream.receive(3, payload(3));
    await settle();
    expect(emitted).toEqual([1]);
    expect(String(failures[0])).toMatch(/seq 2 not found/);
    stream.close();
  });

  it('passes nothing on once closed', async () => {
    const { stream, emitted } = streamOver(() => 5);
    stream.caughtUp(0);
    stream.close();
    stream.receive(1, payload(1));
    stream.caughtUp(5);
    await settle();
    expect(emitted).toEqual([]);
  });

  it('gives a gap a moment to close by itself: a late frame then costs no store read', async () => {
    const { stream, emitted, reads } = streamOver(() => 5, 1_000);
    stream.caughtUp(1);
    stream.receive(3, payload(3)); // 2 is a moment late, as from another instance
    stream.receive(4, payload(4));
    expect(emitted).toEqual([]);
    stream.receive(2, payload(2));
    expect(emitted).toEqual([2, 3, 4]);
    stream.receive(5, payload(5));
    expect(emitted).toEqual([2, 3, 4, 5]);
    await settle();
    expect(reads).toEqual([]);
  });

  it('reads a gap that did not close by itself once the wait is over', async () => {
    const { stream, emitted, reads } = streamOver(() => 3, 20);
    stream.caughtUp(0);
    stream.receive(3, payload(3));
    await settle();
    expect(emitted).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 40));
    await settle();
    expect(reads).toEqual([[0, 2]]);
    expect(emitted).toEqual([1, 2, 3]);
    stream.close();
  });
});
