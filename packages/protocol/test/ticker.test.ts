import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CloseCode,
  HTTP_BAD_REQUEST,
  TICKER_LIMITS,
  TICKER_PATHS,
  TickerCloseCode,
  TickerHttpError,
  isTerminalCloseCode,
  checkTickerCursor,
  parseTickerQuery,
  searchParamsRecord,
  tickerDueSeq,
  tickerEvent,
  tickerEventOf,
  tickerEventTime,
  tickerLongPollQuery,
  tickerPage,
  tickerPageAt,
  tickerPayload,
  tickerQuery,
  tickerReplayEvents,
} from '../src/index.js';

const rates = fc.integer({ min: TICKER_LIMITS.minRate, max: TICKER_LIMITS.maxRate });
/** Times from 2000 to 2100, in ms since the Unix epoch. */
const times = fc.integer({ min: 946_684_800_000, max: 4_102_444_800_000 });

describe('the schedule', () => {
  it('event seq is due at seq * 1000 / rate ms after the Unix epoch', () => {
    expect(tickerEventTime(0, 1)).toBe(0);
    expect(tickerEventTime(5, 1)).toBe(5000);
    expect(tickerEventTime(1, 3)).toBe(334); // 333.33… rounds up: never before it is due
    expect(tickerEventTime(3, 3)).toBe(1000);
    expect(tickerDueSeq(3, 333)).toBe(0);
    expect(tickerDueSeq(3, 334)).toBe(1);
    expect(tickerDueSeq(100, 1_700_000_000_123)).toBe(170_000_000_012);
  });

  it('an event is due exactly from its ts on: ts <= now iff seq <= the latest due seq', () => {
    fc.assert(
      fc.property(rates, times, (rate, now) => {
        const latest = tickerDueSeq(rate, now);
        expect(tickerEventTime(latest, rate)).toBeLessThanOrEqual(now);
        expect(tickerEventTime(latest + 1, rate)).toBeGreaterThan(now);
      }),
    );
  });

  it('ts increases with seq, by 1000 / rate on average', () => {
    fc.assert(
      fc.property(rates, times, (rate, now) => {
        const seq = tickerDueSeq(rate, now);
        const a = tickerEventTime(seq, rate);
        const b = tickerEventTime(seq + rate, rate);
        expect(b - a).toBe(1000);
        expect(tickerEventTime(seq + 1, rate)).toBeGreaterThan(a);
      }),
    );
  });

  it('the payload is exactly size ASCII bytes of seq in base 36, deterministic', () => {
    expect(tickerPayload(35, 5)).toBe('z.z.z');
    expect(tickerPayload(36, 7)).toBe('10.10.1');
    expect(tickerPayload(12345, 0)).toBe('');
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: 0, max: TICKER_LIMITS.maxSize }),
        (seq, size) => {
          const payload = tickerPayload(seq, size);
          expect(Buffer.byteLength(payload, 'utf8')).toBe(size);
          expect(payload).toMatch(/^[0-9a-z.]*$/);
          expect(payload).toBe(tickerPayload(seq, size));
          const unit = `${seq.toString(36)}.`;
          expect(unit.repeat(size).startsWith(payload)).toBe(true);
        },
      ),
    );
  });

  it('an event is {seq, ts, payload} and matches the schema', () => {
    const event = tickerEventOf(1234, { rate: 10, size: 8 });
    expect(event).toEqual({ seq: 1234, ts: 123_400, payload: 'ya.ya.ya' });
    expect(tickerEvent.parse(event)).toEqual(event);
  });
});

describe('the cursor', () => {
  const now = 1_700_000_000_000;

  it('the replay window is 60 s worth of events, at most 1000', () => {
    expect(tickerReplayEvents(1)).toBe(60);
    expect(tickerReplayEvents(10)).toBe(600);
    expect(tickerReplayEvents(16)).toBe(960);
    expect(tickerReplayEvents(17)).toBe(1000);
    expect(tickerReplayEvents(100)).toBe(1000);
  });

  it('without a cursor, the client starts just before the latest due event', () => {
    const latest = tickerDueSeq(10, now);
    expect(checkTickerCursor(undefined, 10, now)).toEqual({ ok: true, after: latest - 1 });
  });

  it('accepts cursors from the oldest in the window to the latest due event', () => {
    const latest = tickerDueSeq(10, now);
    const oldest = latest - tickerReplayEvents(10);
    expect(checkTickerCursor(latest, 10, now)).toEqual({ ok: true, after: latest });
    expect(checkTickerCursor(oldest, 10, now)).toEqual({ ok: true, after: oldest });
  });

  it('refuses a cursor past the latest due event, or older than the window', () => {
    const latest = tickerDueSeq(10, now);
    const oldest = latest - tickerReplayEvents(10);
    const future = checkTickerCursor(latest + 1, 10, now);
    expect(future).toEqual({ ok: false, message: expect.stringContaining('future') });
    const old = checkTickerCursor(oldest - 1, 10, now);
    expect(old).toEqual({ ok: false, message: expect.stringContaining('too old') });
  });

  it('a page holds the due events after the cursor, oldest first, at most the cap', () => {
    const stream = { rate: 100, size: 3 };
    const latest = tickerDueSeq(100, now);
    const page = tickerPageAt(stream, latest - 150, now);
    expect(page.events.map((event) => event.seq)).toEqual(
      Array.from({ length: TICKER_LIMITS.maxEventsPerResponse }, (_, i) => latest - 149 + i),
    );
    expect(page.next).toBe(latest - 50);
    expect(page.more).toBe(true);
    const rest = tickerPageAt(stream, page.next, now);
    expect(rest.events.map((event) => event.seq)).toEqual(
      Array.from({ length: 50 }, (_, i) => latest - 49 + i),
    );
    expect(rest).toMatchObject({ next: latest, more: false });
    expect(tickerPage.parse(rest)).toEqual(rest);
  });

  it('a page at the latest due event is empty and keeps the cursor', () => {
    const latest = tickerDueSeq(5, now);
    expect(tickerPageAt({ rate: 5, size: 0 }, latest, now)).toEqual({
      events: [],
      next: latest,
      more: false,
    });
  });

  it('never holds an event that is not due yet', () => {
    fc.assert(
      fc.property(rates, times, fc.integer({ min: 0, max: 200 }), (rate, at, back) => {
        const page = tickerPageAt({ rate, size: 1 }, tickerDueSeq(rate, at) - back, at);
        for (const event of page.events) expect(event.ts).toBeLessThanOrEqual(at);
        expect(page.events.length).toBe(Math.min(back, TICKER_LIMITS.maxEventsPerResponse));
      }),
    );
  });
});

describe('the query', () => {
  it('defaults rate, size and wait, and leaves after out', () => {
    expect(parseTickerQuery(tickerQuery, {})).toEqual({
      ok: true,
      value: { rate: TICKER_LIMITS.defaultRate, size: TICKER_LIMITS.defaultSize },
    });
    expect(parseTickerQuery(tickerLongPollQuery, {})).toEqual({
      ok: true,
      value: {
        rate: TICKER_LIMITS.defaultRate,
        size: TICKER_LIMITS.defaultSize,
        wait: TICKER_LIMITS.defaultWaitMs,
      },
    });
  });

  it('reads decimal strings at the limits, and ignores other parameters', () => {
    const query = { rate: '100', size: '16384', after: '0', wait: '30000', _: 'cache-buster' };
    expect(parseTickerQuery(tickerLongPollQuery, query)).toEqual({
      ok: true,
      value: { rate: 100, size: 16_384, after: 0, wait: 30_000 },
    });
    expect(parseTickerQuery(tickerQuery, { rate: '1', size: '0', after: '42' })).toEqual({
      ok: true,
      value: { rate: 1, size: 0, after: 42 },
    });
  });

  it.each([
    ['rate 0', { rate: '0' }, 'rate must be a decimal integer from 1 to 100'],
    ['rate 101', { rate: '101' }, 'rate'],
    ['a fractional rate', { rate: '1.5' }, 'rate'],
    ['a negative rate', { rate: '-1' }, 'rate'],
    ['an empty rate', { rate: '' }, 'rate'],
    ['a rate in hex', { rate: '0x10' }, 'rate'],
    ['a rate with spaces', { rate: ' 5' }, 'rate'],
    ['a repeated rate', { rate: ['1', '2'] }, 'rate'],
    ['a nested rate', { rate: { a: '1' } }, 'rate'],
    ['size 16385', { size: '16385' }, 'size must be a decimal integer from 0 to 16384'],
    ['wait 0', { wait: '0' }, 'wait must be a decimal integer from 1 to 30000'],
    ['wait 30001', { wait: '30001' }, 'wait'],
    ['a malformed cursor', { after: 'abc' }, 'after must be a decimal integer'],
    ['a negative cursor', { after: '-1' }, 'after'],
    ['a cursor beyond 2^53', { after: '9007199254740993' }, 'after'],
    ['a cursor of 17 digits', { after: '12345678901234567' }, 'after'],
  ])('refuses %s with a message naming the parameter', (_label, query, message) => {
    const result = parseTickerQuery(tickerLongPollQuery, query);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(message);
  });

  it('searchParamsRecord keeps single values as strings and repeats as arrays', () => {
    const params = new URLSearchParams('rate=5&size=1&size=2&after=');
    expect(searchParamsRecord(params)).toEqual({ rate: '5', size: ['1', '2'], after: '' });
  });
});

describe('codes and paths', () => {
  it('4004 (bad query) is a code of its own, not one of /ws', () => {
    expect(TickerCloseCode.BadQuery).toBe(4004);
    expect(Object.values(CloseCode)).not.toContain(TickerCloseCode.BadQuery);
    expect(TickerCloseCode.TryAgainLater).toBe(CloseCode.TryAgainLater);
    expect(isTerminalCloseCode(TickerCloseCode.TryAgainLater)).toBe(false);
  });

  it('400 bodies share the api-wide code; 503 bodies say overloaded', () => {
    expect(TickerHttpError).toEqual({ BadRequest: HTTP_BAD_REQUEST, Overloaded: 'overloaded' });
  });

  it('HTTP transports live under /api/ticker, the WebSocket under /ws', () => {
    const { websocket, ...http } = TICKER_PATHS;
    for (const path of Object.values(http)) expect(path).toMatch(/^\/api\/ticker\/[a-z-]+$/);
    expect(websocket).toBe('/ws/ticker');
  });
});
