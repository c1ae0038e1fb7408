import { Inject } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import {
  TICKER_PATHS,
  TickerCloseCode,
  searchParamsRecord,
  tickerQuery,
  type TickerEvent,
} from '@duplex/protocol';
import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { ConnectionRateLimiter } from '../ws/rate-limiter.js';
import { sendWithinBuffer } from '../ws/send-buffer.js';
import { followStream } from './follow-stream.js';
import { TickerCounters } from './ticker-counters.js';
import { TickerHub } from './ticker-hub.js';
import { startTickerRequest } from './ticker-request.js';

/** A close reason is at most 123 bytes; the ticker's are ASCII. */
const MAX_CLOSE_REASON = 123;

/** Bytes of an unmasked (server→client) frame carrying `payloadBytes`, its header included. */
export function serverFrameBytes(payloadBytes: number): number {
  const header = payloadBytes < 126 ? 2 : payloadBytes < 65_536 ? 4 : 10;
  return header + payloadBytes;
}

/**
 * The ticker over WebSocket: `/ws/ticker?rate=&size=&after=`, one JSON text frame per event. The
 * query is checked once the socket is open: a bad one closes it with 4004 and the reason.
 * Client messages are not read, only rate-limited as on `/ws/echo`.
 */
@WebSocketGateway({ path: TICKER_PATHS.websocket })
export class TickerGateway implements OnGatewayConnection {
  private open = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hub: TickerHub,
    private readonly counters: TickerCounters,
  ) {}

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    this.counters.request('websocket');
    const started = startTickerRequest(tickerQuery, queryOf(request), Date.now());
    if (!started.ok) {
      socket.close(TickerCloseCode.BadQuery, started.message.slice(0, MAX_CLOSE_REASON));
      return;
    }
    if (this.open >= this.config.ticker.maxWebSockets) {
      socket.close(TickerCloseCode.TryAgainLater, 'too many ticker streams');
      return;
    }
    this.open++;
    this.counters.opened('websocket');
    const rate = new ConnectionRateLimiter(this.config.limits);
    socket.on('message', () => {
      if (rate.decide() === 'close') {
        socket.close(TickerCloseCode.PolicyViolation, 'rate limit exceeded');
      }
    });
    const { stream, after } = started.value;
    const stop = followStream(this.hub, stream, after, (event) => this.send(socket, event));
    socket.once('close', () => {
      stop();
      this.open--;
      this.counters.closed('websocket');
    });
  }

  private send(socket: WebSocket, event: TickerEvent): boolean {
    const text = JSON.stringify(event);
    if (!sendWithinBuffer(socket, text, false, this.config.sendBufferLimitBytes)) return false;
    this.counters.events('websocket', 1);
    this.counters.bytes('websocket', serverFrameBytes(Buffer.byteLength(text)));
    return true;
  }
}

function queryOf(request: IncomingMessage): Record<string, string | string[]> {
  try {
    return searchParamsRecord(new URL(request.url ?? '/', 'http://localhost').searchParams);
  } catch {
    return {};
  }
}
