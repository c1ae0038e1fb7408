import type { User } from '@duplex/protocol';
import type { Session } from '../session/session.js';

/** What adding a session to a room changed. */
export type MemberJoin = 'user-joined' | 'session-joined' | 'already-member';
/** What removing a session from a room changed. */
export type MemberLeave = 'user-left' | 'session-left' | 'not-member';

/**
 * The members of one room: users, each with the sessions through which it is a member. Users are
 * kept in order of activity (joined or sent last), so the most recently active come first in a
 * join ack.
 */
export class RoomMembers {
  private readonly sessionsByUser = new Map<string, Set<Session>>();

  add(session: Session): MemberJoin {
    const userId = session.user.userId;
    const sessions = this.sessionsByUser.get(userId);
    if (sessions?.has(session)) return 'already-member';
    if (sessions) {
      sessions.add(session);
      return 'session-joined';
    }
    this.sessionsByUser.set(userId, new Set([session]));
    return 'user-joined';
  }

  remove(session: Session): MemberLeave {
    const userId = session.user.userId;
    const sessions = this.sessionsByUser.get(userId);
    if (!sessions?.delete(session)) return 'not-member';
    if (sessions.size > 0) return 'session-left';
    this.sessionsByUser.delete(userId);
    return 'user-left';
  }

  has(session: Session): boolean {
    return this.sessionsByUser.get(session.user.userId)?.has(session) ?? false;
  }

  /** Marks the user as the most recently active member. */
  touch(userId: string): void {
    const sessions = this.sessionsByUser.get(userId);
    if (!sessions) return;
    this.sessionsByUser.delete(userId);
    this.sessionsByUser.set(userId, sessions);
  }

  /** Number of users who are members. */
  get online(): number {
    return this.sessionsByUser.size;
  }

  get isEmpty(): boolean {
    return this.sessionsByUser.size === 0;
  }

  /** The member sessions of a user (none when it is not a member). */
  sessionsOf(userId: string): ReadonlySet<Session> | undefined {
    return this.sessionsByUser.get(userId);
  }

  *sessions(): Generator<Session> {
    for (const sessions of this.sessionsByUser.values()) yield* sessions;
  }

  /** `first`, then up to `limit - 1` other members, most recently active first. */
  recentUsers(first: User, limit: number): User[] {
    const users = [first];
    const userIds = [...this.sessionsByUser.keys()];
    for (let i = userIds.length - 1; i >= 0 && users.length < limit; i--) {
      const userId = userIds[i]!;
      if (userId !== first.userId) users.push(this.userOf(userId)!);
    }
    return users;
  }

  /** Up to `limit` members with `userId > after`, ordered by `userId`. */
  page(after: string | undefined, limit: number): User[] {
    return [...this.sessionsByUser.keys()]
      .filter((userId) => after === undefined || userId > after)
      .sort()
      .slice(0, limit)
      .map((userId) => this.userOf(userId)!);
  }

  private userOf(userId: string): User | undefined {
    const sessions = this.sessionsByUser.get(userId);
    if (!sessions) return undefined;
    for (const session of sessions) return session.user;
    return undefined;
  }
}
