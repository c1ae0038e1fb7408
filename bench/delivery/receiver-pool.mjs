// The main thread's side of the receiver workers: splits members over them, sends them
// requests, and merges their answers.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createHistogram, merge } from './latency-histogram.mjs';

const workerScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'receiver-worker.mjs');
const REQUEST_TIMEOUT_MS = 180_000;

export class ReceiverPool {
  #workers;
  #nextRequest = 1;
  #waiting = new Map();

  constructor(count, host) {
    this.#workers = Array.from({ length: count }, () => {
      const worker = new Worker(workerScript, { workerData: { host } });
      worker.on('message', ({ requestId, result, error }) => {
        const waiter = this.#waiting.get(requestId);
        if (!waiter) return;
        this.#waiting.delete(requestId);
        if (error) waiter.reject(new Error(`receiver worker: ${error}`));
        else waiter.resolve(result);
      });
      worker.on('error', (error) => {
        for (const waiter of this.#waiting.values()) waiter.reject(error);
        this.#waiting.clear();
      });
      return worker;
    });
  }

  #ask(worker, command, args) {
    const requestId = this.#nextRequest++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(requestId);
        reject(new Error(`receiver worker: ${command} timed out`));
      }, REQUEST_TIMEOUT_MS);
      this.#waiting.set(requestId, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      worker.postMessage({ requestId, command, args });
    });
  }

  #askAll(command, args = {}) {
    return Promise.all(this.#workers.map((worker) => this.#ask(worker, command, args)));
  }

  /**
   * Opens `members` ([{name, room}]) round-robin over the workers, `concurrency` in flight in
   * all. Returns every join's ms (NaN when failed), the failures and the first error.
   */
  async open(port, wireName, members, concurrency) {
    const shares = this.#workers.map(() => []);
    members.forEach((member, i) => shares[i % shares.length].push(member));
    const perWorker = Math.max(1, Math.round(concurrency / this.#workers.length));
    const answers = await Promise.all(
      this.#workers.map((worker, i) =>
        this.#ask(worker, 'open', { port, wireName, list: shares[i], concurrency: perWorker }),
      ),
    );
    return {
      joinMs: answers.flatMap((a) => a.joinMs),
      failed: answers.reduce((sum, a) => sum + a.failed, 0),
      firstError: answers.find((a) => a.firstError)?.firstError ?? null,
    };
  }

  /** Starts counting step `step`, whose messages are indexed 0..messages-1. */
  async measure(step, messages, options = {}) {
    await this.#askAll('measure', { step, messages, ...options });
  }

  async delivered() {
    const answers = await this.#askAll('progress');
    return answers.reduce((sum, a) => sum + a.delivered, 0);
  }

  /** Ends the step: merged counts and latency histogram. */
  async collect() {
    const answers = await this.#askAll('collect');
    const total = {
      histogram: createHistogram(),
      delivered: 0,
      duplicates: 0,
      outOfOrder: 0,
      late: 0,
      open: 0,
      closeCodes: {},
    };
    for (const a of answers) {
      merge(total.histogram, a.histogram);
      for (const key of ['delivered', 'duplicates', 'outOfOrder', 'late', 'open'])
        total[key] += a[key];
      for (const [code, n] of Object.entries(a.closeCodes))
        total.closeCodes[code] = (total.closeCodes[code] ?? 0) + n;
    }
    return total;
  }

  async rejoin(port, concurrency) {
    const perWorker = Math.max(1, Math.round(concurrency / this.#workers.length));
    const answers = await this.#askAll('rejoin', { port, concurrency: perWorker });
    return {
      joinMs: answers.flatMap((a) => a.joinMs),
      failed: answers.reduce((sum, a) => sum + a.failed, 0),
      firstError: answers.find((a) => a.firstError)?.firstError ?? null,
      sameUser: answers.reduce((sum, a) => sum + a.sameUser, 0),
    };
  }

  async coverage(seqs) {
    const answers = await this.#askAll('coverage', { seqs });
    return {
      complete: answers.reduce((sum, a) => sum + a.complete, 0),
      missing: answers.reduce((sum, a) => sum + a.missing, 0),
      members: answers.reduce((sum, a) => sum + a.members, 0),
    };
  }

  async close() {
    await this.#askAll('close').catch(() => {});
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }
}
