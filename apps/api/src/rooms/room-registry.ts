import { Injectable } from '@nestjs/common';
import type { MembersPage, User } from '@duplex/protocol';
import type { Session } from '../session/session.js';
import type { MemberFeed } from './member-feed.js';
import { RoomMembers, type MemberAdded, type MemberLeave } from './room-members.js';

/** Room membership on this instance, per session; counts are of users. Sessions in grace stay members. */
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
    if (added.change !== 'already-member') members.touch(session.user.userId);
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

  /** Records activity of the user in the room (for the member list of join acks). */
  touch(room: string, userId: string): void {
    this.rooms.get(room)?.touch(userId);
  }

  /** Number of users who are members of the room. */
  online(room: string): number {
    return this.rooms.get(room)?.online ?? 0;
  }

  /** `first`, then the most recently active members, `limit` users at most. */
  recentUsers(room: string, first: User, limit: number): User[] {
    return this.rooms.get(room)?.recentUsers(first, limit) ?? [first];
  }

  membersPage(room: string, after: string | undefined, limit: number): MembersPage {
    const members = this.rooms.get(room);
    return { online: members?.online ?? 0, members: members?.page(after, limit) ?? [] };
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

  /** Online count of every room that has members. */
  occupancy(): Map<string, number> {
    return new Map([...this.rooms].map(([room, members]) => [room, members.online]));
  }
}
