import { Injectable } from '@nestjs/common';
import type { ServerEventFrame } from '@duplex/protocol';
import { RoomRegistry } from '../rooms/room-registry.js';
import type { Broker, PublishOptions } from './broker.js';

/** The embedded broker: delivers to members connected to this instance. */
@Injectable()
export class InProcessBroker implements Broker {
  constructor(private readonly rooms: RoomRegistry) {}

  publish(room: string, frame: ServerEventFrame, options: PublishOptions = {}): void {
    const text = JSON.stringify(frame);
    for (const session of this.rooms.sessionsIn(room)) {
      if (session.user.userId === options.exceptUserId) continue;
      // Members in their grace period have no connection: they recover chat with `since`.
      session.connection?.sendSerialized(text, frame.event);
    }
  }
}
