import { describe, expect, it } from 'vitest';
import { useServer } from './support/api-server.js';
import {
  joinAs,
  nextChatMessage,
  nextPresence,
  presenceSays,
  say,
  sleep,
  uniqueRoom,
  userIdsOf,
} from './support/chat-helpers.js';
import { RawClient } from './support/raw-client.js';

const GRACE_MS = 600;
const { server } = useServer({ RESUME_GRACE_MS: GRACE_MS });

describe('reconnect within the grace period', () => {
  it('keeps user and membership; the others never see a leave; missed messages come back with since', async () => {
    const room = uniqueRoom();
    const ann = await joinAs(server(), 'Ann', room);
    const bob = await joinAs(server(), 'Bob', room);
    await presenceSays(ann.client, room, 'joined', bob.user.userId);
    const seen = (await say(bob, room, 'before the drop')).seq;

    bob.client.socket.terminate();
    await bob.client.waitClosed();
    for (let i = 1; i <= 3; i++) await say(ann, room, `missed ${i}`);

    const back = await RawClient.connect(server().wsUrl());
    const resumed = await back.hello('ignored name', { resume: bob.user.resume });
    expect(resumed.userId).toBe(bob.user.userId);
    expect(resumed.name).toBe('Bob');
    expect(resumed.resume).not.toBe(bob.user.resume);
    expect(resumed.resumed).toBe(true);
    expect(resumed.rooms).toEqual([room]);

    const rejoin = await back.request('room.join', { room, since: seen });
    expect(rejoin.data.recovered).toBe(true);
    expect(rejoin.data.history.map((m: { text: string }) => m.text)).toEqual([
      'missed 1',
      'missed 2',
      'missed 3',
    ]);
    expect(rejoin.data.members).toHaveLength(2);

    // Past the original grace period (a timed rule: waiting is the test), Cid joins: the next
    // presence Ann sees is Cid's alone, so Bob neither left nor joined again before it.
    await sleep(GRACE_MS + 200);
    const cid = await joinAs(server(), 'Cid', room);
    expect(cid.join.online).toBe(3);
    const next = await nextPresence(ann.client, room);
    expect(userIdsOf(next.joined)).toEqual([cid.user.userId]);
    expect(next.left).toEqual([]);
    expect(next.online).toBe(3);

    // Live chat flows again, both ways.
    await say(ann, room, 'welcome back');
    expect((await nextChatMessage(back)).data.text).toBe('welcome back');
    await Promise.all([ann.client.close(), back.close(), cid.client.close()]);
  });

  it('counts a member in grace as online and lists it', async () => {
    const room = uniqueRoom();
    const ann = await joinAs(server(), 'Ann', room);
    const bob = await joinAs(server(), 'Bob', room);
    bob.client.socket.terminate();
    await bob.client.waitClosed();
    const cid = await joinAs(server(), 'Cid', room);
    expect(cid.join.members.map((m: { name: string }) => m.name).sort()).toEqual([
      'Ann',
      'Bob',
      'Cid',
    ]);
    expect(cid.join.online).toBe(3);
    const joined = await presenceSays(ann.client, room, 'joined', cid.user.userId);
    expect(joined.online).toBe(3);
    await Promise.all([ann.client.close(), cid.client.close()]);
  });

  it('invalidates the previous token on every successful hello', async () => {
    const client = await RawClient.connect(server().wsUrl());
    const first = await client.hello('Ann');
    await client.close();
    const second = await RawClient.connect(server().wsUrl());
    await second.hello('Ann', { resume: first.resume });
    const third = await RawClient.connect(server().wsUrl());
    const reply = await third.helloFrame('Ann', { resume: first.resume });
    expect(reply.data.code).toBe('resume_expired');
    await Promise.all([second.close(), third.close()]);
  });
});

describe('after the grace period', () => {
  it('the user leaves every room with presence.left, and the token is resume_expired', async () => {
    const room = uniqueRoom();
    const ann = await joinAs(server(), 'Ann', room);
    const bob = await joinAs(server(), 'Bob', room);
    await presenceSays(ann.client, room, 'joined', bob.user.userId);
    const closedAt = Date.now();
    await bob.client.close(1000);

    const left = await presenceSays(ann.client, room, 'left', bob.user.userId, GRACE_MS + 2000);
    expect(Date.now() - closedAt).toBeGreaterThanOrEqual(GRACE_MS - 50);
    expect(left.left).toEqual([{ userId: bob.user.userId, name: 'Bob' }]);
    expect(left.joined).toEqual([]);
    expect(left.online).toBe(1);

    const late = await RawClient.connect(server().wsUrl());
    const reply = await late.helloFrame('Bob', { resume: bob.user.resume });
    expect(reply.data.code).toBe('resume_expired');
    await late.expectUsable();
    await Promise.all([ann.client.close(), late.close()]);
  });
});

describe('takeover', () => {
  it('a token presented while its connection is open closes the old one with 4003 and keeps the rooms', async () => {
    const room = uniqueRoom();
    const ann = await joinAs(server(), 'Ann', room);
    const second = await RawClient.connect(server().wsUrl());
    const resumed = await second.hello('Ann', { resume: ann.user.resume });
    expect(resumed.userId).toBe(ann.user.userId);
    expect(resumed.resumed).toBe(true);
    expect(resumed.rooms).toEqual([room]);
    expect((await ann.client.waitClosed()).code).toBe(4003);
    await say({ client: second, user: resumed, join: ann.join }, room, 'still a member');
    await second.close();
  });
});
