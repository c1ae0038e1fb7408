import { Controller, Get, Header } from '@nestjs/common';
import { TICKER_PATHS, type TickerStats } from '@duplex/protocol';
import { TickerCounters } from './ticker-counters.js';

/** The ticker's counters as JSON, for a page that shows them. */
@Controller()
export class StatsController {
  constructor(private readonly counters: TickerCounters) {}

  @Get(TICKER_PATHS.stats)
  @Header('Cache-Control', 'no-store')
  stats(): Promise<TickerStats> {
    return this.counters.stats();
  }
}
