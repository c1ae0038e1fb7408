import { Injectable } from '@nestjs/common';
import type { User } from '@duplex/protocol';
import type { Session } from '../session/session.js';

/** Room membership on this instance. Members in their grace period stay members. */
@Injectable()
export class RoomRegistry {
  private readonly members = new Map<string, Map<string, Session>>();

  /** Adds the member; false when it already was one. */
  add(room: string, session: Session): boolean {
    let roomMembers = this.members.get(room);
    if (!roomMembers) {
      roomMembers = new Map();
      this.members.set(room, roomMembers);
    }
    if (roomMembers.has(session.user.userId)) return false;
    roomMembers.set(session.user.userId, session);
    session.rooms.add(room);
    return true;
  }

  /** Removes the member; false when it was not one. */
  remove(room: string, session: Session): boolean {
    const roomMembers = this.members.get(room);
    if (!roomMembers?.delete(session.user.userId)) return false;
    session.rooms.delete(room);
    if (roomMembers.size === 0) this.members.delete(room);
    return true;
  }

  isMember(room: string, session: Session): boolean {
    return this.members.get(room)?.has(session.user.userId) ?? false;
  }

  users(room: string): User[] {
    return [...this.sessionsIn(room)].map((session) => session.user);
  }

  online(room: string): number {
    return this.members.get(room)?.size ?? 0;
  }

  sessionsIn(room: string): Iterable<Session> {
    return this.members.get(room)?.values() ?? [];
  }

  /** Online count of every room that has members. */
  occupancy(): Map<string, number> {
    return new Map([...this.members].map(([room, roomMembers]) => [room, roomMembers.size]));
  }
}
