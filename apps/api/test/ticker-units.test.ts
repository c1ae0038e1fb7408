import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import {
  tickerDueSeq,
  tickerEventOf,
  tickerEventTime,
  tickerLongPollQuery,
  tickerQuery,
  type TickerPage,
} from '@duplex/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../src/config/config.js';
import type { AppLogger } from '../src/logging/logger.js';
import { MetricsService } from '../src/metrics/metrics.service.js';
import { LongPollHolds } from '../src/ticker/long-poll-holds.js';
import { meterResponseBytes } from '../src/ticker/response-bytes.js';
import { TickerCounters } from '../src/ticker/ticker-counters.js';
import { serverFrameBytes } from '../src/ticker/ticker.gateway.js';
import { TickerHub } from '../src/ticker/ticker-hub.js';
import { startTickerRequest } from '../src/ticker/ticker-request.js';
import { withTimeout } from './support/raw-client.js';

const NOW = 1_700_000_000_000;
const silentLogger = { error: vi.fn() } as unknown as AppLogger;

describe('startTickerRequest', () => {
  const latest = tickerDueSeq(10, NOW);

  it('validates the query, then starts at the latest due event without a cursor', () => {
    expect(startTickerRequest(tickerQuery, { rate: '10', size: '3' }, NOW)).toEqual({
      ok: true,
      value: { query: { rate: 10, size: 3 }, stream: { rate: 10, size: 3 }, after: latest - 1 },
    });
  });

  it('takes after as the cursor, and Last-Event-ID over it', () => {
    const query = { rate: '10', after: String(latest - 5) };
    const plain = startTickerRequest(tickerQuery, query, NOW);
    expect(plain.ok && plain.value.after).toBe(latest - 5);
    const resumed = startTickerRequest(tickerQuery, query, NOW, String(latest - 2));
    expect(resumed.ok && resumed.value.after).toBe(latest - 2);
    const empty = startTickerRequest(tickerQuery, query, NOW, '');
    expect(empty.ok && empty.value.after).toBe(latest - 5);
  });

  it.each([
    ['a bad rate', { rate: '0' }, undefined, 'rate'],
    ['a bad wait', { wait: '0' }, undefined, 'wait'],
    ['a future cursor', { rate: '10', after: String(latest + 1) }, undefined, 'future'],
    ['a too old cursor', { rate: '10', after: String(latest - 601) }, undefined, 'too old'],
    ['a malformed Last-Event-ID', { rate: '10' }, '1.5', 'Last-Event-ID'],
    ['a repeated Last-Event-ID', { rate: '10' }, ['1', '2'], 'Last-Event-ID'],
    ['a too old Last-Event-ID', { rate: '10' }, String(latest - 601), 'too old'],
  ])('refuses %s', (_label, query, lastEventId, mentions) => {
    const started = startTickerRequest(tickerLongPollQuery, query, NOW, lastEventId);
    expect(started.ok).toBe(false);
    expect(!started.ok && started.message).toContain(mentions);
  });
});

describe('serverFrameBytes', () => {
  it.each([
    [0, 2],
    [125, 127],
    [126, 130],
    [65_535, 65_539],
    [65_536, 65_546],
  ])('a %i-byte payload takes %i bytes on the wire', (payload, frame) => {
    expect(serverFrameBytes(payload)).toBe(frame);
  });
});

describe('TickerHub and LongPollHolds (fake clock)', () => {
  let hub: TickerHub;
  let metrics: MetricsService;
  let holds: LongPollHolds;

  beforeEach(() => {
    vi.useFakeTimers({ now: NOW, toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    hub = new TickerHub(silentLogger);
    metrics = new MetricsService();
    const config = { ticker: { maxHeldPolls: 3 } } as AppConfig;
    holds = new LongPollHolds(config, hub, new TickerCounters(metrics));
  });
  afterEach(() => {
    holds.onModuleDestroy();
    hub.onModuleDestroy();
    vi.useRealTimers();
  });

  it('runs one timer per stream, however many listeners, and tells each of the latest seq', () => {
    const told: number[][] = [[], [], []];
    const stops = told.map((list) => hub.subscribe({ rate: 10, size: 1 }, (s) => list.push(s)));
    expect(hub.timers).toBe(1);
    const other = hub.subscribe({ rate: 10, size: 2 }, () => undefined);
    expect(hub.timers).toBe(2);
    vi.advanceTimersByTime(250);
    const due = tickerDueSeq(10, Date.now());
    for (const list of told) expect(list.at(-1)).toBe(due);
    for (const list of told) expect(list).toEqual(told[0]);
    for (const stop of stops) stop();
    other();
    expect(hub.timers).toBe(0);
    const before = told[0]!.length;
    vi.advanceTimersByTime(1000);
    expect(told[0]).toHaveLength(before);
  });

  it('a listener that throws does not stop the others', () => {
    const told: number[] = [];
    hub.subscribe({ rate: 5, size: 0 }, () => {
      throw new Error('listener fault');
    });
    hub.subscribe({ rate: 5, size: 0 }, (seq) => told.push(seq));
    vi.advanceTimersByTime(450);
    expect(told).toHaveLength(2);
    expect(silentLogger.error).toHaveBeenCalled();
  });

  it('a hold is released with the next event when it is due, not before', async () => {
    const stream = { rate: 1, size: 4 };
    const latest = tickerDueSeq(1, NOW);
    let page: TickerPage | undefined;
    void holds
      .hold(stream, latest, 30_000, new AbortController().signal)
      .then((value) => (page = value));
    await vi.advanceTimersByTimeAsync(tickerEventTime(latest + 1, 1) - NOW - 1);
    expect(page).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(page).toEqual({
      events: [tickerEventOf(latest + 1, stream)],
      next: latest + 1,
      more: false,
    });
    expect(hub.timers).toBe(0);
  });

  it('a hold ends empty at its deadline', async () => {
    vi.setSystemTime(tickerEventTime(tickerDueSeq(1, NOW) + 1, 1));
    const latest = tickerDueSeq(1, Date.now());
    let page: TickerPage | undefined;
    void holds
      .hold({ rate: 1, size: 0 }, latest, 300, new AbortController().signal)
      .then((value) => (page = value));
    await vi.advanceTimersByTimeAsync(299);
    expect(page).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(page).toEqual({ events: [], next: latest, more: false });
  });

  it('is full at the cap, and a client that leaves frees its place at once', async () => {
    const stream = { rate: 1, size: 0 };
    const latest = tickerDueSeq(1, NOW);
    const leaving = new AbortController();
    const released: (TickerPage | undefined)[] = [];
    for (const signal of [leaving.signal, new AbortController().signal]) {
      void holds.hold(stream, latest, 30_000, signal).then((page) => released.push(page));
    }
    void holds
      .hold({ rate: 2, size: 0 }, tickerDueSeq(2, NOW), 30_000, new AbortController().signal)
      .then((page) => released.push(page));
    expect(holds.full).toBe(true);
    expect(hub.timers).toBe(2);
    leaving.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(released).toEqual([undefined]);
    expect(holds.full).toBe(false);
    const open = await metrics.tickerOpen.get();
    expect(open.values.find((sample) => sample.labels.transport === 'long_poll')?.value).toBe(2);
  });

  it('at shutdown every hold is answered', async () => {
    const latest = tickerDueSeq(1, NOW);
    const held = holds.hold({ rate: 1, size: 0 }, latest, 30_000, new AbortController().signal);
    holds.beforeApplicationShutdown();
    expect(await held).toEqual({ events: [], next: latest, more: false });
    expect(hub.timers).toBe(0);
  });
});

describe('meterResponseBytes', () => {
  let server: Server;
  const metered = new Map<string, number>();

  beforeEach(async () => {
    metered.clear();
    server = createServer((request, response) => {
      const path = request.url ?? '';
      meterResponseBytes(response, (bytes) => metered.set(path, (metered.get(path) ?? 0) + bytes));
      const body = path === '/slow' ? 'a'.repeat(5000) : 'b'.repeat(10);
      setTimeout(() => response.end(body), path === '/slow' ? 50 : 0);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('counts each response of a pipelined keep-alive connection exactly, headers included', async () => {
    const { port } = server.address() as AddressInfo;
    const received = await withTimeout(
      new Promise<Buffer>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () =>
          socket.write(
            'GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
          ),
        );
        const chunks: Buffer[] = [];
        socket.on('data', (chunk) => chunks.push(chunk));
        socket.once('end', () => resolve(Buffer.concat(chunks)));
        socket.once('error', reject);
      }),
      5_000,
      'two responses',
    );
    const second = received.indexOf('HTTP/1.1', 1);
    expect(second).toBeGreaterThan(5000);
    expect(metered.get('/slow')).toBe(second);
    expect(metered.get('/fast')).toBe(received.length - second);
  });
});
