import { Controller, Get, Header, Query, Res, UseInterceptors } from '@nestjs/common';
import { TICKER_PATHS, tickerLongPollQuery, tickerPageAt, type TickerPage } from '@duplex/protocol';
import type { ServerResponse } from 'node:http';
import { LongPollHolds } from './long-poll-holds.js';
import { clientGone } from './response-bytes.js';
import { TickerCounters } from './ticker-counters.js';
import { overloaded, startTickerHttpRequest } from './ticker-request.js';
import { TimingAllowOrigin } from './timing-allow-origin.js';

/** Long polling: answered once an event after the cursor is due, or empty after `wait` ms. */
@Controller()
@UseInterceptors(TimingAllowOrigin)
export class LongPollController {
  constructor(
    private readonly holds: LongPollHolds,
    private readonly counters: TickerCounters,
  ) {}

  @Get(TICKER_PATHS.longPoll)
  @Header('Cache-Control', 'no-store')
  async longPoll(
    @Query() query: Record<string, unknown>,
    @Res({ passthrough: true }) response: ServerResponse,
  ): Promise<TickerPage | undefined> {
    this.counters.httpRequest('long_poll', response);
    const now = Date.now();
    const start = startTickerHttpRequest(tickerLongPollQuery, query, now);
    const due = tickerPageAt(start.stream, start.after, now);
    if (due.events.length > 0) return this.answer(due);
    if (this.holds.full) throw overloaded(response, 'held long polls');
    const gone = new AbortController();
    response.once('close', () => gone.abort());
    if (clientGone(response)) gone.abort();
    const page = await this.holds.hold(start.stream, start.after, start.query.wait, gone.signal);
    // The client left: there is no one to answer.
    if (!page) return undefined;
    return this.answer(page);
  }

  private answer(page: TickerPage): TickerPage {
    this.counters.response('long_poll', page.events.length);
    return page;
  }
}
