import { chromium, expect, test, type Browser } from '@playwright/test';
import { chromiumLaunchOptions } from '../support/browser.js';
import { recordWebSocketFrames, type FrameLog } from '../support/ws-frames.js';

test.describe('session', () => {
  test('two browsers each get their own ready session', async ({ baseURL }, testInfo) => {
    const browsers: Browser[] = await Promise.all([
      chromium.launch(chromiumLaunchOptions()),
      chromium.launch(chromiumLaunchOptions()),
    ]);
    const frameLogs: FrameLog[] = [];
    try {
      const badges = await Promise.all(
        browsers.map(async (browser) => {
          const context = await browser.newContext({ baseURL });
          const page = await context.newPage();
          frameLogs.push(recordWebSocketFrames(page));
          await page.goto('/');
          return page.getByTestId('connection-badge');
        }),
      );

      const userIds: string[] = [];
      for (const badge of badges) {
        await expect(badge).toHaveAttribute('data-state', 'ready', { timeout: 20_000 });
        await expect(badge).toHaveAttribute('data-user-id', /\S/);
        userIds.push((await badge.getAttribute('data-user-id')) ?? '');
      }
      expect(userIds[0]).not.toBe(userIds[1]);
    } catch (error) {
      await Promise.all(
        frameLogs.map((log, index) => log.attachTo(testInfo, `browser-${index + 1}-websocket`)),
      );
      throw error;
    } finally {
      await Promise.all(browsers.map((browser) => browser.close()));
    }
  });
});
