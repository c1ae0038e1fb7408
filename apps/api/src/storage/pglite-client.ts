import { fsyncSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import type { SqlClient, SqlQueryable } from './sql-client.js';

/**
 * PGlite's defaults trade durability for speed: Postgres runs with `-F` (fsync off) and the
 * Emscripten Node file system under it has no fsync at all. Here Postgres syncs its WAL with
 * fsync() at every commit, and that fsync reaches the kernel: a commit (and so an ack) means the
 * message is on disk, surviving a machine crash or power loss, not only a killed process.
 */
const DURABLE_START_PARAMS = [
  ...PGlite.defaultStartParams.filter((param) => param !== '-F'),
  '-c',
  'wal_sync_method=fsync',
];

interface EmscriptenStream {
  nfd?: number;
}

/** Gives the Node file system that PGlite mounts its data folder on an fsync that syncs the file. */
function syncDataFolderWrites(db: PGlite, fsync: (fd: number) => void): void {
  const { node } = db.Module.FS.lookupPath(`${PGlite.paths.PGDATA}/PG_VERSION`);
  const streamOps = node.stream_ops as { fsync?: (stream: EmscriptenStream) => number };
  streamOps.fsync = (stream) => {
    if (stream.nfd !== undefined) fsync(stream.nfd);
    return 0;
  };
}

const rowsOf =
  (db: Pick<PGlite, 'query'>) =>
  async <Row>(sql: string, params?: unknown[]): Promise<Row[]> =>
    (await db.query<Row>(sql, params)).rows;

/**
 * Embedded PostgreSQL (WebAssembly) in `dataDir`: no database server needed. `fsync` is the
 * kernel's unless a test watches it.
 */
export async function openPgliteClient(
  dataDir: string,
  fsync: (fd: number) => void = fsyncSync,
): Promise<SqlClient> {
  await mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir, { startParams: DURABLE_START_PARAMS });
  syncDataFolderWrites(db, fsync);
  return {
    query: rowsOf(db),
    transaction: (work) =>
      db.transaction((tx) => work({ query: rowsOf(tx) } satisfies SqlQueryable)),
    close: () => db.close(),
  };
}
