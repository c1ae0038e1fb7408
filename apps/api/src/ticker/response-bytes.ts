import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** Reads how many bytes a response has put on its socket so far. */
export interface ResponseByteMeter {
  /** Reports the bytes written since the previous call (for a stream that stays open). */
  flush(): void;
}

/**
 * Counts the bytes `response` writes to its socket, status line and headers included, from the
 * socket's `bytesWritten` (which includes what is still buffered): from the moment the response
 * owns the socket (on a keep-alive connection, after the responses before it) to the moment it
 * handed its last byte over (`prefinish`), or was cut off (`close`). Each byte is reported once,
 * through `onBytes`.
 */
export function meterResponseBytes(
  response: ServerResponse,
  onBytes: (bytes: number) => void,
): ResponseByteMeter {
  let socket: Socket | undefined;
  let counted = 0;
  let done = false;
  const flush = () => {
    if (!socket || done) return;
    const written = socket.bytesWritten;
    if (written > counted) onBytes(written - counted);
    counted = written;
  };
  const finish = () => {
    flush();
    done = true;
  };
  const own = (assigned: Socket) => {
    socket = assigned;
    counted = assigned.bytesWritten;
  };
  // A pipelined response gets its socket once the responses before it are finished.
  if (response.socket) own(response.socket);
  else response.once('socket', own);
  response.once('prefinish', finish);
  response.once('close', finish);
  return { flush };
}

/** Whether the client of `response` has already gone (its connection closed before we answered). */
export function clientGone(response: ServerResponse): boolean {
  return response.req.socket.destroyed;
}
