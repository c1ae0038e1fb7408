import { TICKER_PATHS, TickerCloseCode } from '@duplex/protocol';
import { Backoff } from './backoff';
import { Lifecycle, type ClientPhase } from './lifecycle';
import { parseTickerEvent } from './parse-event';
import { SequenceTracker } from './sequence-tracker';
import type { ClientCounters, TickerClient, TickerClientOptions } from './ticker-client';
import { tickerSocketUrl } from './ticker-urls';

export interface WebSocketClientOptions extends TickerClientOptions {
  WebSocket?: typeof WebSocket;
}

const NORMAL_CLOSURE = 1000;

/**
 * A ticker client over a `WebSocket` to `/ws/ticker`: reconnects with `after=<last seq>` and a
 * small back-off when the socket closes (1001, 1013, a dropped connection), starts again without
 * a cursor when its cursor is refused (4004), and stays closed on any other 4004 or 1008.
 */
export class WebSocketTickerClient implements TickerClient {
  readonly transport = 'websocket' as const;
  private readonly lifecycle: Lifecycle;
  private readonly tracker = new SequenceTracker();
  private readonly backoff = new Backoff();
  private readonly WebSocketImpl: typeof WebSocket;
  private readonly now: () => number;
  private socket: WebSocket | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private requests = 0;
  private cursorResets = 0;

  constructor(private readonly options: WebSocketClientOptions) {
    this.lifecycle = new Lifecycle(options.onPhase);
    this.WebSocketImpl = options.WebSocket ?? globalThis.WebSocket;
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
    clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      socket.close(NORMAL_CLOSURE, 'stopped');
    }
    if (!this.lifecycle.is('stopped')) this.lifecycle.to({ name: 'stopped' });
  }

  dispose(): void {
    this.stop();
  }

  private open(): void {
    this.lifecycle.to({ name: 'connecting' });
    const after = this.tracker.cursor;
    const url = tickerSocketUrl(
      this.options.apiUrl,
      TICKER_PATHS.websocket,
      this.options.stream,
      after,
    );
    const socket = new this.WebSocketImpl(url);
    this.socket = socket;
    socket.onopen = () => {
      this.requests++;
      this.backoff.reset();
      this.lifecycle.to({ name: 'active' });
    };
    socket.onmessage = (message: MessageEvent) => {
      const event = parseTickerEvent(message.data);
      if (event && this.tracker.accept(event.seq)) this.options.onEvent?.(event, this.now());
    };
    socket.onclose = (event: CloseEvent) => {
      this.socket = null;
      this.closed(event, after);
    };
  }

  private closed(event: CloseEvent, after: number | undefined): void {
    const reason = event.reason ? `${event.code}: ${event.reason}` : `${event.code}`;
    if (event.code === TickerCloseCode.BadQuery && after !== undefined) {
      this.tracker.dropCursor();
      this.cursorResets++;
      this.open();
      return;
    }
    if (event.code === TickerCloseCode.BadQuery || event.code === TickerCloseCode.PolicyViolation) {
      this.lifecycle.to({ name: 'failed', reason: `closed ${reason}` });
      return;
    }
    const delayMs = this.backoff.next();
    this.lifecycle.to({ name: 'retrying', reason: `closed ${reason}`, delayMs });
    this.timer = setTimeout(() => this.open(), delayMs);
  }
}
