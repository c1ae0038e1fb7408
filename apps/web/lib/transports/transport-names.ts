import type { TickerTransport } from '@duplex/protocol';

/** How the page names each transport. */
export const TRANSPORT_NAMES: Readonly<Record<TickerTransport, string>> = {
  poll: 'Short polling',
  long_poll: 'Long polling',
  sse: 'SSE',
  websocket: 'WebSocket',
};

/** The same names inside a sentence. */
export const TRANSPORT_NAMES_IN_TEXT: Readonly<Record<TickerTransport, string>> = {
  poll: 'short polling',
  long_poll: 'long polling',
  sse: 'SSE',
  websocket: 'WebSocket',
};
