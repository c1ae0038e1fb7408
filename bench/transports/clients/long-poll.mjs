// A long-polling client: one request held at a time, sent again as soon as the previous one is
// answered, continuing from its cursor.
import { TICKER_PATHS } from '@duplex/protocol';
import { getJson } from './http-get.mjs';

/** How long past `wait` an unanswered long poll is given before it counts as failed. */
const ANSWER_GRACE_MS = 10_000;
/** After a failure (e.g. 503 with `Retry-After: 1`). */
const RETRY_AFTER_MS = 1000;

export class LongPollClient {
  /** `firstDelayMs` spreads the clients' first requests, so they do not all arrive at once. */
  constructor({ host, port, query, agent, tally, longPollWaitMs, firstDelayMs }) {
    Object.assign(this, { host, port, query, agent, tally, longPollWaitMs, firstDelayMs });
    this.cursor = tally.newCursor();
    this.after = null;
    this.stopped = false;
    this.timer = null;
    this.request = null;
  }

  /** Resolves after the first answer, which holds the latest due event (or the first failure). */
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
    let failed = false;
    try {
      const { status, body } = await getJson({
        host: this.host,
        port: this.port,
        path: `${TICKER_PATHS.longPoll}?${this.query}&wait=${this.longPollWaitMs}${after}`,
        agent: this.agent,
        timeoutMs: this.longPollWaitMs + ANSWER_GRACE_MS,
        onRequest: (request) => (this.request = request),
      });
      if (this.stopped) return;
      if (status === 200) {
        const now = Date.now();
        for (const event of body.events) this.tally.receive(this.cursor, event.seq, event.ts, now);
        this.after = body.next;
      } else {
        failed = true;
        this.tally.error(`long poll HTTP ${status}`);
      }
    } catch (error) {
      if (this.stopped) return;
      failed = true;
      this.tally.error(`long poll ${error.code ?? error.message}`);
    }
    this.onFirstAnswer?.();
    this.onFirstAnswer = null;
    if (failed) this.timer = setTimeout(() => this.poll(), RETRY_AFTER_MS);
    else this.poll();
  }
}
