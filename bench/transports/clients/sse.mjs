// A Server-Sent Events client: one streamed response, read with a minimal line parser (only
// `data:` lines matter here; `id:`, `retry:` and comments are skipped).
import http from 'node:http';
import { TICKER_PATHS } from '@duplex/protocol';

const CONNECT_TIMEOUT_MS = 10_000;

export class SseClient {
  constructor({ host, port, query, agent, tally }) {
    Object.assign(this, { host, port, query, agent, tally });
    this.cursor = tally.newCursor();
    this.stopped = false;
    this.request = null;
    this.pending = '';
    this.data = null;
  }

  /** Resolves once the stream's headers arrived; rejects when it could not be opened. */
  start() {
    return new Promise((resolve, reject) => {
      const request = http.get(
        {
          host: this.host,
          port: this.port,
          path: `${TICKER_PATHS.sse}?${this.query}`,
          agent: this.agent,
          headers: { accept: 'text/event-stream' },
        },
        (response) => {
          request.setTimeout(0);
          if (response.statusCode !== 200) {
            response.resume();
            reject(new Error(`sse HTTP ${response.statusCode}`));
            return;
          }
          response.setEncoding('utf8');
          response.on('data', (chunk) => this.read(chunk));
          // A cut stream also emits 'error' (ECONNRESET): counted once, on 'close'.
          response.on('error', () => {});
          response.on('close', () => {
            if (!this.stopped) this.tally.error('sse stream ended');
          });
          resolve();
        },
      );
      request.setTimeout(CONNECT_TIMEOUT_MS, () => request.destroy(new Error('connect timeout')));
      request.on('error', (error) => {
        if (!this.stopped) reject(error);
      });
      this.request = request;
    });
  }

  stop() {
    this.stopped = true;
    this.request?.destroy();
  }

  read(chunk) {
    const text = this.pending + chunk;
    let start = 0;
    let end;
    while ((end = text.indexOf('\n', start)) !== -1) {
      const line = text.slice(start, end);
      start = end + 1;
      if (line === '') this.dispatch();
      else if (line.startsWith('data:')) {
        const value = line.slice(line.charCodeAt(5) === 32 ? 6 : 5);
        this.data = this.data === null ? value : `${this.data}\n${value}`;
      }
    }
    this.pending = text.slice(start);
  }

  dispatch() {
    if (this.data === null) return;
    const event = JSON.parse(this.data);
    this.data = null;
    this.tally.receive(this.cursor, event.seq, event.ts, Date.now());
  }
}
