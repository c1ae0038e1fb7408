import { Controller, Get, Header, UseInterceptors } from '@nestjs/common';
import { TICKER_PATHS, type TickerStats } from '@duplex/protocol';
import { TickerCounters } from './ticker-counters.js';
import { TimingAllowOrigin } from './timing-allow-origin.js';

/** The ticker's counters as JSON, for a page that shows them. */
@Controller()
@UseInterceptors(TimingAllowOrigin)
export class StatsController {
  constructor(private readonly counters: TickerCounters) {}

  @Get(TICKER_PATHS.stats)
  @Header('Cache-Control', 'no-store')
  async stats(): Promise<TickerStats> {
    const counts = await this.counters.stats();
    // Read last, as close to the answer as possible: a client estimates its clock offset from it.
    return { ...counts, serverTime: Date.now() };
  }
}
