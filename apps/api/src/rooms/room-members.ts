import type { Session } from '../session/session.js';
import { MemberFeed, type FeedJoin } from './member-feed.js';

/** What adding a session to a room changed on this instance. */
export type MemberJoin = 'user-joined' | 'session-joined' | 'already-member';
export interface MemberAdded {
  change: MemberJoin;
  /** The session's feed of the room, holding messages until the join's history is sent. */
  feed: MemberFeed;
  /** This join of the feed. */
  join: FeedJoin;
}
/** What removing a session from a room changed on this instance. */
export type MemberLeave = 'user-left' | 'session-left' | 'not-member';

/**
 * The member sessions of one room on this instance, by user. Whether a user is in the room at
 * all, counting other instances, is the presence store's to say.
 */
export class RoomMembers {
  private readonly sessionsByUser = new Map<string, Map<Session, MemberFeed>>();
  /** Every feed of {@link sessionsByUser} in one flat set: a broadcast walks it per recipient. */
  private readonly allFeeds = new Set<MemberFeed>();

  /** Adds the session (or starts its re-join). */
  add(session: Session): MemberAdded {
    const userId = session.user.userId;
    const feeds = this.sessionsByUser.get(userId);
    const existing = feeds?.get(session);
    if (existing) {
      return { change: 'already-member', feed: existing, join: existing.startJoining() };
    }
    const feed = new MemberFeed(session);
    const join = feed.startJoining();
    this.allFeeds.add(feed);
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
    const current = feeds?.get(session);
    if (current === undefined || (feed !== undefined && current !== feed)) return 'not-member';
    feeds!.delete(session);
    this.allFeeds.delete(current);
    if (feeds!.size > 0) return 'session-left';
    this.sessionsByUser.delete(userId);
    return 'user-left';
  }

  has(session: Session): boolean {
    return this.sessionsByUser.get(session.user.userId)?.has(session) ?? false;
  }

  get isEmpty(): boolean {
    return this.sessionsByUser.size === 0;
  }

  /** The member sessions of a user (none when it is not a member). */
  sessionsOf(userId: string): Iterable<Session> {
    return this.sessionsByUser.get(userId)?.keys() ?? [];
  }

  /** Every user with a member session here, with one of its sessions (for its name). */
  *users(): Generator<Session> {
    for (const feeds of this.sessionsByUser.values()) {
      for (const session of feeds.keys()) {
        yield session;
        break;
      }
    }
  }

  *sessions(): Generator<Session> {
    for (const feeds of this.sessionsByUser.values()) yield* feeds.keys();
  }

  feeds(): Iterable<MemberFeed> {
    return this.allFeeds;
  }
}
