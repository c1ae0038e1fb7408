import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './support/browser.js';
import { ENV } from './support/env.js';

const e2eDir = dirname(fileURLToPath(import.meta.url));
const onCI = Boolean(process.env.CI);

export default defineConfig({
  testDir: 'specs',
  outputDir: join(e2eDir, 'test-results/artifacts'),
  fullyParallel: false,
  workers: 1, // two cores: api, web and the browsers already share them
  retries: onCI ? 1 : 0,
  forbidOnly: onCI,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [
    ['list'],
    // CI sums passed/failed/skipped from this file.
    ['json', { outputFile: join(e2eDir, 'test-results/results.json') }],
  ],
  globalSetup: './support/global-setup.ts',
  globalTeardown: './support/global-teardown.ts',
  use: {
    // Set by global setup; workers load this config after it ran.
    baseURL: process.env[ENV.webUrl],
    browserName: 'chromium',
    launchOptions: chromiumLaunchOptions(),
    trace: 'retain-on-failure',
  },
  projects: [{ name: 'chromium' }],
});
