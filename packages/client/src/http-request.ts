import { schemas } from '@duplex/protocol';

/** The part of the WHATWG `fetch` the client uses. */
export type FetchLike = (
  url: string,
) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

/** A request to the api's HTTP routes failed, or its answer does not match the protocol. */
export class HttpRequestError extends Error {
  override readonly name: string = 'HttpRequestError';

  constructor(
    message: string,
    /** The HTTP status, when the api answered with an error. */
    readonly status?: number,
    /** The `code` of the api's error body (`bad_request`), when it had one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

/** What `getJson` needs of a schema: the protocol's zod schemas fit. */
export interface ResponseSchema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

/**
 * GETs `url` and validates its JSON body with `schema`. An HTTP error, an unreadable body or a
 * body that does not match rejects with the error `fail` makes.
 */
export async function getJson<T>(
  fetch: FetchLike,
  url: string,
  schema: ResponseSchema<T>,
  fail: (message: string, status?: number, code?: string) => HttpRequestError,
): Promise<T> {
  const response = await fetch(url);
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = schemas.httpError.safeParse(body);
    const detail = error.success ? `: ${error.data.message}` : '';
    throw fail(
      `Request failed with HTTP ${response.status}${detail}`,
      response.status,
      error.success ? error.data.code : undefined,
    );
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw fail('The response does not match the protocol');
  return parsed.data;
}

/** `globalThis.fetch`, looked up when first needed. */
export function defaultFetch(): FetchLike {
  const fetch = (globalThis as { fetch?: FetchLike }).fetch;
  if (typeof fetch !== 'function')
    throw new TypeError('No fetch implementation: pass the `fetch` option');
  return (url) => fetch(url);
}
