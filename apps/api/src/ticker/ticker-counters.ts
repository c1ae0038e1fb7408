import { Injectable } from '@nestjs/common';
import {
  TICKER_TRANSPORTS,
  type TickerStats,
  type TickerTransport,
  type TickerTransportStats,
} from '@duplex/protocol';
import type { ServerResponse } from 'node:http';
import type { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service.js';
import { meterResponseBytes, type ResponseByteMeter } from './response-bytes.js';

/** What the ticker's transports count, in `/metrics` and in `GET /api/ticker/stats`. */
@Injectable()
export class TickerCounters {
  constructor(private readonly metrics: MetricsService) {}

  request(transport: TickerTransport): void {
    this.metrics.tickerRequests.inc({ transport });
  }

  /** Counts an HTTP request and every byte of its response, whatever the response turns out to be. */
  httpRequest(transport: TickerTransport, response: ServerResponse): ResponseByteMeter {
    this.request(transport);
    return meterResponseBytes(response, (bytes) => this.bytes(transport, bytes));
  }

  /** A poll or long-poll response with `events` events (none: an empty response). */
  response(transport: TickerTransport, events: number): void {
    if (events === 0) this.metrics.tickerEmptyResponses.inc({ transport });
    else this.metrics.tickerEvents.inc({ transport }, events);
  }

  /** Events sent on a stream (SSE, WebSocket). */
  events(transport: TickerTransport, count: number): void {
    this.metrics.tickerEvents.inc({ transport }, count);
  }

  bytes(transport: TickerTransport, count: number): void {
    if (count > 0) this.metrics.tickerBytes.inc({ transport }, count);
  }

  opened(transport: TickerTransport): void {
    this.metrics.tickerOpen.inc({ transport });
  }

  closed(transport: TickerTransport): void {
    this.metrics.tickerOpen.dec({ transport });
  }

  /** The counters and the CPU time; the stats endpoint adds its clock (`serverTime`). */
  async stats(): Promise<Omit<TickerStats, 'serverTime'>> {
    const [requests, emptyResponses, events, bytes, open] = await Promise.all([
      byTransport(this.metrics.tickerRequests),
      byTransport(this.metrics.tickerEmptyResponses),
      byTransport(this.metrics.tickerEvents),
      byTransport(this.metrics.tickerBytes),
      byTransport(this.metrics.tickerOpen),
    ]);
    const transports = {} as Record<TickerTransport, TickerTransportStats>;
    for (const transport of TICKER_TRANSPORTS) {
      transports[transport] = {
        requests: requests.get(transport) ?? 0,
        emptyResponses: emptyResponses.get(transport) ?? 0,
        events: events.get(transport) ?? 0,
        bytes: bytes.get(transport) ?? 0,
        open: open.get(transport) ?? 0,
      };
    }
    const cpu = process.cpuUsage();
    return { transports, cpu: { userMicros: cpu.user, systemMicros: cpu.system } };
  }
}

async function byTransport(
  metric: Counter<'transport'> | Gauge<'transport'>,
): Promise<Map<string, number>> {
  const { values } = await metric.get();
  return new Map(values.map((sample) => [String(sample.labels.transport), sample.value]));
}
