import type { TickerStream } from '@duplex/protocol';
import { toWebSocketUrl } from '@/lib/api-url';

/** The URL of a ticker endpoint (`path`, from `TICKER_PATHS`) for `stream`, with `extra` params. */
export function tickerUrl(
  apiUrl: string,
  path: string,
  stream: TickerStream,
  extra: Record<string, number | undefined> = {},
): string {
  const url = new URL(`${apiUrl.replace(/\/+$/, '')}${path}`);
  url.searchParams.set('rate', String(stream.rate));
  url.searchParams.set('size', String(stream.size));
  for (const [key, value] of Object.entries(extra)) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url.toString();
}

/** The ws(s) URL of the ticker's WebSocket for `stream`, continuing after `after` if given. */
export function tickerSocketUrl(
  apiUrl: string,
  path: string,
  stream: TickerStream,
  after: number | undefined,
): string {
  const url = new URL(tickerUrl(apiUrl, path, stream, { after }));
  return `${toWebSocketUrl(apiUrl, path)}${url.search}`;
}
