import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionClosedError, RequestError } from '../src/index.js';
import { FakeWebSocket } from './fake-websocket.js';
import { connectReady, createClient, flushMicrotasks, helloAck } from './helpers.js';
import {
  ada,
  answerJoin,
  bob,
  chatMessage,
  cy,
  joinedClient,
  lastFrameOf,
  reconnect,
  seqs,
} from './chat-helpers.js';

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

describe('joinRoom', () => {
  it('joins without since the first time and resolves with the first snapshot', async () => {
    const client = createClient();
    const history = [chatMessage(4), chatMessage(5), chatMessage(6)];
    const { socket, snapshot } = await joinedClient(client, { lastSeq: 6, history });
    expect(lastFrameOf(socket, 'room.join').data).toEqual({ room: 'lobby' });
    expect(snapshot).toEqual({
      room: 'lobby',
      members: [ada, bob],
      online: 2,
      hasMoreMembers: false,
      messages: history,
      pending: [],
      typing: [],
      lastSeq: 6,
      hasOlder: true,
      recovered: false,
      live: true,
    });
    expect(client.room('lobby')!.getSnapshot()).toBe(snapshot);
    expect(Object.isFrozen(snapshot)).toBe(true);
    await expect(client.joinRoom('lobby')).resolves.toBe(snapshot);
    expect(socket.framesOf('room.join')).toHaveLength(1);
  });

  it('rejects and forgets the room when the server refuses the join', async () => {
    const client = createClient();
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    socket.ack(socket.lastFrame.id, helloAck());
    await flushMicrotasks();
    const joined = client.joinRoom('Bad Room');
    socket.fail(
      lastFrameOf(socket, 'room.join', 'Bad Room').id,
      'bad_message',
      'Invalid room.join',
      ['room'],
    );
    await expect(joined).rejects.toBeInstanceOf(RequestError);
    expect(client.room('Bad Room')).toBeUndefined();
  });

  it('rejects when the client is closed, and a pending join when it closes', async () => {
    const client = createClient();
    const pending = client.joinRoom('lobby');
    client.connect();
    client.close();
    await expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(client.joinRoom('lobby')).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(client.room('lobby')).toBeUndefined();
  });

  it('retries a join whose connection was lost before its ack, still without since', async () => {
    const client = createClient();
    client.connect();
    let socket = FakeWebSocket.last;
    socket.open();
    socket.ack(socket.lastFrame.id, helloAck());
    await flushMicrotasks();
    const joined = client.joinRoom('lobby');
    socket = await reconnect(socket, advance, { resume: 'token-2' });
    expect(lastFrameOf(socket, 'room.join').data).toEqual({ room: 'lobby' });
    await answerJoin(socket, { lastSeq: 1, history: [chatMessage(1)] });
    await expect(joined).resolves.toMatchObject({ lastSeq: 1 });
  });
});

describe('joins refused for a while', () => {
  const lobbyJoins = (socket: FakeWebSocket) =>
    socket.framesOf('room.join').filter((frame) => frame.data.room === 'lobby');

  it("sends a re-join refused with rate_limited again, later each time; the room's messages wait for it", async () => {
    const client = createClient();
    const { socket } = await joinedClient(client, { lastSeq: 1, history: [chatMessage(1)] });
    const other = client.joinRoom('other');
    await answerJoin(socket, { room: 'other', lastSeq: 0 });
    await other;
    const next = await reconnect(socket, advance, { resume: 'token-2' });
    client.sendChat('lobby', 'waits for the join');
    client.sendChat('other', 'goes at once');
    next.fail(lastFrameOf(next, 'room.join').id, 'rate_limited');
    await answerJoin(next, { room: 'other', lastSeq: 0, recovered: true });
    expect(next.framesOf('chat.send').map((frame) => frame.data.room)).toEqual(['other']);

    await advance(999);
    expect(lobbyJoins(next)).toHaveLength(1);
    await advance(1);
    expect(lobbyJoins(next)).toHaveLength(2);
    expect(lastFrameOf(next, 'room.join').data).toEqual({ room: 'lobby', since: 1 });
    next.fail(lastFrameOf(next, 'room.join').id, 'rate_limited');
    await flushMicrotasks();
    await advance(1_999);
    expect(lobbyJoins(next)).toHaveLength(2);
    await advance(1);
    expect(lobbyJoins(next)).toHaveLength(3);
    await answerJoin(next, { lastSeq: 1, recovered: true });
    expect(next.framesOf('chat.send').map((frame) => frame.data.room)).toEqual(['other', 'lobby']);
    expect(client.room('lobby')!.getSnapshot().live).toBe(true);
  });

  it('sends a first join refused with rate_limited again; one refused with internal is reported', async () => {
    const { client, socket } = await connectReady();
    const joined = client.joinRoom('lobby');
    socket.fail(lastFrameOf(socket, 'room.join').id, 'rate_limited');
    await advance(1_000);
    expect(lobbyJoins(socket)).toHaveLength(2);
    await answerJoin(socket);
    await expect(joined).resolves.toMatchObject({ room: 'lobby', live: true });

    const failing = client.joinRoom('other');
    socket.fail(lastFrameOf(socket, 'room.join', 'other').id, 'internal');
    await expect(failing).rejects.toMatchObject({ code: 'internal' });
    expect(client.room('other')).toBeUndefined();
  });

  it('a new connection joins at once and starts the back-off over', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client, { lastSeq: 1, history: [chatMessage(1)] });
    const next = await reconnect(socket, advance, { resume: 'token-2' });
    next.fail(lastFrameOf(next, 'room.join').id, 'rate_limited');
    await advance(1_000);
    next.fail(lastFrameOf(next, 'room.join').id, 'rate_limited'); // the next wait would be 2 s
    await flushMicrotasks();
    const third = await reconnect(next, advance, { resume: 'token-3' });
    expect(lobbyJoins(third)).toHaveLength(1);
    third.fail(lastFrameOf(third, 'room.join').id, 'rate_limited');
    await advance(1_000);
    expect(lobbyJoins(third)).toHaveLength(2);
    expect(lobbyJoins(next)).toHaveLength(2); // the old connection's wait was dropped with it
  });
});

describe('recovery after a reconnect', () => {
  it('re-joins every room with since: lastSeq after a resumed hello and merges the history once', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client, {
      lastSeq: 2,
      history: [chatMessage(1), chatMessage(2)],
    });
    const other = client.joinRoom('other');
    await answerJoin(socket, { room: 'other', lastSeq: 0 });
    await other;
    socket.receive({ event: 'chat.message', data: chatMessage(3) });

    const next = await reconnect(socket, advance, { resume: 'token-2' });
    expect(next.framesOf('room.join').map((frame) => frame.data)).toEqual([
      { room: 'lobby', since: 3 },
      { room: 'other', since: 0 },
    ]);
    // A live message that overtook the join ack, and a history that overlaps what is held.
    next.receive({ event: 'chat.message', data: chatMessage(6) });
    expect(client.room('lobby')!.getSnapshot().lastSeq).toBe(3); // 4 and 5 still missing
    await answerJoin(next, {
      lastSeq: 6,
      recovered: true,
      history: [chatMessage(3), chatMessage(4), chatMessage(5), chatMessage(6)],
    });
    await answerJoin(next, { room: 'other', lastSeq: 0, recovered: true });

    const snapshot = client.room('lobby')!.getSnapshot();
    expect(seqs(snapshot.messages)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(snapshot.lastSeq).toBe(6);
    expect(snapshot.recovered).toBe(true);
  });

  it('re-joins with since after resume_expired and a fresh hello too', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client, { lastSeq: 1, history: [chatMessage(1)] });
    socket.serverClose(1001);
    await flushMicrotasks();
    await advance(500);
    const next = FakeWebSocket.last;
    next.open();
    next.fail(next.lastFrame.id, 'resume_expired');
    await flushMicrotasks();
    expect(next.lastFrame.data).toEqual({ protocol: 1, name: 'Ada', identity: 'identity-1' });
    next.ack(next.lastFrame.id, helloAck({ userId: 'u-7', resume: 'token-3' }));
    await flushMicrotasks();
    expect(lastFrameOf(next, 'room.join').data).toEqual({ room: 'lobby', since: 1 });
    await answerJoin(next, {
      members: [{ userId: 'u-7', name: 'Ada' }, bob],
      lastSeq: 2,
      recovered: true,
      history: [chatMessage(2)],
    });
    const snapshot = client.room('lobby')!.getSnapshot();
    expect(seqs(snapshot.messages)).toEqual([1, 2]);
    expect(snapshot.members.map((member) => member.userId)).toEqual(['u-7', 'u-2']);
  });

  it('replaces what is held when the server cannot recover (recovered: false)', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client, {
      lastSeq: 2,
      history: [chatMessage(1), chatMessage(2)],
    });
    const next = await reconnect(socket, advance, { resume: 'token-2' });
    const latest = Array.from({ length: 50 }, (_, i) => chatMessage(i + 551));
    await answerJoin(next, { lastSeq: 600, recovered: false, history: latest });
    const snapshot = client.room('lobby')!.getSnapshot();
    expect(seqs(snapshot.messages)).toEqual(seqs(latest));
    expect(snapshot).toMatchObject({ lastSeq: 600, recovered: false, hasOlder: true });
  });

  it('stops re-joining a room that was left', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client);
    const left = client.leaveRoom('lobby');
    expect(lastFrameOf(socket, 'room.leave').data).toEqual({ room: 'lobby' });
    socket.ack(lastFrameOf(socket, 'room.leave').id, {});
    await left;
    expect(client.room('lobby')).toBeUndefined();
    const next = await reconnect(socket, advance, { resume: 'token-2' });
    expect(next.framesOf('room.join')).toHaveLength(0);
  });
});

describe('rooms listed in the hello ack', () => {
  it('a resumed session re-joins the rooms it holds with since, and leaves those it no longer holds', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client, { lastSeq: 2, history: [chatMessage(2)] });
    const next = await reconnect(socket, advance, {
      resume: 'token-2',
      resumed: true,
      rooms: ['lobby', 'gone'],
    });
    expect(next.framesOf('room.join').map((frame) => frame.data)).toEqual([
      { room: 'lobby', since: 2 },
    ]);
    expect(next.framesOf('room.leave').map((frame) => frame.data)).toEqual([{ room: 'gone' }]);
    next.fail(lastFrameOf(next, 'room.leave', 'gone').id, 'not_in_room');
    await answerJoin(next, { lastSeq: 2, recovered: true });
    expect(client.room('gone')).toBeUndefined();
    expect(client.room('lobby')!.getSnapshot().lastSeq).toBe(2);
  });

  it('a leave lost with the connection is sent again when the resumed session still holds the room', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client);
    const left = client.leaveRoom('lobby');
    expect(socket.framesOf('room.leave')).toHaveLength(1);
    const next = await reconnect(socket, advance, {
      resume: 'token-2',
      resumed: true,
      rooms: ['lobby'],
    });
    await expect(left).resolves.toBeUndefined();
    expect(next.framesOf('room.join')).toEqual([]);
    expect(next.framesOf('room.leave').map((frame) => frame.data)).toEqual([{ room: 'lobby' }]);
  });

  it('a fresh session (no rooms) leaves nothing', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client);
    const next = await reconnect(socket, advance, { resume: 'token-2', resumed: false, rooms: [] });
    expect(next.framesOf('room.leave')).toEqual([]);
    expect(next.framesOf('room.join').map((frame) => frame.data)).toEqual([
      { room: 'lobby', since: 0 },
    ]);
  });
});

describe('live messages', () => {
  it('keeps seq order and one copy per seq, and lastSeq at the highest without a gap', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client, { lastSeq: 1, history: [chatMessage(1)] });
    for (const seq of [3, 2, 2, 4, 1])
      socket.receive({ event: 'chat.message', data: chatMessage(seq) });
    socket.receive({ event: 'chat.message', data: chatMessage(7) });
    const snapshot = client.room('lobby')!.getSnapshot();
    expect(seqs(snapshot.messages)).toEqual([1, 2, 3, 4, 7]);
    expect(snapshot.lastSeq).toBe(4);
  });

  it('ignores messages of rooms not joined', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client);
    socket.receive({ event: 'chat.message', data: chatMessage(1, { room: 'elsewhere' }) });
    expect(client.room('lobby')!.getSnapshot().messages).toEqual([]);
    expect(client.room('elsewhere')).toBeUndefined();
  });
});

describe('presence', () => {
  it('adds and removes members and follows online', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client);
    const store = client.room('lobby')!;
    socket.receive({ event: 'presence.joined', data: { room: 'lobby', user: cy, online: 3 } });
    expect(store.getSnapshot()).toMatchObject({ members: [ada, bob, cy], online: 3 });
    socket.receive({ event: 'presence.joined', data: { room: 'lobby', user: cy, online: 3 } });
    expect(store.getSnapshot().members).toHaveLength(3);
    socket.receive({ event: 'presence.left', data: { room: 'lobby', user: bob, online: 2 } });
    expect(store.getSnapshot()).toMatchObject({ members: [ada, cy], online: 2 });
    socket.receive({ event: 'presence.left', data: { room: 'other', user: cy, online: 0 } });
    expect(store.getSnapshot().members).toHaveLength(2);
  });
});

describe('RoomStore snapshots', () => {
  it('keep their identity until something changes, and notify once per change', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client, { lastSeq: 1, history: [chatMessage(1)] });
    const store = client.room('lobby')!;
    let calls = 0;
    const unsubscribe = store.subscribe(() => calls++);

    const first = store.getSnapshot();
    expect(store.getSnapshot()).toBe(first);
    // No-ops: a duplicate message, a known member, a presence count that did not move.
    socket.receive({ event: 'chat.message', data: chatMessage(1) });
    socket.receive({ event: 'presence.joined', data: { room: 'lobby', user: bob, online: 2 } });
    socket.receive({ event: 'chat.typing', data: { room: 'lobby', user: cy, typing: false } });
    expect(store.getSnapshot()).toBe(first);
    expect(calls).toBe(0);

    socket.receive({ event: 'chat.message', data: chatMessage(2) });
    const second = store.getSnapshot();
    expect(second).not.toBe(first);
    expect(calls).toBe(1);
    expect(second.members).toBe(first.members); // unchanged parts are shared
    expect(first.messages).toHaveLength(1); // old snapshots never change

    // An ack that turns a pending entry into a message is one change.
    client.sendChat('lobby', 'mine');
    calls = 0;
    socket.ack(lastFrameOf(socket, 'chat.send').id, { seq: 3, ts: chatMessage(3).ts });
    await flushMicrotasks();
    expect(calls).toBe(1);

    unsubscribe();
    socket.receive({ event: 'chat.message', data: chatMessage(4) });
    expect(calls).toBe(1);
  });

  it('reports a throwing listener and still calls the others', async () => {
    const reported: unknown[] = [];
    const client = createClient({ onListenerError: (error) => reported.push(error) });
    const { socket } = await joinedClient(client);
    const store = client.room('lobby')!;
    let called = 0;
    store.subscribe(() => {
      throw new Error('render bug');
    });
    store.subscribe(() => called++);
    socket.receive({ event: 'chat.message', data: chatMessage(1) });
    expect(called).toBe(1);
    expect(reported).toEqual([new Error('render bug')]);
  });
});
