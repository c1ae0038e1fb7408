import { ErrorCode } from '@duplex/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ConnectionClosedError,
  MalformedAckError,
  RequestError,
  RequestTimeoutError,
  type DuplexClient,
} from '../src/index.js';
import { FakeWebSocket } from './fake-websocket.js';
import { completeHandshake, connectReady, createClient } from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});
afterEach(() => {
  vi.useRealTimers();
});

const serverTime = '2024-05-01T12:00:00.000Z';

describe('request', () => {
  it('sends event, data and a fresh id, and resolves with the ack data', async () => {
    const { client, socket } = await connectReady();
    const reply = client.request('ping', {});
    const frame = socket.lastFrame;
    expect(frame).toEqual({ event: 'ping', data: {}, id: expect.any(String) });
    socket.ack(frame.id, { serverTime });
    await expect(reply).resolves.toEqual({ serverTime });
  });

  it('gives every request its own short id and settles each by its id', async () => {
    const { client, socket } = await connectReady();
    const first = client.request('ping', {});
    const second = client.request('room.leave', { room: 'lobby' });
    const [pingFrame, leaveFrame] = socket.frames.slice(-2);
    expect(pingFrame?.id).not.toBe(leaveFrame?.id);
    expect(pingFrame?.id?.length).toBeLessThanOrEqual(8);

    socket.ack(leaveFrame?.id, {});
    socket.ack(pingFrame?.id, { serverTime });
    await expect(first).resolves.toEqual({ serverTime });
    await expect(second).resolves.toEqual({});
  });

  it('rejects with RequestError carrying code and fields when answered with an error', async () => {
    const { client, socket } = await connectReady();
    const reply = client.request('chat.send', { room: 'lobby', clientId: 'c-1', text: '' });
    socket.fail(socket.lastFrame.id, ErrorCode.BadMessage, 'Invalid chat.send', ['text']);
    const error = await reply.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RequestError);
    expect(error).toMatchObject({
      code: 'bad_message',
      fields: ['text'],
      message: 'Invalid chat.send',
    });
  });

  it('has undefined fields for errors without details', async () => {
    const { client, socket } = await connectReady();
    const reply = client.request('room.leave', { room: 'lobby' });
    socket.fail(socket.lastFrame.id, ErrorCode.NotInRoom);
    await expect(reply).rejects.toMatchObject({ code: 'not_in_room', fields: undefined });
  });

  it('rejects with RequestTimeoutError after its timeout and ignores a late ack', async () => {
    const { client, socket } = await connectReady({ requestTimeoutMs: 2_000 });
    const reply = client.request('ping', {});
    const outcome = reply.catch((caught: unknown) => caught);
    const id = socket.lastFrame.id;
    await vi.advanceTimersByTimeAsync(1_999);
    const short = client.request('ping', {}, { timeoutMs: 1 }).catch((caught: unknown) => caught);
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toBeInstanceOf(RequestTimeoutError);
    expect(await short).toBeInstanceOf(RequestTimeoutError);

    socket.ack(id, { serverTime });
    socket.fail(id, ErrorCode.Internal);
    expect(client.state).toBe('ready');
  });

  it('rejects with MalformedAckError when the ack data does not match the protocol', async () => {
    const { client, socket } = await connectReady();
    const reply = client.request('ping', {});
    socket.ack(socket.lastFrame.id, { serverTime: 'yesterday' });
    await expect(reply).rejects.toBeInstanceOf(MalformedAckError);
  });

  it('refuses hello, which the client sends itself', async () => {
    const { client, socket } = await connectReady();
    const sentBefore = socket.sent.length;
    await expect(client.request('hello', { protocol: 1, name: 'x' })).rejects.toBeInstanceOf(
      TypeError,
    );
    expect(() => client.send('hello', { protocol: 1, name: 'x' })).toThrow(TypeError);
    expect(socket.sent).toHaveLength(sentBefore);
  });
});

describe('requests before ready', () => {
  it('waits for the hello ack, then sends them in call order after the hello', async () => {
    const client = createClient();
    const join = client.request('room.join', { room: 'lobby' });
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    const ping = client.request('ping', {});
    expect(socket.frames.map((frame) => frame.event)).toEqual(['hello']);

    await completeHandshake(socket);
    expect(socket.frames.map((frame) => frame.event)).toEqual(['hello', 'room.join', 'ping']);

    const [, joinFrame, pingFrame] = socket.frames;
    socket.ack(pingFrame?.id, { serverTime });
    socket.ack(joinFrame?.id, {
      room: 'lobby',
      members: [],
      online: 0,
      history: [],
      lastSeq: 0,
      recovered: false,
    });
    await expect(ping).resolves.toEqual({ serverTime });
    await expect(join).resolves.toMatchObject({ room: 'lobby', lastSeq: 0 });
  });

  it('counts the timeout from the call, and never sends a request that has timed out', async () => {
    const client = createClient({ requestTimeoutMs: 5_000 });
    client.connect();
    const early = client.request('ping', {}, { timeoutMs: 1_000 });
    const earlyOutcome = early.catch((caught: unknown) => caught);
    const kept = client.request('ice.refresh', {}).catch((caught: unknown) => caught);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await earlyOutcome).toBeInstanceOf(RequestTimeoutError);

    await completeHandshake();
    expect(FakeWebSocket.last.frames.map((frame) => frame.event)).toEqual(['hello', 'ice.refresh']);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(await kept).toBeInstanceOf(RequestTimeoutError);
  });

  it('rejects straight away once the client is closed', async () => {
    const { client } = await connectReady();
    client.close();
    await expect(client.request('ping', {})).rejects.toBeInstanceOf(ConnectionClosedError);
  });
});

describe('send', () => {
  it('writes a frame without id when ready, and nothing before', async () => {
    const client = createClient();
    client.connect();
    expect(client.send('chat.typing', { room: 'lobby', typing: true })).toBe(false);
    await completeHandshake();
    const socket = FakeWebSocket.last;
    expect(client.send('chat.typing', { room: 'lobby', typing: true })).toBe(true);
    expect(socket.lastFrame).toEqual({
      event: 'chat.typing',
      data: { room: 'lobby', typing: true },
    });
    expect(socket.framesOf('chat.typing')).toHaveLength(1);
  });
});

describe('incoming frames', () => {
  const message = {
    room: 'lobby',
    seq: 1,
    clientId: 'c-1',
    from: { userId: 'u-2', name: 'Bob' },
    text: 'hi',
    ts: serverTime,
  };

  it('delivers server pushes to the listeners of their event until unsubscribed', async () => {
    const { client, socket } = await connectReady();
    const received: unknown[] = [];
    const joined: string[] = [];
    const unsubscribe = client.on('chat.message', (data) => received.push(data));
    client.on('presence.joined', (data) => joined.push(data.user.name));

    socket.receive({ event: 'chat.message', data: message });
    socket.receive({
      event: 'presence.joined',
      data: { room: 'lobby', user: { userId: 'u-3', name: 'Cy' }, online: 2 },
    });
    unsubscribe();
    socket.receive({ event: 'chat.message', data: { ...message, seq: 2 } });

    expect(received).toEqual([message]);
    expect(joined).toEqual(['Cy']);
  });

  it('sends error frames without id to error listeners', async () => {
    const { client, socket } = await connectReady();
    const errors: unknown[] = [];
    client.on('error', (error) => errors.push(error));
    socket.fail(undefined, ErrorCode.RateLimited, 'slow down');
    expect(errors).toEqual([{ code: 'rate_limited', message: 'slow down' }]);
  });

  it('ignores malformed frames and keeps working', async () => {
    const { client, socket } = await connectReady();
    const pushes: unknown[] = [];
    const errors: unknown[] = [];
    client.on('chat.message', (data) => pushes.push(data));
    client.on('error', (error) => errors.push(error));

    expect(() => {
      socket.receive('not json');
      socket.receive('[1,2]');
      socket.receive({ event: 'no.such.event', data: {} });
      socket.receive({ event: 'chat.message', data: { ...message, seq: 0 } });
      socket.receive({ event: 'error', data: { code: 'made_up', message: 'x' } });
      socket.receive({ event: 'ack', id: 7, data: {} });
      socket.receiveRaw(new Uint8Array([1, 2, 3]));
    }).not.toThrow();
    expect(pushes).toEqual([]);
    expect(errors).toEqual([]);

    const reply = client.request('ping', {});
    socket.ack(socket.lastFrame.id, { serverTime });
    await expect(reply).resolves.toEqual({ serverTime });
    expect(client.state).toBe('ready');
  });

  it('survives a listener that throws: the others still run and the error is reported', async () => {
    const reported: unknown[] = [];
    const { client, socket } = await connectReady({
      onListenerError: (error) => reported.push(error),
    });
    const seen: number[] = [];
    client.on('chat.message', () => {
      throw new Error('listener bug');
    });
    client.on('chat.message', (data) => seen.push(data.seq));

    expect(() => socket.receive({ event: 'chat.message', data: message })).not.toThrow();
    expect(seen).toEqual([1]);
    expect(reported).toEqual([new Error('listener bug')]);
    expect(client.state).toBe('ready');
  });
});

describe('a throwing state listener', () => {
  it('does not stop the handshake', async () => {
    const reported: unknown[] = [];
    const client: DuplexClient = createClient({ onListenerError: (error) => reported.push(error) });
    client.on('state', () => {
      throw new Error('boom');
    });
    client.connect();
    await completeHandshake();
    expect(client.state).toBe('ready');
    expect(reported).toHaveLength(3); // connecting, authenticating, ready
  });
});
