import { describe, it } from 'vitest';
import { CallEndReason, CallOutcome } from '@duplex/protocol';
import {
  expectCallEnded,
  expectFails,
  expectNothingPending,
  expectRelayed,
  ok,
  relay,
  ring,
  startCall,
  uniqueCallId,
  uniqueRoom,
  useCallServer,
  type Party,
  type PlacedCall,
} from './support/call-helpers.js';

const { pool } = useCallServer();

const OFFER =
  'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n';
const ANSWER = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n';
const CANDIDATE = {
  candidate: 'candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host',
  sdpMid: '0',
  sdpMLineIndex: 0,
};

/** Not a non-empty string of at most 48 KiB (UTF-8 bytes), each. */
const BAD_SDPS: unknown[] = [
  '',
  'a'.repeat(48 * 1024 + 1),
  'é'.repeat(24 * 1024) + 'a', // 24 577 code points, 49 153 bytes
  42,
];

/** `caller` invites the user of `ringing` with `sdp`: the ack is `{}`, each tab gets the offer. */
async function ringWithOffer(
  caller: Party,
  ringing: Party[],
  room: string,
  callId: string,
  sdp = OFFER,
): Promise<PlacedCall> {
  const callee = ringing[0]!;
  await ok(caller, 'call.invite', { callId, to: callee.user.userId, room, video: true, sdp });
  for (const tab of ringing) {
    await expectRelayed(tab, 'call.invite', { callId, room, from: caller.user, video: true, sdp });
  }
  return { room, callId, caller, callee, video: true };
}

describe('the offer rung with the invite', () => {
  it('reaches every ringing tab; the accepting tab answers in its accept, the other is answered elsewhere; the call is active', async () => {
    const room = uniqueRoom('early');
    const [a, b1, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
    const b2 = await pool.tabIn(b1, room);
    await expectNothingPending([a, b1, b2, c]);
    const callId = uniqueCallId();

    const aCallsB = await ringWithOffer(a, [b1, b2], room, callId);
    await expectNothingPending([a, c]);

    await relay(b2, a, 'call.accept', { callId, sdp: ANSWER });
    await expectRelayed(b1, 'call.bye', {
      callId,
      from: a.user,
      reason: CallEndReason.AnsweredElsewhere,
    });
    await expectNothingPending([a, b1, b2, c]);

    // Active between A and the accepting tab: candidates flow, and A may renegotiate.
    await relay(b2, a, 'call.candidate', { callId, candidate: CANDIDATE });
    await relay(a, b2, 'call.candidate', { callId, candidate: CANDIDATE });
    await relay(a, b2, 'call.offer', { callId, sdp: `${OFFER}a=renegotiation\r\n` });
    await relay(b2, a, 'call.answer', { callId, sdp: `${ANSWER}a=renegotiation\r\n` });
    // Answering in an accept is for the ringing call only.
    await expectFails(b2, 'call.accept', { callId, sdp: ANSWER }, 'bad_state');
    await expectFails(b1, 'call.accept', { callId, sdp: ANSWER }, 'not_in_call');
    await expectNothingPending([a, b1, b2, c]);

    await relay(a, b2, 'call.bye', { callId });
    await expectCallEnded(aCallsB, CallOutcome.Completed, [a, b1, b2, c]);
    await expectNothingPending([a, b1, b2, c]);
  });

  it('an sdp of exactly 48 KiB (UTF-8 bytes) is relayed unchanged in the invite and in the accept', async () => {
    const room = uniqueRoom('early-big');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const callId = uniqueCallId();
    await ringWithOffer(a, [b], room, callId, 'a'.repeat(48 * 1024));
    await relay(b, a, 'call.accept', { callId, sdp: 'é'.repeat(24 * 1024) });
    await expectNothingPending([a, b]);
    await relay(a, b, 'call.candidate', { callId, candidate: null });
  });

  it('accepted without sdp: the caller gets call.accept without sdp, then sends its offer as call.offer', async () => {
    const room = uniqueRoom('early-noanswer');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const callId = uniqueCallId();
    const aCallsB = await ringWithOffer(a, [b], room, callId);
    await relay(b, a, 'call.accept', { callId });
    await relay(a, b, 'call.offer', { callId, sdp: OFFER });
    await relay(b, a, 'call.answer', { callId, sdp: ANSWER });
    await relay(b, a, 'call.bye', { callId });
    await expectCallEnded(aCallsB, CallOutcome.Completed, [a, b]);
    await expectNothingPending([a, b]);
  });

  it('an accept with sdp when the invite carried none: bad_state, nothing reaches the caller, and the call can still be accepted without sdp', async () => {
    const room = uniqueRoom('early-nooffer');
    const [a, b1, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
    const b2 = await pool.tabIn(b1, room);
    const callId = uniqueCallId();
    const aCallsB: PlacedCall = { room, callId, caller: a, callee: b1, video: true };
    // Without sdp, the invite reaches each tab without an sdp key.
    await ok(a, 'call.invite', { callId, to: b1.user.userId, room, video: true });
    for (const tab of [b1, b2]) {
      await expectRelayed(tab, 'call.invite', { callId, room, from: a.user, video: true });
    }

    await expectFails(b2, 'call.accept', { callId, sdp: ANSWER }, 'bad_state');
    await expectNothingPending([a, b1, b2, c]);

    // Still ringing on both tabs: either may accept, without sdp.
    await relay(b1, a, 'call.accept', { callId });
    await expectRelayed(b2, 'call.bye', {
      callId,
      from: a.user,
      reason: CallEndReason.AnsweredElsewhere,
    });
    await relay(a, b1, 'call.offer', { callId, sdp: OFFER });
    await relay(b1, a, 'call.answer', { callId, sdp: ANSWER });
    await relay(a, b1, 'call.bye', { callId });
    await expectCallEnded(aCallsB, CallOutcome.Completed, [a, b1, b2, c]);
    await expectNothingPending([a, b1, b2, c]);
  });

  it('an invite with a bad sdp → bad_message ["sdp"]: the callee is not rung and no call began', async () => {
    const room = uniqueRoom('early-badinvite');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const callId = uniqueCallId();
    for (const sdp of BAD_SDPS) {
      await expectFails(
        a,
        'call.invite',
        { callId, to: b.user.userId, room, video: true, sdp },
        'bad_message',
        ['sdp'],
      );
    }
    await expectNothingPending([a, b]);
    // Neither A nor B is busy, and the callId is free: the same invite with a good sdp rings.
    await ringWithOffer(a, [b], room, callId);
    await relay(b, a, 'call.accept', { callId, sdp: ANSWER });
  });

  it('an accept with a bad sdp → bad_message ["sdp"]: nothing reaches the caller, and the call rings on', async () => {
    const room = uniqueRoom('early-badaccept');
    const [a, b1] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const b2 = await pool.tabIn(b1, room);
    const callId = uniqueCallId();
    await ringWithOffer(a, [b1, b2], room, callId);
    for (const sdp of BAD_SDPS) {
      await expectFails(b1, 'call.accept', { callId, sdp }, 'bad_message', ['sdp']);
    }
    await expectNothingPending([a, b1, b2]);

    // Neither tab stopped ringing: the other one accepts with a good answer.
    await relay(b2, a, 'call.accept', { callId, sdp: ANSWER });
    await expectRelayed(b1, 'call.bye', {
      callId,
      from: a.user,
      reason: CallEndReason.AnsweredElsewhere,
    });
    await relay(b2, a, 'call.candidate', { callId, candidate: CANDIDATE });
    await expectNothingPending([a, b1, b2]);
  });

  it('the schema is checked before the state: a bad sdp in the accept of a call not offered is bad_message', async () => {
    const room = uniqueRoom('early-schema');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const callId = uniqueCallId();
    await ring(a, b, room, callId);
    await expectFails(b, 'call.accept', { callId, sdp: '' }, 'bad_message', ['sdp']);
    await expectNothingPending([a, b]);
    await relay(b, a, 'call.accept', { callId });
  });

  it('revision 1: invite and accept without sdp, then call.offer and call.answer, work end to end', async () => {
    const room = uniqueRoom('early-r1');
    const [a, b, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
    const callId = uniqueCallId();
    // startCall checks the invite and the accept arrive exactly as sent, without an sdp key.
    const aCallsB = await startCall(a, b, room, callId, false);
    await relay(a, b, 'call.offer', { callId, sdp: OFFER });
    await relay(b, a, 'call.answer', { callId, sdp: ANSWER });
    await relay(a, b, 'call.candidate', { callId, candidate: CANDIDATE });
    await relay(b, a, 'call.candidate', { callId, candidate: null });
    await relay(b, a, 'call.bye', { callId });
    await expectCallEnded(aCallsB, CallOutcome.Completed, [a, b, c]);
    await expectNothingPending([a, b, c]);
  });
});
