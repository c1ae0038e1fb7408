import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import {
  CallOutcome,
  PROTOCOL_BOUNDS,
  type ChatMessage,
  type MembersPage,
  type User,
} from '@duplex/protocol';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { ConfigInput } from '../src/config/config.js';
import {
  expectCallEnded,
  expectEmptyAck,
  expectInviteFails,
  expectRelayed,
  ok,
  relay,
  uniqueCallId,
  uniqueRoom,
  type CallMessage,
  type Party,
  type PlacedCall,
} from './support/call-helpers.js';
import { presenceChange, presenceSays, sleep, userIdsOf } from './support/chat-helpers.js';
import { Cluster, useClusterBackends } from './support/cluster-servers.js';
import { skipPostgres } from './support/postgres-server.js';
import { expectError, type RawClient, type ServerFrame } from './support/raw-client.js';
import { skipRedis } from './support/redis-server.js';

/**
 * What PROTOCOL.md promises of several api instances ("everything … holds across instances
 * exactly as on one"), with every client placed on an instance of its own choosing: Ann on
 * instance 0, Bob on 1, Cat on 2. Each test runs a cluster of three instances on a fresh
 * database and Redis key prefix of this file's PostgreSQL and Redis. Absence is proven with a
 * barrier (a frame that comes after anything unwanted would have), never with a wait.
 */

const TEST_TIMEOUT_MS = 30_000;
/** Long enough for a frame crossing instances through Redis (and a gap fill) to arrive. */
const FRAME_TIMEOUT_MS = 5_000;
/** Short enough that a ring timeout test is quick; long enough to accept a call by script. */
const RING_TIMEOUT_MS = 800;

const backends = useClusterBackends();

/** A cluster for one test, stopped once the test is over. */
async function cluster(overrides: ConfigInput = {}): Promise<Cluster> {
  const started = await Cluster.start(backends(), {
    // Bursts of signalling and sends are the tests' business, not the rate limiter's.
    BURST: 1_000,
    MESSAGES_PER_SECOND: 1_000,
    ...overrides,
  });
  onTestFinished(() => started.stop());
  return started;
}

/** Connects to instance `index` and says hello (with `extra`: `identity`, `resume`). */
async function partyOn(
  on: Cluster,
  index: number,
  name: string,
  extra: Record<string, unknown> = {},
): Promise<Party> {
  const client = await on.connect(index);
  const ack = await client.hello(name, extra);
  return {
    client,
    user: { userId: ack.userId, name: ack.name },
    resume: ack.resume,
    identity: ack.identity,
  };
}

async function join(party: Party, room: string, since?: number): Promise<ServerFrame['data']> {
  const reply = await party.client.request(
    'room.join',
    { room, ...(since !== undefined && { since }) },
    FRAME_TIMEOUT_MS,
  );
  expect(reply.event, JSON.stringify(reply)).toBe('ack');
  return reply.data;
}

/**
 * `parties` join `room` in order, each once the room's presence is quiet again (so each join
 * goes out on its own, not in a `presence.diff` the joiner gets too); every earlier party
 * learns of each join, with `online` counting the joiners so far. Returns the join acks; every
 * queue is empty of presence afterwards.
 */
async function joinInOrder(room: string, parties: Party[]): Promise<ServerFrame['data'][]> {
  const acks: ServerFrame['data'][] = [];
  for (const [index, party] of parties.entries()) {
    if (index > 0) await sleep(PROTOCOL_BOUNDS.presenceCoalesceMs + 20);
    acks.push(await join(party, room));
    for (const earlier of parties.slice(0, index)) {
      const change = await presenceSays(
        earlier.client,
        room,
        'joined',
        party.user.userId,
        FRAME_TIMEOUT_MS,
      );
      expect(change.online, `${earlier.user.name} told ${party.user.name} joined`).toBe(index + 1);
    }
  }
  return acks;
}

const redisOfTheTests = () => createClient({ url: backends().redis.url });
type TestRedis = ReturnType<typeof redisOfTheTests>;

/**
 * Runs `change` with a Redis connection of the test's own and `key`, which names a key of
 * cluster `on` (under its prefix): for state that a failure would leave behind.
 */
async function inRedisOf(
  on: Cluster,
  change: (redis: TestRedis, key: (...parts: string[]) => string) => Promise<unknown>,
): Promise<void> {
  const redis = redisOfTheTests();
  await redis.connect();
  try {
    await change(redis, (...parts) => on.redisKeyPrefix + parts.join(':'));
  } finally {
    await redis.close();
  }
}

/** Sends a text message that must be acked; resolves with `{seq, ts}`. */
async function say(
  party: Party,
  room: string,
  text: string,
  clientId = `c-${randomUUID()}`,
): Promise<{ seq: number; ts: string; clientId: string }> {
  const reply = await party.client.request('chat.send', { room, clientId, text }, FRAME_TIMEOUT_MS);
  expect(reply.event, JSON.stringify(reply)).toBe('ack');
  expect(Object.keys(reply.data).sort()).toEqual(['seq', 'ts']);
  return { ...(reply.data as { seq: number; ts: string }), clientId };
}

/**
 * The `chat.message` frames of `room` that `client` receives up to and including the one of
 * `lastSeq` (the barrier: it comes after every lower `seq`), in arrival order.
 */
async function messagesUpTo(
  client: RawClient,
  room: string,
  lastSeq: number,
): Promise<ChatMessage[]> {
  const received: ChatMessage[] = [];
  for (;;) {
    const frame = await client.nextWhere(
      (candidate) => candidate.event === 'chat.message' && candidate.data.room === room,
      FRAME_TIMEOUT_MS,
      `chat.message of ${room} up to seq ${lastSeq} (received ${JSON.stringify(received.map((m) => m.seq))})`,
    );
    const message = frame.data as ChatMessage;
    received.push(message);
    if (message.seq >= lastSeq) return received;
  }
}

/** The room's stored messages, read over HTTP from instance `index`. */
function storedMessages(on: Cluster, index: number, room: string): Promise<ChatMessage[]> {
  return on.getJson<ChatMessage[]>(index, `/api/rooms/${room}/messages?after=0&limit=200`);
}

const isCallFrame = (callId: string) => (frame: ServerFrame) =>
  frame.data?.callId === callId ||
  (frame.event === 'chat.message' &&
    frame.data.kind === 'call' &&
    frame.data.call.callId === callId);

const isMessage = (room: string, seq: number) => (frame: ServerFrame) =>
  frame.event === 'chat.message' && frame.data.room === room && frame.data.seq === seq;

/** Nothing about `callId` (a bye, a record) reaches any of `parties` before the message `seq`. */
async function nothingMoreOfCall(
  parties: Party[],
  room: string,
  callId: string,
  seq: number,
): Promise<void> {
  await Promise.all(
    parties.map((party) =>
      party.client.expectNoneBefore(
        isCallFrame(callId),
        isMessage(room, seq),
        `the barrier message ${seq} on ${party.user.name}'s socket`,
        FRAME_TIMEOUT_MS,
      ),
    ),
  );
}

/** The records of `callId` stored in `room`, read over HTTP from instance `index`. */
async function storedRecordsOf(
  on: Cluster,
  index: number,
  room: string,
  callId: string,
): Promise<CallMessage[]> {
  const messages = (await storedMessages(on, index, room)) as unknown as CallMessage[];
  return messages.filter((message) => message.kind === 'call' && message.call.callId === callId);
}

const byUserId = (users: readonly User[]) =>
  [...users].sort((a, b) => (a.userId < b.userId ? -1 : a.userId > b.userId ? 1 : 0));

describe.skipIf(skipPostgres || skipRedis)('three api instances on PostgreSQL and Redis', () => {
  it(
    'chat, typing, presence and the member lists reach users on three instances',
    async () => {
      const on = await cluster();
      const room = uniqueRoom('x-chat');
      const ann = await partyOn(on, 0, 'Ann');
      const bob = await partyOn(on, 1, 'Bob');
      const cat = await partyOn(on, 2, 'Cat');
      const everyone = [ann, bob, cat];

      // Join acks: `online` counts the users so far, `members` starts with the joiner.
      const [annJoin, bobJoin, catJoin] = await joinInOrder(room, everyone);
      expect(annJoin).toMatchObject({ room, online: 1, members: [ann.user], lastSeq: 0 });
      expect(bobJoin).toMatchObject({ room, online: 2, lastSeq: 0 });
      expect(bobJoin.members[0]).toEqual(bob.user);
      expect(byUserId(bobJoin.members)).toEqual(byUserId([ann.user, bob.user]));
      expect(catJoin).toMatchObject({ room, online: 3, lastSeq: 0 });
      expect(catJoin.members[0]).toEqual(cat.user);
      expect(byUserId(catJoin.members)).toEqual(byUserId(everyone.map((p) => p.user)));

      // Every instance knows every member, and the room's count.
      for (const index of [0, 1, 2]) {
        expect(
          await on.getJson<MembersPage>(index, `/api/rooms/${room}/members`),
          `members on instance ${index}`,
        ).toEqual({ online: 3, members: byUserId(everyone.map((p) => p.user)) });
        const rooms = await on.getJson<{ room: string; online: number }[]>(index, '/api/rooms');
        expect(
          rooms.find((entry) => entry.room === room),
          `GET /api/rooms on instance ${index}`,
        ).toEqual({ room, online: 3, lastSeq: 0 });
      }

      // Typing reaches the others, not the typist: Ann's own message, sent after it on the same
      // socket, comes to Ann after her typing would have (it goes out first, on the same path).
      expectEmptyAck(await ann.client.request('chat.typing', { room, typing: true }));
      const afterTyping = await say(ann, room, 'after typing');
      for (const other of [bob, cat]) {
        const typing = await other.client.nextWhere(
          (frame) => frame.event === 'chat.typing',
          FRAME_TIMEOUT_MS,
          `Ann's typing on ${other.user.name}'s socket`,
        );
        expect(typing).toEqual({
          event: 'chat.typing',
          data: { room, user: ann.user, typing: true },
        });
      }
      await ann.client.expectNoneBefore(
        (frame) => frame.event === 'chat.typing',
        isMessage(room, afterTyping.seq),
        'Ann’s own message after her typing',
        FRAME_TIMEOUT_MS,
      );

      // Everyone sends at once, from every instance; then a barrier message after every ack.
      const sends = await Promise.all(
        everyone.flatMap((party) =>
          [1, 2, 3].map(async (n) => ({
            ...(await say(party, room, `${party.user.name} ${n}`)),
            from: party.user,
          })),
        ),
      );
      const barrier = await say(cat, room, 'barrier');
      const expectedSeqs = [afterTyping.seq, ...sends.map((s) => s.seq), barrier.seq].sort(
        (a, b) => a - b,
      );
      expect(expectedSeqs).toEqual(
        Array.from({ length: expectedSeqs.length }, (_, i) => afterTyping.seq + i),
      );
      const sent = new Map([...sends, afterTyping, barrier].map((ack) => [ack.seq, ack] as const));
      for (const party of everyone) {
        // Ann's "after typing" was taken off Ann's queue already by the typing check.
        const received = await messagesUpTo(party.client, room, barrier.seq);
        const expected = party === ann ? expectedSeqs.slice(1) : expectedSeqs;
        expect(
          received.map((message) => message.seq),
          `${party.user.name}: every message once, in seq order`,
        ).toEqual(expected);
        for (const message of received) {
          expect(message).toMatchObject({
            room,
            clientId: sent.get(message.seq)!.clientId,
            ts: sent.get(message.seq)!.ts,
          });
        }
      }
      const stored = await storedMessages(on, 1, room);
      for (const ack of sends) {
        const message = stored.find((m) => m.seq === ack.seq);
        expect(message).toMatchObject({ from: ack.from, clientId: ack.clientId, ts: ack.ts });
      }

      // Cat leaves: the others learn it, wherever they are, with the new count.
      expectEmptyAck(await cat.client.request('room.leave', { room }));
      for (const party of [ann, bob]) {
        const left = await presenceSays(
          party.client,
          room,
          'left',
          cat.user.userId,
          FRAME_TIMEOUT_MS,
        );
        expect(left.online).toBe(2);
        expect(userIdsOf(left.joined)).toEqual([]);
      }
      for (const index of [0, 1, 2]) {
        expect(await on.getJson<MembersPage>(index, `/api/rooms/${room}/members`)).toEqual({
          online: 2,
          members: byUserId([ann.user, bob.user]),
        });
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a session resumed on another instance within the grace period keeps its rooms, recovers with since, and never leaves',
    async () => {
      const RESUME_GRACE_MS = 1_500;
      const on = await cluster({ RESUME_GRACE_MS });
      const room = uniqueRoom('x-resume');
      const ann = await partyOn(on, 0, 'Ann');
      const bob = await partyOn(on, 1, 'Bob');
      const cat = await partyOn(on, 2, 'Cat');
      // Dan, on Bob's instance, closes right after Bob and never comes back: his presence.left
      // comes after any Bob's grace could cause, in the room's presence order.
      const dan = await partyOn(on, 1, 'Dan');
      await joinInOrder(room, [ann, bob, cat, dan]);

      const before = await say(ann, room, 'before Bob goes');
      for (const party of [ann, bob, cat, dan]) {
        expect((await messagesUpTo(party.client, room, before.seq)).map((m) => m.seq)).toEqual([
          before.seq,
        ]);
      }
      const oldToken = bob.resume;
      expect((await bob.client.close()).code).toBe(1000);
      await dan.client.close();

      const missed = [];
      for (const n of [1, 2, 3]) missed.push(await say(ann, room, `while Bob is away ${n}`));

      const resumed = await on.connect(2);
      const ack = await resumed.hello('Ignored', { resume: oldToken });
      expect(ack).toMatchObject({
        userId: bob.user.userId,
        name: 'Bob',
        resumed: true,
        rooms: [room],
      });
      expect(ack.resume).not.toBe(oldToken);
      const bobAgain: Party = { ...bob, client: resumed, resume: ack.resume };

      const rejoin = await join(bobAgain, room, before.seq);
      expect(rejoin).toMatchObject({ room, recovered: true, lastSeq: missed[2]!.seq });
      expect(rejoin.history.map((m: ChatMessage) => m.seq)).toEqual(missed.map((m) => m.seq));
      expect(rejoin.history.map((m: ChatMessage) => (m as { text: string }).text)).toEqual([
        'while Bob is away 1',
        'while Bob is away 2',
        'while Bob is away 3',
      ]);
      // Bob, in grace or resumed, was a member all along: Dan is in grace too.
      expect(rejoin.online).toBe(4);

      // New messages come live, each once, and none of the missed ones again.
      const live = await say(ann, room, 'Bob is back');
      const barrier = await say(cat, room, 'barrier');
      expect(
        (await messagesUpTo(resumed, room, barrier.seq)).map((m) => m.seq),
        'Bob after resuming: only what came after his history',
      ).toEqual([live.seq, barrier.seq]);
      const bobSays = await say(bobAgain, room, 'hello again from instance 2');
      for (const party of [ann, cat]) {
        const received = await messagesUpTo(party.client, room, bobSays.seq);
        expect(received.map((m) => m.seq)).toEqual([
          ...missed.map((m) => m.seq),
          live.seq,
          barrier.seq,
          bobSays.seq,
        ]);
        expect(received.at(-1)).toMatchObject({ from: bob.user });
      }

      // Nobody saw Bob come or go; Dan, who did not come back, left when his grace was over.
      for (const observer of [ann, cat]) {
        for (;;) {
          const frame = await observer.client.nextWhere(
            (candidate) => presenceChange(candidate, room) !== null,
            RESUME_GRACE_MS + FRAME_TIMEOUT_MS,
            `Dan's presence.left on ${observer.user.name}'s socket`,
          );
          const change = presenceChange(frame, room)!;
          expect(
            [...userIdsOf(change.joined), ...userIdsOf(change.left)],
            `${observer.user.name} was told Bob came or went: ${JSON.stringify(frame)}`,
          ).not.toContain(bob.user.userId);
          if (userIdsOf(change.left).includes(dan.user.userId)) {
            expect(change.online).toBe(3);
            break;
          }
        }
      }

      // The token the resume replaced is refused, on any instance.
      const stale = await on.connect(0);
      const refused = await stale.helloFrame('Bob', { resume: oldToken });
      expectError(refused, 'resume_expired', { id: refused.id });
      await stale.expectUsable();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a token presented on another instance takes the session over: the old socket is closed with 4003',
    async () => {
      const on = await cluster();
      const room = uniqueRoom('x-takeover');
      const ann = await partyOn(on, 0, 'Ann');
      const bob = await partyOn(on, 1, 'Bob');
      await joinInOrder(room, [ann, bob]);

      const newSocket = await on.connect(2);
      const ack = await newSocket.hello('Bob', { resume: bob.resume });
      expect(ack).toMatchObject({
        userId: bob.user.userId,
        name: 'Bob',
        resumed: true,
        rooms: [room],
      });
      const closed = await bob.client.waitClosed(FRAME_TIMEOUT_MS);
      expect(closed.code).toBe(4003);
      const bobNow: Party = { ...bob, client: newSocket, resume: ack.resume };

      const fromBob = await say(bobNow, room, 'from the new socket');
      const fromAnn = await say(ann, room, 'to the new socket');
      expect((await messagesUpTo(newSocket, room, fromAnn.seq)).map((m) => m.seq)).toEqual([
        fromBob.seq,
        fromAnn.seq,
      ]);
      const annGot = await messagesUpTo(ann.client, room, fromAnn.seq);
      expect(annGot.map((m) => m.seq)).toEqual([fromBob.seq, fromAnn.seq]);
      expect(annGot[0]).toMatchObject({ from: bob.user, text: 'from the new socket' });

      // Ann never sees Bob leave: Dan joins on Bob's old instance after it let go of Bob's
      // session, so his join comes after any leave that release could have announced.
      const dan = await partyOn(on, 1, 'Dan');
      await join(dan, room);
      for (;;) {
        const frame = await ann.client.nextWhere(
          (candidate) => presenceChange(candidate, room) !== null,
          FRAME_TIMEOUT_MS,
          "Dan's presence.joined on Ann's socket",
        );
        const change = presenceChange(frame, room)!;
        expect(userIdsOf(change.left), JSON.stringify(frame)).not.toContain(bob.user.userId);
        if (userIdsOf(change.joined).includes(dan.user.userId)) {
          expect(change.online).toBe(3);
          break;
        }
      }
      await newSocket.expectUsable();
    },
    TEST_TIMEOUT_MS,
  );

  describe('calls whose parties are on different instances', () => {
    /** Ann (0), Bob (1) and Cat (2) in one room; presence consumed. */
    async function threeInARoom(on: Cluster, prefix: string) {
      const room = uniqueRoom(prefix);
      const ann = await partyOn(on, 0, 'Ann');
      const bob = await partyOn(on, 1, 'Bob');
      const cat = await partyOn(on, 2, 'Cat');
      await joinInOrder(room, [ann, bob, cat]);
      return { room, ann, bob, cat };
    }

    async function invite(caller: Party, callee: Party, room: string): Promise<PlacedCall> {
      const callId = uniqueCallId('x');
      await ok(caller, 'call.invite', { callId, to: callee.user.userId, room, video: true });
      await expectRelayed(callee, 'call.invite', { callId, room, from: caller.user, video: true });
      return { room, callId, caller, callee, video: true };
    }

    it(
      'signalling is relayed both ways, busy is known everywhere, and the record reaches every member once',
      async () => {
        const on = await cluster({ CALL_RING_TIMEOUT_MS: RING_TIMEOUT_MS });
        const { room, ann, bob, cat } = await threeInARoom(on, 'x-call');

        const placed = await invite(ann, bob, room);
        const { callId } = placed;
        await relay(bob, ann, 'call.accept', { callId });
        await relay(ann, bob, 'call.offer', { callId, sdp: 'v=0 offer from instance 0' });
        await relay(bob, ann, 'call.answer', { callId, sdp: 'v=0 answer from instance 1' });
        const candidate = (n: number) => ({
          candidate: `candidate:${n} 1 udp 2122260223 192.0.2.${n} 5000${n} typ host`,
          sdpMid: '0',
          sdpMLineIndex: 0,
          usernameFragment: null,
        });
        await relay(ann, bob, 'call.candidate', { callId, candidate: candidate(1) });
        await relay(bob, ann, 'call.candidate', { callId, candidate: candidate(2) });
        await relay(ann, bob, 'call.candidate', { callId, candidate: null });
        await relay(bob, ann, 'call.candidate', { callId, candidate: null });
        await relay(ann, bob, 'call.media', { callId, audio: false, video: true });
        await relay(bob, ann, 'call.media', { callId, audio: true, video: false });

        // Busy, whichever instance the other party and the inviter are on.
        await expectInviteFails(cat, { to: ann.user.userId, room }, 'busy');
        await expectInviteFails(cat, { to: bob.user.userId, room }, 'busy');
        await expectInviteFails(ann, { to: cat.user.userId, room }, 'busy');
        await expectInviteFails(bob, { to: cat.user.userId, room }, 'busy');

        await relay(ann, bob, 'call.bye', { callId });
        const record = await expectCallEnded(placed, CallOutcome.Completed, [ann, bob, cat]);
        const barrier = await say(cat, room, 'after the call');
        await nothingMoreOfCall([ann, bob, cat], room, callId, barrier.seq);
        for (const index of [0, 1, 2]) {
          expect(await storedRecordsOf(on, index, room, callId)).toEqual([record]);
        }

        // The call is over everywhere: Cat can call Ann now, and the others are free.
        await invite(cat, ann, room);
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'the offer rung with the invite and the answer in the accept cross instances; an answer to an invite without one is bad_state',
      async () => {
        const on = await cluster({ CALL_RING_TIMEOUT_MS: RING_TIMEOUT_MS });
        const { room, ann, bob, cat } = await threeInARoom(on, 'x-early');

        const callId = uniqueCallId('x');
        const offer = 'v=0 offer rung from instance 0';
        await ok(ann, 'call.invite', {
          callId,
          to: bob.user.userId,
          room,
          video: true,
          sdp: offer,
        });
        await expectRelayed(bob, 'call.invite', {
          callId,
          room,
          from: ann.user,
          video: true,
          sdp: offer,
        });
        // Instance 1 reads from Redis that the invite, which instance 0 took, carried an offer.
        await relay(bob, ann, 'call.accept', { callId, sdp: 'v=0 answer from instance 1' });
        await relay(bob, ann, 'call.candidate', {
          callId,
          candidate: { candidate: 'candidate:1 1 udp 1 192.0.2.1 50001 typ host', sdpMid: '0' },
        });
        await relay(ann, bob, 'call.offer', { callId, sdp: 'v=0 renegotiation from instance 0' });
        await relay(ann, bob, 'call.bye', { callId });
        await expectCallEnded(
          { room, callId, caller: ann, callee: bob, video: true },
          CallOutcome.Completed,
          [ann, bob, cat],
        );

        const placed = await invite(ann, bob, room);
        const reply = await bob.client.request(
          'call.accept',
          { callId: placed.callId, sdp: 'v=0 answer to no offer' },
          FRAME_TIMEOUT_MS,
        );
        expectError(reply, 'bad_state', { id: reply.id });
        // Bob's instance would have published an accept before its later chat message.
        const barrier = await say(bob, room, 'after the refused accept');
        await nothingMoreOfCall([ann, bob, cat], room, placed.callId, barrier.seq);
        await relay(bob, ann, 'call.accept', { callId: placed.callId });
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'a call its dead instance could not end keeps nobody busy: the next invite ends it, with its record, and rings',
      async () => {
        const on = await cluster({ CALL_RING_TIMEOUT_MS: RING_TIMEOUT_MS });
        const { room, ann, bob, cat } = await threeInARoom(on, 'x-stale');
        // What an instance that held both parties' sessions leaves when it dies and ending its
        // calls fails: an active call in Redis whose sessions no longer exist anywhere.
        const stale = uniqueCallId('stale');
        const startedAt = new Date(Date.now() - 60_000).toISOString();
        const call = {
          callId: stale,
          room,
          video: false,
          caller: ann.user,
          callerSessionId: `gone-${randomUUID()}`,
          callee: bob.user,
          startedAt,
          phase: {
            state: 'active',
            calleeSessionId: `gone-${randomUUID()}`,
            answeredAt: startedAt,
          },
        };
        await inRedisOf(on, (redis, key) =>
          redis
            .multi()
            .set(key('call', stale), JSON.stringify(call))
            .set(key('user-call', ann.user.userId), stale)
            .set(key('user-call', bob.user.userId), stale)
            .exec(),
        );

        // The invite rings; the abandoned call's record, stored meanwhile, may come before or
        // after the ring on Bob's socket.
        const callId = uniqueCallId('x');
        await ok(ann, 'call.invite', { callId, to: bob.user.userId, room, video: true });
        const ring = await bob.client.nextWhere(
          (frame) => frame.event === 'call.invite',
          FRAME_TIMEOUT_MS,
          'the ring',
        );
        expect(ring.data).toEqual({ callId, room, from: ann.user, video: true });
        // The record reaches the room like any other, on every instance.
        for (const party of [ann, bob, cat]) {
          await party.client.nextWhere(
            (frame) =>
              frame.event === 'chat.message' &&
              (frame.data as CallMessage).kind === 'call' &&
              (frame.data as CallMessage).call.callId === stale,
            FRAME_TIMEOUT_MS,
            `the record of the abandoned call, at ${party.user.name}`,
          );
        }
        const records = await storedRecordsOf(on, 2, room, stale);
        expect(records).toHaveLength(1);
        expect(records[0]!.call).toMatchObject({
          callId: stale,
          caller: ann.user,
          callee: bob.user,
          outcome: 'completed',
        });
        // The new call is a call like any other.
        await relay(bob, ann, 'call.accept', { callId });
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'the ring timeout ends a call across instances once: one timeout bye each, one missed record',
      async () => {
        const on = await cluster({ CALL_RING_TIMEOUT_MS: RING_TIMEOUT_MS });
        const { room, ann, bob, cat } = await threeInARoom(on, 'x-ring');

        const placed = await invite(ann, bob, room);
        const { callId } = placed;
        const [toAnn, toBob] = await Promise.all(
          [ann, bob].map((party) =>
            party.client.nextWhere(
              (frame) => frame.event === 'call.bye' && frame.data.callId === callId,
              RING_TIMEOUT_MS + FRAME_TIMEOUT_MS,
              `the timeout bye on ${party.user.name}'s socket`,
            ),
          ),
        );
        expect(toAnn).toEqual({
          event: 'call.bye',
          data: { callId, from: bob.user, reason: 'timeout' },
        });
        expect(toBob).toEqual({
          event: 'call.bye',
          data: { callId, from: ann.user, reason: 'timeout' },
        });
        const record = await expectCallEnded(placed, CallOutcome.Missed, [ann, bob, cat]);
        expect(
          Date.parse(record.call.endedAt) - Date.parse(record.call.startedAt),
        ).toBeGreaterThanOrEqual(RING_TIMEOUT_MS - 5);

        const barrier = await say(cat, room, 'after the ring timeout');
        await nothingMoreOfCall([ann, bob, cat], room, callId, barrier.seq);
        expect(await storedRecordsOf(on, 2, room, callId)).toEqual([record]);
        expectError(await ann.client.request('call.bye', { callId }), 'not_in_call');
      },
      TEST_TIMEOUT_MS,
    );

    it(
      'the ring timeout fires once even when the instance that started the call is gone',
      async () => {
        // The default grace (5 s) outlasts the ring: Ann's session is still in its grace period
        // (and her instance's lease still running) when the call stops ringing, so PROTOCOL.md
        // says the call ends by the ring timeout, not by Ann leaving.
        const on = await cluster({ CALL_RING_TIMEOUT_MS: RING_TIMEOUT_MS });
        const { room, ann, bob, cat } = await threeInARoom(on, 'x-gone');

        const placed = await invite(ann, bob, room);
        const { callId } = placed;
        await on.stopInstance(0);
        expect((await ann.client.waitClosed()).code).toBe(1001);

        const bye = await bob.client.nextWhere(
          (frame) => frame.event === 'call.bye' && frame.data.callId === callId,
          RING_TIMEOUT_MS + FRAME_TIMEOUT_MS,
          "the timeout bye on Bob's socket",
        );
        expect(bye).toEqual({
          event: 'call.bye',
          data: { callId, from: ann.user, reason: 'timeout' },
        });
        const record = await expectCallEnded(placed, CallOutcome.Missed, [bob, cat]);
        expect(
          Date.parse(record.call.endedAt) - Date.parse(record.call.startedAt),
        ).toBeGreaterThanOrEqual(RING_TIMEOUT_MS - 5);

        const barrier = await say(cat, room, 'after the ring timeout');
        await nothingMoreOfCall([bob, cat], room, callId, barrier.seq);
        for (const index of [1, 2]) {
          expect(await storedRecordsOf(on, index, room, callId)).toEqual([record]);
        }
      },
      TEST_TIMEOUT_MS,
    );
  });

  it(
    "a session resumed on another instance takes the user's latest name, even from a record an instance failed to rename",
    async () => {
      const on = await cluster();
      const room = uniqueRoom('x-rename');
      const ann = await partyOn(on, 0, 'Ann');
      const bob = await partyOn(on, 1, 'Bob');
      await joinInOrder(room, [ann, bob]);
      await ann.client.close(); // in its grace period on instance 0, still a member
      await partyOn(on, 1, 'Annie', { identity: ann.identity });
      const renamed = await bob.client.nextWhere(
        (frame) => frame.event === 'presence.renamed',
        FRAME_TIMEOUT_MS,
        'presence.renamed',
      );
      expect(renamed.data).toEqual({ room, user: { ...ann.user, name: 'Annie' } });

      // Instance 0 renamed its session's record before it announced the rename. Make the record
      // say "Ann" again, as an instance that missed the rename (reconnecting to Redis) leaves it.
      await inRedisOf(on, async (redis, key) => {
        for (const id of await redis.sMembers(key('user-sessions', ann.user.userId))) {
          const stored = await redis.get(key('session', id));
          const record = stored === null ? null : (JSON.parse(stored) as { token: string });
          if (record?.token !== ann.resume) continue;
          const stale = { ...record, user: ann.user };
          await redis.set(key('session', id), JSON.stringify(stale), { KEEPTTL: true });
        }
      });

      const resumed = await on.connect(2);
      const ack = await resumed.hello('Ann', { resume: ann.resume });
      expect(ack).toMatchObject({ userId: ann.user.userId, name: 'Annie', resumed: true });
      const { seq } = await say({ ...ann, client: resumed }, room, 'back, renamed');
      const [message] = await messagesUpTo(bob.client, room, seq);
      expect(message).toMatchObject({ seq, from: { ...ann.user, name: 'Annie' } });
      // Nobody was told the old name again: the next presence frame Bob gets is Cat's join.
      const cat = await partyOn(on, 2, 'Cat');
      await join(cat, room);
      const next = await bob.client.nextWhere(
        (frame) => frame.event.startsWith('presence.'),
        FRAME_TIMEOUT_MS,
        "the presence frame of Cat's join",
      );
      expect(presenceChange(next, room)?.joined).toEqual([cat.user]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a clientId sent again on another instance, by another session of the user or after a resume, is stored and broadcast once',
    async () => {
      const on = await cluster();
      const room = uniqueRoom('x-dup');
      const ann = await partyOn(on, 0, 'Ann');
      const bob = await partyOn(on, 1, 'Bob');
      const cat = await partyOn(on, 2, 'Cat');
      await joinInOrder(room, [ann, bob, cat]);
      // Another tab of Ann's, on instance 1: the same user, so the same (userId, room, clientId).
      const annTab = await partyOn(on, 1, 'Ann', { identity: ann.identity });
      expect(annTab.user).toEqual(ann.user);
      const tabJoin = await join(annTab, room);
      expect(tabJoin.online).toBe(3);

      const clientId = `dup-${randomUUID()}`;
      const first = await say(ann, room, 'said once', clientId);
      for (const party of [ann, annTab, bob, cat]) {
        const received = await messagesUpTo(party.client, room, first.seq);
        expect(received.map((m) => m.seq)).toEqual([first.seq]);
        expect(received[0]).toMatchObject({ clientId, from: ann.user, text: 'said once' });
      }

      // The retry from the other tab, on instance 1, whatever its text.
      const retry = await say(annTab, room, 'said again, differently', clientId);
      expect(retry).toEqual(first);

      // Ann's first session resumed on instance 2, retrying there.
      await ann.client.close();
      const resumed = await on.connect(2);
      const ack = await resumed.hello('Ann', { resume: ann.resume });
      expect(ack).toMatchObject({ userId: ann.user.userId, resumed: true, rooms: [room] });
      const annResumed: Party = { ...ann, client: resumed, resume: ack.resume };
      expect(await say(annResumed, room, 'and once more', clientId)).toEqual(first);

      // A barrier from Bob: before it, nobody got the message again.
      const barrier = await say(bob, room, 'barrier');
      expect(barrier.seq).toBe(first.seq + 1);
      for (const party of [annTab, bob, cat, annResumed]) {
        expect(
          (await messagesUpTo(party.client, room, barrier.seq)).map((m) => m.seq),
          `${party.user.name} on ${party === annTab ? 'her tab' : 'its socket'}`,
        ).toEqual([barrier.seq]);
      }
      const stored = await storedMessages(on, 0, room);
      const withClientId = stored.filter(
        (message) => (message as { clientId?: string }).clientId === clientId,
      );
      expect(withClientId).toHaveLength(1);
      expect(withClientId[0]).toMatchObject({
        room,
        seq: first.seq,
        from: ann.user,
        text: 'said once',
        ts: first.ts,
      });
    },
    TEST_TIMEOUT_MS,
  );
});
