import { CloseCode, ErrorCode, PROTOCOL_VERSION } from '@duplex/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  CLIENT_RETRY_CLOSE_CODE,
  ConnectionClosedError,
  type ConnectionState,
} from '../src/index.js';
import { FakeWebSocket } from './fake-websocket.js';
import {
  completeHandshake,
  connectReady,
  createClient,
  flushMicrotasks,
  helloAck,
} from './helpers.js';

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('handshake', () => {
  it('goes connecting → authenticating → ready and stores the hello ack as the session', async () => {
    const client = createClient({ name: 'Ada' });
    const states: ConnectionState[] = [];
    client.on('state', (state) => states.push(state));
    expect(client.state).toBe('idle');

    client.connect();
    expect(client.state).toBe('connecting');
    const socket = FakeWebSocket.last;
    expect(socket.url).toBe('ws://test/ws');

    socket.open();
    expect(client.state).toBe('authenticating');
    const hello = socket.lastFrame;
    expect(hello).toEqual({
      event: 'hello',
      id: expect.any(String),
      data: { protocol: PROTOCOL_VERSION, name: 'Ada' },
    });

    const ack = helloAck({ userId: 'u-42', resume: 'r-1' });
    socket.ack(hello.id, ack);
    await flushMicrotasks();
    expect(client.state).toBe('ready');
    expect(client.session).toEqual(ack);
    expect(states).toEqual(['connecting', 'authenticating', 'ready']);
  });

  it('connect() is idempotent while connecting or connected', async () => {
    const client = createClient();
    client.connect();
    client.connect();
    expect(FakeWebSocket.instances).toHaveLength(1);
    await completeHandshake();
    client.connect();
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(client.state).toBe('ready');
  });

  it('sends the resume token given in the options', async () => {
    const { socket } = await connectReady({ resume: 'saved-token' });
    expect(socket.framesOf('hello')[0]?.data.resume).toBe('saved-token');
  });

  it('uses globalThis.WebSocket when none is injected', () => {
    vi.stubGlobal('WebSocket', FakeWebSocket);
    const client = createClient({ WebSocket: undefined });
    client.connect();
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('throws from connect() when no WebSocket exists, and ends closed', () => {
    vi.stubGlobal('WebSocket', undefined);
    const client = createClient({ WebSocket: undefined });
    expect(() => client.connect()).toThrow(TypeError);
    expect(client.state).toBe('closed');
  });
});

describe('hello failures', () => {
  it('on resume_expired drops the token and sends a fresh hello on the same socket', async () => {
    const client = createClient({ resume: 'stale' });
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    const first = socket.lastFrame;
    expect(first.data.resume).toBe('stale');

    socket.fail(first.id, ErrorCode.ResumeExpired);
    await flushMicrotasks();
    const second = socket.lastFrame;
    expect(second.event).toBe('hello');
    expect(second.id).not.toBe(first.id);
    expect(second.data).toEqual({ protocol: PROTOCOL_VERSION, name: 'Ada' });
    expect(client.state).toBe('authenticating');

    socket.ack(second.id, helloAck({ resume: 'fresh' }));
    await flushMicrotasks();
    expect(client.state).toBe('ready');
    expect(client.session?.resume).toBe('fresh');
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('on unsupported_protocol goes closed for good, reports 4002 and the error', async () => {
    const client = createClient();
    const errors: string[] = [];
    const closes: unknown[] = [];
    client.on('error', (error) => errors.push(error.code));
    client.on('close', (info) => closes.push(info));
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    socket.fail(socket.lastFrame.id, ErrorCode.UnsupportedProtocol, 'speak 1');
    await flushMicrotasks();

    expect(client.state).toBe('closed');
    expect(errors).toEqual([ErrorCode.UnsupportedProtocol]);
    expect(closes).toEqual([
      { code: CloseCode.UnsupportedProtocol, reason: 'speak 1', willReconnect: false },
    ]);
    socket.serverClose(CloseCode.UnsupportedProtocol);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('on a bad name goes closed and emits the error with its fields', async () => {
    const client = createClient({ name: '   ' });
    const errors: unknown[] = [];
    client.on('error', (error) => errors.push(error));
    const queued = client.request('ping', {});
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    socket.fail(socket.lastFrame.id, ErrorCode.BadMessage, 'Invalid hello', ['name']);
    await flushMicrotasks();

    expect(client.state).toBe('closed');
    expect(errors).toEqual([
      { code: 'bad_message', message: 'Invalid hello', details: { fields: ['name'] } },
    ]);
    expect(socket.closedByClient).toBeDefined();
    await expect(queued).rejects.toBeInstanceOf(ConnectionClosedError);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('on a transient hello error (internal) gives up the socket and reconnects', async () => {
    const client = createClient();
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    socket.fail(socket.lastFrame.id, ErrorCode.Internal);
    await flushMicrotasks();
    expect(client.state).toBe('reconnecting');
    expect(socket.closedByClient?.code).toBe(CLIENT_RETRY_CLOSE_CODE);

    await vi.advanceTimersByTimeAsync(500);
    expect(FakeWebSocket.instances).toHaveLength(2);
    await completeHandshake();
    expect(client.state).toBe('ready');
  });

  it('when the hello ack does not come in time, gives up the socket and reconnects', async () => {
    const client = createClient({ requestTimeoutMs: 1_000 });
    client.connect();
    const first = FakeWebSocket.last;
    first.open();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(client.state).toBe('reconnecting');
    expect(first.closedByClient?.code).toBe(CLIENT_RETRY_CLOSE_CODE);

    // A reply arriving on the abandoned socket changes nothing.
    first.ack(first.framesOf('hello')[0]?.id, helloAck());
    await flushMicrotasks();
    expect(client.state).toBe('reconnecting');

    await vi.advanceTimersByTimeAsync(500);
    await completeHandshake();
    expect(client.state).toBe('ready');
  });

  it('treats a hello ack that does not match the protocol as a failed attempt', async () => {
    const client = createClient();
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    socket.ack(socket.lastFrame.id, { userId: 'u-1' });
    await flushMicrotasks();
    expect(client.session).toBeNull();
    expect(client.state).toBe('reconnecting');
  });
});

/** The last frame `socket` carried is a hello from Ada with `fields` besides the version. */
function expectHelloSent(socket: FakeWebSocket, fields: Record<string, string> = {}): void {
  const frame = socket.lastFrame;
  expect(frame.event).toBe('hello');
  expect(frame.data).toEqual({ protocol: PROTOCOL_VERSION, name: 'Ada', ...fields });
}

/** Ada's client, connected as user `u-ada` (resume token `r-1`), recording its `name` events. */
async function connectedAda() {
  const client = createClient({ name: 'Ada' });
  const names: string[] = [];
  client.on('name', (name) => names.push(name));
  client.connect();
  const socket = FakeWebSocket.last;
  socket.open();
  socket.ack(socket.lastFrame.id, helloAck({ userId: 'u-ada', resume: 'r-1' }));
  await flushMicrotasks();
  return { client, names, socket };
}

/** Drops `socket`'s connection; returns the next one, opened, its hello sent. */
async function reconnectFrom(socket: FakeWebSocket): Promise<FakeWebSocket> {
  socket.serverClose(CloseCode.GoingAway);
  await vi.advanceTimersByTimeAsync(500);
  const next = FakeWebSocket.last;
  next.open();
  return next;
}

describe('name', () => {
  it("takes its user's new name from presence.renamed: reported once, presented in the next hello", async () => {
    const { client, names, socket } = await connectedAda();

    const renamed = (room: string, userId: string, name: string) =>
      socket.receive({ event: 'presence.renamed', data: { room, user: { userId, name } } });
    renamed('lobby', 'u-bob', 'Bobby'); // someone else
    renamed('lobby', 'u-ada', 'Ada Lovelace');
    renamed('other', 'u-ada', 'Ada Lovelace'); // the same rename, told by another room
    expect(names).toEqual(['Ada Lovelace']);
    expect(client.name).toBe('Ada Lovelace');
    expect(client.session).toMatchObject({ userId: 'u-ada', name: 'Ada Lovelace' });

    const next = await reconnectFrom(socket);
    expect(next.lastFrame.data).toEqual({
      protocol: PROTOCOL_VERSION,
      name: 'Ada Lovelace',
      resume: 'r-1',
      identity: 'identity-1',
    });
    // The token expired: the fresh hello, which the server takes the name of, keeps the new one.
    next.fail(next.lastFrame.id, ErrorCode.ResumeExpired);
    await flushMicrotasks();
    expect(next.lastFrame.data).toEqual({
      protocol: PROTOCOL_VERSION,
      name: 'Ada Lovelace',
      identity: 'identity-1',
    });
  });

  it('adoptName keeps a name taken elsewhere for the next hello, and sends nothing now', async () => {
    const { client, names, socket } = await connectedAda();
    const sent = socket.frames.length;
    client.adoptName('Ada Lovelace');
    client.adoptName('Ada Lovelace');
    expect(socket.frames).toHaveLength(sent);
    expect(names).toEqual(['Ada Lovelace']);
    expect(client.session?.name).toBe('Ada'); // the server has not said so yet
    // It does (the other tab's hello renamed the user): the session is called so now.
    socket.receive({
      event: 'presence.renamed',
      data: { room: 'lobby', user: { userId: 'u-ada', name: 'Ada Lovelace' } },
    });
    expect(client.session?.name).toBe('Ada Lovelace');
    expect(names).toEqual(['Ada Lovelace', 'Ada Lovelace']);

    const next = await reconnectFrom(socket);
    expect(next.lastFrame.data).toMatchObject({ name: 'Ada Lovelace', resume: 'r-1' });
  });

  it("takes a newer name from a resume's ack, renamed while this tab was away", async () => {
    const { client, names, socket } = await connectedAda();
    expect(names).toEqual([]);

    const next = await reconnectFrom(socket);
    next.ack(
      next.lastFrame.id,
      helloAck({ userId: 'u-ada', name: 'Ada Lovelace', resume: 'r-2', resumed: true }),
    );
    await flushMicrotasks();
    expect(names).toEqual(['Ada Lovelace']);
    expect(client.name).toBe('Ada Lovelace');

    const third = await reconnectFrom(next);
    expect(third.lastFrame.data).toMatchObject({ name: 'Ada Lovelace', resume: 'r-2' });
  });
});

describe('identity', () => {
  it('reports the identity of the first ack, and presents it in every later hello, resume included', async () => {
    const client = createClient();
    const events: string[] = [];
    client.on('identity', (identity) => events.push(`identity:${identity}`));
    client.on('state', (state) => events.push(`state:${state}`));
    expect(client.identity).toBeUndefined();
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    expectHelloSent(socket);
    socket.ack(socket.lastFrame.id, helloAck({ identity: 'id-ada', resume: 'r-1' }));
    await flushMicrotasks();
    // Reported before `ready`, so that it is kept before the app goes on.
    expect(events).toEqual([
      'state:connecting',
      'state:authenticating',
      'identity:id-ada',
      'state:ready',
    ]);
    expect(client.identity).toBe('id-ada');
    expect(client.session?.identity).toBe('id-ada');

    const next = await reconnectFrom(socket);
    expectHelloSent(next, { resume: 'r-1', identity: 'id-ada' });
    // The token expired: the fresh hello still presents the identity, so the user stays the same.
    next.fail(next.lastFrame.id, ErrorCode.ResumeExpired);
    await flushMicrotasks();
    expectHelloSent(next, { identity: 'id-ada' });
    next.ack(next.lastFrame.id, helloAck({ identity: 'id-ada', resume: 'r-2' }));
    await flushMicrotasks();
    expect(client.state).toBe('ready');
    expect(events.filter((event) => event.startsWith('identity'))).toEqual(['identity:id-ada']);
  });

  it('presents the identity option, and reports a different one the server gives back', async () => {
    const client = createClient({ identity: 'kept' });
    const identities: string[] = [];
    client.on('identity', (identity) => identities.push(identity));
    expect(client.identity).toBe('kept');
    client.connect();
    const socket = FakeWebSocket.last;
    socket.open();
    expectHelloSent(socket, { identity: 'kept' });
    socket.ack(socket.lastFrame.id, helloAck({ identity: 'kept' }));
    await flushMicrotasks();
    expect(identities).toEqual([]); // the same user: nothing to persist

    const other = createClient({ identity: 'forged' });
    other.on('identity', (identity) => identities.push(identity));
    other.connect();
    await completeHandshake(FakeWebSocket.last, { identity: 'fresh', userId: 'u-9' });
    expect(identities).toEqual(['fresh']);
    expect(other.identity).toBe('fresh');
  });
});
