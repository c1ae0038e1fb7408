/**
 * Writes a screenshot of every tour page (support/tour-pages.ts) at each size and colour scheme
 * to `e2e/screenshots/<width>-<scheme>/<page>.png`. Not a pixel comparison: each shot waits for
 * its page's ready locator first, so a page that does not render fails the tour.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import {
  DESKTOP,
  PHONE,
  TOUR_PAGES,
  type ColorScheme,
  type TourViewport,
} from '../support/tour-pages.js';

const SCREENSHOTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'screenshots');
const VIEWPORTS: readonly TourViewport[] = [DESKTOP, PHONE];
const COLOR_SCHEMES: readonly ColorScheme[] = ['light', 'dark'];

for (const viewport of VIEWPORTS) {
  for (const colorScheme of COLOR_SCHEMES) {
    const folder = `${viewport.name}-${colorScheme}`;
    test.describe(folder, () => {
      for (const tourPage of TOUR_PAGES) {
        test(`${tourPage.name}: ${tourPage.title}`, async ({ browser, baseURL }, testInfo) => {
          const opened = await tourPage.open({
            browser,
            baseURL: baseURL ?? '',
            viewport,
            colorScheme,
          });
          try {
            await expect(opened.ready).toBeVisible();
            // A full-page shot draws the sticky header where the window last was: start at the top.
            if (tourPage.fullPage) await opened.page.evaluate(() => window.scrollTo(0, 0));
            const path = join(SCREENSHOTS_DIR, folder, `${tourPage.name}.png`);
            await opened.page.screenshot({
              path,
              fullPage: tourPage.fullPage,
              // The caret and animations are still: the same page gives the same picture.
              caret: 'hide',
              animations: 'disabled',
            });
            testInfo.annotations.push({ type: 'screenshot', description: path });
          } finally {
            await opened.close(testInfo);
          }
        });
      }
    });
  }
}
