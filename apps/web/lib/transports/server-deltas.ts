import { TICKER_TRANSPORTS, type TickerStats, type TickerTransport } from '@duplex/protocol';

/** What one transport's server counters moved by since the page started. */
export interface TransportDelta {
  requests: number;
  emptyResponses: number;
  events: number;
  bytes: number;
  /** Not a delta: the latest value of the gauge. */
  open: number;
}

export interface ServerDeltas {
  transports: Record<TickerTransport, TransportDelta>;
  /** CPU time of the api instance (user + system), µs. */
  cpuMicros: number;
  /** Events delivered on all four transports. */
  events: number;
}

const COUNTERS = ['requests', 'emptyResponses', 'events', 'bytes'] as const;

/** How far a counter moved; a counter that went down belongs to a restarted api, from 0. */
function counterDelta(previous: number, current: number): number {
  return current >= previous ? current - previous : current;
}

function emptyDeltas(): ServerDeltas {
  const transports = {} as Record<TickerTransport, TransportDelta>;
  for (const transport of TICKER_TRANSPORTS) {
    transports[transport] = { requests: 0, emptyResponses: 0, events: 0, bytes: 0, open: 0 };
  }
  return { transports, cpuMicros: 0, events: 0 };
}

/**
 * Sums the movements of the server's counters across successive samples of
 * `GET /api/ticker/stats`, so a restart of the api (its counters back to 0) loses nothing that
 * was sampled and counts nothing twice.
 */
export class ServerDeltaTracker {
  private previous: TickerStats | null = null;
  private totals = emptyDeltas();

  add(stats: TickerStats): void {
    const previous = this.previous;
    this.previous = stats;
    for (const transport of TICKER_TRANSPORTS) {
      const total = this.totals.transports[transport];
      const now = stats.transports[transport];
      total.open = now.open;
      if (!previous) continue;
      for (const counter of COUNTERS) {
        const moved = counterDelta(previous.transports[transport][counter], now[counter]);
        total[counter] += moved;
        if (counter === 'events') this.totals.events += moved;
      }
    }
    if (previous) {
      this.totals.cpuMicros += counterDelta(
        previous.cpu.userMicros + previous.cpu.systemMicros,
        stats.cpu.userMicros + stats.cpu.systemMicros,
      );
    }
  }

  /** Whether a first sample (the baseline) was taken. */
  get started(): boolean {
    return this.previous !== null;
  }

  deltas(): ServerDeltas {
    return structuredClone(this.totals);
  }
}
