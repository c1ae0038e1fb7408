import type { WebSocket } from 'ws';

/**
 * The complete WebSocket text frame (header and payload) of each broadcast payload, built once
 * on first use and shared by every recipient; dropped with the payload.
 */
const frames = new WeakMap<Buffer, Buffer>();

/** An unmasked, unfragmented text frame (RFC 6455 §5.2), as a server sends it. */
export function encodeTextFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const headerBytes = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerBytes + length);
  frame[0] = 0x81; // FIN, opcode 1 (text)
  if (headerBytes === 2) {
    frame[1] = length;
  } else if (headerBytes === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, headerBytes);
  return frame;
}

function textFrameOf(payload: Buffer): Buffer {
  let frame = frames.get(payload);
  if (frame === undefined) {
    frame = encodeTextFrame(payload);
    frames.set(payload, frame);
  }
  return frame;
}

/** The part of ws's sender used here: it writes a framed message to the socket, in order. */
interface FrameWriter {
  sendFrame(list: Buffer[]): void;
}

/**
 * Sends `payload` as a text message, written as one frame shared by every recipient of the same
 * payload: one socket write per recipient, with no per-recipient header or frame options (ws
 * builds both for every `send`). Socket.IO's engine does the same for its broadcasts
 * (`wsPreEncodedFrame`, through ws's `_sender.sendFrame`). It is what ws writes itself when no
 * extension is negotiated (the api turns compression off); otherwise it falls back to `send`.
 */
export function sendSharedText(socket: WebSocket, payload: Buffer): void {
  if (socket.extensions !== '') {
    socket.send(payload, { binary: false });
    return;
  }
  const sender = (socket as unknown as { _sender: FrameWriter })._sender;
  sender.sendFrame([textFrameOf(payload)]);
}
