/**
 * Two browsers through nginx whose sockets sit on different api instances (proved by the
 * instances' own `duplex_ws_connections`; see support/cluster-pages.ts for how a page is made
 * to land on another instance): presence and chat work both ways between them.
 */
import { expect, test } from '@playwright/test';
import {
  attachClusterState,
  describeCounts,
  ensureClusterRunning,
  expectWsConnectionTotal,
} from '../support/cluster-api.js';
import { joinOnDifferentInstances } from '../support/cluster-pages.js';
import { record } from '../support/call-page.js';
import {
  closeChatUsers,
  launchChatUsers,
  uniqueRoomName,
  uniqueText,
  type ChatUser,
} from '../support/room-page.js';

test.describe('chat across api instances', () => {
  let users: ChatUser[] = [];

  test.beforeEach(async () => {
    await ensureClusterRunning();
  });

  test.afterEach(async ({}, testInfo) => {
    await closeChatUsers(users, testInfo);
    users = [];
    await attachClusterState(testInfo);
  });

  test('two pages on different instances see each other and chat both ways', async ({
    baseURL,
  }, testInfo) => {
    users = await launchChatUsers(baseURL, ['Ann', 'Bob']);
    const [ann, bob] = users as [ChatUser, ChatUser];
    const room = uniqueRoomName('cluster-chat');
    const [annOn, bobOn] = (await joinOnDifferentInstances(users, room, testInfo)) as [
      number,
      number,
    ];
    expect(annOn, 'Ann and Bob on different instances').not.toBe(bobOn);

    // Presence both ways: each lists the other, by user id, under the right name.
    const annId = await ann.userId();
    const bobId = await bob.userId();
    expect(annId).not.toBe(bobId);
    for (const user of users) {
      await user.expectMembers(['Ann', 'Bob']);
      await expect(
        user.members.and(user.page.locator(`[data-user-id="${annId}"]`)),
      ).toHaveAttribute('data-name', 'Ann');
      await expect(
        user.members.and(user.page.locator(`[data-user-id="${bobId}"]`)),
      ).toHaveAttribute('data-name', 'Bob');
    }

    // Typing crosses instances too (a room frame through Redis).
    const typed = uniqueText('Bob is writing');
    await bob.type(typed);
    await expect(ann.typingIndicator).toContainText('Bob');
    await bob.composerInput.press('Enter');
    for (const user of users) await user.expectOneMessage(typed, 'Bob');
    await expect(ann.typingIndicator).toHaveCount(0);

    // Messages both ways, alternating, each once, in one order on both pages.
    const texts = [
      uniqueText('Ann to Bob, first'),
      uniqueText('Bob to Ann, first'),
      uniqueText('Ann to Bob, second'),
      uniqueText('Bob to Ann, second'),
    ];
    for (const [index, text] of texts.entries()) {
      const sender = index % 2 === 0 ? ann : bob;
      await sender.send(text);
      for (const user of users) await user.expectOneMessage(text, sender.name);
    }
    const all = [typed, ...texts];
    const seqsByUser: number[][] = [];
    for (const user of users) {
      const seqs = await user.expectMessagesInOrder(all);
      expect(seqs, `${user.name}: consecutive seqs`).toEqual(seqs.map((_, i) => seqs[0]! + i));
      await expect(user.messages).toHaveCount(all.length);
      await expect(user.pending).toHaveCount(0);
      seqsByUser.push(seqs);
    }
    expect(seqsByUser[0], 'both pages agree on every seq').toEqual(seqsByUser[1]);
    await expect(ann.messagesWithText(texts[1]!)).toHaveAttribute('data-from', bobId);
    await expect(bob.messagesWithText(texts[0]!)).toHaveAttribute('data-from', annId);

    // The sockets never moved: still one on each of the two instances.
    const counts = await expectWsConnectionTotal(2);
    record(testInfo, 'placement', `after the chat: ${describeCounts(counts)}`);
    expect(counts[annOn], `Ann's instance ${annOn}`).toBe(1);
    expect(counts[bobOn], `Bob's instance ${bobOn}`).toBe(1);

    // Presence the other way: Bob leaves (his page closes); Ann, on another instance, sees it
    // once his session's grace period is over.
    await bob.context.close();
    await ann.expectMembers(['Ann'], 30_000);
  });
});
