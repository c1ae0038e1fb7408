import { Controller, Get, Headers, Query, Res, UseInterceptors } from '@nestjs/common';
import { TICKER_PATHS, tickerQuery } from '@duplex/protocol';
import type { ServerResponse } from 'node:http';
import { SseStreams } from './sse-streams.js';
import { TickerCounters } from './ticker-counters.js';
import { overloaded, startTickerHttpRequest } from './ticker-request.js';
import { TimingAllowOrigin } from './timing-allow-origin.js';

/** Server-Sent Events: one `text/event-stream` event per ticker event, `Last-Event-ID` resumes. */
@Controller()
@UseInterceptors(TimingAllowOrigin)
export class SseController {
  constructor(
    private readonly streams: SseStreams,
    private readonly counters: TickerCounters,
  ) {}

  @Get(TICKER_PATHS.sse)
  sse(
    @Query() query: Record<string, unknown>,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() response: ServerResponse,
  ): void {
    const meter = this.counters.httpRequest('sse', response);
    const start = startTickerHttpRequest(tickerQuery, query, Date.now(), lastEventId);
    if (this.streams.full) throw overloaded(response, 'SSE streams');
    this.streams.open(response, start, meter);
  }
}
