import {
  Global,
  Inject,
  Module,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { APP_LOGGER, type AppLogger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { REDIS, type RedisConnections } from '../redis/redis-connections.js';
import { INSTANCE_LEASE, type InstanceLease } from './instance-lease.js';
import { RedisInstanceLease } from './redis-instance-lease.js';
import { SoloInstance } from './solo-instance.js';

function instanceLease(
  config: AppConfig,
  redis: RedisConnections | null,
  logger: AppLogger,
  metrics: MetricsService,
): InstanceLease {
  return redis
    ? new RedisInstanceLease(redis, config.instanceLeaseMs, config.resumeGraceMs, logger, metrics)
    : new SoloInstance();
}

/** This instance's id and lease among the others (with Redis), or the only instance. */
@Global()
@Module({
  providers: [
    {
      provide: INSTANCE_LEASE,
      inject: [APP_CONFIG, REDIS, APP_LOGGER, MetricsService],
      useFactory: instanceLease,
    },
  ],
  exports: [INSTANCE_LEASE],
})
export class InstancesModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(INSTANCE_LEASE) private readonly lease: InstanceLease) {}

  /** Once every listener is in place: the first clean-up may run at once. */
  async onApplicationBootstrap() {
    if (this.lease instanceof RedisInstanceLease) await this.lease.start();
  }

  async beforeApplicationShutdown() {
    if (this.lease instanceof RedisInstanceLease) await this.lease.stop();
  }
}
