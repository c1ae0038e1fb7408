import { connect } from 'node:net';
import {
  HTTP_BAD_REQUEST,
  TICKER_LIMITS,
  TICKER_PATHS,
  TickerCloseCode,
  TickerHttpError,
  tickerDueSeq,
  tickerEvent,
  type TickerEvent,
  type TickerStream,
} from '@duplex/protocol';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { serverFrameBytes } from '../src/ticker/ticker.gateway.js';
import { useServer } from './support/api-server.js';
import { RawClient, withTimeout } from './support/raw-client.js';
import {
  SseClient,
  expectContiguous,
  getError,
  getPage,
  getStats,
  moved,
  statsWhen,
  tickerSearch,
} from './support/ticker-clients.js';

const MAX_STREAMS = 3;
const ALLOWED_ORIGIN = 'http://localhost:3000';
const { server, closeAfterTest } = useServer({
  TICKER_MAX_SSE_STREAMS: MAX_STREAMS,
  TICKER_MAX_WEBSOCKETS: MAX_STREAMS,
  TICKER_SSE_HEARTBEAT_MS: 200,
  ALLOWED_ORIGINS: ALLOWED_ORIGIN,
});

const url = (path: string) => server().httpUrl(path);
const sseUrl = (stream: TickerStream, extra: Record<string, string | number> = {}) =>
  url(`${TICKER_PATHS.sse}${tickerSearch(stream, extra)}`);
const wsUrl = (stream: TickerStream, extra: Record<string, string | number> = {}) =>
  server().wsUrl(`${TICKER_PATHS.websocket}${tickerSearch(stream, extra)}`);

async function openSse(
  stream: TickerStream,
  extra: Record<string, string | number> = {},
  headers: Record<string, string> = {},
): Promise<SseClient> {
  return closeAfterTest(await SseClient.open(sseUrl(stream, extra), headers));
}

async function openWs(
  stream: TickerStream,
  extra: Record<string, string | number> = {},
): Promise<RawClient> {
  return closeAfterTest(await RawClient.connect(wsUrl(stream, extra)));
}

async function nextWsEvent(client: RawClient): Promise<TickerEvent> {
  const message = await client.nextRaw();
  expect(message.isBinary).toBe(false);
  return tickerEvent.parse(JSON.parse(message.data.toString('utf8')));
}

async function take<T>(count: number, next: () => Promise<T>): Promise<T[]> {
  const taken: T[] = [];
  while (taken.length < count) taken.push(await next());
  return taken;
}

describe('Server-Sent Events', () => {
  it('is a text/event-stream: a retry hint, then one event per ticker event with id = seq', async () => {
    const stream = { rate: 20, size: 7 };
    const before = tickerDueSeq(stream.rate, Date.now());
    const sse = await openSse(stream, {}, { Origin: ALLOWED_ORIGIN });
    expect(sse.status).toBe(200);
    expect(sse.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(sse.response.headers['cache-control']).toBe('no-store');
    expect(sse.response.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(await sse.next()).toEqual({ retry: String(TICKER_LIMITS.sseRetryMs) });
    const events = await take(5, () => sse.nextEvent());
    // Without a cursor the stream starts at the latest due event.
    expect(events[0]!.seq).toBeGreaterThanOrEqual(before);
    expectContiguous(events, stream, events[0]!.seq);
  });

  it('gives no CORS grant to an origin the api does not allow', async () => {
    const sse = await openSse({ rate: 1, size: 1 }, {}, { Origin: 'https://evil.example' });
    expect(sse.response.headers['access-control-allow-origin']).toBeUndefined();
    const poll = await fetch(url(TICKER_PATHS.poll), { headers: { Origin: ALLOWED_ORIGIN } });
    expect(poll.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
  });

  it('delivers every event exactly once and in order across a dropped connection (Last-Event-ID)', async () => {
    const stream = { rate: 50, size: 16 };
    const first = await openSse(stream);
    const before = await take(10, () => first.nextEvent());
    await first.close();
    // The browser's EventSource sends the last id back; it wins over a stale `after`.
    const again = await openSse(
      stream,
      { after: before[0]!.seq },
      { 'Last-Event-ID': String(before.at(-1)!.seq) },
    );
    const after = await take(10, () => again.nextEvent());
    expectContiguous([...before, ...after], stream, before[0]!.seq);
  });

  it('Last-Event-ID wins over after', async () => {
    const stream = { rate: 100, size: 2 };
    const latest = tickerDueSeq(stream.rate, Date.now());
    const sse = await openSse(stream, { after: latest - 50 }, { 'Last-Event-ID': `${latest - 3}` });
    const events = await take(3, () => sse.nextEvent());
    expectContiguous(events, stream, latest - 2);
  });

  it('sends a comment heartbeat between sparse events', async () => {
    const sse = await openSse({ rate: 1, size: 1 });
    for (;;) {
      const block = await sse.next(3_000);
      if (block.comment !== undefined) {
        expect(block).toEqual({ comment: 'heartbeat' });
        break;
      }
    }
  });

  it.each([
    ['rate 0', { rate: '0' }, {}, 'rate'],
    ['size over 16384', { size: '16385' }, {}, 'size'],
    ['a malformed after', { after: 'x' }, {}, 'after'],
    ['a too old after', { rate: '1', after: '5' }, {}, 'too old'],
    ['a malformed Last-Event-ID', {}, { 'Last-Event-ID': 'abc' }, 'Last-Event-ID'],
    [
      'a Last-Event-ID in the future',
      { rate: '1' },
      { 'Last-Event-ID': '9000000000000' },
      'future',
    ],
  ])('%s → 400 with the error body', async (_label, query, headers, mentions) => {
    const body = await getError(
      url(`${TICKER_PATHS.sse}?${new URLSearchParams(query)}`),
      400,
      headers,
    );
    expect(body.code).toBe(HTTP_BAD_REQUEST);
    expect(body.message).toContain(mentions);
  });

  it('caps concurrent streams (503 overloaded) and frees a stream when its client leaves', async () => {
    const stream = { rate: 1, size: 1 };
    const open = await Promise.all(Array.from({ length: MAX_STREAMS }, () => openSse(stream)));
    const refused = await fetch(sseUrl(stream));
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({
      code: TickerHttpError.Overloaded,
      message: expect.any(String),
    });
    await open[0]!.close();
    await statsWhen(url, (stats) => stats.transports.sse.open === MAX_STREAMS - 1, 'one freed');
    const another = await openSse(stream);
    expect(another.status).toBe(200);
    expect((await another.next()).retry).toBe(String(TICKER_LIMITS.sseRetryMs));
  });

  it('counts the request, its events and at least every byte the client read', async () => {
    const before = await getStats(url);
    const { received, events } = await withTimeout(
      new Promise<{ received: number; events: number }>((resolve, reject) => {
        const socket = connect(server().port, '127.0.0.1', () =>
          socket.write(`GET ${TICKER_PATHS.sse}?rate=100&size=40 HTTP/1.1\r\nHost: x\r\n\r\n`),
        );
        let received = 0;
        let text = '';
        socket.on('data', (chunk: Buffer) => {
          received += chunk.length;
          text += chunk.toString('latin1');
          const events = text.split('\ndata: ').length - 1;
          if (events >= 5) {
            socket.destroy();
            resolve({ received, events });
          }
        });
        socket.once('error', reject);
      }),
      5_000,
      'five SSE events',
    );
    const after = await statsWhen(url, (stats) => stats.transports.sse.open === 0, 'closed');
    const counted = moved(before, after, 'sse');
    expect(counted.requests).toBe(1);
    expect(counted.events).toBeGreaterThanOrEqual(events);
    expect(counted.bytes).toBeGreaterThanOrEqual(received);
    expect(counted.emptyResponses).toBe(0);
  });
});

describe('WebSocket', () => {
  it('sends one JSON text frame per event, starting at the latest due event', async () => {
    const stream = { rate: 20, size: 33 };
    const before = tickerDueSeq(stream.rate, Date.now());
    const client = await openWs(stream);
    const events = await take(5, () => nextWsEvent(client));
    expect(events[0]!.seq).toBeGreaterThanOrEqual(before);
    expectContiguous(events, stream, events[0]!.seq);
  });

  it('delivers every event exactly once and in order across a dropped connection (after)', async () => {
    const stream = { rate: 50, size: 100 };
    const first = await openWs(stream);
    const before = await take(10, () => nextWsEvent(first));
    first.socket.terminate();
    await first.closed;
    const again = await openWs(stream, { after: before.at(-1)!.seq });
    const after = await take(10, () => nextWsEvent(again));
    expectContiguous([...before, ...after], stream, before[0]!.seq);
  });

  it('replays from an older cursor first, then follows the stream', async () => {
    const stream = { rate: 100, size: 1 };
    const latest = tickerDueSeq(stream.rate, Date.now());
    const client = await openWs(stream, { after: latest - 300 });
    const events = await take(320, () => nextWsEvent(client));
    expectContiguous(events, stream, latest - 299);
  });

  it.each([
    ['rate 0', { rate: '0' }, 'rate'],
    ['rate over 100', { rate: '101' }, 'rate'],
    ['size over 16384', { size: '16385' }, 'size'],
    ['a malformed after', { after: '1e3' }, 'after'],
    ['a too old after', { rate: '1', after: '7' }, 'too old'],
    ['a future after', { rate: '1', after: '9000000000000' }, 'future'],
    ['a repeated rate', 'rate=1&rate=2', 'rate'],
  ])('%s: closed with 4004 and the reason', async (_label, query, mentions) => {
    const search = new URLSearchParams(query);
    const client = closeAfterTest(
      await RawClient.connect(server().wsUrl(`${TICKER_PATHS.websocket}?${search}`)),
    );
    const closed = await withTimeout(client.closed, 2_000, 'the close');
    expect(closed.code).toBe(TickerCloseCode.BadQuery);
    expect(closed.reason).toContain(mentions);
  });

  it('caps concurrent ticker WebSockets: over it, closed with 1013', async () => {
    const stream = { rate: 1, size: 1 };
    await Promise.all(Array.from({ length: MAX_STREAMS }, () => openWs(stream)));
    const over = await openWs(stream);
    const closed = await withTimeout(over.closed, 2_000, 'the close');
    expect(closed.code).toBe(TickerCloseCode.TryAgainLater);
  });

  it('refuses an origin the api does not allow, like /ws', async () => {
    const status = await RawClient.refusedStatus(wsUrl({ rate: 1, size: 1 }), {
      origin: 'https://evil.example',
    });
    expect(status).toBe(403);
  });

  it('counts the upgrade request, the events and their frame bytes', async () => {
    const stream = { rate: 100, size: 200 };
    const before = await getStats(url);
    // Listening from before the upgrade, so the first frame is not missed.
    const socket = new WebSocket(wsUrl(stream));
    const received: Buffer[] = [];
    socket.on('message', (data: Buffer) => received.push(data));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await statsWhen(url, (stats) => moved(before, stats, 'websocket').events >= 5, 'events');
    socket.close();
    await closed;
    const after = await statsWhen(url, (stats) => stats.transports.websocket.open === 0, 'closed');
    const counted = moved(before, after, 'websocket');
    expect(counted.requests).toBe(1);
    expect(counted.events).toBe(received.length);
    expect(counted.bytes).toBe(
      received.reduce((sum, data) => sum + serverFrameBytes(data.length), 0),
    );
    expect(counted.bytes).toBeGreaterThan(received.reduce((sum, data) => sum + data.length, 0));
  });
});

describe('one stream, four transports', () => {
  it('the same event is identical on every transport', async () => {
    const stream = { rate: 10, size: 40 };
    const seq = tickerDueSeq(stream.rate, Date.now()) - 5;
    const cursor = { after: seq - 1 };
    const [poll, longPoll] = await Promise.all([
      getPage(url(`${TICKER_PATHS.poll}${tickerSearch(stream, cursor)}`)),
      getPage(url(`${TICKER_PATHS.longPoll}${tickerSearch(stream, cursor)}`)),
    ]);
    const sse = await (await openSse(stream, cursor)).nextEvent();
    const ws = await nextWsEvent(await openWs(stream, cursor));
    expect(poll.events[0]).toEqual(sse);
    expect(longPoll.events[0]).toEqual(sse);
    expect(ws).toEqual(sse);
    expectContiguous([sse], stream, seq);
  });
});
