import type { AppConfig } from '../config/config.js';
import type { AppLogger } from '../logging/logger.js';
import { chooseEmbeddedEngine } from './embedded-engine.js';
import type { MessageStore } from './message-store.js';
import { retryWhileUnreachable } from './retry-unreachable.js';
import { migrate } from './schema.js';
import { SqlMessageStore } from './sql-message-store.js';
import { openWorkerStore } from './worker-message-store.js';

/** How long a starting instance waits for PostgreSQL to become reachable before it gives up. */
const STARTUP_DEADLINE_MS = 30_000;

/**
 * PostgreSQL when `DATABASE_URL` is set, else the embedded store in `DATA_DIR` (SQLite, or PGlite
 * for a folder PGlite made: see embedded-engine.ts), run in a worker thread so that its work
 * never holds the event loop; migrated before use. Needs no Nest: `main` starts it before the
 * framework has loaded, so the two overlap.
 */
export async function openMessageStore(
  config: AppConfig,
  logger: AppLogger,
): Promise<MessageStore> {
  if (config.databaseUrl === undefined) {
    const engine = chooseEmbeddedEngine(config.embeddedStore, config.dataDir);
    const store = await openWorkerStore(engine, config.dataDir, logger);
    logger.info({ dataDir: config.dataDir, engine }, 'message store: embedded (worker thread)');
    return store;
  }
  // Loaded only here: an api on the embedded store is spared the PostgreSQL client's memory.
  const { openPgClient } = await import('./pg-client.js');
  const client = openPgClient(config.databaseUrl, logger);
  await retryWhileUnreachable(() => migrate(client), {
    deadlineMs: STARTUP_DEADLINE_MS,
    logger,
    what: 'message store start-up',
  }).catch(async (error: unknown) => {
    await client.close();
    throw error;
  });
  logger.info('message store: PostgreSQL (DATABASE_URL)');
  return new SqlMessageStore(client);
}
