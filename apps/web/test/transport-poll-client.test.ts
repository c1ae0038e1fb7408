import { TICKER_PATHS, type TickerEvent } from '@duplex/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HttpPollClient } from '@/lib/transports/http-poll-client';
import type { ClientPhase } from '@/lib/transports/lifecycle';
import { SequenceTracker } from '@/lib/transports/sequence-tracker';
import { FakeFetch, json, pageOf } from './support/fake-ticker';

const API = 'http://api.test';
const stream = { rate: 10, size: 4 };
const flush = () => vi.advanceTimersByTimeAsync(0);

function setup(
  mode: ConstructorParameters<typeof HttpPollClient>[0] = { transport: 'poll', intervalMs: 250 },
) {
  const fetch = new FakeFetch();
  const received: TickerEvent[] = [];
  const phases: ClientPhase['name'][] = [];
  const client = new HttpPollClient(mode, {
    apiUrl: API,
    stream,
    fetch: fetch.fn,
    onEvent: (event) => received.push(event),
    onPhase: (phase) => phases.push(phase.name),
  });
  return { fetch, client, received, phases };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('SequenceTracker', () => {
  it('counts new seqs, gaps as missing, repeats as duplicates', () => {
    const tracker = new SequenceTracker();
    expect([5, 6, 6, 9, 8, 10].map((seq) => tracker.accept(seq))).toEqual([
      true,
      true,
      false,
      true,
      false,
      true,
    ]);
    expect(tracker.received).toBe(4);
    expect(tracker.missing).toBe(2);
    expect(tracker.duplicates).toBe(2);
    expect(tracker.cursor).toBe(10);
  });

  it('after dropping its cursor, counts the jump to the next seq as missed, not missing', () => {
    const tracker = new SequenceTracker();
    tracker.accept(1);
    tracker.dropCursor();
    expect(tracker.cursor).toBeUndefined();
    tracker.accept(50);
    tracker.accept(52);
    expect(tracker.missed).toBe(48);
    expect(tracker.missing).toBe(1);
    expect(tracker.cursor).toBe(52);
  });
});

describe('HttpPollClient (short polling)', () => {
  it('starts without a cursor, then asks with after=<last seq> every interval', async () => {
    const { fetch, client, received } = setup();
    client.start();
    expect(fetch.requests).toHaveLength(1);
    expect(fetch.last.url.pathname).toBe(TICKER_PATHS.poll);
    expect(fetch.last.url.searchParams.get('rate')).toBe('10');
    expect(fetch.last.url.searchParams.get('size')).toBe('4');
    expect(fetch.lastAfter).toBeNull();
    expect(client.openConnections()).toBe(1);

    fetch.last.answer(pageOf(stream, [100], 99));
    await flush();
    expect(client.phase.name).toBe('waiting');
    expect(client.openConnections()).toBe(0);
    expect(fetch.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(250);
    expect(fetch.requests).toHaveLength(2);
    expect(fetch.lastAfter).toBe('100');

    fetch.last.answer(pageOf(stream, [], 100));
    await vi.advanceTimersByTimeAsync(250);
    expect(fetch.lastAfter).toBe('100');
    fetch.last.answer(pageOf(stream, [101, 102], 100));
    await flush();

    expect(received.map((e) => e.seq)).toEqual([100, 101, 102]);
    expect(client.counters()).toMatchObject({
      events: 3,
      requests: 3,
      emptyResponses: 1,
      missing: 0,
      duplicates: 0,
      lastSeq: 102,
    });
  });

  it('asks again at once while the server says more', async () => {
    const { fetch, client } = setup();
    client.start();
    fetch.last.answer(pageOf(stream, [1, 2], 0, true));
    await flush();
    expect(fetch.requests).toHaveLength(2);
    expect(fetch.lastAfter).toBe('2');
  });

  it('counts a gap and a repeat in what the server sends, and shows each event once', async () => {
    const { fetch, client, received } = setup();
    client.start();
    fetch.last.answer(pageOf(stream, [10, 11], 9));
    await vi.advanceTimersByTimeAsync(250);
    fetch.last.answer(pageOf(stream, [11, 14], 11));
    await flush();
    expect(received.map((e) => e.seq)).toEqual([10, 11, 14]);
    expect(client.counters()).toMatchObject({ missing: 2, duplicates: 1, events: 3 });
  });

  it('refused its cursor (400), starts again without one and counts the events it skipped', async () => {
    const { fetch, client } = setup();
    client.start();
    fetch.last.answer(pageOf(stream, [10], 9));
    await vi.advanceTimersByTimeAsync(250);
    expect(fetch.lastAfter).toBe('10');
    fetch.last.answer(
      json(
        { code: 'bad_request', message: 'after is too old: the oldest cursor accepted is 40' },
        400,
      ),
    );
    await flush();
    expect(fetch.requests).toHaveLength(3);
    expect(fetch.lastAfter).toBeNull();
    fetch.last.answer(pageOf(stream, [700], 699));
    await flush();
    expect(client.counters()).toMatchObject({
      missing: 0,
      missed: 689,
      cursorResets: 1,
      lastSeq: 700,
    });
  });

  it('a 400 without a cursor stops it and says why', async () => {
    const { fetch, client } = setup();
    client.start();
    fetch.last.answer(
      json({ code: 'bad_request', message: 'rate must be a decimal integer from 1 to 100' }, 400),
    );
    await vi.advanceTimersByTimeAsync(10_000);
    expect(client.phase).toEqual({
      name: 'failed',
      reason: 'refused (400): rate must be a decimal integer from 1 to 100',
    });
    expect(fetch.requests).toHaveLength(1);
  });

  it('backs off on 503 for at least Retry-After, keeping its cursor', async () => {
    const { fetch, client } = setup();
    client.start();
    fetch.last.answer(pageOf(stream, [5], 4));
    await vi.advanceTimersByTimeAsync(250);
    fetch.last.answer(
      json({ code: 'overloaded', message: 'Too many' }, 503, { 'Retry-After': '1' }),
    );
    await flush();
    expect(client.phase).toMatchObject({ name: 'retrying', delayMs: 1000 });
    await vi.advanceTimersByTimeAsync(999);
    expect(fetch.requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetch.requests).toHaveLength(3);
    expect(fetch.lastAfter).toBe('5');
  });

  it('backs off after a network error, longer each time, and resumes from its cursor', async () => {
    const { fetch, client } = setup();
    client.start();
    fetch.last.answer(pageOf(stream, [5], 4));
    await vi.advanceTimersByTimeAsync(250);
    fetch.last.fail();
    await flush();
    const first = client.phase;
    expect(first).toMatchObject({ name: 'retrying', reason: 'the api cannot be reached' });
    await vi.advanceTimersByTimeAsync((first as { delayMs: number }).delayMs);
    fetch.last.fail();
    await flush();
    const second = client.phase as { delayMs: number };
    expect(second.delayMs).toBeGreaterThan((first as { delayMs: number }).delayMs);
    await vi.advanceTimersByTimeAsync(second.delayMs);
    expect(fetch.lastAfter).toBe('5');
    fetch.last.answer(pageOf(stream, [6, 7], 5));
    await flush();
    // Unanswered requests are not counted: the server never saw them.
    expect(client.counters()).toMatchObject({ requests: 2, missing: 0, lastSeq: 7 });
  });

  it('treats an answer that is not a ticker page as an error', async () => {
    const { fetch, client, received } = setup();
    client.start();
    fetch.last.answer(json({ events: [{ seq: 'x' }], next: 1, more: false }));
    await flush();
    expect(client.phase).toMatchObject({
      name: 'retrying',
      reason: 'the answer is not a ticker page',
    });
    expect(received).toEqual([]);
  });

  it('stop lets the request in flight finish, counts it, and asks no more', async () => {
    const { fetch, client, phases } = setup();
    client.start();
    client.stop();
    expect(client.phase.name).toBe('stopping');
    fetch.last.answer(pageOf(stream, [3], 2));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(client.phase.name).toBe('stopped');
    expect(client.counters()).toMatchObject({ requests: 1, events: 1 });
    expect(fetch.requests).toHaveLength(1);
    expect(phases).toEqual(['active', 'stopping', 'stopped']);
  });

  it('stop while waiting stops at once; dispose aborts a request in flight', async () => {
    const { fetch, client } = setup();
    client.start();
    fetch.last.answer(pageOf(stream, [3], 2));
    await flush();
    client.stop();
    expect(client.phase.name).toBe('stopped');
    await vi.advanceTimersByTimeAsync(1_000);
    expect(fetch.requests).toHaveLength(1);

    const other = setup();
    other.client.start();
    other.client.dispose();
    expect(other.fetch.last.signal?.aborted).toBe(true);
    await flush();
    expect(other.client.phase.name).toBe('stopped');
  });
});

describe('HttpPollClient (long polling)', () => {
  it('asks with wait, and again at once after every answer', async () => {
    const { fetch, client } = setup({ transport: 'long_poll', waitMs: 25_000 });
    client.start();
    expect(fetch.last.url.pathname).toBe(TICKER_PATHS.longPoll);
    expect(fetch.last.url.searchParams.get('wait')).toBe('25000');
    fetch.last.answer(pageOf(stream, [8], 7));
    await flush();
    expect(fetch.requests).toHaveLength(2);
    expect(fetch.lastAfter).toBe('8');
    expect(client.phase.name).toBe('active');
    fetch.last.answer(pageOf(stream, [], 8));
    await flush();
    expect(fetch.requests).toHaveLength(3);
    expect(client.counters()).toMatchObject({ requests: 2, emptyResponses: 1, events: 1 });
  });
});
