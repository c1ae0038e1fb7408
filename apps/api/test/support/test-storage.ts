import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import type { MessageStore } from '../../src/storage/message-store.js';
import { openPgClient } from '../../src/storage/pg-client.js';
import { openPgliteClient } from '../../src/storage/pglite-client.js';
import { migrate } from '../../src/storage/schema.js';
import type { SqlClient } from '../../src/storage/sql-client.js';
import { SqlMessageStore } from '../../src/storage/sql-message-store.js';
import { openSqliteStore } from '../../src/storage/sqlite-message-store.js';
import { createDatabase, dropDatabase } from './postgres-server.js';

/** The config that points an api at storage (and, for several instances, at Redis). */
export interface StorageConfig {
  readonly DATA_DIR: string;
  readonly DATABASE_URL?: string;
  readonly REDIS_URL?: string;
  readonly REDIS_KEY_PREFIX?: string;
}

/** Empty storage of a test's own: an api started with `config` stores there. */
export interface TestStorage {
  readonly config: StorageConfig;
  /** The migrated store the api will use, opened beside it (e.g. to fill history beforehand). */
  openStore(): Promise<MessageStore>;
  /** Deletes the storage; the api and every store opened on it must be closed first. */
  remove(): Promise<void>;
}

/**
 * Fresh, empty storage of the run's kind (`DUPLEX_TEST_STORE`, see global-setup.ts): an empty
 * data directory (SQLite), a copy of the initialised PGlite template, or a new database on the
 * run's PostgreSQL server beside a data directory of its own (which then holds only the
 * identity secret); for a cluster, also a key prefix of its own on the run's Redis.
 */
export async function freshStorage(): Promise<TestStorage> {
  const store = inject('testStore');
  if (store.kind === 'sqlite') {
    const dataDir = await scratchDir();
    return {
      config: { DATA_DIR: dataDir },
      // Beside the api's own connection: SQLite lets several open the file.
      openStore: async () => openSqliteStore(dataDir),
      remove: () => rm(dataDir, { recursive: true, force: true }),
    };
  }
  if (store.kind === 'pglite') {
    const dataDir = await freshPgliteDir();
    return {
      config: { DATA_DIR: dataDir },
      openStore: async () => migratedStore(await openPgliteClient(dataDir)),
      remove: () => rm(dataDir, { recursive: true, force: true }),
    };
  }
  const dataDir = await scratchDir();
  const databaseUrl = await createDatabase(store.serverUrl);
  const redis = store.kind === 'cluster' && {
    REDIS_URL: store.redisUrl,
    // Keys of its own on the run's Redis: nothing left by an earlier test is seen.
    REDIS_KEY_PREFIX: `test-${randomUUID()}:`,
  };
  return {
    config: { DATA_DIR: dataDir, DATABASE_URL: databaseUrl, ...redis },
    openStore: () => migratedStore(openPgClient(databaseUrl, createLogger('silent'))),
    remove: async () => {
      await dropDatabase(store.serverUrl, databaseUrl);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A new, empty temporary directory. */
export function scratchDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'duplex-api-test-'));
}

async function freshPgliteDir(): Promise<string> {
  const dir = await scratchDir();
  await cp(inject('pgliteTemplate'), dir, { recursive: true });
  return dir;
}

async function migratedStore(sql: SqlClient): Promise<SqlMessageStore> {
  try {
    await migrate(sql);
  } catch (error) {
    await sql.close();
    throw error;
  }
  return new SqlMessageStore(sql);
}
