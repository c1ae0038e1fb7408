import { TICKER_LIMITS, TICKER_PATHS } from '@duplex/protocol';
import { Backoff } from './backoff';
import { Lifecycle, type ClientPhase } from './lifecycle';
import { parseTickerEvent } from './parse-event';
import { SequenceTracker } from './sequence-tracker';
import type { ClientCounters, TickerClient, TickerClientOptions } from './ticker-client';
import { tickerUrl } from './ticker-urls';

export interface SseClientOptions extends TickerClientOptions {
  EventSource?: typeof EventSource;
  /** For the request that finds out why the browser gave a stream up. */
  fetch?: typeof fetch;
}

// EventSource.CONNECTING and CLOSED, usable where `EventSource` is undefined.
const CONNECTING = 0;
const CLOSED = 2;

/**
 * A ticker client over the browser's `EventSource`. The browser reconnects by itself after a
 * dropped stream, sending the last `id:` as `Last-Event-ID`. It gives up on an HTTP error
 * without saying which: the client then asks the same URL once to read the status, and backs off
 * (503, network), starts again without a cursor (a refused cursor), or stops (any other 400).
 */
export class SseTickerClient implements TickerClient {
  readonly transport = 'sse' as const;
  private readonly lifecycle: Lifecycle;
  private readonly tracker = new SequenceTracker();
  private readonly backoff = new Backoff();
  private readonly EventSourceImpl: typeof EventSource;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private source: EventSource | null = null;
  private probe: AbortController | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private requests = 0;
  private cursorResets = 0;

  constructor(private readonly options: SseClientOptions) {
    this.lifecycle = new Lifecycle(options.onPhase);
    this.EventSourceImpl = options.EventSource ?? globalThis.EventSource;
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.now = options.now ?? Date.now;
  }

  get phase(): ClientPhase {
    return this.lifecycle.phase;
  }

  counters(): ClientCounters {
    return this.tracker.counters({
      requests: this.requests,
      emptyResponses: 0,
      cursorResets: this.cursorResets,
    });
  }

  openConnections(): 0 | 1 {
    return this.lifecycle.is('active') ? 1 : 0;
  }

  start(): void {
    if (!this.lifecycle.is('idle', 'stopped', 'failed')) return;
    this.open();
  }

  stop(): void {
    this.close();
    if (!this.lifecycle.is('stopped')) this.lifecycle.to({ name: 'stopped' });
  }

  dispose(): void {
    this.stop();
  }

  private url(): string {
    return tickerUrl(this.options.apiUrl, TICKER_PATHS.sse, this.options.stream, {
      after: this.tracker.cursor,
    });
  }

  private close(): void {
    clearTimeout(this.timer);
    this.probe?.abort();
    this.probe = null;
    if (this.source) {
      this.source.onopen = this.source.onmessage = this.source.onerror = null;
      this.source.close();
      this.source = null;
    }
  }

  private open(): void {
    this.lifecycle.to({ name: 'connecting' });
    const source = new this.EventSourceImpl(this.url());
    this.source = source;
    source.onopen = () => {
      this.requests++;
      this.backoff.reset();
      this.lifecycle.to({ name: 'active' });
    };
    source.onmessage = (message: MessageEvent) => {
      const event = parseTickerEvent(message.data);
      if (event && this.tracker.accept(event.seq)) this.options.onEvent?.(event, this.now());
    };
    source.onerror = () => {
      if (source.readyState === CONNECTING) {
        // The browser retries on its own, with Last-Event-ID, after the stream's `retry:`.
        if (!this.lifecycle.is('retrying')) {
          this.lifecycle.to({
            name: 'retrying',
            reason: 'the stream dropped; the browser reconnects',
            delayMs: TICKER_LIMITS.sseRetryMs,
          });
        }
        return;
      }
      if (source.readyState === CLOSED) {
        this.close();
        void this.diagnose();
      }
    };
  }

  /** Asks the stream's URL once, to learn the status the browser does not tell. */
  private async diagnose(): Promise<void> {
    this.lifecycle.to({ name: 'connecting' });
    const after = this.tracker.cursor;
    const probe = new AbortController();
    this.probe = probe;
    let status: number | null = null;
    let retryAfter = 0;
    let message = 'bad request';
    try {
      const response = await this.fetch(this.url(), { signal: probe.signal, cache: 'no-store' });
      this.requests++;
      status = response.status;
      retryAfter = Number(response.headers.get('Retry-After')) * 1000 || 0;
      if (status === 400) {
        const body: unknown = await response.json().catch(() => null);
        if (body && typeof body === 'object' && 'message' in body) message = String(body.message);
      }
      probe.abort();
    } catch {
      // Unreachable, or aborted: `status` stays null.
    }
    if (this.probe !== probe) return; // stopped meanwhile
    this.probe = null;
    if (status === 400 && after !== undefined) {
      this.tracker.dropCursor();
      this.cursorResets++;
      this.open();
    } else if (status === 400) {
      this.lifecycle.to({ name: 'failed', reason: `refused (400): ${message}` });
    } else {
      const reason = status === null ? 'the api cannot be reached' : `HTTP ${status}`;
      this.retry(reason, retryAfter);
    }
  }

  private retry(reason: string, floorMs: number): void {
    const delayMs = this.backoff.next(floorMs);
    this.lifecycle.to({ name: 'retrying', reason, delayMs });
    this.timer = setTimeout(() => this.open(), delayMs);
  }
}
