import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import type { ClientEventData } from '@duplex/protocol';
import { Frame, InboundFrame } from '../ws/inbound-frame.js';
import { ProtocolGateway } from '../ws/protocol-gateway.decorator.js';
import { RoomService } from './room.service.js';

@ProtocolGateway()
export class RoomsGateway {
  constructor(private readonly rooms: RoomService) {}

  @SubscribeMessage('room.join')
  join(
    @MessageBody() data: ClientEventData<'room.join'>,
    @Frame() frame: InboundFrame,
  ): Promise<void> {
    return this.rooms.join(frame.session, data.room, data.since, (ack) => frame.ack(ack));
  }

  @SubscribeMessage('room.leave')
  leave(@MessageBody() data: ClientEventData<'room.leave'>, @Frame() frame: InboundFrame): void {
    this.rooms.leave(frame.session, data.room);
  }
}
