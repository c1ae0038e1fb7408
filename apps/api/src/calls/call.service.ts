import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, type ClientEventData, type ServerEventFrame } from '@duplex/protocol';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { RoomRegistry } from '../rooms/room-registry.js';
import { SessionRegistry } from '../session/session-registry.js';
import type { Session } from '../session/session.js';
import { ProtocolError } from '../ws/protocol-error.js';
import { isParty, otherParty, type Call } from './call.js';
import { CallRegistry } from './call-registry.js';

/**
 * The call state machine (ringing → active → ended) and the relay of signalling strictly
 * between the two parties of a call.
 */
@Injectable()
export class CallService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly calls: CallRegistry,
    private readonly rooms: RoomRegistry,
    private readonly sessions: SessionRegistry,
  ) {
    sessions.onEnded((session) => this.partyGone(session));
  }

  invite(caller: Session, { callId, to, room, video }: ClientEventData<'call.invite'>): void {
    if (this.calls.get(callId)) {
      throw new ProtocolError(ErrorCode.BadMessage, 'callId is already in use', ['callId']);
    }
    const callee = this.sessions.find(to);
    if (
      !callee ||
      callee === caller ||
      !callee.connection?.isOpen ||
      !this.rooms.isMember(room, caller) ||
      !this.rooms.isMember(room, callee)
    ) {
      throw new ProtocolError(
        ErrorCode.PeerUnavailable,
        'That user cannot be called in this room right now',
      );
    }
    if (this.calls.callOf(caller) || this.calls.callOf(callee)) {
      throw new ProtocolError(ErrorCode.Busy, 'Already in a call');
    }
    const call: Call = { callId, room, video, caller, callee, state: 'ringing', ringTimer: null };
    call.ringTimer = setTimeout(() => this.ringTimeout(call), this.config.callRingTimeoutMs);
    this.calls.add(call);
    callee.connection.send({
      event: 'call.invite',
      data: { callId, room, from: caller.user, video },
    });
  }

  accept(session: Session, { callId }: ClientEventData<'call.accept'>): void {
    const call = this.ringingCallOfCallee(session, callId, 'accept');
    call.state = 'active';
    if (call.ringTimer) clearTimeout(call.ringTimer);
    call.ringTimer = null;
    this.sendTo(call.caller, { event: 'call.accept', data: { callId, from: session.user } });
  }

  decline(session: Session, { callId, reason }: ClientEventData<'call.decline'>): void {
    const call = this.ringingCallOfCallee(session, callId, 'decline');
    this.calls.remove(call);
    this.sendTo(call.caller, {
      event: 'call.decline',
      data: { callId, from: session.user, reason: reason ?? 'declined' },
    });
  }

  offer(session: Session, { callId, sdp }: ClientEventData<'call.offer'>): void {
    const call = this.activeCallOf(session, callId);
    this.sendTo(otherParty(call, session), {
      event: 'call.offer',
      data: { callId, from: session.user, sdp },
    });
  }

  answer(session: Session, { callId, sdp }: ClientEventData<'call.answer'>): void {
    const call = this.activeCallOf(session, callId);
    this.sendTo(otherParty(call, session), {
      event: 'call.answer',
      data: { callId, from: session.user, sdp },
    });
  }

  candidate(session: Session, { callId, candidate }: ClientEventData<'call.candidate'>): void {
    const call = this.activeCallOf(session, callId);
    this.sendTo(otherParty(call, session), {
      event: 'call.candidate',
      data: { callId, from: session.user, candidate },
    });
  }

  bye(session: Session, { callId, reason }: ClientEventData<'call.bye'>): void {
    const call = this.callOfParty(session, callId);
    this.calls.remove(call);
    this.sendTo(otherParty(call, session), {
      event: 'call.bye',
      data: { callId, from: session.user, reason: reason ?? 'hangup' },
    });
  }

  private ringTimeout(call: Call): void {
    call.ringTimer = null;
    this.endByServer(call, 'timeout', [call.caller, call.callee]);
  }

  /** A party left for good (no resume within the grace period): the other one is told. */
  private partyGone(session: Session): void {
    const call = this.calls.callOf(session);
    if (call) this.endByServer(call, 'peer_disconnected', [otherParty(call, session)]);
  }

  /** Ends a call the server decided to end; each recipient's bye comes `from` the other party. */
  private endByServer(call: Call, reason: string, recipients: Session[]): void {
    this.calls.remove(call);
    for (const recipient of recipients) {
      this.sendTo(recipient, {
        event: 'call.bye',
        data: { callId: call.callId, from: otherParty(call, recipient).user, reason },
      });
    }
  }

  private callOfParty(session: Session, callId: string): Call {
    const call = this.calls.get(callId);
    if (!call || !isParty(call, session)) {
      throw new ProtocolError(ErrorCode.NotInCall, 'No such call, or it has ended');
    }
    return call;
  }

  private activeCallOf(session: Session, callId: string): Call {
    const call = this.callOfParty(session, callId);
    if (call.state !== 'active') {
      throw new ProtocolError(ErrorCode.BadState, 'The call has not been accepted yet');
    }
    return call;
  }

  private ringingCallOfCallee(session: Session, callId: string, action: string): Call {
    const call = this.callOfParty(session, callId);
    if (call.callee !== session || call.state !== 'ringing') {
      throw new ProtocolError(
        ErrorCode.BadState,
        `Only the callee can ${action}, and only while ringing`,
      );
    }
    return call;
  }

  /** Frames for a party in its grace period are dropped; its client re-syncs on resume. */
  private sendTo(party: Session, frame: ServerEventFrame): void {
    party.connection?.send(frame);
  }
}
