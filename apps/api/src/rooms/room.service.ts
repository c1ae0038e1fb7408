import { Inject, Injectable } from '@nestjs/common';
import {
  ErrorCode,
  MAX_SERVER_FRAME_BYTES,
  PROTOCOL_BOUNDS,
  type AckData,
  type User,
} from '@duplex/protocol';
import { INSTANCE_LEASE, type InstanceLease } from '../instances/instance-lease.js';
import { APP_LOGGER, type AppLogger } from '../logging/logger.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { PRESENCE_STORE, type PresenceStore } from '../presence/presence-store.js';
import { SessionRegistry } from '../session/session-registry.js';
import type { Session } from '../session/session.js';
import { MESSAGE_STORE, type MessageStore } from '../storage/message-store.js';
import { ProtocolError } from '../ws/protocol-error.js';
import { fitJoinAck } from './join-ack.js';
import { JoinHistoryReads } from './join-history-reads.js';
import { RoomFanout } from './room-fanout.js';
import type { MemberAdded } from './room-members.js';
import { RoomRegistry } from './room-registry.js';

/**
 * Joins and leaves. Membership is per session on this instance ({@link RoomRegistry}); a user's
 * first session here holds the user in the room's presence, which counts users across
 * instances and announces who came and went.
 */
@Injectable()
export class RoomService {
  private readonly histories: JoinHistoryReads;

  constructor(
    private readonly rooms: RoomRegistry,
    private readonly fanout: RoomFanout,
    @Inject(PRESENCE_STORE) private readonly presence: PresenceStore,
    @Inject(MESSAGE_STORE) private readonly store: MessageStore,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    private readonly metrics: MetricsService,
    private readonly sessions: SessionRegistry,
    @Inject(INSTANCE_LEASE) lease: InstanceLease,
  ) {
    sessions.onEnded((session) => this.leaveAll(session));
    sessions.onReleased((session) => this.leaveAll(session));
    sessions.onAdopted((session) => this.restore(session));
    sessions.onRenamed((user, renamed) => this.holdUnderNewName(user, renamed));
    lease.onLeaseLost(() => this.holdAgain());
    lease.onDeadInstance((instanceId) => this.presence.reap(instanceId));
    this.histories = new JoinHistoryReads((room, since) => {
      const stopTimer = this.metrics.storeLatency.startTimer({ operation: 'history' });
      return this.store.history(room, since, MAX_SERVER_FRAME_BYTES).finally(stopTimer);
    });
  }

  /**
   * Joins (or re-joins, to recover) a room. The session becomes a member first and the room's
   * frames start reaching this instance, its feed holding new messages while the history is
   * read (outside the room's write order, so a long read holds up nobody's chat; joins at once
   * share reads, see {@link JoinHistoryReads}); `reply` sends the ack, then the feed sends what
   * came after its history: nothing falls between them and nothing comes twice.
   */
  async join(
    session: Session,
    room: string,
    since: number | undefined,
    reply: (ack: AckData<'room.join'>) => void,
  ): Promise<void> {
    const { change, feed, join } = this.rooms.add(room, session);
    const { user } = session;
    // Also for a user already held: the hold records its activity and its latest name.
    void this.hold(room, user);
    if (change !== 'already-member') this.sessions.roomsChanged(session);
    let stored;
    try {
      const following = this.fanout.follow(room);
      if (following) await following;
      stored = await this.histories.read(room, since);
    } catch (error) {
      if (feed.failJoin(join)) this.remove(room, session, feed);
      throw error;
    }
    const [members, online] = await Promise.all([
      this.presence.recentUsers(room, user, PROTOCOL_BOUNDS.membersInJoinAck),
      this.presence.online(room),
    ]);
    // The session may have ended or left while its history was read.
    if (!this.rooms.isMember(room, session)) return;
    const ack = fitJoinAck({ room, members, online, ...stored });
    reply(ack);
    feed.goLive(join, ack.lastSeq);
    this.fanout.caughtUp(room, ack.lastSeq);
  }

  leave(session: Session, room: string): void {
    if (!this.remove(room, session)) {
      throw new ProtocolError(ErrorCode.NotInRoom, `Not a member of "${room}"`);
    }
  }

  assertMember(session: Session, room: string): void {
    if (!this.rooms.isMember(room, session)) {
      throw new ProtocolError(ErrorCode.NotInRoom, `Join "${room}" first`);
    }
  }

  /** False when the session was not a member (with `feed`: not through that feed). */
  private remove(room: string, session: Session, feed?: Parameters<RoomRegistry['remove']>[2]) {
    const change = this.rooms.remove(room, session, feed);
    if (change === 'not-member') return false;
    if (change === 'user-left') this.release(room, session.user);
    if (!this.rooms.hasMembers(room)) this.fanout.unfollow(room);
    this.sessions.roomsChanged(session);
    return true;
  }

  private leaveAll(session: Session): void {
    for (const room of [...session.rooms]) this.remove(room, session);
  }

  /**
   * A session resumed here from another instance: it is a member of its rooms again. Resolves
   * once this instance holds it in every room, so the old instance's release cannot make the
   * user leave; from the rooms' newest messages on, it is sent what comes (what it missed is
   * recovered by re-joining with `since`, as after any resume).
   */
  private async restore(session: Session): Promise<void> {
    const rooms = [...session.rooms];
    const joins = rooms.map((room) => ({ room, ...this.rooms.add(room, session) }));
    await Promise.all(rooms.map((room) => this.hold(room, session.user)));
    void this.sendFromNewest(session, joins);
  }

  private async sendFromNewest(session: Session, joins: ({ room: string } & MemberAdded)[]) {
    let lastSeqs = new Map<string, number>();
    try {
      await Promise.all(joins.map(({ room }) => this.fanout.follow(room)));
      lastSeqs = await this.store.lastSeqs(joins.map(({ room }) => room));
      for (const { room } of joins) this.fanout.caughtUp(room, lastSeqs.get(room) ?? 0);
    } catch (error) {
      // The feeds go live all the same; a re-join brings the room's stream up to date.
      this.logger.warn({ err: error }, 'resumed memberships: newest messages not read');
    }
    for (const { room, feed, join } of joins) {
      if (this.rooms.isMember(room, session)) feed.goLive(join, lastSeqs.get(room) ?? 0);
    }
  }

  /** The presence store announces the new name in every room where the user is a member. */
  private holdUnderNewName(user: User, renamed: readonly Session[]): void {
    const rooms = new Set(renamed.flatMap((session) => [...session.rooms]));
    for (const room of rooms) void this.hold(room, user);
  }

  /** The users this instance holds are written again (Redis lost them). */
  private async holdAgain(): Promise<void> {
    await Promise.all([...this.rooms.holds()].map(({ room, user }) => this.hold(room, user)));
  }

  /** Who joined is announced by the presence store, to every instance following the room. */
  private hold(room: string, user: User): Promise<void> {
    return this.presence
      .hold(room, user)
      .catch((error: unknown) => this.logger.error({ err: error, room }, 'presence not recorded'));
  }

  private release(room: string, user: User): void {
    this.presence
      .release(room, user)
      .catch((error: unknown) => this.logger.error({ err: error, room }, 'presence not recorded'));
  }
}
