import { describe, expect, it } from 'vitest';
import { CallEndReason, CallOutcome } from '@duplex/protocol';
import {
  call,
  dropSocket,
  expectCallEnded,
  expectFails,
  expectInviteFails,
  expectNothingPending,
  expectRelayed,
  ok,
  presenceLeft,
  relay,
  resume,
  RESUME_GRACE_MS,
  sessionOf,
  sleep,
  uniqueCallId,
  uniqueRoom,
  useCallServer,
  type Party,
  type PlacedCall,
} from './support/call-helpers.js';
import { expectError } from './support/raw-client.js';

/** Long enough for a tab's grace period to pass while a call still rings. */
const RING_TIMEOUT_MS = 1_500;

const { pool, server } = useCallServer({ CALL_RING_TIMEOUT_MS: RING_TIMEOUT_MS });

const SDP = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
const CANDIDATE = {
  candidate: 'candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host',
  sdpMid: '0',
};

/** Every call frame a session might send about `callId`. */
function everySignal(callId: string): [string, Record<string, unknown>][] {
  return [
    ['call.accept', { callId }],
    ['call.decline', { callId }],
    ['call.offer', { callId, sdp: SDP }],
    ['call.answer', { callId, sdp: SDP }],
    ['call.candidate', { callId, candidate: CANDIDATE }],
    ['call.candidate', { callId, candidate: null }],
    ['call.media', { callId, audio: true, video: false }],
    ['call.bye', { callId }],
  ];
}

/** Every call frame of `party` about `callId` is refused with `code`. */
async function expectEachRefused(party: Party, callId: string, code: string): Promise<void> {
  for (const [event, data] of everySignal(callId)) await expectFails(party, event, data, code);
}

/** `caller` invites the user of `ringing`: each of those sessions gets the same `call.invite`. */
async function ringTabs(
  caller: Party,
  ringing: Party[],
  room: string,
  callId: string,
): Promise<PlacedCall> {
  const callee = ringing[0]!;
  await ok(caller, 'call.invite', { callId, to: callee.user.userId, room, video: true });
  for (const tab of ringing) {
    await expectRelayed(tab, 'call.invite', { callId, room, from: caller.user, video: true });
  }
  return { room, callId, caller, callee, video: true };
}

/**
 * Alice calls Bob in a new room where Bob is a member in two tabs, `b1` and `b2`: both ring.
 * `ringingSince` is when the invite was sent.
 */
async function bobRingingInTwoTabs(roomPrefix: string) {
  const room = uniqueRoom(roomPrefix);
  const [a, b1] = await pool.partiesIn(room, ['Alice', 'Bob']);
  const b2 = await pool.tabIn(b1, room);
  const callId = uniqueCallId();
  const ringingSince = Date.now();
  const aCallsB = await ringTabs(a, [b1, b2], room, callId);
  return { room, a, b1, b2, callId, aCallsB, ringingSince };
}

/** Waits until the server has ended `party`'s session (its grace period is over). */
async function waitUntilEnded(party: Party): Promise<void> {
  const deadline = Date.now() + RESUME_GRACE_MS + 2_000;
  while (sessionOf(server(), party) !== undefined) {
    if (Date.now() > deadline) throw new Error(`${party.user.name}'s session did not end`);
    await sleep(5);
  }
}

/** The next `call.bye` of `party`, within a grace period; presence frames may come first. */
function nextBye(party: Party) {
  return party.client.nextWhere(
    (frame) => frame.event === 'call.bye',
    RESUME_GRACE_MS + 2_000,
    `a call.bye on ${party.user.name}'s socket`,
  );
}

describe('a callee with several tabs', () => {
  it('every member tab rings; the first to accept is the callee, the other gets call.bye "answered_elsewhere" from the caller and is no party', async () => {
    const room = uniqueRoom('tabs-accept');
    const [a, b1, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
    const b2 = await pool.tabIn(b1, room);
    const a2 = await pool.tabIn(a, room);
    await expectNothingPending([a, a2, b1, b2, c]);
    const callId = uniqueCallId();

    const aCallsB = await ringTabs(a, [b1, b2], room, callId);
    await expectNothingPending([a, a2, c]);
    await relay(b2, a, 'call.accept', { callId });
    await expectRelayed(b1, 'call.bye', {
      callId,
      from: a.user,
      reason: CallEndReason.AnsweredElsewhere,
    });
    await expectNothingPending([a, a2, b1, b2, c]);

    // The other tabs of both users are not parties; nothing they send reaches anyone.
    await expectEachRefused(b1, callId, 'not_in_call');
    await expectEachRefused(a2, callId, 'not_in_call');
    await expectNothingPending([a, a2, b1, b2, c]);

    // The call runs between the inviting tab and the accepting tab only.
    await relay(a, b2, 'call.offer', { callId, sdp: SDP });
    await relay(b2, a, 'call.answer', { callId, sdp: SDP });
    await relay(b2, a, 'call.media', { callId, audio: false, video: true });
    await relay(a, b2, 'call.candidate', { callId, candidate: CANDIDATE });
    await expectNothingPending([a, a2, b1, b2, c]);

    // Both users are busy, from any of their tabs.
    for (const [from, to] of [
      [c, b1],
      [c, a2],
      [b1, c],
      [a2, c],
    ] as const) {
      await expectInviteFails(from, { to: to.user.userId, room, video: false }, 'busy');
    }

    await relay(b2, a, 'call.bye', { callId });
    await expectCallEnded(aCallsB, CallOutcome.Completed, [a, a2, b1, b2, c]);
    await expectNothingPending([a, a2, b1, b2, c]);
  });

  it('declined from one tab: the caller gets call.decline, the other tab "answered_elsewhere"; the call is declined', async () => {
    const { a, b1, b2, callId, aCallsB } = await bobRingingInTwoTabs('tabs-decline');

    await ok(b1, 'call.decline', { callId });
    await expectRelayed(a, 'call.decline', {
      callId,
      from: b1.user,
      reason: CallEndReason.Declined,
    });
    await expectRelayed(b2, 'call.bye', {
      callId,
      from: a.user,
      reason: CallEndReason.AnsweredElsewhere,
    });
    await expectCallEnded(aCallsB, CallOutcome.Declined, [a, b1, b2]);
    await expectEachRefused(b2, callId, 'not_in_call');
    await expectNothingPending([a, b1, b2]);
  });

  it('a ringing tab\'s call.bye is a decline: the caller gets the bye, the other tab "answered_elsewhere"', async () => {
    const { a, b1, b2, callId, aCallsB } = await bobRingingInTwoTabs('tabs-bye');

    await relay(b2, a, 'call.bye', { callId, reason: 'not now' });
    await expectRelayed(b1, 'call.bye', {
      callId,
      from: a.user,
      reason: CallEndReason.AnsweredElsewhere,
    });
    await expectCallEnded(aCallsB, CallOutcome.Declined, [a, b1, b2]);
    await expectNothingPending([a, b1, b2]);
  });

  it('the caller cancels: every ringing tab gets the bye', async () => {
    const { a, b1, b2, callId, aCallsB } = await bobRingingInTwoTabs('tabs-cancel');

    await ok(a, 'call.bye', { callId });
    for (const tab of [b1, b2]) {
      await expectRelayed(tab, 'call.bye', { callId, from: a.user, reason: CallEndReason.Hangup });
    }
    await expectCallEnded(aCallsB, CallOutcome.Missed, [a, b1, b2]);
    await expectNothingPending([a, b1, b2]);
  });

  it('only the tabs that are members of the room ring', async () => {
    const room = uniqueRoom('tabs-member');
    const [a, b1] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const b2 = await pool.tab(b1);
    const callId = uniqueCallId();
    const aCallsB = await ringTabs(a, [b1], room, callId);
    await expectNothingPending([b2]);
    await expectEachRefused(b2, callId, 'not_in_call');

    await relay(b1, a, 'call.accept', { callId });
    await relay(a, b1, 'call.offer', { callId, sdp: SDP });
    await relay(b1, a, 'call.bye', { callId });
    // The record reaches the room's members, which B's second tab is not.
    await expectCallEnded(aCallsB, CallOutcome.Completed, [a, b1]);
    await expectNothingPending([a, b1, b2]);
  });

  it('a member tab in its grace period does not ring, nor after it resumes; with no connected member tab the invite is peer_unavailable', async () => {
    const room = uniqueRoom('tabs-grace');
    const [a, b1] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const b2 = await pool.tabIn(b1, room);
    const b3 = await pool.tab(b1);
    await dropSocket(server(), b1);

    const callId = uniqueCallId();
    const aCallsB = await ringTabs(a, [b2], room, callId);
    await resume(pool, b1);
    await expectNothingPending([b1, b3]);
    await expectEachRefused(b1, callId, 'not_in_call');
    await relay(a, b2, 'call.bye', { callId });
    await expectCallEnded(aCallsB, CallOutcome.Missed, [a, b1, b2]);

    // B's member tabs in grace, a connected tab that is not a member: nobody to ring.
    await dropSocket(server(), b1);
    await dropSocket(server(), b2);
    await expectInviteFails(a, { to: b1.user.userId, room }, 'peer_unavailable');
    await expectNothingPending([a, b3]);
  });

  it('the ring timeout sends exactly one "timeout" bye to the caller and to each ringing tab', async () => {
    const { a, b1, b2, callId, aCallsB, ringingSince } = await bobRingingInTwoTabs('tabs-timeout');

    const wait = RING_TIMEOUT_MS + 2_000;
    expect(await a.client.next(wait)).toEqual({
      event: 'call.bye',
      data: { callId, from: b1.user, reason: CallEndReason.Timeout },
    });
    for (const tab of [b1, b2]) {
      expect(await tab.client.next(wait)).toEqual({
        event: 'call.bye',
        data: { callId, from: a.user, reason: CallEndReason.Timeout },
      });
    }
    expect(Date.now() - ringingSince).toBeGreaterThanOrEqual(RING_TIMEOUT_MS - 50);
    await expectCallEnded(aCallsB, CallOutcome.Missed, [a, b1, b2]);
    // A second ring timeout would have fired by now.
    await sleep(RING_TIMEOUT_MS + 100);
    await expectNothingPending([a, b1, b2]);
  });

  it('a ringing tab that ends for good stops ringing; the other tab can still accept', async () => {
    const { a, b1, b2, callId, aCallsB } = await bobRingingInTwoTabs('tabs-one-gone');

    await dropSocket(server(), b1);
    await waitUntilEnded(b1);
    await expectNothingPending([a, b2]);

    await relay(b2, a, 'call.accept', { callId });
    await relay(a, b2, 'call.offer', { callId, sdp: SDP });
    await relay(a, b2, 'call.bye', { callId });
    await expectCallEnded(aCallsB, CallOutcome.Completed, [a, b2]);
    await expectNothingPending([a, b2]);
  });

  it('when no ringing tab is left, the caller gets call.bye "peer_disconnected" and the call is missed', async () => {
    const { room, a, b1, b2, callId, aCallsB } = await bobRingingInTwoTabs('tabs-all-gone');

    await dropSocket(server(), b1);
    await waitUntilEnded(b1);
    await expectNothingPending([a]);
    await dropSocket(server(), b2);
    expect(await nextBye(a)).toEqual({
      event: 'call.bye',
      data: { callId, from: b1.user, reason: CallEndReason.PeerDisconnected },
    });
    await presenceLeft(a, b1, room);
    await expectCallEnded(aCallsB, CallOutcome.Missed, [a]);
    await expectNothingPending([a]);
    const reply = await call(a, 'call.bye', { callId });
    expectError(reply, 'not_in_call', { id: reply.id });
  });

  it('the caller ends for good while ringing: every ringing tab gets call.bye "peer_disconnected"; the call is missed', async () => {
    const { room, a, b1, b2, callId, aCallsB } = await bobRingingInTwoTabs('tabs-caller-gone');

    await dropSocket(server(), a);
    for (const tab of [b1, b2]) {
      expect(await nextBye(tab)).toEqual({
        event: 'call.bye',
        data: { callId, from: a.user, reason: CallEndReason.PeerDisconnected },
      });
    }
    await presenceLeft(b1, a, room);
    await presenceLeft(b2, a, room);
    await expectCallEnded(aCallsB, CallOutcome.Missed, [b1, b2]);
    await expectNothingPending([b1, b2]);
  });
});
