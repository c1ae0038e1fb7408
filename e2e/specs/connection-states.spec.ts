/**
 * What the web app says of its connection, told apart: a page that never reached the server
 * says so (not "Reconnecting…"), with why and "Retry now"; a page that lost its connection says
 * it is reconnecting, and its online count and member list are greyed as the last known until
 * the room is joined again. "Retry now" connects at once: the page's clock is paused
 * (Playwright's clock), so no back-off timer can fire meanwhile, and only the button can.
 */
import { test as base, expect } from '@playwright/test';
import { startSharedApi, stopSharedApi } from '../support/shared-api.js';
import {
  joinBoth,
  openChatUserIn,
  RECOVERY_TIMEOUT_MS,
  roomConnection,
  uniqueRoomName,
  uniqueText,
  type ChatUser,
} from '../support/room-page.js';
import { test } from '../support/chat-test.js';

/** Stops the page's timers (its clock, installed before it loaded) where they are. */
async function pauseClock(user: ChatUser): Promise<void> {
  // A little ahead: the page's clock runs on while this is sent; timers due meanwhile fire.
  const now = await user.page.evaluate(() => Date.now());
  await user.page.clock.pauseAt(now + 2_000);
}

base.describe('a page that never connected', () => {
  base(
    'says it cannot reach the server (not "Reconnecting…"), and Retry now joins the room once it is back',
    async ({ browser, baseURL }) => {
      base.setTimeout(120_000);
      const room = uniqueRoomName('never');
      // A new context: a new client, which has never connected.
      const fresh = await openChatUserIn(browser, baseURL, 'Cleo');
      await fresh.context.addInitScript(() => localStorage.setItem('duplex.name', 'Cleo'));
      await fresh.context.clock.install();
      await stopSharedApi();
      try {
        await fresh.page.goto(`/rooms/${room}`);
        const connection = roomConnection(fresh);
        await expect(fresh.badge).toHaveAttribute('data-connection', 'never-connected', {
          timeout: 20_000,
        });
        await expect(fresh.badge).toHaveText('Can’t reach the server');
        await expect(fresh.badge).not.toHaveText(/Reconnecting/);
        await expect(fresh.badge).toHaveAttribute('data-state', 'reconnecting');

        // The room says what it waits for and why, not just "Joining…".
        await expect(connection.waiting).toContainText(`Waiting for the server to open #${room}`);
        await expect(connection.waiting).toContainText('The server did not answer');
        await expect(connection.neverConnectedBanner).toContainText('Can’t reach the server');
        await expect(connection.neverConnectedBanner.getByTestId('retry-countdown')).toHaveText(
          /^(Retrying in \d+ s…|Trying again now…)$/,
        );
        await expect(connection.reconnectingBanner).toHaveCount(0);
        await expect(fresh.page.getByTestId('room-joining')).toHaveCount(0);

        // No timer fires from here on: only Retry now can connect.
        await pauseClock(fresh);
        await expect(connection.waitingRetryNow).toBeVisible();
        await expect(connection.bannerRetryNow).toBeVisible();
      } finally {
        await startSharedApi();
      }
      const connection = roomConnection(fresh);
      // The api is back, and the paused page has not noticed: it still waits.
      await expect(fresh.badge).toHaveAttribute('data-connection', 'never-connected');
      await connection.waitingRetryNow.click();
      await fresh.expectReady();
      // The button went with the outage; the focus went on to the composer, not to the page.
      await expect(fresh.composerInput).toBeFocused();
      await expect(fresh.onlineCount).toHaveText('1');
      await expect(connection.waiting).toHaveCount(0);
      await expect(connection.neverConnectedBanner).toHaveCount(0);

      const text = uniqueText('after Retry now');
      await fresh.send(text);
      await fresh.expectOneMessage(text, 'Cleo');
      await fresh.expectOwnMark(text, true);
      await fresh.page.clock.resume();
      await fresh.context.close();
    },
  );
});

test.describe('a page that was connected', () => {
  test('a page that lost its connection greys its presence as last known, and Retry now brings it back live', async ({
    users,
    ann,
    bob,
  }) => {
    test.setTimeout(120_000);
    await ann.context.clock.install();
    const room = uniqueRoomName('stale');
    await joinBoth(users, room);
    const connection = roomConnection(ann);
    await expect(connection.onlineSummary).not.toHaveAttribute('data-stale');
    await expect(connection.memberSection).not.toHaveAttribute('data-stale');
    await expect(ann.page.locator('[data-testid="online-summary"] [data-live="true"]')).toHaveCount(
      1,
    );

    const liveColour = await ann.onlineCount.evaluate((count) => getComputedStyle(count).color);

    await stopSharedApi();
    try {
      await expect(ann.badge).toHaveAttribute('data-connection', 'reconnecting');
      await expect(ann.badge).toHaveText('Reconnecting…');
      await expect(connection.reconnectingBanner).toContainText('Reconnecting…');
      await expect(connection.reconnectingBanner).toContainText('queued');
      await expect(connection.reconnectingBanner.getByTestId('retry-countdown')).toHaveText(
        /^(Retrying in \d+ s…|Trying again now…)$/,
      );

      // The last known count and members, greyed and said to be so; no live dot.
      await expect(ann.onlineCount).toHaveAttribute('data-stale', 'true');
      await expect(ann.onlineCount).toHaveText('2');
      await expect(connection.onlineSummary).toContainText('last known');
      await expect(connection.memberSection).toHaveAttribute('data-stale', 'true');
      await expect(ann.page.getByTestId('members-stale')).toBeVisible();
      await expect(ann.members).toHaveCount(2);
      await expect(ann.page.locator('[data-live="true"]')).toHaveCount(0);
      const greyed = await ann.onlineCount.evaluate((count) => getComputedStyle(count).color);
      expect(greyed, 'the stale count is not in the live colour').not.toBe(liveColour);

      // No timer fires from here on: only Retry now can reconnect.
      await pauseClock(ann);
      await expect(connection.bannerRetryNow).toBeVisible();
    } finally {
      await startSharedApi();
    }
    // Bob's page (its clock running) comes back by itself; Ann's waits for her.
    await bob.expectReady(RECOVERY_TIMEOUT_MS);
    await expect(ann.badge).toHaveAttribute('data-connection', 'reconnecting');
    await connection.bannerRetryNow.click();
    await ann.expectReady();
    await expect(ann.composerInput).toBeFocused();
    await expect(connection.reconnectingBanner).toHaveCount(0);
    await expect(ann.onlineCount).not.toHaveAttribute('data-stale');
    await expect(connection.memberSection).not.toHaveAttribute('data-stale');
    await expect(ann.page.locator('[data-testid="online-summary"] [data-live="true"]')).toHaveCount(
      1,
    );
    await ann.expectMembers(['Ann', 'Bob'], RECOVERY_TIMEOUT_MS);

    const text = uniqueText('after coming back');
    await ann.send(text);
    await bob.expectOneMessage(text, 'Ann', RECOVERY_TIMEOUT_MS);
    await ann.page.clock.resume();
  });
});
