import { Module, type DynamicModule } from '@nestjs/common';
import { BrokerModule } from './broker/broker.module.js';
import { CallsModule } from './calls/calls.module.js';
import { ChatModule } from './chat/chat.module.js';
import type { AppConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { EchoModule } from './echo/echo.module.js';
import { HttpModule } from './http/http.module.js';
import { IdentityModule } from './identity/identity.module.js';
import { InstancesModule } from './instances/instances.module.js';
import { LoggingModule } from './logging/logging.module.js';
import type { AppLogger } from './logging/logger.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PresenceModule } from './presence/presence.module.js';
import { RedisModule } from './redis/redis.module.js';
import { RoomsModule } from './rooms/rooms.module.js';
import { SessionModule } from './session/session.module.js';
import type { MessageStore } from './storage/message-store.js';
import { StorageModule } from './storage/storage.module.js';
import { TickerModule } from './ticker/ticker.module.js';
import { WsModule } from './ws/ws.module.js';

@Module({})
export class AppModule {
  /** `store`: the message store, when its opening was started before (see main.ts). */
  static forRoot(
    config: AppConfig,
    logger: AppLogger,
    store?: Promise<MessageStore>,
  ): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(logger),
        MetricsModule,
        HttpModule,
        WsModule,
        StorageModule.forRoot(store),
        RedisModule,
        InstancesModule,
        BrokerModule,
        PresenceModule,
        IdentityModule,
        SessionModule,
        RoomsModule,
        ChatModule,
        CallsModule,
        EchoModule,
        TickerModule,
      ],
    };
  }
}
