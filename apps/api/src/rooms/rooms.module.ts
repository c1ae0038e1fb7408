import { Module } from '@nestjs/common';
import { SessionModule } from '../session/session.module.js';
import { PresenceCoalescer } from './presence-coalescer.js';
import { RoomFanout } from './room-fanout.js';
import { RoomRegistry } from './room-registry.js';
import { RoomSequencer } from './room-sequencer.js';
import { RoomService } from './room.service.js';
import { RoomsController } from './rooms.controller.js';
import { RoomsGateway } from './rooms.gateway.js';

@Module({
  imports: [SessionModule],
  controllers: [RoomsController],
  providers: [
    RoomRegistry,
    RoomSequencer,
    RoomService,
    RoomFanout,
    PresenceCoalescer,
    RoomsGateway,
  ],
  exports: [RoomRegistry, RoomSequencer, RoomService, RoomFanout],
})
export class RoomsModule {}
