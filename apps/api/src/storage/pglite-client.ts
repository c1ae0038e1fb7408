import { existsSync, fsyncSync } from 'node:fs';
import { mkdir, open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
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

/**
 * A new, migrated data folder as a gzipped tarball, made by the api's build beside this module
 * (see data-dir-image-build.ts). An empty data folder is filled from it rather than by PGlite's
 * initdb, which takes seconds and grows PGlite's WebAssembly memory by hundreds of MiB that are
 * never given back. Absent (e.g. the sources run by the test runner), initdb runs as usual.
 */
export const DATA_DIR_IMAGE = new URL('./data-dir-image.tar.gz', import.meta.url);

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

/**
 * The image's bytes when `dataDir` holds no database yet (no `PG_VERSION`, PGlite's own test
 * before it runs initdb; the folder may hold other files, such as the identity secret) and the
 * build made an image; else undefined.
 */
async function imageFor(dataDir: string, image: URL | undefined): Promise<Blob | undefined> {
  if (image === undefined || existsSync(join(dataDir, 'PG_VERSION'))) return undefined;
  const bytes = await readFile(image).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  return bytes && new Blob([bytes]);
}

/** Syncs every file and folder under `dir` (and `dir`): the image was unpacked without fsync. */
async function syncTree(dir: string, fsync: (fd: number) => void): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await syncTree(path, fsync);
    else if (entry.isFile()) await syncPath(path, fsync);
  }
  await syncPath(dir, fsync);
}

async function syncPath(path: string, fsync: (fd: number) => void): Promise<void> {
  const handle = await open(path, 'r');
  try {
    fsync(handle.fd);
  } finally {
    await handle.close();
  }
}

const rowsOf =
  (db: Pick<PGlite, 'query'>) =>
  async <Row>(sql: string, params?: unknown[]): Promise<Row[]> =>
    (await db.query<Row>(sql, params)).rows;

/** {@link SqlClient} on an open PGlite. */
export function pgliteSqlClient(db: PGlite): SqlClient {
  return {
    query: rowsOf(db),
    transaction: (work) =>
      db.transaction((tx) => work({ query: rowsOf(tx) } satisfies SqlQueryable)),
    close: () => db.close(),
  };
}

/**
 * Embedded PostgreSQL (WebAssembly) in `dataDir`: no database server needed. `fsync` is the
 * kernel's unless a test watches it; a `dataDir` without a database is filled from `image` when
 * there is one.
 */
export async function openPgliteClient(
  dataDir: string,
  fsync: (fd: number) => void = fsyncSync,
  image: URL | undefined = DATA_DIR_IMAGE,
): Promise<SqlClient> {
  await mkdir(dataDir, { recursive: true });
  const loadDataDir = await imageFor(dataDir, image);
  const db = await PGlite.create(dataDir, {
    startParams: DURABLE_START_PARAMS,
    ...(loadDataDir && { loadDataDir }),
  });
  syncDataFolderWrites(db, fsync);
  if (loadDataDir) {
    try {
      await syncTree(dataDir, fsync);
    } catch (error) {
      await db.close();
      throw error;
    }
  }
  return pgliteSqlClient(db);
}
