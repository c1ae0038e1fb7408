import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import {
  CallOutcome,
  MessageKind,
  PROTOCOL_BOUNDS,
  schemas,
  type CallRecord,
} from '@duplex/protocol';
import { isConnected, SessionRegistry } from '../../src/session/session-registry.js';
import type { Session } from '../../src/session/session.js';
import type { ConfigInput } from '../../src/config/config.js';
import { useServer, type TestServer } from './api-server.js';
import { expectError, ISO_TIME, RawClient, type ServerFrame } from './raw-client.js';

/** A `User` as PROTOCOL.md defines it. */
export interface WireUser {
  userId: string;
  name: string;
}

/**
 * One authenticated session of a test user (a tab): its socket, its `User`, the resume token of
 * its last hello ack, and the user's identity (another tab presents it to be the same user).
 */
export interface Party {
  client: RawClient;
  user: WireUser;
  resume: string;
  identity: string;
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

/**
 * One api for a call test file, started before its tests (with `CALL_SERVER_CONFIG`, then
 * `overrides`); every client closed after each test.
 */
export function useCallServer(overrides: ConfigInput = {}): {
  pool: ClientPool;
  server: () => TestServer;
} {
  const { server, closeAfterTest } = useServer({ ...CALL_SERVER_CONFIG, ...overrides });
  return { pool: new ClientPool(server, closeAfterTest), server };
}

/** Opens the sockets of a test's parties; each is closed after the test. */
export class ClientPool {
  constructor(
    private readonly server: () => TestServer,
    private readonly closeAfterTest: (client: RawClient) => RawClient,
  ) {}

  async connect(): Promise<RawClient> {
    return this.closeAfterTest(await RawClient.connect(this.server().wsUrl('/ws')));
  }

  /** Connects and says hello as a new user. */
  async party(name: string): Promise<Party> {
    const client = await this.connect();
    return helloAs(client, name);
  }

  /** Another tab of `party`'s user: a new connection and session, with the same identity. */
  async tab(party: Party): Promise<Party> {
    const client = await this.connect();
    const tab = await helloAs(client, party.user.name, { identity: party.identity });
    expect(tab.user).toEqual(party.user);
    return tab;
  }

  /** Another tab of `party`'s user, joined to `room` (a second session of a member: no presence). */
  async tabIn(party: Party, room: string): Promise<Party> {
    const tab = await this.tab(party);
    await joinRoom(tab, room);
    return tab;
  }

  /**
   * Users named `names`, each connected, authenticated and a member of `room`, joined in order.
   * The presence frames the joins cause are consumed, so every queue is empty on return.
   */
  async partiesIn<const Names extends readonly string[]>(
    room: string,
    names: Names,
  ): Promise<{ -readonly [K in keyof Names]: Party }> {
    const parties: Party[] = [];
    for (const name of names) parties.push(await this.party(name));
    for (const [index, party] of parties.entries()) {
      // Joined once the room's presence is quiet again, each join is announced on its own as
      // `presence.joined` to the others (not coalesced into a `presence.diff` the joiner gets too).
      if (index > 0) await sleep(PROTOCOL_BOUNDS.presenceCoalesceMs + 20);
      await joinRoom(party, room);
      for (const earlier of parties.slice(0, index)) await presenceJoined(earlier, party, room);
    }
    return parties as { -readonly [K in keyof Names]: Party };
  }
}

async function helloAs(
  client: RawClient,
  name: string,
  extra: Record<string, unknown> = {},
): Promise<Party> {
  const reply = await client.helloFrame(name, extra);
  expect(reply.event, JSON.stringify(reply)).toBe('ack');
  const { userId, resume, identity } = reply.data as {
    userId: string;
    name: string;
    resume: string;
    identity: string;
  };
  return { client, user: { userId, name: reply.data.name }, resume, identity };
}

/** Whether `frame` tells of `user` joining or leaving `room`, alone or in a `presence.diff`. */
function isPresenceOf(
  frame: ServerFrame,
  change: 'joined' | 'left',
  room: string,
  user: WireUser,
): boolean {
  if (frame.data?.room !== room) return false;
  if (frame.event === `presence.${change}`) return frame.data.user.userId === user.userId;
  if (frame.event !== 'presence.diff') return false;
  return (frame.data[change] as WireUser[]).some((each) => each.userId === user.userId);
}

/** Waits for `party` to learn that `joiner` joined `room` (presence is coalesced, so either frame). */
export function presenceJoined(party: Party, joiner: Party, room: string): Promise<ServerFrame> {
  return party.client.nextWhere(
    (frame) => isPresenceOf(frame, 'joined', room, joiner.user),
    2_000,
    `presence of ${joiner.user.name} joining ${room}`,
  );
}

/** Waits for `party` to learn that `gone` left `room`. */
export function presenceLeft(party: Party, gone: Party, room: string): Promise<ServerFrame> {
  return party.client.nextWhere(
    (frame) => isPresenceOf(frame, 'left', room, gone.user),
    RESUME_GRACE_MS + 2_000,
    `presence of ${gone.user.name} leaving ${room}`,
  );
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

/** Sends a request and asserts the reply is `error` with `code` (and `fields`), carrying the request's id. */
export async function expectFails(
  party: Party,
  event: string,
  data: Record<string, unknown>,
  code: string,
  fields?: string[],
): Promise<ServerFrame> {
  const reply = await call(party, event, data);
  expect(reply.id, JSON.stringify(reply)).toEqual(expect.any(String));
  expectError(reply, code, { id: reply.id, ...(fields && { fields }) });
  return reply;
}

/**
 * `from` invites the user `to` to a new call in `room` (with video unless `video` is false); the
 * reply is `error` with `code`.
 */
export function expectInviteFails(
  from: Party,
  invite: { to: string; room: string; video?: boolean },
  code: string,
): Promise<ServerFrame> {
  return expectFails(from, 'call.invite', { callId: uniqueCallId(), video: true, ...invite }, code);
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

/** A call as a test placed it: all its record will tell but the outcome and the times. */
export interface PlacedCall {
  room: string;
  callId: string;
  caller: Party;
  callee: Party;
  video: boolean;
}

/** A rings B: B receives the invite. */
export async function ring(
  caller: Party,
  callee: Party,
  room: string,
  callId: string,
  video = true,
): Promise<PlacedCall> {
  await ok(caller, 'call.invite', { callId, to: callee.user.userId, room, video });
  await expectRelayed(callee, 'call.invite', { callId, room, from: caller.user, video });
  return { room, callId, caller, callee, video };
}

/** A calls B and B accepts: the call is active. */
export async function startCall(
  caller: Party,
  callee: Party,
  room: string,
  callId: string,
  video = true,
): Promise<PlacedCall> {
  const placed = await ring(caller, callee, room, callId, video);
  await relay(callee, caller, 'call.accept', { callId });
  return placed;
}

/**
 * Nothing was sent to any of `parties` so far: the next frame each receives is the ack of a
 * `ping` sent now (the server answers it after everything sent to that socket before).
 */
export async function expectNothingPending(parties: Party[]): Promise<void> {
  await Promise.all(
    parties.map(async (party) => {
      const id = `barrier-${randomUUID()}`;
      party.client.send({ event: 'ping', data: {}, id });
      const frame = await party.client.next();
      expect(frame, `${party.user.name} got a frame before the ping's ack`).toMatchObject({
        event: 'ack',
        id,
      });
    }),
  );
}

/** No frame reaches any of `parties` within `ms`, and none is queued. */
export async function expectQuiet(parties: Party[], ms = QUIET_MS): Promise<void> {
  await Promise.all(parties.map((party) => party.client.expectNoFrame(ms)));
}

/**
 * The server's session of `party` (found by its resume token), connected or in grace, on
 * whichever instance holds it.
 */
export function sessionOf(server: TestServer, party: Party): Session | undefined {
  for (const instance of server.instances) {
    const sessions = instance.app.get(SessionRegistry).sessionsOf(party.user.userId);
    const found = [...sessions].find((session) => session.token === party.resume);
    if (found) return found;
  }
  return undefined;
}

/** Waits until the server has noticed that `party`'s socket closed (its session is in grace). */
export async function waitUntilInGrace(
  server: TestServer,
  party: Party,
  timeoutMs = 2_000,
): Promise<void> {
  const session = sessionOf(server, party);
  expect(session, `${party.user.name} has a session`).toBeDefined();
  const deadline = Date.now() + timeoutMs;
  while (isConnected(session!)) {
    if (Date.now() > deadline)
      throw new Error(`the server did not notice ${party.user.name} leave`);
    await sleep(5);
  }
  expect(sessionOf(server, party), 'the session is in grace, not ended').toBe(session);
}

/** Drops the socket without a closing handshake and waits until the server has noticed. */
export async function dropSocket(server: TestServer, party: Party): Promise<void> {
  party.client.socket.terminate();
  await party.client.waitClosed();
  await waitUntilInGrace(server, party);
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

/** What a test knows of a call's record before it sees it. */
export interface ExpectedRecord {
  callId: string;
  caller: Party;
  callee: Party;
  outcome: CallOutcome;
  video?: boolean;
}

/** A `chat.message` of kind `call` as the server sends it. */
export interface CallMessage {
  room: string;
  seq: number;
  kind: typeof MessageKind.Call;
  call: CallRecord;
  ts: string;
}

/**
 * Every one of `members` receives the ended call's record as one `chat.message` of kind `call`
 * (the same message for all); checks the record against what is known of the call and returns it.
 */
export async function expectCallRecord(
  members: Party[],
  room: string,
  expected: ExpectedRecord,
): Promise<CallMessage> {
  const frames = await Promise.all(
    members.map((member) =>
      member.client.nextWhere(
        (frame) =>
          frame.event === 'chat.message' &&
          frame.data.kind === MessageKind.Call &&
          frame.data.call.callId === expected.callId,
        2_000,
        `the record of call ${expected.callId} on ${member.user.name}'s socket`,
      ),
    ),
  );
  const message = frames[0]!.data as CallMessage;
  for (const frame of frames) expect(frame).toEqual({ event: 'chat.message', data: message });
  expectRecordOf(message, room, expected);
  return message;
}

/** Every one of `members` receives the record of `placed`, which ended `outcome`; returns it. */
export function expectCallEnded(
  placed: PlacedCall,
  outcome: CallOutcome,
  members: Party[],
): Promise<CallMessage> {
  return expectCallRecord(members, placed.room, { ...placed, outcome });
}

/** `message` is the stored record of the call `expected`, in `room`, well-formed per PROTOCOL.md. */
export function expectRecordOf(message: CallMessage, room: string, expected: ExpectedRecord): void {
  expect(Object.keys(message).sort()).toEqual(['call', 'kind', 'room', 'seq', 'ts']);
  expect(message).toMatchObject({ room, kind: MessageKind.Call });
  expect(message.seq).toBeGreaterThanOrEqual(1);
  const record = message.call;
  expect(schemas.callRecord.strict().safeParse(record).success, JSON.stringify(record)).toBe(true);
  expect(record).toMatchObject({
    callId: expected.callId,
    caller: expected.caller.user,
    callee: expected.callee.user,
    video: expected.video ?? true,
    outcome: expected.outcome,
  });
  for (const time of [record.startedAt, record.endedAt, message.ts]) expect(time).toMatch(ISO_TIME);
  expect(message.ts).toBe(record.endedAt);
  const started = Date.parse(record.startedAt);
  const ended = Date.parse(record.endedAt);
  expect(ended).toBeGreaterThanOrEqual(started);
  const accepted =
    expected.outcome === CallOutcome.Completed || expected.outcome === CallOutcome.Failed;
  if (accepted) {
    expect(record.answeredAt).toMatch(ISO_TIME);
    const answered = Date.parse(record.answeredAt!);
    expect(answered).toBeGreaterThanOrEqual(started);
    expect(answered).toBeLessThanOrEqual(ended);
    expect(record.durationMs).toBe(ended - answered);
  } else {
    expect(record).not.toHaveProperty('answeredAt');
    expect(record).not.toHaveProperty('durationMs');
  }
}
