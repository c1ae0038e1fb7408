import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ErrorCode, type CallRecord, type ClientEventData } from '@duplex/protocol';
import { ChatService } from '../chat/chat.service.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { APP_LOGGER, type AppLogger } from '../logging/logger.js';
import { RoomRegistry } from '../rooms/room-registry.js';
import { SessionRegistry } from '../session/session-registry.js';
import type { Session } from '../session/session.js';
import { ProtocolError } from '../ws/protocol-error.js';
import { CALL_STORE, type CallStore, type StoredCall } from './call-store.js';
import {
  startRinging,
  transition,
  type CallEvent,
  type Delivery,
  type RelayedFrame,
} from './call-state-machine.js';

/**
 * Runs calls: checks an invite against rooms and sessions, feeds every frame, ring timeout and
 * ended session to the call's state machine, and carries out what it decides: frames to
 * sessions (on whichever instance they are), the record of an ended call in its room. A call
 * lives in the call store, so its parties may sit on different instances; an instance that
 * loses a race for a change reads the call again and re-applies the event.
 */
@Injectable()
export class CallService implements OnModuleDestroy {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    @Inject(CALL_STORE) private readonly calls: CallStore,
    private readonly rooms: RoomRegistry,
    private readonly sessions: SessionRegistry,
    private readonly chat: ChatService,
  ) {
    sessions.onEnded((session) => this.sessionEnded(session.user.userId, session.id));
    sessions.onEndedElsewhere(({ userId, sessionId }) => this.sessionEnded(userId, sessionId));
    calls.onRingDue((callId) => this.background(this.handle(callId, { type: 'ring-timeout' })));
  }

  /** Rings every connected session of `to` that is a member of `room`; returns once they were sent the invite. */
  async invite(
    caller: Session,
    { callId, to, room, video, sdp }: ClientEventData<'call.invite'>,
  ): Promise<void> {
    if (await this.calls.get(callId)) throw callIdInUse();
    const ringing =
      to === caller.user.userId || !this.rooms.isMember(room, caller)
        ? []
        : await this.sessions.connectedInRoom(to, room);
    const callee = ringing[0]?.user;
    if (!callee) {
      throw new ProtocolError(
        ErrorCode.PeerUnavailable,
        'That user cannot be called in this room right now',
      );
    }
    const { call, deliveries } = startRinging(
      {
        callId,
        room,
        video,
        caller: caller.user,
        callerSessionId: caller.id,
        callee,
        ringing: ringing.map((session) => session.sessionId),
        sdp,
      },
      now(),
    );
    let created = await this.calls.create(call, this.config.callRingTimeoutMs);
    if (created === 'busy' && (await this.endAbandonedCalls([caller.user.userId, to]))) {
      created = await this.calls.create(call, this.config.callRingTimeoutMs);
    }
    if (created === 'callId-in-use') throw callIdInUse();
    if (created === 'busy') throw new ProtocolError(ErrorCode.Busy, 'Already in a call');
    this.deliver(deliveries);
  }

  accept(session: Session, { callId, sdp }: ClientEventData<'call.accept'>): Promise<void> {
    return this.handle(callId, { type: 'accept', sessionId: session.id, sdp });
  }

  decline(session: Session, { callId, reason }: ClientEventData<'call.decline'>): Promise<void> {
    return this.handle(callId, { type: 'decline', sessionId: session.id, reason });
  }

  bye(session: Session, { callId, reason }: ClientEventData<'call.bye'>): Promise<void> {
    return this.handle(callId, { type: 'bye', sessionId: session.id, reason });
  }

  /** Offer, answer, candidate or media state, passed to the other party. */
  relay(session: Session, frame: RelayedFrame): Promise<void> {
    return this.handle(frame.data.callId, { type: 'relay', sessionId: session.id, frame });
  }

  onModuleDestroy(): void {
    this.calls.close();
  }

  /** A frame about a call: refused when there is no such call. */
  private async handle(callId: string, event: CallEvent): Promise<void> {
    const stored = await this.calls.get(callId);
    if (!stored) throw new ProtocolError(ErrorCode.NotInCall, 'No such call, or it has ended');
    await this.apply(stored, event);
  }

  /** A session left for good (its grace period is over, or its instance died). */
  private sessionEnded(userId: string, sessionId: string): void {
    this.background(
      (async () => {
        const stored = await this.calls.callOfUser(userId);
        if (stored) await this.apply(stored, { type: 'session-ended', sessionId });
      })(),
    );
  }

  /**
   * Ends the users' active calls of which a party's session no longer lives: its instance died
   * and ending the call with it failed (the store was unreachable, say), which would otherwise
   * leave both users busy for good. A ringing call needs none of this: it ends at its deadline.
   * Returns whether it ended any.
   */
  private async endAbandonedCalls(userIds: readonly string[]): Promise<boolean> {
    let endedAny = false;
    for (const userId of userIds) {
      const stored = await this.calls.callOfUser(userId);
      const phase = stored?.call.phase;
      if (!stored || phase?.state !== 'active') continue;
      for (const sessionId of [stored.call.callerSessionId, phase.calleeSessionId]) {
        if (await this.sessions.exists(sessionId)) continue;
        await this.apply(stored, { type: 'session-ended', sessionId });
        endedAny = true;
        break;
      }
    }
    return endedAny;
  }

  private async apply(stored: StoredCall, event: CallEvent): Promise<void> {
    for (let current: StoredCall | undefined = stored; current;) {
      const result = transition(current.call, event, now());
      switch (result.kind) {
        case 'refused':
          throw new ProtocolError(result.code, result.message);
        case 'continues':
          if (await this.calls.replace(current, result.call)) {
            this.deliver(result.deliveries);
            return;
          }
          break;
        case 'ended':
          if (await this.calls.remove(current)) {
            this.deliver(result.deliveries);
            this.storeRecord(current.call.room, result.record);
            return;
          }
          break;
      }
      // Another instance changed the call first: the event applies to what it is now.
      current = await this.calls.get(current.call.callId);
    }
    throw new ProtocolError(ErrorCode.NotInCall, 'No such call, or it has ended');
  }

  private deliver(deliveries: Delivery[]): void {
    for (const { to, frame } of deliveries) this.sessions.deliver(to, frame);
  }

  /** Signalling never waits for storage, and a failed store does not touch the relay. */
  private storeRecord(room: string, record: CallRecord): void {
    void (async () => {
      try {
        await this.chat.storeCall(room, record);
      } catch (error) {
        this.logger.error({ err: error, room, callId: record.callId }, 'call record not stored');
      }
    })();
  }

  private background(work: Promise<void>): void {
    work.catch((error: unknown) => {
      if (!(error instanceof ProtocolError)) this.logger.error({ err: error }, 'call event failed');
    });
  }
}

function callIdInUse(): ProtocolError {
  return new ProtocolError(ErrorCode.BadMessage, 'callId is already in use', ['callId']);
}

function now(): string {
  return new Date().toISOString();
}
