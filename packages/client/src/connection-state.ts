/**
 * - `idle`: created, `connect()` not called yet.
 * - `connecting`: the first socket of a `connect()` is opening.
 * - `authenticating`: the socket is open and `hello` is in flight.
 * - `ready`: `hello` was acknowledged; requests are sent straight away.
 * - `reconnecting`: the connection was lost; waiting for, or opening, the next attempt.
 * - `closed`: stopped by `close()`, a terminal close code or a failed `hello`.
 */
export type ConnectionState =
  'idle' | 'connecting' | 'authenticating' | 'ready' | 'reconnecting' | 'closed';
