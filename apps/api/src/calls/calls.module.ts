import { Module } from '@nestjs/common';
import { ChatModule } from '../chat/chat.module.js';
import { RoomsModule } from '../rooms/rooms.module.js';
import { SessionModule } from '../session/session.module.js';
import { CallRegistry } from './call-registry.js';
import { CallService } from './call.service.js';
import { CallsGateway } from './calls.gateway.js';

@Module({
  imports: [SessionModule, RoomsModule, ChatModule],
  providers: [CallRegistry, CallService, CallsGateway],
})
export class CallsModule {}
