import { Module } from '@nestjs/common';
import { LongPollController } from './long-poll.controller.js';
import { LongPollHolds } from './long-poll-holds.js';
import { PollController } from './poll.controller.js';
import { SseController } from './sse.controller.js';
import { SseStreams } from './sse-streams.js';
import { StatsController } from './stats.controller.js';
import { TickerCounters } from './ticker-counters.js';
import { TickerGateway } from './ticker.gateway.js';
import { TickerHub } from './ticker-hub.js';

/**
 * The ticker: one clock-determined event stream served by short polling, long polling,
 * Server-Sent Events and WebSocket, with the same events, the same cursor and counters of what
 * each transport costs (PROTOCOL.md, "Ticker").
 */
@Module({
  controllers: [PollController, LongPollController, SseController, StatsController],
  providers: [TickerHub, TickerCounters, LongPollHolds, SseStreams, TickerGateway],
})
export class TickerModule {}
