import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { openPgClient } from '../../src/storage/pg-client.js';
import { openPgliteClient } from '../../src/storage/pglite-client.js';
import { migrate } from '../../src/storage/schema.js';
import type { SqlClient } from '../../src/storage/sql-client.js';
import { SqlMessageStore } from '../../src/storage/sql-message-store.js';
import { skipPostgres, startLocalPostgres, type LocalPostgres } from './postgres-server.js';

export interface OpenedStore {
  readonly store: SqlMessageStore;
  /** The SQL client under the store, for checks the store's interface does not offer. */
  readonly sql: SqlClient;
  close(): Promise<void>;
}

export interface StoreFactory {
  readonly name: string;
  /** True when this kind of store was skipped on purpose (DUPLEX_SKIP_POSTGRES=1). */
  readonly skipped: boolean;
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
    open: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'duplex-store-test-'));
      await cp(inject('pgliteTemplate'), dir, { recursive: true });
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

/** PostgreSQL: one local server, started on first use; each store gets a database of its own. */
export function postgresStores(): StoreFactory {
  let server: Promise<LocalPostgres> | undefined;
  return {
    name: 'PostgreSQL',
    skipped: skipPostgres,
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
