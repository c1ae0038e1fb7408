import {
  Global,
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { ReadinessService } from '../http/readiness.service.js';
import { APP_LOGGER, type AppLogger } from '../logging/logger.js';
import { MESSAGE_STORE, type MessageStore } from './message-store.js';
import { openMessageStore } from './open-message-store.js';

@Global()
@Module({})
export class StorageModule implements OnModuleInit, OnApplicationShutdown {
  /**
   * The message store: `opening` when the caller already started opening it (see main.ts),
   * else opened here from the config.
   */
  static forRoot(opening?: Promise<MessageStore>): DynamicModule {
    return {
      module: StorageModule,
      providers: [
        {
          provide: MESSAGE_STORE,
          inject: [APP_CONFIG, APP_LOGGER],
          useFactory: (config: AppConfig, logger: AppLogger) =>
            opening ?? openMessageStore(config, logger),
        },
      ],
      exports: [MESSAGE_STORE],
    };
  }

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
