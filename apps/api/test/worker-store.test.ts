import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AppLogger } from '../src/logging/logger.js';
import type { NewMessage, StoredMessage } from '../src/storage/message-store.js';
import {
  EMBEDDED_ENGINES,
  SQLITE_FILE,
  type EmbeddedEngine,
} from '../src/storage/embedded-engine.js';
import {
  openWorkerStore,
  storeWorkerUrl,
  WorkerMessageStore,
} from '../src/storage/worker-message-store.js';
import { keptDataDir, type DataDir } from './support/data-dir.js';
import { silentLogger } from './support/store-factories.js';
import { scratchDir } from './support/test-storage.js';

const ann = { userId: 'u-ann', name: 'Ann' };
const message = (clientId: string, text = clientId): NewMessage => ({
  room: 'room',
  clientId,
  from: ann,
  text,
  ts: new Date().toISOString(),
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A file in the data folder that makes it hold a database of `engine` that cannot be opened. */
const CORRUPT_DATABASE: Record<EmbeddedEngine, { file: string; reason: RegExp }> = {
  sqlite: { file: SQLITE_FILE, reason: /not a database/ },
  pglite: { file: 'PG_VERSION', reason: /PGlite/ },
};

/** How each engine reports a NULL in a NOT NULL column (the author's name here). */
const NOT_NULL_VIOLATION: Record<EmbeddedEngine, { message: unknown; code: string }> = {
  sqlite: { message: expect.stringMatching(/NOT NULL/), code: 'SQLITE_CONSTRAINT_NOTNULL' },
  pglite: { message: expect.stringMatching(/not-null|null value/), code: '23502' },
};

for (const engine of EMBEDDED_ENGINES) {
  describe(`the embedded store (${engine}) in a worker thread`, () => {
    async function dataDir(): Promise<DataDir> {
      const dir = await keptDataDir(engine);
      cleanups.push(() => dir.remove());
      return dir;
    }

    async function openStore(dir: DataDir): Promise<WorkerMessageStore> {
      const store = await openWorkerStore(engine, dir.path, silentLogger);
      cleanups.push(() => store.close());
      return store;
    }

    /** A store whose workers the test holds, to end one as a crash would. */
    async function storeWithWorkers(
      dir: DataDir,
      logger: AppLogger = silentLogger,
      restartDelaysMs?: readonly number[],
    ) {
      const workers: Worker[] = [];
      const spawn = () => {
        const worker = new Worker(storeWorkerUrl(), {
          workerData: { engine, dataDir: dir.path },
        });
        workers.push(worker);
        return worker;
      };
      const store = await WorkerMessageStore.start(spawn, logger, restartDelaysMs);
      cleanups.push(() => store.close());
      return { workers, store };
    }

    const storedTexts = async (store: WorkerMessageStore) =>
      (await store.page('room', { limit: 1_000 })).map((m) => ('text' in m ? m.text : ''));

    it('carries a database error back as an error with its message and code, and goes on', async () => {
      const store = await openStore(await dataDir());
      const nameless = { ...message('nameless'), from: { userId: ann.userId, name: null } };
      const refused = await store.appendBatch('room', [nameless as unknown as NewMessage]).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(Error);
      expect(refused).toMatchObject(NOT_NULL_VIOLATION[engine]);
      expect((refused as Error).stack).not.toMatch(
        /store-worker|sql-message-store|sqlite-message-store/,
      );
      expect(await store.ping()).toBe(true);
      expect((await store.appendBatch('room', [message('next')]))[0]!.message.seq).toBe(1);
    });

    it('fails a call whose arguments cannot be sent to the worker, and still closes', async () => {
      const dir = await dataDir();
      const store = await openWorkerStore(engine, dir.path, silentLogger);
      const unsendable = { ...message('fn'), from: { ...ann, toString: () => 'Ann' } };
      await expect(store.appendBatch('room', [unsendable])).rejects.toThrow(/could not be cloned/);
      expect(await store.ping()).toBe(true);
      await store.close();
    });

    it('close waits for the writes in flight, then closes: every one of them is stored', async () => {
      const dir = await dataDir();
      const store = await openWorkerStore(engine, dir.path, silentLogger);
      const writes = Array.from({ length: 20 }, (_, i) =>
        store.appendBatch('room', [message(`m${i}`)]),
      );
      await store.close();
      const stored = await Promise.all(writes);
      expect(stored.map(([s]) => s!.duplicate)).toEqual(Array(20).fill(false));
      await expect(store.appendBatch('room', [message('late')])).rejects.toThrow(/closed/);
      expect(await store.ping()).toBe(false);

      const reopened = await openStore(dir);
      expect(await storedTexts(reopened)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
    });

    it('when its worker dies: fails every call in flight and after, answers ping false, logs it, and loses no acknowledged write', async () => {
      const dir = await dataDir();
      const logger = { error: vi.fn(), info: vi.fn() } as unknown as AppLogger;
      // A restart far beyond the test: what the store does while its worker is gone.
      const { workers, store } = await storeWithWorkers(dir, logger, [60_000]);
      const worker = workers[0]!;
      for (let i = 0; i < 5; i++) await store.appendBatch('room', [message(`acked${i}`)]);

      const inFlight = Array.from({ length: 10 }, (_, i) =>
        store.appendBatch('room', [message(`racing${i}`)]).then(
          (stored): StoredMessage | Error => stored[0]!,
          (error: Error) => error,
        ),
      );
      await worker.terminate();
      const outcomes = await Promise.all(inFlight);
      for (const outcome of outcomes) {
        if (outcome instanceof Error) expect(outcome.message).toBe('the message store stopped');
      }
      expect(await store.ping()).toBe(false);
      await expect(store.rooms()).rejects.toThrow('the message store stopped');
      expect(logger.error).toHaveBeenCalledTimes(1);
      await store.close();

      const reopened = await openStore(dir);
      const texts = await storedTexts(reopened);
      const acknowledged = outcomes.flatMap((o) => (o instanceof Error ? [] : [o.message.text]));
      expect(texts.slice(0, 5)).toEqual(['acked0', 'acked1', 'acked2', 'acked3', 'acked4']);
      expect(texts).toEqual(expect.arrayContaining(acknowledged));
    });

    it('starts a new worker after one died: storage is ready again, with every acknowledged write', async () => {
      const dir = await dataDir();
      const logger = { error: vi.fn(), info: vi.fn() } as unknown as AppLogger;
      const { workers, store } = await storeWithWorkers(dir, logger, [10]);
      for (let i = 0; i < 3; i++) await store.appendBatch('room', [message(`before${i}`)]);

      await workers[0]!.terminate();
      await expect(store.rooms()).rejects.toThrow('the message store stopped');
      await vi.waitFor(async () => expect(await store.ping()).toBe(true), { timeout: 20_000 });

      expect(workers).toHaveLength(2);
      await store.appendBatch('room', [message('after')]);
      expect(await storedTexts(store)).toEqual(['before0', 'before1', 'before2', 'after']);
      expect(logger.error).toHaveBeenCalledTimes(1);
      expect(logger.info).toHaveBeenCalledTimes(1);
    });

    it('fails to start with the reason when DATA_DIR cannot be used', async () => {
      const parent = await scratchDir();
      const file = join(parent, 'a-file');
      await writeFile(file, 'not a folder');
      cleanups.push(() => rm(parent, { recursive: true }));
      await expect(openWorkerStore(engine, join(file, 'data'), silentLogger)).rejects.toThrow(
        /ENOTDIR|EEXIST/,
      );
    });

    it('fails to start with the reason when DATA_DIR holds no usable database', async () => {
      const dir = await dataDir();
      const corrupt = CORRUPT_DATABASE[engine];
      await writeFile(join(dir.path, corrupt.file), 'not a database, nor a version\n');
      await expect(openWorkerStore(engine, dir.path, silentLogger)).rejects.toThrow(corrupt.reason);
    });
  });
}
