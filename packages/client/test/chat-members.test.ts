import { PROTOCOL_BOUNDS, type User } from '@duplex/protocol';
import { beforeEach, describe, expect, it } from 'vitest';
import { MembersRequestError, type FetchLike } from '../src/index.js';
import { FakeWebSocket } from './fake-websocket.js';
import { createClient } from './helpers.js';
import { ada, bob, cy, joinedClient } from './chat-helpers.js';

beforeEach(() => {
  FakeWebSocket.reset();
});

const user = (n: number): User => ({
  userId: `u-${String(n).padStart(4, '0')}`,
  name: `User ${n}`,
});
const users = (from: number, to: number): User[] =>
  Array.from({ length: to - from + 1 }, (_, i) => user(from + i));
const ids = (list: readonly User[]): string[] => list.map((member) => member.userId);

type Reply = { status: number; body: unknown } | Promise<{ status: number; body: unknown }>;

/** A fetch answering from `replies` by URL (404 for any other), recording the URLs asked. */
function fakeFetch(replies: Record<string, Reply>): FetchLike & { urls: string[] } {
  const urls: string[] = [];
  const fetch: FetchLike = async (url) => {
    urls.push(url);
    const { status, body } = await (replies[url] ?? { status: 404, body: {} });
    return { ok: status >= 200 && status < 300, status, json: async () => body };
  };
  return Object.assign(fetch, { urls });
}

const page = (members: User[], online = 250) => ({ status: 200, body: { online, members } });
const URL_BASE = 'http://test/api/rooms/lobby/members';

describe('members and online from the join ack', () => {
  it('online is the server’s full count, members the first page, hasMoreMembers while fewer are known', async () => {
    const client = createClient();
    const first = users(1, PROTOCOL_BOUNDS.membersInJoinAck);
    const { snapshot } = await joinedClient(client, { members: first, online: 250 });
    expect(snapshot.online).toBe(250);
    expect(snapshot.members).toEqual(first);
    expect(snapshot.hasMoreMembers).toBe(true);

    const small = createClient();
    const { snapshot: all } = await joinedClient(small, { members: [ada, bob], online: 2 });
    expect(all).toMatchObject({ online: 2, hasMoreMembers: false });
  });
});

describe('presence.diff', () => {
  it('applies joined, left and online as one snapshot change', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client, { members: [ada, bob], online: 2 });
    const store = client.room('lobby')!;
    socket.receive({ event: 'chat.typing', data: { room: 'lobby', user: bob, typing: true } });
    const snapshots: unknown[] = [];
    store.subscribe(() => snapshots.push(store.getSnapshot()));

    socket.receive({
      event: 'presence.diff',
      data: { room: 'lobby', joined: [cy, user(9)], left: [bob], online: 3 },
    });
    expect(snapshots).toHaveLength(1);
    expect(store.getSnapshot()).toMatchObject({
      members: [ada, cy, user(9)],
      online: 3,
      typing: [], // bob left: no longer typing
      hasMoreMembers: false,
    });

    // A user already known is not listed twice; a diff of another room changes nothing here.
    socket.receive({
      event: 'presence.diff',
      data: { room: 'lobby', joined: [cy], left: [], online: 3 },
    });
    socket.receive({
      event: 'presence.diff',
      data: { room: 'other', joined: [bob], left: [ada], online: 1 },
    });
    expect(snapshots).toHaveLength(1);
    expect(ids(store.getSnapshot().members)).toEqual(ids([ada, cy, user(9)]));
  });

  it('presence.joined and presence.left still apply one user each', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client, { members: [ada], online: 1 });
    const store = client.room('lobby')!;
    socket.receive({ event: 'presence.joined', data: { room: 'lobby', user: bob, online: 2 } });
    expect(store.getSnapshot()).toMatchObject({ members: [ada, bob], online: 2 });
    socket.receive({ event: 'presence.left', data: { room: 'lobby', user: ada, online: 1 } });
    expect(store.getSnapshot()).toMatchObject({ members: [bob], online: 1 });
  });
});

describe('loadMoreMembers', () => {
  it('pages by userId from where the last page ended, merges the new users, and ends on a short page', async () => {
    const fetch = fakeFetch({
      [`${URL_BASE}?limit=100`]: page(users(1, 100)),
      [`${URL_BASE}?after=u-0100&limit=100`]: page(users(101, 200)),
      [`${URL_BASE}?after=u-0200&limit=100`]: page(users(201, 250)),
    });
    const client = createClient({ fetch });
    // The ack lists the joiner and the most recently active, not in userId order.
    const { snapshot } = await joinedClient(client, {
      members: [user(150), user(3)],
      online: 250,
    });
    expect(snapshot.hasMoreMembers).toBe(true);
    const store = client.room('lobby')!;

    const added = await client.loadMoreMembers('lobby');
    expect(ids(added)).toEqual(ids(users(1, 100).filter((u) => u.userId !== 'u-0003')));
    expect(store.getSnapshot().members).toHaveLength(101);
    expect(store.getSnapshot().hasMoreMembers).toBe(true);

    await client.loadMoreMembers('lobby');
    expect(store.getSnapshot().members).toHaveLength(200); // user 150 was known
    await client.loadMoreMembers('lobby');
    const last = store.getSnapshot();
    expect(last.members).toHaveLength(250);
    expect(new Set(ids(last.members)).size).toBe(250);
    expect(ids(last.members.slice(0, 2))).toEqual(['u-0150', 'u-0003']); // the ack's order kept
    expect(last).toMatchObject({ online: 250, hasMoreMembers: false });
    expect(fetch.urls).toEqual([
      `${URL_BASE}?limit=100`,
      `${URL_BASE}?after=u-0100&limit=100`,
      `${URL_BASE}?after=u-0200&limit=100`,
    ]);
  });

  it('shares a load in flight, clamps the limit, and keeps the socket’s online count', async () => {
    const fetch = fakeFetch({ [`${URL_BASE}?limit=500`]: page(users(1, 5), 999) });
    const client = createClient({ fetch });
    await joinedClient(client, { members: [user(1)], online: 7 });
    const [a, b] = [client.loadMoreMembers('lobby', 10_000), client.loadMoreMembers('lobby')];
    expect(a).toBe(b);
    await a;
    expect(fetch.urls).toHaveLength(1);
    expect(client.room('lobby')!.getSnapshot()).toMatchObject({ online: 7, hasMoreMembers: false });
  });

  it('does not bring back a member who left while the page was on its way', async () => {
    let answer: (reply: { status: number; body: unknown }) => void = () => {};
    const fetch = fakeFetch({
      [`${URL_BASE}?limit=100`]: new Promise((resolve) => (answer = resolve)),
    });
    const client = createClient({ fetch });
    const { socket } = await joinedClient(client, { members: [ada], online: 3 });
    const loading = client.loadMoreMembers('lobby');
    socket.receive({ event: 'presence.left', data: { room: 'lobby', user: bob, online: 2 } });
    answer(page([ada, bob, cy], 3));
    await expect(loading).resolves.toEqual([cy]);
    expect(client.room('lobby')!.getSnapshot().members).toEqual([ada, cy]);
  });

  it('rejects with MembersRequestError on an HTTP 400 (its code) or a malformed page, the room unchanged', async () => {
    const fetch = fakeFetch({
      [`${URL_BASE}?limit=100`]: { status: 400, body: { code: 'bad_request', message: 'limit' } },
      [`${URL_BASE}?limit=20`]: page([{ userId: 7 } as unknown as User]),
    });
    const client = createClient({ fetch });
    await joinedClient(client, { members: [ada], online: 3 });
    const before = client.room('lobby')!.getSnapshot();
    const error = await client.loadMoreMembers('lobby').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(MembersRequestError);
    expect(error).toMatchObject({ status: 400, code: 'bad_request' });
    await expect(client.loadMoreMembers('lobby', 20)).rejects.toBeInstanceOf(MembersRequestError);
    expect(client.room('lobby')!.getSnapshot()).toBe(before);
    await expect(client.loadMoreMembers('nowhere')).rejects.toThrow(/Join "nowhere"/);
  });
});
