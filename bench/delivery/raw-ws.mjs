// A minimal RFC 6455 client over node:net, for load generation only: the HTTP upgrade with the
// Sec-WebSocket-Accept check, masked client text frames, unmasked server frames, text, close,
// ping and pong. Fragmented messages and binary frames are refused (the socket is destroyed
// with an error saying so): none of the servers measured here sends them.
//
// Text payloads are handed over as Buffers, undecoded, so a receiver can scan bytes instead of
// building strings and parsing JSON.
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { connect } from 'node:net';

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const HEADER_END = Buffer.from('\r\n\r\n');
const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa };

export class RawWebSocket {
  /** Opens a connection and completes the upgrade on `path`, or rejects within `timeoutMs`. */
  static open(host, port, path, timeoutMs = 10_000) {
    return new Promise((resolve, reject) => {
      const key = randomBytes(16).toString('base64');
      const expectedAccept = createHash('sha1')
        .update(key + ACCEPT_GUID)
        .digest('base64');
      const socket = connect({ host, port });
      socket.setNoDelay(true);
      let head = Buffer.alloc(0);
      const fail = (error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(error);
      };
      const timer = setTimeout(() => fail(new Error(`upgrade of ${path} timed out`)), timeoutMs);
      const onData = (chunk) => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf(HEADER_END);
        if (end < 0) {
          if (head.length > 16 * 1024) fail(new Error('upgrade response headers too large'));
          return;
        }
        const lines = head.toString('latin1', 0, end).split('\r\n');
        if (!/^HTTP\/1\.1 101 /.test(lines[0])) return fail(new Error(`upgrade: ${lines[0]}`));
        const accept = lines
          .map((line) => /^sec-websocket-accept:\s*(\S+)/i.exec(line)?.[1])
          .find(Boolean);
        if (accept !== expectedAccept)
          return fail(new Error('upgrade: wrong Sec-WebSocket-Accept'));
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('error', fail);
        const ws = new RawWebSocket(socket);
        resolve(ws);
        // Frames that came with the 101 (Engine.IO's open packet does): handed over once the
        // awaiting caller has had its turn to set onText.
        const rest = head.subarray(end + HEADER_END.length);
        if (rest.length > 0) queueMicrotask(() => ws.#receive(rest));
      };
      socket.on('data', onData);
      socket.once('error', fail);
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
  }

  /** Called with each text message's payload (a Buffer view, valid only during the call). */
  onText = () => {};
  /** Called once when the connection is gone, with the close code (1006 without a close frame). */
  onClose = () => {};

  #socket;
  #pending = null; // bytes of an incomplete frame
  #closeCode = 1006;
  #closeSent = false;
  #ended = false;

  constructor(socket) {
    this.#socket = socket;
    socket.on('data', (chunk) => this.#receive(chunk));
    socket.on('error', () => {}); // 'close' follows
    socket.on('close', () => {
      if (this.#ended) return;
      this.#ended = true;
      this.onClose(this.#closeCode);
    });
  }

  get isOpen() {
    return !this.#ended && !this.#closeSent;
  }

  send(text) {
    if (!this.isOpen) return false;
    this.#socket.write(encodeFrame(OPCODE.text, Buffer.from(text)));
    return true;
  }

  close(code = 1000) {
    if (!this.isOpen) return;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    this.#socket.write(encodeFrame(OPCODE.close, payload));
    this.#closeSent = true;
    this.#socket.end();
  }

  /** Drops the TCP connection without a close handshake (what a crashed client does). */
  destroy() {
    this.#socket.destroy();
  }

  #receive(chunk) {
    let buf = this.#pending ? Buffer.concat([this.#pending, chunk]) : chunk;
    this.#pending = null;
    let offset = 0;
    while (buf.length - offset >= 2) {
      const b0 = buf[offset];
      const b1 = buf[offset + 1];
      const fin = (b0 & 0x80) !== 0;
      const opcode = b0 & 0x0f;
      if (b1 & 0x80) return this.#protocolError('the server sent a masked frame');
      let length = b1 & 0x7f;
      let headerLength = 2;
      if (length === 126) {
        if (buf.length - offset < 4) break;
        length = buf.readUInt16BE(offset + 2);
        headerLength = 4;
      } else if (length === 127) {
        if (buf.length - offset < 10) break;
        length = Number(buf.readBigUInt64BE(offset + 2));
        headerLength = 10;
      }
      if (buf.length - offset < headerLength + length) break;
      const payload = buf.subarray(offset + headerLength, offset + headerLength + length);
      offset += headerLength + length;
      if (!fin || opcode === OPCODE.continuation) {
        return this.#protocolError('fragmented messages are not supported by this client');
      }
      if (opcode === OPCODE.text) this.onText(payload);
      else if (opcode === OPCODE.ping) this.#socket.write(encodeFrame(OPCODE.pong, payload));
      else if (opcode === OPCODE.close) {
        this.#closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        if (!this.#closeSent) {
          this.#socket.write(encodeFrame(OPCODE.close, payload.subarray(0, 2)));
          this.#closeSent = true;
        }
        this.#socket.end();
        return;
      } else if (opcode !== OPCODE.pong) {
        return this.#protocolError(`opcode ${opcode} (binary or reserved) is not supported`);
      }
    }
    if (offset < buf.length) this.#pending = Buffer.from(buf.subarray(offset));
  }

  #protocolError(message) {
    this.#closeCode = 1002;
    this.#socket.destroy(new Error(`raw-ws: ${message}`));
  }
}

const maskKey = Buffer.alloc(4);

/** One final client frame: masked, as RFC 6455 requires of clients. */
function encodeFrame(opcode, payload) {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + 4 + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) frame[1] = 0x80 | length;
  else if (length < 65536) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  randomFillSync(maskKey);
  maskKey.copy(frame, headerLength);
  const body = headerLength + 4;
  for (let i = 0; i < length; i += 1) frame[body + i] = payload[i] ^ maskKey[i & 3];
  return frame;
}
