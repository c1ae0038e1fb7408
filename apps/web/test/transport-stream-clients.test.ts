import { TICKER_LIMITS, TICKER_PATHS, TickerCloseCode, type TickerEvent } from '@duplex/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SseTickerClient } from '@/lib/transports/sse-client';
import { WebSocketTickerClient } from '@/lib/transports/websocket-client';
import { FakeEventSource, FakeFetch, FakeWebSocket, eventsOf, json } from './support/fake-ticker';

const API = 'http://api.test';
const stream = { rate: 5, size: 3 };
const flush = () => vi.advanceTimersByTimeAsync(0);
const event = (seq: number): TickerEvent => eventsOf(stream, [seq])[0]!;

beforeEach(() => {
  vi.useFakeTimers();
  FakeEventSource.instances = [];
  FakeWebSocket.instances = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe('SseTickerClient', () => {
  function setup() {
    const fetch = new FakeFetch();
    const received: number[] = [];
    const client = new SseTickerClient({
      apiUrl: API,
      stream,
      fetch: fetch.fn,
      EventSource: FakeEventSource as unknown as typeof EventSource,
      onEvent: (e) => received.push(e.seq),
    });
    return { fetch, client, received };
  }

  it('opens the stream without a cursor and takes each event once', () => {
    const { client, received } = setup();
    client.start();
    const source = FakeEventSource.last;
    expect(source.url.pathname).toBe(TICKER_PATHS.sse);
    expect(source.url.searchParams.get('after')).toBeNull();
    expect(client.phase.name).toBe('connecting');
    source.open();
    expect(client.phase.name).toBe('active');
    expect(client.openConnections()).toBe(1);
    for (const seq of [20, 21, 21, 22]) source.emit(event(seq));
    source.emit('not json');
    source.emit(JSON.stringify({ seq: 23 }));
    expect(received).toEqual([20, 21, 22]);
    expect(client.counters()).toMatchObject({ events: 3, duplicates: 1, missing: 0, requests: 1 });
  });

  it('while the browser reconnects (Last-Event-ID), shows retrying, then carries on without a gap', () => {
    const { client, received } = setup();
    client.start();
    const source = FakeEventSource.last;
    source.open();
    source.emit(event(1));
    source.drop();
    expect(client.phase).toMatchObject({ name: 'retrying', delayMs: TICKER_LIMITS.sseRetryMs });
    expect(client.openConnections()).toBe(0);
    source.drop();
    source.open();
    source.emit(event(2));
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(received).toEqual([1, 2]);
    expect(client.counters()).toMatchObject({ missing: 0, requests: 2 });
  });

  it('given up with a 503, backs off and opens again with after=<last seq>', async () => {
    const { fetch, client } = setup();
    client.start();
    FakeEventSource.last.open();
    FakeEventSource.last.emit(event(7));
    FakeEventSource.last.fail();
    expect(FakeEventSource.last.closed).toBe(true);
    expect(fetch.last.url.searchParams.get('after')).toBe('7');
    fetch.last.answer(json({ code: 'overloaded', message: 'x' }, 503, { 'Retry-After': '1' }));
    await flush();
    expect(client.phase).toMatchObject({ name: 'retrying', reason: 'HTTP 503', delayMs: 1000 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(FakeEventSource.instances).toHaveLength(2);
    expect(FakeEventSource.last.url.searchParams.get('after')).toBe('7');
  });

  it('given up for a refused cursor, starts again without one and counts what it skipped', async () => {
    const { fetch, client } = setup();
    client.start();
    FakeEventSource.last.open();
    FakeEventSource.last.emit(event(7));
    FakeEventSource.last.fail();
    fetch.last.answer(json({ code: 'bad_request', message: 'after is too old' }, 400));
    await flush();
    expect(FakeEventSource.instances).toHaveLength(2);
    expect(FakeEventSource.last.url.searchParams.get('after')).toBeNull();
    FakeEventSource.last.open();
    FakeEventSource.last.emit(event(500));
    expect(client.counters()).toMatchObject({ missed: 492, missing: 0, cursorResets: 1 });
  });

  it('given up with a 400 and no cursor, stops and says why', async () => {
    const { fetch, client } = setup();
    client.start();
    FakeEventSource.last.fail();
    fetch.last.answer(
      json({ code: 'bad_request', message: 'size must be a decimal integer' }, 400),
    );
    await flush();
    expect(client.phase).toEqual({
      name: 'failed',
      reason: 'refused (400): size must be a decimal integer',
    });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeEventSource.instances).toHaveLength(1);
  });

  it('given up while the api is unreachable, keeps trying with its cursor', async () => {
    const { fetch, client } = setup();
    client.start();
    FakeEventSource.last.open();
    FakeEventSource.last.emit(event(3));
    FakeEventSource.last.fail();
    fetch.last.fail();
    await flush();
    expect(client.phase).toMatchObject({ name: 'retrying', reason: 'the api cannot be reached' });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(FakeEventSource.last.url.searchParams.get('after')).toBe('3');
  });

  it('stop closes the stream and nothing reopens it', async () => {
    const { client } = setup();
    client.start();
    FakeEventSource.last.open();
    client.stop();
    expect(FakeEventSource.last.closed).toBe(true);
    expect(client.phase.name).toBe('stopped');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeEventSource.instances).toHaveLength(1);
  });
});

describe('WebSocketTickerClient', () => {
  function setup() {
    const received: number[] = [];
    const client = new WebSocketTickerClient({
      apiUrl: API,
      stream,
      WebSocket: FakeWebSocket as unknown as typeof WebSocket,
      onEvent: (e) => received.push(e.seq),
    });
    return { client, received };
  }

  it('connects to /ws/ticker on the api host and takes each frame once', () => {
    const { client, received } = setup();
    client.start();
    const socket = FakeWebSocket.last;
    expect(socket.url.protocol).toBe('ws:');
    expect(socket.url.host).toBe('api.test');
    expect(socket.url.pathname).toBe(TICKER_PATHS.websocket);
    expect(socket.url.searchParams.get('rate')).toBe('5');
    expect(socket.url.searchParams.get('after')).toBeNull();
    socket.open();
    expect(client.openConnections()).toBe(1);
    for (const seq of [4, 5, 5, 7]) socket.emit(event(seq));
    socket.emit('{"seq":-1}');
    expect(received).toEqual([4, 5, 7]);
    expect(client.counters()).toMatchObject({ events: 3, duplicates: 1, missing: 1 });
  });

  for (const code of [1001, 1006, TickerCloseCode.TryAgainLater]) {
    it(`closed ${code}, reconnects after a back-off with after=<last seq>`, async () => {
      const { client } = setup();
      client.start();
      FakeWebSocket.last.open();
      FakeWebSocket.last.emit(event(9));
      FakeWebSocket.last.serverClose(code, 'bye');
      expect(client.phase).toMatchObject({ name: 'retrying', reason: `closed ${code}: bye` });
      const delay = (client.phase as { delayMs: number }).delayMs;
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(FakeWebSocket.instances).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(FakeWebSocket.instances).toHaveLength(2);
      expect(FakeWebSocket.last.url.searchParams.get('after')).toBe('9');
    });
  }

  it('refused its cursor (4004), starts again at once without one', async () => {
    const { client } = setup();
    client.start();
    FakeWebSocket.last.open();
    FakeWebSocket.last.emit(event(9));
    FakeWebSocket.last.serverClose(1006);
    await vi.advanceTimersByTimeAsync((client.phase as { delayMs: number }).delayMs);
    expect(FakeWebSocket.last.url.searchParams.get('after')).toBe('9');
    FakeWebSocket.last.serverClose(TickerCloseCode.BadQuery, 'after is too old');
    expect(FakeWebSocket.instances).toHaveLength(3);
    expect(FakeWebSocket.last.url.searchParams.get('after')).toBeNull();
    FakeWebSocket.last.open();
    FakeWebSocket.last.emit(event(400));
    expect(client.counters()).toMatchObject({ missed: 390, missing: 0, cursorResets: 1 });
  });

  it('4004 without a cursor, or 1008, stays closed and says why', async () => {
    const first = setup();
    first.client.start();
    FakeWebSocket.last.serverClose(TickerCloseCode.BadQuery, 'rate must be a decimal integer');
    expect(first.client.phase).toEqual({
      name: 'failed',
      reason: 'closed 4004: rate must be a decimal integer',
    });
    const second = setup();
    second.client.start();
    FakeWebSocket.last.open();
    FakeWebSocket.last.serverClose(TickerCloseCode.PolicyViolation);
    expect(second.client.phase).toEqual({ name: 'failed', reason: 'closed 1008' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('stop closes with 1000 and does not reconnect', async () => {
    const { client } = setup();
    client.start();
    FakeWebSocket.last.open();
    client.stop();
    expect(FakeWebSocket.last.closedWith).toEqual({ code: 1000, reason: 'stopped' });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(client.phase.name).toBe('stopped');
  });
});
