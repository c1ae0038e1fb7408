// A short-polling client: asks every `pollIntervalMs` (at once when `more` says more are due),
// continuing from the cursor of the previous answer.
import { TICKER_PATHS } from '@duplex/protocol';
import { getJson } from './http-get.mjs';

const REQUEST_TIMEOUT_MS = 10_000;

export class ShortPollClient {
  /** `firstDelayMs` spreads the clients' polls over the interval, as independent clients are. */
  constructor({ host, port, query, agent, tally, pollIntervalMs, firstDelayMs }) {
    Object.assign(this, { host, port, query, agent, tally, pollIntervalMs, firstDelayMs });
    this.cursor = tally.newCursor();
    this.after = null;
    this.stopped = false;
    this.timer = null;
    this.request = null;
  }

  /** Resolves after the first answer (or the first failure, which is counted). */
  start() {
    return new Promise((resolve) => {
      this.onFirstAnswer = resolve;
      this.timer = setTimeout(() => this.poll(), this.firstDelayMs);
    });
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.request?.destroy();
    this.onFirstAnswer?.();
  }

  async poll() {
    if (this.stopped) return;
    const after = this.after === null ? '' : `&after=${this.after}`;
    let more = false;
    try {
      const { status, body } = await getJson({
        host: this.host,
        port: this.port,
        path: `${TICKER_PATHS.poll}?${this.query}${after}`,
        agent: this.agent,
        timeoutMs: REQUEST_TIMEOUT_MS,
        onRequest: (request) => (this.request = request),
      });
      if (this.stopped) return;
      if (status === 200) {
        const now = Date.now();
        for (const event of body.events) this.tally.receive(this.cursor, event.seq, event.ts, now);
        this.after = body.next;
        more = body.more;
      } else {
        this.tally.error(`poll HTTP ${status}`);
      }
    } catch (error) {
      if (this.stopped) return;
      this.tally.error(`poll ${error.code ?? error.message}`);
    }
    this.onFirstAnswer?.();
    this.onFirstAnswer = null;
    this.timer = setTimeout(() => this.poll(), more ? 0 : this.pollIntervalMs);
  }
}
