import { Worker } from 'node:worker_threads';
import type { CallRecord, ChatMessage } from '@duplex/protocol';
import type { AppLogger } from '../logging/logger.js';
import type { EmbeddedEngine } from './embedded-engine.js';
import type {
  MessageStore,
  NewMessage,
  PageQuery,
  RoomHistory,
  RoomSummary,
  StoredMessage,
} from './message-store.js';
import {
  StoreError,
  type StoreMethod,
  type StoreResult,
  type StoreWorkerData,
  type StoreWorkerMessage,
} from './store-rpc.js';

/**
 * The worker's compiled entry. It sits beside this module both in the compiled modules (build/)
 * and in the bundle (dist/, where this module is part of a chunk in the same folder). The test
 * runner (vitest) runs these sources through vite, and Node 20 cannot start a worker from
 * TypeScript, so there the compiled copy in build/ is started: the api's `test` script and the
 * repository's `npm test` build first, and the test run's global setup refuses a stale build.
 */
export function storeWorkerUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../../build/storage/store-worker.js', import.meta.url)
    : new URL('./store-worker.js', import.meta.url);
}

/** A readiness probe answers within this, also while the worker is busy or gone. */
const PING_TIMEOUT_MS = 1_500;

/**
 * After its worker died, the store starts a new one after these delays (the last one repeated
 * until a start succeeds): a crash should cost seconds of storage, not the process.
 */
export const RESTART_DELAYS_MS: readonly number[] = [500, 1_000, 2_000, 5_000, 10_000, 30_000];

/** Makes a worker running store-worker.js on the store's data folder. */
export type StoreWorkerSpawner = () => Worker;

interface Call {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * A {@link MessageStore} whose work runs in a worker thread (store-worker.ts): each call
 * is forwarded there and answered with the worker's result or error. If the worker dies, every
 * call in flight fails (no answer is invented: a write that failed this way was never
 * acknowledged), and so does every call until a new worker has started (RESTART_DELAYS_MS);
 * `ping` answers false meanwhile.
 */
export class WorkerMessageStore implements MessageStore {
  private nextId = 1;
  private readonly inFlight = new Map<number, Call>();
  /** Why calls fail now: the worker stopped (until a new one runs), or the store was closed. */
  private stopped: Error | undefined;
  private closing: Promise<void> | undefined;
  /** Set while `close` waits for the calls in flight to be answered. */
  private whenIdle: (() => void) | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartAttempt = 0;

  private constructor(
    private worker: Worker,
    private readonly spawn: StoreWorkerSpawner,
    private readonly logger: AppLogger,
    private readonly restartDelaysMs: readonly number[],
  ) {
    this.follow(worker);
  }

  /**
   * Starts a worker from `spawn` and waits for it to open and migrate its store; rejects with
   * the worker's start-up error, after ending it. The same `spawn` makes the worker's
   * replacement if it dies.
   */
  static async start(
    spawn: StoreWorkerSpawner,
    logger: AppLogger,
    restartDelaysMs: readonly number[] = RESTART_DELAYS_MS,
  ): Promise<WorkerMessageStore> {
    const worker = await startWorker(spawn());
    return new WorkerMessageStore(worker, spawn, logger, restartDelaysMs);
  }

  appendBatch(room: string, messages: NewMessage[]): Promise<StoredMessage[]> {
    return this.call('appendBatch', [room, messages]);
  }

  appendCall(room: string, call: CallRecord, ts: string): Promise<ChatMessage> {
    return this.call('appendCall', [room, call, ts]);
  }

  history(room: string, since: number | undefined, maxBytes: number): Promise<RoomHistory> {
    return this.call('history', [room, since, maxBytes]);
  }

  page(room: string, query: PageQuery): Promise<ChatMessage[]> {
    return this.call('page', [room, query]);
  }

  rooms(): Promise<RoomSummary[]> {
    return this.call('rooms', []);
  }

  lastSeqs(rooms: readonly string[]): Promise<Map<string, number>> {
    return this.call('lastSeqs', [rooms]);
  }

  /** The worker's own probe (the database answers within a second), bounded here too. */
  async ping(): Promise<boolean> {
    if (this.stopped) return false;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS);
    });
    const answered = this.call('ping', []).catch(() => false);
    try {
      return await Promise.race([answered, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Refuses new calls, waits for those in flight, closes the database, then ends the worker. */
  close(): Promise<void> {
    this.closing ??= this.closeWorker();
    return this.closing;
  }

  private async closeWorker(): Promise<void> {
    clearTimeout(this.restartTimer);
    if (this.inFlight.size > 0) await new Promise<void>((resolve) => (this.whenIdle = resolve));
    if (this.stopped) {
      this.stopped = new Error('the message store is closed');
      return;
    }
    try {
      await this.call('close', []);
    } finally {
      this.stopped = new Error('the message store is closed');
      await this.worker.terminate();
    }
  }

  private call<M extends StoreMethod>(
    method: M,
    args: Parameters<MessageStore[M]>,
  ): Promise<StoreResult<M>> {
    if (this.stopped) return Promise.reject(this.stopped);
    if (this.closing && method !== 'close') {
      return Promise.reject(new Error('the message store is closing'));
    }
    const id = this.nextId++;
    return new Promise<StoreResult<M>>((resolve, reject) => {
      // Throws (the call fails, nothing waits for an answer) if an argument cannot be cloned.
      this.worker.postMessage({ id, method, args });
      this.inFlight.set(id, { resolve: resolve as (result: unknown) => void, reject });
    });
  }

  private settle(message: StoreWorkerMessage): void {
    if (message.type !== 'response') return;
    const call = this.inFlight.get(message.id);
    if (!call) return;
    this.inFlight.delete(message.id);
    if (message.ok) call.resolve(message.result);
    else call.reject(new StoreError(message.error));
    if (this.inFlight.size === 0) this.whenIdle?.();
  }

  private follow(worker: Worker): void {
    worker.on('message', (message: StoreWorkerMessage) => this.settle(message));
    worker.on('error', (error) => this.workerStopped(worker, error));
    worker.on('exit', (code) => this.workerStopped(worker, new Error(`exit code ${code}`)));
  }

  /**
   * The worker is gone: nothing in flight will be answered. Unless the store is closing, a new
   * worker is started after a delay; calls fail until it runs.
   */
  private workerStopped(worker: Worker, cause: Error): void {
    if (worker !== this.worker || this.stopped) return;
    this.stopped = new Error('the message store stopped');
    const calls = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const call of calls) call.reject(this.stopped);
    this.whenIdle?.();
    if (this.closing) return;
    this.logger.error(
      { err: cause, callsFailed: calls.length },
      "message store: the embedded store's worker stopped; storage is not ready until a new one has started",
    );
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const delays = this.restartDelaysMs;
    const delay = delays[Math.min(this.restartAttempt++, delays.length - 1)]!;
    this.restartTimer = setTimeout(() => void this.restart(), delay);
  }

  private async restart(): Promise<void> {
    let worker: Worker;
    try {
      worker = await startWorker(this.spawn());
    } catch (error) {
      if (this.closing) return;
      this.logger.error(
        { err: error },
        'message store: a new worker failed to start; trying again',
      );
      this.scheduleRestart();
      return;
    }
    if (this.closing) {
      await worker.terminate();
      return;
    }
    this.worker = worker;
    this.follow(worker);
    this.stopped = undefined;
    this.restartAttempt = 0;
    this.logger.info("message store: the embedded store's worker runs again; storage is ready");
  }
}

/**
 * Waits for `worker` (running store-worker.js) to open and migrate its store; rejects
 * with the worker's start-up error, after ending it.
 */
async function startWorker(worker: Worker): Promise<Worker> {
  let onMessage!: (message: StoreWorkerMessage) => void;
  let onError!: (error: Error) => void;
  let onExit!: (code: number) => void;
  const started = new Promise<void>((resolve, reject) => {
    onMessage = (message) => {
      if (message.type === 'ready') resolve();
      else if (message.type === 'failed') reject(new StoreError(message.error));
    };
    onError = reject;
    onExit = (code) =>
      reject(new Error(`the message store's worker exited with code ${code} while starting`));
  });
  worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  try {
    await started;
  } catch (error) {
    await worker.terminate();
    throw error;
  } finally {
    worker.off('message', onMessage).off('error', onError).off('exit', onExit);
  }
  return worker;
}

/** The embedded store `engine` in `dataDir`, opened, migrated and run in a worker thread of its own. */
export function openWorkerStore(
  engine: EmbeddedEngine,
  dataDir: string,
  logger: AppLogger,
  workerUrl: URL = storeWorkerUrl(),
): Promise<WorkerMessageStore> {
  const workerData: StoreWorkerData = { engine, dataDir };
  return WorkerMessageStore.start(() => new Worker(workerUrl, { workerData }), logger);
}
