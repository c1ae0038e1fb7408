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
  const client = await RawClient.connect(server.wsUrl());
  const user = await client.hello(name);
  const reply = await client.request('room.join', { room, ...(since !== undefined && { since }) });
  expect(reply.event).toBe('ack');
  return { client, user, join: reply.data };
}

/** Sends a chat message and resolves with its ack data (`{seq, ts}`). */
export async function say(
  member: Member,
  room: string,
  text: string,
  clientId = `c-${Math.random()}`,
) {
  const reply = await member.client.request('chat.send', { room, clientId, text });
  expect(reply.event, JSON.stringify(reply)).toBe('ack');
  return reply.data as { seq: number; ts: string };
}

export function nextChatMessage(client: RawClient, timeoutMs?: number): Promise<ServerFrame> {
  return client.nextWhere((frame) => frame.event === 'chat.message', timeoutMs, 'a chat.message');
}
