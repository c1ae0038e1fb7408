import type { TickerEvent, TickerStream, TickerTransport } from '@duplex/protocol';
import type { ClientPhase } from './lifecycle';

/** What a client has done since it was started. */
export interface ClientCounters {
  /** New events received (duplicates not included). */
  events: number;
  /** Missing and duplicated seqs: both must stay 0. */
  missing: number;
  duplicates: number;
  /** Events skipped knowingly, after a too-old cursor was refused. */
  missed: number;
  /** Times the client started again without a cursor. */
  cursorResets: number;
  lastSeq: number | null;
  /** HTTP requests answered by the server (connections opened, for SSE and WebSocket). */
  requests: number;
  /** Poll and long-poll answers without events. */
  emptyResponses: number;
}

/** Every client of the ticker, whatever its transport, is driven and read the same way. */
export interface TickerClient {
  readonly transport: TickerTransport;
  readonly phase: ClientPhase;
  /** A copy of the counters as they are now. */
  counters(): ClientCounters;
  /** 1 while the client holds a connection or a request open, else 0. */
  openConnections(): 0 | 1;
  start(): void;
  /** Stops; a poller finishes the request in flight first (phase `stopping`). */
  stop(): void;
  /** Stops at once, aborting whatever is in flight (the page is going away). */
  dispose(): void;
}

export interface TickerClientOptions {
  /** The api's http(s) base URL. */
  apiUrl: string;
  stream: TickerStream;
  /** Called for every new event, with the browser's clock when it arrived. */
  onEvent?: (event: TickerEvent, receivedAt: number) => void;
  onPhase?: (phase: ClientPhase) => void;
  now?: () => number;
}
