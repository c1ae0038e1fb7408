/**
 * Chat between two users, each in a browser of their own: joining a room from the lobby,
 * presence, messages both ways, the typing indicator, and markup shown as text.
 */
import { expect } from '@playwright/test';
import { joinBoth, uniqueRoomName, uniqueText } from '../support/room-page.js';
import { test } from '../support/chat-test.js';

test.describe('chat', () => {
  test('both users name themselves in the lobby, join one room and see each other', async ({
    users,
    ann,
    bob,
  }) => {
    const room = uniqueRoomName('join');
    await joinBoth(users, room);

    const annId = await ann.userId();
    const bobId = await bob.userId();
    expect(annId).not.toBe(bobId);
    for (const user of users) {
      await expect(user.roomTitle).toHaveText(room);
      await expect(user.onlineCount).toHaveText('2');
      await expect(user.members).toHaveCount(2);
      await expect(
        user.members.and(user.page.locator(`[data-user-id="${annId}"]`)),
      ).toHaveAttribute('data-name', 'Ann');
      await expect(
        user.members.and(user.page.locator(`[data-user-id="${bobId}"]`)),
      ).toHaveAttribute('data-name', 'Bob');
    }

    // The lobby's room list knows the room and its two members (it refreshes on a timer).
    const lobby = await ann.context.newPage();
    await lobby.goto('/');
    const item = lobby
      .getByTestId('room-list')
      .locator(`[data-testid="room-list-item"][data-room="${room}"]`);
    await expect(item).toHaveAttribute('data-online', '2', { timeout: 20_000 });
    await lobby.close();
  });

  test('messages go both ways, once each, in order, with the sender names', async ({
    users,
    ann,
    bob,
  }) => {
    const room = uniqueRoomName('msgs');
    await joinBoth(users, room);
    const annId = await ann.userId();
    const bobId = await bob.userId();

    const fromAnn = uniqueText('Hello from Ann');
    const fromBob = uniqueText('Hi Ann, Bob here');
    await ann.send(fromAnn);
    for (const user of users) await user.expectOneMessage(fromAnn, 'Ann');
    await bob.send(fromBob);

    for (const user of users) {
      const [annSeq, bobSeq] = await user.expectMessagesInOrder([fromAnn, fromBob]);
      expect(bobSeq).toBe(annSeq! + 1);
      await expect(user.messages).toHaveCount(2);
      await expect(user.messagesWithText(fromAnn).getByTestId('message-sender')).toHaveText('Ann');
      await expect(user.messagesWithText(fromBob).getByTestId('message-sender')).toHaveText('Bob');
      await expect(user.messagesWithText(fromAnn)).toHaveAttribute('data-from', annId);
      await expect(user.messagesWithText(fromBob)).toHaveAttribute('data-from', bobId);
      // Acknowledged: nothing left pending, no copy shown twice.
      await expect(user.pending).toHaveCount(0);
    }

    // Both pages agree on each message's seq and clientId.
    for (const text of [fromAnn, fromBob]) {
      const [a, b] = await Promise.all(
        users.map((user) =>
          user
            .messagesWithText(text)
            .evaluate((item) => [
              (item as HTMLElement).dataset.seq,
              (item as HTMLElement).dataset.clientId,
            ]),
        ),
      );
      expect(a).toEqual(b);
    }
  });

  test('the typing indicator shows who types and goes once the message is sent', async ({
    users,
    ann,
    bob,
  }) => {
    const room = uniqueRoomName('typing');
    await joinBoth(users, room);
    await expect(bob.typingIndicator).toHaveCount(0);

    const text = uniqueText('Ann is writing');
    await ann.type(text);
    await expect(bob.typingIndicator).toBeVisible();
    await expect(bob.typingIndicator).toContainText('Ann');
    // Your own typing is not shown to you.
    await expect(ann.typingIndicator).toHaveCount(0);

    await ann.composerInput.press('Enter');
    await bob.expectOneMessage(text, 'Ann');
    await expect(bob.typingIndicator).toHaveCount(0);
    await expect(ann.typingIndicator).toHaveCount(0);
  });

  test('markup in a message is shown as text and never run', async ({ users, ann, bob }) => {
    const room = uniqueRoomName('markup');
    await joinBoth(users, room);

    const markup = '<img src=x onerror=alert(1)>';
    await ann.send(markup);
    // A message after it: once it is shown, the markup message has long been rendered.
    const after = uniqueText('after the markup');
    await bob.send(after);

    for (const user of users) {
      await user.expectMessagesInOrder([markup, after]);
      await expect(user.messagesWithText(markup).getByTestId('message-text')).toHaveText(markup);
      await expect(user.messageList.locator('img')).toHaveCount(0);
      await expect(user.page.locator('img[src="x"]')).toHaveCount(0);
    }
    expect(ann.dialogs, 'dialogs on Ann’s page').toEqual([]);
    expect(bob.dialogs, 'dialogs on Bob’s page').toEqual([]);
  });
});
