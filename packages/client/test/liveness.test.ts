import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NetworkEventSource } from '../src/index.js';
import { FakeWebSocket } from './fake-websocket.js';
import { completeHandshake, connectReady, createClient } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});
afterEach(() => {
  vi.useRealTimers();
});

class FakeWindow implements NetworkEventSource {
  private readonly listeners = new Map<string, Set<() => void>>();
  addEventListener(type: string, listener: () => void) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(listener);
  }
  removeEventListener(type: string, listener: () => void) {
    this.listeners.get(type)?.delete(listener);
  }
  fire(type: 'online' | 'offline') {
    for (const listener of this.listeners.get(type) ?? []) listener();
  }
  count(type: string) {
    return this.listeners.get(type)?.size ?? 0;
  }
}

describe('keep-alive', () => {
  it('pings while ready and reconnects when a ping goes unanswered', async () => {
    const { client, socket } = await connectReady({
      keepAliveIntervalMs: 1000,
      requestTimeoutMs: 500,
    });
    await vi.advanceTimersByTimeAsync(1000);
    const ping = socket.framesOf('ping').at(-1)!;
    socket.ack(ping.id, { serverTime: new Date().toISOString() });
    await vi.advanceTimersByTimeAsync(600);
    expect(client.state).toBe('ready');

    await vi.advanceTimersByTimeAsync(1000); // the next ping goes out and is never answered
    expect(socket.framesOf('ping')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(500);
    expect(client.state).toBe('reconnecting');
    expect(socket.closedByClient?.code).toBe(4000);
    client.close();
  });

  it('is off with an interval of 0', async () => {
    const { client, socket } = await connectReady({ keepAliveIntervalMs: 0 });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(socket.framesOf('ping')).toHaveLength(0);
    client.close();
  });
});

describe('browser network events', () => {
  it('drops the socket when offline and retries at once when online again', async () => {
    const network = new FakeWindow();
    const { client, socket } = await connectReady({
      networkEvents: network,
      keepAliveIntervalMs: 0,
    });
    network.fire('offline');
    expect(client.state).toBe('reconnecting');
    expect(socket.closedByClient?.code).toBe(4000);

    // The first retry (500 ms back-off) finds no network; the next would wait 1 s.
    await vi.advanceTimersByTimeAsync(500);
    FakeWebSocket.last.serverClose(1006);
    const attempts = FakeWebSocket.instances.length;
    network.fire('online');
    expect(FakeWebSocket.instances.length).toBe(attempts + 1);
    await completeHandshake(FakeWebSocket.last);
    expect(client.state).toBe('ready');

    client.close();
    expect(network.count('online')).toBe(0);
    expect(network.count('offline')).toBe(0);
  });

  it('ignores online while connected', async () => {
    const network = new FakeWindow();
    const client = createClient({ networkEvents: network, keepAliveIntervalMs: 0 });
    client.connect();
    await completeHandshake();
    network.fire('online');
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(client.state).toBe('ready');
    client.close();
  });
});
