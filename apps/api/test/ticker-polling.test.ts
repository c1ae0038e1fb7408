import {
  TICKER_LIMITS,
  TICKER_PATHS,
  TickerHttpError,
  HTTP_BAD_REQUEST,
  tickerDueSeq,
  tickerEventTime,
  type TickerEvent,
  type TickerPage,
  type TickerStream,
} from '@duplex/protocol';
import { describe, expect, it } from 'vitest';
import { TickerHub } from '../src/ticker/ticker-hub.js';
import { useServer } from './support/api-server.js';
import {
  expectContiguous,
  getError,
  getPage,
  getStats,
  moved,
  rawBody,
  rawGet,
  statsWhen,
  tickerSearch,
} from './support/ticker-clients.js';

const MAX_HELD = 5;
const { server } = useServer({ TICKER_MAX_HELD_POLLS: MAX_HELD });

const url = (path: string) => server().httpUrl(path);
const pollUrl = (stream: TickerStream, extra: Record<string, string | number> = {}) =>
  url(`${TICKER_PATHS.poll}${tickerSearch(stream, extra)}`);
const longPollUrl = (stream: TickerStream, extra: Record<string, string | number> = {}) =>
  url(`${TICKER_PATHS.longPoll}${tickerSearch(stream, extra)}`);

/** A query string of `query`'s entries. */
const searchOf = (query: Record<string, string | number>) =>
  new URLSearchParams(
    Object.entries(query).map(([key, value]): [string, string] => [key, String(value)]),
  ).toString();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A cursor at the latest due event of a 1-event-per-second stream, taken when the next event is
 * at least `marginMs` away (so a hold at it is not released by an event while the test acts).
 */
async function quietCursor(stream: TickerStream, marginMs = 500): Promise<number> {
  const nextDue = tickerEventTime(tickerDueSeq(stream.rate, Date.now()) + 1, stream.rate);
  if (nextDue - Date.now() < marginMs) await sleep(nextDue - Date.now() + 20);
  return (await getPage(pollUrl(stream))).next;
}

describe('short polling', () => {
  it('without a cursor answers at once with the latest due event', async () => {
    const stream = { rate: 10, size: 5 };
    const before = tickerDueSeq(stream.rate, Date.now());
    const page = await getPage(pollUrl(stream));
    expect(page.events).toHaveLength(1);
    expect(page.events[0]!.seq).toBeGreaterThanOrEqual(before);
    expectContiguous(page.events, stream, page.events[0]!.seq);
    expect(page).toMatchObject({ next: page.events[0]!.seq, more: false });
  });

  it('delivers every event exactly once and in order, across an aborted request', async () => {
    const stream = { rate: 100, size: 24 };
    const events: TickerEvent[] = [];
    let cursor = (await getPage(pollUrl(stream))).next;
    const first = cursor + 1;
    let aborted = false;
    while (events.length < 40) {
      if (!aborted && events.length >= 15) {
        // A request whose answer never reaches the client: it asks again with the same cursor.
        const abort = new AbortController();
        const lost = fetch(pollUrl(stream, { after: cursor }), { signal: abort.signal });
        abort.abort();
        await expect(lost).rejects.toThrow();
        aborted = true;
      }
      const page = await getPage(pollUrl(stream, { after: cursor }));
      events.push(...page.events);
      cursor = page.next;
      await sleep(5);
    }
    expect(aborted).toBe(true);
    expectContiguous(events, stream, first);
  });

  it('replays from an older cursor, at most 100 events a response, with more: true', async () => {
    const stream = { rate: 100, size: 3 };
    const latest = (await getPage(pollUrl(stream))).next;
    const after = latest - 150;
    const page = await getPage(pollUrl(stream, { after }));
    expect(page.events).toHaveLength(TICKER_LIMITS.maxEventsPerResponse);
    expect(page.more).toBe(true);
    expect(page.next).toBe(after + TICKER_LIMITS.maxEventsPerResponse);
    const rest = await getPage(pollUrl(stream, { after: page.next }));
    expect(rest.events.length).toBeGreaterThanOrEqual(50);
    expectContiguous([...page.events, ...rest.events], stream, after + 1);
  });

  it('N polls count N requests, their empty responses and their events', async () => {
    const stream = { rate: 1, size: 8 };
    let cursor = (await getPage(pollUrl(stream))).next;
    const before = await getStats(url);
    let empty = 0;
    let events = 0;
    const polls = 12;
    for (let i = 0; i < polls; i++) {
      const page = await getPage(pollUrl(stream, { after: cursor }));
      if (page.events.length === 0) empty++;
      events += page.events.length;
      cursor = page.next;
    }
    const counted = moved(before, await getStats(url), 'poll');
    // At one event per second most of the answers are empty.
    expect(empty).toBeGreaterThan(0);
    expect(counted).toMatchObject({ requests: polls, emptyResponses: empty, events });
  });

  it('counts every byte written for a response: status line and headers included', async () => {
    const stream = { rate: 10, size: 100 };
    const before = await getStats(url);
    const response = await rawGet(server().port, `${TICKER_PATHS.poll}${tickerSearch(stream)}`);
    const after = await getStats(url);
    expect(response.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const counted = moved(before, after, 'poll');
    expect(counted.requests).toBe(1);
    expect(counted.bytes).toBe(response.length);
    expect(counted.bytes).toBeGreaterThan(rawBody(response).length);
  });

  it('counts the bytes of keep-alive requests on one connection separately', async () => {
    const stream = { rate: 10, size: 10 };
    const before = await getStats(url);
    // fetch keeps its connection alive between these.
    let bodies = 0;
    for (let i = 0; i < 5; i++) {
      const response = await fetch(pollUrl(stream));
      bodies += (await response.arrayBuffer()).byteLength;
    }
    const counted = moved(before, await getStats(url), 'poll');
    expect(counted.requests).toBe(5);
    // Each response is counted once: its headers (well over 100 bytes) on top of its body.
    expect(counted.bytes).toBeGreaterThan(bodies + 5 * 100);
    expect(counted.bytes).toBeLessThan(bodies + 5 * 1000);
  });
});

describe('long polling', () => {
  it('answers at once when events are already due after the cursor', async () => {
    const stream = { rate: 100, size: 2 };
    const latest = (await getPage(pollUrl(stream))).next;
    const page = await getPage(longPollUrl(stream, { after: latest - 20 }));
    expect(page.events.length).toBeGreaterThanOrEqual(20);
    expectContiguous(page.events, stream, latest - 19);
  });

  it('a held poll is released with the event as soon as it is due', async () => {
    const stream = { rate: 1, size: 6 };
    const cursor = await quietCursor(stream);
    const page = await getPage(longPollUrl(stream, { after: cursor, wait: 30_000 }));
    expect(page.events.length).toBeGreaterThanOrEqual(1);
    expectContiguous(page.events, stream, cursor + 1);
    expect(page.next).toBe(page.events.at(-1)!.seq);
  });

  it('a hold with wait=300 ends empty, no sooner than 300 ms, keeping the cursor', async () => {
    const stream = { rate: 1, size: 1 };
    const cursor = await quietCursor(stream, 600);
    const before = await getStats(url);
    const started = performance.now();
    const page = await getPage(longPollUrl(stream, { after: cursor, wait: 300 }));
    const elapsed = performance.now() - started;
    expect(page).toEqual({ events: [], next: cursor, more: false });
    expect(elapsed).toBeGreaterThanOrEqual(300);
    const counted = moved(before, await getStats(url), 'long_poll');
    expect(counted).toMatchObject({ requests: 1, emptyResponses: 1, events: 0 });
  });

  it('delivers every event exactly once and in order, across a held request that is dropped', async () => {
    const stream = { rate: 2, size: 12 };
    const events: TickerEvent[] = [];
    let cursor = (await getPage(longPollUrl(stream))).next;
    const first = cursor + 1;
    const poll = async () => {
      const page = await getPage(longPollUrl(stream, { after: cursor }));
      events.push(...page.events);
      cursor = page.next;
    };
    while (events.length < 2) await poll();
    // A held request the client drops: its hold is freed, and the client resumes from its cursor.
    const abort = new AbortController();
    const dropped = fetch(longPollUrl(stream, { after: cursor }), { signal: abort.signal });
    await statsWhen(url, (stats) => stats.transports.long_poll.open === 1, 'the hold');
    abort.abort();
    await expect(dropped).rejects.toThrow();
    await statsWhen(url, (stats) => stats.transports.long_poll.open === 0, 'the hold freed');
    while (events.length < 5) await poll();
    expectContiguous(events, stream, first);
  });

  it('a client that goes away frees its hold before any event releases it', async () => {
    const stream = { rate: 1, size: 3 };
    const cursor = await quietCursor(stream, 700);
    const abort = new AbortController();
    const dropped = fetch(longPollUrl(stream, { after: cursor, wait: 30_000 }), {
      signal: abort.signal,
    });
    await statsWhen(url, (stats) => stats.transports.long_poll.open === 1, 'the hold');
    abort.abort();
    await expect(dropped).rejects.toThrow();
    await statsWhen(url, (stats) => stats.transports.long_poll.open === 0, 'the hold freed');
    // Freed by the disconnect: the next event was not due yet.
    expect(Date.now()).toBeLessThan(tickerEventTime(cursor + 1, stream.rate));
    expect(server().app.get(TickerHub).timers).toBe(0);
  });

  it('holds of one stream share one timer; over the cap: 503 overloaded; all released together', async () => {
    const stream = { rate: 1, size: 4 };
    const cursor = await quietCursor(stream, 800);
    const held = Array.from({ length: MAX_HELD }, () =>
      getPage(longPollUrl(stream, { after: cursor, wait: 30_000 })),
    );
    await statsWhen(url, (stats) => stats.transports.long_poll.open === MAX_HELD, 'the holds');
    expect(server().app.get(TickerHub).timers).toBe(1);
    const refused = await fetch(longPollUrl(stream, { after: cursor, wait: 30_000 }));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({
      code: TickerHttpError.Overloaded,
      message: expect.any(String),
    });
    const pages: TickerPage[] = await Promise.all(held);
    for (const page of pages) expectContiguous(page.events, stream, cursor + 1);
    expect(new Set(pages.map((page) => JSON.stringify(page))).size).toBe(1);
    await statsWhen(url, (stats) => stats.transports.long_poll.open === 0, 'no holds');
    expect(server().app.get(TickerHub).timers).toBe(0);
  });

  it('counts every byte of a long-poll response', async () => {
    const before = await getStats(url);
    const response = await rawGet(server().port, `${TICKER_PATHS.longPoll}?rate=100&size=50`);
    const counted = moved(before, await getStats(url), 'long_poll');
    expect(counted).toMatchObject({ requests: 1, emptyResponses: 0, bytes: response.length });
    expect(counted.events).toBeGreaterThanOrEqual(1);
  });
});

describe('bad requests', () => {
  const now = () => tickerDueSeq(1, Date.now());
  const cases: [string, () => Record<string, string | number>, string][] = [
    ['rate 0', () => ({ rate: 0 }), 'rate'],
    ['rate over 100', () => ({ rate: 101 }), 'rate'],
    ['a rate that is not a number', () => ({ rate: 'fast' }), 'rate'],
    ['size over 16384', () => ({ size: 16_385 }), 'size'],
    ['a negative size', () => ({ size: -1 }), 'size'],
    ['a malformed cursor', () => ({ after: '12a' }), 'after'],
    ['a cursor older than the replay window', () => ({ rate: 1, after: now() - 120 }), 'too old'],
    ['a cursor in the future', () => ({ rate: 1, after: now() + 10 }), 'future'],
  ];

  it.each(cases)('poll: %s → 400 with the error body', async (_label, query, mentions) => {
    const body = await getError(url(`${TICKER_PATHS.poll}?${searchOf(query())}`), 400);
    expect(body.code).toBe(HTTP_BAD_REQUEST);
    expect(body.message).toContain(mentions);
  });

  it.each([
    ...cases,
    ['wait 0', () => ({ wait: 0 }), 'wait'],
    ['wait over 30000', () => ({ wait: 30_001 }), 'wait'],
  ] as typeof cases)('long poll: %s → 400 with the error body', async (_label, query, mentions) => {
    const body = await getError(url(`${TICKER_PATHS.longPoll}?${searchOf(query())}`), 400);
    expect(body.code).toBe(HTTP_BAD_REQUEST);
    expect(body.message).toContain(mentions);
  });

  it('a repeated parameter is refused', async () => {
    const body = await getError(url(`${TICKER_PATHS.poll}?rate=1&rate=2`), 400);
    expect(body).toEqual({ code: HTTP_BAD_REQUEST, message: expect.stringContaining('rate') });
  });

  it('refused requests are counted, and leave the api serving', async () => {
    const before = await getStats(url);
    await getError(url(`${TICKER_PATHS.poll}?size=99999`), 400);
    const counted = moved(before, await getStats(url), 'poll');
    expect(counted.requests).toBe(1);
    expect(counted.bytes).toBeGreaterThan(0);
    expect(counted.events).toBe(0);
    const page = await getPage(pollUrl({ rate: 5, size: 5 }));
    expect(page.events).toHaveLength(1);
  });
});
