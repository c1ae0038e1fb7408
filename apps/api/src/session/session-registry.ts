import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { CloseCode, ErrorCode, type ServerFrame, type User } from '@duplex/protocol';
import { BROKER, type Broker } from '../broker/broker.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { INSTANCE_LEASE, type InstanceLease } from '../instances/instance-lease.js';
import type { Connection } from '../ws/connection.js';
import { ConnectionRegistry } from '../ws/connection-registry.js';
import { ProtocolError } from '../ws/protocol-error.js';
import { APP_LOGGER, type AppLogger } from '../logging/logger.js';
import {
  SESSION_DIRECTORY,
  type SessionDirectory,
  type SessionOfUser,
  type SessionRef,
} from './session-directory.js';
import { ResumeTokens } from './resume-tokens.js';
import type { Session } from './session.js';

export type SessionListener = (session: Session) => void;
/** A session of another instance ended (its instance died). */
export type EndedElsewhereListener = (session: SessionRef) => void;
/** Runs before the resume's ack; the session's old instance is told to let go once it resolves. */
export type AdoptedListener = (session: Session) => Promise<void>;
/** Sessions of this instance that took their user's new name. */
export type RenamedListener = (user: User, sessions: readonly Session[]) => void;

const NO_SESSIONS: ReadonlySet<Session> = new Set();

/**
 * Sessions of this instance by id, resume token and user. A closed connection leaves its
 * session in grace; a resume within the grace period restores it, after it the session ends.
 * With several instances, a token this instance does not hold is looked up in the session
 * directory: the session moves here and the instance that held it lets go of it.
 */
@Injectable()
export class SessionRegistry {
  private readonly byId = new Map<string, Session>();
  private readonly byToken = new Map<string, Session>();
  private readonly byUserId = new Map<string, Set<Session>>();
  private readonly tokens = new ResumeTokens();
  private readonly endedListeners = new Set<SessionListener>();
  private readonly releasedListeners = new Set<SessionListener>();
  private readonly adoptedListeners = new Set<AdoptedListener>();
  private readonly endedElsewhereListeners = new Set<EndedElsewhereListener>();
  private readonly renamedListeners = new Set<RenamedListener>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    @Inject(SESSION_DIRECTORY) private readonly directory: SessionDirectory,
    @Inject(BROKER) private readonly broker: Broker,
    @Inject(INSTANCE_LEASE) private readonly lease: InstanceLease,
    connections: ConnectionRegistry,
  ) {
    connections.onClosed((connection) => this.detach(connection));
    broker.onInstanceMessage((message) => {
      switch (message.kind) {
        case 'release-session':
          this.release(message.sessionId);
          return;
        case 'session-frame':
          this.byId.get(message.sessionId)?.connection?.send(message.frame);
          return;
        case 'renamed':
          this.rename(message.user);
          return;
      }
    });
    lease.onLeaseLost(() => this.directory.rewrite(this.byId.values()));
    lease.onDeadInstance(async (instanceId) => {
      for (const session of await this.directory.reap(instanceId)) {
        for (const listener of this.endedElsewhereListeners) listener(session);
      }
    });
  }

  /**
   * A frame for one session, wherever it is connected; dropped when it is in its grace period
   * (its client re-syncs on resume).
   */
  deliver(to: SessionRef, frame: ServerFrame): void {
    const session = this.byId.get(to.sessionId);
    if (session) session.connection?.send(frame);
    else
      this.broker.sendToUser(to.userId, { kind: 'session-frame', sessionId: to.sessionId, frame });
  }

  /** The user's sessions, on any instance, that are connected and members of `room`. */
  connectedInRoom(userId: string, room: string): Promise<SessionOfUser[]> {
    return this.directory.connectedInRoom(userId, room);
  }

  /**
   * Starts a new session of `userId` for `connection`; `name` becomes the user's name, here and
   * on every instance with a session of the user.
   */
  async start(connection: Connection, userId: string, name: string): Promise<Session> {
    const user = { userId, name };
    this.rename(user);
    const session = this.add(randomUUID(), user, []);
    await Promise.all([this.attach(session, connection), this.directory.named(user)]);
    // Other instances cannot be asked whether the name is new there: they compare. One that
    // misses this (resuming a session just now, or reconnecting to Redis) reads the latest
    // name when a session of the user resumes on it.
    this.broker.sendToUser(userId, { kind: 'renamed', user });
    return session;
  }

  /** Restores the session of `token` onto `connection`, taking it over from a live connection. */
  async resume(connection: Connection, token: string): Promise<Session> {
    const local = this.byToken.get(token);
    if (local) {
      const previous = local.connection;
      if (previous && previous !== connection) {
        local.connection = null;
        previous.session = null;
        previous.close(CloseCode.SessionTakenOver, 'session taken over');
      }
      await this.attach(local, connection);
      return local;
    }
    const record = await this.directory.claim(token);
    if (!record) {
      throw new ProtocolError(
        ErrorCode.ResumeExpired,
        'Session expired; start a new one without resume',
      );
    }
    // The record's name may be older than the user's: its instance may have missed a rename.
    const latestName = await this.directory.latestName(record.user.userId);
    const user = latestName === null ? record.user : { ...record.user, name: latestName };
    if (latestName !== null) this.rename(user);
    const session = this.add(record.sessionId, user, record.rooms);
    await this.attach(session, connection);
    for (const listener of this.adoptedListeners) await listener(session);
    if (record.instanceId !== this.lease.instanceId) {
      this.broker.sendToInstance(record.instanceId, {
        kind: 'release-session',
        sessionId: session.id,
      });
    }
    return session;
  }

  /** The connection closed: the session enters its grace period. */
  detach(connection: Connection): void {
    const session = connection.session;
    if (!session || session.connection !== connection) return;
    session.connection = null;
    session.graceTimer = setTimeout(() => this.end(session), this.config.resumeGraceMs);
    this.directory.detached(session);
  }

  /** The session's rooms changed (for an instance that takes it over). */
  roomsChanged(session: Session): void {
    if (this.byId.get(session.id) === session) this.directory.changed(session);
  }

  /** Whether the session lives, here or on another instance (connected, or in its grace period). */
  async exists(sessionId: string): Promise<boolean> {
    return this.byId.has(sessionId) || (await this.directory.exists(sessionId));
  }

  /** Every session of a user, in grace or connected. */
  sessionsOf(userId: string): ReadonlySet<Session> {
    return this.byUserId.get(userId) ?? NO_SESSIONS;
  }

  onEnded(listener: SessionListener): () => void {
    this.endedListeners.add(listener);
    return () => this.endedListeners.delete(listener);
  }

  /** The session moved to another instance: what this one held of it goes, quietly. */
  onReleased(listener: SessionListener): void {
    this.releasedListeners.add(listener);
  }

  /** A session of a dead instance ended with it. */
  onEndedElsewhere(listener: EndedElsewhereListener): void {
    this.endedElsewhereListeners.add(listener);
  }

  /** A session moved here from another instance, with its rooms. */
  onAdopted(listener: AdoptedListener): void {
    this.adoptedListeners.add(listener);
  }

  /** Sessions here took their user's new name. */
  onRenamed(listener: RenamedListener): void {
    this.renamedListeners.add(listener);
  }

  /** Users with at least one session. */
  get users(): number {
    return this.byUserId.size;
  }

  /** The user's sessions here whose name is not `user.name` take it. */
  private rename(user: User): void {
    const renamed = [...this.sessionsOf(user.userId)].filter(
      (session) => session.user.name !== user.name,
    );
    if (renamed.length === 0) return;
    for (const session of renamed) {
      session.user = user;
      this.directory.changed(session);
    }
    for (const listener of this.renamedListeners) listener(user, renamed);
  }

  private add(id: string, user: User, rooms: string[]): Session {
    const session: Session = {
      id,
      user,
      token: '',
      connection: null,
      rooms: new Set(rooms),
      graceTimer: null,
    };
    this.byId.set(id, session);
    let sessions = this.byUserId.get(user.userId);
    if (!sessions) {
      sessions = new Set();
      this.byUserId.set(user.userId, sessions);
      this.broker
        .followUser(user.userId)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'user channel not followed'));
    }
    sessions.add(session);
    return session;
  }

  private async attach(session: Session, connection: Connection): Promise<void> {
    if (session.graceTimer) clearTimeout(session.graceTimer);
    session.graceTimer = null;
    const previousToken = session.token;
    this.byToken.delete(previousToken);
    session.token = this.tokens.next();
    this.byToken.set(session.token, session);
    session.connection = connection;
    connection.session = session;
    await this.directory.attached(session, previousToken);
  }

  private forget(session: Session): void {
    if (session.graceTimer) clearTimeout(session.graceTimer);
    session.graceTimer = null;
    this.byId.delete(session.id);
    this.byToken.delete(session.token);
    const sessions = this.byUserId.get(session.user.userId);
    sessions?.delete(session);
    if (sessions?.size === 0) {
      this.byUserId.delete(session.user.userId);
      this.broker.unfollowUser(session.user.userId);
    }
  }

  /** The grace period is over: the session ends, unless another instance resumed it meanwhile. */
  private end(session: Session): void {
    this.forget(session);
    this.directory.ended(session).then(
      (endedHere) => {
        // Resumed elsewhere just now: what this instance held of it goes quietly.
        const listeners = endedHere ? this.endedListeners : this.releasedListeners;
        for (const listener of listeners) listener(session);
      },
      (error: unknown) => {
        this.logger.warn({ err: error }, 'session end not recorded; ending it here');
        for (const listener of this.endedListeners) listener(session);
      },
    );
  }

  /** Resumed on another instance: the old connection is taken over (4003) and the session goes. */
  private release(sessionId: string): void {
    const session = this.byId.get(sessionId);
    if (!session) return;
    this.forget(session);
    const connection = session.connection;
    session.connection = null;
    if (connection) {
      connection.session = null;
      connection.close(CloseCode.SessionTakenOver, 'session taken over');
    }
    for (const listener of this.releasedListeners) listener(session);
  }
}

/** Whether the session's connection is open (not in its grace period). */
export function isConnected(session: Session): boolean {
  return session.connection?.isOpen ?? false;
}
