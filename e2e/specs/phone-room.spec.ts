/**
 * A chat room on a phone (390×844, touch), two users each in a browser of their own: the member
 * list is behind the header's "Members" button, in a sheet from which a call starts; with the
 * on-screen keyboard up (the window 500 px tall) the composer stays in sight and the newest
 * message too, and the list follows the newest message through resizes.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type TestInfo } from '@playwright/test';
import { CallUser, CONNECT_TIMEOUT_MS } from '../support/call-page.js';
import {
  closeChatUsers,
  joinBoth,
  launchChatUsersWith,
  messageListDistanceFromBottom,
  PHONE_CONTEXT,
  roomMembers,
  uniqueRoomName,
  uniqueText,
  type ChatUser,
} from '../support/room-page.js';

/** The height left by an on-screen keyboard; a smaller window stands in for it. */
const KEYBOARD_UP = { width: 390, height: 500 };

async function withPhoneUsers(
  baseURL: string | undefined,
  testInfo: TestInfo,
  body: (ann: ChatUser, bob: ChatUser) => Promise<void>,
): Promise<void> {
  const users = (await launchChatUsersWith(baseURL, ['Ann', 'Bob'], PHONE_CONTEXT)) as [
    ChatUser,
    ChatUser,
  ];
  try {
    await body(...users);
  } finally {
    await closeChatUsers(users, testInfo);
  }
}

/** WCAG 2.2 A and AA problems axe finds in the room (the page around it is not this spec's). */
async function roomViolations(user: ChatUser, scope: string): Promise<string[]> {
  await expect(user.page.locator(scope)).toHaveCount(1);
  const results = await new AxeBuilder({ page: user.page })
    .include(scope)
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  const checked = results.passes.map((rule) => rule.id);
  expect(checked, `axe checked ${scope}`).toEqual(expect.arrayContaining(['color-contrast']));
  return results.violations.map(
    (violation) =>
      `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
  );
}

/** A message of several lines, so that a few fill the phone's screen. */
function tallText(label: string): string {
  return [uniqueText(label), 'second line', 'third line'].join('\n');
}

test.describe('a room on a phone', () => {
  test('members are behind the Members button, in a sheet that a call starts from', async ({
    baseURL,
  }, testInfo) => {
    test.setTimeout(120_000);
    await withPhoneUsers(baseURL, testInfo, async (ann, bob) => {
      const room = uniqueRoomName('phone-members');
      await joinBoth([ann, bob], room);
      const members = roomMembers(ann);

      // Not on screen until asked for.
      await expect(ann.page.getByTestId('member-list')).toBeHidden();
      await expect(members.button).toBeVisible();
      await expect(members.button).toHaveAccessibleName(/Members 2 online/);
      await expect(members.drawer).toHaveCount(0);

      await members.button.tap();
      await expect(members.drawer).toBeVisible();
      await expect(ann.page.getByRole('dialog', { name: /In the room/ })).toBeVisible();
      await expect(members.close).toBeFocused();
      await expect(members.member('Bob')).toBeVisible();
      await expect(members.member('Bob').getByTestId('call-audio')).toBeEnabled();
      await expect(members.member('Bob').getByTestId('call-video')).toBeEnabled();

      // Esc closes it and gives the focus back to the button.
      await ann.page.keyboard.press('Escape');
      await expect(members.drawer).toHaveCount(0);
      await expect(members.button).toBeFocused();

      // The close button does too.
      await members.button.tap();
      await expect(members.drawer).toBeVisible();
      await members.close.tap();
      await expect(members.drawer).toHaveCount(0);
      await expect(members.button).toBeFocused();

      // A call from the sheet: the sheet gives way to the call view.
      const caller = new CallUser(ann);
      const callee = new CallUser(bob);
      await members.button.tap();
      await members.member('Bob').getByTestId('call-audio').tap();
      await expect(caller.view).toBeVisible();
      await expect(members.drawer).toHaveCount(0);
      await callee.expectIncoming(false);
      await callee.accept.tap();
      await Promise.all([caller.expectPhase('connected'), callee.expectPhase('connected')]);

      await expect(caller.hangup).toBeInViewport();
      await caller.hangup.tap();
      await callee.expectPhase('ended', CONNECT_TIMEOUT_MS);
      await expect(caller.view).toHaveCount(0, { timeout: CONNECT_TIMEOUT_MS });
    });
  });

  test('the room and its member sheet pass axe, light and dark', async ({ baseURL }, testInfo) => {
    test.setTimeout(120_000);
    await withPhoneUsers(baseURL, testInfo, async (ann, bob) => {
      await joinBoth([ann, bob], uniqueRoomName('phone-axe'));
      await bob.send('see https://example.org/docs');
      await ann.expectOneMessage('see https://example.org/docs', 'Bob');
      const members = roomMembers(ann);
      for (const colorScheme of ['light', 'dark'] as const) {
        await ann.page.emulateMedia({ colorScheme });
        expect(await roomViolations(ann, '[data-testid="chat-room"]'), colorScheme).toEqual([]);
        await members.button.tap();
        await expect(members.drawer).toBeVisible();
        expect(await roomViolations(ann, '[data-testid="members-drawer"]'), colorScheme).toEqual(
          [],
        );
        await members.close.tap();
        await expect(members.drawer).toHaveCount(0);
      }
    });
  });

  test('with the keyboard up, the composer and the newest message stay in sight', async ({
    baseURL,
  }, testInfo) => {
    test.setTimeout(120_000);
    await withPhoneUsers(baseURL, testInfo, async (ann, bob) => {
      const room = uniqueRoomName('phone-keyboard');
      await joinBoth([ann, bob], room);

      // A phone does not get the cursor by itself (no keyboard popping up); a tap gives it.
      await expect(ann.composerInput).not.toBeFocused();
      await ann.composerInput.tap();
      await expect(ann.composerInput).toBeFocused();

      // More than a screen of messages.
      const earlier = Array.from({ length: 12 }, (_, index) => tallText(`earlier ${index}`));
      for (const text of earlier) await bob.send(text);
      const lastEarlier = ann.messages.last();
      await expect(ann.messages).toHaveCount(earlier.length, { timeout: 20_000 });
      expect(
        await ann.messageList.evaluate((list) => list.scrollHeight > list.clientHeight),
        'the list scrolls',
      ).toBe(true);
      await expect(lastEarlier).toBeInViewport({ ratio: 1 });

      await ann.page.setViewportSize(KEYBOARD_UP);
      await expect(ann.composerInput).toBeFocused();
      await expect(ann.composerInput).toBeInViewport({ ratio: 1 });
      await expect(ann.composerSend).toBeInViewport({ ratio: 1 });
      // The list got shorter and stayed on the newest message.
      await expect.poll(() => messageListDistanceFromBottom(ann)).toBeLessThan(2);
      await expect(lastEarlier).toBeInViewport({ ratio: 1 });

      // A message from Bob arrives in sight, nothing scrolled by hand.
      const arriving = uniqueText('while the keyboard is up');
      await bob.send(arriving);
      await ann.expectOneMessage(arriving, 'Bob');
      await expect(ann.messagesWithText(arriving)).toBeInViewport({ ratio: 1 });
      await expect(ann.composerSend).toBeInViewport({ ratio: 1 });
      expect(await ann.page.evaluate(() => window.scrollY), 'the page did not scroll').toBe(0);

      // The keyboard goes down and up again: the list re-pins to the newest each time.
      await ann.page.setViewportSize(PHONE_CONTEXT.viewport);
      await expect.poll(() => messageListDistanceFromBottom(ann)).toBeLessThan(2);
      await ann.page.setViewportSize(KEYBOARD_UP);
      await expect.poll(() => messageListDistanceFromBottom(ann)).toBeLessThan(2);
      await expect(ann.messagesWithText(arriving)).toBeInViewport({ ratio: 1 });

      // Scrolled up to read, the reader stays where they are through a resize.
      await ann.messageList.evaluate((list) => {
        list.scrollTop = 0;
      });
      await expect.poll(() => messageListDistanceFromBottom(ann)).toBeGreaterThan(100);
      await ann.page.setViewportSize(PHONE_CONTEXT.viewport);
      await expect(ann.composerSend).toBeInViewport({ ratio: 1 });
      expect(await ann.messageList.evaluate((list) => list.scrollTop)).toBe(0);
    });
  });
});
