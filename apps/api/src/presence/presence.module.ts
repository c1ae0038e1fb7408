import { Global, Module } from '@nestjs/common';
import { BROKER, type Broker } from '../broker/broker.js';
import { INSTANCE_LEASE, type InstanceLease } from '../instances/instance-lease.js';
import { APP_LOGGER, type AppLogger } from '../logging/logger.js';
import { REDIS, type RedisConnections } from '../redis/redis-connections.js';
import { LocalPresence } from './local-presence.js';
import { PRESENCE_STORE, type PresenceStore } from './presence-store.js';
import { RedisPresence } from './redis-presence.js';

function presenceStore(
  redis: RedisConnections | null,
  lease: InstanceLease,
  broker: Broker,
  logger: AppLogger,
): PresenceStore {
  return redis ? new RedisPresence(redis, lease.instanceId, broker, logger) : new LocalPresence();
}

/** Who is in which room: in Redis across instances, else in memory. */
@Global()
@Module({
  providers: [
    {
      provide: PRESENCE_STORE,
      inject: [REDIS, INSTANCE_LEASE, BROKER, APP_LOGGER],
      useFactory: presenceStore,
    },
  ],
  exports: [PRESENCE_STORE],
})
export class PresenceModule {}
