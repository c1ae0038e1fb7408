import { CloseCode } from '@duplex/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionClosedError, type CloseInfo, type ConnectionState } from '../src/index.js';
import { FakeWebSocket } from './fake-websocket.js';
import { completeHandshake, connectReady, createClient, flushMicrotasks } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('unexpected close', () => {
  it('rejects in-flight requests, reconnects after the back-off and resumes with the last token', async () => {
    const { client, socket } = await connectReady();
    const closes: CloseInfo[] = [];
    client.on('close', (info) => closes.push(info));
    const inFlight = client.request('ping', {});

    socket.serverClose(CloseCode.GoingAway, 'restart');
    expect(client.state).toBe('reconnecting');
    expect(closes).toEqual([{ code: 1001, reason: 'restart', willReconnect: true }]);
    await expect(inFlight).rejects.toBeInstanceOf(ConnectionClosedError);

    // Made while reconnecting: waits for the next ready.
    const queued = client.request('ping', {});
    await vi.advanceTimersByTimeAsync(499);
    expect(FakeWebSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(client.state).toBe('reconnecting');

    const next = FakeWebSocket.last;
    next.open();
    expect(next.lastFrame.data).toMatchObject({ name: 'Ada', resume: 'token-1' });
    await completeHandshake(next, { resume: 'token-2' });
    expect(client.state).toBe('ready');
    expect(next.lastFrame.event).toBe('ping');
    next.ack(next.lastFrame.id, { serverTime: '2024-05-01T12:00:00.000Z' });
    await expect(queued).resolves.toEqual({ serverTime: '2024-05-01T12:00:00.000Z' });
  });

  it('backs off exponentially while attempts fail, and starts over after a successful hello', async () => {
    const { socket } = await connectReady({
      reconnect: { initialDelayMs: 100, factor: 2, maxDelayMs: 1_000, jitter: 0 },
    });
    socket.serverClose(1006);

    const delays: number[] = [];
    let last = Date.now();
    for (let attempt = 0; attempt < 5; attempt++) {
      const count = FakeWebSocket.instances.length;
      while (FakeWebSocket.instances.length === count) await vi.advanceTimersByTimeAsync(1);
      delays.push(Date.now() - last);
      last = Date.now();
      FakeWebSocket.last.serverClose(1006); // the attempt fails before opening
    }
    expect(delays).toEqual([100, 200, 400, 800, 1_000]);

    await vi.advanceTimersByTimeAsync(1_000);
    await completeHandshake();
    FakeWebSocket.last.serverClose(1006);
    const count = FakeWebSocket.instances.length;
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeWebSocket.instances).toHaveLength(count + 1);
  });

  it.each([
    CloseCode.GoingAway,
    CloseCode.MessageTooBig,
    CloseCode.InternalError,
    CloseCode.TryAgainLater,
    CloseCode.HelloTimeout,
    1006,
  ])('reconnects after close code %i', async (code) => {
    const { client, socket } = await connectReady();
    socket.serverClose(code);
    expect(client.state).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(500);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it.each([
    CloseCode.Normal,
    CloseCode.PolicyViolation,
    CloseCode.UnsupportedProtocol,
    CloseCode.SessionTakenOver,
  ])(
    'stays closed after terminal close code %i and rejects every pending request',
    async (code) => {
      const { client, socket } = await connectReady();
      const closes: CloseInfo[] = [];
      client.on('close', (info) => closes.push(info));
      const inFlight = client.request('ping', {});
      socket.serverClose(code, 'bye');

      expect(client.state).toBe('closed');
      expect(closes).toEqual([{ code, reason: 'bye', willReconnect: false }]);
      await expect(inFlight).rejects.toBeInstanceOf(ConnectionClosedError);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(FakeWebSocket.instances).toHaveLength(1);
    },
  );

  it('stays closed when reconnect is disabled, rejecting queued requests too', async () => {
    const client = createClient({ reconnect: false });
    client.connect();
    const queued = client.request('ping', {});
    FakeWebSocket.last.serverClose(1006);
    expect(client.state).toBe('closed');
    await expect(queued).rejects.toBeInstanceOf(ConnectionClosedError);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });
});

describe('close()', () => {
  it('closes the socket with the given code, rejects pending requests and never reconnects', async () => {
    const { client, socket } = await connectReady();
    const states: ConnectionState[] = [];
    const closes: CloseInfo[] = [];
    client.on('state', (state) => states.push(state));
    client.on('close', (info) => closes.push(info));
    const inFlight = client.request('ping', {});

    client.close(1000, 'leaving');
    expect(socket.closedByClient).toEqual({ code: 1000, reason: 'leaving' });
    expect(states).toEqual(['closed']);
    expect(closes).toEqual([{ code: 1000, reason: 'leaving', willReconnect: false }]);
    await expect(inFlight).rejects.toBeInstanceOf(ConnectionClosedError);

    await flushMicrotasks(); // the socket's own close event arrives, and is ignored
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(client.state).toBe('closed');
  });

  it('cancels a scheduled reconnect', async () => {
    const { client, socket } = await connectReady();
    socket.serverClose(1006);
    expect(client.state).toBe('reconnecting');
    client.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(client.state).toBe('closed');
  });

  it('lets connect() start over afterwards, resuming the session', async () => {
    const { client } = await connectReady();
    client.close();
    client.connect();
    expect(client.state).toBe('connecting');
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.last.open();
    expect(FakeWebSocket.last.lastFrame.data.resume).toBe('token-1');
    await completeHandshake();
    expect(client.state).toBe('ready');
  });
});
