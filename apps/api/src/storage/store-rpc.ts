import type { EmbeddedEngine } from './embedded-engine.js';
import type { MessageStore } from './message-store.js';

/**
 * The protocol between the api's thread and the thread that runs the embedded store: one
 * request per {@link MessageStore} call, answered once by its `id`. Arguments and results are
 * structured-clone-able as they are (plain objects, arrays, a Map); errors travel as their
 * message and SQLSTATE code, never with a stack.
 */
export type StoreMethod = keyof MessageStore;

export type StoreRequest = {
  [M in StoreMethod]: { id: number; method: M; args: Parameters<MessageStore[M]> };
}[StoreMethod];

export type StoreResult<M extends StoreMethod> = Awaited<ReturnType<MessageStore[M]>>;

export interface StoreErrorData {
  message: string;
  code?: string;
}

/** What the worker sends: once whether it started, then one response per request. */
export type StoreWorkerMessage =
  | { type: 'ready' }
  | { type: 'failed'; error: StoreErrorData }
  | { type: 'response'; id: number; ok: true; result: unknown }
  | { type: 'response'; id: number; ok: false; error: StoreErrorData };

/** The worker's start-up input (`workerData`). */
export interface StoreWorkerData {
  engine: EmbeddedEngine;
  dataDir: string;
}

/** An error raised in the store's thread, as the caller's thread sees it. */
export class StoreError extends Error {
  readonly code?: string;

  constructor({ message, code }: StoreErrorData) {
    super(message);
    this.name = 'StoreError';
    if (code !== undefined) this.code = code;
  }
}

export function toErrorData(error: unknown): StoreErrorData {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? { message, code } : { message };
}
