import { join } from 'node:path';
import { defineConfig } from '@playwright/test';
import { chromiumLaunchOptions } from './browser.js';
import { ENV } from './env.js';

const onCI = Boolean(process.env.CI);

export interface SuiteOptions {
  testDir: string;
  testMatch?: string;
  /** Where artifacts (traces) and the JSON report go. */
  resultsDir: string;
  /** The JSON report's file name in `resultsDir`: CI sums passed/failed/skipped from it. */
  reportFile: string;
  /** Global setup and teardown (they start the servers and set the web URL in the env). */
  globalSetup: string;
  globalTeardown: string;
  timeout: number;
  expectTimeout?: number;
  /** Whether a failed test is tried again on CI. */
  retryOnCI?: boolean;
}

/**
 * A Playwright config for one of the e2e suites (two-browser specs, the cluster specs, the
 * screenshot tour): Chromium, one worker, servers from global setup, baseURL from its env.
 */
export function suiteConfig(options: SuiteOptions) {
  return defineConfig({
    testDir: options.testDir,
    ...(options.testMatch !== undefined && { testMatch: options.testMatch }),
    outputDir: join(options.resultsDir, 'artifacts'),
    fullyParallel: false,
    // One test at a time: two cores, and the api, web, browsers (and the cluster's instances,
    // which specs kill and restart) are shared by every test.
    workers: 1,
    retries: onCI && options.retryOnCI !== false ? 1 : 0,
    forbidOnly: onCI,
    timeout: options.timeout,
    expect: { timeout: options.expectTimeout ?? 10_000 },
    reporter: [['list'], ['json', { outputFile: join(options.resultsDir, options.reportFile) }]],
    globalSetup: options.globalSetup,
    globalTeardown: options.globalTeardown,
    use: {
      // Set by global setup; workers load the config after it ran.
      baseURL: process.env[ENV.webUrl],
      browserName: 'chromium',
      launchOptions: chromiumLaunchOptions(),
      trace: 'retain-on-failure',
    },
    projects: [{ name: 'chromium' }],
  });
}
