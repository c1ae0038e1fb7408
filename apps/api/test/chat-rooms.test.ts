import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/api-server.js';
import {
  BULK_TIMEOUT_MS,
  connectMany,
  fillRoom,
  joinAs,
  joinRoom,
  nextChatMessage,
  nextPresence,
  presenceChange,
  presenceSays,
  say,
  uniqueRoom,
  userIdsOf,
} from './support/chat-helpers.js';
import { RawClient } from './support/raw-client.js';

let server: TestServer;

const seqsOf = (messages: { seq: number }[]) => messages.map((message) => message.seq);

beforeAll(async () => {
  server = await startServer({ BURST: 1000, MESSAGES_PER_SECOND: 1000 });
});
afterAll(() => server?.stop());

describe('room.join and presence', () => {
  it('counts three users joining and leaving, members include the joiner', async () => {
    const room = uniqueRoom();
    const ann = await joinAs(server, 'Ann', room);
    expect(ann.join).toMatchObject({ room, lastSeq: 0, history: [], recovered: false });
    expect(ann.join.members).toEqual([{ userId: ann.user.userId, name: 'Ann' }]);

    const bob = await joinAs(server, 'Bob', room);
    expect(bob.join.members).toHaveLength(2);
    expect(bob.join.members[0]).toEqual({ userId: bob.user.userId, name: 'Bob' });
    expect(bob.join.online).toBe(2);
    const joinedBob = await presenceSays(ann.client, room, 'joined', bob.user.userId);
    expect(joinedBob.joined).toEqual([{ userId: bob.user.userId, name: 'Bob' }]);
    expect(joinedBob.online).toBe(2);

    const cid = await joinAs(server, 'Cid', room);
    expect(cid.join.members.map((m: { name: string }) => m.name).sort()).toEqual([
      'Ann',
      'Bob',
      'Cid',
    ]);
    expect(cid.join.online).toBe(3);
    for (const member of [ann, bob]) {
      const joined = await presenceSays(member.client, room, 'joined', cid.user.userId);
      expect(joined.online).toBe(3);
      expect(joined.joined).toContainEqual({ userId: cid.user.userId, name: 'Cid' });
    }

    expect((await bob.client.request('room.leave', { room })).event).toBe('ack');
    for (const member of [ann, cid]) {
      const left = await presenceSays(member.client, room, 'left', bob.user.userId);
      expect(left.left).toEqual([{ userId: bob.user.userId, name: 'Bob' }]);
      expect(left.joined).toEqual([]);
      expect(left.online).toBe(2);
    }
    // The leave went out to the others before this ping was read: none of it reached Bob.
    await bob.client.expectNoneBeforePing(
      (f) => presenceChange(f, room)?.left.some((u) => u.userId === bob.user.userId) ?? false,
    );
    await Promise.all([ann.client.close(), bob.client.close(), cid.client.close()]);
  });

  it('re-joining a joined room is acknowledged without a new presence.joined', async () => {
    const room = uniqueRoom();
    const ann = await joinAs(server, 'Ann', room);
    const bob = await joinAs(server, 'Bob', room);
    await presenceSays(ann.client, room, 'joined', bob.user.userId);
    const again = await bob.client.request('room.join', { room, since: 0 });
    expect(again.event).toBe('ack');
    expect(again.data.members).toHaveLength(2);
    expect(again.data.online).toBe(2);
    // Cid's join comes after Bob's re-join: the next presence Ann sees is Cid's alone.
    const cid = await joinAs(server, 'Cid', room);
    const next = await nextPresence(ann.client, room);
    expect(userIdsOf(next.joined)).toEqual([cid.user.userId]);
    expect(next.left).toEqual([]);
    expect(next.online).toBe(3);
    await Promise.all([ann.client.close(), bob.client.close(), cid.client.close()]);
  });

  it('leaving, sending or typing in a room not joined is not_in_room, and the connection stays usable', async () => {
    const client = await RawClient.connect(server.wsUrl());
    await client.hello('Dee');
    const room = uniqueRoom();
    for (const [event, data] of [
      ['room.leave', { room }],
      ['chat.send', { room, clientId: 'x', text: 'hi' }],
      ['chat.typing', { room, typing: true }],
    ] as const) {
      const reply = await client.request(event, data);
      expect(reply.event).toBe('error');
      expect(reply.data.code).toBe('not_in_room');
      expect(reply.data.details).toBeUndefined();
    }
    await client.expectUsable();
    await client.close();
  });
});

describe('chat.send', () => {
  it('broadcasts to every member, the sender getting its ack first', async () => {
    const room = uniqueRoom();
    const ann = await joinAs(server, 'Ann', room);
    const bob = await joinAs(server, 'Bob', room);
    ann.client.send({
      event: 'chat.send',
      data: { room, clientId: 'a-1', text: '  hello <b>bob</b>  ' },
      id: 's1',
    });
    // Presence frames may come in between; of the ack and the message, the ack is first.
    const first = await ann.client.nextWhere((f) => f.id === 's1' || f.event === 'chat.message');
    expect(first).toMatchObject({ event: 'ack', id: 's1', data: { seq: 1 } });
    expect(first.data.ts).toBe(new Date(first.data.ts).toISOString());
    const own = await nextChatMessage(ann.client);
    const theirs = await nextChatMessage(bob.client);
    for (const frame of [own, theirs]) {
      expect(frame.event).toBe('chat.message');
      expect(frame.data).toEqual({
        room,
        seq: 1,
        clientId: 'a-1',
        from: { userId: ann.user.userId, name: 'Ann' },
        text: '  hello <b>bob</b>  ',
        ts: first.data.ts,
      });
    }
    await Promise.all([ann.client.close(), bob.client.close()]);
  });

  it('keeps seq gap-free and ordered for every member under concurrent senders', async () => {
    const room = uniqueRoom();
    const members = await Promise.all(
      ['A', 'B', 'C', 'D', 'E'].map((name) => joinAs(server, name, room)),
    );
    for (const member of members) member.client.drain();
    const perSender = 40;
    const acks = await Promise.all(
      members.map((member, index) =>
        Promise.all(
          Array.from({ length: perSender }, (_, n) =>
            say(member, room, `m${index}-${n}`, `c-${index}-${n}`, BULK_TIMEOUT_MS),
          ),
        ),
      ),
    );
    const seqs = acks
      .flat()
      .map((ack) => ack.seq)
      .sort((a, b) => a - b);
    const total = members.length * perSender;
    expect(seqs).toEqual(Array.from({ length: total }, (_, i) => i + 1));

    for (const member of members) {
      const received: number[] = [];
      while (received.length < total)
        received.push((await nextChatMessage(member.client)).data.seq);
      expect(received).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    }
    await Promise.all(members.map((member) => member.client.close()));
  });

  it('answers a retried clientId with the first ack, whatever its text, and does not broadcast it again', async () => {
    const room = uniqueRoom();
    const ann = await joinAs(server, 'Ann', room);
    const bob = await joinAs(server, 'Bob', room);
    const first = await say(ann, room, 'original', 'retry-me');
    expect((await nextChatMessage(bob.client)).data.text).toBe('original');
    const retry = await say(ann, room, 'changed text', 'retry-me');
    expect(retry).toEqual(first);

    // The same clientId from another user is another message, and the next one Bob receives.
    const bobs = await say(bob, room, 'mine', 'retry-me');
    expect(bobs.seq).toBe(first.seq + 1);
    const next = await nextChatMessage(bob.client);
    expect(next.data).toMatchObject({ seq: bobs.seq, text: 'mine' });
    await Promise.all([ann.client.close(), bob.client.close()]);
  });

  it('rejects bad text with bad_message naming the field', async () => {
    const room = uniqueRoom();
    const ann = await joinAs(server, 'Ann', room);
    const reply = await ann.client.request('chat.send', { room, clientId: 'c', text: '   ' });
    expect(reply.data).toMatchObject({ code: 'bad_message', details: { fields: ['text'] } });
    await ann.client.expectUsable();
    await ann.client.close();
  });
});

describe('chat.typing', () => {
  it('is relayed to the other members only', async () => {
    const room = uniqueRoom();
    const ann = await joinAs(server, 'Ann', room);
    const bob = await joinAs(server, 'Bob', room);
    const cid = await joinAs(server, 'Cid', room);
    expect((await ann.client.request('chat.typing', { room, typing: true })).event).toBe('ack');
    for (const other of [bob, cid]) {
      const typing = await other.client.nextWhere((f) => f.event === 'chat.typing');
      expect(typing.data).toEqual({
        room,
        user: { userId: ann.user.userId, name: 'Ann' },
        typing: true,
      });
    }
    // Relayed while the typing frame was processed, so before the ack of a later ping.
    await ann.client.expectNoneBeforePing((f) => f.event === 'chat.typing');
    await Promise.all([ann.client.close(), bob.client.close(), cid.client.close()]);
  });
});

describe('history', () => {
  it('recovers everything after `since`, or the latest 50 when too far behind', async () => {
    const room = uniqueRoom();
    const ann = await joinAs(server, 'Ann', room);
    for (let i = 1; i <= 60; i++) await say(ann, room, `n${i}`, `h-${i}`);

    const recovering = await joinAs(server, 'Bob', room, 55);
    expect(recovering.join).toMatchObject({ lastSeq: 60, recovered: true });
    expect(recovering.join.history.map((m: { seq: number }) => m.seq)).toEqual([
      56, 57, 58, 59, 60,
    ]);

    const upToDate = await joinAs(server, 'Cid', room, 60);
    expect(upToDate.join).toMatchObject({ lastSeq: 60, recovered: true, history: [] });

    const fromTheFuture = await joinAs(server, 'Dee', room, 99);
    expect(fromTheFuture.join.recovered).toBe(false);
    expect(fromTheFuture.join.history.map((m: { seq: number }) => m.seq)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 11),
    );

    const fresh = await joinAs(server, 'Eve', room);
    expect(fresh.join.recovered).toBe(false);
    expect(fresh.join.history).toHaveLength(50);
    expect(fresh.join.history[0].text).toBe('n11');
    await Promise.all(
      [ann, recovering, upToDate, fromTheFuture, fresh].map((m) => m.client.close()),
    );
  });

  it('does not recover more than 500 missed messages', async () => {
    const room = uniqueRoom();
    const ann = await joinAs(server, 'Ann', room);
    await fillRoom(server, room, 502, (i) => `bulk ${i}`);
    const exactly500 = await joinAs(server, 'Bob', room, 2);
    expect(exactly500.join.recovered).toBe(true);
    expect(exactly500.join.history).toHaveLength(500);
    const tooMany = await joinAs(server, 'Cid', room, 1);
    expect(tooMany.join.recovered).toBe(false);
    expect(tooMany.join.history).toHaveLength(50);
    expect(tooMany.join.history.at(-1).seq).toBe(502);
    await Promise.all([ann, exactly500, tooMany].map((m) => m.client.close()));
  });
});

describe('history and live messages', () => {
  it("a joiner's history ends exactly where its live chat.message frames begin, while others send", async () => {
    const room = uniqueRoom();
    const senders = await Promise.all(['S1', 'S2', 'S3'].map((name) => joinAs(server, name, room)));
    const rounds = 4;
    const perRound = 10;
    const joiners = await connectMany(server, rounds, 'Joiner');
    const total = rounds * perRound * senders.length;
    const send = (round: number, n: number) =>
      senders.map((sender, i) =>
        say(sender, room, `r${round}-${i}-${n}`, `c-${round}-${i}-${n}`, BULK_TIMEOUT_MS),
      );

    // In each round a joiner joins among the round's sends, and the round ends before the next.
    const acks: { history: { seq: number }[]; lastSeq: number }[] = [];
    for (let round = 0; round < rounds; round++) {
      const sends: Promise<unknown>[] = [];
      for (let n = 0; n < perRound / 2; n++) sends.push(...send(round, n));
      const join = joinRoom(joiners[round]!.client, room, 0, BULK_TIMEOUT_MS);
      for (let n = perRound / 2; n < perRound; n++) sends.push(...send(round, n));
      await Promise.all(sends);
      acks.push(await join);
    }

    const everySeq = Array.from({ length: total }, (_, i) => i + 1);
    for (const [round, ack] of acks.entries()) {
      const history = seqsOf(ack.history);
      expect(history).toEqual(everySeq.slice(0, history.length));
      expect(ack.lastSeq).toBe(history.length);
      const perRoundTotal = perRound * senders.length;
      expect(ack.lastSeq).toBeGreaterThanOrEqual(round * perRoundTotal);
      expect(ack.lastSeq).toBeLessThanOrEqual((round + 1) * perRoundTotal);
      const live: number[] = [];
      while (history.length + live.length < total) {
        live.push((await nextChatMessage(joiners[round]!.client)).data.seq);
      }
      expect([...history, ...live]).toEqual(everySeq);
    }
    await Promise.all([...senders, ...joiners].map((member) => member.client.close()));
  });
});

describe('HTTP history and rooms', () => {
  it('pages messages with before and limit, clamps limit to 200, and lists rooms', async () => {
    const room = uniqueRoom();
    const ann = await joinAs(server, 'Ann', room);
    await fillRoom(server, room, 210, (i) => `p${i}`);

    const get = async (path: string) => {
      const response = await fetch(server.httpUrl(path));
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return { status: response.status, body: (await response.json()) as any };
    };
    const latest = await get(`/api/rooms/${room}/messages`);
    expect(latest.status).toBe(200);
    expect(latest.body.map((m: { seq: number }) => m.seq)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 161),
    );
    const before = await get(`/api/rooms/${room}/messages?before=11&limit=3`);
    expect(before.body.map((m: { seq: number }) => m.seq)).toEqual([8, 9, 10]);
    const clamped = await get(`/api/rooms/${room}/messages?limit=1000`);
    expect(clamped.body).toHaveLength(200);
    expect((await get('/api/rooms/no-such-room/messages')).body).toEqual([]);
    for (const bad of ['?limit=0', '?limit=-1', '?limit=abc', '?before=1.5', '?before=']) {
      expect((await get(`/api/rooms/${room}/messages${bad}`)).status, bad).toBe(400);
    }
    expect((await get('/api/rooms/Not_A_Room/messages')).status).toBe(400);

    const rooms = await get('/api/rooms');
    expect(rooms.body).toContainEqual({ room, online: 1, lastSeq: 210 });
    await ann.client.close();
  });
});
