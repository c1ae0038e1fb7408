// The load generator: worker threads (worker.mjs) that share the clients of each step, driven
// from the main thread with bounded waits.
import { Worker } from 'node:worker_threads';

const workerFile = new URL('./worker.mjs', import.meta.url);

export async function startGenerator(workerCount) {
  let nextId = 0;
  const waiting = new Map();
  const workers = [];
  for (let i = 0; i < workerCount; i++) {
    const worker = new Worker(workerFile);
    worker.on('message', ({ id, ok, result, error }) => {
      const entry = waiting.get(id);
      if (!entry) return;
      waiting.delete(id);
      clearTimeout(entry.timer);
      if (ok) entry.resolve(result);
      else entry.reject(new Error(`generator worker ${i}: ${error}`));
    });
    worker.on('error', (error) => {
      for (const entry of waiting.values()) entry.reject(error);
    });
    workers.push(worker);
  }

  function ask(worker, command, args, timeoutMs) {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error(`generator: ${command} took more than ${timeoutMs} ms`));
      }, timeoutMs);
      waiting.set(id, { resolve, reject, timer });
      worker.postMessage({ id, command, args });
    });
  }

  return {
    size: workerCount,
    /** Sends `command` to every worker (`argsOf(i)` its arguments); resolves with their answers. */
    all(command, argsOf, timeoutMs) {
      return Promise.all(workers.map((worker, i) => ask(worker, command, argsOf(i), timeoutMs)));
    },
    async stop() {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}

/** How many of `total` clients worker `i` of `workers` holds. */
export function shareOf(total, workers, i) {
  return Math.floor(total / workers) + (i < total % workers ? 1 : 0);
}

/** The index of worker `i`'s first client. */
export function firstIndexOf(total, workers, i) {
  let first = 0;
  for (let j = 0; j < i; j++) first += shareOf(total, workers, j);
  return first;
}
