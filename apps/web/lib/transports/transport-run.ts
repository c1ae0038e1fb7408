import {
  TICKER_PATHS,
  TICKER_TRANSPORTS,
  type TickerStream,
  type TickerTransport,
} from '@duplex/protocol';
import { bytesPerEvent, ResourceBytesMeter } from './bytes-per-event';
import { ClockOffsetEstimator, type ClockOffset } from './clock-offset';
import { HttpPollClient } from './http-poll-client';
import { LatencyWindow, percentile } from './latency-window';
import type { ClientPhase } from './lifecycle';
import { ServerDeltaTracker, type TransportDelta } from './server-deltas';
import { SseTickerClient } from './sse-client';
import { readTickerStats } from './stats-sampler';
import type { ClientCounters, TickerClient } from './ticker-client';
import { WebSocketTickerClient } from './websocket-client';

export interface RunSettings extends TickerStream {
  /** Short polling: ms between requests. */
  pollIntervalMs: number;
  /** Long polling: `wait`, ms. */
  longPollWaitMs: number;
}

/** Where a bytes-per-event figure comes from. */
export type BytesSource = 'resource-timing' | 'server';

export interface ClientView {
  transport: TickerTransport;
  phase: ClientPhase;
  counters: ClientCounters;
  openConnections: 0 | 1;
  latency: {
    /** Over the recent window, corrected by the clock offset; null before the first event. */
    p50: number | null;
    p99: number | null;
    recent: readonly number[];
  };
  bytes: {
    source: BytesSource;
    /** Bytes counted (received, for Resource Timing; sent, for the server's counters). */
    total: number;
    /** The events they are divided by. */
    events: number;
    perEvent: number | null;
    /** Resource Timing only: responses whose size the browser hid (no Timing-Allow-Origin). */
    hidden: number;
  };
  server: TransportDelta;
}

export interface RunView {
  settings: RunSettings;
  running: boolean;
  clients: ClientView[];
  clock: ClockOffset | null;
  /** The api instance's CPU time per event it delivered (all transports), µs. */
  cpuMicrosPerEvent: number | null;
  serverEvents: number;
  statsError: string | null;
}

export interface RunDeps {
  fetch?: typeof fetch;
  EventSource?: typeof EventSource;
  WebSocket?: typeof WebSocket;
  now?: () => number;
  statsIntervalMs?: number;
}

/** Latency percentiles are over each client's most recent events, this many. */
export const LATENCY_WINDOW = 200;
const SPARKLINE_POINTS = 60;
const DEFAULT_STATS_INTERVAL_MS = 1_500;
const CLOCK_SAMPLES_AT_START = 3;

/**
 * One measurement: the four clients on one stream, started together, with what is needed to
 * compare them: the latency of each event, the bytes the browser received (pollers, from
 * Resource Timing) or the server sent (streams, from its counters), the server's counters and
 * CPU time (sampled every `statsIntervalMs`), and the clock offset between browser and server.
 */
export class TransportRun {
  private readonly clients: Record<TickerTransport, TickerClient>;
  private readonly latencies = new Map<TickerTransport, LatencyWindow>();
  private readonly resources: ResourceBytesMeter;
  private readonly clock = new ClockOffsetEstimator();
  private readonly server = new ServerDeltaTracker();
  private readonly urls: Record<'poll' | 'long_poll', string>;
  private statsTimer: ReturnType<typeof setTimeout> | undefined;
  private statsError: string | null = null;
  /** `new` → `running` → `stopped`; any of them → `disposed`, for good. */
  private state: 'new' | 'running' | 'stopped' | 'disposed' = 'new';

  constructor(
    private readonly apiUrl: string,
    readonly settings: RunSettings,
    private readonly deps: RunDeps = {},
  ) {
    const base = apiUrl.replace(/\/+$/, '');
    this.urls = {
      poll: `${base}${TICKER_PATHS.poll}`,
      long_poll: `${base}${TICKER_PATHS.longPoll}`,
    };
    this.resources = new ResourceBytesMeter([this.urls.poll, this.urls.long_poll]);
    const stream = { rate: settings.rate, size: settings.size };
    const common = (transport: TickerTransport) => {
      const window = new LatencyWindow(LATENCY_WINDOW);
      this.latencies.set(transport, window);
      // A client starts at the latest event already due: how long ago that was says when the
      // client started, not how fast its transport is, so its latency is left out.
      let awaitingFirst = true;
      return {
        apiUrl,
        stream,
        now: deps.now,
        // Raw (browser clock) latency; the offset is applied when shown, once it is known.
        onEvent: (event: { ts: number }, receivedAt: number) => {
          if (awaitingFirst) {
            awaitingFirst = false;
            return;
          }
          window.add(receivedAt - event.ts);
        },
      };
    };
    this.clients = {
      poll: new HttpPollClient(
        { transport: 'poll', intervalMs: settings.pollIntervalMs },
        { ...common('poll'), fetch: deps.fetch },
      ),
      long_poll: new HttpPollClient(
        { transport: 'long_poll', waitMs: settings.longPollWaitMs },
        { ...common('long_poll'), fetch: deps.fetch },
      ),
      sse: new SseTickerClient({
        ...common('sse'),
        fetch: deps.fetch,
        EventSource: deps.EventSource,
      }),
      websocket: new WebSocketTickerClient({ ...common('websocket'), WebSocket: deps.WebSocket }),
    };
  }

  /** Takes the server's baseline and the clock offset, then starts the four clients together. */
  async start(): Promise<void> {
    if (this.state !== 'new') return;
    this.state = 'running';
    this.resources.start();
    // A few round trips before the clients add to the load: the shortest gives the clock offset.
    for (let i = 0; i < CLOCK_SAMPLES_AT_START && this.state === 'running'; i++) {
      await this.sampleStats();
    }
    if (this.state !== 'running') return;
    for (const transport of TICKER_TRANSPORTS) this.clients[transport].start();
    this.scheduleStats();
  }

  /** Stops the clients (pollers finish their request) and takes a last sample of the server. */
  stop(): void {
    if (this.state !== 'running') return;
    this.state = 'stopped';
    for (const transport of TICKER_TRANSPORTS) this.clients[transport].stop();
    clearTimeout(this.statsTimer);
    void this.finalSample();
  }

  /** Stops everything at once, for good. */
  dispose(): void {
    this.state = 'disposed';
    clearTimeout(this.statsTimer);
    for (const transport of TICKER_TRANSPORTS) this.clients[transport].dispose();
    this.resources.stop();
  }

  /** Whether every client has come to rest (stopped or failed). */
  get settled(): boolean {
    return TICKER_TRANSPORTS.every((t) =>
      ['idle', 'stopped', 'failed'].includes(this.clients[t].phase.name),
    );
  }

  view(): RunView {
    const offset = this.clock.estimate();
    const offsetMs = offset?.offsetMs ?? 0;
    const deltas = this.server.deltas();
    const clients = TICKER_TRANSPORTS.map((transport): ClientView => {
      const client = this.clients[transport];
      const counters = client.counters();
      const window = this.latencies.get(transport)!;
      const corrected = window.values().map((raw) => raw + offsetMs);
      return {
        transport,
        phase: client.phase,
        counters,
        openConnections: client.openConnections(),
        latency: {
          p50: percentile(corrected, 50),
          p99: percentile(corrected, 99),
          recent: corrected.slice(-SPARKLINE_POINTS),
        },
        bytes: this.bytesOf(transport, counters, deltas.transports[transport]),
        server: deltas.transports[transport],
      };
    });
    return {
      settings: this.settings,
      running: this.state === 'running',
      clients,
      clock: offset,
      cpuMicrosPerEvent: deltas.events > 0 ? deltas.cpuMicros / deltas.events : null,
      serverEvents: deltas.events,
      statsError: this.statsError,
    };
  }

  private bytesOf(
    transport: TickerTransport,
    counters: ClientCounters,
    server: TransportDelta,
  ): ClientView['bytes'] {
    if (transport === 'poll' || transport === 'long_poll') {
      const measured = this.resources.read(this.urls[transport]);
      return {
        source: 'resource-timing',
        total: measured.bytes,
        events: counters.events,
        perEvent: bytesPerEvent(measured.bytes, counters.events),
        hidden: measured.hidden,
      };
    }
    return {
      source: 'server',
      total: server.bytes,
      events: server.events,
      perEvent: bytesPerEvent(server.bytes, server.events),
      hidden: 0,
    };
  }

  private async sampleStats(): Promise<void> {
    const reading = await readTickerStats(this.apiUrl, this.deps.fetch, this.deps.now);
    if (this.state === 'disposed') return;
    if (!reading.ok) {
      this.statsError = reading.error;
      return;
    }
    this.statsError = null;
    this.clock.add(reading.clock);
    this.server.add(reading.stats);
  }

  private scheduleStats(): void {
    const interval = this.deps.statsIntervalMs ?? DEFAULT_STATS_INTERVAL_MS;
    this.statsTimer = setTimeout(async () => {
      await this.sampleStats();
      if (this.state === 'running') this.scheduleStats();
    }, interval);
  }

  /** Once the pollers have had their last answer, the server's counters are final. */
  private async finalSample(): Promise<void> {
    const interval = this.deps.statsIntervalMs ?? DEFAULT_STATS_INTERVAL_MS;
    while (!this.settled && this.state === 'stopped') {
      await new Promise((resolve) => setTimeout(resolve, Math.min(interval, 200)));
    }
    if (this.state === 'stopped') await this.sampleStats();
  }
}
