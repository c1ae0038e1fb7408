import { tickerEvent, type TickerEvent } from '@duplex/protocol';

/** A ticker event from the text of an SSE `data:` field or a WebSocket frame; null if it is none. */
export function parseTickerEvent(text: unknown): TickerEvent | null {
  if (typeof text !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = tickerEvent.safeParse(value);
  return parsed.success ? parsed.data : null;
}
