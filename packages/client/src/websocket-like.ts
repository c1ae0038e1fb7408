/** The part of the WHATWG WebSocket the client uses; browsers' `WebSocket` and `ws`'s both fit. */

export interface MessageEventLike {
  readonly data: unknown;
}

export interface CloseEventLike {
  readonly code: number;
  readonly reason: string;
}

// Declared through a method signature so that parameters compare bivariantly: a socket whose
// handlers take richer event types (DOM `MessageEvent`, `ws`'s `MessageEvent`) still fits.
type Handler<T> = { bivarianceHack(event: T): void }['bivarianceHack'];

export interface WebSocketLike {
  readonly readyState: number;
  onopen: Handler<unknown> | null;
  onmessage: Handler<MessageEventLike> | null;
  onclose: Handler<CloseEventLike> | null;
  onerror: Handler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketConstructorLike = new (url: string) => WebSocketLike;

/** `readyState` of an open socket (WHATWG `WebSocket.OPEN`). */
export const SOCKET_OPEN = 1;

export function resolveWebSocketConstructor(
  injected: WebSocketConstructorLike | undefined,
): WebSocketConstructorLike {
  const constructor =
    injected ?? (globalThis as { WebSocket?: WebSocketConstructorLike }).WebSocket;
  if (typeof constructor !== 'function') {
    throw new TypeError(
      "No WebSocket implementation: pass the `WebSocket` option (in Node, `ws`'s WebSocket)",
    );
  }
  return constructor;
}
