import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnModuleDestroy,
} from '@nestjs/common';
import { TICKER_LIMITS, type TickerEvent } from '@duplex/protocol';
import type { ServerResponse } from 'node:http';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { followStream } from './follow-stream.js';
import { clientGone, type ResponseByteMeter } from './response-bytes.js';
import { TickerCounters } from './ticker-counters.js';
import { TickerHub } from './ticker-hub.js';
import type { TickerStart } from './ticker-request.js';

/** One SSE event: `id` is the seq, so a reconnecting `EventSource` sends it as `Last-Event-ID`. */
function sseEvent(event: TickerEvent): string {
  return `id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * The open Server-Sent Events streams: bounded in number (`maxSseStreams`), a comment line every
 * `sseHeartbeatMs` (so proxies and clients see a live connection), ended for a client whose
 * unsent data passes the send-buffer limit (it reconnects with `Last-Event-ID`), and ended at
 * shutdown.
 */
@Injectable()
export class SseStreams implements BeforeApplicationShutdown, OnModuleDestroy {
  private readonly enders = new Set<() => void>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hub: TickerHub,
    private readonly counters: TickerCounters,
  ) {}

  get full(): boolean {
    return this.enders.size >= this.config.ticker.maxSseStreams;
  }

  /** Answers `response` with the stream of `start`, until either side ends it. */
  open(response: ServerResponse, start: TickerStart, meter: ResponseByteMeter): void {
    if (clientGone(response)) return;
    response.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      // nginx would otherwise buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    const following = { stop: () => {} };
    let ended = false;
    const end = (how: 'end' | 'destroy' = 'end') => {
      if (ended) return;
      ended = true;
      this.enders.delete(end);
      clearInterval(heartbeat);
      following.stop();
      this.counters.closed('sse');
      if (how === 'destroy') response.destroy();
      else if (!response.writableEnded) response.end();
    };
    /** Writes `text`; false once the client is too slow to read (its stream is then cut). */
    const write = (text: string): boolean => {
      if (ended) return false;
      response.write(text);
      meter.flush();
      if (response.writableLength <= this.config.sendBufferLimitBytes) return true;
      end('destroy');
      return false;
    };
    const heartbeat = setInterval(
      () => write(': heartbeat\n\n'),
      this.config.ticker.sseHeartbeatMs,
    );
    this.enders.add(end);
    this.counters.opened('sse');
    response.once('close', () => end());
    write(`retry: ${TICKER_LIMITS.sseRetryMs}\n\n`);
    following.stop = followStream(this.hub, start.stream, start.after, (event) => {
      const written = write(sseEvent(event));
      if (written) this.counters.events('sse', 1);
      return written;
    });
  }

  beforeApplicationShutdown(): void {
    for (const end of [...this.enders]) end();
  }

  onModuleDestroy(): void {
    this.beforeApplicationShutdown();
  }
}
