import { TICKER_PATHS, type TickerStats, type TickerTransportStats } from '@duplex/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TransportRun } from '@/lib/transports/transport-run';
import { FakeEventSource, FakeFetch, FakeWebSocket, json, pageOf } from './support/fake-ticker';

const API = 'http://api.test';
const settings = { rate: 10, size: 4, pollIntervalMs: 100, longPollWaitMs: 1000 };
const stream = { rate: settings.rate, size: settings.size };
/** The server's clock runs this far ahead of the browser's. */
const SERVER_AHEAD_MS = 1_000;
const flush = () => vi.advanceTimersByTimeAsync(0);

function stats(websocket: Partial<TickerTransportStats>, cpuMicros: number): TickerStats {
  const zero = { requests: 0, emptyResponses: 0, events: 0, bytes: 0, open: 0 };
  return {
    transports: {
      poll: zero,
      long_poll: zero,
      sse: zero,
      websocket: { ...zero, ...websocket },
    },
    cpu: { userMicros: cpuMicros, systemMicros: 0 },
    serverTime: Date.now() + SERVER_AHEAD_MS,
  };
}

let fetch: FakeFetch;
let run: TransportRun;

function statsRequests() {
  return fetch.requests.filter((request) => request.url.pathname === TICKER_PATHS.stats);
}

function pending(path: string) {
  const request = fetch.requests.filter((r) => r.url.pathname === path).at(-1);
  if (!request) throw new Error(`no request to ${path}`);
  return request;
}

async function answerStats(body: TickerStats) {
  statsRequests().at(-1)!.answer(json(body));
  await flush();
}

beforeEach(() => {
  vi.useFakeTimers();
  fetch = new FakeFetch();
  FakeEventSource.instances = [];
  FakeWebSocket.instances = [];
  run = new TransportRun(API, settings, {
    fetch: fetch.fn,
    EventSource: FakeEventSource as unknown as typeof EventSource,
    WebSocket: FakeWebSocket as unknown as typeof WebSocket,
    statsIntervalMs: 1_000,
  });
});
afterEach(() => {
  run.dispose();
  vi.useRealTimers();
});

async function startWithBaseline() {
  void run.start();
  // The baseline and two more clock samples, before any client starts.
  for (let i = 0; i < 3; i++) {
    expect(FakeWebSocket.instances).toHaveLength(0);
    await answerStats(stats({ events: 100, bytes: 4_000 }, 50_000));
  }
  expect(FakeWebSocket.instances).toHaveLength(1);
  expect(FakeEventSource.instances).toHaveLength(1);
}

describe('TransportRun', () => {
  it('corrects latency by the clock offset, and takes stream bytes and CPU from server deltas', async () => {
    await startWithBaseline();
    const socket = FakeWebSocket.last;
    socket.open();
    // The first event was already due when the client started (its wait is not counted), the
    // next one due 30 ms ago in the server's clock.
    socket.emit({ seq: 6, ts: Date.now() + SERVER_AHEAD_MS - 900, payload: '6.6.' });
    const ts = Date.now() + SERVER_AHEAD_MS - 30;
    socket.emit({ seq: 7, ts, payload: '7.7.' });
    await vi.advanceTimersByTimeAsync(1_000);
    await answerStats(stats({ events: 110, bytes: 4_310, open: 1 }, 52_000));

    const view = run.view();
    expect(view.clock?.offsetMs).toBe(SERVER_AHEAD_MS);
    const websocket = view.clients.find((client) => client.transport === 'websocket')!;
    expect(websocket.latency.p50).toBe(30);
    expect(websocket.latency.p99).toBe(30);
    expect(websocket.bytes).toEqual({
      source: 'server',
      total: 310,
      events: 10,
      perEvent: 31,
      hidden: 0,
    });
    expect(websocket.server.open).toBe(1);
    expect(view.cpuMicrosPerEvent).toBe(200);
    const poll = view.clients.find((client) => client.transport === 'poll')!;
    expect(poll.bytes.source).toBe('resource-timing');
  });

  it('stop waits for the pollers’ last answers, then reads the server once more', async () => {
    await startWithBaseline();
    run.stop();
    expect(run.view().running).toBe(false);
    expect(run.settled).toBe(false);
    const before = statsRequests().length;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(statsRequests()).toHaveLength(before);

    pending(TICKER_PATHS.poll).answer(pageOf(stream, [5], 4));
    pending(TICKER_PATHS.longPoll).answer(pageOf(stream, [5], 4));
    await vi.advanceTimersByTimeAsync(200);
    expect(run.settled).toBe(true);
    expect(statsRequests()).toHaveLength(before + 1);
    await answerStats(stats({ events: 100, bytes: 4_000 }, 50_000));
    const counts = run.view().clients.map((client) => [client.transport, client.counters.requests]);
    expect(counts).toEqual([
      ['poll', 1],
      ['long_poll', 1],
      ['sse', 0],
      ['websocket', 0],
    ]);
  });
});
