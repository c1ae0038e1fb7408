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
  /** Its rooms changed. */
  roomsChanged(session: Session): void;
  /** It ended: forgotten. */
  ended(session: Session): void;
  /** Takes over the session of a token this instance does not hold; null when there is none. */
  claim(token: string): Promise<SessionRecord | null>;
  /** Records this instance's sessions again (its records were lost). */
  rewrite(sessions: Iterable<Session>): Promise<void>;
  /** Forgets the sessions of a dead instance: they ended with it. */
  reap(instanceId: string): Promise<void>;
}

/** One instance: a token it does not hold is unknown. */
export class LocalSessionDirectory implements SessionDirectory {
  attached(): Promise<void> {
    return Promise.resolve();
  }
  detached(): void {}
  roomsChanged(): void {}
  ended(): void {}
  claim(): Promise<SessionRecord | null> {
    return Promise.resolve(null);
  }
  rewrite(): Promise<void> {
    return Promise.resolve();
  }
  reap(): Promise<void> {
    return Promise.resolve();
  }
}

export const SESSION_DIRECTORY = Symbol('SESSION_DIRECTORY');
