// A WebSocket client of `/ws/ticker`: one JSON text frame per event.
import { TICKER_PATHS } from '@duplex/protocol';
import WebSocket from 'ws';

const HANDSHAKE_TIMEOUT_MS = 10_000;

export class WebSocketClient {
  constructor({ host, port, query, tally }) {
    Object.assign(this, { host, port, query, tally });
    this.cursor = tally.newCursor();
    this.stopped = false;
    this.socket = null;
  }

  /** Resolves once the socket is open; rejects when it could not be opened. */
  start() {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(
        `ws://${this.host}:${this.port}${TICKER_PATHS.websocket}?${this.query}`,
        {
          perMessageDeflate: false,
          handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
        },
      );
      this.socket = socket;
      socket.on('message', (data) => {
        const event = JSON.parse(data.toString());
        this.tally.receive(this.cursor, event.seq, event.ts, Date.now());
      });
      let opened = false;
      socket.once('open', () => {
        opened = true;
        resolve();
      });
      socket.on('error', (error) => {
        if (!opened) reject(error);
        else if (!this.stopped) this.tally.error(`websocket ${error.code ?? error.message}`);
      });
      socket.once('close', (code) => {
        if (!this.stopped) this.tally.error(`websocket closed ${code}`);
      });
    });
  }

  stop() {
    this.stopped = true;
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) this.socket.close(1000);
  }
}
