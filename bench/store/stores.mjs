// The two stores compared: the api's durable PGlite client, and a reference client built the
// same way on PGlite's defaults (what the api ran before). Both go through the api's
// SqlMessageStore and migrations.
import { fsyncSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { PGlite, SqlMessageStore, migrate, openPgliteClient } from './api-modules.mjs';

const rowsOf = (db) => async (sql, params) => (await db.query(sql, params)).rows;

/** PGlite as it comes: Postgres with `-F` (fsync off) on a file system without fsync. */
async function openDefaultPgliteClient(dataDir) {
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  return {
    query: rowsOf(db),
    transaction: (work) => db.transaction((tx) => work({ query: rowsOf(tx) })),
    close: () => db.close(),
  };
}

export const STORES = {
  durable: {
    label: 'durable (api)',
    describe: 'openPgliteClient: fsync on, wal_sync_method=fsync, fsync reaches the kernel',
    // The api's own fsync parameter (there for tests that watch it) times each kernel fsync.
    open: (dataDir, fsync) => openPgliteClient(dataDir, fsync),
  },
  reference: {
    label: 'PGlite default',
    describe: 'PGlite.create(dir): postgres -F, fsync a no-op in the WebAssembly file system',
    open: openDefaultPgliteClient,
  },
};

/**
 * A data folder already through initdb (PGlite's first open of a folder takes seconds), copied
 * for every round so each store starts from the same fresh, empty database.
 */
export async function makeTemplate(parent) {
  const dir = await mkdtemp(path.join(parent, 'template-'));
  const client = await openDefaultPgliteClient(dir);
  await client.close();
  return dir;
}

/**
 * A fresh copy of the template in `parent`, migrated, behind a SqlMessageStore. `fsync`, when
 * given, is what the durable store calls to sync a file (the reference never syncs).
 */
export async function openFreshStore(kind, template, parent, fsync = fsyncSync) {
  const dataDir = await mkdtemp(path.join(parent, `${kind}-`));
  await cp(template, dataDir, { recursive: true });
  const client = await STORES[kind].open(dataDir, fsync);
  await migrate(client);
  return {
    store: new SqlMessageStore(client),
    dataDir,
    async close() {
      await client.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
