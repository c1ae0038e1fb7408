import { BadRequestException, HttpException, HttpStatus } from '@nestjs/common';
import {
  TickerHttpError,
  checkTickerCursor,
  parseTickerQuery,
  tickerCursor,
  type TickerParsed,
  type TickerQuery,
  type TickerStream,
} from '@duplex/protocol';
import type { ServerResponse } from 'node:http';
import type { z } from 'zod';

/** A validated ticker request: its stream and the cursor it continues from. */
export interface TickerStart<Q extends TickerQuery = TickerQuery> {
  query: Q;
  stream: TickerStream;
  /** Events with a larger `seq` are the client's to receive. */
  after: number;
}

/**
 * Validates a request's query with `schema`, then its cursor against the clock (`nowMs`):
 * `lastEventId` (SSE's `Last-Event-ID`), when present, takes the place of `after`.
 */
export function startTickerRequest<Q extends TickerQuery>(
  schema: z.ZodType<Q>,
  params: Readonly<Record<string, unknown>>,
  nowMs: number,
  lastEventId?: string | string[],
): TickerParsed<TickerStart<Q>> {
  const parsed = parseTickerQuery(schema, params);
  if (!parsed.ok) return parsed;
  const query = parsed.value;
  let after = query.after;
  if (lastEventId !== undefined && lastEventId !== '') {
    const cursor = tickerCursor.safeParse(lastEventId);
    if (!cursor.success) {
      return { ok: false, message: 'Last-Event-ID must be a decimal integer (a seq)' };
    }
    after = cursor.data;
  }
  const stream = { rate: query.rate, size: query.size };
  const cursor = checkTickerCursor(after, stream.rate, nowMs);
  if (!cursor.ok) return cursor;
  return { ok: true, value: { query, stream, after: cursor.after } };
}

/** {@link startTickerRequest} for HTTP: a bad query or cursor is a 400 with the error body. */
export function startTickerHttpRequest<Q extends TickerQuery>(
  schema: z.ZodType<Q>,
  params: Readonly<Record<string, unknown>>,
  nowMs: number,
  lastEventId?: string | string[],
): TickerStart<Q> {
  const started = startTickerRequest(schema, params, nowMs, lastEventId);
  if (!started.ok) throw new BadRequestException(started.message);
  return started.value;
}

/** 503 with `{code: "overloaded", message}` and `Retry-After: 1`. */
export function overloaded(response: ServerResponse, what: string): HttpException {
  response.setHeader('Retry-After', '1');
  return new HttpException(
    { code: TickerHttpError.Overloaded, message: `Too many ${what} on this instance; retry later` },
    HttpStatus.SERVICE_UNAVAILABLE,
  );
}
