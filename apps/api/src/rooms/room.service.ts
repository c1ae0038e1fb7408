import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, MAX_SERVER_FRAME_BYTES, PROTOCOL_BOUNDS, type AckData } from '@duplex/protocol';
import { MetricsService } from '../metrics/metrics.service.js';
import { SessionRegistry } from '../session/session-registry.js';
import type { Session } from '../session/session.js';
import { MESSAGE_STORE, type MessageStore } from '../storage/message-store.js';
import { ProtocolError } from '../ws/protocol-error.js';
import { fitJoinAck } from './join-ack.js';
import { PresenceCoalescer } from './presence-coalescer.js';
import { RoomRegistry } from './room-registry.js';

@Injectable()
export class RoomService {
  constructor(
    private readonly rooms: RoomRegistry,
    private readonly presence: PresenceCoalescer,
    @Inject(MESSAGE_STORE) private readonly store: MessageStore,
    private readonly metrics: MetricsService,
    sessions: SessionRegistry,
  ) {
    sessions.onEnded((session) => this.leaveAll(session));
  }

  /**
   * Joins (or re-joins, to recover) a room. The session becomes a member first, its feed
   * holding the room's new messages while the history is read (outside the room's write order,
   * so a long read holds up nobody's chat); `reply` sends the ack, then the feed sends what came
   * after its history: nothing falls between them and nothing comes twice.
   */
  async join(
    session: Session,
    room: string,
    since: number | undefined,
    reply: (ack: AckData<'room.join'>) => void,
  ): Promise<void> {
    const { change, feed, join } = this.rooms.add(room, session);
    // Presence follows membership, which starts now (online counts the user from here on).
    if (change === 'user-joined') this.presence.joined(room, session.user);
    let stored;
    try {
      const stopTimer = this.metrics.storeLatency.startTimer({ operation: 'history' });
      stored = await this.store.history(room, since, MAX_SERVER_FRAME_BYTES).finally(stopTimer);
    } catch (error) {
      if (feed.failJoin(join) && this.rooms.remove(room, session, feed) === 'user-left') {
        this.presence.left(room, session.user);
      }
      throw error;
    }
    // The session may have ended while its history was read.
    if (!this.rooms.isMember(room, session)) return;
    const members = this.rooms.recentUsers(room, session.user, PROTOCOL_BOUNDS.membersInJoinAck);
    const online = this.rooms.online(room);
    const ack = fitJoinAck({ room, members, online, ...stored });
    reply(ack);
    feed.goLive(join, ack.lastSeq);
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
