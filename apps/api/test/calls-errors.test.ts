import { describe, expect, it } from 'vitest';
import { CallOutcome } from '@duplex/protocol';
import {
  dropSocket,
  expectCallEnded,
  expectFails,
  expectInviteFails,
  expectQuiet,
  expectRelayed,
  ok,
  presenceLeft,
  relay,
  RESUME_GRACE_MS,
  ring,
  startCall,
  uniqueCallId,
  uniqueRoom,
  useCallServer,
} from './support/call-helpers.js';
import { expectError } from './support/raw-client.js';

const { pool, server } = useCallServer();

const SDP = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';
const CANDIDATE = {
  candidate: 'candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host',
  sdpMid: '0',
  sdpMLineIndex: 0,
};

/** Every signalling frame about `callId`, as any party might send it. */
function everySignal(callId: string): [string, Record<string, unknown>][] {
  return [
    ['call.accept', { callId }],
    ['call.decline', { callId }],
    ['call.decline', { callId, reason: 'nope' }],
    ['call.offer', { callId, sdp: SDP }],
    ['call.answer', { callId, sdp: SDP }],
    ['call.candidate', { callId, candidate: CANDIDATE }],
    ['call.candidate', { callId, candidate: null }],
    ['call.bye', { callId }],
    ['call.bye', { callId, reason: 'hangup' }],
  ];
}

describe('not_in_call', () => {
  it('a third user signalling about a ringing call → not_in_call; the parties see nothing and the call goes on', async () => {
    const room = uniqueRoom('third');
    const [a, b, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
    const callId = uniqueCallId();
    await ring(a, b, room, callId);
    for (const [event, data] of everySignal(callId))
      await expectFails(c, event, data, 'not_in_call');
    // Still ringing, still A-B.
    await relay(b, a, 'call.accept', { callId });
    await relay(a, b, 'call.offer', { callId, sdp: SDP });
    await expectQuiet([a, b, c]);
  });

  it('a third user signalling about an active call → not_in_call; the call is unaffected', async () => {
    const room = uniqueRoom('third-active');
    const [a, b, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
    const callId = uniqueCallId();
    const aCallsB = await startCall(a, b, room, callId);
    for (const [event, data] of everySignal(callId))
      await expectFails(c, event, data, 'not_in_call');
    await expectQuiet([a, b, c]);
    await relay(a, b, 'call.offer', { callId, sdp: SDP });
    await relay(b, a, 'call.answer', { callId, sdp: SDP });
    await relay(a, b, 'call.bye', { callId });
    await expectCallEnded(aCallsB, CallOutcome.Completed, [a, b, c]);
    await expectQuiet([a, b, c]);
  });

  it('an unknown callId → not_in_call for every signalling event, also for a user who is in another call', async () => {
    const room = uniqueRoom('unknown');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    for (const [event, data] of everySignal('no-such-call'))
      await expectFails(a, event, data, 'not_in_call');
    const callId = uniqueCallId();
    await startCall(a, b, room, callId);
    for (const [event, data] of everySignal(`${callId}-other`)) {
      await expectFails(a, event, data, 'not_in_call');
      await expectFails(b, event, data, 'not_in_call');
    }
    await expectQuiet([a, b]);
  });

  it('signalling about an ended call → not_in_call for both parties', async () => {
    const room = uniqueRoom('ended');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const callId = uniqueCallId();
    const aCallsB = await startCall(a, b, room, callId);
    await relay(a, b, 'call.bye', { callId });
    await expectCallEnded(aCallsB, CallOutcome.Completed, [a, b]);
    for (const [event, data] of everySignal(callId)) {
      await expectFails(a, event, data, 'not_in_call');
      await expectFails(b, event, data, 'not_in_call');
    }
    await expectQuiet([a, b]);
  });
});

describe('peer_unavailable', () => {
  it('invite to yourself, to an unknown userId, to a user not in that room, or naming a room the caller is not in', async () => {
    const room = uniqueRoom('unavail');
    const otherRoom = uniqueRoom('unavail-other');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const [d] = await pool.partiesIn(otherRoom, ['Dave']);

    await expectInviteFails(a, { to: a.user.userId, room }, 'peer_unavailable');
    await expectInviteFails(
      a,
      { to: '00000000-0000-4000-8000-000000000000', room },
      'peer_unavailable',
    );
    await expectInviteFails(a, { to: d.user.userId, room }, 'peer_unavailable');
    // D is in otherRoom, A is not: they share no room named in the invite.
    await expectInviteFails(a, { to: d.user.userId, room: otherRoom }, 'peer_unavailable');
    // B is in room, but the invite names a room only D is in / no one is in.
    await expectInviteFails(a, { to: b.user.userId, room: otherRoom }, 'peer_unavailable');
    await expectInviteFails(
      a,
      { to: b.user.userId, room: uniqueRoom('empty'), video: false },
      'peer_unavailable',
    );
    await expectQuiet([a, b, d]);

    // None of that left a call behind: A calls B fine.
    await startCall(a, b, room, uniqueCallId());
  });

  it('a callee who left the room (room.leave) → peer_unavailable', async () => {
    const room = uniqueRoom('left');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    await ok(b, 'room.leave', { room });
    await presenceLeft(a, b, room);
    await expectInviteFails(a, { to: b.user.userId, room }, 'peer_unavailable');
    await expectQuiet([a, b]);
  });

  it('a callee in their grace period (socket closed, within RESUME_GRACE_MS) → peer_unavailable, and after the grace too', async () => {
    const room = uniqueRoom('grace');
    const [a, b, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
    await dropSocket(server(), b);
    const start = Date.now();
    await expectInviteFails(a, { to: b.user.userId, room }, 'peer_unavailable');
    expect(Date.now() - start).toBeLessThan(RESUME_GRACE_MS);
    // B is still a member meanwhile: nobody saw B leave yet.
    await expectQuiet([a, c], 50);
    await presenceLeft(a, b, room);
    await expectInviteFails(a, { to: b.user.userId, room }, 'peer_unavailable');
    // A is not stuck in a call: A calls C.
    await presenceLeft(c, b, room);
    await startCall(a, c, room, uniqueCallId());
  });

  it('peer_unavailable is reported before busy', async () => {
    const room = uniqueRoom('order');
    const otherRoom = uniqueRoom('order-other');
    const [a, b, c, e] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol', 'Eve']);
    const [d] = await pool.partiesIn(otherRoom, ['Dave']);
    const callId = uniqueCallId();
    await startCall(a, b, room, callId);

    // A (busy) invites itself, an unknown user, or D who shares no room: peer_unavailable.
    await expectInviteFails(a, { to: a.user.userId, room }, 'peer_unavailable');
    await expectInviteFails(a, { to: 'nobody', room }, 'peer_unavailable');
    await expectInviteFails(a, { to: d.user.userId, room }, 'peer_unavailable');
    // D (free) invites B (busy) but they share no room: peer_unavailable.
    await expectInviteFails(d, { to: b.user.userId, room: otherRoom }, 'peer_unavailable');
    // C (free) invites B (busy) naming a room C is not in: peer_unavailable.
    await expectInviteFails(c, { to: b.user.userId, room: otherRoom }, 'peer_unavailable');
    // B (busy) drops into grace: an invite to B is peer_unavailable, not busy.
    await dropSocket(server(), b);
    await expectInviteFails(c, { to: b.user.userId, room }, 'peer_unavailable');
    // ... while a free and connected callee plus a busy caller is busy.
    await expectInviteFails(a, { to: e.user.userId, room }, 'busy');
    await expectQuiet([c, d, e], 0);
  });
});

describe('busy', () => {
  it('while A and B ring: invites to or from either of them → busy (a ringing call counts)', async () => {
    const room = uniqueRoom('busy-ring');
    const [a, b, c, d] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol', 'Dave']);
    const callId = uniqueCallId();
    await ring(a, b, room, callId);

    await expectInviteFails(c, { to: a.user.userId, room }, 'busy');
    await expectInviteFails(c, { to: b.user.userId, room }, 'busy');
    await expectInviteFails(a, { to: c.user.userId, room }, 'busy');
    await expectInviteFails(b, { to: c.user.userId, room }, 'busy');
    // Calling each other again with a new id is busy too.
    await expectInviteFails(b, { to: a.user.userId, room }, 'busy');
    await expectInviteFails(a, { to: b.user.userId, room }, 'busy');

    // The A-B call is untouched, and C is free (C calls D).
    await relay(b, a, 'call.accept', { callId });
    await startCall(c, d, room, uniqueCallId());
    await expectQuiet([a, b, c, d]);
  });

  it('while A and B are in an active call: invites to or from either of them → busy', async () => {
    const room = uniqueRoom('busy-active');
    const [a, b, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
    const callId = uniqueCallId();
    const aCallsB = await startCall(a, b, room, callId);

    await expectInviteFails(a, { to: c.user.userId, room }, 'busy');
    await expectInviteFails(b, { to: c.user.userId, room, video: false }, 'busy');
    await expectInviteFails(c, { to: a.user.userId, room }, 'busy');
    await expectInviteFails(c, { to: b.user.userId, room }, 'busy');
    await expectQuiet([a, b, c]);

    // Once the call ends A is free: A calls C.
    await relay(b, a, 'call.bye', { callId });
    await expectCallEnded(aCallsB, CallOutcome.Completed, [a, b, c]);
    await startCall(a, c, room, uniqueCallId());
    await expectQuiet([a, b, c]);
  });
});

describe('bad_message', () => {
  it('reusing a live callId (ringing or active) → bad_message ["callId"]', async () => {
    const room = uniqueRoom('reuse');
    const [a, b, c, d] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol', 'Dave']);
    const callId = uniqueCallId();
    await ring(a, b, room, callId);
    await expectFails(
      c,
      'call.invite',
      { callId, to: d.user.userId, room, video: true },
      'bad_message',
      ['callId'],
    );
    await relay(b, a, 'call.accept', { callId });
    await expectFails(
      c,
      'call.invite',
      { callId, to: d.user.userId, room, video: true },
      'bad_message',
      ['callId'],
    );
    await expectFails(
      d,
      'call.invite',
      { callId, to: c.user.userId, room, video: false },
      'bad_message',
      ['callId'],
    );
    await expectQuiet([a, b, c, d]);
    // C and D are free and can use another id.
    await startCall(c, d, room, uniqueCallId());
  });

  it('call.invite data: video missing or not a boolean, a bad callId, to, room', async () => {
    const room = uniqueRoom('invite-schema');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const to = b.user.userId;
    await expectFails(a, 'call.invite', { callId: uniqueCallId(), to, room }, 'bad_message', [
      'video',
    ]);
    await expectFails(
      a,
      'call.invite',
      { callId: uniqueCallId(), to, room, video: 'true' },
      'bad_message',
      ['video'],
    );
    await expectFails(
      a,
      'call.invite',
      { callId: uniqueCallId(), to, room, video: null },
      'bad_message',
      ['video'],
    );
    await expectFails(a, 'call.invite', { to, room, video: true }, 'bad_message', ['callId']);
    await expectFails(a, 'call.invite', { callId: '', to, room, video: true }, 'bad_message', [
      'callId',
    ]);
    await expectFails(
      a,
      'call.invite',
      { callId: 'x'.repeat(65), to, room, video: true },
      'bad_message',
      ['callId'],
    );
    await expectFails(
      a,
      'call.invite',
      { callId: uniqueCallId(), room, video: true },
      'bad_message',
      ['to'],
    );
    await expectFails(
      a,
      'call.invite',
      { callId: uniqueCallId(), to, room: 'Not A Room', video: true },
      'bad_message',
      ['room'],
    );
    await expectFails(a, 'call.invite', { callId: '', to, room }, 'bad_message', [
      'callId',
      'video',
    ]);
    // The schema is checked before the party: an invalid invite to yourself is bad_message.
    await expectFails(
      a,
      'call.invite',
      { callId: uniqueCallId(), to: a.user.userId, room },
      'bad_message',
      ['video'],
    );
    await expectQuiet([a, b]);
    // A callId of exactly 64 characters is fine.
    await startCall(a, b, room, 'y'.repeat(64));
  });

  it('sdp empty or over 48 KiB (UTF-8 bytes) → bad_message ["sdp"]; nothing reaches the other party', async () => {
    const room = uniqueRoom('sdp');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const callId = uniqueCallId();
    await startCall(a, b, room, callId);
    const tooLongAscii = 'a'.repeat(48 * 1024 + 1);
    const tooLongUtf8 = 'é'.repeat(24 * 1024) + 'a'; // 24 577 code points, 49 153 bytes
    for (const event of ['call.offer', 'call.answer']) {
      await expectFails(a, event, { callId, sdp: '' }, 'bad_message', ['sdp']);
      await expectFails(b, event, { callId, sdp: tooLongAscii }, 'bad_message', ['sdp']);
      await expectFails(a, event, { callId, sdp: tooLongUtf8 }, 'bad_message', ['sdp']);
      await expectFails(b, event, { callId }, 'bad_message', ['sdp']);
      await expectFails(a, event, { callId, sdp: 42 }, 'bad_message', ['sdp']);
    }
    await expectQuiet([a, b]);
    // The call is still fine.
    await relay(a, b, 'call.offer', { callId, sdp: SDP });
  });

  it('candidate, reason and callId shapes of the other call.* events', async () => {
    const room = uniqueRoom('shapes');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const callId = uniqueCallId();
    await startCall(a, b, room, callId);
    await expectFails(a, 'call.candidate', { callId }, 'bad_message', ['candidate']);
    await expectFails(a, 'call.candidate', { callId, candidate: 'candidate:1' }, 'bad_message', [
      'candidate',
    ]);
    await expectFails(a, 'call.candidate', { callId, candidate: {} }, 'bad_message', ['candidate']);
    await expectFails(
      a,
      'call.candidate',
      { callId, candidate: { candidate: 'c', sdpMLineIndex: -1 } },
      'bad_message',
      ['candidate'],
    );
    await expectFails(
      a,
      'call.candidate',
      { callId, candidate: { candidate: 'c', sdpMLineIndex: 0.5 } },
      'bad_message',
      ['candidate'],
    );
    await expectFails(
      a,
      'call.candidate',
      { callId, candidate: { candidate: 'c', sdpMid: 0 } },
      'bad_message',
      ['candidate'],
    );
    // A browser cannot add a candidate with neither sdpMid nor sdpMLineIndex.
    await expectFails(
      a,
      'call.candidate',
      { callId, candidate: { candidate: 'c' } },
      'bad_message',
      ['candidate'],
    );
    await expectFails(
      a,
      'call.candidate',
      { callId, candidate: { candidate: 'c', sdpMid: null, sdpMLineIndex: null } },
      'bad_message',
      ['candidate'],
    );
    await expectFails(
      b,
      'call.candidate',
      {
        callId,
        candidate: { candidate: '', sdpMid: null, sdpMLineIndex: null, usernameFragment: 'u' },
      },
      'bad_message',
      ['candidate'],
    );
    await expectFails(b, 'call.bye', { callId, reason: '' }, 'bad_message', ['reason']);
    await expectFails(b, 'call.bye', { callId, reason: 'r'.repeat(65) }, 'bad_message', ['reason']);
    await expectFails(b, 'call.bye', { callId, reason: 7 }, 'bad_message', ['reason']);
    for (const event of ['call.accept', 'call.decline', 'call.bye']) {
      await expectFails(b, event, {}, 'bad_message', ['callId']);
      await expectFails(b, event, { callId: 5 }, 'bad_message', ['callId']);
    }
    await expectFails(b, 'call.decline', { callId, reason: '' }, 'bad_message', ['reason']);
    await expectQuiet([a, b]);
    // A 64-character reason is fine.
    await relay(b, a, 'call.bye', { callId, reason: 'r'.repeat(64) });
  });

  it('the schema is checked before the party: a third user sending a bad sdp gets bad_message, not not_in_call', async () => {
    const room = uniqueRoom('schema-first');
    const [a, b, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
    const callId = uniqueCallId();
    await startCall(a, b, room, callId);
    await expectFails(c, 'call.offer', { callId, sdp: '' }, 'bad_message', ['sdp']);
    await expectQuiet([a, b, c]);
  });
});

describe('bad_state', () => {
  it('offer, answer or candidate while ringing → bad_state, from either party; the call rings on', async () => {
    const room = uniqueRoom('ringing');
    const [a, b, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
    const callId = uniqueCallId();
    await ring(a, b, room, callId);
    for (const party of [a, b]) {
      await expectFails(party, 'call.offer', { callId, sdp: SDP }, 'bad_state');
      await expectFails(party, 'call.answer', { callId, sdp: SDP }, 'bad_state');
      await expectFails(party, 'call.candidate', { callId, candidate: CANDIDATE }, 'bad_state');
      await expectFails(party, 'call.candidate', { callId, candidate: null }, 'bad_state');
    }
    // Nothing was relayed (the next frame A sees is B's accept), and the call can still be accepted.
    await relay(b, a, 'call.accept', { callId });
    await relay(a, b, 'call.offer', { callId, sdp: SDP });
    await expectQuiet([a, b, c]);
  });

  it('accept or decline by the caller → bad_state', async () => {
    const room = uniqueRoom('caller-accept');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const callId = uniqueCallId();
    const aCallsB = await ring(a, b, room, callId);
    await expectFails(a, 'call.accept', { callId }, 'bad_state');
    await expectFails(a, 'call.decline', { callId }, 'bad_state');
    await expectFails(a, 'call.decline', { callId, reason: 'x' }, 'bad_state');
    // Still ringing: the caller cancels it.
    await ok(a, 'call.bye', { callId });
    await expectRelayed(b, 'call.bye', { callId, from: a.user, reason: 'hangup' });
    await expectCallEnded(aCallsB, CallOutcome.Missed, [a, b]);
    await expectQuiet([a, b]);
  });

  it('accept twice, decline after accept, accept/decline by the caller of an active call → bad_state', async () => {
    const room = uniqueRoom('twice');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const callId = uniqueCallId();
    await startCall(a, b, room, callId);
    await expectFails(b, 'call.accept', { callId }, 'bad_state');
    await expectFails(b, 'call.decline', { callId }, 'bad_state');
    await expectFails(b, 'call.decline', { callId, reason: 'changed my mind' }, 'bad_state');
    await expectFails(a, 'call.accept', { callId }, 'bad_state');
    await expectFails(a, 'call.decline', { callId }, 'bad_state');
    await expectQuiet([a, b]);
    // The call is still active.
    await relay(b, a, 'call.offer', { callId, sdp: SDP });
    await relay(a, b, 'call.answer', { callId, sdp: SDP });
    await relay(a, b, 'call.bye', { callId });
  });
});

describe('before hello', () => {
  it('call.* before hello → unauthenticated', async () => {
    const client = await pool.connect();
    for (const [event, data] of everySignal('x')) {
      const reply = await client.request(event, data);
      expectError(reply, 'unauthenticated', { id: reply.id });
    }
    const reply = await client.request('call.invite', {
      callId: 'x',
      to: 'y',
      room: 'lobby',
      video: true,
    });
    expectError(reply, 'unauthenticated', { id: reply.id });
  });
});
