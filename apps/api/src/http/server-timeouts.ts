import type { Server } from 'node:http';

/** How long Node's HTTP server waits for a request; upgraded WebSockets are not affected. */
export interface HttpServerTimeouts {
  /** Until the request's headers are complete; else 408 and the socket is closed. */
  headersTimeoutMs: number;
  /** Until the whole request is received. */
  requestTimeoutMs: number;
  /** How often the server looks for requests past those limits (Node's default is 30 s). */
  checkIntervalMs: number;
}

export const HTTP_SERVER_TIMEOUTS: Readonly<HttpServerTimeouts> = Object.freeze({
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  checkIntervalMs: 1_000,
});

/**
 * Applies `timeouts` to a server that is not listening yet: a client that opens connections and
 * never finishes a request (slowloris) holds each for `headersTimeoutMs` plus at most
 * `checkIntervalMs`, instead of Node's 60 s plus 30 s.
 */
export function applyServerTimeouts(server: Server, timeouts: HttpServerTimeouts): void {
  server.headersTimeout = timeouts.headersTimeoutMs;
  server.requestTimeout = timeouts.requestTimeoutMs;
  // Read when the server starts listening; public in Node, missing from its typings.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    timeouts.checkIntervalMs;
}
