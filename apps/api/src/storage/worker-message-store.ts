import { Worker } from 'node:worker_threads';
import type { CallRecord, ChatMessage } from '@duplex/protocol';
import type { AppLogger } from '../logging/logger.js';
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
 * The worker's compiled entry. The api runs from dist/, where it sits beside this module. The
 * test runner (vitest) runs these sources through vite, and Node 20 cannot start a worker from
 * TypeScript, so there the built copy in dist/ is started: the api's `test` script and the
 * repository's `npm test` build first, and the test run's global setup refuses a stale build.
 */
export function pgliteStoreWorkerUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../../dist/storage/pglite-store-worker.js', import.meta.url)
    : new URL('./pglite-store-worker.js', import.meta.url);
}

/** A readiness probe answers within this, also while the worker is busy or gone. */
const PING_TIMEOUT_MS = 1_500;

interface Call {
  resolve: (result: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * A {@link MessageStore} whose work runs in a worker thread (pglite-store-worker.ts): each call
 * is forwarded there and answered with the worker's result or error. If the worker dies, every
 * call in flight and every later call fails (no answer is invented: a write that failed this
 * way was never acknowledged) and `ping` answers false.
 */
export class WorkerMessageStore implements MessageStore {
  private nextId = 1;
  private readonly inFlight = new Map<number, Call>();
  /** Why calls fail from now on: the worker stopped, or the store was closed. */
  private stopped: Error | undefined;
  private closing: Promise<void> | undefined;
  /** Set while `close` waits for the calls in flight to be answered. */
  private whenIdle: (() => void) | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly logger: AppLogger,
  ) {
    worker.on('message', (message: StoreWorkerMessage) => this.settle(message));
    worker.on('error', (error) => this.workerStopped(error));
    worker.on('exit', (code) => this.workerStopped(new Error(`exit code ${code}`)));
  }

  /**
   * Waits for `worker` (running pglite-store-worker.js) to open and migrate its store; rejects
   * with the worker's start-up error, after ending it.
   */
  static async start(worker: Worker, logger: AppLogger): Promise<WorkerMessageStore> {
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
    return new WorkerMessageStore(worker, logger);
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
    if (this.inFlight.size > 0) await new Promise<void>((resolve) => (this.whenIdle = resolve));
    if (this.stopped) return;
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

  /** The worker is gone: nothing in flight will be answered, and nothing later either. */
  private workerStopped(cause: Error): void {
    if (this.stopped) return;
    this.stopped = new Error('the message store stopped');
    this.logger.error(
      { err: cause, callsFailed: this.inFlight.size },
      "message store: the embedded store's worker stopped; storage is not ready",
    );
    const calls = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const call of calls) call.reject(this.stopped);
    this.whenIdle?.();
  }
}

/** PGlite in `dataDir`, opened, migrated and run in a worker thread of its own. */
export function openPgliteWorkerStore(
  dataDir: string,
  logger: AppLogger,
  workerUrl: URL = pgliteStoreWorkerUrl(),
): Promise<WorkerMessageStore> {
  const workerData: StoreWorkerData = { dataDir };
  return WorkerMessageStore.start(new Worker(workerUrl, { workerData }), logger);
}
