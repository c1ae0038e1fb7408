import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { EmbeddedEngine } from '../../src/storage/embedded-engine.js';

export interface DataDir {
  readonly path: string;
  remove(): Promise<void>;
}

/** The embedded store of the run (`DUPLEX_TEST_STORE`): PGlite when asked for, else SQLite. */
export const runEngine = (): EmbeddedEngine =>
  inject('testStore').kind === 'pglite' ? 'pglite' : 'sqlite';

/**
 * A data directory a test keeps across api restarts (pass it as `DATA_DIR`) for `engine`: empty
 * for SQLite, a copy of the run's initialised PGlite template for PGlite; `remove` deletes it.
 */
export async function keptDataDir(engine: EmbeddedEngine = runEngine()): Promise<DataDir> {
  const path = await mkdtemp(join(tmpdir(), 'duplex-api-kept-'));
  if (engine === 'pglite') await cp(inject('pgliteTemplate'), path, { recursive: true });
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
