import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from './fake-websocket.js';
import { createClient, flushMicrotasks, helloAck } from './helpers.js';
import { ada, answerJoin, bob, joinedClient } from './chat-helpers.js';

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RoomSnapshot.live', () => {
  it('is false before the join, true once joined, false from a lost connection until joined again', async () => {
    const client = createClient({ keepAliveIntervalMs: 0 });
    client.connect();
    const joining = client.joinRoom('lobby');
    expect(client.room('lobby')!.getSnapshot().live).toBe(false);
    FakeWebSocket.last.open();
    client.close();
    await joining.catch(() => {});

    FakeWebSocket.reset();
    const other = createClient({ keepAliveIntervalMs: 0 });
    const { socket, snapshot } = await joinedClient(other);
    expect(snapshot.live).toBe(true);

    socket.serverClose(1006);
    await flushMicrotasks();
    const stale = other.room('lobby')!.getSnapshot();
    expect(stale.live).toBe(false);
    // The last known members and count are kept meanwhile.
    expect(stale.members).toEqual([ada, bob]);
    expect(stale.online).toBe(2);

    await vi.advanceTimersByTimeAsync(500);
    const next = FakeWebSocket.last;
    next.open();
    next.ack(next.framesOf('hello').at(-1)!.id, helloAck());
    await flushMicrotasks();
    // Ready again, but not joined yet: still the last known.
    expect(other.state).toBe('ready');
    expect(other.room('lobby')!.getSnapshot().live).toBe(false);
    await answerJoin(next, { members: [ada], online: 1 });
    const live = other.room('lobby')!.getSnapshot();
    expect(live.live).toBe(true);
    expect(live.online).toBe(1);
    other.close();
  });
});
