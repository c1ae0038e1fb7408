import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeWebSocket } from './fake-websocket.js';
import { completeHandshake, connectReady, createClient } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});
afterEach(() => {
  vi.useRealTimers();
});

const BACKOFF = { initialDelayMs: 1_000, factor: 2, maxDelayMs: 8_000, jitter: 0 };

describe('nextRetryAt and the retry event', () => {
  it('tells when the next attempt starts, and null once it has started', async () => {
    const { client, socket } = await connectReady({ reconnect: BACKOFF });
    const announced: (number | null)[] = [];
    client.on('retry', (at) => announced.push(at));
    expect(client.nextRetryAt).toBeNull();

    const lostAt = Date.now();
    socket.serverClose(1006);
    expect(client.nextRetryAt).toBe(lostAt + 1_000);
    expect(announced).toEqual([lostAt + 1_000]);

    await vi.advanceTimersByTimeAsync(1_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(client.nextRetryAt).toBeNull();
    expect(announced).toEqual([lostAt + 1_000, null]);

    const failedAt = Date.now();
    FakeWebSocket.last.serverClose(1006);
    expect(client.nextRetryAt).toBe(failedAt + 2_000);
    client.close();
    expect(client.nextRetryAt).toBeNull();
    expect(announced).toEqual([lostAt + 1_000, null, failedAt + 2_000, null]);
  });

  it('is set for a client whose very first socket failed', () => {
    const client = createClient({ reconnect: BACKOFF });
    client.connect();
    FakeWebSocket.last.serverClose(1006);
    expect(client.state).toBe('reconnecting');
    expect(client.session).toBeNull();
    expect(client.nextRetryAt).toBe(Date.now() + 1_000);
    client.close();
  });
});

describe('lastDisconnect', () => {
  it('holds the code and reason of the last loss until a hello is acknowledged', async () => {
    const { client, socket } = await connectReady({ reconnect: BACKOFF });
    expect(client.lastDisconnect).toBeNull();

    const seenByStateListeners: unknown[] = [];
    client.on('state', () => seenByStateListeners.push(client.lastDisconnect));
    socket.serverClose(1001, 'restart');
    expect(client.lastDisconnect).toEqual({ code: 1001, reason: 'restart' });
    expect(seenByStateListeners).toEqual([{ code: 1001, reason: 'restart' }]);

    await vi.advanceTimersByTimeAsync(1_000);
    FakeWebSocket.last.serverClose(1006);
    expect(client.lastDisconnect).toEqual({ code: 1006, reason: '' });

    await vi.advanceTimersByTimeAsync(2_000);
    await completeHandshake(FakeWebSocket.last);
    expect(client.state).toBe('ready');
    expect(client.lastDisconnect).toBeNull();
    client.close();
  });
});

describe('retryNow()', () => {
  it('cancels the back-off and opens a socket at once', async () => {
    const { client, socket } = await connectReady({ reconnect: BACKOFF });
    socket.serverClose(1006);
    expect(FakeWebSocket.instances).toHaveLength(1);

    client.retryNow();
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(client.nextRetryAt).toBeNull();
    await completeHandshake(FakeWebSocket.last);
    expect(client.state).toBe('ready');

    // The cancelled timer does not open another socket later.
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeWebSocket.instances).toHaveLength(2);
    client.close();
  });

  it('backs off again, further, when the attempt it started fails', async () => {
    const { client, socket } = await connectReady({ reconnect: BACKOFF });
    socket.serverClose(1006);
    client.retryNow();
    const failedAt = Date.now();
    FakeWebSocket.last.serverClose(1006);
    expect(client.nextRetryAt).toBe(failedAt + 2_000);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(FakeWebSocket.instances).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeWebSocket.instances).toHaveLength(3);
    client.close();
  });

  it('does nothing while an attempt is under way, while ready, before connect() and once closed', async () => {
    const idle = createClient({ reconnect: BACKOFF });
    idle.retryNow();
    expect(idle.state).toBe('idle');
    expect(FakeWebSocket.instances).toHaveLength(0);

    const { client, socket } = await connectReady({ reconnect: BACKOFF });
    client.retryNow();
    expect(FakeWebSocket.instances).toHaveLength(1);

    socket.serverClose(1006);
    client.retryNow();
    expect(FakeWebSocket.instances).toHaveLength(2);
    client.retryNow(); // the attempt is still opening
    expect(FakeWebSocket.instances).toHaveLength(2);

    client.close();
    client.retryNow();
    expect(client.state).toBe('closed');
    expect(FakeWebSocket.instances).toHaveLength(2);
  });
});
