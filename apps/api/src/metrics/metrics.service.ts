import { Injectable } from '@nestjs/common';
import { TICKER_TRANSPORTS } from '@duplex/protocol';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one api instance (a registry of its own, so tests can run several). */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly connections = new Gauge({
    name: 'duplex_ws_connections',
    help: 'Open WebSocket connections',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  });

  readonly framesIn = new Counter({
    name: 'duplex_ws_frames_in_total',
    help: 'Client frames accepted for processing, by event',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  readonly framesOut = new Counter({
    name: 'duplex_ws_frames_out_total',
    help: 'Frames sent to clients, by event',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  readonly errors = new Counter({
    name: 'duplex_ws_errors_total',
    help: 'Error frames sent, by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly storeLatency = new Histogram({
    name: 'duplex_store_operation_seconds',
    help: 'Message store latency, by operation',
    labelNames: ['operation'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  readonly storeCommits = new Counter({
    name: 'duplex_store_commits_total',
    help: 'Message store transactions committed: one per stored batch of chat messages or call record',
    registers: [this.registry],
  });

  readonly storeBatchMessages = new Histogram({
    name: 'duplex_store_batch_messages',
    help: 'Chat messages per stored batch (sends to a room that arrived while its previous batch was being stored)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });

  readonly crossInstancePublishes = new Counter({
    name: 'duplex_cross_instance_publishes_total',
    help: 'Room frames and directed messages published to the other instances (Redis)',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly gapFills = new Counter({
    name: 'duplex_gap_filled_messages_total',
    help: 'Chat messages this instance was not sent and read from the store instead',
    registers: [this.registry],
  });

  readonly leaseReaps = new Counter({
    name: 'duplex_lease_reaps_total',
    help: 'Clean-ups of dead instances this instance ran (a failed one is run again)',
    registers: [this.registry],
  });

  readonly tickerRequests = new Counter({
    name: 'duplex_ticker_requests_total',
    help: 'Ticker HTTP requests (WebSocket: upgrade requests), refused ones included, by transport',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });

  readonly tickerEmptyResponses = new Counter({
    name: 'duplex_ticker_empty_responses_total',
    help: 'Ticker poll and long-poll responses without events, by transport',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });

  readonly tickerEvents = new Counter({
    name: 'duplex_ticker_events_total',
    help: 'Ticker events delivered, by transport',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });

  readonly tickerBytes = new Counter({
    name: 'duplex_ticker_bytes_total',
    help: 'Ticker bytes written: whole HTTP responses (status line and headers included), WebSocket event frames (frame headers included), by transport',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });

  readonly tickerOpen = new Gauge({
    name: 'duplex_ticker_open',
    help: 'Held ticker long polls, open SSE streams and open WebSockets, by transport',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    // Every transport is listed from the start, at 0: the label set is fixed.
    for (const transport of TICKER_TRANSPORTS) {
      this.tickerRequests.inc({ transport }, 0);
      this.tickerEmptyResponses.inc({ transport }, 0);
      this.tickerEvents.inc({ transport }, 0);
      this.tickerBytes.inc({ transport }, 0);
      this.tickerOpen.set({ transport }, 0);
    }
  }
}
