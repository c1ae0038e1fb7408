import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module.js';
import { APP_LOGGER, type AppLogger } from '../logging/logger.js';
import { REDIS, type RedisConnections } from '../redis/redis-connections.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { SessionModule } from '../session/session.module.js';
import { CALL_STORE, type CallStore } from './call-store.js';
import { CallService } from './call.service.js';
import { CallsGateway } from './calls.gateway.js';
import { LocalCallStore } from './local-call-store.js';
import { RedisCallStore } from './redis-call-store.js';

function callStore(redis: RedisConnections | null, logger: AppLogger): CallStore {
  return redis ? new RedisCallStore(redis, logger) : new LocalCallStore();
}

@Module({
  imports: [SessionModule, RoomsModule, ChatModule],
  providers: [
    CallService,
    CallsGateway,
    { provide: CALL_STORE, inject: [REDIS, APP_LOGGER], useFactory: callStore },
  ],
})
export class CallsModule {}
