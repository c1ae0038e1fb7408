import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import {
  TICKER_PATHS,
  tickerEvent,
  tickerEventOf,
  tickerPage,
  type TickerEvent,
  type TickerPage,
  type TickerStats,
  type TickerStream,
  type TickerTransport,
} from '@duplex/protocol';
import { expect } from 'vitest';
import { WebSocket } from 'ws';
import { withTimeout } from './raw-client.js';

/** Query string of a ticker request: `rate`, `size` and any extra parameters. */
export function tickerSearch(stream: TickerStream, extra: Record<string, string | number> = {}) {
  const params = new URLSearchParams({ rate: String(stream.rate), size: String(stream.size) });
  for (const [key, value] of Object.entries(extra)) params.set(key, String(value));
  return `?${params.toString()}`;
}

/** GETs a poll or long-poll URL; the body must be a ticker page. */
export async function getPage(url: string, init: RequestInit = {}): Promise<TickerPage> {
  const response = await fetch(url, init);
  const body: unknown = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(200);
  return tickerPage.parse(body);
}

/** GETs a ticker URL expected to fail with `status`; returns the error body. */
export async function getError(
  url: string,
  status: number,
  headers: Record<string, string> = {},
): Promise<{ code: string; message: string }> {
  const response = await fetch(url, { headers });
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as { code: string; message: string };
  expect(Object.keys(body).sort()).toEqual(['code', 'message']);
  expect(body.message).not.toMatch(/\n\s+at /);
  return body;
}

export async function getStats(baseUrl: (path: string) => string): Promise<TickerStats> {
  const response = await fetch(baseUrl(TICKER_PATHS.stats));
  expect(response.status).toBe(200);
  return (await response.json()) as TickerStats;
}

/** Polls the stats until `predicate` holds (a barrier for what the server did); rejects after `ms`. */
export async function statsWhen(
  baseUrl: (path: string) => string,
  predicate: (stats: TickerStats) => boolean,
  what: string,
  ms = 5_000,
): Promise<TickerStats> {
  const deadline = Date.now() + ms;
  for (;;) {
    const stats = await getStats(baseUrl);
    if (predicate(stats)) return stats;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** How much each counter of `transport` moved from `before` to `after`. */
export function moved(before: TickerStats, after: TickerStats, transport: TickerTransport) {
  const a = before.transports[transport];
  const b = after.transports[transport];
  return {
    requests: b.requests - a.requests,
    emptyResponses: b.emptyResponses - a.emptyResponses,
    events: b.events - a.events,
    bytes: b.bytes - a.bytes,
  };
}

/**
 * Checks that `events` are exactly the stream's events from `first` on: every seq once, in order,
 * each identical to the one the schedule defines, none in the future.
 */
export function expectContiguous(
  events: readonly TickerEvent[],
  stream: TickerStream,
  first: number,
) {
  const seqs = events.map((event) => event.seq);
  expect(seqs).toEqual(Array.from({ length: events.length }, (_, i) => first + i));
  const now = Date.now();
  for (const event of events) {
    expect(event).toEqual(tickerEventOf(event.seq, stream));
    expect(event.ts).toBeLessThanOrEqual(now);
  }
}

/** One block of an SSE stream: an event, a `retry:` hint alone, or a comment. */
export interface SseBlock {
  id?: string;
  data?: string;
  retry?: string;
  comment?: string;
}

/**
 * A minimal `text/event-stream` reader over node:http (Node has no `EventSource`): blocks are
 * queued as they arrive; `next` takes them in order.
 */
export class SseClient {
  readonly blocks: SseBlock[] = [];
  private readonly waiters: (() => void)[] = [];
  private buffer = '';
  private ended = false;

  private constructor(
    private readonly request: ClientRequest,
    readonly response: IncomingMessage,
  ) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      this.buffer += chunk;
      let end;
      while ((end = this.buffer.indexOf('\n\n')) >= 0) {
        this.blocks.push(parseBlock(this.buffer.slice(0, end)));
        this.buffer = this.buffer.slice(end + 2);
      }
      this.wake();
    });
    const finish = () => {
      this.ended = true;
      this.wake();
    };
    response.on('end', finish);
    response.on('close', finish);
    response.on('error', finish);
  }

  /** Opens a stream; resolves once the response headers arrived (any status). */
  static open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    return withTimeout(
      new Promise((resolve, reject) => {
        const request = httpRequest(url, { headers: { Accept: 'text/event-stream', ...headers } });
        request.once('response', (response) => resolve(new SseClient(request, response)));
        request.once('error', reject);
        request.end();
      }),
      2_000,
      `SSE ${url}`,
    );
  }

  get status(): number {
    return this.response.statusCode ?? 0;
  }

  /** Whether the server ended the stream. */
  get isEnded(): boolean {
    return this.ended;
  }

  /** The next block; rejects when none comes within `ms` or the stream ended. */
  async next(ms = 2_000): Promise<SseBlock> {
    const deadline = Date.now() + ms;
    while (this.blocks.length === 0) {
      if (this.ended) throw new Error('the SSE stream ended');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for an SSE block');
      await withTimeout(
        new Promise<void>((resolve) => this.waiters.push(resolve)),
        left,
        'an SSE block',
      ).catch(() => undefined);
    }
    return this.blocks.shift()!;
  }

  /** The next ticker event, skipping `retry:` hints and comments; checks `id` equals `seq`. */
  async nextEvent(ms = 2_000): Promise<TickerEvent> {
    for (;;) {
      const block = await this.next(ms);
      if (block.data === undefined) continue;
      const event = tickerEvent.parse(JSON.parse(block.data));
      expect(block.id).toBe(String(event.seq));
      return event;
    }
  }

  /** Resolves once the stream ended (the server closed it). */
  async endedByServer(ms = 5_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.ended) {
      if (Date.now() > deadline) throw new Error('the SSE stream did not end');
      await withTimeout(
        new Promise<void>((resolve) => this.waiters.push(resolve)),
        deadline - Date.now(),
        'the end of the SSE stream',
      ).catch(() => undefined);
    }
  }

  /** Drops the connection, as a client that goes away. */
  close(): Promise<void> {
    this.request.destroy();
    return Promise.resolve();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

function parseBlock(text: string): SseBlock {
  const block: SseBlock = {};
  for (const line of text.split('\n')) {
    if (line.startsWith(':')) {
      block.comment = line.slice(1).trim();
      continue;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id' || field === 'data' || field === 'retry') block[field] = value;
  }
  return block;
}

/**
 * Sends `GET path` on a fresh TCP connection with `Connection: close` and reads until the server
 * closes it: every byte the server wrote (status line, headers, body).
 */
export function rawGet(port: number, path: string): Promise<Buffer> {
  return withTimeout(
    new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
      });
      const chunks: Buffer[] = [];
      socket.on('data', (chunk) => chunks.push(chunk));
      socket.once('end', () => resolve(Buffer.concat(chunks)));
      socket.once('error', reject);
    }),
    5_000,
    `raw GET ${path}`,
  );
}

/** The body of a raw HTTP response (after the blank line that ends the headers). */
export function rawBody(response: Buffer): Buffer {
  return response.subarray(response.indexOf('\r\n\r\n') + 4);
}

/**
 * A `/ws/ticker` client that collects every event from the first frame on (frames may arrive in
 * the same packet as the upgrade's answer, before any `await` after `open` resumes).
 */
export class TickerSocket {
  readonly events: TickerEvent[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly socket: WebSocket;

  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.socket.on('message', (data: Buffer, isBinary: boolean) => {
      expect(isBinary).toBe(false);
      this.events.push(tickerEvent.parse(JSON.parse(data.toString('utf8'))));
    });
    this.socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      this.socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** Resolves once `count` events have arrived in all; rejects after `ms`. */
  async waitForEvents(count: number, ms = 5_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.events.length < count) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} events`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async close(): Promise<void> {
    if (this.socket.readyState !== WebSocket.CLOSED) this.socket.terminate();
    await this.closed;
  }
}
