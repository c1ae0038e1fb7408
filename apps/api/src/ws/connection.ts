import { randomUUID } from 'node:crypto';
import type { ServerFrame } from '@duplex/protocol';
import { WebSocket } from 'ws';
import type { Session } from '../session/session.js';
import type { InboundFrame } from './inbound-frame.js';
import { ConnectionRateLimiter } from './rate-limiter.js';
import { sendSharedWithinBuffer, sendWithinBuffer } from './send-buffer.js';

/** A `@SubscribeMessage` handler as Nest hands it over, bound to its socket. */
export type FrameHandler = (data: unknown, frame: InboundFrame) => unknown;

export interface ConnectionOptions {
  rate: ConstructorParameters<typeof ConnectionRateLimiter>[0];
  sendBufferLimitBytes: number;
  onFrameSent: (event: string, count: number) => void;
}

/**
 * Whether the connection still takes frames in: `closing` once a close waits for the replies
 * to the frames taken in before it.
 */
type Intake = 'open' | 'closing';

/**
 * One client socket on `/ws`: its session, its rate limiter and an ordered work queue, so that
 * every reply leaves in the order the frames arrived.
 */
export class Connection {
  readonly id = randomUUID();
  readonly rate: ConnectionRateLimiter;
  session: Session | null = null;
  /** Handlers of every `/ws` gateway, by event name. */
  readonly handlers = new Map<string, FrameHandler>();
  private intake: Intake = 'open';
  private queue: Promise<void> = Promise.resolve();
  /** Tasks queued and not finished. */
  private pending = 0;
  private unfinishedFrames = 0;

  constructor(
    readonly socket: WebSocket,
    private readonly options: ConnectionOptions,
  ) {
    this.rate = new ConnectionRateLimiter(options.rate);
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Accepted frames not yet processed to the end (the one being processed included). */
  get backlog(): number {
    return this.unfinishedFrames;
  }

  /** False once a close was decided: frames arriving after that are not processed. */
  get isTakingFrames(): boolean {
    return this.intake === 'open';
  }

  send(frame: ServerFrame): void {
    if (this.write(JSON.stringify(frame))) this.options.onFrameSent(frame.event, 1);
  }

  /**
   * Sends a frame encoded once for many recipients (a broadcast), so neither serialisation nor
   * UTF-8 encoding is repeated per recipient. The caller counts what was sent.
   */
  sendEncoded(payload: Buffer): boolean {
    return sendSharedWithinBuffer(this.socket, payload, this.options.sendBufferLimitBytes);
  }

  /**
   * Sends a reply to a frame that is not queued (a refusal): at once when no frame is being
   * processed, else after the replies to the frames before it.
   */
  replyInTurn(frame: ServerFrame): void {
    if (this.pending === 0) this.send(frame);
    else this.enqueue(async () => this.send(frame));
  }

  private write(payload: string | Buffer): boolean {
    return sendWithinBuffer(this.socket, payload, false, this.options.sendBufferLimitBytes);
  }

  close(code: number, reason: string): void {
    if (
      this.socket.readyState === WebSocket.OPEN ||
      this.socket.readyState === WebSocket.CONNECTING
    ) {
      this.socket.close(code, reason);
    }
  }

  /**
   * Takes no more frames in, and closes once every frame taken in before has been answered.
   */
  closeAfterReplies(code: number, reason: string): void {
    if (this.intake === 'closing') return;
    this.intake = 'closing';
    this.enqueue(async () => this.close(code, reason));
  }

  /** Processes an accepted frame after the ones before it; counted in {@link backlog}. */
  enqueueFrame(process: () => Promise<void>): void {
    this.unfinishedFrames += 1;
    this.enqueue(async () => {
      try {
        await process();
      } finally {
        this.unfinishedFrames -= 1;
      }
    });
  }

  /** Runs frames of one connection one after another, in arrival order. */
  enqueue(task: () => Promise<void>): void {
    this.pending += 1;
    const run = async () => {
      try {
        await task();
      } finally {
        this.pending -= 1;
      }
    };
    this.queue = this.queue.then(run, run);
  }
}
