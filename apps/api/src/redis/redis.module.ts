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
import { REDIS, RedisConnections } from './redis-connections.js';

async function openRedis(config: AppConfig, logger: AppLogger): Promise<RedisConnections | null> {
  if (!config.redis) return null;
  const redis = await RedisConnections.open(config.redis.url, config.redis.keyPrefix, logger);
  logger.info('between instances: Redis (REDIS_URL)');
  return redis;
}

/** The Redis connections when `REDIS_URL` is set (several instances), else `null`. */
@Global()
@Module({
  providers: [{ provide: REDIS, inject: [APP_CONFIG, APP_LOGGER], useFactory: openRedis }],
  exports: [REDIS],
})
export class RedisModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: RedisConnections | null,
    private readonly readiness: ReadinessService,
  ) {}

  onModuleInit() {
    const redis = this.redis;
    if (redis) this.readiness.register('redis', () => redis.ping());
  }

  async onApplicationShutdown() {
    await this.redis?.close();
  }
}
