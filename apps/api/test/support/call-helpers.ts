import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { SessionRegistry } from '../../src/session/session-registry.js';
import { startServer, type TestServer } from './api-server.js';
import { RawClient, type ServerFrame } from './raw-client.js';

/** A `User` as PROTOCOL.md defines it. */
export interface WireUser {
  userId: string;
  name: string;
}

/** One authenticated test user: its socket, its `User` and the resume token of its last hello ack. */
export interface Party {
  client: RawClient;
  user: WireUser;
  resume: string;
}

/** Small timings so ring timeouts and grace periods pass quickly. */
export const CALL_RING_TIMEOUT_MS = 500;
export const RESUME_GRACE_MS = 300;

/** Config for a call test server: short timers, and rate limits out of the way of bursts of signalling. */
export const CALL_SERVER_CONFIG = {
  CALL_RING_TIMEOUT_MS,
  RESUME_GRACE_MS,
  BURST: 1_000,
  MESSAGES_PER_SECOND: 1_000,
} as const;

/** The window in which a frame that should not come is waited for. */
export const QUIET_MS = 200;

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

let counter = 0;

/** A room name unique to this run, matching `^[a-z0-9][a-z0-9-]{0,39}$`. */
export function uniqueRoom(prefix = 'call'): string {
  return `${prefix}-${++counter}-${randomUUID().slice(0, 8)}`.slice(0, 40);
}

/** A callId unique to this run (calls outlive a test by up to the grace period). */
export function uniqueCallId(prefix = 'call'): string {
  return `${prefix}-${++counter}-${randomUUID()}`;
}

/** Tracks the sockets opened by a test file so that `afterEach` can close them. */
/** One api for a call test file, started before its tests; every client closed after each test. */
export function useCallServer(): { pool: ClientPool; server: () => TestServer } {
  let started: TestServer | undefined;
  const server = (): TestServer => {
    if (!started) throw new Error('the call test server has not started');
    return started;
  };
  const pool = new ClientPool(server);
  beforeAll(async () => {
    started = await startServer(CALL_SERVER_CONFIG);
  });
  afterAll(() => started?.stop());
  afterEach(() => pool.closeAll());
  return { pool, server };
}

export class ClientPool {
  private readonly clients: RawClient[] = [];

  constructor(private readonly server: () => TestServer) {}

  async connect(): Promise<RawClient> {
    const client = await RawClient.connect(this.server().wsUrl('/ws'));
    this.clients.push(client);
    return client;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((client) => client.close()));
  }

  /** Connects and says hello. */
  async party(name: string): Promise<Party> {
    const client = await this.connect();
    const ack = await client.hello(name);
    return { client, user: { userId: ack.userId, name: ack.name }, resume: ack.resume };
  }

  /**
   * Users named `names`, each connected, authenticated and a member of `room`, joined in order.
   * The `presence.joined` frames the joins cause are consumed, so every queue is empty on return.
   */
  async partiesIn<const Names extends readonly string[]>(
    room: string,
    names: Names,
  ): Promise<{ -readonly [K in keyof Names]: Party }> {
    const parties: Party[] = [];
    for (const name of names) parties.push(await this.party(name));
    for (const [index, party] of parties.entries()) {
      await joinRoom(party, room);
      for (const earlier of parties.slice(0, index)) {
        await earlier.client.nextWhere(
          (frame) =>
            frame.event === 'presence.joined' &&
            frame.data.room === room &&
            frame.data.user.userId === party.user.userId,
          2_000,
          `presence.joined of ${party.user.name} in ${room}`,
        );
      }
    }
    return parties as { -readonly [K in keyof Names]: Party };
  }
}

export async function joinRoom(party: Party, room: string): Promise<void> {
  const reply = await party.client.request('room.join', { room });
  expect(reply.event, JSON.stringify(reply)).toBe('ack');
}

/** Sends a request and returns its reply (ack or error). */
export function call(
  party: Party,
  event: string,
  data: Record<string, unknown>,
): Promise<ServerFrame> {
  return party.client.request(event, data);
}

/** Asserts a reply is an ack of `{}`, with an id. */
export function expectEmptyAck(reply: ServerFrame): void {
  expect(reply, JSON.stringify(reply)).toEqual({ event: 'ack', id: expect.any(String), data: {} });
  expect(reply.id!.length).toBeGreaterThan(0);
}

/** Sends a request that must be acked with `{}`. */
export async function ok(
  party: Party,
  event: string,
  data: Record<string, unknown>,
): Promise<void> {
  expectEmptyAck(await call(party, event, data));
}

/** The next frame `receiver` gets is exactly `{event, data}` (no id). */
export async function expectRelayed(
  receiver: Party,
  event: string,
  data: Record<string, unknown>,
): Promise<void> {
  const frame = await receiver.client.next();
  expect(frame).toEqual({ event, data });
}

/** Reasons the server fills in when a `call.decline` or `call.bye` omits one (PROTOCOL.md). */
const DEFAULT_REASONS: Record<string, string> = {
  'call.decline': 'declined',
  'call.bye': 'hangup',
};

/**
 * Sends `event` from `sender` (acked `{}`), and `receiver` gets exactly the same data with
 * `from` = the sender (and the default reason where a decline or bye omits one).
 */
export async function relay(
  sender: Party,
  receiver: Party,
  event: string,
  data: Record<string, unknown>,
): Promise<void> {
  await ok(sender, event, data);
  const defaultReason = DEFAULT_REASONS[event];
  const expected = {
    ...(defaultReason !== undefined && { reason: defaultReason }),
    ...data,
    from: sender.user,
  };
  await expectRelayed(receiver, event, expected);
}

/** A rings B: B receives the invite. */
export async function ring(
  caller: Party,
  callee: Party,
  room: string,
  callId: string,
  video = true,
): Promise<void> {
  await ok(caller, 'call.invite', { callId, to: callee.user.userId, room, video });
  await expectRelayed(callee, 'call.invite', { callId, room, from: caller.user, video });
}

/** A calls B and B accepts: the call is active. */
export async function startCall(
  caller: Party,
  callee: Party,
  room: string,
  callId: string,
  video = true,
): Promise<void> {
  await ring(caller, callee, room, callId, video);
  await relay(callee, caller, 'call.accept', { callId });
}

/** No frame reaches any of `parties` within `ms`, and none is queued. */
export async function expectQuiet(parties: Party[], ms = QUIET_MS): Promise<void> {
  await Promise.all(parties.map((party) => party.client.expectNoFrame(ms)));
}

/** Waits until the server has noticed that `userId`'s socket closed (the session is in grace). */
export async function waitUntilInGrace(
  server: TestServer,
  userId: string,
  timeoutMs = 2_000,
): Promise<void> {
  const sessions = server.app.get(SessionRegistry);
  const deadline = Date.now() + timeoutMs;
  while (sessions.isConnected(userId)) {
    if (Date.now() > deadline) throw new Error(`the server did not notice ${userId} disconnect`);
    await sleep(5);
  }
  expect(sessions.find(userId), 'the session is in grace, not ended').toBeDefined();
}

/** Drops the socket without a closing handshake and waits until the server has noticed. */
export async function dropSocket(server: TestServer, party: Party): Promise<void> {
  party.client.socket.terminate();
  await party.client.waitClosed();
  await waitUntilInGrace(server, party.user.userId);
}

/** Reconnects `party` on a new socket with its resume token; updates `party` in place. */
export async function resume(pool: ClientPool, party: Party): Promise<void> {
  const client = await pool.connect();
  const ack = await client.hello(party.user.name, { resume: party.resume });
  expect(ack.userId).toBe(party.user.userId);
  expect(ack.name).toBe(party.user.name);
  party.client = client;
  party.resume = ack.resume;
}
