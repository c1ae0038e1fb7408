import { CloseCode } from '@duplex/protocol';
import { WebSocket } from 'ws';

/**
 * Sends `payload` unless the socket's unsent data already passes `limitBytes`: a consumer that
 * slow is closed with 1013 (PROTOCOL.md) instead of growing the server's memory without bound.
 * The buffer may pass the limit by the one payload sent while it was under it.
 */
export function sendWithinBuffer(
  socket: WebSocket,
  payload: string | Buffer,
  binary: boolean,
  limitBytes: number,
): boolean {
  if (socket.readyState !== WebSocket.OPEN) return false;
  if (socket.bufferedAmount > limitBytes) {
    socket.close(CloseCode.TryAgainLater, 'consumer too slow');
    return false;
  }
  socket.send(payload, { binary });
  return true;
}
