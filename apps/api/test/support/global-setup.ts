import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';
import { BUNDLED_FROM_FILE, buildDigest } from '../../scripts/build-digest.mjs';
import { skipPostgres, startLocalPostgres } from './postgres-server.js';
import { skipRedis, startLocalRedis } from './redis-server.js';

/**
 * What a test api stores its chat in when the test does not choose (see test-storage.ts): an
 * embedded store (SQLite, the default, or PGlite), or a database of its own on one PostgreSQL
 * server shared by the run.
 */
export type TestStore =
  | { kind: 'sqlite' }
  | { kind: 'pglite' }
  | { kind: 'postgres'; serverUrl: string }
  | { kind: 'cluster'; serverUrl: string; redisUrl: string };

declare module 'vitest' {
  export interface ProvidedContext {
    /** An initialised, empty PGlite data directory that test servers copy instead of running initdb. */
    pgliteTemplate: string;
    testStore: TestStore;
  }
}

/**
 * `DUPLEX_TEST_STORE`: `sqlite` (the default, as the api chooses for an empty data folder),
 * `pglite`, `postgres`, or `cluster`: every test api is several instances on PostgreSQL and
 * Redis (see api-server.ts).
 */
function storeKind(value = ''): TestStore['kind'] {
  if (value === '' || value === 'sqlite') return 'sqlite';
  if (value === 'pglite') return 'pglite';
  if (value === 'postgres') {
    if (skipPostgres) {
      throw new Error(
        'DUPLEX_TEST_STORE=postgres runs on PostgreSQL, DUPLEX_SKIP_POSTGRES=1 skips it',
      );
    }
    return 'postgres';
  }
  if (value === 'cluster') {
    if (skipPostgres || skipRedis) {
      throw new Error(
        'DUPLEX_TEST_STORE=cluster runs on PostgreSQL and Redis, which DUPLEX_SKIP_* skips',
      );
    }
    return 'cluster';
  }
  throw new Error(
    `DUPLEX_TEST_STORE must be sqlite, pglite, postgres or cluster, not ${JSON.stringify(value)}`,
  );
}

/** An initialised, empty PGlite data directory: PGlite's initdb takes seconds, a copy does not. */
async function createPgliteTemplate(): Promise<string> {
  const template = await mkdtemp(join(tmpdir(), 'duplex-pglite-template-'));
  try {
    const db = await PGlite.create(template);
    await db.close();
    return template;
  } catch (error) {
    await rm(template, { recursive: true, force: true });
    throw error;
  }
}

const STORAGE_SOURCES = fileURLToPath(new URL('../../src/storage/', import.meta.url));
const STORAGE_BUILD = fileURLToPath(new URL('../../build/storage/', import.meta.url));

/**
 * The embedded store runs in a worker thread, which Node starts from the build (build/), also
 * when the tests run the sources (see storeWorkerUrl): a missing or stale build would
 * test other code than the sources, so the run stops instead.
 */
async function assertStorageBuilt(): Promise<void> {
  const stale: string[] = [];
  for (const source of await readdir(STORAGE_SOURCES)) {
    if (!source.endsWith('.ts')) continue;
    const built = join(STORAGE_BUILD, source.replace(/\.ts$/, '.js'));
    const [sourceTime, builtTime] = await Promise.all([
      stat(join(STORAGE_SOURCES, source)).then((s) => s.mtimeMs),
      stat(built).then(
        (s) => s.mtimeMs,
        () => -1,
      ),
    ]);
    if (builtTime < sourceTime) stale.push(source);
  }
  if (stale.length > 0) {
    throw new Error(
      `apps/api/build is missing or older than src/storage (${stale.join(', ')}): build the api first (pnpm --filter @duplex/api build)`,
    );
  }
}

const COMPILED = fileURLToPath(new URL('../../build/', import.meta.url));
const BUNDLED = fileURLToPath(new URL('../../dist/', import.meta.url));

/**
 * Suites that start the api as a process run the bundle (dist/), made from the compiled modules
 * (build/): a bundle of another build is another api than the one just compiled.
 */
async function assertBundleCurrent(): Promise<void> {
  const bundledFrom = await readFile(join(BUNDLED, BUNDLED_FROM_FILE), 'utf8').catch(() => '');
  if (bundledFrom.trim() !== buildDigest(COMPILED)) {
    throw new Error(
      'apps/api/dist is missing or was bundled from another build than apps/api/build: bundle the api (pnpm --filter @duplex/api build)',
    );
  }
}

/**
 * Runs PGlite's initdb once per test run; every test server starts from a copy. With
 * `DUPLEX_TEST_STORE=postgres`, also starts the run's PostgreSQL server, removed at the end.
 */
export default async function setup(project: TestProject) {
  const kind = storeKind(process.env.DUPLEX_TEST_STORE);
  await assertStorageBuilt();
  await assertBundleCurrent();
  const postgres = kind === 'sqlite' || kind === 'pglite' ? undefined : await startLocalPostgres();
  const redis =
    kind === 'cluster'
      ? await startLocalRedis().catch(async (error: unknown) => {
          await postgres?.remove();
          throw error;
        })
      : undefined;
  const template = await createPgliteTemplate().catch(async (error: unknown) => {
    await postgres?.remove();
    await redis?.remove();
    throw error;
  });
  project.provide('pgliteTemplate', template);
  project.provide(
    'testStore',
    redis && postgres
      ? { kind: 'cluster', serverUrl: postgres.url, redisUrl: redis.url }
      : postgres
        ? { kind: 'postgres', serverUrl: postgres.url }
        : kind === 'pglite'
          ? { kind: 'pglite' }
          : { kind: 'sqlite' },
  );
  return async () => {
    await postgres?.remove();
    await redis?.remove();
    await rm(template, { recursive: true, force: true });
  };
}
