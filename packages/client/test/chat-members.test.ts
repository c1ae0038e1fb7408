import { PROTOCOL_BOUNDS, presenceCoalesceWindowMs, type User } from '@duplex/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MembersRequestError, type DuplexClient, type FetchLike } from '../src/index.js';
import { FakeWebSocket } from './fake-websocket.js';
import { createClient, flushMicrotasks } from './helpers.js';
import {
  ada,
  answerJoin,
  bob,
  chatMessage,
  cy,
  joinedClient,
  reconnect,
  seqs,
} from './chat-helpers.js';

beforeEach(() => {
  FakeWebSocket.reset();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
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

/** A `presence.diff` of `lobby`; the counts default to the lengths of the lists. */
function diff(fields: {
  room?: string;
  joined?: User[];
  left?: User[];
  joinedCount?: number;
  leftCount?: number;
  online: number;
}) {
  const { joined = [], left = [] } = fields;
  return {
    room: 'lobby',
    joinedCount: joined.length,
    leftCount: left.length,
    ...fields,
    joined,
    left,
  };
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
      data: diff({ joined: [cy, user(9)], left: [bob], online: 3 }),
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
      data: diff({ joined: [cy], online: 3 }),
    });
    socket.receive({
      event: 'presence.diff',
      data: diff({ room: 'other', joined: [bob], left: [ada], online: 1 }),
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

  it('presence.renamed renames a listed member in place; a member not listed stays unlisted', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client, { members: [ada, bob], online: 3 });
    const store = client.room('lobby')!;
    const bobby = { ...bob, name: 'Bobby' };
    socket.receive({ event: 'presence.renamed', data: { room: 'lobby', user: bobby } });
    expect(store.getSnapshot()).toMatchObject({ members: [ada, bobby], online: 3 });
    socket.receive({ event: 'presence.renamed', data: { room: 'lobby', user: cy } });
    socket.receive({ event: 'presence.renamed', data: { room: 'other', user: ada } });
    expect(store.getSnapshot()).toMatchObject({ members: [ada, bobby], online: 3 });
  });

  it('a user named as joined whom the client lists already takes the name the frame gives', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client, { members: [ada, bob], online: 2 });
    const store = client.room('lobby')!;
    const bobby = { ...bob, name: 'Bobby' };
    socket.receive({ event: 'presence.diff', data: diff({ joined: [bobby, cy], online: 3 }) });
    expect(store.getSnapshot()).toMatchObject({ members: [ada, bobby, cy], online: 3 });
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

describe('presence.diff naming only some of the users', () => {
  const named = PROTOCOL_BOUNDS.presenceDiffMaxUsers;
  /** A diff naming `named` leavers of whom `unnamed` more left without being named. */
  const leftUnnamed = (online: number, unnamed = 1) =>
    diff({ left: users(201, 200 + named), leftCount: named + unnamed, online });
  const joinsOf = (socket: FakeWebSocket) =>
    socket.framesOf('room.join').map((frame) => frame.data);
  /** The events the client sent from frame `mark` on, after a barrier frame of its own. */
  const sentSince = (client: DuplexClient, socket: FakeWebSocket, mark: number) => {
    client.setTyping('lobby', true);
    return socket.frames.slice(mark).map((frame) => frame.event);
  };
  /** Lets a re-read's random delay, at most the room's presence window, run out. */
  const afterWindow = (online: number) =>
    vi.advanceTimersByTimeAsync(presenceCoalesceWindowMs(online));
  beforeEach(() => {
    vi.useFakeTimers();
  });

  it('members who joined unnamed make hasMoreMembers true again, and paging starts over to find them', async () => {
    const fetch = fakeFetch({
      [`${URL_BASE}?limit=50`]: page(users(10, 12), 3),
      [`${URL_BASE}?limit=100`]: page([user(5), ...users(10, 12), ...users(101, 100 + named)]),
    });
    const client = createClient({ fetch });
    const { socket } = await joinedClient(client, { members: [user(10)], online: 3 });
    const store = client.room('lobby')!;
    await client.loadMoreMembers('lobby', 50);
    expect(store.getSnapshot()).toMatchObject({ hasMoreMembers: false }); // paged to the end

    // User 5 joined too, unnamed: it sorts before where paging ended (u-0012).
    socket.receive({
      event: 'presence.diff',
      data: diff({ joined: users(101, 100 + named), joinedCount: named + 1, online: 4 + named }),
    });
    expect(store.getSnapshot()).toMatchObject({ online: 4 + named, hasMoreMembers: true });
    expect(store.getSnapshot().members).toHaveLength(3 + named);

    await expect(client.loadMoreMembers('lobby')).resolves.toEqual([user(5)]);
    expect(store.getSnapshot().members).toHaveLength(4 + named);
    expect(store.getSnapshot().hasMoreMembers).toBe(false);
    expect(fetch.urls).toEqual([`${URL_BASE}?limit=50`, `${URL_BASE}?limit=100`]);
  });

  it('members who left unnamed are re-read with one room.join with since, whose ack replaces members and online', async () => {
    const byCy = (seq: number) => chatMessage(seq, { from: cy });
    const client = createClient();
    const { socket } = await joinedClient(client, {
      members: [ada, bob, cy, ...users(201, 200 + named)],
      lastSeq: 4,
      history: [byCy(3), byCy(4)],
    });
    const store = client.room('lobby')!;
    socket.receive({ event: 'chat.typing', data: { room: 'lobby', user: bob, typing: true } });
    const clientId = client.sendChat('lobby', 'on its way');

    // The named leavers and Cy, unnamed, left.
    socket.receive({ event: 'presence.diff', data: leftUnnamed(2) });
    expect(store.getSnapshot().members).toEqual([ada, bob, cy]); // the names apply at once
    await afterWindow(2);
    expect(joinsOf(socket)).toEqual([{ room: 'lobby' }, { room: 'lobby', since: 4 }]);
    const mark = socket.frames.length;

    await answerJoin(socket, {
      members: [ada, bob],
      online: 2,
      lastSeq: 5,
      recovered: true,
      history: [byCy(4), byCy(5)], // Bob, who is typing, wrote none of them
    });
    const snapshot = store.getSnapshot();
    expect(snapshot).toMatchObject({ members: [ada, bob], online: 2, hasMoreMembers: false });
    expect(snapshot).toMatchObject({ live: true, lastSeq: 5, typing: [bob] });
    expect(seqs(snapshot.messages)).toEqual([3, 4, 5]);
    // The outbox is neither replayed nor dropped: its chat.send is still awaiting its ack.
    expect(snapshot.pending).toMatchObject([{ clientId, status: 'sending' }]);
    expect(sentSince(client, socket, mark)).toEqual(['chat.typing']);
    await expect(client.joinRoom('lobby')).resolves.toBe(store.getSnapshot());
  });

  it('truncated diffs while a re-read is in flight give exactly one more, after it', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client, { members: [ada, bob, cy], lastSeq: 2 });
    const store = client.room('lobby')!;
    socket.receive({ event: 'presence.diff', data: leftUnnamed(3) });
    socket.receive({ event: 'presence.diff', data: leftUnnamed(3) }); // while waiting: no more
    await afterWindow(3);
    socket.receive({ event: 'chat.message', data: chatMessage(3) });
    socket.receive({ event: 'presence.diff', data: leftUnnamed(2) });
    socket.receive({ event: 'presence.diff', data: leftUnnamed(2) });
    expect(joinsOf(socket)).toEqual([{ room: 'lobby' }, { room: 'lobby', since: 2 }]);

    // Its members may have been read before the later diffs: one more re-read follows.
    await answerJoin(socket, { members: [ada, bob, cy], online: 3, lastSeq: 3, recovered: true });
    await afterWindow(3);
    expect(joinsOf(socket).slice(2)).toEqual([{ room: 'lobby', since: 3 }]);
    const mark = socket.frames.length;
    await answerJoin(socket, { members: [ada, bob], online: 2, lastSeq: 3, recovered: true });
    expect(store.getSnapshot()).toMatchObject({ members: [ada, bob], online: 2 });
    expect(sentSince(client, socket, mark)).toEqual(['chat.typing']);

    // A truncated diff after the last ack is not covered by it: re-read again.
    socket.receive({ event: 'presence.diff', data: leftUnnamed(1) });
    await afterWindow(1);
    expect(joinsOf(socket)).toHaveLength(4);
  });

  it('re-reads wait a random part of the room’s presence window, so a mass leave spreads them out', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const client = createClient();
    const { socket } = await joinedClient(client, { members: [ada, bob, cy], lastSeq: 2 });
    const online = 5_000;
    const delay = presenceCoalesceWindowMs(online) * 0.5;
    socket.receive({ event: 'presence.diff', data: leftUnnamed(online) });
    await vi.advanceTimersByTimeAsync(delay - 1);
    expect(joinsOf(socket)).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(joinsOf(socket)).toEqual([{ room: 'lobby' }, { room: 'lobby', since: 2 }]);
  });

  it('a re-read still waiting when the connection drops is covered by the reconnect’s re-join', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client, { members: [ada, bob, cy], lastSeq: 2 });
    socket.receive({ event: 'presence.diff', data: leftUnnamed(2) });
    expect(joinsOf(socket)).toHaveLength(1);

    const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);
    const next = await reconnect(socket, advance, { resumed: true, rooms: ['lobby'] });
    expect(joinsOf(next)).toEqual([{ room: 'lobby', since: 2 }]);
    await answerJoin(next, { members: [ada], online: 1, lastSeq: 2, recovered: true });
    const mark = next.frames.length;
    await afterWindow(2);
    expect(sentSince(client, next, mark)).toEqual(['chat.typing']);
    expect(joinsOf(socket)).toHaveLength(1);
  });

  it('a re-read cut off by a lost connection leaves nothing stuck: the reconnect re-join settles it', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client, { members: [ada, bob, cy], lastSeq: 2 });
    const store = client.room('lobby')!;
    socket.receive({ event: 'presence.diff', data: leftUnnamed(2) });
    await afterWindow(2);
    socket.receive({ event: 'presence.diff', data: leftUnnamed(1) });
    expect(joinsOf(socket)).toHaveLength(2);

    const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);
    const next = await reconnect(socket, advance, { resumed: true, rooms: ['lobby'] });
    expect(joinsOf(next)).toEqual([{ room: 'lobby', since: 2 }]);
    const mark = next.frames.length;
    await answerJoin(next, { members: [ada], online: 1, lastSeq: 2, recovered: true });
    expect(store.getSnapshot()).toMatchObject({ members: [ada], online: 1, live: true });
    expect(sentSince(client, next, mark)).toEqual(['chat.typing']);

    next.receive({ event: 'presence.diff', data: leftUnnamed(1) });
    await afterWindow(1);
    expect(joinsOf(next)).toEqual([
      { room: 'lobby', since: 2 },
      { room: 'lobby', since: 2 },
    ]);
  });

  it('a diff naming everyone who left and joined sends no room.join and keeps paging where it was', async () => {
    const fetch = fakeFetch({ [`${URL_BASE}?limit=50`]: page(users(10, 12), 3) });
    const client = createClient({ fetch });
    const { socket } = await joinedClient(client, { members: [user(10)], online: 3 });
    await client.loadMoreMembers('lobby', 50);
    const mark = socket.frames.length;
    socket.receive({
      event: 'presence.diff',
      data: diff({ joined: users(101, 100 + named), left: [user(11)], online: 2 + named }),
    });
    expect(client.room('lobby')!.getSnapshot()).toMatchObject({ hasMoreMembers: false });
    await flushMicrotasks();
    expect(sentSince(client, socket, mark)).toEqual(['chat.typing']);
  });
});
