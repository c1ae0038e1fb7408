/**
 * The screenshot tour (`pnpm --filter @duplex/e2e screenshots`): every page of
 * support/tour-pages.ts at desktop and phone size, light and dark, written to
 * `screenshots/<width>-<scheme>/<page>.png` for people to look at. Same servers as the suite
 * (the same global setup), run through the same loopback runner (run.sh).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './support/browser.js';
import { ENV } from './support/env.js';

const e2eDir = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  testDir: 'tour',
  testMatch: '*.tour.ts',
  outputDir: join(e2eDir, 'test-results/tour-artifacts'),
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [
    ['list'],
    // `npm test` runs the tour too (a page that does not render fails it) and counts this file.
    ['json', { outputFile: join(e2eDir, 'test-results/tour-results.json') }],
  ],
  globalSetup: './support/global-setup.ts',
  globalTeardown: './support/global-teardown.ts',
  use: {
    baseURL: process.env[ENV.webUrl],
    browserName: 'chromium',
    launchOptions: chromiumLaunchOptions(),
    trace: 'retain-on-failure',
  },
  projects: [{ name: 'chromium' }],
});
