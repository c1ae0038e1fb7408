import { ErrorCode } from '@duplex/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from './fake-websocket.js';
import { createClient, flushMicrotasks, helloAck } from './helpers.js';
import {
  ada,
  answerJoin,
  answerSend,
  bob,
  chatMessage,
  joinedClient,
  lastFrameOf,
  reconnect,
  seqs,
  texts,
} from './chat-helpers.js';

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});
afterEach(() => {
  vi.useRealTimers();
});

const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

describe('sendChat', () => {
  it('shows the message as pending at once, sends chat.send, and turns it into one message on ack', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client, { lastSeq: 3, history: [chatMessage(3)] });
    const store = client.room('lobby')!;

    const clientId = client.sendChat('lobby', 'hello');
    expect(store.getSnapshot().pending).toMatchObject([
      { clientId, text: 'hello', status: 'sending' },
    ]);
    const frame = lastFrameOf(socket, 'chat.send');
    expect(frame.data).toEqual({ room: 'lobby', clientId, text: 'hello' });

    socket.ack(frame.id, { seq: 4, ts: '2024-05-01T12:00:04.000Z' });
    await flushMicrotasks();
    let snapshot = store.getSnapshot();
    expect(snapshot.pending).toEqual([]);
    expect(snapshot.messages.at(-1)).toEqual({
      room: 'lobby',
      seq: 4,
      clientId,
      from: ada,
      text: 'hello',
      ts: '2024-05-01T12:00:04.000Z',
    });
    expect(snapshot.lastSeq).toBe(4);

    // The broadcast of the same message replaces it: still one.
    socket.receive({
      event: 'chat.message',
      data: { ...snapshot.messages.at(-1), from: { ...ada } },
    });
    snapshot = store.getSnapshot();
    expect(seqs(snapshot.messages)).toEqual([3, 4]);
    expect(snapshot.pending).toEqual([]);
  });

  it('uses a distinct clientId per send', async () => {
    const client = createClient();
    await joinedClient(client);
    const ids = new Set(Array.from({ length: 20 }, (_, i) => client.sendChat('lobby', `m${i}`)));
    expect(ids.size).toBe(20);
  });

  it('refuses a room that was not joined', async () => {
    const client = createClient();
    await joinedClient(client);
    expect(() => client.sendChat('elsewhere', 'hi')).toThrow(/Join "elsewhere"/);
  });

  it('queues a send made while offline and delivers it once when the link returns, after the re-join', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client, {
      lastSeq: 2,
      history: [chatMessage(1), chatMessage(2)],
    });
    const store = client.room('lobby')!;
    socket.serverClose(1006);
    await flushMicrotasks();
    expect(client.state).toBe('reconnecting');

    const clientId = client.sendChat('lobby', 'sent offline');
    expect(store.getSnapshot().pending).toMatchObject([{ clientId, status: 'queued' }]);

    await advance(500);
    const next = FakeWebSocket.last;
    next.open();
    next.ack(next.lastFrame.id, helloAck({ resume: 'token-2' }));
    await flushMicrotasks();
    // Re-join first; the outbox waits for its ack.
    expect(next.frames.map((frame) => frame.event)).toEqual(['hello', 'room.join']);
    expect(lastFrameOf(next, 'room.join').data).toEqual({ room: 'lobby', since: 2 });
    await answerJoin(next, { lastSeq: 2, recovered: true });

    expect(next.framesOf('chat.send')).toHaveLength(1);
    const frame = lastFrameOf(next, 'chat.send');
    expect(frame.data).toEqual({ room: 'lobby', clientId, text: 'sent offline' });
    await answerSend(next, frame, 3);

    const snapshot = store.getSnapshot();
    expect(texts(snapshot.messages)).toEqual(['message 1', 'message 2', 'sent offline']);
    expect(snapshot.pending).toEqual([]);
    await advance(60_000);
    expect(next.framesOf('chat.send')).toHaveLength(1);
  });

  it('replays unacked sends after a reconnect in their original order with the same clientIds', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client);
    const first = client.sendChat('lobby', 'one');
    const second = client.sendChat('lobby', 'two');
    expect(socket.framesOf('chat.send').map((frame) => frame.data.clientId)).toEqual([
      first,
      second,
    ]);

    socket.serverClose(1006); // no ack came back
    await flushMicrotasks();
    const third = client.sendChat('lobby', 'three');
    expect(
      client
        .room('lobby')!
        .getSnapshot()
        .pending.map((entry) => entry.status),
    ).toEqual(['queued', 'queued', 'queued']);

    await advance(500);
    const next = FakeWebSocket.last;
    next.open();
    next.ack(next.lastFrame.id, helloAck({ resume: 'token-2' }));
    await flushMicrotasks();
    await answerJoin(next, { recovered: true });

    const replayed = next.framesOf('chat.send');
    expect(replayed.map((frame) => frame.data.clientId)).toEqual([first, second, third]);
    expect(replayed.map((frame) => frame.data.text)).toEqual(['one', 'two', 'three']);
    for (const [index, frame] of replayed.entries()) await answerSend(next, frame, index + 1);
    expect(texts(client.room('lobby')!.getSnapshot().messages)).toEqual(['one', 'two', 'three']);
  });

  it('does not replay a send whose message the re-join history already holds (stored, ack lost)', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client);
    const clientId = client.sendChat('lobby', 'maybe stored');
    socket.serverClose(1006);
    await flushMicrotasks();

    // After an api restart the session is new: a new userId, which the server cannot dedupe on.
    const next = await reconnect(socket, advance, { userId: 'u-9', resume: 'token-2' });
    const stored = chatMessage(1, { clientId, text: 'maybe stored', from: ada });
    await answerJoin(next, { lastSeq: 1, recovered: true, history: [stored] });

    await advance(1_000);
    expect(next.framesOf('chat.send')).toHaveLength(0);
    const snapshot = client.room('lobby')!.getSnapshot();
    expect(snapshot.messages).toEqual([stored]);
    expect(snapshot.pending).toEqual([]);
  });

  it('handles a duplicate ack (a retry the server had stored) without showing the message twice', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client);
    const clientId = client.sendChat('lobby', 'once');
    const frame = lastFrameOf(socket, 'chat.send');
    // The server stored it, but the socket died before its ack arrived.
    socket.serverClose(1006);
    await flushMicrotasks();
    const next = await reconnect(socket, advance, { resume: 'token-2' });
    await answerJoin(next, { recovered: true }); // history does not (yet) show it
    const replay = lastFrameOf(next, 'chat.send');
    expect(replay.data.clientId).toBe(clientId);
    expect(replay.data).toEqual(frame.data);

    // The server answers a repeated clientId with the first {seq, ts} and does not broadcast.
    await answerSend(next, replay, 1, { broadcast: false });
    // A late broadcast of the original, and a second ack for an id no longer pending, change nothing.
    next.receive({
      event: 'chat.message',
      data: chatMessage(1, { clientId, text: 'once', from: ada }),
    });
    next.ack(replay.id, { seq: 1, ts: chatMessage(1).ts });
    await flushMicrotasks();

    const snapshot = client.room('lobby')!.getSnapshot();
    expect(snapshot.messages).toHaveLength(1);
    expect(snapshot.messages[0]).toMatchObject({ seq: 1, clientId, text: 'once' });
    expect(snapshot.pending).toEqual([]);
  });

  it('marks a send the server refuses as failed with its code, out of the outbox; retry sends it again', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client);
    const bad = client.sendChat('lobby', '   ');
    socket.fail(lastFrameOf(socket, 'chat.send').id, ErrorCode.BadMessage, 'Invalid chat.send', [
      'text',
    ]);
    const ok = client.sendChat('lobby', 'fine');
    socket.fail(lastFrameOf(socket, 'chat.send').id, ErrorCode.NotInRoom, 'Join first');
    await flushMicrotasks();

    const store = client.room('lobby')!;
    expect(store.getSnapshot().pending).toEqual([
      expect.objectContaining({
        clientId: bad,
        text: '   ',
        status: 'failed',
        error: 'bad_message',
      }),
      expect.objectContaining({
        clientId: ok,
        text: 'fine',
        status: 'failed',
        error: 'not_in_room',
      }),
    ]);

    // Failed entries are not replayed after a reconnect.
    const next = await reconnect(socket, advance, { resume: 'token-2' });
    await answerJoin(next, { recovered: true });
    expect(next.framesOf('chat.send')).toHaveLength(0);

    expect(client.retryChat('lobby', ok)).toBe(true);
    expect(client.retryChat('lobby', ok)).toBe(false);
    const retried = lastFrameOf(next, 'chat.send');
    expect(retried.data).toEqual({ room: 'lobby', clientId: ok, text: 'fine' });
    await answerSend(next, retried, 1);
    expect(client.discardChat('lobby', bad)).toBe(true);
    expect(store.getSnapshot().pending).toEqual([]);
    expect(texts(store.getSnapshot().messages)).toEqual(['fine']);
  });

  it('re-sends after rate_limited instead of failing', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client);
    const clientId = client.sendChat('lobby', 'busy');
    socket.fail(lastFrameOf(socket, 'chat.send').id, ErrorCode.RateLimited);
    await flushMicrotasks();
    expect(client.room('lobby')!.getSnapshot().pending).toMatchObject([
      { clientId, status: 'queued' },
    ]);
    await advance(1_000);
    expect(socket.framesOf('chat.send').map((frame) => frame.data.clientId)).toEqual([
      clientId,
      clientId,
    ]);
  });

  it('sends made before connect wait for the first join', async () => {
    const client = createClient();
    const joined = client.joinRoom('lobby');
    const clientId = client.sendChat('lobby', 'early');
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    socket.ack(socket.lastFrame.id, helloAck());
    await flushMicrotasks();
    expect(socket.frames.map((frame) => frame.event)).toEqual(['hello', 'room.join']);
    expect(lastFrameOf(socket, 'room.join').data).toEqual({ room: 'lobby' });
    await answerJoin(socket, { members: [ada, bob] });
    await joined;
    expect(lastFrameOf(socket, 'chat.send').data.clientId).toBe(clientId);
  });
});
