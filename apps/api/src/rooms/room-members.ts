import type { User } from '@duplex/protocol';
import type { Session } from '../session/session.js';
import { MemberFeed, type FeedJoin } from './member-feed.js';

/** What adding a session to a room changed. */
export type MemberJoin = 'user-joined' | 'session-joined' | 'already-member';
export interface MemberAdded {
  change: MemberJoin;
  /** The session's feed of the room, holding messages until the join's history is sent. */
  feed: MemberFeed;
  /** This join of the feed. */
  join: FeedJoin;
}
/** What removing a session from a room changed. */
export type MemberLeave = 'user-left' | 'session-left' | 'not-member';

/**
 * The members of one room: users, each with the sessions through which it is a member. Users are
 * kept in order of activity (joined or sent last), so the most recently active come first in a
 * join ack.
 */
export class RoomMembers {
  private readonly sessionsByUser = new Map<string, Map<Session, MemberFeed>>();

  add(session: Session): MemberAdded {
    const userId = session.user.userId;
    const feeds = this.sessionsByUser.get(userId);
    const existing = feeds?.get(session);
    if (existing) {
      return { change: 'already-member', feed: existing, join: existing.startJoining() };
    }
    const feed = new MemberFeed(session);
    const join = feed.startJoining();
    if (feeds) {
      feeds.set(session, feed);
      return { change: 'session-joined', feed, join };
    }
    this.sessionsByUser.set(userId, new Map([[session, feed]]));
    return { change: 'user-joined', feed, join };
  }

  /** Removes the session; with `feed`, only while that is still its feed (not a later join's). */
  remove(session: Session, feed?: MemberFeed): MemberLeave {
    const userId = session.user.userId;
    const feeds = this.sessionsByUser.get(userId);
    if (feed !== undefined && feeds?.get(session) !== feed) return 'not-member';
    if (!feeds?.delete(session)) return 'not-member';
    if (feeds.size > 0) return 'session-left';
    this.sessionsByUser.delete(userId);
    return 'user-left';
  }

  has(session: Session): boolean {
    return this.sessionsByUser.get(session.user.userId)?.has(session) ?? false;
  }

  /** Marks the user as the most recently active member. */
  touch(userId: string): void {
    const feeds = this.sessionsByUser.get(userId);
    if (!feeds) return;
    this.sessionsByUser.delete(userId);
    this.sessionsByUser.set(userId, feeds);
  }

  /** Number of users who are members. */
  get online(): number {
    return this.sessionsByUser.size;
  }

  get isEmpty(): boolean {
    return this.sessionsByUser.size === 0;
  }

  /** The member sessions of a user (none when it is not a member). */
  sessionsOf(userId: string): Iterable<Session> {
    return this.sessionsByUser.get(userId)?.keys() ?? [];
  }

  *sessions(): Generator<Session> {
    for (const feeds of this.sessionsByUser.values()) yield* feeds.keys();
  }

  *feeds(): Generator<MemberFeed> {
    for (const feeds of this.sessionsByUser.values()) yield* feeds.values();
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
    const feeds = this.sessionsByUser.get(userId);
    if (!feeds) return undefined;
    for (const session of feeds.keys()) return session.user;
    return undefined;
  }
}
