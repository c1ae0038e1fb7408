import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';

export interface DataDir {
  readonly path: string;
  remove(): Promise<void>;
}

/**
 * A data directory a test keeps across api restarts (pass it as `DATA_DIR`), copied from the
 * run's initialised PGlite template; `remove` deletes it.
 */
export async function keptDataDir(): Promise<DataDir> {
  const path = await mkdtemp(join(tmpdir(), 'duplex-api-kept-'));
  await cp(inject('pgliteTemplate'), path, { recursive: true });
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
