import {
  Global,
  Inject,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { ReadinessService } from '../http/readiness.service.js';
import { MESSAGE_STORE, type MessageStore } from './message-store.js';
import { openPgliteClient } from './pglite-client.js';
import { migrate } from './schema.js';
import { SqlMessageStore } from './sql-message-store.js';

async function openMessageStore(config: AppConfig): Promise<MessageStore> {
  const client = await openPgliteClient(config.dataDir);
  await migrate(client);
  return new SqlMessageStore(client);
}

@Global()
@Module({
  providers: [{ provide: MESSAGE_STORE, inject: [APP_CONFIG], useFactory: openMessageStore }],
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
