import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TYPING_EXPIRY_MS, TYPING_THROTTLE_MS } from '../src/index.js';
import { FakeWebSocket } from './fake-websocket.js';
import { createClient, flushMicrotasks } from './helpers.js';
import { bob, chatMessage, cy, joinedClient, reconnect } from './chat-helpers.js';

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});
afterEach(() => {
  vi.useRealTimers();
});

const typingFrames = (socket: FakeWebSocket) =>
  socket.framesOf('chat.typing').map((frame) => frame.data.typing);

describe('setTyping', () => {
  it('sends typing: true at most once per 3 s while typing, and false once when stopped', async () => {
    expect(TYPING_THROTTLE_MS).toBe(3_000);
    const client = createClient();
    const { socket } = await joinedClient(client);

    client.setTyping('lobby', true);
    expect(socket.lastFrame).toEqual({
      event: 'chat.typing',
      data: { room: 'lobby', typing: true },
    });
    await vi.advanceTimersByTimeAsync(1_000);
    client.setTyping('lobby', true);
    await vi.advanceTimersByTimeAsync(1_999);
    client.setTyping('lobby', true);
    expect(typingFrames(socket)).toEqual([true]);
    await vi.advanceTimersByTimeAsync(1);
    client.setTyping('lobby', true);
    expect(typingFrames(socket)).toEqual([true, true]);

    client.setTyping('lobby', false);
    client.setTyping('lobby', false);
    expect(typingFrames(socket)).toEqual([true, true, false]);
    // Typing again right after stopping is news: sent at once.
    client.setTyping('lobby', true);
    expect(typingFrames(socket)).toEqual([true, true, false, true]);
    expect(socket.framesOf('chat.typing').every((frame) => frame.id === undefined)).toBe(true);
  });

  it('sends nothing for a false without a true before, for unknown rooms, or while offline', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client);
    client.setTyping('lobby', false);
    client.setTyping('elsewhere', true);
    expect(typingFrames(socket)).toEqual([]);

    client.setTyping('lobby', true);
    socket.serverClose(1006);
    await flushMicrotasks();
    client.setTyping('lobby', false); // offline: dropped
    const next = await reconnect(socket, (ms) => vi.advanceTimersByTimeAsync(ms), {
      resume: 'token-2',
    });
    client.setTyping('lobby', true); // the throttle starts over on a new connection
    expect(typingFrames(next)).toEqual([true]);
  });
});

describe('others typing', () => {
  it('lists who types, refreshes on repeat, and expires an entry 6 s after the last typing: true', async () => {
    expect(TYPING_EXPIRY_MS).toBe(6_000);
    const client = createClient();
    const { socket } = await joinedClient(client);
    const store = client.room('lobby')!;
    const typing = (user: typeof bob, value: boolean) =>
      socket.receive({ event: 'chat.typing', data: { room: 'lobby', user, typing: value } });

    typing(bob, true);
    await vi.advanceTimersByTimeAsync(2_000);
    typing(cy, true);
    expect(store.getSnapshot().typing).toEqual([bob, cy]);
    const before = store.getSnapshot();
    typing(bob, true); // refresh only: no change
    expect(store.getSnapshot()).toBe(before);

    await vi.advanceTimersByTimeAsync(5_999); // bob refreshed at 2 s, cy started at 2 s
    expect(store.getSnapshot().typing).toEqual([bob, cy]);
    await vi.advanceTimersByTimeAsync(1);
    expect(store.getSnapshot().typing).toEqual([]);

    typing(bob, true);
    typing(bob, false);
    expect(store.getSnapshot().typing).toEqual([]);
  });

  it('clears a user when their message arrives, when they leave, and when the link drops', async () => {
    const client = createClient();
    const { socket } = await joinedClient(client);
    const store = client.room('lobby')!;
    socket.receive({ event: 'chat.typing', data: { room: 'lobby', user: bob, typing: true } });
    socket.receive({ event: 'chat.typing', data: { room: 'lobby', user: cy, typing: true } });
    socket.receive({ event: 'chat.message', data: chatMessage(1, { from: bob }) });
    expect(store.getSnapshot().typing).toEqual([cy]);
    socket.receive({ event: 'presence.left', data: { room: 'lobby', user: cy, online: 1 } });
    expect(store.getSnapshot().typing).toEqual([]);

    socket.receive({ event: 'chat.typing', data: { room: 'lobby', user: bob, typing: true } });
    socket.serverClose(1006);
    expect(store.getSnapshot().typing).toEqual([]);
    await vi.advanceTimersByTimeAsync(10_000); // no timer left to fire into a disposed state
  });
});
