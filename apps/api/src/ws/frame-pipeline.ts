import { Inject, Injectable } from '@nestjs/common';
import {
  CloseCode,
  ErrorCode,
  createClientEventSchemas,
  decodeEnvelope,
  errorFrame,
  parseEventData,
  type ClientEventSchemas,
  type ProtocolFailure,
} from '@duplex/protocol';
import type { RawData } from 'ws';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { APP_LOGGER, type AppLogger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import type { Connection } from './connection.js';
import { InboundFrame, type FrameReporter } from './inbound-frame.js';
import { rawToBuffer } from './raw-data.js';
import { peekRequestId } from './request-id-peek.js';

/**
 * Every frame on `/ws` passes these checks in the order PROTOCOL.md fixes: rate limit, binary,
 * JSON, envelope, event name, session, data schema. Only then does a gateway handler run.
 */
@Injectable()
export class FramePipeline {
  private readonly eventSchemas: ClientEventSchemas;
  private readonly reporter: FrameReporter;
  /** Frames one connection may have waiting before it is closed 1013 (overloaded). */
  private readonly maxBacklog: number;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    private readonly metrics: MetricsService,
  ) {
    this.eventSchemas = createClientEventSchemas(config.limits);
    this.maxBacklog = 2 * config.limits.burst;
    this.reporter = {
      errorSent: (code) => this.metrics.errors.inc({ code }),
      internalError: (error, event) => this.logger.error({ err: error, event }, 'handler failed'),
    };
  }

  attach(connection: Connection): void {
    const helloTimer = setTimeout(() => {
      if (connection.session === null) connection.close(CloseCode.HelloTimeout, 'no hello in time');
    }, this.config.helloTimeoutMs);
    connection.socket.once('close', () => clearTimeout(helloTimer));
    connection.socket.on('message', (raw, isBinary) => this.receive(connection, raw, isBinary));
  }

  private receive(connection: Connection, raw: RawData, isBinary: boolean): void {
    if (!connection.isTakingFrames) return;
    switch (connection.rate.decide()) {
      case 'accept':
        if (connection.backlog >= this.maxBacklog) {
          // Its frames wait on something slow (a stalled database): stop taking more.
          connection.close(CloseCode.TryAgainLater, 'overloaded');
          return;
        }
        connection.enqueueFrame(() =>
          this.process(connection, raw, isBinary).catch((error: unknown) =>
            this.failedUnexpectedly(connection, error),
          ),
        );
        return;
      case 'reject':
        this.refuseOverLimit(connection, raw, isBinary);
        return;
      case 'close':
        // The frame that trips the rule gets no reply; the frames before it still do.
        connection.closeAfterReplies(CloseCode.PolicyViolation, 'rate limit exceeded');
        return;
    }
  }

  /** A frame over the rate limit is not processed; its refusal waits for earlier replies. */
  private refuseOverLimit(connection: Connection, raw: RawData, isBinary: boolean): void {
    const id = isBinary ? undefined : peekRequestId(rawToBuffer(raw));
    this.metrics.errors.inc({ code: ErrorCode.RateLimited });
    connection.replyInTurn(
      errorFrame({
        code: ErrorCode.RateLimited,
        message: 'Too many messages; slow down',
        ...(id !== undefined && { id }),
      }),
    );
  }

  private async process(connection: Connection, raw: RawData, isBinary: boolean): Promise<void> {
    if (!connection.isOpen) return;
    if (isBinary) {
      this.refuse(connection, {
        code: ErrorCode.BadMessage,
        message: 'Binary frames are not allowed on /ws; send JSON text frames',
      });
      return;
    }
    const envelope = decodeEnvelope(rawToBuffer(raw).toString('utf8'));
    if (!envelope.ok) {
      this.refuse(connection, envelope.error);
      return;
    }
    const { event, data, id } = envelope.value;
    const frame = new InboundFrame(connection, event, id, this.reporter);

    if (event === 'hello' && connection.session !== null) {
      frame.reject({
        code: ErrorCode.BadMessage,
        message: 'Already authenticated: hello is sent once',
      });
      return;
    }
    if (event !== 'hello' && connection.session === null) {
      frame.reject({ code: ErrorCode.Unauthenticated, message: 'Send hello first' });
      return;
    }
    const parsed = parseEventData(event, data, this.eventSchemas);
    if (!parsed.ok) {
      frame.reject(parsed.error);
      if (parsed.error.code === ErrorCode.UnsupportedProtocol) {
        connection.close(CloseCode.UnsupportedProtocol, 'unsupported protocol version');
      }
      return;
    }
    const handler = connection.handlers.get(event);
    if (!handler) {
      frame.reject({
        code: ErrorCode.UnknownEvent,
        message: `"${event}" is not served by this server`,
      });
      return;
    }
    this.metrics.framesIn.inc({ event });
    try {
      const result = await handler(parsed.value, frame);
      frame.ack(typeof result === 'object' && result !== null ? result : {});
    } catch (error) {
      frame.fault(error);
    }
  }

  /** A check itself threw (a server fault, not the client's): answered `internal`, logged. */
  private failedUnexpectedly(connection: Connection, error: unknown): void {
    this.logger.error({ err: error }, 'frame pipeline failed');
    this.refuse(connection, { code: ErrorCode.Internal, message: 'Internal server error' });
  }

  /** Answers a frame being processed: its turn in the queue has come. */
  private refuse(connection: Connection, failure: ProtocolFailure): void {
    this.metrics.errors.inc({ code: failure.code });
    connection.send(errorFrame(failure));
  }
}
