import { Injectable } from '@nestjs/common';
import type { User } from '@duplex/protocol';
import type { Session } from '../session/session.js';
import type { MemberFeed } from './member-feed.js';
import { RoomMembers, type MemberAdded, type MemberLeave } from './room-members.js';

/** Room membership of this instance's sessions; sessions in grace stay members. */
@Injectable()
export class RoomRegistry {
  private readonly rooms = new Map<string, RoomMembers>();

  /** Adds the session (or starts its re-join): its feed holds messages until the join is sent. */
  add(room: string, session: Session): MemberAdded {
    let members = this.rooms.get(room);
    if (!members) {
      members = new RoomMembers();
      this.rooms.set(room, members);
    }
    const added = members.add(session);
    session.rooms.add(room);
    return added;
  }

  /** Removes the session; with `feed`, only while that is still its feed in the room. */
  remove(room: string, session: Session, feed?: MemberFeed): MemberLeave {
    const members = this.rooms.get(room);
    if (!members) return 'not-member';
    const change = members.remove(session, feed);
    if (change === 'not-member') return change;
    session.rooms.delete(room);
    if (members.isEmpty) this.rooms.delete(room);
    return change;
  }

  isMember(room: string, session: Session): boolean {
    return this.rooms.get(room)?.has(session) ?? false;
  }

  /** Whether any session of this instance is a member of the room. */
  hasMembers(room: string): boolean {
    return this.rooms.has(room);
  }

  /** Every member session of the room. */
  sessionsIn(room: string): Iterable<Session> {
    return this.rooms.get(room)?.sessions() ?? [];
  }

  /** The feed of every member session of the room. */
  feedsIn(room: string): Iterable<MemberFeed> {
    return this.rooms.get(room)?.feeds() ?? [];
  }

  /** The member sessions of one user in the room. */
  sessionsOf(room: string, userId: string): Iterable<Session> {
    return this.rooms.get(room)?.sessionsOf(userId) ?? [];
  }

  /** Every (room, user) this instance holds: what it writes to a shared presence store again. */
  *holds(): Generator<{ room: string; user: User }> {
    for (const [room, members] of this.rooms) {
      for (const session of members.users()) yield { room, user: session.user };
    }
  }
}
