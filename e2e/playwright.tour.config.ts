/**
 * The screenshot tour (`pnpm --filter @duplex/e2e screenshots`): every page of
 * support/tour-pages.ts at desktop and phone size, light and dark, written to
 * `screenshots/<width>-<scheme>/<page>.png` for people to look at. Same servers as the suite
 * (the same global setup), run through the same loopback runner (run.sh). `npm test` runs it
 * too: a page that does not render fails it.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suiteConfig } from './support/suite-config.js';

const e2eDir = dirname(fileURLToPath(import.meta.url));

export default suiteConfig({
  testDir: 'tour',
  testMatch: '*.tour.ts',
  resultsDir: join(e2eDir, 'test-results-tour'),
  reportFile: 'results.json',
  globalSetup: './support/global-setup.ts',
  globalTeardown: './support/global-teardown.ts',
  timeout: 90_000,
  expectTimeout: 15_000,
  retryOnCI: false,
});
