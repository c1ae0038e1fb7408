import { TICKER_PATHS, TickerHttpError, tickerPage, type TickerTransport } from '@duplex/protocol';
import { Backoff } from './backoff';
import { Lifecycle, type ClientPhase } from './lifecycle';
import { SequenceTracker } from './sequence-tracker';
import type { ClientCounters, TickerClient, TickerClientOptions } from './ticker-client';
import { tickerUrl } from './ticker-urls';

/** Short polling asks every `intervalMs`; long polling asks again at once, held up to `waitMs`. */
export type PollMode =
  | { transport: Extract<TickerTransport, 'poll'>; intervalMs: number }
  | { transport: Extract<TickerTransport, 'long_poll'>; waitMs: number };

export interface HttpPollClientOptions extends TickerClientOptions {
  fetch?: typeof fetch;
  /** How long `stop` lets the request in flight finish before aborting it. */
  stopGraceMs?: number;
}

/** What one request came to, and so what the client does next. */
type Outcome =
  | { kind: 'page'; more: boolean }
  | { kind: 'cursor-refused' }
  | { kind: 'refused'; reason: string }
  | { kind: 'retry'; reason: string; floorMs: number }
  | { kind: 'aborted' };

const DEFAULT_STOP_GRACE_MS = 5_000;

/** The message of an error body (`{code, message}`), when there is one. */
async function errorMessage(response: Response): Promise<string | null> {
  try {
    const body: unknown = await response.json();
    if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string')
      return body.message;
  } catch {
    // Not JSON: the status says enough.
  }
  return null;
}

function retryAfterMs(response: Response): number {
  const seconds = Number(response.headers.get('Retry-After'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

/**
 * A poller of the ticker over `fetch`: short polling (`GET /api/ticker/poll` every interval) or
 * long polling (`GET /api/ticker/long-poll`, held by the server). It asks with its last seq as
 * `after`, asks again at once while the server says `more`, backs off on 503 and network errors,
 * starts again without a cursor when its cursor is refused, and stops on any other 400.
 */
export class HttpPollClient implements TickerClient {
  readonly transport: TickerTransport;
  private readonly lifecycle: Lifecycle;
  private readonly tracker = new SequenceTracker();
  private readonly backoff = new Backoff();
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight: AbortController | null = null;
  private requests = 0;
  private emptyResponses = 0;
  private cursorResets = 0;

  constructor(
    private readonly mode: PollMode,
    private readonly options: HttpPollClientOptions,
  ) {
    this.transport = mode.transport;
    this.lifecycle = new Lifecycle(options.onPhase);
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.now = options.now ?? Date.now;
  }

  get phase(): ClientPhase {
    return this.lifecycle.phase;
  }

  counters(): ClientCounters {
    return this.tracker.counters({
      requests: this.requests,
      emptyResponses: this.emptyResponses,
      cursorResets: this.cursorResets,
    });
  }

  openConnections(): 0 | 1 {
    return this.inFlight ? 1 : 0;
  }

  start(): void {
    if (!this.lifecycle.is('idle', 'stopped', 'failed')) return;
    this.request();
  }

  stop(): void {
    if (this.lifecycle.is('active')) {
      this.lifecycle.to({ name: 'stopping' });
      const grace = this.options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
      this.timer = setTimeout(() => this.inFlight?.abort(), grace);
      return;
    }
    if (this.lifecycle.is('stopping', 'stopped')) return;
    clearTimeout(this.timer);
    this.lifecycle.to({ name: 'stopped' });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.inFlight?.abort();
    if (!this.lifecycle.is('stopped')) this.lifecycle.to({ name: 'stopped' });
  }

  private path(): string {
    return this.mode.transport === 'poll' ? TICKER_PATHS.poll : TICKER_PATHS.longPoll;
  }

  private request(): void {
    this.lifecycle.to({ name: 'active' });
    const after = this.tracker.cursor;
    const wait = this.mode.transport === 'long_poll' ? this.mode.waitMs : undefined;
    const url = tickerUrl(this.options.apiUrl, this.path(), this.options.stream, { after, wait });
    const abort = new AbortController();
    this.inFlight = abort;
    void this.send(url, abort, after).then((outcome) => {
      this.inFlight = null;
      this.next(outcome);
    });
  }

  private async send(
    url: string,
    abort: AbortController,
    after: number | undefined,
  ): Promise<Outcome> {
    let response: Response;
    try {
      response = await this.fetch(url, { signal: abort.signal, cache: 'no-store' });
    } catch {
      if (abort.signal.aborted) return { kind: 'aborted' };
      return { kind: 'retry', reason: 'the api cannot be reached', floorMs: 0 };
    }
    this.requests++;
    try {
      return await this.read(response, after);
    } catch {
      if (abort.signal.aborted) return { kind: 'aborted' };
      return { kind: 'retry', reason: 'the answer was cut off', floorMs: 0 };
    }
  }

  private async read(response: Response, after: number | undefined): Promise<Outcome> {
    if (response.status === 400) {
      const message = (await errorMessage(response)) ?? 'bad request';
      if (after !== undefined) return { kind: 'cursor-refused' };
      return { kind: 'refused', reason: `refused (400): ${message}` };
    }
    if (response.status === 503) {
      const floorMs = retryAfterMs(response);
      const message = await errorMessage(response);
      return {
        kind: 'retry',
        reason: `overloaded (503): ${message ?? TickerHttpError.Overloaded}`,
        floorMs,
      };
    }
    if (!response.ok) {
      await response.body?.cancel();
      return { kind: 'retry', reason: `HTTP ${response.status}`, floorMs: 0 };
    }
    const page = tickerPage.safeParse(await response.json());
    if (!page.success)
      return { kind: 'retry', reason: 'the answer is not a ticker page', floorMs: 0 };
    const receivedAt = this.now();
    if (page.data.events.length === 0) this.emptyResponses++;
    for (const event of page.data.events) {
      if (this.tracker.accept(event.seq)) this.options.onEvent?.(event, receivedAt);
    }
    this.backoff.reset();
    return { kind: 'page', more: page.data.more };
  }

  private next(outcome: Outcome): void {
    if (this.lifecycle.is('stopping')) {
      clearTimeout(this.timer);
      this.lifecycle.to({ name: 'stopped' });
      return;
    }
    if (!this.lifecycle.is('active')) return;
    switch (outcome.kind) {
      case 'page':
        if (this.mode.transport === 'poll' && !outcome.more) {
          this.lifecycle.to({ name: 'waiting' });
          this.timer = setTimeout(() => this.request(), this.mode.intervalMs);
        } else {
          this.request();
        }
        return;
      case 'cursor-refused':
        this.tracker.dropCursor();
        this.cursorResets++;
        this.request();
        return;
      case 'refused':
        this.lifecycle.to({ name: 'failed', reason: outcome.reason });
        return;
      case 'retry': {
        const delayMs = this.backoff.next(outcome.floorMs);
        this.lifecycle.to({ name: 'retrying', reason: outcome.reason, delayMs });
        this.timer = setTimeout(() => this.request(), delayMs);
        return;
      }
      case 'aborted':
        return;
    }
  }
}
