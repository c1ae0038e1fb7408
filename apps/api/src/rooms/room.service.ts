import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, type AckData } from '@duplex/protocol';
import { BROKER, type Broker } from '../broker/broker.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { SessionRegistry } from '../session/session-registry.js';
import type { Session } from '../session/session.js';
import { MESSAGE_STORE, type MessageStore } from '../storage/message-store.js';
import { ProtocolError } from '../ws/protocol-error.js';
import { RoomRegistry } from './room-registry.js';
import { RoomSequencer } from './room-sequencer.js';

@Injectable()
export class RoomService {
  constructor(
    private readonly rooms: RoomRegistry,
    private readonly sequencer: RoomSequencer,
    @Inject(MESSAGE_STORE) private readonly store: MessageStore,
    @Inject(BROKER) private readonly broker: Broker,
    private readonly metrics: MetricsService,
    sessions: SessionRegistry,
  ) {
    sessions.onEnded((session) => this.leaveAll(session));
  }

  /**
   * Joins (or re-joins, to recover) a room. `reply` runs inside the room's order, before any
   * message stored after this history, so the joiner sees each message exactly once.
   */
  join(
    session: Session,
    room: string,
    since: number | undefined,
    reply: (ack: AckData<'room.join'>) => void,
  ): Promise<void> {
    return this.sequencer.run(room, async () => {
      const stopTimer = this.metrics.storeLatency.startTimer({ operation: 'history' });
      const { history, lastSeq, recovered } = await this.store
        .history(room, since)
        .finally(stopTimer);
      const joined = this.rooms.add(room, session);
      reply({ room, members: this.rooms.users(room), history, lastSeq, recovered });
      if (joined) {
        this.broker.publish(
          room,
          {
            event: 'presence.joined',
            data: { room, user: session.user, online: this.rooms.online(room) },
          },
          { exceptUserId: session.user.userId },
        );
      }
    });
  }

  leave(session: Session, room: string): void {
    if (!this.rooms.remove(room, session)) {
      throw new ProtocolError(ErrorCode.NotInRoom, `Not a member of "${room}"`);
    }
    this.announceLeft(session, room);
  }

  assertMember(session: Session, room: string): void {
    if (!this.rooms.isMember(room, session)) {
      throw new ProtocolError(ErrorCode.NotInRoom, `Join "${room}" first`);
    }
  }

  private leaveAll(session: Session): void {
    for (const room of [...session.rooms]) {
      if (this.rooms.remove(room, session)) this.announceLeft(session, room);
    }
  }

  private announceLeft(session: Session, room: string): void {
    this.broker.publish(room, {
      event: 'presence.left',
      data: { room, user: session.user, online: this.rooms.online(room) },
    });
  }
}
