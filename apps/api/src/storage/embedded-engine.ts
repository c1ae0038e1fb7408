import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The embedded stores: SQLite (the default: a few MiB, opens in milliseconds, a commit costs
 * ~0.25 ms of CPU) and PGlite (PostgreSQL in WebAssembly: the same SQL as a PostgreSQL
 * deployment, at ~400 MiB and ~5 ms of CPU per commit). Data folders made by PGlite, the only
 * embedded store before SQLite, keep being opened with it.
 */
/** SQLite's file in the data folder (it keeps `-wal` and `-shm` files beside it). */
export const SQLITE_FILE = 'chat.sqlite';

export const EMBEDDED_ENGINES = ['sqlite', 'pglite'] as const;
export type EmbeddedEngine = (typeof EMBEDDED_ENGINES)[number];

/** `EMBEDDED_STORE`: an engine, or `auto`: the one whose database the data folder holds. */
export type EmbeddedStoreSetting = EmbeddedEngine | 'auto';

/** The engine whose database is in `dataDir`, if any (PGlite's test: PG_VERSION). */
export function engineInDataDir(dataDir: string): EmbeddedEngine | undefined {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return 'pglite';
  if (existsSync(join(dataDir, SQLITE_FILE))) return 'sqlite';
  return undefined;
}

/**
 * The engine to open `dataDir` with. Asked for one engine on a folder holding the other's
 * database, it refuses rather than start with an empty history beside the real one.
 */
export function chooseEmbeddedEngine(
  setting: EmbeddedStoreSetting,
  dataDir: string,
): EmbeddedEngine {
  const found = engineInDataDir(dataDir);
  if (setting === 'auto') return found ?? 'sqlite';
  if (found !== undefined && found !== setting) {
    throw new Error(
      `EMBEDDED_STORE=${setting}, but DATA_DIR (${dataDir}) holds a ${found} database: set EMBEDDED_STORE=${found} or auto, or use another DATA_DIR`,
    );
  }
  return setting;
}
