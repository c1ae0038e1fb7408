/**
 * The embedded store's thread: opens the store of `workerData.engine` in `workerData.dataDir`
 * (durable, migrated) and serves {@link StoreRequest}s with it, so the store's computing and its
 * fsync never hold the api's event loop. Started by `openWorkerStore` (worker-message-store.ts).
 * Only the chosen engine's code is loaded: PGlite's WebAssembly costs hundreds of MiB.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MessageStore } from './message-store.js';
import {
  toErrorData,
  type StoreRequest,
  type StoreWorkerData,
  type StoreWorkerMessage,
} from './store-rpc.js';

if (!parentPort) throw new Error('store-worker runs as a worker thread');
const port = parentPort;
const send = (message: StoreWorkerMessage) => port.postMessage(message);

async function openStore({ engine, dataDir }: StoreWorkerData): Promise<MessageStore> {
  if (engine === 'sqlite') {
    const { openSqliteStore } = await import('./sqlite-message-store.js');
    return openSqliteStore(dataDir);
  }
  const { openPgliteClient } = await import('./pglite-client.js');
  const { migrate } = await import('./schema.js');
  const { SqlMessageStore } = await import('./sql-message-store.js');
  const client = await openPgliteClient(dataDir);
  try {
    await migrate(client);
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
  return new SqlMessageStore(client);
}

async function serve(store: MessageStore, request: StoreRequest): Promise<void> {
  const { id, method, args } = request;
  try {
    const call = store[method] as (...params: unknown[]) => Promise<unknown>;
    const result = await call.apply(store, args);
    send({ type: 'response', id, ok: true, result });
  } catch (error) {
    send({ type: 'response', id, ok: false, error: toErrorData(error) });
  }
}

try {
  const store = await openStore(workerData as StoreWorkerData);
  port.on('message', (request: StoreRequest) => void serve(store, request));
  send({ type: 'ready' });
} catch (error) {
  // The thread ends by itself: nothing listens on the port.
  send({ type: 'failed', error: toErrorData(error) });
}
