import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import type { EmbeddedEngine } from '../../src/storage/embedded-engine.js';
import { openPgClient } from '../../src/storage/pg-client.js';
import { openPgliteClient } from '../../src/storage/pglite-client.js';
import { migrate } from '../../src/storage/schema.js';
import type { MessageStore } from '../../src/storage/message-store.js';
import type { SqlClient } from '../../src/storage/sql-client.js';
import { SqlMessageStore } from '../../src/storage/sql-message-store.js';
import { openSqliteStore } from '../../src/storage/sqlite-message-store.js';
import { openWorkerStore } from '../../src/storage/worker-message-store.js';
import { skipPostgres, startLocalPostgres, type LocalPostgres } from './postgres-server.js';

export interface OpenedStore {
  readonly store: MessageStore;
  /**
   * The SQL client under the store, for checks the store's interface does not offer; none when
   * the store runs in a thread of its own.
   */
  readonly sql?: SqlClient;
  close(): Promise<void>;
}

export interface StoreFactory {
  readonly name: string;
  /** True when this kind of store was skipped on purpose (DUPLEX_SKIP_POSTGRES=1). */
  readonly skipped: boolean;
  /** Whether its stores come with their SQL client (`OpenedStore.sql`). */
  readonly exposesSql: boolean;
  /** A migrated store on empty storage of its own. */
  open(): Promise<OpenedStore>;
  /** Releases what the factory shares between its stores (a database server). */
  dispose(): Promise<void>;
}

export const silentLogger = createLogger('silent');

/** PGlite in a fresh data directory, copied from the run's initialised template. */
export function pgliteStores(): StoreFactory {
  return {
    name: 'PGlite',
    skipped: false,
    exposesSql: true,
    open: async () => {
      const dir = await freshPgliteDir();
      const sql = await openPgliteClient(dir);
      await migrate(sql);
      return {
        store: new SqlMessageStore(sql),
        sql,
        close: async () => {
          await sql.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
    dispose: async () => undefined,
  };
}

/** SQLite in a fresh data directory, in the test's thread. */
export function sqliteStores(): StoreFactory {
  return {
    name: 'SQLite',
    skipped: false,
    exposesSql: false,
    open: async () => {
      const dir = await emptyStoreDir();
      return removedOnClose(openSqliteStore(dir), dir);
    },
    dispose: async () => undefined,
  };
}

/** An embedded store in a fresh data directory, run in a worker thread as the api runs it. */
export function workerStores(engine: EmbeddedEngine): StoreFactory {
  return {
    name: `${engine === 'sqlite' ? 'SQLite' : 'PGlite'} in a worker thread`,
    skipped: false,
    exposesSql: false,
    open: async () => {
      const dir = engine === 'pglite' ? await freshPgliteDir() : await emptyStoreDir();
      return removedOnClose(await openWorkerStore(engine, dir, silentLogger), dir);
    },
    dispose: async () => undefined,
  };
}

const emptyStoreDir = () => mkdtemp(join(tmpdir(), 'duplex-store-test-'));

/** `store` on `dir`, both gone once closed. */
function removedOnClose(store: MessageStore, dir: string): OpenedStore {
  return {
    store,
    close: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A copy of the run's initialised PGlite template. */
async function freshPgliteDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'duplex-store-test-'));
  await cp(inject('pgliteTemplate'), dir, { recursive: true });
  return dir;
}

/** PostgreSQL: one local server, started on first use; each store gets a database of its own. */
export function postgresStores(): StoreFactory {
  let server: Promise<LocalPostgres> | undefined;
  return {
    name: 'PostgreSQL',
    skipped: skipPostgres,
    exposesSql: true,
    open: async () => {
      server ??= startLocalPostgres();
      const sql = openPgClient(await (await server).createDatabase(), silentLogger);
      await migrate(sql);
      return { store: new SqlMessageStore(sql), sql, close: () => sql.close() };
    },
    dispose: async () => {
      const started = await server?.catch(() => undefined);
      await started?.remove();
    },
  };
}
