import { Controller, Get, Header, Query, Res, UseInterceptors } from '@nestjs/common';
import { TICKER_PATHS, tickerPageAt, tickerQuery, type TickerPage } from '@duplex/protocol';
import type { ServerResponse } from 'node:http';
import { TickerCounters } from './ticker-counters.js';
import { startTickerHttpRequest } from './ticker-request.js';
import { TimingAllowOrigin } from './timing-allow-origin.js';

/** Short polling: the events due after the cursor, at once, possibly none. */
@Controller()
@UseInterceptors(TimingAllowOrigin)
export class PollController {
  constructor(private readonly counters: TickerCounters) {}

  @Get(TICKER_PATHS.poll)
  @Header('Cache-Control', 'no-store')
  poll(
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) response: ServerResponse,
  ): TickerPage {
    this.counters.httpRequest('poll', response);
    const now = Date.now();
    const { stream, after } = startTickerHttpRequest(tickerQuery, query, now);
    const page = tickerPageAt(stream, after, now);
    this.counters.response('poll', page.events.length);
    return page;
  }
}
