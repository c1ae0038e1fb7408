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
    expect(Object.keys(diff).sort()).toEqual(['joined', 'left', 'online', 'room']);
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

    // The observer's view, built from its ack and then from the presence frames alone.
    const view = new Map<string, User>(
      (observer.join.members as User[]).map((user) => [user.userId, user]),
    );
    expect(view.size).toBe(observer.join.online);

    const started = Date.now();
    const joins = joiners.map((person) => sendJoin(person, room));
    // Some leave as soon as they are in, while the others still join.
    const leaves = leavers.map(async (person, i) => {
      await joins[i];
      expect((await person.client.request('room.leave', { room }, 30_000)).event).toBe('ack');
    });
    await Promise.all([...joins, ...leaves]);
    const expected = [
      observer.user.userId,
      ...joiners.slice(leavers.length).map((person) => person.user.userId),
    ].sort();

    // Every change is acknowledged, so the frames that announce them all are on their way.
    let frames = 0;
    const isFinal = () => view.size === expected.length && expected.every((id) => view.has(id));
    while (!isFinal()) {
      const change = await nextPresence(observer.client, room, 10_000);
      frames++;
      for (const user of change.left) {
        expect(view.has(user.userId), `left without being a member: ${user.userId}`).toBe(true);
        view.delete(user.userId);
      }
      for (const user of change.joined) {
        expect(view.has(user.userId), `joined twice: ${user.userId}`).toBe(false);
        view.set(user.userId, user);
      }
      expect(change.online).toBe(view.size);
    }
    const span = Date.now() - started;

    // One frame at once, then at most one per 100 ms.
    expect(frames).toBeLessThanOrEqual(1 + Math.floor(span / (COALESCE_MS - 2)));
    expect(frames).toBeLessThan(joiners.length / 5);
  });
});
