import {
  CallEndReason,
  CallOutcome,
  ErrorCode,
  type CallRecord,
  type ClientEventData,
  type ServerEventFrame,
  type User,
} from '@duplex/protocol';
import type { Call, CallPhase, SessionAddress } from './call.js';

/** Signalling the server passes on unchanged, only while a call is active. */
export type RelayedEvent = 'call.offer' | 'call.answer' | 'call.candidate' | 'call.media';
export type RelayedFrame = {
  [E in RelayedEvent]: { event: E; data: ClientEventData<E> };
}[RelayedEvent];

/** What can happen to a live call: a session's frame, the ring timer, or a session ending for good. */
export type CallEvent =
  | { type: 'accept'; sessionId: string; sdp?: string }
  | { type: 'decline'; sessionId: string; reason: string | undefined }
  | { type: 'bye'; sessionId: string; reason: string | undefined }
  | { type: 'relay'; sessionId: string; frame: RelayedFrame }
  | { type: 'ring-timeout' }
  | { type: 'session-ended'; sessionId: string };

/** A frame for one session. */
export interface Delivery {
  to: SessionAddress;
  frame: ServerEventFrame;
}

/** The result of an event: refused (the call is unchanged), the call goes on, or it ended. */
export type Transition =
  | {
      kind: 'refused';
      code: typeof ErrorCode.NotInCall | typeof ErrorCode.BadState;
      message: string;
    }
  | { kind: 'continues'; call: Call; deliveries: Delivery[] }
  | { kind: 'ended'; call: Call; record: CallRecord; deliveries: Delivery[] };

export interface Invitation {
  callId: string;
  room: string;
  video: boolean;
  caller: User;
  callerSessionId: string;
  callee: User;
  /** The callee's sessions that ring. */
  ringing: readonly string[];
  /** The caller's first offer, rung with the invite. */
  sdp?: string;
}

/** A new call, ringing on every session of `ringing`; each of them gets the invite. */
export function startRinging(
  invitation: Invitation,
  now: string,
): { call: Call; deliveries: Delivery[] } {
  const { ringing, sdp, ...parties } = invitation;
  const { callId, room, video, caller, callee } = parties;
  return {
    call: {
      ...parties,
      offered: sdp !== undefined,
      startedAt: now,
      phase: { state: 'ringing', ringing: [...ringing] },
    },
    deliveries: ringing.map((sessionId) => ({
      to: { userId: callee.userId, sessionId },
      frame: {
        event: 'call.invite',
        data: { callId, room, from: caller, video, ...(sdp !== undefined && { sdp }) },
      },
    })),
  };
}

type Ringing = Extract<CallPhase, { state: 'ringing' }>;
type Active = Extract<CallPhase, { state: 'active' }>;
type PartyEvent = Exclude<CallEvent, { type: 'ring-timeout' | 'session-ended' }>;
/** The side a session is on in a call. While ringing, every ringing session is the callee. */
type Role = 'caller' | 'callee';

/** Every transition of a call: ringing → active → ended, or ringing → ended. */
export function transition(call: Call, event: CallEvent, now: string): Transition {
  switch (event.type) {
    case 'ring-timeout':
      return call.phase.state === 'ringing' ? ringTimedOut(call, call.phase, now) : unchanged(call);
    case 'session-ended':
      return sessionEnded(call, event.sessionId, now);
  }
  const role = roleOf(call, event.sessionId);
  if (role === null) {
    return refused(ErrorCode.NotInCall, 'No such call, or you are not a party of it');
  }
  return call.phase.state === 'ringing'
    ? whileRinging(call, call.phase, role, event, now)
    : whileActive(call, call.phase, role, event, now);
}

function whileRinging(
  call: Call,
  phase: Ringing,
  role: Role,
  event: PartyEvent,
  now: string,
): Transition {
  switch (event.type) {
    case 'accept':
      if (role !== 'callee') return onlyTheCalleeAnswers('accept');
      if (event.sdp !== undefined && call.offered !== true) {
        return refused(ErrorCode.BadState, 'The invite carried no offer to answer');
      }
      return {
        kind: 'continues',
        call: {
          ...call,
          phase: { state: 'active', calleeSessionId: event.sessionId, answeredAt: now },
        },
        deliveries: [
          toCaller(call, {
            event: 'call.accept',
            data: {
              callId: call.callId,
              from: call.callee,
              ...(event.sdp !== undefined && { sdp: event.sdp }),
            },
          }),
          ...answeredElsewhere(call, phase, event.sessionId),
        ],
      };
    case 'decline':
      if (role !== 'callee') return onlyTheCalleeAnswers('decline');
      return ended(call, CallOutcome.Declined, now, [
        toCaller(call, {
          event: 'call.decline',
          data: {
            callId: call.callId,
            from: call.callee,
            reason: event.reason ?? CallEndReason.Declined,
          },
        }),
        ...answeredElsewhere(call, phase, event.sessionId),
      ]);
    case 'bye': {
      const reason = event.reason ?? CallEndReason.Hangup;
      if (role === 'caller') {
        return ended(call, CallOutcome.Missed, now, byeToRinging(call, phase.ringing, reason));
      }
      return ended(call, CallOutcome.Declined, now, [
        toCaller(call, bye(call, call.callee, reason)),
        ...answeredElsewhere(call, phase, event.sessionId),
      ]);
    }
    case 'relay':
      return refused(ErrorCode.BadState, 'The call has not been accepted yet');
  }
}

function whileActive(
  call: Call,
  phase: Active,
  role: Role,
  event: PartyEvent,
  now: string,
): Transition {
  switch (event.type) {
    case 'accept':
    case 'decline':
      return onlyTheCalleeAnswers(event.type);
    case 'bye': {
      const reason = event.reason ?? CallEndReason.Hangup;
      const outcome = reason === CallEndReason.Failed ? CallOutcome.Failed : CallOutcome.Completed;
      return ended(call, outcome, now, [
        toOtherParty(call, phase, role, bye(call, userOf(call, role), reason)),
      ]);
    }
    case 'relay':
      return {
        kind: 'continues',
        call,
        deliveries: [toOtherParty(call, phase, role, relayed(event.frame, userOf(call, role)))],
      };
  }
}

/** Both sides get a `timeout` bye, each from the other party: the caller once, every ringing session once. */
function ringTimedOut(call: Call, phase: Ringing, now: string): Transition {
  return ended(call, CallOutcome.Missed, now, [
    toCaller(call, bye(call, call.callee, CallEndReason.Timeout)),
    ...byeToRinging(call, phase.ringing, CallEndReason.Timeout),
  ]);
}

/** A session's grace period is over. Only a party's session (or the last ringing one) ends the call. */
function sessionEnded(call: Call, sessionId: string, now: string): Transition {
  const { phase } = call;
  const gone = CallEndReason.PeerDisconnected;
  if (phase.state === 'active') {
    const role = roleOf(call, sessionId);
    if (role === null) return unchanged(call);
    return ended(call, CallOutcome.Completed, now, [
      toOtherParty(call, phase, role, bye(call, userOf(call, role), gone)),
    ]);
  }
  if (sessionId === call.callerSessionId) {
    return ended(call, CallOutcome.Missed, now, byeToRinging(call, phase.ringing, gone));
  }
  if (!phase.ringing.includes(sessionId)) return unchanged(call);
  const ringing = phase.ringing.filter((id) => id !== sessionId);
  if (ringing.length === 0) {
    return ended(call, CallOutcome.Missed, now, [toCaller(call, bye(call, call.callee, gone))]);
  }
  return {
    kind: 'continues',
    call: { ...call, phase: { state: 'ringing', ringing } },
    deliveries: [],
  };
}

function roleOf(call: Call, sessionId: string): Role | null {
  if (sessionId === call.callerSessionId) return 'caller';
  const { phase } = call;
  const isCallee =
    phase.state === 'ringing'
      ? phase.ringing.includes(sessionId)
      : phase.calleeSessionId === sessionId;
  return isCallee ? 'callee' : null;
}

function userOf(call: Call, role: Role): User {
  return role === 'caller' ? call.caller : call.callee;
}

/** The callee's other ringing sessions stop ringing: the call was answered on `answeredBy`. */
function answeredElsewhere(call: Call, phase: Ringing, answeredBy: string): Delivery[] {
  return byeToRinging(
    call,
    phase.ringing.filter((id) => id !== answeredBy),
    CallEndReason.AnsweredElsewhere,
  );
}

/** A bye from the caller to each of `sessionIds` of the callee. */
function byeToRinging(call: Call, sessionIds: readonly string[], reason: string): Delivery[] {
  return sessionIds.map((sessionId) => ({
    to: { userId: call.callee.userId, sessionId },
    frame: bye(call, call.caller, reason),
  }));
}

function toCaller(call: Call, frame: ServerEventFrame): Delivery {
  return { to: { userId: call.caller.userId, sessionId: call.callerSessionId }, frame };
}

function toOtherParty(call: Call, phase: Active, sender: Role, frame: ServerEventFrame): Delivery {
  return sender === 'caller'
    ? { to: { userId: call.callee.userId, sessionId: phase.calleeSessionId }, frame }
    : toCaller(call, frame);
}

function bye(call: Call, from: User, reason: string): ServerEventFrame {
  return { event: 'call.bye', data: { callId: call.callId, from, reason } };
}

/** The frame as the other party receives it: the same data, with `from`. */
function relayed({ event, data }: RelayedFrame, from: User): ServerEventFrame {
  // Each relayed event's server data is its client data plus `from`; TypeScript cannot pair
  // the members of the two unions by itself.
  return { event, data: { ...data, from } } as ServerEventFrame;
}

function ended(call: Call, outcome: CallOutcome, now: string, deliveries: Delivery[]): Transition {
  return { kind: 'ended', call, record: recordOf(call, outcome, now), deliveries };
}

/** The call's outcome as stored in its room; `answeredAt` and `durationMs` only if it was accepted. */
function recordOf(call: Call, outcome: CallOutcome, endedAt: string): CallRecord {
  const { callId, caller, callee, video, startedAt, phase } = call;
  return {
    callId,
    caller,
    callee,
    video,
    outcome,
    startedAt,
    ...(phase.state === 'active' && {
      answeredAt: phase.answeredAt,
      durationMs: Math.max(0, Date.parse(endedAt) - Date.parse(phase.answeredAt)),
    }),
    endedAt,
  };
}

function unchanged(call: Call): Transition {
  return { kind: 'continues', call, deliveries: [] };
}

function refused(
  code: typeof ErrorCode.NotInCall | typeof ErrorCode.BadState,
  message: string,
): Transition {
  return { kind: 'refused', code, message };
}

function onlyTheCalleeAnswers(action: 'accept' | 'decline'): Transition {
  return refused(ErrorCode.BadState, `Only the callee can ${action}, and only while ringing`);
}
