/**
 * The embedded store's thread: opens PGlite in `workerData.dataDir` (durable, as
 * {@link openPgliteClient} always opens it), migrates it, and serves {@link StoreRequest}s with a
 * {@link SqlMessageStore}, so PGlite's computing and its fsync never hold the api's event loop.
 * Started by `openPgliteWorkerStore` (worker-message-store.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openPgliteClient } from './pglite-client.js';
import { migrate } from './schema.js';
import { SqlMessageStore } from './sql-message-store.js';
import {
  toErrorData,
  type StoreRequest,
  type StoreWorkerData,
  type StoreWorkerMessage,
} from './store-rpc.js';

if (!parentPort) throw new Error('pglite-store-worker runs as a worker thread');
const port = parentPort;
const send = (message: StoreWorkerMessage) => port.postMessage(message);

async function openStore({ dataDir }: StoreWorkerData): Promise<SqlMessageStore> {
  const client = await openPgliteClient(dataDir);
  try {
    await migrate(client);
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
  return new SqlMessageStore(client);
}

async function serve(store: SqlMessageStore, request: StoreRequest): Promise<void> {
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
