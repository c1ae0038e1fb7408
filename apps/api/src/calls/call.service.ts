import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ErrorCode, type CallRecord, type ClientEventData } from '@duplex/protocol';
import { ChatService } from '../chat/chat.service.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { APP_LOGGER, type AppLogger } from '../logging/logger.js';
import { RoomRegistry } from '../rooms/room-registry.js';
import { isConnected, SessionRegistry } from '../session/session-registry.js';
import type { Session } from '../session/session.js';
import { ProtocolError } from '../ws/protocol-error.js';
import type { Call } from './call.js';
import { CallRegistry } from './call-registry.js';
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
 * sessions, the ring timer, the record of an ended call in its room.
 */
@Injectable()
export class CallService implements OnModuleDestroy {
  private readonly ringTimers = new Map<string, NodeJS.Timeout>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
    private readonly calls: CallRegistry,
    private readonly rooms: RoomRegistry,
    private readonly sessions: SessionRegistry,
    private readonly chat: ChatService,
  ) {
    sessions.onEnded((session) => this.sessionEnded(session));
  }

  /** Rings every connected session of `to` that is a member of `room`; returns once they were sent the invite. */
  invite(caller: Session, { callId, to, room, video }: ClientEventData<'call.invite'>): void {
    if (this.calls.get(callId)) {
      throw new ProtocolError(ErrorCode.BadMessage, 'callId is already in use', ['callId']);
    }
    const ringing =
      to === caller.user.userId || !this.rooms.isMember(room, caller)
        ? []
        : [...this.rooms.sessionsOf(room, to)].filter(isConnected);
    const callee = ringing[0]?.user;
    if (!callee) {
      throw new ProtocolError(
        ErrorCode.PeerUnavailable,
        'That user cannot be called in this room right now',
      );
    }
    if (this.calls.callOfUser(caller.user.userId) || this.calls.callOfUser(to)) {
      throw new ProtocolError(ErrorCode.Busy, 'Already in a call');
    }
    const { call, deliveries } = startRinging(
      {
        callId,
        room,
        video,
        caller: caller.user,
        callerSessionId: caller.id,
        callee,
        ringing: ringing.map((session) => session.id),
      },
      now(),
    );
    this.calls.save(call);
    this.ringTimers.set(
      callId,
      setTimeout(() => this.ringTimedOut(callId), this.config.callRingTimeoutMs),
    );
    this.deliver(deliveries);
  }

  accept(session: Session, { callId }: ClientEventData<'call.accept'>): void {
    this.handle(callId, { type: 'accept', sessionId: session.id });
  }

  decline(session: Session, { callId, reason }: ClientEventData<'call.decline'>): void {
    this.handle(callId, { type: 'decline', sessionId: session.id, reason });
  }

  bye(session: Session, { callId, reason }: ClientEventData<'call.bye'>): void {
    this.handle(callId, { type: 'bye', sessionId: session.id, reason });
  }

  /** Offer, answer, candidate or media state, passed to the other party. */
  relay(session: Session, frame: RelayedFrame): void {
    this.handle(frame.data.callId, { type: 'relay', sessionId: session.id, frame });
  }

  onModuleDestroy(): void {
    for (const timer of this.ringTimers.values()) clearTimeout(timer);
    this.ringTimers.clear();
  }

  /** A frame about a call: refused when there is no such call. */
  private handle(callId: string, event: CallEvent): void {
    const call = this.calls.get(callId);
    if (!call) throw new ProtocolError(ErrorCode.NotInCall, 'No such call, or it has ended');
    this.apply(call, event);
  }

  private ringTimedOut(callId: string): void {
    this.ringTimers.delete(callId);
    const call = this.calls.get(callId);
    if (call) this.apply(call, { type: 'ring-timeout' });
  }

  /** A session left for good (its grace period is over). */
  private sessionEnded(session: Session): void {
    const call = this.calls.callOfUser(session.user.userId);
    if (call) this.apply(call, { type: 'session-ended', sessionId: session.id });
  }

  private apply(call: Call, event: CallEvent): void {
    const result = transition(call, event, now());
    switch (result.kind) {
      case 'refused':
        throw new ProtocolError(result.code, result.message);
      case 'continues':
        this.calls.save(result.call);
        if (result.call.phase.state !== 'ringing') this.stopRinging(call.callId);
        this.deliver(result.deliveries);
        return;
      case 'ended':
        this.calls.remove(call);
        this.stopRinging(call.callId);
        this.deliver(result.deliveries);
        this.storeRecord(call.room, result.record);
        return;
    }
  }

  private stopRinging(callId: string): void {
    clearTimeout(this.ringTimers.get(callId));
    this.ringTimers.delete(callId);
  }

  /** Frames for a session in its grace period (or gone) are dropped; its client re-syncs on resume. */
  private deliver(deliveries: Delivery[]): void {
    for (const { to, frame } of deliveries) {
      for (const session of this.sessions.sessionsOf(to.userId)) {
        if (session.id === to.sessionId) session.connection?.send(frame);
      }
    }
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
}

function now(): string {
  return new Date().toISOString();
}
