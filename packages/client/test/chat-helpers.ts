import {
  isTextMessage,
  type AckData,
  type ChatMessage,
  type TextMessage,
  type User,
} from '@duplex/protocol';
import type { DuplexClient, RoomSnapshot } from '../src/index.js';
import { FakeWebSocket } from './fake-websocket.js';
import { completeHandshake, flushMicrotasks } from './helpers.js';

export const ada: User = { userId: 'u-1', name: 'Ada' };
export const bob: User = { userId: 'u-2', name: 'Bob' };
export const cy: User = { userId: 'u-3', name: 'Cy' };

const clock = Date.parse('2024-05-01T12:00:00.000Z');

export function chatMessage(seq: number, overrides: Partial<TextMessage> = {}): TextMessage {
  return {
    room: 'lobby',
    seq,
    clientId: `other-${seq}`,
    from: bob,
    text: `message ${seq}`,
    ts: new Date(clock + seq * 1_000).toISOString(),
    ...overrides,
  };
}

/** A `room.join` ack; `online` defaults to the number of `members`. */
export function joinAck(overrides: Partial<AckData<'room.join'>> = {}): AckData<'room.join'> {
  const members = overrides.members ?? [ada, bob];
  return {
    room: 'lobby',
    members,
    online: members.length,
    history: [],
    lastSeq: 0,
    recovered: false,
    ...overrides,
  };
}

/** The last `event` frame sent for `room` on `socket`. */
export function lastFrameOf(socket: FakeWebSocket, event: string, room = 'lobby') {
  const frame = socket
    .framesOf(event)
    .filter((candidate) => candidate.data.room === room)
    .at(-1);
  if (!frame) throw new Error(`no ${event} for ${room} was sent`);
  return frame;
}

/** Answers the last `room.join` of `room` on `socket`. */
export async function answerJoin(
  socket: FakeWebSocket,
  overrides: Partial<AckData<'room.join'>> = {},
): Promise<void> {
  const room = overrides.room ?? 'lobby';
  socket.ack(lastFrameOf(socket, 'room.join', room).id, joinAck(overrides));
  await flushMicrotasks();
}

/** Answers a `chat.send` frame as the server would: ack, then broadcast to the sender too. */
export async function answerSend(
  socket: FakeWebSocket,
  frame: { id?: string; data: Record<string, unknown> },
  seq: number,
  options: { broadcast?: boolean; from?: User } = {},
): Promise<ChatMessage> {
  const message = chatMessage(seq, {
    room: frame.data.room as string,
    clientId: frame.data.clientId as string,
    text: frame.data.text as string,
    from: options.from ?? ada,
  });
  socket.ack(frame.id, { seq, ts: message.ts });
  await flushMicrotasks();
  if (options.broadcast !== false) socket.receive({ event: 'chat.message', data: message });
  await flushMicrotasks();
  return message;
}

/** A ready client that has joined `lobby` with the given ack. */
export async function joinedClient(
  client: DuplexClient,
  ack: Partial<AckData<'room.join'>> = {},
): Promise<{ socket: FakeWebSocket; snapshot: RoomSnapshot }> {
  client.connect();
  const socket = FakeWebSocket.last;
  await completeHandshake(socket);
  const joined = client.joinRoom(ack.room ?? 'lobby');
  await answerJoin(socket, ack);
  return { socket, snapshot: await joined };
}

/** Drops the link and brings it back: a new socket, its hello answered. */
export async function reconnect(
  socket: FakeWebSocket,
  advance: (ms: number) => Promise<unknown>,
  hello: Parameters<typeof completeHandshake>[1] = {},
): Promise<FakeWebSocket> {
  socket.serverClose(1006);
  await flushMicrotasks();
  await advance(500);
  const next = FakeWebSocket.last;
  if (next === socket) throw new Error('no reconnect attempt');
  await completeHandshake(next, hello);
  return next;
}

/** The texts of the text messages among `messages`. */
export const texts = (messages: readonly ChatMessage[]): string[] =>
  messages.filter(isTextMessage).map((message) => message.text);
export const seqs = (messages: readonly ChatMessage[]): number[] =>
  messages.map((message) => message.seq);
