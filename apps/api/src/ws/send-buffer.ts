import { CloseCode } from '@duplex/protocol';
import { WebSocket } from 'ws';
import { sendSharedText } from './shared-text-frame.js';

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
  if (!hasRoom(socket, limitBytes)) return false;
  socket.send(payload, { binary });
  return true;
}

/**
 * {@link sendWithinBuffer} for a text payload many recipients are sent (a broadcast): its frame
 * is built once and shared (see shared-text-frame.ts).
 */
export function sendSharedWithinBuffer(
  socket: WebSocket,
  payload: Buffer,
  limitBytes: number,
): boolean {
  if (!hasRoom(socket, limitBytes)) return false;
  sendSharedText(socket, payload);
  return true;
}

/** Open and under the limit; a socket past it is closed 1013. */
function hasRoom(socket: WebSocket, limitBytes: number): boolean {
  if (socket.readyState !== WebSocket.OPEN) return false;
  if (socket.bufferedAmount > limitBytes) {
    socket.close(CloseCode.TryAgainLater, 'consumer too slow');
    return false;
  }
  return true;
}
