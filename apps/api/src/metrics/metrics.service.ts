import { Injectable } from '@nestjs/common';
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
    help: 'Dead instances whose sessions this instance ended',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
