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

const TEXT_FRAME = { binary: false } as const;

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
    if (this.write(JSON.stringify(frame))) this.options.onFrameSent(frame.event, 1);
  }

  /**
   * Sends a frame encoded once for many recipients (a broadcast), so neither serialisation nor
   * UTF-8 encoding is repeated per recipient. The caller counts what was sent.
   */
  sendEncoded(payload: Buffer): boolean {
    return this.write(payload);
  }

  private write(payload: string | Buffer): boolean {
    const socket = this.socket;
    if (socket.readyState !== WebSocket.OPEN) return false;
    if (socket.bufferedAmount > this.options.sendBufferLimitBytes) {
      this.close(CloseCode.TryAgainLater, 'consumer too slow');
      return false;
    }
    socket.send(payload, TEXT_FRAME);
    return true;
  }

  close(code: number, reason: string): void {
    if (
      this.socket.readyState === WebSocket.OPEN ||
      this.socket.readyState === WebSocket.CONNECTING
    ) {
      this.socket.close(code, reason);
    }
  }

  /** Runs frames of one connection one after another, in arrival order. */
  enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task, task);
  }
}
