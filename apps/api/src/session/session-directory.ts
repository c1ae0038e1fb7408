import type { User } from '@duplex/protocol';
import type { Session } from './session.js';

/** What another instance needs to take a session over. */
export interface SessionRecord {
  sessionId: string;
  user: User;
  rooms: string[];
  /** The instance that held it. */
  instanceId: string;
}

/**
 * Sessions where every instance can find them by resume token, so that a session resumes on
 * any instance. A session is recorded while it lives: for good while connected, for the grace
 * period after its connection closed.
 */
export interface SessionDirectory {
  /** The session has a new token on this instance; resolves once a resume anywhere finds it. */
  attached(session: Session, previousToken: string): Promise<void>;
  /** Its connection closed: the record lasts the grace period. */
  detached(session: Session): void;
  /** Its rooms or its user's name changed. */
  changed(session: Session): void;
  /**
   * Its grace period is over: it is forgotten, unless another instance took it over meanwhile.
   * Resolves to whether it ended here.
   */
  ended(session: Session): Promise<boolean>;
  /** Takes over the session of a token this instance does not hold; null when there is none. */
  claim(token: string): Promise<SessionRecord | null>;
  /** Records this instance's sessions again (its records were lost). */
  rewrite(sessions: Iterable<Session>): Promise<void>;
  /** The user's sessions, on any instance, that are connected and members of `room`. */
  connectedInRoom(userId: string, room: string): Promise<SessionOfUser[]>;
  /** Forgets the sessions of a dead instance: they ended with it. Returns them. */
  reap(instanceId: string): Promise<SessionRef[]>;
  /** Whether a session of another instance lives (connected, or in its grace period). */
  exists(sessionId: string): Promise<boolean>;
  /** The user said `hello` under `user.name`: its latest name, for sessions resumed anywhere. */
  named(user: User): Promise<void>;
  /** The user's latest name, when one is recorded. */
  latestName(userId: string): Promise<string | null>;
}

/** One session of a user, by id. */
export interface SessionRef {
  userId: string;
  sessionId: string;
}

/** One session, with its user as the session knows it (its latest name). */
export interface SessionOfUser {
  sessionId: string;
  user: User;
}

/** One instance: its sessions are all there is, and a token it does not hold is unknown. */
export class LocalSessionDirectory implements SessionDirectory {
  private readonly byUserId = new Map<string, Set<Session>>();

  attached(session: Session): Promise<void> {
    let sessions = this.byUserId.get(session.user.userId);
    if (!sessions) {
      sessions = new Set();
      this.byUserId.set(session.user.userId, sessions);
    }
    sessions.add(session);
    return Promise.resolve();
  }
  detached(): void {}
  changed(): void {}
  ended(session: Session): Promise<boolean> {
    const sessions = this.byUserId.get(session.user.userId);
    sessions?.delete(session);
    if (sessions?.size === 0) this.byUserId.delete(session.user.userId);
    return Promise.resolve(true);
  }
  claim(): Promise<SessionRecord | null> {
    return Promise.resolve(null);
  }
  rewrite(): Promise<void> {
    return Promise.resolve();
  }
  connectedInRoom(userId: string, room: string): Promise<SessionOfUser[]> {
    const sessions = [...(this.byUserId.get(userId) ?? [])].filter(
      (session) => (session.connection?.isOpen ?? false) && session.rooms.has(room),
    );
    return Promise.resolve(
      sessions.map((session) => ({ sessionId: session.id, user: session.user })),
    );
  }
  reap(): Promise<SessionRef[]> {
    return Promise.resolve([]);
  }
  exists(): Promise<boolean> {
    return Promise.resolve(false); // there is no other instance
  }
  // One instance: its sessions take a new name at once, and nothing resumes elsewhere.
  named(): Promise<void> {
    return Promise.resolve();
  }
  latestName(): Promise<string | null> {
    return Promise.resolve(null);
  }
}

export const SESSION_DIRECTORY = Symbol('SESSION_DIRECTORY');
