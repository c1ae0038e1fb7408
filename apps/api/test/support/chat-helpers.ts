import type { User } from '@duplex/protocol';
import { expect } from 'vitest';
import type { TestServer } from './api-server.js';
import { RawClient, type HelloAck, type ServerFrame } from './raw-client.js';

export interface Member {
  client: RawClient;
  user: HelloAck;
  join: ServerFrame['data'];
}

export { uniqueRoom } from './call-helpers.js';

/** Connects, says hello and joins `room`; resolves once the join is acknowledged. */
export async function joinAs(
  server: TestServer,
  name: string,
  room: string,
  since?: number,
): Promise<Member> {
  return joinWith(server, name, room, {}, since);
}

/**
 * Like {@link joinAs}, with more fields in the `hello` (`identity` for another session of the
 * same user, `resume`).
 */
export async function joinWith(
  server: TestServer,
  name: string,
  room: string,
  hello: Record<string, unknown>,
  since?: number,
): Promise<Member> {
  const { client, user } = await connectAs(server, name, hello);
  return { client, user, join: await joinRoom(client, room, since) };
}

/** Connects and says a `hello` that must succeed. */
export async function connectAs(
  server: TestServer,
  name: string,
  hello: Record<string, unknown> = {},
): Promise<{ client: RawClient; user: HelloAck }> {
  const client = await RawClient.connect(server.wsUrl());
  return { client, user: await client.hello(name, hello) };
}

/**
 * `count` users (`prefix0`, `prefix1`, …), connected and said hello, a few dozen at a time so
 * that no connection waits long for its upgrade.
 */
export async function connectMany(
  server: TestServer,
  count: number,
  prefix: string,
): Promise<{ client: RawClient; user: HelloAck }[]> {
  const people: { client: RawClient; user: HelloAck }[] = [];
  for (let start = 0; start < count; start += 25) {
    const batch = Array.from({ length: Math.min(25, count - start) }, (_, i) =>
      connectAs(server, `${prefix}${start + i}`),
    );
    people.push(...(await Promise.all(batch)));
  }
  return people;
}

/** `room.join` that must succeed; resolves with the ack's data. */
export async function joinRoom(
  client: RawClient,
  room: string,
  since?: number,
  timeoutMs?: number,
): Promise<ServerFrame['data']> {
  const reply = await client.request(
    'room.join',
    { room, ...(since !== undefined && { since }) },
    timeoutMs,
  );
  expect(reply.event, JSON.stringify(reply)).toBe('ack');
  return reply.data;
}

/** Sends a chat message and resolves with its ack data (`{seq, ts}`). */
export async function say(
  member: Member,
  room: string,
  text: string,
  clientId = `c-${Math.random()}`,
  timeoutMs?: number,
) {
  const reply = await member.client.request('chat.send', { room, clientId, text }, timeoutMs);
  expect(reply.event, JSON.stringify(reply)).toBe('ack');
  return reply.data as { seq: number; ts: string };
}

/** How long a burst of sends may take to be acknowledged: each is stored before its ack. */
export const BULK_TIMEOUT_MS = 30_000;

/**
 * Stores `count` messages (`text(i)`) in `room` through `senders` connections at once, which
 * then leave the room and close; resolves with the acks, by `i`. A connection's frames are
 * handled one after another, so several senders make the stores batch.
 */
export async function fillRoom(
  server: TestServer,
  room: string,
  count: number,
  text: (i: number) => string,
  senders = 8,
): Promise<{ seq: number; ts: string }[]> {
  const members = await Promise.all(
    Array.from({ length: senders }, (_, n) => joinAs(server, `Filler ${n}`, room)),
  );
  const acks = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      say(members[i % senders]!, room, text(i), `fill-${i}`, BULK_TIMEOUT_MS),
    ),
  );
  for (const member of members) {
    expect((await member.client.request('room.leave', { room })).event).toBe('ack');
    await member.client.close();
  }
  return acks;
}

export function nextChatMessage(client: RawClient, timeoutMs?: number): Promise<ServerFrame> {
  return client.nextWhere((frame) => frame.event === 'chat.message', timeoutMs, 'a chat.message');
}

/**
 * What a presence frame of a room says, whichever shape it has: `presence.joined` and
 * `presence.left` carry one user, `presence.diff` (changes coalesced over 100 ms) several, of
 * which it names at most `presenceDiffMaxUsers` per kind and counts all.
 */
export interface PresenceChange {
  frame: ServerFrame;
  event: string;
  joined: User[];
  left: User[];
  joinedCount: number;
  leftCount: number;
  online: number;
}

/** The change a frame announces in `room`, or `null` when it is not a presence frame of `room`. */
export function presenceChange(frame: ServerFrame, room: string): PresenceChange | null {
  if (frame.data?.room !== room) return null;
  switch (frame.event) {
    case 'presence.joined':
      return {
        frame,
        event: frame.event,
        joined: [frame.data.user],
        left: [],
        joinedCount: 1,
        leftCount: 0,
        online: frame.data.online,
      };
    case 'presence.left':
      return {
        frame,
        event: frame.event,
        joined: [],
        left: [frame.data.user],
        joinedCount: 0,
        leftCount: 1,
        online: frame.data.online,
      };
    case 'presence.diff':
      return {
        frame,
        event: frame.event,
        joined: frame.data.joined,
        left: frame.data.left,
        joinedCount: frame.data.joinedCount,
        leftCount: frame.data.leftCount,
        online: frame.data.online,
      };
    default:
      return null;
  }
}

/** Waits for the presence frame of `room` that says `userId` joined (or left), in either shape. */
export async function presenceSays(
  client: RawClient,
  room: string,
  kind: 'joined' | 'left',
  userId: string,
  timeoutMs?: number,
): Promise<PresenceChange> {
  const frame = await client.nextWhere(
    (candidate) =>
      presenceChange(candidate, room)?.[kind].some((user) => user.userId === userId) ?? false,
    timeoutMs,
    `presence saying ${userId} ${kind} ${room}`,
  );
  return presenceChange(frame, room)!;
}

/**
 * The next presence frame of `room` (frames of other kinds stay queued). A member receives a
 * room's presence frames in order, so it shows everything that changed before the change it
 * announces.
 */
export async function nextPresence(
  client: RawClient,
  room: string,
  timeoutMs?: number,
): Promise<PresenceChange> {
  const frame = await client.nextWhere(
    (candidate) => presenceChange(candidate, room) !== null,
    timeoutMs,
    `a presence frame of ${room}`,
  );
  return presenceChange(frame, room)!;
}

export const userIdsOf = (users: readonly User[]): string[] => users.map((user) => user.userId);

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
