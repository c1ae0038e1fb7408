/**
 * Chat recovery, two users each in a browser of their own: a user who goes offline gets what
 * was said meanwhile, and what they sent offline is delivered once; both pages come back by
 * themselves after the api restarts, history intact. No page is reloaded.
 */
import { expect } from '@playwright/test';
import { startSharedApi, stopSharedApi } from '../support/shared-api.js';
import {
  joinBoth,
  RECOVERY_TIMEOUT_MS,
  uniqueRoomName,
  uniqueText,
  type ChatUser,
} from '../support/room-page.js';
import { test } from '../support/chat-test.js';

test.describe('chat recovery', () => {
  /** Waits until `user` is connected again and its banner went away by itself. */
  async function expectRecovered(user: ChatUser): Promise<void> {
    await user.expectReady(RECOVERY_TIMEOUT_MS);
    await expect(user.reconnectingBanner, `${user.name}: reconnecting banner`).toHaveCount(0);
    await user.expectNotReloaded();
  }

  test('a user offline meanwhile gets the messages sent meanwhile, once each, in order', async ({
    users,
    ann,
    bob,
  }) => {
    test.setTimeout(90_000);
    const room = uniqueRoomName('offline');
    await joinBoth(users, room);
    const before = uniqueText('before the drop');
    await ann.send(before);
    for (const user of users) await user.expectOneMessage(before, 'Ann');
    await bob.markPage();

    await bob.goOffline();
    await expect(bob.reconnectingBanner).toBeVisible();

    const missed = [uniqueText('missed one'), uniqueText('missed two'), uniqueText('missed three')];
    for (const text of missed) await ann.send(text);
    await ann.expectMessagesInOrder([before, ...missed]);
    // Bob really is cut off: none of them reached his page.
    for (const text of missed) await expect(bob.messagesWithText(text)).toHaveCount(0);
    await expect(bob.reconnectingBanner).toBeVisible();

    await bob.goOnline();
    await expectRecovered(bob);
    await bob.expectMessagesInOrder([before, ...missed], RECOVERY_TIMEOUT_MS);

    // A later message works as a barrier: anything delivered twice would have come before it.
    const barrier = uniqueText('barrier');
    await ann.send(barrier);
    for (const user of users) {
      const seqs = await user.expectMessagesInOrder([before, ...missed, barrier]);
      expect(seqs, `${user.name}: consecutive seqs`).toEqual(seqs.map((_, i) => seqs[0]! + i));
      await expect(user.messages).toHaveCount(5);
    }
    await bob.expectNotReloaded();
  });

  test('a message sent offline waits as queued and is delivered once after reconnecting', async ({
    users,
    ann,
    bob,
  }) => {
    test.setTimeout(90_000);
    const room = uniqueRoomName('outbox');
    await joinBoth(users, room);
    await bob.markPage();

    await bob.goOffline();
    const offline = uniqueText('written offline by Bob');
    await bob.send(offline);
    const pending = bob.pending.filter({ hasText: offline });
    await expect(pending).toHaveCount(1);
    await expect(pending).toHaveAttribute('data-status', 'queued');
    await expect(pending.getByTestId('pending-text')).toHaveText(offline);
    await expect(bob.messagesWithText(offline)).toHaveCount(0);
    const clientId = await pending.getAttribute('data-client-id');
    expect(clientId).toMatch(/\S/);

    // Ann keeps talking meanwhile; the queued message must not reach her while Bob is offline.
    const meanwhile = uniqueText('Ann meanwhile');
    await ann.send(meanwhile);
    await ann.expectOneMessage(meanwhile, 'Ann');
    await expect(ann.messagesWithText(offline)).toHaveCount(0);

    await bob.goOnline();
    await expectRecovered(bob);
    for (const user of users) {
      await user.expectOneMessage(offline, 'Bob', RECOVERY_TIMEOUT_MS);
      await expect(user.messagesWithText(offline)).toHaveAttribute('data-client-id', clientId!);
    }
    await expect(bob.pending).toHaveCount(0);

    const barrier = uniqueText('barrier');
    await ann.send(barrier);
    for (const user of users) {
      await user.expectMessagesInOrder([meanwhile, offline, barrier]);
      await expect(user.messagesWithText(offline)).toHaveCount(1);
      await expect(user.messages).toHaveCount(3);
      await expect(user.pending).toHaveCount(0);
    }
    await bob.expectNotReloaded();
  });

  test('both pages recover by themselves after the api restarts, history intact', async ({
    users,
    ann,
    bob,
  }) => {
    test.setTimeout(120_000);
    const room = uniqueRoomName('restart');
    await joinBoth(users, room);
    const earlier = [uniqueText('Ann before restart'), uniqueText('Bob before restart')];
    await ann.send(earlier[0]!);
    for (const user of users) await user.expectOneMessage(earlier[0]!, 'Ann');
    await bob.send(earlier[1]!);
    for (const user of users) await user.expectMessagesInOrder(earlier);
    for (const user of users) await user.markPage();

    // Restart in two steps (same port, same data dir), to see both pages notice the outage.
    await stopSharedApi();
    try {
      for (const user of users) {
        await expect(user.badge).not.toHaveAttribute('data-state', 'ready');
        await expect(user.reconnectingBanner).toBeVisible();
      }
    } finally {
      await startSharedApi();
    }

    for (const user of users) await expectRecovered(user);
    // The old sessions ended with the old process: both are back in the room, once each.
    for (const user of users) await user.expectMembers(['Ann', 'Bob'], RECOVERY_TIMEOUT_MS);
    for (const user of users) {
      await user.expectMessagesInOrder(earlier);
      await expect(user.messages).toHaveCount(2);
    }

    const after = [uniqueText('Ann after restart'), uniqueText('Bob after restart')];
    await ann.send(after[0]!);
    for (const user of users) await user.expectOneMessage(after[0]!, 'Ann');
    await bob.send(after[1]!);
    for (const user of users) {
      await user.expectOneMessage(after[1]!, 'Bob');
      const seqs = await user.expectMessagesInOrder([...earlier, ...after]);
      expect(seqs, `${user.name}: consecutive seqs`).toEqual(seqs.map((_, i) => seqs[0]! + i));
      await expect(user.messages).toHaveCount(4);
      await expect(user.pending).toHaveCount(0);
      await user.expectNotReloaded();
    }
  });
});
