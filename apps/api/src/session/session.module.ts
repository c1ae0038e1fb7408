import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { IceService } from '../ice/ice.service.js';
import { INSTANCE_LEASE, type InstanceLease } from '../instances/instance-lease.js';
import { APP_LOGGER, type AppLogger } from '../logging/logger.js';
import { REDIS, type RedisConnections } from '../redis/redis-connections.js';
import { RedisSessionDirectory } from './redis-session-directory.js';
import {
  LocalSessionDirectory,
  SESSION_DIRECTORY,
  type SessionDirectory,
} from './session-directory.js';
import { SessionGateway } from './session.gateway.js';
import { SessionRegistry } from './session-registry.js';

function sessionDirectory(
  config: AppConfig,
  redis: RedisConnections | null,
  lease: InstanceLease,
  logger: AppLogger,
): SessionDirectory {
  return redis
    ? new RedisSessionDirectory(redis, lease.instanceId, config.resumeGraceMs, logger)
    : new LocalSessionDirectory();
}

@Module({
  providers: [
    SessionRegistry,
    SessionGateway,
    IceService,
    {
      provide: SESSION_DIRECTORY,
      inject: [APP_CONFIG, REDIS, INSTANCE_LEASE, APP_LOGGER],
      useFactory: sessionDirectory,
    },
  ],
  exports: [SessionRegistry, IceService],
})
export class SessionModule {}
