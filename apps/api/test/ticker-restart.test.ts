import type { INestApplication } from '@nestjs/common';
import {
  CloseCode,
  TICKER_PATHS,
  tickerDueSeq,
  tickerEvent,
  tickerEventTime,
  type TickerEvent,
  type TickerStream,
} from '@duplex/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config/config.js';
import { freePort } from './support/api-process.js';
import { withTimeout } from './support/raw-client.js';
import { freshStorage, type TestStorage } from './support/test-storage.js';
import {
  SseClient,
  TickerSocket,
  expectContiguous,
  getPage,
  tickerSearch,
} from './support/ticker-clients.js';

/**
 * An api that stops and starts again on the same port, as a restart or a deploy: a new process
 * knows nothing of the old one's clients, and the ticker needs nothing from it.
 */
class RestartableApi {
  private app: INestApplication | undefined;
  private storage: TestStorage | undefined;

  constructor(readonly port: number) {}

  async start(): Promise<void> {
    this.storage = await freshStorage();
    const config = loadConfig({
      ...this.storage.config,
      PORT: this.port,
      LOG_LEVEL: 'silent',
      SHUTDOWN_GRACE_MS: 500,
    });
    this.app = await createApp(config);
    await this.app.listen(this.port, '127.0.0.1');
  }

  async stop(): Promise<void> {
    await this.app?.close();
    this.app = undefined;
    await this.storage?.remove();
    this.storage = undefined;
  }

  httpUrl(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  wsUrl(path: string): string {
    return `ws://127.0.0.1:${this.port}${path}`;
  }
}

let api: RestartableApi;
const closables: { close(): Promise<unknown> }[] = [];

beforeEach(async () => {
  api = new RestartableApi(await freePort());
  await api.start();
});
afterEach(async () => {
  await Promise.all(closables.splice(0).map((closable) => closable.close()));
  await api.stop();
});

async function take<T>(count: number, next: () => Promise<T>): Promise<T[]> {
  const taken: T[] = [];
  while (taken.length < count) taken.push(await next());
  return taken;
}

describe('across an api restart on the same port: no gap, no duplicate', () => {
  it('short polling continues with its cursor', async () => {
    const stream = { rate: 50, size: 20 };
    const url = (after: number) =>
      api.httpUrl(`${TICKER_PATHS.poll}${tickerSearch(stream, { after })}`);
    const events: TickerEvent[] = [];
    let cursor = (await getPage(api.httpUrl(`${TICKER_PATHS.poll}${tickerSearch(stream)}`))).next;
    const first = cursor + 1;
    const pollUntil = async (count: number) => {
      while (events.length < count) {
        const page = await getPage(url(cursor));
        events.push(...page.events);
        cursor = page.next;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    await pollUntil(10);
    await api.stop();
    await expect(fetch(url(cursor))).rejects.toThrow();
    await api.start();
    await pollUntil(events.length + 60);
    expectContiguous(events, stream, first);
  });

  it('long polling: a held poll is answered at shutdown, and the client continues', async () => {
    const stream = { rate: 2, size: 9 };
    const url = (after: number) =>
      api.httpUrl(`${TICKER_PATHS.longPoll}${tickerSearch(stream, { after, wait: 30_000 })}`);
    const events: TickerEvent[] = [];
    let cursor = (await getPage(api.httpUrl(`${TICKER_PATHS.longPoll}${tickerSearch(stream)}`)))
      .next;
    const first = cursor + 1;
    const pollOnce = async () => {
      const page = await getPage(url(cursor));
      events.push(...page.events);
      cursor = page.next;
    };
    await pollOnce();
    // Hold a poll while the next event is far enough away, then stop the api under it.
    const nextDue = tickerEventTime(tickerDueSeq(stream.rate, Date.now()) + 1, stream.rate);
    if (nextDue - Date.now() < 250) await new Promise((resolve) => setTimeout(resolve, 300));
    await pollOnce();
    const held = pollOnce();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await api.stop();
    await held;
    await api.start();
    while (events.length < 6) await pollOnce();
    expectContiguous(events, stream, first);
  });

  it('SSE: the stream ends at shutdown and resumes with Last-Event-ID', async () => {
    const stream = { rate: 50, size: 32 };
    const url = api.httpUrl(`${TICKER_PATHS.sse}${tickerSearch(stream)}`);
    const first = await SseClient.open(url);
    closables.push(first);
    const events = await take(10, () => first.nextEvent());
    const stopping = api.stop();
    await first.endedByServer();
    await stopping;
    // What reached the client before the end counts; the rest is replayed from its last id.
    for (const block of first.blocks) {
      if (block.data !== undefined) events.push(tickerEvent.parse(JSON.parse(block.data)));
    }
    await api.start();
    const again = await SseClient.open(url, { 'Last-Event-ID': String(events.at(-1)!.seq) });
    closables.push(again);
    events.push(...(await take(30, () => again.nextEvent())));
    expectContiguous(events, stream, events[0]!.seq);
  });

  it('WebSocket: closed 1001 at shutdown, resumes with after=<last seq>', async () => {
    const stream = { rate: 50, size: 64 };
    const path = (extra: Record<string, number> = {}) =>
      api.wsUrl(`${TICKER_PATHS.websocket}${tickerSearch(stream, extra)}`);
    const first = new TickerSocket(path());
    closables.push(first);
    await first.waitForEvents(10);
    const stopping = api.stop();
    const closed = await withTimeout(first.closed, 5_000, 'the close');
    await stopping;
    expect(closed.code).toBe(CloseCode.GoingAway);
    await api.start();
    const again = new TickerSocket(path({ after: first.events.at(-1)!.seq }));
    closables.push(again);
    await again.waitForEvents(30);
    const received = [...first.events, ...again.events];
    expectContiguous(received, stream, received[0]!.seq);
  });
});

/** The stream's identity is all a client needs: events of a stream are the same on any instance. */
describe('streams need no state', () => {
  it('two instances serve identical events for the same parameters', async () => {
    const other = new RestartableApi(await freePort());
    await other.start();
    try {
      const stream: TickerStream = { rate: 10, size: 50 };
      const after = tickerDueSeq(stream.rate, Date.now()) - 20;
      const search = `${TICKER_PATHS.poll}${tickerSearch(stream, { after })}`;
      const [a, b] = await Promise.all([
        getPage(api.httpUrl(search)),
        getPage(other.httpUrl(search)),
      ]);
      expect(a.events.slice(0, 20)).toEqual(b.events.slice(0, 20));
      expectContiguous(a.events, stream, after + 1);
    } finally {
      await other.stop();
    }
  });
});
