/**
 * The cluster e2e suite (`bash run-cluster.sh`): the specs in cluster-specs/ against three api
 * instances on PostgreSQL and Redis behind nginx, with the web standalone server, all started
 * by support/cluster-global-setup.ts. Browsers reach everything through nginx (baseURL).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './support/browser.js';
import { ENV } from './support/env.js';

const e2eDir = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(e2eDir, 'test-results-cluster');
const onCI = Boolean(process.env.CI);

export default defineConfig({
  testDir: 'cluster-specs',
  outputDir: join(resultsDir, 'artifacts'),
  fullyParallel: false,
  // One test at a time: the specs read the instances' connection counts as their own, and
  // kill and restart instances every test shares.
  workers: 1,
  retries: onCI ? 1 : 0,
  forbidOnly: onCI,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [
    ['list'],
    // CI sums passed/failed/skipped from this file.
    ['json', { outputFile: join(resultsDir, 'results.json') }],
  ],
  globalSetup: './support/cluster-global-setup.ts',
  globalTeardown: './support/cluster-global-teardown.ts',
  use: {
    // nginx's URL, set by global setup; workers load this config after it ran.
    baseURL: process.env[ENV.webUrl],
    browserName: 'chromium',
    launchOptions: chromiumLaunchOptions(),
    trace: 'retain-on-failure',
  },
  projects: [{ name: 'chromium' }],
});
