import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, PROTOCOL_BOUNDS, type AckData } from '@duplex/protocol';
import { MetricsService } from '../metrics/metrics.service.js';
import { SessionRegistry } from '../session/session-registry.js';
import type { Session } from '../session/session.js';
import { MESSAGE_STORE, type MessageStore } from '../storage/message-store.js';
import { ProtocolError } from '../ws/protocol-error.js';
import { fitJoinAck } from './join-ack.js';
import { PresenceCoalescer } from './presence-coalescer.js';
import { RoomRegistry } from './room-registry.js';
import { RoomSequencer } from './room-sequencer.js';

@Injectable()
export class RoomService {
  constructor(
    private readonly rooms: RoomRegistry,
    private readonly sequencer: RoomSequencer,
    private readonly presence: PresenceCoalescer,
    @Inject(MESSAGE_STORE) private readonly store: MessageStore,
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
      const change = this.rooms.add(room, session);
      const members = this.rooms.recentUsers(room, session.user, PROTOCOL_BOUNDS.membersInJoinAck);
      const online = this.rooms.online(room);
      reply(fitJoinAck({ room, members, online, history, lastSeq, recovered }));
      if (change === 'user-joined') this.presence.joined(room, session.user);
    });
  }

  leave(session: Session, room: string): void {
    const change = this.rooms.remove(room, session);
    if (change === 'not-member') {
      throw new ProtocolError(ErrorCode.NotInRoom, `Not a member of "${room}"`);
    }
    if (change === 'user-left') this.presence.left(room, session.user);
  }

  assertMember(session: Session, room: string): void {
    if (!this.rooms.isMember(room, session)) {
      throw new ProtocolError(ErrorCode.NotInRoom, `Join "${room}" first`);
    }
  }

  private leaveAll(session: Session): void {
    for (const room of [...session.rooms]) {
      if (this.rooms.remove(room, session) === 'user-left') this.presence.left(room, session.user);
    }
  }
}
