import { z } from 'zod';
import { CloseCode, HTTP_BAD_REQUEST } from './codes.js';

/**
 * The ticker (PROTOCOL.md, "Ticker: one stream, four transports"): one stream of server events,
 * served by short polling, long polling, Server-Sent Events and WebSocket with the same events
 * and the same cursor. A stream is defined by its `rate` and `size` alone; its events follow from
 * the clock, so every api instance serves the same events, before and after a restart.
 */

export const TICKER_PATHS = Object.freeze({
  poll: '/api/ticker/poll',
  longPoll: '/api/ticker/long-poll',
  sse: '/api/ticker/sse',
  websocket: '/ws/ticker',
  stats: '/api/ticker/stats',
});

/** The transports, as named in `/metrics` labels and in `GET /api/ticker/stats`. */
export const TICKER_TRANSPORTS = ['poll', 'long_poll', 'sse', 'websocket'] as const;
export type TickerTransport = (typeof TICKER_TRANSPORTS)[number];

export const TICKER_LIMITS = Object.freeze({
  /** Events per second, an integer. */
  minRate: 1,
  maxRate: 100,
  defaultRate: 1,
  /** Payload bytes (ASCII), an integer. */
  minSize: 0,
  maxSize: 16_384,
  defaultSize: 16,
  /** A cursor may lag the latest due event by this long's worth of events… */
  replayWindowMs: 60_000,
  /** …and by no more than this many events, whichever is smaller. */
  replayMaxEvents: 1000,
  /** Most events in one poll or long-poll response; `more: true` says more are due. */
  maxEventsPerResponse: 100,
  /** `wait` of a long poll, in ms. */
  minWaitMs: 1,
  maxWaitMs: 30_000,
  defaultWaitMs: 25_000,
  /** The `retry:` hint of an SSE stream, ms. */
  sseRetryMs: 1000,
  /** An SSE stream carries a comment line this often (default; the api's setting). */
  sseHeartbeatMs: 15_000,
  /** Per api instance (defaults; the api's settings): held long polls, SSE streams, WebSockets. */
  maxHeldLongPolls: 1000,
  maxSseStreams: 1000,
  maxWebSockets: 1000,
});

/** Close codes of `/ws/ticker` (besides 1001 on shutdown and 1009 for a too large message). */
export const TickerCloseCode = Object.freeze({
  /** The query (`rate`, `size`, `after`) is invalid; the reason says why. Stays closed. */
  BadQuery: 4004,
  /** Too many ticker WebSockets on this instance, or a client too slow to read. */
  TryAgainLater: CloseCode.TryAgainLater,
  /** Far past the rate limit for client messages (the ticker reads none). Stays closed. */
  PolicyViolation: CloseCode.PolicyViolation,
});

/** `code` of the HTTP error bodies of the ticker: 400 and 503 (too many held polls or streams). */
export const TickerHttpError = Object.freeze({
  BadRequest: HTTP_BAD_REQUEST,
  Overloaded: 'overloaded',
});

// --- events and bodies ------------------------------------------------------------------------

export const tickerEvent = z.object({
  seq: z.number().int().nonnegative(),
  ts: z.number().int().nonnegative(),
  payload: z.string(),
});
export type TickerEvent = z.output<typeof tickerEvent>;

/** The body of a poll and of a long poll. */
export const tickerPage = z.object({
  events: z.array(tickerEvent),
  /** The cursor to send as `after` next time: the last event's `seq`, or the cursor sent. */
  next: z.number().int().nonnegative(),
  /** More events are already due: ask again at once. */
  more: z.boolean(),
});
export type TickerPage = z.output<typeof tickerPage>;

export const tickerTransportStats = z.object({
  /** HTTP requests (the upgrade requests for `websocket`), refused ones included. */
  requests: z.number().nonnegative(),
  /** Poll and long-poll responses without events. */
  emptyResponses: z.number().nonnegative(),
  /** Events delivered. */
  events: z.number().nonnegative(),
  /**
   * Bytes written: for HTTP the whole responses, status line and headers included; for
   * WebSocket the event frames, frame headers included.
   */
  bytes: z.number().nonnegative(),
  /** Held long polls, open SSE streams, open WebSockets; 0 for `poll`. */
  open: z.number().nonnegative(),
});
export type TickerTransportStats = z.output<typeof tickerTransportStats>;

/** The body of `GET /api/ticker/stats`: totals of this api instance since it started. */
export const tickerStats = z.object({
  transports: z.object({
    poll: tickerTransportStats,
    long_poll: tickerTransportStats,
    sse: tickerTransportStats,
    websocket: tickerTransportStats,
  }),
  /** `process.cpuUsage()` of the instance, in microseconds. */
  cpu: z.object({ userMicros: z.number().nonnegative(), systemMicros: z.number().nonnegative() }),
  /** The instance's clock when it answered, ms since the Unix epoch (to estimate a clock offset). */
  serverTime: z.number(),
});
export type TickerStats = z.output<typeof tickerStats>;

// --- the schedule -------------------------------------------------------------------------------

/** The stream's parameters; together they are its identity. */
export interface TickerStream {
  rate: number;
  size: number;
}

/**
 * The latest `seq` due at `nowMs` (ms since the Unix epoch): event `seq` is due at
 * `seq * 1000 / rate` ms, so this is `floor(nowMs * rate / 1000)`, computed exactly.
 */
export function tickerDueSeq(rate: number, nowMs: number): number {
  const units = Math.floor(nowMs) * rate;
  return (units - (units % 1000)) / 1000;
}

/** `ts` of event `seq`: the first whole millisecond at which it is due, `ceil(seq * 1000 / rate)`. */
export function tickerEventTime(seq: number, rate: number): number {
  const units = seq * 1000;
  const remainder = units % rate;
  return (units - remainder) / rate + (remainder === 0 ? 0 : 1);
}

/** Exactly `size` ASCII bytes: `seq` in base 36 and a `.`, repeated and cut to length. */
export function tickerPayload(seq: number, size: number): string {
  const unit = `${seq.toString(36)}.`;
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

export function tickerEventOf(seq: number, stream: TickerStream): TickerEvent {
  return {
    seq,
    ts: tickerEventTime(seq, stream.rate),
    payload: tickerPayload(seq, stream.size),
  };
}

/** How far a cursor may lag the latest due event: 60 s worth of events, at most 1000. */
export function tickerReplayEvents(rate: number): number {
  return Math.min(
    TICKER_LIMITS.replayMaxEvents,
    Math.floor((rate * TICKER_LIMITS.replayWindowMs) / 1000),
  );
}

export type TickerCursorCheck = { ok: true; after: number } | { ok: false; message: string };

/**
 * The cursor a request continues from, at `nowMs`: `after` itself when it lies within the replay
 * window (from `latest - tickerReplayEvents(rate)` to `latest`), or `latest - 1` without one, so
 * the first answer holds the latest due event.
 */
export function checkTickerCursor(
  after: number | undefined,
  rate: number,
  nowMs: number,
): TickerCursorCheck {
  const latest = tickerDueSeq(rate, nowMs);
  if (after === undefined) return { ok: true, after: latest - 1 };
  if (after > latest) {
    return { ok: false, message: `after is in the future: the latest due seq is ${latest}` };
  }
  const oldest = latest - tickerReplayEvents(rate);
  if (after < oldest) {
    return { ok: false, message: `after is too old: the oldest cursor accepted is ${oldest}` };
  }
  return { ok: true, after };
}

/** The events due at `nowMs` after the cursor `after`, oldest first, at most `max`. */
export function tickerPageAt(
  stream: TickerStream,
  after: number,
  nowMs: number,
  max: number = TICKER_LIMITS.maxEventsPerResponse,
): TickerPage {
  const latest = tickerDueSeq(stream.rate, nowMs);
  const last = Math.min(latest, after + max);
  const events: TickerEvent[] = [];
  for (let seq = after + 1; seq <= last; seq++) events.push(tickerEventOf(seq, stream));
  return { events, next: Math.max(after, last), more: last < latest };
}

// --- the query ----------------------------------------------------------------------------------

const DECIMAL = /^[0-9]{1,16}$/;

function decimal(name: string, min: number, max: number) {
  const message = `${name} must be a decimal integer from ${min} to ${max}`;
  return z
    .string({ error: message })
    .regex(DECIMAL, { error: message })
    .transform(Number)
    .refine((value) => value >= min && value <= max, { error: message });
}

/** A cursor: a `seq`, a decimal integer (its range is checked against the clock). */
export const tickerCursor = decimal('after', 0, Number.MAX_SAFE_INTEGER);

const streamFields = {
  rate: decimal('rate', TICKER_LIMITS.minRate, TICKER_LIMITS.maxRate).default(
    TICKER_LIMITS.defaultRate,
  ),
  size: decimal('size', TICKER_LIMITS.minSize, TICKER_LIMITS.maxSize).default(
    TICKER_LIMITS.defaultSize,
  ),
  after: tickerCursor.optional(),
};

/** Query of poll, SSE and WebSocket; other parameters are ignored. */
export const tickerQuery = z.object(streamFields);
export type TickerQuery = z.output<typeof tickerQuery>;

/** Query of a long poll: also `wait`, ms. */
export const tickerLongPollQuery = z.object({
  ...streamFields,
  wait: decimal('wait', TICKER_LIMITS.minWaitMs, TICKER_LIMITS.maxWaitMs).default(
    TICKER_LIMITS.defaultWaitMs,
  ),
});
export type TickerLongPollQuery = z.output<typeof tickerLongPollQuery>;

export type TickerParsed<T> = { ok: true; value: T } | { ok: false; message: string };

/**
 * Validates query parameters (each a single string; a repeated parameter is refused) with
 * `schema`; a failure carries one message for people, e.g. `rate must be a decimal integer
 * from 1 to 100`.
 */
export function parseTickerQuery<T>(
  schema: z.ZodType<T>,
  params: Readonly<Record<string, unknown>>,
): TickerParsed<T> {
  const result = schema.safeParse(params);
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, message: result.error.issues[0]?.message ?? 'invalid query' };
}

/** Query parameters of a URL's search part, for {@link parseTickerQuery}: repeats become arrays. */
export function searchParamsRecord(search: URLSearchParams): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const key of new Set(search.keys())) {
    const values = search.getAll(key);
    record[key] = values.length === 1 ? values[0]! : values;
  }
  return record;
}
