import { Module } from '@nestjs/common';
import { IceService } from '../ice/ice.service.js';
import { SessionGateway } from './session.gateway.js';
import { SessionRegistry } from './session-registry.js';

@Module({
  providers: [SessionRegistry, SessionGateway, IceService],
  exports: [SessionRegistry, IceService],
})
export class SessionModule {}
