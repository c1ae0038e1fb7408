/**
 * The pages people judge first: the home page's three demos and their actions, and the error
 * pages (an address that is no room, one the framework cannot even decode, an unknown path).
 */
import { expect, test, type Page } from '@playwright/test';
import { EchoPage } from '../support/echo-page.js';
import { uniqueRoomName } from '../support/room-page.js';

/** Opens the home page and waits until React runs it (the name field is enabled once hydrated). */
async function openHome(page: Page): Promise<void> {
  await page.goto('/');
  await expect(page.getByTestId('name-input')).toBeEnabled({ timeout: 20_000 });
}

/** Collects uncaught errors of the page, to check at the end that none happened. */
function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

test.describe('home page', () => {
  test('says what Duplex is and shows chat, calls and echo, one action each', async ({ page }) => {
    await openHome(page);
    await expect(page.getByTestId('home-intro')).toContainText('over one WebSocket');
    for (const [card, action] of [
      ['demo-chat', 'Join a room'],
      ['demo-calls', 'Start a call room'],
      ['demo-echo', 'Open the playground'],
    ] as const) {
      const demo = page.getByTestId(card);
      await expect(demo).toBeVisible();
      const actions = demo.locator('a, button');
      await expect(actions).toHaveCount(1);
      await expect(actions).toHaveText(action);
    }
  });

  test('chat: "Join a room" leads to the room field, and joining lands in the room', async ({
    page,
  }) => {
    await openHome(page);
    await page.getByTestId('demo-chat-action').click();
    const roomInput = page.getByTestId('room-input');
    await expect(roomInput).toBeFocused();
    const room = uniqueRoomName('pages-join');
    await page.keyboard.type(room);
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(new RegExp(`/rooms/${room}$`));
    await expect(page.getByTestId('room-title')).toHaveText(room);
  });

  test('calls: "Start a call room" opens a fresh room each time', async ({ page }) => {
    const rooms: string[] = [];
    for (let i = 0; i < 2; i++) {
      await openHome(page);
      await page.getByTestId('start-call-room').click();
      await expect(page).toHaveURL(/\/rooms\/call-[a-z0-9]{6}$/);
      const room = new URL(page.url()).pathname.split('/').at(-1) ?? '';
      await expect(page.getByTestId('room-title')).toHaveText(room);
      rooms.push(room);
    }
    expect(rooms[0]).not.toBe(rooms[1]);
  });

  test('echo: "Open the playground" opens /echo', async ({ page }) => {
    await openHome(page);
    await page.getByTestId('echo-link').click();
    await expect(page).toHaveURL(/\/echo$/);
    const echo = new EchoPage(page);
    await expect(echo.connectButton).toBeVisible();
    await expect(echo.readyState).toHaveAttribute('data-ready-state', 'CLOSED');
  });
});

test.describe('keyboard', () => {
  test('the first Tab reaches "Skip to content", which moves focus to the page content', async ({
    page,
  }) => {
    await openHome(page);
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    await expect(skip).toBeFocused();
    await expect(skip).toBeInViewport();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('main')).toBeFocused();
    // The next Tab continues from the content: the first demo's action, not the header.
    await page.keyboard.press('Tab');
    await expect(page.getByTestId('demo-chat-action')).toBeFocused();
  });

  test('every control on the home page shows a focus ring, and focus never falls to <body>', async ({
    page,
  }) => {
    await openHome(page);
    const seen: string[] = [];
    // The skip link, the header's three links, the three demos' actions, the name field (Save
    // is disabled while the name is unchanged), the room field and Join: ten stops.
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const element = document.activeElement;
        if (!element || element === document.body) return null;
        const style = getComputedStyle(element);
        const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
        const ring = style.boxShadow !== 'none';
        return {
          name: `${element.tagName.toLowerCase()} "${(element.textContent || element.getAttribute('aria-label') || element.id).trim().slice(0, 30)}"`,
          visible: outline || ring,
        };
      });
      expect(focused, `Tab ${i + 1}: focus on <body> after ${seen.join(', ')}`).not.toBeNull();
      expect(focused!.visible, `${focused!.name}: no visible focus indicator`).toBe(true);
      seen.push(focused!.name);
    }
  });
});

test.describe('error pages', () => {
  for (const [path, shown] of [
    ['/rooms/%ZZ', '%ZZ'],
    ['/rooms/%E0%A4%A', '%E0%A4%A'],
    ['/rooms/Team%20Chat', 'Team Chat'],
  ] as const) {
    test(`${path} shows the invalid-room page, not a server error`, async ({ page }) => {
      const errors = pageErrors(page);
      const response = await page.goto(path);
      expect(response?.status(), `status of ${path}`).toBe(200);
      const notFound = page.getByTestId('room-not-found');
      await expect(notFound).toBeVisible();
      await expect(notFound.getByRole('heading', { level: 1 })).toHaveText(
        `“${shown}” is not a room name`,
      );
      // The page runs in the browser too: its link goes back to a working lobby.
      await notFound.getByRole('link', { name: 'Back to the lobby' }).click();
      await expect(page).toHaveURL(/\/$/);
      await expect(page.getByTestId('name-input')).toBeEnabled({ timeout: 20_000 });
      expect(errors, 'uncaught errors in the page').toEqual([]);
    });
  }

  test('an unknown path shows the branded 404, status 404, with a way back', async ({ page }) => {
    const errors = pageErrors(page);
    const response = await page.goto('/no-such-page/here');
    expect(response?.status()).toBe(404);
    const notFound = page.getByTestId('page-not-found');
    await expect(notFound).toBeVisible();
    await expect(page).toHaveTitle(/Page not found/);
    await notFound.getByTestId('not-found-home').click();
    await expect(page).toHaveURL(/\/$/);
    await expect(page.getByTestId('demo-chat')).toBeVisible();
    await expect(page.getByTestId('name-input')).toBeEnabled({ timeout: 20_000 });
    expect(errors, 'uncaught errors in the page').toEqual([]);
  });

  test('the error pages fit a phone screen: nothing wider than the window', async ({
    browser,
    baseURL,
  }) => {
    const context = await browser.newContext({
      baseURL,
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      const page = await context.newPage();
      for (const [path, testId] of [
        ['/rooms/%E0%A4%A', 'room-not-found'],
        ['/no-such-page', 'page-not-found'],
      ] as const) {
        await page.goto(path);
        await expect(page.getByTestId(testId)).toBeVisible();
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        );
        expect(overflow, `${path}: horizontal overflow in px`).toBe(0);
        const back = page.getByRole('link', { name: 'Back to the lobby' });
        await expect(back).toBeInViewport();
      }
    } finally {
      await context.close();
    }
  });
});
