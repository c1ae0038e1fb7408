import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import {
  ErrorCode,
  errorFrame,
  type ClientEventName,
  type ProtocolFailure,
} from '@duplex/protocol';
import type { Session } from '../session/session.js';
import type { Connection } from './connection.js';

export interface FrameReporter {
  errorSent(code: string): void;
  internalError(error: unknown, event: string): void;
}

/**
 * One client request being handled: answers it exactly once, with an `ack` when it carried an
 * `id`, or with an `error` frame (which is sent with or without an `id`).
 */
export class InboundFrame {
  private settled = false;

  constructor(
    readonly connection: Connection,
    readonly event: ClientEventName,
    readonly id: string | undefined,
    private readonly reporter: FrameReporter,
  ) {}

  /** The sender's session; every event but `hello` reaches a handler only with one. */
  get session(): Session {
    const session = this.connection.session;
    if (!session) throw new Error(`"${this.event}" reached its handler without a session`);
    return session;
  }

  get isSettled(): boolean {
    return this.settled;
  }

  ack(data: object = {}): void {
    if (this.settled) return;
    this.settled = true;
    if (this.id !== undefined) this.connection.send({ event: 'ack', id: this.id, data });
  }

  reject(failure: Omit<ProtocolFailure, 'id'>): void {
    if (this.settled) return;
    this.settled = true;
    this.reporter.errorSent(failure.code);
    this.connection.send(errorFrame({ ...failure, ...(this.id !== undefined && { id: this.id }) }));
  }

  /** A fault of the server: logged with its detail, reported to the client as `internal`. */
  fault(error: unknown): void {
    this.reporter.internalError(error, this.event);
    this.reject({ code: ErrorCode.Internal, message: 'Internal server error' });
  }
}

/** Index of the {@link InboundFrame} among a handler's arguments: `[socket, data, frame]`. */
export const INBOUND_FRAME_ARG = 2;

/** Injects the {@link InboundFrame} being handled into a `@SubscribeMessage` handler. */
export const Frame = createParamDecorator((_: unknown, context: ExecutionContext): InboundFrame =>
  context.getArgByIndex(INBOUND_FRAME_ARG),
);

/** Injects the {@link Connection} that sent the frame being handled. */
export const Conn = createParamDecorator(
  (_: unknown, context: ExecutionContext): Connection =>
    (context.getArgByIndex(INBOUND_FRAME_ARG) as InboundFrame).connection,
);
