import { Injectable } from '@nestjs/common';
import type { ServerEventFrame } from '@duplex/protocol';
import { MetricsService } from '../metrics/metrics.service.js';
import { RoomRegistry } from '../rooms/room-registry.js';
import type { Broker, PublishOptions } from './broker.js';

/** The embedded broker: delivers to members connected to this instance. */
@Injectable()
export class InProcessBroker implements Broker {
  constructor(
    private readonly rooms: RoomRegistry,
    private readonly metrics: MetricsService,
  ) {}

  publish(room: string, frame: ServerEventFrame, options: PublishOptions = {}): void {
    const payload = Buffer.from(JSON.stringify(frame));
    const seq = frame.event === 'chat.message' ? frame.data.seq : undefined;
    let sent = 0;
    // Members in their grace period have no connection: they recover chat with `since`.
    for (const feed of this.rooms.feedsIn(room)) {
      if (feed.session.user.userId === options.exceptUserId) continue;
      const written = seq === undefined ? feed.deliver(payload) : feed.deliverMessage(seq, payload);
      if (written) sent++;
    }
    if (sent > 0) this.metrics.framesOut.inc({ event: frame.event }, sent);
  }
}
