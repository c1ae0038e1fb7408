import { randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CloseCode, ErrorCode } from '@duplex/protocol';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import type { Connection } from '../ws/connection.js';
import { ConnectionRegistry } from '../ws/connection-registry.js';
import { ProtocolError } from '../ws/protocol-error.js';
import type { Session } from './session.js';

export type SessionListener = (session: Session) => void;

const NO_SESSIONS: ReadonlySet<Session> = new Set();

/**
 * Sessions of this instance by resume token and by user. A closed connection leaves its
 * session in grace; a resume within the grace period restores it, after it the session ends.
 */
@Injectable()
export class SessionRegistry {
  private readonly byToken = new Map<string, Session>();
  private readonly byUserId = new Map<string, Set<Session>>();
  private readonly endedListeners = new Set<SessionListener>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    connections: ConnectionRegistry,
  ) {
    connections.onClosed((connection) => this.detach(connection));
  }

  /** Starts a new session of `userId` for `connection`; `name` becomes the user's name. */
  start(connection: Connection, userId: string, name: string): Session {
    const user = { userId, name };
    const session: Session = {
      id: randomUUID(),
      user,
      token: '',
      connection: null,
      rooms: new Set(),
      graceTimer: null,
    };
    let sessions = this.byUserId.get(userId);
    if (!sessions) {
      sessions = new Set();
      this.byUserId.set(userId, sessions);
    }
    for (const other of sessions) other.user = user;
    sessions.add(session);
    this.attach(session, connection);
    return session;
  }

  /** Restores the session of `token` onto `connection`, taking it over from a live connection. */
  resume(connection: Connection, token: string): Session {
    const session = this.byToken.get(token);
    if (!session) {
      throw new ProtocolError(
        ErrorCode.ResumeExpired,
        'Session expired; start a new one without resume',
      );
    }
    const previous = session.connection;
    if (previous && previous !== connection) {
      session.connection = null;
      previous.session = null;
      previous.close(CloseCode.SessionTakenOver, 'session taken over');
    }
    this.attach(session, connection);
    return session;
  }

  /** The connection closed: the session enters its grace period. */
  detach(connection: Connection): void {
    const session = connection.session;
    if (!session || session.connection !== connection) return;
    session.connection = null;
    session.graceTimer = setTimeout(() => this.end(session), this.config.resumeGraceMs);
  }

  /** Every session of a user, in grace or connected. */
  sessionsOf(userId: string): ReadonlySet<Session> {
    return this.byUserId.get(userId) ?? NO_SESSIONS;
  }

  onEnded(listener: SessionListener): () => void {
    this.endedListeners.add(listener);
    return () => this.endedListeners.delete(listener);
  }

  /** Users with at least one session. */
  get users(): number {
    return this.byUserId.size;
  }

  private attach(session: Session, connection: Connection): void {
    if (session.graceTimer) clearTimeout(session.graceTimer);
    session.graceTimer = null;
    this.byToken.delete(session.token);
    session.token = randomBytes(24).toString('base64url');
    this.byToken.set(session.token, session);
    session.connection = connection;
    connection.session = session;
  }

  private end(session: Session): void {
    this.byToken.delete(session.token);
    const sessions = this.byUserId.get(session.user.userId);
    sessions?.delete(session);
    if (sessions?.size === 0) this.byUserId.delete(session.user.userId);
    for (const listener of this.endedListeners) listener(session);
  }
}

/** Whether the session's connection is open (not in its grace period). */
export function isConnected(session: Session): boolean {
  return session.connection?.isOpen ?? false;
}
