import { PROTOCOL_BOUNDS, type User } from '@duplex/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/api-server.js';
import {
  connectAs,
  connectMany,
  joinAs,
  joinRoom,
  nextPresence,
  presenceChange,
  sleep,
  uniqueRoom,
  userIdsOf,
  type PresenceChange,
} from './support/chat-helpers.js';
import { RawClient, type HelloAck } from './support/raw-client.js';

const COALESCE_MS = PROTOCOL_BOUNDS.presenceCoalesceMs;
let server: TestServer;
const clients: RawClient[] = [];

beforeAll(async () => {
  server = await startServer({ BURST: 1000, MESSAGES_PER_SECOND: 1000 });
});
afterAll(() => server?.stop());
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

interface Someone {
  client: RawClient;
  user: HelloAck;
}

/** Connected and said hello, not yet in any room. */
async function someone(name: string): Promise<Someone> {
  const connected = await connectAs(server, name);
  clients.push(connected.client);
  return connected;
}

/** `count` users connected and said hello, not yet in any room. */
async function crowd(count: number, prefix: string): Promise<Someone[]> {
  const people = await connectMany(server, count, prefix);
  clients.push(...people.map((person) => person.client));
  return people;
}

/** Sends a `room.join` without waiting for its ack; resolves with the ack. */
function sendJoin(person: Someone, room: string): Promise<unknown> {
  return person.client.request('room.join', { room }, 30_000);
}

/** The presence frames of a room, waited for until `done` says the observer has seen enough. */
async function presenceUntil(
  observer: RawClient,
  room: string,
  done: (change: PresenceChange) => boolean,
  timeoutMs = 10_000,
): Promise<PresenceChange[]> {
  const changes: PresenceChange[] = [];
  for (;;) {
    const change = await nextPresence(observer, room, timeoutMs);
    changes.push(change);
    if (done(change)) return changes;
  }
}

/** Presence changes within 100 ms of the last presence frame of a room are collected: wait that out. */
const quietPeriod = () => sleep(COALESCE_MS * 2);

describe('presence coalescing', () => {
  it('a change with no presence frame in the last 100 ms goes out at once as presence.joined or presence.left', async () => {
    const room = uniqueRoom('presence');
    const observer = await joinAs(server, 'Obs', room);
    clients.push(observer.client);
    const ann = await someone('Ann');
    const annUser: User = { userId: ann.user.userId, name: 'Ann' };

    await quietPeriod();
    await joinRoom(ann.client, room);
    const joinAcked = Date.now();
    const joined = await observer.client.nextWhere((f) => presenceChange(f, room) !== null);
    expect(Date.now() - joinAcked).toBeLessThan(COALESCE_MS);
    expect(joined).toEqual({
      event: 'presence.joined',
      data: { room, user: annUser, online: 2 },
    });

    await quietPeriod();
    expect((await ann.client.request('room.leave', { room })).event).toBe('ack');
    const leaveAcked = Date.now();
    const left = await observer.client.nextWhere((f) => presenceChange(f, room) !== null);
    expect(Date.now() - leaveAcked).toBeLessThan(COALESCE_MS);
    expect(left).toEqual({ event: 'presence.left', data: { room, user: annUser, online: 1 } });
  });

  it('changes within 100 ms of the last presence frame reach a member as presence.diff frames', async () => {
    const room = uniqueRoom('presence');
    const observer = await joinAs(server, 'Obs', room);
    clients.push(observer.client);
    const first = await someone('First');
    const others = await crowd(5, 'Other');

    await quietPeriod();
    await joinRoom(first.client, room);
    const single = await nextPresence(observer.client, room);
    expect(single.event).toBe('presence.joined');
    // The others join right after that frame went out, one after another.
    await Promise.all(others.map((person) => sendJoin(person, room)));
    const changes = await presenceUntil(observer.client, room, (change) => change.online === 7);
    expect(changes.map((change) => change.event)).toEqual(changes.map(() => 'presence.diff'));
    expect(changes.flatMap((change) => userIdsOf(change.joined)).sort()).toEqual(
      others.map((person) => person.user.userId).sort(),
    );
    expect(changes.flatMap((change) => change.left)).toEqual([]);
    const diff = changes[0]!.frame.data;
    expect(Object.keys(diff).sort()).toEqual([
      'joined',
      'joinedCount',
      'left',
      'leftCount',
      'online',
      'room',
    ]);
    for (const change of changes) {
      expect(change.joinedCount).toBe(change.joined.length);
      expect(change.leftCount).toBe(0);
    }
    const byId = new Map(others.map((person) => [person.user.userId, person.user.name]));
    for (const user of diff.joined as User[]) {
      expect(user).toEqual({ userId: user.userId, name: byId.get(user.userId) });
    }
  });

  it('a user who joined and left within one diff appears in neither list', async () => {
    const room = uniqueRoom('presence');
    const observer = await joinAs(server, 'Obs', room);
    clients.push(observer.client);
    const [first, stays, flicker, last] = await crowd(4, 'P');
    await quietPeriod();
    await joinRoom(first!.client, room);
    await nextPresence(observer.client, room);

    // While that frame's 100 ms run: one user joins, another joins and leaves at once.
    const staysJoined = sendJoin(stays!, room);
    flicker!.client.send({ event: 'room.join', data: { room }, id: 'flicker-join' });
    const flickerLeft = flicker!.client.request('room.leave', { room });
    await staysJoined;
    expect((await flickerLeft).event).toBe('ack');
    // The last joins after the flicker left: every presence frame up to its join is checked.
    await joinRoom(last!.client, room);
    const changes = await presenceUntil(observer.client, room, (change) =>
      userIdsOf(change.joined).includes(last!.user.userId),
    );
    const mentioned = changes.flatMap((change) => userIdsOf([...change.joined, ...change.left]));
    expect(mentioned).not.toContain(flicker!.user.userId);
    expect(mentioned.sort()).toEqual([stays!.user.userId, last!.user.userId].sort());
    expect(changes.at(-1)!.online).toBe(4);
    expect(changes[0]!.event).toBe('presence.diff');
  });

  it('200 joins reach a member as far fewer presence frames, in order, each consistent with its online count', async () => {
    const room = uniqueRoom('presence');
    const observer = await joinAs(server, 'Obs', room);
    clients.push(observer.client);
    const joiners = await crowd(200, 'J');
    const leavers = joiners.slice(0, 20);
    const joinerIds = new Set(joiners.map((person) => person.user.userId));
    const leaverIds = new Set(leavers.map((person) => person.user.userId));

    const started = Date.now();
    const joins = joiners.map((person) => sendJoin(person, room));
    // Some leave as soon as they are in, while the others still join.
    const leaves = leavers.map(async (person, i) => {
      await joins[i];
      expect((await person.client.request('room.leave', { room }, 30_000)).event).toBe('ack');
    });
    await Promise.all([...joins, ...leaves]);
    const finalOnline = 1 + joiners.length - leavers.length;

    // Every change is acknowledged, so the frames that announce them all are on their way. The
    // observer's count, kept from its ack and the frames' counts alone, is each frame's `online`.
    let online = observer.join.online as number;
    let frames = 0;
    while (online !== finalOnline) {
      const change = await nextPresence(observer.client, room, 10_000);
      frames++;
      const max = PROTOCOL_BOUNDS.presenceDiffMaxUsers;
      expect(change.joined).toHaveLength(Math.min(change.joinedCount, max));
      expect(change.left).toHaveLength(Math.min(change.leftCount, max));
      for (const user of change.joined) expect(joinerIds.has(user.userId)).toBe(true);
      for (const user of change.left) expect(leaverIds.has(user.userId)).toBe(true);
      online += change.joinedCount - change.leftCount;
      expect(change.online).toBe(online);
    }
    const span = Date.now() - started;

    // One frame at once, then at most one per 100 ms.
    expect(frames).toBeLessThanOrEqual(1 + Math.floor(span / (COALESCE_MS - 2)));
    expect(frames).toBeLessThan(joiners.length / 5);
  });

  it('a presence.diff names at most 20 users of each kind and counts all of them', async () => {
    const max = PROTOCOL_BOUNDS.presenceDiffMaxUsers;
    const room = uniqueRoom('presence');
    const observer = await joinAs(server, 'Obs', room);
    clients.push(observer.client);
    const people = await crowd(5 * max, 'N');
    const ids = new Set(people.map((person) => person.user.userId));

    /** The room's presence frames until they have counted `total` changes of `kind`. */
    async function burst(kind: 'joined' | 'left', total: number): Promise<PresenceChange[]> {
      const changes: PresenceChange[] = [];
      let counted = 0;
      while (counted < total) {
        const change = await nextPresence(observer.client, room, 10_000);
        const [count, otherCount] =
          kind === 'joined'
            ? [change.joinedCount, change.leftCount]
            : [change.leftCount, change.joinedCount];
        expect(otherCount).toBe(0);
        expect(change[kind]).toHaveLength(Math.min(count, max));
        for (const user of change[kind]) expect(ids.has(user.userId)).toBe(true);
        counted += count;
        changes.push(change);
      }
      expect(counted).toBe(total);
      return changes;
    }

    await quietPeriod();
    await Promise.all(people.map((person) => sendJoin(person, room)));
    const joins = await burst('joined', people.length);
    expect(joins.at(-1)!.online).toBe(1 + people.length);
    expect(joins.length).toBeLessThan(people.length);

    await quietPeriod();
    await Promise.all(
      people.map(async (person) => {
        expect((await person.client.request('room.leave', { room }, 30_000)).event).toBe('ack');
      }),
    );
    const leaves = await burst('left', people.length);
    expect(leaves.at(-1)!.online).toBe(1);

    // Barrier: a last change, after the bursts, is the next presence frame of the room.
    const last = await someone('Last');
    await quietPeriod();
    await joinRoom(last.client, room);
    const after = await nextPresence(observer.client, room);
    expect(after.event).toBe('presence.joined');
    expect(userIdsOf(after.joined)).toEqual([last.user.userId]);
    expect(after.online).toBe(2);
  });
});
