import { randomUUID } from 'node:crypto';
import type { ServerFrame } from '@duplex/protocol';
import { CloseCode } from '@duplex/protocol';
import { WebSocket } from 'ws';
import type { Session } from '../session/session.js';
import type { InboundFrame } from './inbound-frame.js';
import { ConnectionRateLimiter } from './rate-limiter.js';

/** A `@SubscribeMessage` handler as Nest hands it over, bound to its socket. */
export type FrameHandler = (data: unknown, frame: InboundFrame) => unknown;

export interface ConnectionOptions {
  rate: ConstructorParameters<typeof ConnectionRateLimiter>[0];
  sendBufferLimitBytes: number;
  onFrameSent: (event: string, count: number) => void;
}

/** One client socket on `/ws`: its session, its rate limiter and an ordered work queue. */
export class Connection {
  readonly id = randomUUID();
  readonly rate: ConnectionRateLimiter;
  session: Session | null = null;
  /** Handlers of every `/ws` gateway, by event name. */
  readonly handlers = new Map<string, FrameHandler>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly socket: WebSocket,
    private readonly options: ConnectionOptions,
  ) {
    this.rate = new ConnectionRateLimiter(options.rate);
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  send(frame: ServerFrame): void {
    this.sendSerialized(JSON.stringify(frame), frame.event);
  }

  /** Sends an already serialised frame, so a broadcast is serialised once, not per recipient. */
  sendSerialized(text: string, event: string): void {
    if (!this.isOpen) return;
    if (this.socket.bufferedAmount > this.options.sendBufferLimitBytes) {
      this.close(CloseCode.TryAgainLater, 'consumer too slow');
      return;
    }
    this.socket.send(text);
    this.options.onFrameSent(event, 1);
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(code, reason);
    }
  }

  /** Runs frames of one connection one after another, in arrival order. */
  enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task, task);
  }
}
