import { describe, expect, it } from 'vitest';
import { CallEndReason, CallOutcome, ErrorCode } from '@duplex/protocol';
import type { Call } from '../src/calls/call.js';
import { startRinging, transition, type Transition } from '../src/calls/call-state-machine.js';

const ann = { userId: 'u-ann', name: 'Ann' };
const bob = { userId: 'u-bob', name: 'Bob' };
const T0 = '2030-01-01T00:00:00.000Z';
const T1 = '2030-01-01T00:00:01.250Z';
const T2 = '2030-01-01T00:01:00.000Z';

const OFFER = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=offer\r\n';
const ANSWER = 'v=0\r\no=- 3 4 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=answer\r\n';

/** Ann (session s-ann) rings Bob's sessions s-bob1 and s-bob2 at T0, with her offer `sdp` if given. */
function ringing(sdp?: string): Call {
  return startRinging(
    {
      callId: 'c1',
      room: 'lobby',
      video: true,
      caller: ann,
      callerSessionId: 's-ann',
      callee: bob,
      ringing: ['s-bob1', 's-bob2'],
      ...(sdp !== undefined && { sdp }),
    },
    T0,
  ).call;
}

function continues(result: Transition): Extract<Transition, { kind: 'continues' }> {
  if (result.kind !== 'continues') throw new Error(`expected the call to go on: ${result.kind}`);
  return result;
}

function ended(result: Transition): Extract<Transition, { kind: 'ended' }> {
  if (result.kind !== 'ended') throw new Error(`expected the call to end: ${result.kind}`);
  return result;
}

/** Bob's second session accepted at T1. */
function active(): Call {
  return continues(transition(ringing(), { type: 'accept', sessionId: 's-bob2' }, T1)).call;
}

describe('call state machine', () => {
  it('an invite rings every given session and records when it started', () => {
    const { call, deliveries } = startRinging(
      {
        callId: 'c1',
        room: 'lobby',
        video: false,
        caller: ann,
        callerSessionId: 's-ann',
        callee: bob,
        ringing: ['s-bob1', 's-bob2'],
      },
      T0,
    );
    expect(call.phase).toEqual({ state: 'ringing', ringing: ['s-bob1', 's-bob2'] });
    expect(call.startedAt).toBe(T0);
    const invite = {
      event: 'call.invite',
      data: { callId: 'c1', room: 'lobby', from: ann, video: false },
    };
    expect(deliveries).toEqual([
      { to: { userId: bob.userId, sessionId: 's-bob1' }, frame: invite },
      { to: { userId: bob.userId, sessionId: 's-bob2' }, frame: invite },
    ]);
  });

  it('accept: the accepting session becomes the callee; the caller is told, the other ringing session is answered elsewhere', () => {
    const result = continues(transition(ringing(), { type: 'accept', sessionId: 's-bob2' }, T1));
    expect(result.call.phase).toEqual({
      state: 'active',
      calleeSessionId: 's-bob2',
      answeredAt: T1,
    });
    expect(result.deliveries).toEqual([
      {
        to: { userId: ann.userId, sessionId: 's-ann' },
        frame: { event: 'call.accept', data: { callId: 'c1', from: bob } },
      },
      {
        to: { userId: bob.userId, sessionId: 's-bob1' },
        frame: {
          event: 'call.bye',
          data: { callId: 'c1', from: ann, reason: CallEndReason.AnsweredElsewhere },
        },
      },
    ]);
  });

  it('refusals: not a party → not_in_call; the state does not allow it → bad_state', () => {
    const refusal = (call: Call, event: Parameters<typeof transition>[1]) => {
      const result = transition(call, event, T1);
      return result.kind === 'refused' ? result.code : result.kind;
    };
    const offer = { event: 'call.offer', data: { callId: 'c1', sdp: 'v=0' } } as const;
    expect(refusal(ringing(), { type: 'accept', sessionId: 's-other' })).toBe(ErrorCode.NotInCall);
    expect(refusal(ringing(), { type: 'accept', sessionId: 's-ann' })).toBe(ErrorCode.BadState);
    expect(refusal(ringing(), { type: 'relay', sessionId: 's-ann', frame: offer })).toBe(
      ErrorCode.BadState,
    );
    expect(refusal(active(), { type: 'bye', sessionId: 's-bob1', reason: undefined })).toBe(
      ErrorCode.NotInCall,
    );
    expect(refusal(active(), { type: 'decline', sessionId: 's-bob2', reason: undefined })).toBe(
      ErrorCode.BadState,
    );
    expect(refusal(active(), { type: 'relay', sessionId: 's-bob2', frame: offer })).toBe(
      'continues',
    );
  });

  it('a bye after the accept completes the call with answeredAt and durationMs; reason "failed" makes it failed', () => {
    const completed = ended(
      transition(active(), { type: 'bye', sessionId: 's-ann', reason: undefined }, T2),
    );
    expect(completed.record).toEqual({
      callId: 'c1',
      caller: ann,
      callee: bob,
      video: true,
      outcome: CallOutcome.Completed,
      startedAt: T0,
      answeredAt: T1,
      endedAt: T2,
      durationMs: 58_750,
    });
    expect(completed.deliveries).toEqual([
      {
        to: { userId: bob.userId, sessionId: 's-bob2' },
        frame: {
          event: 'call.bye',
          data: { callId: 'c1', from: ann, reason: CallEndReason.Hangup },
        },
      },
    ]);
    const failed = ended(
      transition(active(), { type: 'bye', sessionId: 's-bob2', reason: CallEndReason.Failed }, T2),
    );
    expect(failed.record.outcome).toBe(CallOutcome.Failed);
  });

  it('the ring timeout ends only a ringing call, as missed, without answeredAt', () => {
    const timedOut = ended(transition(ringing(), { type: 'ring-timeout' }, T2));
    expect(timedOut.record).toEqual({
      callId: 'c1',
      caller: ann,
      callee: bob,
      video: true,
      outcome: CallOutcome.Missed,
      startedAt: T0,
      endedAt: T2,
    });
    expect(timedOut.deliveries.map(({ to, frame }) => [to.sessionId, frame.data])).toEqual([
      ['s-ann', { callId: 'c1', from: bob, reason: CallEndReason.Timeout }],
      ['s-bob1', { callId: 'c1', from: ann, reason: CallEndReason.Timeout }],
      ['s-bob2', { callId: 'c1', from: ann, reason: CallEndReason.Timeout }],
    ]);
    const call = active();
    expect(transition(call, { type: 'ring-timeout' }, T2)).toEqual({
      kind: 'continues',
      call,
      deliveries: [],
    });
  });

  it('ended sessions: a ringing one stops ringing, the last one makes the call missed; a non-party changes nothing', () => {
    const one = continues(
      transition(ringing(), { type: 'session-ended', sessionId: 's-bob1' }, T1),
    );
    expect(one.call.phase).toEqual({ state: 'ringing', ringing: ['s-bob2'] });
    expect(one.deliveries).toEqual([]);
    const last = ended(transition(one.call, { type: 'session-ended', sessionId: 's-bob2' }, T2));
    expect(last.record.outcome).toBe(CallOutcome.Missed);
    expect(last.deliveries).toEqual([
      {
        to: { userId: ann.userId, sessionId: 's-ann' },
        frame: {
          event: 'call.bye',
          data: { callId: 'c1', from: bob, reason: CallEndReason.PeerDisconnected },
        },
      },
    ]);

    const call = active();
    expect(transition(call, { type: 'session-ended', sessionId: 's-bob1' }, T2)).toEqual({
      kind: 'continues',
      call,
      deliveries: [],
    });
    const gone = ended(transition(call, { type: 'session-ended', sessionId: 's-bob2' }, T2));
    expect(gone.record.outcome).toBe(CallOutcome.Completed);
    expect(gone.deliveries).toEqual([
      {
        to: { userId: ann.userId, sessionId: 's-ann' },
        frame: {
          event: 'call.bye',
          data: { callId: 'c1', from: bob, reason: CallEndReason.PeerDisconnected },
        },
      },
    ]);
  });

  describe('the offer rung with the invite', () => {
    const answeredElsewhere = {
      to: { userId: bob.userId, sessionId: 's-bob1' },
      frame: {
        event: 'call.bye',
        data: { callId: 'c1', from: ann, reason: CallEndReason.AnsweredElsewhere },
      },
    };

    it('an invite with sdp gives it to every ringing session and marks the call offered', () => {
      const { call, deliveries } = startRinging(
        {
          callId: 'c1',
          room: 'lobby',
          video: false,
          caller: ann,
          callerSessionId: 's-ann',
          callee: bob,
          ringing: ['s-bob1', 's-bob2'],
          sdp: OFFER,
        },
        T0,
      );
      expect(call.offered).toBe(true);
      expect(call.phase).toEqual({ state: 'ringing', ringing: ['s-bob1', 's-bob2'] });
      const invite = {
        event: 'call.invite',
        data: { callId: 'c1', room: 'lobby', from: ann, video: false, sdp: OFFER },
      };
      expect(deliveries).toStrictEqual([
        { to: { userId: bob.userId, sessionId: 's-bob1' }, frame: invite },
        { to: { userId: bob.userId, sessionId: 's-bob2' }, frame: invite },
      ]);
    });

    it('an invite without sdp: the invite has no sdp key and the call is not offered', () => {
      const { call, deliveries } = startRinging(
        {
          callId: 'c1',
          room: 'lobby',
          video: true,
          caller: ann,
          callerSessionId: 's-ann',
          callee: bob,
          ringing: ['s-bob1', 's-bob2'],
        },
        T0,
      );
      expect(call.offered).toBe(false);
      expect(deliveries).toHaveLength(2);
      for (const { frame } of deliveries) {
        // Strict: a key present with the value undefined would fail too.
        expect(frame.data).toStrictEqual({ callId: 'c1', room: 'lobby', from: ann, video: true });
      }
    });

    it('accept with sdp on an offered call: the caller gets call.accept with that sdp; the bye to the other ringing session has none', () => {
      const result = continues(
        transition(ringing(OFFER), { type: 'accept', sessionId: 's-bob2', sdp: ANSWER }, T1),
      );
      expect(result.call.phase).toEqual({
        state: 'active',
        calleeSessionId: 's-bob2',
        answeredAt: T1,
      });
      expect(result.deliveries).toStrictEqual([
        {
          to: { userId: ann.userId, sessionId: 's-ann' },
          frame: { event: 'call.accept', data: { callId: 'c1', from: bob, sdp: ANSWER } },
        },
        answeredElsewhere,
      ]);
    });

    it('accept without sdp on an offered call: call.accept has no sdp key', () => {
      const result = continues(
        transition(ringing(OFFER), { type: 'accept', sessionId: 's-bob2' }, T1),
      );
      expect(result.call.phase).toMatchObject({ state: 'active', calleeSessionId: 's-bob2' });
      expect(result.deliveries).toStrictEqual([
        {
          to: { userId: ann.userId, sessionId: 's-ann' },
          frame: { event: 'call.accept', data: { callId: 'c1', from: bob } },
        },
        answeredElsewhere,
      ]);
    });

    it('accept with sdp on a call not offered is refused bad_state; the call rings on and can be accepted without sdp', () => {
      const call = ringing();
      const refused = transition(call, { type: 'accept', sessionId: 's-bob2', sdp: ANSWER }, T1);
      expect(refused).toMatchObject({ kind: 'refused', code: ErrorCode.BadState });
      expect(call.phase).toEqual({ state: 'ringing', ringing: ['s-bob1', 's-bob2'] });
      const accepted = continues(transition(call, { type: 'accept', sessionId: 's-bob1' }, T1));
      expect(accepted.call.phase).toMatchObject({ state: 'active', calleeSessionId: 's-bob1' });
      expect(accepted.deliveries[0]!.frame).toStrictEqual({
        event: 'call.accept',
        data: { callId: 'c1', from: bob },
      });
    });

    it('a call stored without `offered` (by an older instance) is not offered', () => {
      const older: Call = {
        callId: 'c1',
        room: 'lobby',
        video: true,
        caller: ann,
        callerSessionId: 's-ann',
        callee: bob,
        startedAt: T0,
        phase: { state: 'ringing', ringing: ['s-bob1', 's-bob2'] },
      };
      expect(older).not.toHaveProperty('offered');
      const stored = JSON.parse(JSON.stringify(older)) as Call;
      expect(
        transition(stored, { type: 'accept', sessionId: 's-bob1', sdp: ANSWER }, T1),
      ).toMatchObject({ kind: 'refused', code: ErrorCode.BadState });
      const accepted = continues(transition(stored, { type: 'accept', sessionId: 's-bob1' }, T1));
      expect(accepted.deliveries[0]!.frame).toStrictEqual({
        event: 'call.accept',
        data: { callId: 'c1', from: bob },
      });
    });
  });
});
