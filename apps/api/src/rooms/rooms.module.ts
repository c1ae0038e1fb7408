import { Module } from '@nestjs/common';
import { BROKER } from '../broker/broker.js';
import { InProcessBroker } from '../broker/in-process-broker.js';
import { SessionModule } from '../session/session.module.js';
import { PresenceCoalescer } from './presence-coalescer.js';
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
    PresenceCoalescer,
    RoomsGateway,
    { provide: BROKER, useClass: InProcessBroker },
  ],
  exports: [RoomRegistry, RoomSequencer, RoomService, BROKER],
})
export class RoomsModule {}
