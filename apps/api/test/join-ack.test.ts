import { MAX_SERVER_FRAME_BYTES, PROTOCOL_BOUNDS, type User } from '@duplex/protocol';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/api-server.js';
import {
  BULK_TIMEOUT_MS,
  connectAs,
  connectMany,
  fillRoom,
  joinAs,
  joinRoom,
  say,
  uniqueRoom,
  userIdsOf,
  type Member,
} from './support/chat-helpers.js';
import { RawClient } from './support/raw-client.js';
import { freshStorage, type TestStorage } from './support/test-storage.js';

/** 500 messages of 4,000 emoji (16,000 UTF-8 bytes each), stored before the api starts. */
const EMOJI_ROOM = 'emoji-history';
const EMOJI_TEXT = '😀'.repeat(4000);
const EMOJI_MESSAGES = 500;

let storage: TestStorage;
let server: TestServer;
const clients: RawClient[] = [];

/** Fills the emoji room through the store itself: far quicker than 8 MB of `chat.send`. */
async function storeEmojiHistory(): Promise<void> {
  const store = await storage.openStore();
  try {
    for (let start = 0; start < EMOJI_MESSAGES; start += 100) {
      await store.appendBatch(
        EMOJI_ROOM,
        Array.from({ length: 100 }, (_, i) => ({
          room: EMOJI_ROOM,
          clientId: `e-${start + i}`,
          from: { userId: 'stored-user', name: 'Stored' },
          text: EMOJI_TEXT,
          ts: new Date().toISOString(),
        })),
      );
    }
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  storage = await freshStorage();
  await storeEmojiHistory();
  server = await startServer({ ...storage.config, BURST: 1000, MESSAGES_PER_SECOND: 1000 });
}, 60_000);
afterAll(async () => {
  await server?.stop();
  await storage?.remove();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

const seqs = (history: { seq: number }[]) => history.map((message) => message.seq);
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A new user's `room.join`, with the ack's size on the wire; the user leaves again at once. */
async function measuredJoin(room: string, since?: number) {
  const { client } = await connectAs(server, 'Reader');
  clients.push(client);
  const { frame, bytes } = await client.requestMeasured(
    'room.join',
    { room, ...(since !== undefined && { since }) },
    20_000,
  );
  expect(frame.event, JSON.stringify(frame).slice(0, 300)).toBe('ack');
  expect((await client.request('room.leave', { room })).event).toBe('ack');
  return { ack: frame.data, bytes };
}

describe('members in the join ack', () => {
  it('at most 100: the joiner first, the most recently active among them; online is the full count; the rest page over HTTP', async () => {
    const room = uniqueRoom('crowd');
    const people = await connectMany(server, 130, 'M');
    clients.push(...people.map((person) => person.client));
    const crowd: Member[] = await Promise.all(
      people.map(async (person) => ({
        ...person,
        join: await joinRoom(person.client, room, undefined, BULK_TIMEOUT_MS),
      })),
    );
    // The first to join is now the most recently active.
    await say(crowd[0]!, room, 'still here');

    const joiner = await joinAs(server, 'Joiner', room);
    clients.push(joiner.client);
    const everyone = new Map<string, string>(
      [...crowd, joiner].map((member) => [member.user.userId, member.user.name]),
    );
    expect(joiner.join.online).toBe(131);
    const listed = joiner.join.members as User[];
    expect(listed).toHaveLength(PROTOCOL_BOUNDS.membersInJoinAck);
    expect(listed[0]).toEqual({ userId: joiner.user.userId, name: 'Joiner' });
    expect(new Set(userIdsOf(listed)).size).toBe(listed.length);
    for (const user of listed) expect(user.name).toBe(everyone.get(user.userId));
    expect(userIdsOf(listed)).toContain(crowd[0]!.user.userId);

    // Every member, over HTTP, in pages ordered by userId.
    const paged: User[] = [];
    let after: string | undefined;
    for (;;) {
      const query = after === undefined ? '' : `?after=${encodeURIComponent(after)}`;
      const response = await fetch(server.httpUrl(`/api/rooms/${room}/members${query}`));
      expect(response.status).toBe(200);
      const page = (await response.json()) as { online: number; members: User[] };
      expect(page.online).toBe(131);
      expect(page.members.length).toBeLessThanOrEqual(PROTOCOL_BOUNDS.membersPageSize);
      if (page.members.length === 0) break;
      paged.push(...page.members);
      after = page.members.at(-1)!.userId;
    }
    expect(userIdsOf(paged)).toEqual([...everyone.keys()].sort());
    for (const user of paged) expect(user.name).toBe(everyone.get(user.userId));
  });
});

describe('history in the join ack stays within maxServerFrameBytes', () => {
  it(`a recovery of ${EMOJI_MESSAGES} messages too large for 1 MiB falls back to the latest 50`, async () => {
    const { ack, bytes } = await measuredJoin(EMOJI_ROOM, 0);
    expect(bytes).toBeLessThanOrEqual(MAX_SERVER_FRAME_BYTES);
    expect(ack).toMatchObject({ lastSeq: EMOJI_MESSAGES, recovered: false });
    expect(seqs(ack.history)).toEqual(range(EMOJI_MESSAGES - 49, EMOJI_MESSAGES));
    expect(ack.history.every((m: { text: string }) => m.text === EMOJI_TEXT)).toBe(true);
  });

  it('a recovery that fits is whole (55 × 16 kB)', async () => {
    const { ack, bytes } = await measuredJoin(EMOJI_ROOM, EMOJI_MESSAGES - 55);
    expect(bytes).toBeLessThanOrEqual(MAX_SERVER_FRAME_BYTES);
    expect(ack.recovered).toBe(true);
    expect(seqs(ack.history)).toEqual(range(EMOJI_MESSAGES - 54, EMOJI_MESSAGES));
  });

  it('a recovery of fewer than 500 that does not fit (70 × 16 kB) falls back to the latest 50', async () => {
    const { ack, bytes } = await measuredJoin(EMOJI_ROOM, EMOJI_MESSAGES - 70);
    expect(70 * Buffer.byteLength(EMOJI_TEXT)).toBeGreaterThan(MAX_SERVER_FRAME_BYTES);
    expect(bytes).toBeLessThanOrEqual(MAX_SERVER_FRAME_BYTES);
    expect(ack.recovered).toBe(false);
    expect(seqs(ack.history)).toEqual(range(EMOJI_MESSAGES - 49, EMOJI_MESSAGES));
  });

  it('without since: the latest 50', async () => {
    const { ack, bytes } = await measuredJoin(EMOJI_ROOM);
    expect(bytes).toBeLessThanOrEqual(MAX_SERVER_FRAME_BYTES);
    expect(ack.recovered).toBe(false);
    expect(seqs(ack.history)).toEqual(range(EMOJI_MESSAGES - 49, EMOJI_MESSAGES));
  });

  describe('when even the latest 50 do not fit (texts stored as sent, white space included)', () => {
    const PADDED = 50;
    /** About 60 kB on the wire, 3 characters after trimming: 50 of them are about 3 MB. */
    const paddedText = (i: number) => `  w${String(i).padStart(2, '0')}${' '.repeat(60_000)}`;
    let room: string;

    beforeAll(async () => {
      room = uniqueRoom('padded');
      await fillRoom(server, room, PADDED, paddedText);
    }, 60_000);

    /** The ack holds the newest messages that fit, oldest left out, each exactly as sent. */
    async function expectNewestThatFit(
      ack: { history: { seq: number; clientId: string; text: string }[] },
      bytes: number,
    ) {
      expect(bytes).toBeLessThanOrEqual(MAX_SERVER_FRAME_BYTES);
      expect(ack.history.length).toBeGreaterThan(0);
      expect(ack.history.length).toBeLessThan(PADDED);
      expect(seqs(ack.history)).toEqual(range(PADDED - ack.history.length + 1, PADDED));
      for (const message of ack.history) {
        expect(message.text).toBe(paddedText(Number(message.clientId.replace('fill-', ''))));
      }
      // The next older message would not have fitted.
      const firstSeq = ack.history[0]!.seq;
      const response = await fetch(
        server.httpUrl(`/api/rooms/${room}/messages?before=${firstSeq}&limit=1`),
      );
      const [older] = (await response.json()) as unknown[];
      expect(bytes + Buffer.byteLength(JSON.stringify(older)) + 1).toBeGreaterThan(
        MAX_SERVER_FRAME_BYTES,
      );
    }

    it('without since: the newest that fit, recovered false', async () => {
      const { ack, bytes } = await measuredJoin(room);
      expect(ack).toMatchObject({ lastSeq: PADDED, recovered: false });
      await expectNewestThatFit(ack, bytes);
    });

    it('a recovery that does not fit: the newest that fit, recovered false', async () => {
      const { ack, bytes } = await measuredJoin(room, PADDED - 30);
      expect(ack.recovered).toBe(false);
      await expectNewestThatFit(ack, bytes);
    });

    it('a recovery that fits (10 × 60 kB) is whole', async () => {
      const { ack, bytes } = await measuredJoin(room, PADDED - 10);
      expect(bytes).toBeLessThanOrEqual(MAX_SERVER_FRAME_BYTES);
      expect(ack.recovered).toBe(true);
      expect(seqs(ack.history)).toEqual(range(PADDED - 9, PADDED));
    });
  });
});
