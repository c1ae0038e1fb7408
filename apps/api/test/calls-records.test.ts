import { afterEach, describe, expect, it, vi } from 'vitest';
import { CallEndReason, CallOutcome } from '@duplex/protocol';
import { ChatService } from '../src/chat/chat.service.js';
import { APP_LOGGER, type AppLogger } from '../src/logging/logger.js';
import {
  call,
  expectCallEnded,
  expectInviteFails,
  expectNothingPending,
  expectRelayed,
  ok,
  relay,
  ring,
  sleep,
  startCall,
  uniqueCallId,
  uniqueRoom,
  useCallServer,
  type CallMessage,
  type Party,
} from './support/call-helpers.js';
import type { ServerFrame } from './support/raw-client.js';

const { pool, server } = useCallServer();

afterEach(() => {
  vi.restoreAllMocks();
});

/**
 * `sender` sends a chat message to `room`; every one of `members` (sender included) receives
 * it. Resolves with its `seq`: a barrier that shows how many messages the room stored before it.
 */
async function chat(sender: Party, members: Party[], room: string, text: string): Promise<number> {
  const reply = await call(sender, 'chat.send', { room, clientId: uniqueCallId('c'), text });
  expect(reply.event, JSON.stringify(reply)).toBe('ack');
  const seq = reply.data.seq as number;
  for (const member of members) {
    const frame = await member.client.nextWhere(
      (each) => each.event === 'chat.message' && each.data.seq === seq,
      2_000,
      `chat.message ${seq} on ${member.user.name}'s socket`,
    );
    expect(frame.data).toMatchObject({ room, seq, text, from: sender.user });
  }
  return seq;
}

async function joinAck(party: Party, room: string, since?: number): Promise<ServerFrame['data']> {
  const reply = await call(party, 'room.join', { room, ...(since !== undefined && { since }) });
  expect(reply.event, JSON.stringify(reply)).toBe('ack');
  return reply.data;
}

async function httpHistory(room: string, query = ''): Promise<unknown[]> {
  const response = await fetch(server().httpUrl(`/api/rooms/${room}/messages${query}`));
  expect(response.status).toBe(200);
  return (await response.json()) as unknown[];
}

describe('call records', () => {
  it('every outcome is stored in the room as a chat.message of kind "call": live, in a later join history and over HTTP', async () => {
    const room = uniqueRoom('records');
    const [a, b, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
    const members = [a, b, c];
    const first = await chat(a, members, room, 'before the calls');
    const records: CallMessage[] = [];

    // completed: accepted, then hung up; durationMs runs from the accept.
    const completed = await startCall(a, b, room, uniqueCallId());
    await sleep(40);
    await relay(b, a, 'call.bye', { callId: completed.callId });
    const completedRecord = await expectCallEnded(completed, CallOutcome.Completed, members);
    expect(completedRecord.call.durationMs).toBeGreaterThanOrEqual(40);
    records.push(completedRecord);

    // failed: accepted, then ended with reason "failed" (media never connected).
    const failed = await startCall(b, a, room, uniqueCallId(), false);
    await relay(a, b, 'call.bye', { callId: failed.callId, reason: CallEndReason.Failed });
    records.push(await expectCallEnded(failed, CallOutcome.Failed, members));

    // declined: a call.decline ...
    const declined = await ring(a, c, room, uniqueCallId());
    await relay(c, a, 'call.decline', { callId: declined.callId });
    records.push(await expectCallEnded(declined, CallOutcome.Declined, members));

    // ... or the callee's call.bye while ringing.
    const hungUpRinging = await ring(c, a, room, uniqueCallId());
    await relay(a, c, 'call.bye', { callId: hungUpRinging.callId });
    records.push(await expectCallEnded(hungUpRinging, CallOutcome.Declined, members));

    // missed: the caller cancels ...
    const cancelled = await ring(b, c, room, uniqueCallId());
    await relay(b, c, 'call.bye', { callId: cancelled.callId });
    records.push(await expectCallEnded(cancelled, CallOutcome.Missed, members));

    // ... or nobody answers before the ring timeout.
    const unanswered = await ring(a, b, room, uniqueCallId());
    const { callId } = unanswered;
    await expectRelayed(a, 'call.bye', { callId, from: b.user, reason: CallEndReason.Timeout });
    await expectRelayed(b, 'call.bye', { callId, from: a.user, reason: CallEndReason.Timeout });
    records.push(await expectCallEnded(unanswered, CallOutcome.Missed, members));
    await expectNothingPending(members);

    // One new seq each, in the order the calls ended.
    expect(records.map((record) => record.seq)).toEqual(records.map((_, i) => first + 1 + i));

    // A later joiner's history holds the text message and every record, as they were sent live.
    const [d] = await pool.partiesIn(uniqueRoom('elsewhere'), ['Dave']);
    const joined = await joinAck(d, room);
    expect(joined.lastSeq).toBe(records.at(-1)!.seq);
    expect(joined.history[0]).toMatchObject({ seq: first, text: 'before the calls' });
    expect(joined.history.slice(1)).toEqual(records);
    // A member recovering with `since` gets exactly the records.
    const recovered = await joinAck(a, room, first);
    expect(recovered.recovered).toBe(true);
    expect(recovered.history).toEqual(records);

    // Over HTTP: the same messages, newest page and paging forward.
    expect(await httpHistory(room)).toEqual(joined.history);
    expect(await httpHistory(room, `?after=${first}`)).toEqual(records);
    expect(await httpHistory(room, `?before=${records[2]!.seq}&limit=2`)).toEqual(
      records.slice(0, 2),
    );
  });

  it('an invite answered busy or peer_unavailable stores nothing', async () => {
    const room = uniqueRoom('no-record');
    const otherRoom = uniqueRoom('no-record-other');
    const [a, b, c] = await pool.partiesIn(room, ['Alice', 'Bob', 'Carol']);
    const [d] = await pool.partiesIn(otherRoom, ['Dave']);
    const members = [a, b, c];
    const before = await chat(a, members, room, 'before');

    for (const to of [a.user.userId, 'nobody', d.user.userId]) {
      await expectInviteFails(a, { to, room }, 'peer_unavailable');
    }
    const callId = uniqueCallId();
    const aCallsB = await ring(a, b, room, callId);
    for (const [from, to] of [
      [c, a],
      [c, b],
      [a, c],
    ] as const) {
      await expectInviteFails(from, { to: to.user.userId, room }, 'busy');
    }
    // A call that began but has not ended stores nothing either.
    expect(await chat(c, members, room, 'after')).toBe(before + 1);
    await expectNothingPending([...members, d]);

    await relay(a, b, 'call.bye', { callId });
    const record = await expectCallEnded(aCallsB, CallOutcome.Missed, members);
    expect(record.seq).toBe(before + 2);
    await expectNothingPending([...members, d]);
  });

  it('a call.bye is relayed and acked when its record cannot be stored; the failure is logged', async () => {
    const room = uniqueRoom('store-fails');
    const [a, b] = await pool.partiesIn(room, ['Alice', 'Bob']);
    const before = await chat(a, [a, b], room, 'before');
    // Whichever instance ends a call stores its record: each one fails the next two stores.
    const failures = [
      () => Promise.reject(new Error('storage unavailable')),
      () => {
        throw new Error('storage refused at once');
      },
    ];
    const storeCalls = server().instances.map((instance) => {
      const chatService = instance.app.get(ChatService);
      const original = chatService.storeCall.bind(chatService);
      return vi
        .spyOn(chatService, 'storeCall')
        .mockImplementation((...args) => (failures.shift() ?? (() => original(...args)))());
    });
    const loggers = server().instances.map((instance) =>
      vi.spyOn(instance.app.get<symbol, AppLogger>(APP_LOGGER), 'error'),
    );

    const rejected = uniqueCallId();
    await startCall(a, b, room, rejected);
    await relay(a, b, 'call.bye', { callId: rejected });
    const thrown = uniqueCallId();
    await ring(b, a, room, thrown);
    await relay(a, b, 'call.decline', { callId: thrown });

    // Neither was stored, and both failures were logged with their call.
    expect(await chat(b, [a, b], room, 'after')).toBe(before + 1);
    await expectNothingPending([a, b]);
    expect(storeCalls.reduce((calls, spy) => calls + spy.mock.calls.length, 0)).toBe(2);
    const logged = loggers.flatMap((logger) => logger.mock.calls);
    for (const callId of [rejected, thrown]) {
      expect(logged).toContainEqual([
        expect.objectContaining({ callId, room, err: expect.any(Error) }),
        'call record not stored',
      ]);
    }

    // The next call's record is stored as usual.
    const next = await startCall(a, b, room, uniqueCallId());
    await ok(b, 'call.bye', { callId: next.callId });
    await expectRelayed(a, 'call.bye', { callId: next.callId, from: b.user, reason: 'hangup' });
    const record = await expectCallEnded(next, CallOutcome.Completed, [a, b]);
    expect(record.seq).toBe(before + 2);
  });
});
