import {
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { ReadinessService } from '../http/readiness.service.js';
import { APP_LOGGER, type AppLogger } from '../logging/logger.js';
import { MESSAGE_STORE, type MessageStore } from './message-store.js';
import { openPgClient } from './pg-client.js';
import { retryWhileUnreachable } from './retry-unreachable.js';
import { migrate } from './schema.js';
import { SqlMessageStore } from './sql-message-store.js';
import { openPgliteWorkerStore } from './worker-message-store.js';

/** How long a starting instance waits for PostgreSQL to become reachable before it gives up. */
const STARTUP_DEADLINE_MS = 30_000;

/**
 * PostgreSQL when `DATABASE_URL` is set, else PGlite in `DATA_DIR`, run in a worker thread so
 * that its work never holds the event loop; migrated before use.
 */
async function openMessageStore(config: AppConfig, logger: AppLogger): Promise<MessageStore> {
  if (config.databaseUrl === undefined) {
    const store = await openPgliteWorkerStore(config.dataDir, logger);
    logger.info({ dataDir: config.dataDir }, 'message store: embedded PGlite (worker thread)');
    return store;
  }
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

@Global()
@Module({
  providers: [
    { provide: MESSAGE_STORE, inject: [APP_CONFIG, APP_LOGGER], useFactory: openMessageStore },
  ],
  exports: [MESSAGE_STORE],
})
export class StorageModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(MESSAGE_STORE) private readonly store: MessageStore,
    private readonly readiness: ReadinessService,
  ) {}

  onModuleInit() {
    this.readiness.register('storage', () => this.store.ping());
  }

  async onApplicationShutdown() {
    await this.store.close();
  }
}
