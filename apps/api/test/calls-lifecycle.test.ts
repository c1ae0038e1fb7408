import { describe, expect, it } from 'vitest';
import { CallOutcome } from '@duplex/protocol';
import {
  call,
  CALL_RING_TIMEOUT_MS,
  dropSocket,
  expectCallEnded,
  expectInviteFails,
  expectQuiet,
  expectRelayed,
  ok,
  presenceLeft,
  relay,
  resume,
  RESUME_GRACE_MS,
  ring,
  sleep,
  startCall,
  uniqueCallId,
  uniqueRoom,
  useCallServer,
  waitUntilInGrace,
  type Party,
  type PlacedCall,
} from './support/call-helpers.js';
import { expectError } from './support/raw-client.js';

const { pool, server } = useCallServer();

const SDP_OFFER = 'v=0\r\no=- 7 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=offer\r\n';
const SDP_ANSWER = 'v=0\r\no=- 8 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=answer\r\n';
const CANDIDATE = {
  candidate: 'candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host',
  sdpMid: '0',
  sdpMLineIndex: 0,
};

describe('ring timeout', () => {
  it('not accepted within CALL_RING_TIMEOUT_MS: both get call.bye "timeout" from the other party; the call is over; both are free', async () => {
    const room = uniqueRoom('timeout');
    const [a, b, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
    const callId = uniqueCallId();
    const start = Date.now();
    const aCallsB = await ring(a, b, room, callId);

    const [byeToA, byeToB] = await Promise.all([
      a.client.next(CALL_RING_TIMEOUT_MS + 2_000),
      b.client.next(CALL_RING_TIMEOUT_MS + 2_000),
    ]);
    const elapsed = Date.now() - start;
    expect(byeToA).toEqual({
      event: 'call.bye',
      data: { callId, from: b.user, reason: 'timeout' },
    });
    expect(byeToB).toEqual({
      event: 'call.bye',
      data: { callId, from: a.user, reason: 'timeout' },
    });
    expect(elapsed).toBeGreaterThanOrEqual(CALL_RING_TIMEOUT_MS - 50);
    await expectCallEnded(aCallsB, CallOutcome.Missed, [a, b, c]);
    await expectQuiet([a, b, c]);

    // Afterwards, signalling for it → not_in_call.
    expectError(await call(b, 'call.accept', { callId }), 'not_in_call');
    expectError(await call(b, 'call.decline', { callId }), 'not_in_call');
    expectError(await call(a, 'call.bye', { callId }), 'not_in_call');
    expectError(await call(a, 'call.offer', { callId, sdp: SDP_OFFER }), 'not_in_call');
    await expectQuiet([a, b, c]);

    // Both can make new calls: B calls C, and A calls B once B is free again (same id reused).
    const bc = uniqueCallId();
    const bCallsC = await startCall(b, c, room, bc);
    await relay(c, b, 'call.bye', { callId: bc });
    await expectCallEnded(bCallsC, CallOutcome.Completed, [a, b, c]);
    const again = await startCall(a, b, room, callId);
    await relay(a, b, 'call.offer', { callId, sdp: SDP_OFFER });
    await relay(b, a, 'call.bye', { callId });
    await expectCallEnded(again, CallOutcome.Completed, [a, b, c]);
    await expectQuiet([a, b, c]);
  });

  it('a call accepted just before the timeout is not timed out', async () => {
    const room = uniqueRoom('late-accept');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const callId = uniqueCallId();
    await ring(a, b, room, callId);
    await sleep(CALL_RING_TIMEOUT_MS - 200);
    await relay(b, a, 'call.accept', { callId });
    await sleep(400);
    await expectQuiet([a, b], 0);
    await relay(a, b, 'call.offer', { callId, sdp: SDP_OFFER });
    await relay(b, a, 'call.answer', { callId, sdp: SDP_ANSWER });
  });
});

describe('peer_disconnected', () => {
  for (const how of ['terminate', 'close 1000'] as const) {
    it(`active call, B's socket closes (${how}) and B does not resume: A gets call.bye "peer_disconnected" from B after the grace period`, async () => {
      const room = uniqueRoom('gone');
      const [a, b, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
      const callId = uniqueCallId();
      const aCallsB = await startCall(a, b, room, callId);

      // The grace period starts when the server sees the close: no earlier than this.
      const closingAt = Date.now();
      if (how === 'terminate') {
        await dropSocket(server(), b);
      } else {
        await b.client.close(1000);
        await waitUntilInGrace(server(), b);
      }
      const inGraceAt = Date.now();

      // Meanwhile A's frames to B are acked and dropped.
      await ok(a, 'call.offer', { callId, sdp: SDP_OFFER });
      await ok(a, 'call.answer', { callId, sdp: SDP_ANSWER });
      await ok(a, 'call.candidate', { callId, candidate: CANDIDATE });
      await ok(a, 'call.candidate', { callId, candidate: null });
      // No bye (and nothing else) before the grace period ends.
      const quietFor = RESUME_GRACE_MS - (Date.now() - inGraceAt) - 80;
      expect(quietFor).toBeGreaterThan(50);
      await expectQuiet([a, c], quietFor);

      const bye = await a.client.nextWhere(
        (frame) => frame.event === 'call.bye',
        RESUME_GRACE_MS + 2_000,
        'call.bye',
      );
      expect(Date.now() - closingAt).toBeGreaterThanOrEqual(RESUME_GRACE_MS - 20);
      expect(bye).toEqual({
        event: 'call.bye',
        data: { callId, from: b.user, reason: 'peer_disconnected' },
      });
      // B also left the room; the call was accepted, so it completed.
      await presenceLeft(a, b, room);
      await presenceLeft(c, b, room);
      await expectCallEnded(aCallsB, CallOutcome.Completed, [a, c]);
      await expectQuiet([a, c]);

      // The call is over and A is free for a new call.
      expectError(await call(a, 'call.offer', { callId, sdp: SDP_OFFER }), 'not_in_call');
      expectError(await call(a, 'call.bye', { callId }), 'not_in_call');
      const aCallsC = await startCall(a, c, room, callId);
      await relay(c, a, 'call.offer', { callId, sdp: SDP_OFFER });
      await relay(a, c, 'call.bye', { callId });
      await expectCallEnded(aCallsC, CallOutcome.Completed, [a, c]);
      await expectQuiet([a, c]);
    });
  }

  it('the caller of a ringing call disconnects for good: the callee gets call.bye "peer_disconnected" from the caller, and no timeout later', async () => {
    const room = uniqueRoom('gone-ringing');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const callId = uniqueCallId();
    const aCallsB = await ring(a, b, room, callId);
    await dropSocket(server(), a);
    const bye = await b.client.nextWhere(
      (frame) => frame.event === 'call.bye',
      RESUME_GRACE_MS + 2_000,
      'call.bye',
    );
    expect(bye).toEqual({
      event: 'call.bye',
      data: { callId, from: a.user, reason: 'peer_disconnected' },
    });
    await presenceLeft(b, a, room);
    await expectCallEnded(aCallsB, CallOutcome.Missed, [b]);
    await sleep(CALL_RING_TIMEOUT_MS);
    await expectQuiet([b], 0);
    expectError(await call(b, 'call.accept', { callId }), 'not_in_call');
  });
});

describe('resume keeps the call', () => {
  it('B drops and resumes within the grace period: the call is still active, relay works both ways, A never gets a bye', async () => {
    const room = uniqueRoom('resume');
    const [a, b, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
    const callId = uniqueCallId();
    const aCallsB = await startCall(a, b, room, callId);
    await relay(a, b, 'call.offer', { callId, sdp: SDP_OFFER });
    await relay(b, a, 'call.answer', { callId, sdp: SDP_ANSWER });

    await dropSocket(server(), b);
    // A's frame while B is away: acked, and dropped (not delivered after the resume either).
    await ok(a, 'call.candidate', { callId, candidate: CANDIDATE });
    await resume(pool, b);

    // Still active, both directions, offers and answers (an ICE restart after the reconnect).
    await relay(b, a, 'call.offer', { callId, sdp: `${SDP_OFFER}a=ice-restart:1\r\n` });
    await relay(a, b, 'call.answer', { callId, sdp: SDP_ANSWER });
    await relay(a, b, 'call.offer', { callId, sdp: `${SDP_OFFER}a=ice-restart:2\r\n` });
    await relay(b, a, 'call.answer', { callId, sdp: SDP_ANSWER });
    await relay(b, a, 'call.candidate', { callId, candidate: CANDIDATE });
    await relay(a, b, 'call.candidate', { callId, candidate: null });

    // Well past the grace period: no bye to A, no presence.left to anyone, nothing stale to B.
    await sleep(RESUME_GRACE_MS + 200);
    await expectQuiet([a, b, c], 100);

    // B is still busy in that call, and the call ends normally.
    await expectInviteFails(c, { to: b.user.userId, room }, 'busy');
    await relay(b, a, 'call.bye', { callId });
    await expectCallEnded(aCallsB, CallOutcome.Completed, [a, b, c]);
    await expectQuiet([a, b, c]);
  });

  it('the caller drops and resumes: relay works both ways on the new socket', async () => {
    const room = uniqueRoom('resume-caller');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const callId = uniqueCallId();
    await startCall(a, b, room, callId);
    await dropSocket(server(), a);
    await resume(pool, a);
    await relay(a, b, 'call.offer', { callId, sdp: SDP_OFFER });
    await relay(b, a, 'call.answer', { callId, sdp: SDP_ANSWER });
    await sleep(RESUME_GRACE_MS + 100);
    await expectQuiet([a, b], 50);
    await relay(a, b, 'call.bye', { callId, reason: 'done' });
  });

  it('a ringing call survives the callee resuming, and can then be accepted', async () => {
    const room = uniqueRoom('resume-ringing');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const callId = uniqueCallId();
    const aCallsB = await ring(a, b, room, callId);
    await dropSocket(server(), b);
    await resume(pool, b);
    await relay(b, a, 'call.accept', { callId });
    await relay(a, b, 'call.offer', { callId, sdp: SDP_OFFER });
    await relay(b, a, 'call.answer', { callId, sdp: SDP_ANSWER });
    await relay(a, b, 'call.bye', { callId });
    await expectCallEnded(aCallsB, CallOutcome.Completed, [a, b]);
    await expectQuiet([a, b]);
  });

  it('a takeover (token presented while the old socket is open) keeps the call on the new socket', async () => {
    const room = uniqueRoom('takeover');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const callId = uniqueCallId();
    const aCallsB = await startCall(a, b, room, callId);
    const old = b.client;
    await resume(pool, b);
    expect((await old.waitClosed()).code).toBe(4003);
    await relay(a, b, 'call.offer', { callId, sdp: SDP_OFFER });
    await relay(b, a, 'call.answer', { callId, sdp: SDP_ANSWER });
    await sleep(RESUME_GRACE_MS + 100);
    await expectQuiet([a, b], 50);
    await hangUpQuietly(aCallsB, [a, b]);
  });
});

describe('rooms', () => {
  it('leaving the room does not end a call', async () => {
    const room = uniqueRoom('leave');
    const [a, b, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
    const callId = uniqueCallId();
    const aCallsB = await startCall(a, b, room, callId);
    await ok(b, 'room.leave', { room });
    await presenceLeft(a, b, room);
    await presenceLeft(c, b, room);
    await ok(a, 'room.leave', { room });
    await presenceLeft(c, a, room);
    await relay(a, b, 'call.offer', { callId, sdp: SDP_OFFER });
    await relay(b, a, 'call.answer', { callId, sdp: SDP_ANSWER });
    await expectQuiet([a, b, c]);
    // A is no longer in the room: peer_unavailable (checked before busy).
    await expectInviteFails(c, { to: a.user.userId, room }, 'peer_unavailable');
    // The record goes to the room, which only C is still a member of.
    await hangUpQuietly(aCallsB, [c]);
    await expectQuiet([c]);
  });
});

/**
 * The callee ends `active` (`call.bye`, no reason), its record reaches `members`, and nothing
 * else was pending for either party.
 */
async function hangUpQuietly(active: PlacedCall, members: Party[]): Promise<void> {
  const { callId, caller, callee } = active;
  await ok(callee, 'call.bye', { callId });
  await expectRelayed(caller, 'call.bye', { callId, from: callee.user, reason: 'hangup' });
  await expectCallEnded(active, CallOutcome.Completed, members);
  await expectQuiet([caller, callee]);
}
