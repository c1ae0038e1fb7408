/**
 * Where the call sits, in real browsers with real media: on a desktop window (1366×850) the call
 * takes the stage and the chat stays usable in a column beside it (never covered; the column
 * collapses, resizes from the keyboard; full screen; minimised to a bar); on a phone (390×844,
 * touch) the call fills the screen and the chat is one tap away; the speaking indicator follows
 * the fake microphone's beep and the peer's mute; focus follows the call in and out.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import {
  closeCallUsers,
  CONNECT_TIMEOUT_MS,
  expectNotCovered,
  focusedElement,
  joinCallRoom,
  launchCallUsers,
  launchCallUserWith,
  placeAcceptedCall,
  type CallUser,
} from '../support/call-page.js';
import { uniqueRoomName, uniqueText } from '../support/room-page.js';

const DESKTOP = { width: 1366, height: 850 };
const PHONE = { width: 390, height: 844 };

/** No WCAG 2.2 A/AA violation (contrast, names, roles) inside `selector`. */
async function expectAccessible(page: Page, selector: string, what: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page })
    .include(selector)
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  const found = violations.map(
    (v) => `${v.id}: ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary}`).join('; ')}`,
  );
  expect(found, `${what}: axe violations`).toEqual([]);
}

async function useDesktopWindow(users: readonly CallUser[]): Promise<void> {
  await Promise.all(users.map((user) => user.page.setViewportSize(DESKTOP)));
}

function sideColumn(page: Page): Locator {
  return page.locator('main.site-main');
}

async function width(locator: Locator): Promise<number> {
  const box = await locator.boundingBox();
  expect(box, 'bounding box').not.toBeNull();
  return box!.width;
}

test.describe('call layout', () => {
  let users: CallUser[] = [];

  test.afterEach(async ({}, testInfo) => {
    await closeCallUsers(users, testInfo);
    users = [];
  });

  test('desktop: the call takes the stage, the chat beside it stays usable; collapse, resize, full screen, minimise', async ({
    baseURL,
  }) => {
    test.setTimeout(120_000);
    users = await launchCallUsers(baseURL, ['Ann', 'Bob']);
    const [ann, bob] = users as [CallUser, CallUser];
    await useDesktopWindow(users);
    await joinCallRoom(users, uniqueRoomName('stage'));
    await placeAcceptedCall(ann, bob, true);

    for (const user of users) {
      await expect(user.view, `${user.name}: call on the stage`).toHaveAttribute(
        'data-layout',
        'stage',
      );
      await expectNotCovered(user.chat.composerInput, `${user.name}: composer`);
      await expectNotCovered(user.chat.composerSend, `${user.name}: Send`);
    }
    await expectAccessible(ann.page, '[data-testid="call-view"]', 'Ann: call on the stage (light)');
    // The stage is the larger part of the window, the chat column beside it.
    expect(await width(ann.view)).toBeGreaterThan(DESKTOP.width / 2);
    const columnBefore = await width(sideColumn(ann.page));
    expect(columnBefore).toBeGreaterThan(250);

    // A message sent during the call, with the Send button, reaches the other side.
    const text = uniqueText('during the call');
    await ann.chat.type(text);
    await ann.chat.composerSend.click();
    await bob.chat.expectOneMessage(text, 'Ann');

    // Resize from the keyboard: two steps left widen the column by 40 px.
    const separator = ann.page.getByRole('separator');
    const before = Number(await separator.getAttribute('aria-valuenow'));
    await separator.focus();
    await ann.page.keyboard.press('ArrowLeft');
    await ann.page.keyboard.press('ArrowLeft');
    await expect(separator).toHaveAttribute('aria-valuenow', String(before + 40));
    await expect.poll(() => width(sideColumn(ann.page))).toBeCloseTo(columnBefore + 40, 0);
    await expectNotCovered(ann.chat.composerSend, 'Ann: Send after resizing');

    // Collapse: the call fills the area; shown again, the chat is back and usable.
    const toggle = ann.page.getByTestId('call-side-toggle');
    await toggle.click();
    await expect(sideColumn(ann.page)).toBeHidden();
    await expect.poll(() => width(ann.view)).toBeCloseTo(DESKTOP.width, 0);
    await expect(toggle).toHaveText('Show chat');
    await toggle.click();
    await expect(toggle).toHaveText('Hide chat');
    await expectNotCovered(ann.chat.composerSend, 'Ann: Send with the column shown again');

    // Full screen on the call view, and out again with the same button.
    const fullscreenElement = () =>
      ann.page.evaluate(() => document.fullscreenElement?.getAttribute('data-testid') ?? null);
    const fullscreen = ann.page.getByTestId('call-fullscreen');
    await fullscreen.click();
    await expect.poll(fullscreenElement).toBe('call-view');
    await expect(fullscreen).toHaveAttribute('aria-pressed', 'true');
    await fullscreen.click();
    await expect.poll(fullscreenElement).toBeNull();
    await expect(fullscreen).toHaveAttribute('aria-pressed', 'false');

    // Minimised: a bar at the top; with the quality details open, the controls stay clear.
    await ann.page.getByTestId('call-minimize').click();
    await expect(ann.view).toHaveAttribute('data-layout', 'bar');
    await ann.quality.locator('summary').click();
    await expect(ann.page.getByTestId('call-quality-details')).toBeVisible();
    for (const control of [ann.mute, ann.camera, ann.hangup, ann.page.getByTestId('call-minimize')])
      await expectNotCovered(
        control,
        `Ann: ${await control.getAttribute('data-testid')} in the bar`,
      );
    await expectNotCovered(ann.chat.composerSend, 'Ann: Send under the bar');
    await expectAccessible(ann.page, '[data-testid="call-view"]', 'Ann: call bar (light)');
    await expect(ann.remoteMedia).toBeAttached();
  });

  test('phone: the call fills the screen, "Chat" goes to the room, a tap on the bar comes back', async ({
    baseURL,
  }) => {
    test.setTimeout(120_000);
    const [ann] = await launchCallUsers(baseURL, ['Ann']);
    users = [ann!];
    const bob = await launchCallUserWith(baseURL, 'Bob', {
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    });
    users.push(bob);
    await ann!.page.setViewportSize(DESKTOP);
    await joinCallRoom(users, uniqueRoomName('phone'));

    await ann!.call(bob, true);
    await bob.expectIncoming(true);
    // The prompt is a sheet within the screen, under the header, its words on one line each.
    await bob.incoming.evaluate((sheet) =>
      Promise.all(sheet.getAnimations().map((animation) => animation.finished)),
    );
    const prompt = await bob.incoming.boundingBox();
    const header = await bob.page.locator('.site-header').boundingBox();
    expect(prompt!.x).toBeGreaterThanOrEqual(0);
    expect(prompt!.x + prompt!.width).toBeLessThanOrEqual(PHONE.width);
    expect(prompt!.y + prompt!.height).toBeLessThanOrEqual(PHONE.height);
    expect(prompt!.y, 'the prompt leaves the site header clear').toBeGreaterThanOrEqual(
      header!.y + header!.height,
    );
    await expectAccessible(bob.page, '[data-testid="incoming-call"]', 'Bob: prompt (light)');
    for (const button of [bob.decline, bob.acceptAudio, bob.accept]) {
      const lines = await button.locator('span').evaluate((label) => label.getClientRects().length);
      expect(lines, `${await button.textContent()}: one line`).toBe(1);
    }
    await bob.accept.tap();
    await Promise.all([ann!.expectPhase('connected'), bob.expectPhase('connected')]);
    await expect(bob.view).toHaveAttribute('data-layout', 'full');
    const box = await bob.view.boundingBox();
    expect(box).toEqual({ x: 0, y: 0, width: PHONE.width, height: PHONE.height });
    await expectNotCovered(bob.hangup, 'Bob: Hang up');

    // "Chat": the room, with the call in a bar at the top; a message goes out from here.
    await bob.page.getByTestId('call-show-page').tap();
    await expect(bob.view).toHaveAttribute('data-layout', 'bar');
    await expect(bob.remoteMedia).toBeAttached();
    await expectNotCovered(bob.hangup, 'Bob: Hang up in the bar');
    await expectNotCovered(bob.mute, 'Bob: Mute in the bar');
    const text = uniqueText('from the phone');
    await bob.chat.composerInput.tap();
    await bob.chat.type(text);
    await expectNotCovered(bob.chat.composerSend, 'Bob: Send');
    await bob.chat.composerSend.tap();
    await ann!.chat.expectOneMessage(text, 'Bob');

    // A tap on the bar: back to the full-screen call.
    await bob.page.getByTestId('call-bar-return').tap();
    await expect(bob.view).toHaveAttribute('data-layout', 'full');
    expect(await bob.view.boundingBox()).toEqual({
      x: 0,
      y: 0,
      width: PHONE.width,
      height: PHONE.height,
    });
  });

  test('speaking indicator follows the peer’s voice and mute; focus follows the call in and out', async ({
    baseURL,
  }) => {
    test.setTimeout(120_000);
    users = await launchCallUsers(baseURL, ['Ann', 'Bob']);
    const [ann, bob] = users as [CallUser, CallUser];
    await useDesktopWindow(users);
    await bob.page.emulateMedia({ colorScheme: 'dark' });
    await joinCallRoom(users, uniqueRoomName('speaking'));

    // Bob answers with the keyboard: Enter on Accept.
    await ann.call(bob, false);
    await bob.expectIncoming(false);
    await expectAccessible(bob.page, '[data-testid="incoming-call"]', 'Bob: prompt (dark)');
    await bob.accept.focus();
    await bob.page.keyboard.press('Enter');
    await Promise.all([ann.expectPhase('connected'), bob.expectPhase('connected')]);
    const afterAccept = await focusedElement(bob.page);
    expect(
      afterAccept.body,
      `Bob's focus after Enter on Accept: ${JSON.stringify(afterAccept)}`,
    ).toBe(false);
    expect(afterAccept.inCallView).toBe(true);
    await expectAccessible(bob.page, '[data-testid="call-view"]', 'Bob: call on the stage (dark)');

    // The fake microphone beeps: Bob sees Ann speak, and Ann sees herself speak.
    const annTile = bob.page.getByTestId('remote-tile');
    await expect(annTile).toHaveAttribute('data-speaking', 'true', { timeout: CONNECT_TIMEOUT_MS });
    await expect(ann.page.getByTestId('local-tile')).toHaveAttribute('data-speaking', 'true');

    // Ann mutes: her track sends silence and `call.media` says so; Bob sees her not speaking.
    await ann.mute.click();
    await expect(bob.remoteMuted).toBeVisible();
    await expect(annTile).toHaveAttribute('data-speaking', 'false');
    await expect(ann.page.getByTestId('local-tile')).toHaveAttribute('data-speaking', 'false');

    // Unmuted, the indicator lights again: it follows the voice, it is not stuck.
    await ann.mute.click();
    await expect(bob.remoteMuted).toHaveCount(0);
    await expect(annTile).toHaveAttribute('data-speaking', 'true', { timeout: CONNECT_TIMEOUT_MS });

    // Bob hangs up with the keyboard: focus stays in sight, then goes back to the page.
    await bob.hangup.focus();
    await bob.page.keyboard.press('Enter');
    await bob.expectPhase('ended');
    const afterHangUp = await focusedElement(bob.page);
    expect(afterHangUp.body, `Bob's focus after hanging up: ${JSON.stringify(afterHangUp)}`).toBe(
      false,
    );
    expect(afterHangUp.testId).toBe('call-close');
    await bob.page.getByTestId('call-close').press('Enter');
    await expect(bob.view).toHaveCount(0);
    const afterClose = await focusedElement(bob.page);
    expect(
      afterClose.body,
      `Bob's focus after the call view closed: ${JSON.stringify(afterClose)}`,
    ).toBe(false);
    expect(afterClose.testId).toBe('composer-input');
  });
});
