import { describe, expect, it } from 'vitest';
import { CallOutcome } from '@duplex/protocol';
import {
  CALL_RING_TIMEOUT_MS,
  call,
  useCallServer,
  expectCallEnded,
  expectCallRecord,
  expectEmptyAck,
  expectQuiet,
  expectRelayed,
  ok,
  relay,
  ring,
  sleep,
  startCall,
  uniqueCallId,
  uniqueRoom,
} from './support/call-helpers.js';
import { expectError } from './support/raw-client.js';

const { pool } = useCallServer();

const SDP_OFFER =
  'v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n';
const SDP_ANSWER = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n';
const CANDIDATE = {
  candidate:
    'candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 0.0.0.0 rport 0 generation 0',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: 'EsYx',
};

describe('relay between the two parties only', () => {
  it('invite, accept, offer, answer, candidate (object and null), bye: each reaches only the other party, from = sender, acked {}', async () => {
    const room = uniqueRoom('relay');
    const [a, b, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
    const callId = uniqueCallId();

    // invite: B gets {callId, room, from: A, video}, with no `to` and no id.
    const inviteReply = await call(a, 'call.invite', {
      callId,
      to: b.user.userId,
      room,
      video: true,
    });
    expectEmptyAck(inviteReply);
    expect(await b.client.next()).toEqual({
      event: 'call.invite',
      data: { callId, room, from: { userId: a.user.userId, name: 'Alice' }, video: true },
    });
    await expectQuiet([a, c]);

    await relay(b, a, 'call.accept', { callId });
    await expectQuiet([b, c]);

    await relay(a, b, 'call.offer', { callId, sdp: SDP_OFFER });
    await expectQuiet([a, c]);

    await relay(b, a, 'call.answer', { callId, sdp: SDP_ANSWER });
    await expectQuiet([b, c]);

    await relay(a, b, 'call.candidate', { callId, candidate: CANDIDATE });
    // Only sdpMLineIndex, or only sdpMid with the other fields null: each is enough.
    await relay(b, a, 'call.candidate', {
      callId,
      candidate: { candidate: 'candidate:1 1 udp 1 10.0.0.1 9 typ host', sdpMLineIndex: 1 },
    });
    await relay(b, a, 'call.candidate', {
      callId,
      candidate: { candidate: '', sdpMid: '1', sdpMLineIndex: null, usernameFragment: null },
    });
    await relay(a, b, 'call.candidate', { callId, candidate: null });
    await relay(b, a, 'call.candidate', { callId, candidate: null });
    await expectQuiet([a, b, c]);

    await relay(b, a, 'call.bye', { callId, reason: 'hangup' });
    await expectCallRecord([a, b, c], room, {
      callId,
      caller: a,
      callee: b,
      outcome: CallOutcome.Completed,
    });
    await expectQuiet([a, b, c]);

    // The call is over.
    expectError(await call(a, 'call.offer', { callId, sdp: SDP_OFFER }), 'not_in_call');
    await expectQuiet([a, b, c]);
  });

  it('the audio-only flag is relayed as sent (video: false)', async () => {
    const room = uniqueRoom('audio');
    const [a, b, c] = await pool.partiesIn(room, ['Ann', 'Ben', 'Cid']);
    const callId = uniqueCallId();
    const aCallsB = await ring(a, b, room, callId, false);
    await relay(b, a, 'call.decline', { callId, reason: 'no' });
    await expectCallEnded(aCallsB, CallOutcome.Declined, [a, b, c]);
    await expectQuiet([a, b, c]);
  });

  it('offers, answers and candidates flow in both directions any number of times while active', async () => {
    const room = uniqueRoom('reneg');
    const [a, b, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
    const callId = uniqueCallId();
    const aCallsB = await startCall(a, b, room, callId);

    for (let round = 0; round < 3; round++) {
      await relay(a, b, 'call.offer', { callId, sdp: `${SDP_OFFER}a=round:a${round}\r\n` });
      await relay(b, a, 'call.answer', { callId, sdp: `${SDP_ANSWER}a=round:a${round}\r\n` });
      await relay(b, a, 'call.offer', { callId, sdp: `${SDP_OFFER}a=round:b${round}\r\n` });
      await relay(a, b, 'call.answer', { callId, sdp: `${SDP_ANSWER}a=round:b${round}\r\n` });
      await relay(a, b, 'call.candidate', {
        callId,
        candidate: { ...CANDIDATE, sdpMLineIndex: round },
      });
      await relay(b, a, 'call.candidate', {
        callId,
        candidate: { ...CANDIDATE, sdpMid: `${round}` },
      });
    }
    // An offer from the callee first (glare handling is the clients' business): relayed too.
    await relay(b, a, 'call.offer', { callId, sdp: SDP_OFFER });
    await relay(a, b, 'call.offer', { callId, sdp: SDP_OFFER });
    await expectQuiet([a, b, c]);

    // Pipelined frames keep their order on the other side.
    const sdps = Array.from({ length: 10 }, (_, i) => `${SDP_OFFER}a=n:${i}\r\n`);
    const replies = sdps.map((sdp) => call(a, 'call.offer', { callId, sdp }));
    for (const reply of await Promise.all(replies)) expectEmptyAck(reply);
    for (const sdp of sdps) await expectRelayed(b, 'call.offer', { callId, from: a.user, sdp });

    await relay(a, b, 'call.bye', { callId, reason: 'done' });
    await expectCallEnded(aCallsB, CallOutcome.Completed, [a, b, c]);
    await expectQuiet([a, b, c]);
  });

  it('sdp of exactly 48 KiB (UTF-8 bytes) is relayed unchanged, multi-byte characters included', async () => {
    const room = uniqueRoom('bigsdp');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const callId = uniqueCallId();
    await startCall(a, b, room, callId);
    const ascii = 'a'.repeat(48 * 1024);
    await relay(a, b, 'call.offer', { callId, sdp: ascii });
    const multiByte = 'é'.repeat(24 * 1024); // 2 bytes each: 48 KiB exactly
    await relay(b, a, 'call.answer', { callId, sdp: multiByte });
    await expectQuiet([a, b]);
  });

  it('an active call is not ended by the ring timer', async () => {
    const room = uniqueRoom('nortimeout');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const callId = uniqueCallId();
    await startCall(a, b, room, callId);
    await sleep(CALL_RING_TIMEOUT_MS + 300);
    await expectQuiet([a, b], 0);
    await relay(a, b, 'call.offer', { callId, sdp: SDP_OFFER });
    await relay(b, a, 'call.answer', { callId, sdp: SDP_ANSWER });
    await relay(a, b, 'call.bye', { callId });
  });
});

describe('call.media', () => {
  it('is relayed as call.media {callId, from, audio, video} only while active: ringing → bad_state, a third user or an ended call → not_in_call', async () => {
    const room = uniqueRoom('media');
    const [a, b, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
    const callId = uniqueCallId();
    const aCallsB = await ring(a, b, room, callId);
    for (const party of [a, b]) {
      const reply = await call(party, 'call.media', { callId, audio: true, video: false });
      expectError(reply, 'bad_state', { id: reply.id });
    }
    const third = await call(c, 'call.media', { callId, audio: true, video: true });
    expectError(third, 'not_in_call', { id: third.id });
    await expectQuiet([a, b, c]);

    await relay(b, a, 'call.accept', { callId });
    await relay(a, b, 'call.media', { callId, audio: true, video: true });
    await relay(b, a, 'call.media', { callId, audio: false, video: true });
    await relay(a, b, 'call.media', { callId, audio: true, video: false });
    await relay(b, a, 'call.media', { callId, audio: false, video: false });
    const thirdWhileActive = await call(c, 'call.media', { callId, audio: true, video: true });
    expectError(thirdWhileActive, 'not_in_call', { id: thirdWhileActive.id });
    await expectQuiet([a, b, c]);

    await relay(a, b, 'call.bye', { callId });
    await expectCallEnded(aCallsB, CallOutcome.Completed, [a, b, c]);
    for (const party of [a, b]) {
      const reply = await call(party, 'call.media', { callId, audio: true, video: true });
      expectError(reply, 'not_in_call', { id: reply.id });
    }
    await expectQuiet([a, b, c]);
  });

  it('audio and video are required booleans: bad_message naming each, nothing relayed', async () => {
    const room = uniqueRoom('media-schema');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const callId = uniqueCallId();
    await startCall(a, b, room, callId);
    for (const [data, fields] of [
      [{ callId, video: true }, ['audio']],
      [{ callId, audio: true }, ['video']],
      [{ callId, audio: 'on', video: 1 }, ['audio', 'video']],
      [{ callId, audio: null, video: false }, ['audio']],
      [{ audio: true, video: true }, ['callId']],
    ] as const) {
      const reply = await call(a, 'call.media', data);
      expectError(reply, 'bad_message', { id: reply.id, fields: [...fields] });
    }
    await expectQuiet([a, b]);
    await relay(a, b, 'call.media', { callId, audio: false, video: true });
  });
});

describe('bye', () => {
  it('the caller cancels a ringing call: the callee gets call.bye with reason "hangup" by default', async () => {
    const room = uniqueRoom('cancel');
    const [a, b, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
    const callId = uniqueCallId();
    const aCallsB = await ring(a, b, room, callId);
    await ok(a, 'call.bye', { callId });
    await expectRelayed(b, 'call.bye', { callId, from: a.user, reason: 'hangup' });
    await expectCallEnded(aCallsB, CallOutcome.Missed, [a, b, c]);
    await expectQuiet([a, b, c]);
    // Over: accepting it now is not_in_call, and the ring timer does not fire later.
    expectError(await call(b, 'call.accept', { callId }), 'not_in_call');
    await sleep(CALL_RING_TIMEOUT_MS + 200);
    await expectQuiet([a, b, c], 0);
    // Both are free again.
    await startCall(b, a, room, uniqueCallId());
  });

  it('the callee may hang up a ringing call with call.bye; the reason is relayed as given', async () => {
    const room = uniqueRoom('calleebye');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const callId = uniqueCallId();
    const aCallsB = await ring(a, b, room, callId);
    await relay(b, a, 'call.bye', { callId, reason: 'busy elsewhere' });
    await expectCallEnded(aCallsB, CallOutcome.Declined, [a, b]);
    expectError(await call(a, 'call.bye', { callId }), 'not_in_call');
    await expectQuiet([a, b]);
  });

  it('an active call: bye without reason → "hangup"; later signalling → not_in_call; the callId is reusable', async () => {
    const room = uniqueRoom('hangup');
    const [a, b, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
    const callId = uniqueCallId();
    const aCallsB = await startCall(a, b, room, callId);
    await ok(b, 'call.bye', { callId });
    await expectRelayed(a, 'call.bye', { callId, from: b.user, reason: 'hangup' });
    await expectCallEnded(aCallsB, CallOutcome.Completed, [a, b, c]);
    await expectQuiet([a, b, c]);
    for (const [party, event, data] of [
      [a, 'call.offer', { callId, sdp: SDP_OFFER }],
      [b, 'call.answer', { callId, sdp: SDP_ANSWER }],
      [a, 'call.candidate', { callId, candidate: null }],
      [b, 'call.bye', { callId }],
      [a, 'call.bye', { callId }],
    ] as const) {
      const reply = await call(party, event, data);
      expectError(reply, 'not_in_call', { id: reply.id });
      expect(reply.id).toEqual(expect.any(String));
    }
    await expectQuiet([a, b, c]);
    const again = await startCall(a, b, room, callId);
    await relay(a, b, 'call.bye', { callId });
    await expectCallEnded(again, CallOutcome.Completed, [a, b, c]);
    await expectQuiet([a, b, c]);
  });
});

describe('decline', () => {
  it('without a reason: the caller gets call.decline with reason "declined"; the call is over; the callId can be used again', async () => {
    const room = uniqueRoom('decline');
    const [a, b, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
    const callId = uniqueCallId();
    const aCallsB = await ring(a, b, room, callId);
    await ok(b, 'call.decline', { callId });
    await expectRelayed(a, 'call.decline', { callId, from: b.user, reason: 'declined' });
    await expectCallEnded(aCallsB, CallOutcome.Declined, [a, b, c]);
    await expectQuiet([a, b, c]);

    expectError(await call(a, 'call.bye', { callId }), 'not_in_call');
    expectError(await call(b, 'call.bye', { callId }), 'not_in_call');
    expectError(await call(b, 'call.accept', { callId }), 'not_in_call');
    await expectQuiet([a, b, c]);

    // Ended ids are reusable: the same callId rings again and works end to end.
    const again = await startCall(a, b, room, callId, false);
    await relay(a, b, 'call.offer', { callId, sdp: SDP_OFFER });
    await relay(b, a, 'call.answer', { callId, sdp: SDP_ANSWER });
    await relay(a, b, 'call.bye', { callId });
    await expectCallEnded(again, CallOutcome.Completed, [a, b, c]);
    await expectQuiet([a, b, c]);
  });

  it('with a reason: the caller gets that reason as sent (not trimmed)', async () => {
    const room = uniqueRoom('declinereason');
    const [a, b, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
    const callId = uniqueCallId();
    const aCallsB = await ring(a, b, room, callId);
    await relay(b, a, 'call.decline', { callId, reason: ' in a meeting ' });
    await expectCallEnded(aCallsB, CallOutcome.Declined, [a, b, c]);
    await expectQuiet([a, b, c]);
    // Either may start a new call at once, also in the other direction, with the same id.
    await startCall(b, a, room, callId);
    await relay(b, a, 'call.bye', { callId });
  });
});

describe('callId and reason text', () => {
  it('are counted in code points and taken as sent: 64 emoji, spaces and control characters are relayed unchanged', async () => {
    const room = uniqueRoom('text');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const emojiId = '📞'.repeat(64); // 64 code points, 128 UTF-16 units
    const emojiCall = await startCall(a, b, room, emojiId);
    await relay(a, b, 'call.bye', { callId: emojiId, reason: '👋'.repeat(64) });
    await expectCallEnded(emojiCall, CallOutcome.Completed, [a, b]);
    expectError(
      await call(a, 'call.invite', {
        callId: '📞'.repeat(65),
        to: b.user.userId,
        room,
        video: true,
      }),
      'bad_message',
      { fields: ['callId'] },
    );

    const spacedId = ' ';
    const spacedCall = await ring(a, b, room, spacedId);
    await relay(b, a, 'call.decline', { callId: spacedId, reason: '  ' });
    await expectCallEnded(spacedCall, CallOutcome.Declined, [a, b]);
    const controlId = 'id\u0001\n';
    const controlCall = await startCall(b, a, room, controlId);
    await relay(a, b, 'call.bye', { callId: controlId, reason: 'tab\there' });
    await expectCallEnded(controlCall, CallOutcome.Completed, [a, b]);
    await expectQuiet([a, b]);
  });
});
