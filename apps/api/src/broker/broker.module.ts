import { Global, Module } from '@nestjs/common';
import { APP_LOGGER, type AppLogger } from '../logging/logger.js';
import { INSTANCE_LEASE, type InstanceLease } from '../instances/instance-lease.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { REDIS, type RedisConnections } from '../redis/redis-connections.js';
import { BROKER, type Broker } from './broker.js';
import { InProcessBroker } from './in-process-broker.js';
import { RedisBroker } from './redis-broker.js';

async function openBroker(
  redis: RedisConnections | null,
  lease: InstanceLease,
  logger: AppLogger,
  metrics: MetricsService,
): Promise<Broker> {
  if (!redis) return new InProcessBroker();
  const broker = new RedisBroker(redis, lease.instanceId, logger, metrics);
  await broker.start();
  return broker;
}

/** Redis pub/sub between instances when `REDIS_URL` is set; else nothing to carry. */
@Global()
@Module({
  providers: [
    {
      provide: BROKER,
      inject: [REDIS, INSTANCE_LEASE, APP_LOGGER, MetricsService],
      useFactory: openBroker,
    },
  ],
  exports: [BROKER],
})
export class BrokerModule {}
