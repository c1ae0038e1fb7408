import { describe, expect, it } from 'vitest';
import { useServer } from './support/api-server.js';
import {
  connectAs,
  joinAs,
  joinWith,
  nextChatMessage,
  nextPresence,
  presenceSays,
  say,
  sleep,
  uniqueRoom,
  userIdsOf,
  type Member,
} from './support/chat-helpers.js';
import { expectError, RawClient } from './support/raw-client.js';

const RESUME_GRACE_MS = 300;
const { server, closeAfterTest } = useServer({
  RESUME_GRACE_MS,
  BURST: 1000,
  MESSAGES_PER_SECOND: 1000,
});

async function join(name: string, room: string): Promise<Member> {
  const member = await joinAs(server(), name, room);
  closeAfterTest(member.client);
  return member;
}

/** Another session (tab) of `of`'s user, joined to `room`. */
async function secondTab(of: Member, room: string): Promise<Member> {
  const member = await joinWith(server(), of.user.name, room, { identity: of.user.identity });
  expect(member.user.userId).toBe(of.user.userId);
  closeAfterTest(member.client);
  return member;
}

/** An observer, then Ann's first and second tabs, joined in that order; Ann's join seen. */
async function observerAndTwoTabs(room: string) {
  const observer = await join('Obs', room);
  const tab1 = await join('Ann', room);
  await presenceSays(observer.client, room, 'joined', tab1.user.userId);
  const tab2 = await secondTab(tab1, room);
  return { observer, tab1, tab2, ann: tab1.user.userId };
}

async function membersPage(room: string): Promise<{ online: number; members: unknown[] }> {
  const response = await fetch(server().httpUrl(`/api/rooms/${room}/members`));
  expect(response.status).toBe(200);
  return (await response.json()) as { online: number; members: unknown[] };
}

describe('several sessions of one user', () => {
  it('count once in online and members', async () => {
    const room = uniqueRoom('tabs');
    const { tab1, tab2 } = await observerAndTwoTabs(room);
    const annUser = { userId: tab1.user.userId, name: 'Ann' };
    expect(tab2.join.online).toBe(2);
    expect(tab2.join.members).toHaveLength(2);
    expect(tab2.join.members[0]).toEqual(annUser);

    const cid = await join('Cid', room);
    expect(cid.join.online).toBe(3);
    expect(cid.join.members).toHaveLength(3);
    expect(cid.join.members.filter((u: { userId: string }) => u.userId === annUser.userId)).toEqual(
      [annUser],
    );
    const page = await membersPage(room);
    expect(page.online).toBe(3);
    expect(page.members).toHaveLength(3);
  });

  it("presence.joined only for the first session's join, presence.left only when the last session leaves", async () => {
    const room = uniqueRoom('tabs');
    const { observer, tab1, tab2, ann } = await observerAndTwoTabs(room);

    // Cid joins after the second tab: the next presence the observer sees is Cid's alone.
    const cid = await join('Cid', room);
    const afterSecondTab = await nextPresence(observer.client, room);
    expect(userIdsOf(afterSecondTab.joined)).toEqual([cid.user.userId]);
    expect(afterSecondTab.left).toEqual([]);
    expect(afterSecondTab.online).toBe(3);

    // One tab leaves: Ann is still a member; Dan's join is the next presence.
    expect((await tab1.client.request('room.leave', { room })).event).toBe('ack');
    const dan = await join('Dan', room);
    const afterFirstLeave = await nextPresence(observer.client, room);
    expect(userIdsOf(afterFirstLeave.joined)).toEqual([dan.user.userId]);
    expect(afterFirstLeave.left).toEqual([]);
    expect(afterFirstLeave.online).toBe(4);

    // The last tab leaves: now Ann left.
    expect((await tab2.client.request('room.leave', { room })).event).toBe('ack');
    const afterLastLeave = await nextPresence(observer.client, room);
    expect(afterLastLeave.joined).toEqual([]);
    expect(userIdsOf(afterLastLeave.left)).toEqual([ann]);
    expect(afterLastLeave.online).toBe(3);
  });

  it('presence.left when the last session ends after its grace period, not when the first does', async () => {
    const room = uniqueRoom('tabs');
    const { observer, tab1, tab2, ann } = await observerAndTwoTabs(room);

    tab1.client.socket.terminate();
    await tab1.client.waitClosed();
    // The grace period is a timed rule: wait it out, and check the first session really ended.
    await sleep(RESUME_GRACE_MS + 200);
    const probe = await RawClient.connect(server().wsUrl());
    expectError(
      await probe.request('hello', { protocol: 1, name: 'Ann', resume: tab1.user.resume }),
      'resume_expired',
    );
    await probe.close();

    const cid = await join('Cid', room);
    expect(cid.join.online).toBe(3);
    const afterFirstEnded = await nextPresence(observer.client, room);
    expect(userIdsOf(afterFirstEnded.joined)).toEqual([cid.user.userId]);
    expect(afterFirstEnded.left).toEqual([]);

    tab2.client.socket.terminate();
    const left = await presenceSays(observer.client, room, 'left', ann, RESUME_GRACE_MS + 2000);
    expect(left.online).toBe(2);
  });

  it("chat.message reaches the sender's other tab; chat.typing does not", async () => {
    const room = uniqueRoom('tabs');
    const { observer, tab1, tab2 } = await observerAndTwoTabs(room);
    const ann = { userId: tab1.user.userId, name: 'Ann' };

    expect((await tab1.client.request('chat.typing', { room, typing: true })).event).toBe('ack');
    const typing = await observer.client.nextWhere((f) => f.event === 'chat.typing');
    expect(typing.data).toEqual({ room, user: ann, typing: true });

    const { seq } = await say(tab1, room, 'to every tab');
    // Typing would have reached the other tab before this message, sent after it.
    const atTab2 = await tab2.client.expectNoneBefore(
      (f) => f.event === 'chat.typing',
      (f) => f.event === 'chat.message',
      'the chat.message sent after typing',
    );
    for (const frame of [
      atTab2,
      await nextChatMessage(tab1.client),
      await nextChatMessage(observer.client),
    ]) {
      expect(frame.data).toMatchObject({ room, seq, from: ann, text: 'to every tab' });
    }
    // The sending tab does not get its own typing either.
    await tab1.client.expectNoneBeforePing((f) => f.event === 'chat.typing');
  });

  it('leaving from one tab keeps the other a member', async () => {
    const room = uniqueRoom('tabs');
    const { observer, tab1, tab2 } = await observerAndTwoTabs(room);
    expect((await tab1.client.request('room.leave', { room })).event).toBe('ack');

    const refused = await tab1.client.request('chat.send', { room, clientId: 'x', text: 'gone' });
    expectError(refused, 'not_in_room', { id: refused.id });
    const { seq } = await say(tab2, room, 'still here');
    expect((await nextChatMessage(observer.client)).data).toMatchObject({
      seq,
      text: 'still here',
    });
    expect((await nextChatMessage(tab2.client)).data.seq).toBe(seq);
    // The broadcast reached the observer before this ping was read: none of it went to tab 1.
    await tab1.client.expectNoneBeforePing((f) => f.event === 'chat.message');

    const page = await membersPage(room);
    expect(page.online).toBe(2);
    expect(page.members).toContainEqual({ userId: tab1.user.userId, name: 'Ann' });
  });

  it('room memberships are per session: a tab that did not join is not a member', async () => {
    const room = uniqueRoom('tabs');
    const tab1 = await join('Ann', room);
    const other = await joinWith(server(), 'Ann', uniqueRoom('elsewhere'), {
      identity: tab1.user.identity,
    });
    closeAfterTest(other.client);
    const refused = await other.client.request('chat.send', { room, clientId: 'x', text: 'hi' });
    expectError(refused, 'not_in_room', { id: refused.id });
    await say(tab1, room, 'only for members');
    await other.client.expectNoneBeforePing((f) => f.event === 'chat.message');
  });
});

describe('a rename (a hello of the user under a new name)', () => {
  /** A tab of `of`'s user that says hello under `name` and joins nothing. */
  async function tabNamed(of: Member, name: string): Promise<void> {
    const tab = await connectAs(server(), name, { identity: of.user.identity });
    closeAfterTest(tab.client);
  }

  it("is told to every member of the user's rooms, its own tabs too, and taken by every tab", async () => {
    const room = uniqueRoom('rename');
    const { observer, tab1, tab2, ann } = await observerAndTwoTabs(room);
    await tabNamed(tab1, 'Annie');

    const annie = { userId: ann, name: 'Annie' };
    for (const member of [observer, tab1, tab2]) {
      const renamed = await member.client.nextWhere(
        (f) => f.event === 'presence.renamed',
        undefined,
        'presence.renamed',
      );
      expect(renamed.data).toEqual({ room, user: annie });
    }
    // The first tab (on another instance, in a cluster) sends under the new name.
    const { seq } = await say(tab1, room, 'renamed');
    expect((await nextChatMessage(observer.client)).data).toMatchObject({ seq, from: annie });
    const page = await membersPage(room);
    expect(page.online).toBe(2);
    expect(page.members).toContainEqual(annie);
  });

  it('under the name the user has already renames nobody', async () => {
    const room = uniqueRoom('rename');
    const { observer, tab1 } = await observerAndTwoTabs(room);
    await tabNamed(tab1, 'Ann');
    await tabNamed(tab1, 'Ann Lee');
    // Announced in the order the names were taken: a rename to "Ann" would have come first.
    const renamed = await observer.client.nextWhere(
      (f) => f.event === 'presence.renamed',
      undefined,
      'presence.renamed',
    );
    expect(renamed.data).toEqual({ room, user: { userId: tab1.user.userId, name: 'Ann Lee' } });
  });
});
